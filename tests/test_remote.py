"""Remote mode: the same commands against a real Oxigraph server started by the test."""

import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from conftest import SEEDS

import kg
from kg.cli import app
from kg.store import bind_values

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
