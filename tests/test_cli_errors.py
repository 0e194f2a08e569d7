"""Bad input gets one clear line naming the value and what to do, and the store survives it."""

import pytest

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


BROKEN = ("A freight train carrying 0 containers and 0 tonnes of goods left Chengdu for Lodz on Monday. "
          "The journey took 500 days.")


def test_a_build_that_breaks_the_shapes_fails_and_stores_nothing_broken(runner, tmp_path):
    articles = tmp_path / "articles"
    articles.mkdir()
    (articles / "good.txt").write_text("A freight train left Chengdu for Lodz on Monday.", encoding="utf-8")
    (articles / "edited.txt").write_text("A freight train left Xi'an for Duisburg on Friday.", encoding="utf-8")
    store = str(tmp_path / "store")
    assert runner.invoke(app, ["build", str(articles), "--store", store, "-q"]).exit_code == 0
    before = kg.routes(store=store)
    (articles / "edited.txt").write_text(BROKEN, encoding="utf-8")
    # another broken article (the same text under two names would be one document)
    (articles / "new.txt").write_text(BROKEN.replace("Chengdu for Lodz", "Yiwu for Madrid"), encoding="utf-8")
    for _ in range(2):  # a second build tries the refused articles again, and fails again
        result = runner.invoke(app, ["build", str(articles), "--store", store, "-q"])
        assert result.exit_code == 1, result.output
        last = result.output.strip().splitlines()[-1]
        assert last.startswith("kg: error: 2 article(s) not stored") and "edited.txt, new.txt" in last
        assert "kgo:journeyDays = '500" in result.output and "new.txt: Violation" in result.output
        assert "validation  6 problem(s) in 2 article(s), not stored" in result.output
        assert kg.routes(store=store) == before  # edited.txt keeps its previous, valid version
    assert runner.invoke(app, ["validate", "--store", store]).exit_code == 0
    summary = kg.build([articles], store=store)
    assert summary.refused == ["edited.txt", "new.txt"] and summary.unchanged == 1


def test_a_5000_digit_bind_value(runner, seed_store):
    digits = "9" * 5000
    line = _one_line_error(runner.invoke(app, ["query", "SELECT ?x WHERE { ?x ?p ?o } LIMIT 1", "--bind",
                                               f"x={digits}", "--store", seed_store]))
    assert "--bind x=999" in line and "5,002 characters" in line and len(line) < 600
    quoted = runner.invoke(app, ["query", "SELECT ?x WHERE { ?x ?p ?o } LIMIT 1", "--bind", f'x="{digits}"',
                                 "--store", seed_store])
    assert quoted.exit_code == 0, quoted.output


def test_viz_to_a_full_device(runner, seed_store):
    line = _one_line_error(runner.invoke(app, ["viz", "-o", "/dev/full", "--store", seed_store]))
    assert "/dev/full" in line and "no space left" in line


def test_outputs_to_a_folder(runner, seed_store, tmp_path):
    line = _one_line_error(runner.invoke(app, ["export", "-o", str(tmp_path), "--store", seed_store]))
    assert str(tmp_path) in line and "is a folder" in line and "kg.nquads" in line
    line = _one_line_error(runner.invoke(app, ["viz", "-o", str(tmp_path), "--store", seed_store]))
    assert "is a folder" in line and "routes.html" in line
    assert list(tmp_path.iterdir()) == []  # nothing half-written left behind


def test_a_failed_write_keeps_the_previous_file(seed_store, tmp_path):
    from kg._errors import OutputError
    from kg._files import write_file

    old = tmp_path / "routes.html"
    old.write_text("previous page", encoding="utf-8")
    tmp_path.chmod(0o500)  # the folder refuses new files (root ignores this: then the write succeeds)
    try:
        write_file(old, b"new page")
    except OutputError as exc:
        assert "permission denied" in str(exc)
        assert old.read_text(encoding="utf-8") == "previous page"
    else:
        assert old.read_text(encoding="utf-8") == "new page"
    finally:
        tmp_path.chmod(0o700)
    assert [p.name for p in tmp_path.iterdir()] == ["routes.html"]


@pytest.mark.parametrize(("query", "says"), [
    ("SELECT * WHERE { " + " ".join(f"?s{i} ?p{i} ?o{i} ." for i in range(10_000)) + " }", "characters long"),
    ("SELECT * WHERE { FILTER(" + "+".join(["1"] * 8_000) + ") }", "operators"),
])
def test_queries_that_crash_the_engine_are_refused_in_one_line(seed_store, tmp_path, query, says):
    """10,000 triple patterns or 8,000 '+' in a row crash Oxigraph (SIGSEGV, exit 139); kg query
    refuses them in one line.  Run in a subprocess: without the guard it would take pytest down."""
    import subprocess
    import sys

    path = tmp_path / "long.rq"
    path.write_text(query, encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "kg", "query", str(path), "--store", seed_store],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, (done.returncode, done.stderr[-300:])
    assert says in done.stderr and len(done.stderr.strip().splitlines()) == 1
