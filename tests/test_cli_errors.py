"""Bad input gets one clear line naming the value and what to do, and the store survives it."""

import kg
from kg.cli import app


def _one_line_error(result):
    lines = [ln for ln in result.output.splitlines() if ln.strip()]
    assert result.exit_code != 0
    assert len(lines) == 1 and lines[0].startswith("kg: error:"), result.output
    return lines[0]


def test_unknown_place_suggests_close_matches(runner, seed_store):
    line = _one_line_error(runner.invoke(app, ["path", "Nantong", "Hairatn", "--store", seed_store]))
    assert "Hairatn" in line and "Hairatan" in line


def test_missing_store_says_how_to_build(runner, tmp_path):
    line = _one_line_error(runner.invoke(app, ["routes", "--store", str(tmp_path / "nope")]))
    assert "kg build" in line


def test_bad_sparql_shows_position(runner, seed_store):
    line = _one_line_error(runner.invoke(app, ["query", "SELECT ?x WHERE { ?x ?y }", "--store", seed_store]))
    assert "1:" in line


def test_update_refused_without_flag(runner, seed_store):
    line = _one_line_error(runner.invoke(app, ["query", "DELETE WHERE { ?s ?p ?o }", "--store", seed_store]))
    assert "--allow-update" in line
    assert kg.routes(store=seed_store)


def test_bad_bind_and_unknown_query(runner, seed_store):
    assert "NAME=VALUE" in _one_line_error(runner.invoke(app, ["query", "documents", "--bind", "oops",
                                                               "--store", seed_store]))
    assert "kg query --list" in _one_line_error(runner.invoke(app, ["query", "no_such_query", "--store", seed_store]))


def test_bad_article_leaves_the_store_untouched(runner, tmp_path):
    store = tmp_path / "s"
    good = tmp_path / "good"
    good.mkdir()
    (good / "a.txt").write_text("A freight train left Chengdu for Lodz on Monday.", encoding="utf-8")
    kg.build([good], store=store)
    before = kg.routes(store=store)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "b.txt").write_text("A train left Xi'an for Duisburg.", encoding="utf-8")
    (bad / "c.txt").write_bytes(b"\xff\xfe not utf-8 \x80")
    line = _one_line_error(runner.invoke(app, ["build", str(bad), "--store", str(store)]))
    assert "c.txt" in line and "UTF-8" in line
    assert kg.routes(store=store) == before


def test_missing_path(runner, tmp_path):
    line = _one_line_error(runner.invoke(app, ["build", str(tmp_path / "missing.txt"), "--store", str(tmp_path / "s")]))
    assert "missing.txt" in line


def test_allow_update_applies_it(runner, tmp_path):
    store = tmp_path / "s"
    art = tmp_path / "a.txt"
    art.write_text("A freight train left Chengdu for Lodz on Monday.", encoding="utf-8")
    kg.build([art], store=store)
    upd = 'INSERT DATA { GRAPH <urn:note> { <urn:x> rdfs:comment "checked by an analyst" } }'
    result = runner.invoke(app, ["query", upd, "--allow-update", "--store", str(store)])
    assert result.exit_code == 0, result.output
    rows = kg.query("SELECT ?c WHERE { <urn:x> rdfs:comment ?c }", store=store).rows
    assert rows == [["checked by an analyst"]]
