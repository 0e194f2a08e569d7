"""RDF done right: shapes, export/import round trip, the SPARQL endpoint, and crash safety."""

import json
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request

import pytest
from conftest import ROOT, SEEDS
from rdflib import Dataset, Graph
from rdflib.compare import to_isomorphic

import kg
from kg.cli import app
from kg.exchange import export, import_file
from kg.validate import validate, validate_graph


def test_seed_graph_conforms(seed_store):
    assert validate(store=seed_store) == []


def test_shapes_catch_broken_data():
    bad = Graph().parse(data="""
        @prefix kgo: <https://w3id.org/freight-kg/ontology#> .
        @prefix kgr: <https://w3id.org/freight-kg/id/> .
        kgr:t1 a kgo:Train ; kgo:transit kgr:s1, kgr:s2 .
        kgr:s1 a kgo:TransitStop ; kgo:place <https://w3id.org/freight-kg/id/country/KZ> ; kgo:sequence 1 .
        kgr:s2 a kgo:TransitStop ; kgo:place <https://w3id.org/freight-kg/id/country/UZ> ; kgo:sequence 3 .
        <https://w3id.org/freight-kg/id/country/KZ> a kgo:Country ; kgo:countryCode "KZ" ; <http://www.w3.org/2000/01/rdf-schema#label> "Kazakhstan" .
        <https://w3id.org/freight-kg/id/country/UZ> a kgo:Country ; kgo:countryCode "UZ" ; <http://www.w3.org/2000/01/rdf-schema#label> "Uzbekistan" .
        kgr:p1 a kgo:City ; <http://www.w3.org/2000/01/rdf-schema#label> "Nowhere" ; kgo:countryCode "kz" .
    """, format="turtle")
    lines = [v.line() for v in validate_graph(bad)]
    text = "\n".join(lines)
    assert "kgr:t1" in text and "kgo:evidenceSentence" in text  # no evidence
    assert "kgo:sourceDocument" in text
    assert "transit stops are not numbered 1..n" in text
    assert "kgr:p1 kgo:locatedIn" in text and "kgr:p1 kgo:countryCode" in text


def test_validate_command(runner, seed_store):
    result = runner.invoke(app, ["validate", "--store", seed_store])
    assert result.exit_code == 0 and "conforms" in result.output


@pytest.mark.parametrize("fmt", ["nquads", "trig"])
def test_export_import_round_trip_keeps_named_graphs(seed_store, tmp_path, fmt):
    data = export(fmt=fmt, store=seed_store)
    path = tmp_path / f"g.{ {'nquads': 'nq', 'trig': 'trig'}[fmt] }"
    path.write_bytes(data)
    copy = tmp_path / "copy"
    counts = import_file(path, store=copy)
    assert len(counts) == 7  # 5 article graphs, the shared graph and the summary (computed again)
    a, b = Dataset(), Dataset()
    a.parse(data=export(fmt="nquads", store=seed_store).decode(), format="nquads")
    b.parse(data=export(fmt="nquads", store=copy).decode(), format="nquads")
    names = {g.identifier for g in a.graphs() if len(g)}
    assert names == {g.identifier for g in b.graphs() if len(g)}
    for name in names:
        assert to_isomorphic(a.graph(name)) == to_isomorphic(b.graph(name))
    assert kg.routes(store=copy) == kg.routes(store=seed_store)


@pytest.mark.parametrize("fmt", ["turtle", "nt", "jsonld"])
def test_triple_formats_export_the_union(seed_store, fmt):
    g = Graph().parse(data=export(fmt=fmt, store=seed_store).decode(),
                      format={"turtle": "turtle", "nt": "nt", "jsonld": "json-ld"}[fmt])
    if fmt == "jsonld":
        g = Dataset().parse(data=export(fmt=fmt, store=seed_store).decode(), format="json-ld")
    n = kg.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o } }",
                 store=seed_store).rows[0][0]
    assert len(g) == n


def test_import_bad_file_writes_nothing(runner, tmp_path, seed_store):
    bad = tmp_path / "bad.ttl"
    bad.write_text("@prefix x: <http://x/> . x:a x:b", encoding="utf-8")
    result = runner.invoke(app, ["import", str(bad), "--store", str(tmp_path / "s")])
    assert result.exit_code == 2 and "bad.ttl" in result.output and "not valid turtle" in result.output


def test_sparql_endpoint_over_http(seed_store):
    from kg.serve import serve_in_thread

    server = serve_in_thread(seed_store)
    base = f"http://127.0.0.1:{server.server_address[1]}/query"
    try:
        q = "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a kgo:Train }"
        with urllib.request.urlopen(base + "?" + urllib.parse.urlencode({"query": q})) as r:
            assert r.headers["Content-Type"].startswith("application/sparql-results+json")
            n = int(json.load(r)["results"]["bindings"][0]["n"]["value"])
        assert n == len({r["train"] for r in kg.routes(store=seed_store)})  # one per train, not per route
        req = urllib.request.Request(base, data=b"ASK { ?p kgo:countryCode \"KZ\" }",
                                     headers={"Content-Type": "application/sparql-query"})
        with urllib.request.urlopen(req) as r:
            assert json.load(r)["boolean"] is True
        upd = urllib.request.Request(base, data=urllib.parse.urlencode({"query": "DELETE WHERE { ?s ?p ?o }"}).encode())
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(upd)
        assert err.value.code == 400
    finally:
        server.shutdown()
    assert kg.routes(store=seed_store)


def test_store_survives_a_build_killed_midway(tmp_path):
    """Kill `kg build` while it writes; the store opens, holds whole articles only, and a rebuild completes it."""
    articles = tmp_path / "articles"
    articles.mkdir()
    text = (SEEDS / "000_7718559c6c7be466.txt").read_text(encoding="utf-8")
    for i in range(40):
        (articles / f"a{i:02}.txt").write_text(text + f"\n\nCopy {i}.", encoding="utf-8")
    store = tmp_path / "store"
    proc = subprocess.Popen([sys.executable, "-m", "kg", "build", str(articles), "--store", str(store)],
                            cwd=ROOT, stderr=subprocess.PIPE, text=True)
    for line in proc.stderr:  # progress lines: kill after a few articles were written
        if "[5/40]" in line:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait(timeout=60)
    time.sleep(0.2)
    routes = kg.routes(store=store)
    per_doc = {}
    for r in routes:  # the copies share their trains (kg.dedup): count each route for every source
        for source in r["sources"]:
            per_doc.setdefault(source["name"], 0)
            per_doc[source["name"]] += 1
    assert 5 <= len(per_doc) < 40
    assert set(per_doc.values()) == {6}  # every stored article is complete
    summary = kg.build([articles], store=store)
    assert summary.documents == 40 and summary.unchanged == len(per_doc)
