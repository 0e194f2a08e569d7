"""Remote mode: the same commands against a real Oxigraph server started by the test."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import ROOT, SEEDS

import kg
from kg._errors import StoreError
from kg.cli import app
from kg.store import RemoteStore, bind_values, substitute

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str]) -> tuple[subprocess.Popen, str]:
    """Start the Oxigraph server on a free loopback port and wait until it answers."""
    if not Path(OXIGRAPH).exists():
        pytest.fail("the oxigraph server binary is missing: pip install -e '.[test]' installs it")
    port = _free_port()
    proc = subprocess.Popen([OXIGRAPH, *args, "--bind", f"127.0.0.1:{port}", "--union-default-graph"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/query?query=ASK%7B%7D", timeout=1)
            return proc, url
        except OSError:
            time.sleep(0.1)
    proc.kill()
    pytest.fail("oxigraph server did not start")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    proc, url = _start(["serve", "--location", str(tmp_path_factory.mktemp("oxigraph") / "db")])
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def test_build_query_path_and_remove_on_a_server(server, seed_store, runner):
    summary = kg.build([SEEDS], store=server)
    assert summary.documents == 5 and summary.problems == []
    assert kg.routes(store=server) == kg.routes(store=seed_store)
    assert kg.build([SEEDS], store=server).unchanged == 5  # idempotent over HTTP too
    result = runner.invoke(app, ["path", "Nantong", "Hairatan", "--store", server])
    assert result.exit_code == 0 and "Nantong -> Hairatan, crossing Kazakhstan, Uzbekistan" in result.output
    rows = kg.query("routes_from", store=server, bindings={"place": "zhengzhou"}).records()
    assert rows and {r["origin"] for r in rows} == {"Zhengzhou"}
    local = kg.query("routes_from", store=seed_store, bindings={"place": "zhengzhou"}).records()
    assert sorted(map(str, rows)) == sorted(map(str, local))  # the subqueries' ?place substituted the same
    assert kg.remove(["004_5cb8d0077de1355e.txt"], store=server) == ["004_5cb8d0077de1355e.txt"]
    assert "004_5cb8d0077de1355e.txt" not in {r["source"] for r in kg.routes(store=server)}


def test_unreachable_server_is_one_line(runner):
    result = runner.invoke(app, ["routes", "--store", f"http://127.0.0.1:{_free_port()}"])
    assert result.exit_code == 1
    assert result.output.startswith("kg: error: cannot reach a SPARQL server")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT ?x WHERE { ?x ?p ?o }", "SELECT ?x WHERE { VALUES (?x) { (\"a\") }  ?x ?p ?o }"),
        ("PREFIX e: <http://e/#x> SELECT * { ?x ?p 'where {' }",
         "PREFIX e: <http://e/#x> SELECT * { VALUES (?x) { (\"a\") }  ?x ?p 'where {' }"),
        ("# where { \nCONSTRUCT { ?x ?p ?o } WHERE { ?x ?p ?o }",
         "# where { \nCONSTRUCT { ?x ?p ?o } WHERE { VALUES (?x) { (\"a\") }  ?x ?p ?o }"),
    ],
)
def test_bind_values_opens_the_where_group(query, expected):
    from rdflib import Literal

    assert bind_values(query, {"x": Literal("a")}) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("SELECT ?x ?y WHERE { { SELECT ?x ?y WHERE { ?y ?p ?x } } }",
         'SELECT ("a" AS ?x) ?y WHERE { { SELECT  ?y WHERE { ?y ?p "a" } } }'),
        ("SELECT ?y WHERE { { SELECT DISTINCT ?x WHERE { ?y ?p ?x } } ?y ?q ?o }",
         'SELECT ?y WHERE { { SELECT DISTINCT ("a" AS ?x) WHERE { ?y ?p "a" } } ?y ?q ?o }'),
        ("SELECT ?y WHERE { { SELECT ?y (STR(?x) AS ?s) { ?y ?p ?x } GROUP BY ?y ?x } }",
         'SELECT ?y WHERE { { SELECT ?y (STR("a") AS ?s) { ?y ?p "a" } GROUP BY ?y ("a") } }'),
    ],
)
def test_substitute_in_a_subquery_projection(query, expected):
    from rdflib import Literal

    assert substitute(query, {"x": Literal("a")}) == expected


def test_substitute_answers_as_oxigraph_substitutions():
    """A bound variable projected by subqueries and by the top: the text parses, and gives the
    rows pyoxigraph's own substitutions give."""
    import pyoxigraph as ox
    from rdflib import Literal

    store = ox.Store()
    p = ox.NamedNode("http://e/p")
    for s, o in (("s", "a"), ("t", "b")):
        store.add(ox.Quad(ox.NamedNode(f"http://e/{s}"), p, ox.Literal(o)))
    query = ('SELECT ?x ?s WHERE { { ?s <http://e/p> ?o FILTER(COALESCE(STR(?x), "") != "" && ?o = ?x) } '
             'UNION { { SELECT ?x ?s WHERE { ?s <http://e/p> ?o FILTER(COALESCE(STR(?x), "") = "") } } } }')
    for value in ("a", "b", "c"):
        answer = store.query(query, substitutions={ox.Variable("x"): ox.Literal(value)})
        native = {(str(r["x"]), str(r["s"])) for r in answer}
        text = {(str(r["x"]), str(r["s"])) for r in store.query(substitute(query, {"x": Literal(value)}))}
        assert text == native
    assert len({r["s"] for r in store.query(query)}) == 2


def test_bound_text_stays_one_term():
    from rdflib import Graph, Literal, URIRef

    hostile = Literal('a" } ; DROP ALL ; #')
    q = bind_values("SELECT ?s WHERE { ?s ?p ?x }", {"x": hostile})
    g = Graph()
    g.add((URIRef("http://e/s"), URIRef("http://e/p"), hostile))
    g.add((URIRef("http://e/t"), URIRef("http://e/p"), Literal("other")))
    assert [str(r[0]) for r in g.query(q)] == ["http://e/s"]


def test_oxigraph_server_serves_a_kg_store_as_is(seed_store, tmp_path):
    copy = tmp_path / "copy"
    shutil.copytree(seed_store, copy)
    proc, url = _start(["serve-read-only", "--location", str(copy)])
    try:
        assert kg.routes(store=url) == kg.routes(store=seed_store)
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _one_line_error(output: str, exit_code: int) -> str:
    lines = [ln for ln in output.splitlines() if ln.strip() and not ln.startswith("  [")]  # progress lines
    assert exit_code == 1, output
    assert len(lines) == 1 and lines[0].startswith("kg: error:"), output
    return lines[0]


@pytest.fixture(scope="module")
def read_only_server(seed_store, tmp_path_factory):
    """The seed graph behind `oxigraph serve-read-only` (updates answered 403)."""
    copy = tmp_path_factory.mktemp("ro") / "copy"
    shutil.copytree(seed_store, copy)
    proc, url = _start(["serve-read-only", "--location", str(copy)])
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def test_bad_iri_in_bind_is_one_line(runner, read_only_server):
    result = runner.invoke(app, ["query", "SELECT ?x WHERE { ?x ?p ?o } LIMIT 1", "--bind", "x=<http://a b>",
                                 "--store", read_only_server])
    line = _one_line_error(result.output, result.exit_code)
    assert "<http://a b>" in line and "not a valid IRI" in line


def test_server_syntax_error_names_the_users_line(runner, read_only_server):
    result = runner.invoke(app, ["query", "SELECT ?x\nWHERE { ?x ?p }", "--store", read_only_server])
    line = _one_line_error(result.output, result.exit_code)
    assert "refused the query" in line and "2:" in line  # the position in the text the user wrote


def test_validate_over_http(runner, read_only_server):
    result = runner.invoke(app, ["validate", "--store", read_only_server])
    assert result.exit_code == 0, result.output
    assert "the graph conforms to the shapes" in result.output


def test_build_into_a_read_only_oxigraph_is_one_line(runner, read_only_server, tmp_path):
    before = kg.routes(store=read_only_server)
    (tmp_path / "a.txt").write_text("A freight train left Chengdu for Lodz on Monday.", encoding="utf-8")
    result = runner.invoke(app, ["build", str(tmp_path / "a.txt"), "--store", read_only_server])
    line = _one_line_error(result.output, result.exit_code)
    assert "HTTP 403" in line and "does not take updates" in line
    assert kg.routes(store=read_only_server) == before


def test_build_into_kg_serve_is_one_line(runner, seed_store, tmp_path):
    from kg.serve import serve_in_thread

    server = serve_in_thread(seed_store)
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}"
        (tmp_path / "a.txt").write_text("A freight train left Chengdu for Lodz on Monday.", encoding="utf-8")
        result = runner.invoke(app, ["build", str(tmp_path / "a.txt"), "--store", url])
        line = _one_line_error(result.output, result.exit_code)
        assert "HTTP 404" in line and "does not take updates" in line
        result = runner.invoke(app, ["remove", "000_7718559c6c7be466.txt", "--store", url])
        assert "HTTP 404" in _one_line_error(result.output, result.exit_code)
    finally:
        server.shutdown()
        server.server_close()


def test_a_server_that_dies_mid_build(tmp_path):
    """One line, not a traceback; the articles already written are whole, and a rebuild completes."""
    articles = tmp_path / "articles"
    articles.mkdir()
    text = (SEEDS / "000_7718559c6c7be466.txt").read_text(encoding="utf-8")
    for i in range(24):
        (articles / f"a{i:02}.txt").write_text(text + f"\n\nCopy {i}.", encoding="utf-8")
    location = tmp_path / "db"
    server, url = _start(["serve", "--location", str(location)])
    build = subprocess.Popen([sys.executable, "-m", "kg", "build", str(articles), "--store", url],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for line in build.stderr:  # progress lines: the server dies once the first article is written
            if "[1/24]" in line:
                server.send_signal(signal.SIGKILL)
                break
        server.wait(timeout=10)
        out, err = build.communicate(timeout=120)
    finally:
        build.kill()
        server.kill()
    line = _one_line_error(out + err, build.returncode)
    assert url in line and ("refused the connection" in line or "dropped the connection" in line), line
    assert "run the command again" in line

    server, url = _start(["serve", "--location", str(location)])  # the same database, back again
    try:
        per_doc: dict[str, int] = {}
        for r in kg.routes(store=url):  # the copies share their trains (kg.dedup): each route counts per source
            for source in r["sources"]:
                per_doc[source["name"]] = per_doc.get(source["name"], 0) + 1
        assert 1 <= len(per_doc) < 24
        assert set(per_doc.values()) == {6}  # every stored article is complete
        summary = kg.build([articles], store=url)
        assert summary.documents == 24 and summary.unchanged == len(per_doc) and summary.problems == []
        routes = kg.routes(store=url)
        assert len(routes) == 6 and {len(r["sources"]) for r in routes} == {24}
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_writes_to_a_dead_server_raise_store_error(tmp_path):
    server, url = _start(["serve", "--location", str(tmp_path / "db")])
    store = RemoteStore(url)
    server.kill()
    server.wait(timeout=10)
    with pytest.raises(StoreError, match="refused the connection.*run the command again"):
        store.update("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(StoreError, match=f"the SPARQL server at {url} refused the connection"):
        store.query("ASK { }")


@pytest.fixture()
def silent_server():
    """A socket that takes connections (the kernel queues them) but never answers."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen(16)
        yield f"http://127.0.0.1:{s.getsockname()[1]}"


def test_a_server_that_never_answers_times_out(silent_server, runner):
    env = {**os.environ, "KG_TIMEOUT": "1"}
    done = subprocess.run([sys.executable, "-m", "kg", "routes", "--store", silent_server], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=60)
    line = _one_line_error(done.stdout + done.stderr, done.returncode)
    assert "did not answer within 1 s" in line and "KG_TIMEOUT" in line
    result = runner.invoke(app, ["--timeout", "0.5", "places", "--store", silent_server])
    assert "did not answer within 0.5 s" in _one_line_error(result.output, result.exit_code)
    with pytest.raises(StoreError, match="did not answer within 0.2 s"):
        RemoteStore(silent_server, timeout=0.2)


def test_timeout_values(monkeypatch):
    from kg._errors import InputError
    from kg.store import remote_timeout

    monkeypatch.setenv("KG_TIMEOUT", "2.5")
    assert remote_timeout() == 2.5 and remote_timeout(7) == 7
    monkeypatch.setenv("KG_TIMEOUT", "soon")
    with pytest.raises(InputError, match="KG_TIMEOUT='soon'"):
        remote_timeout()
    monkeypatch.delenv("KG_TIMEOUT")
    assert remote_timeout() == 60
    with pytest.raises(InputError, match="positive"):
        remote_timeout(0)
