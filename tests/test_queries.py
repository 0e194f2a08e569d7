"""The shipped queries: they run on any SPARQL endpoint, and the fast versions answer as the old ones did."""

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest
from conftest import ROOT

import kg
from kg.exchange import export
from kg.sparql import named_queries

OXIGRAPH = shutil.which("oxigraph") or str(Path(sys.executable).parent / "oxigraph")
BEFORE = ROOT / "tests" / "data" / "queries_before"
NAMES = sorted(named_queries())


def _rows(table: kg.sparql.Table) -> list[tuple]:
    """Rows as sorted tuples of strings (the comparison ignores row order among ties).

    A train's ``destinations`` are compared as a set: the old queries joined them in whatever
    order Oxigraph's joins gave, the new ones read them sorted from the summary graph.
    """
    def cell(column: str, v: object) -> str:
        text = "" if v is None else str(v)
        return ", ".join(sorted(text.split(", "))) if column == "destinations" else text

    return sorted(tuple(cell(c, v) for c, v in zip(table.columns, r)) for r in table.rows)


@pytest.fixture(scope="module")
def bare(seed_store) -> ox.Store:
    """The seed export in a plain in-memory Oxigraph store: no prefixes, no kg code in the way."""
    store = ox.Store()
    store.load(export(fmt="nquads", store=seed_store), format=ox.RdfFormat.N_QUADS)
    return store


@pytest.mark.parametrize("name", NAMES)
def test_query_declares_its_prefixes_and_runs_on_a_bare_store(bare, seed_store, name):
    text = named_queries()[name].read_text(encoding="utf-8")
    # no prefixes given: the file must declare them
    solutions = bare.query(text, use_default_graph_as_union=True)
    rows = [[s[v] for v in solutions.variables] for s in solutions]
    assert len(rows) == len(kg.query(name, store=seed_store).rows)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def endpoint(seed_store, tmp_path_factory):
    """``oxigraph serve`` loaded with the seed export (N-Quads), union default graph."""
    if not Path(OXIGRAPH).exists():
        pytest.fail("the oxigraph server binary is missing: pip install -e '.[test]' installs it")
    folder = tmp_path_factory.mktemp("endpoint")
    dump = folder / "seed.nq"
    dump.write_bytes(export(fmt="nquads", store=seed_store))
    subprocess.run([OXIGRAPH, "load", "--location", str(folder / "db"), "--file", str(dump)], check=True,
                   capture_output=True)
    port = _free_port()
    proc = subprocess.Popen([OXIGRAPH, "serve-read-only", "--location", str(folder / "db"), "--bind",
                             f"127.0.0.1:{port}", "--union-default-graph"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/query"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "?query=ASK%7B%7D", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        proc.kill()
        pytest.fail("oxigraph server did not start")
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.mark.parametrize("name", NAMES)
def test_query_runs_on_oxigraph_serve(endpoint, seed_store, name):
    text = named_queries()[name].read_text(encoding="utf-8")
    request = urllib.request.Request(endpoint, data=urllib.parse.urlencode({"query": text}).encode(),
                                     headers={"Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(request, timeout=30) as answer:
        body = json.load(answer)
    assert len(body["results"]["bindings"]) == len(kg.query(name, store=seed_store).rows)


# (query, bindings) pairs: each shipped query unbound, and bound the way its header says
BOUND = [
    ("routes_from", {"place": "zhengzhou"}), ("trains_through", {"place": "Kazakhstan"}),
    ("trains_through", {"place": "Horgos"}),
    ("transit_order", {"first": "Kazakhstan", "second": "Uzbekistan"}),
    ("route_evidence", {"a": "Nantong", "b": "Hairatan"}), ("route_evidence", {"a": "hairatan", "b": "NANTONG"}),
    ("cargo_by_destination_country", {"country": "KZ"}),
    ("countries_crossed", {"country": "Kazakhstan"}), ("places_in_country", {"country": "kz"}),
    ("busiest_transit_points", {"type": "Country"}), ("routes_by_year", {"year": "2020"}),
]


REWRITTEN = [n for n in NAMES if (BEFORE / f"{n}.rq").exists()]  # queries added since have no old version


@pytest.mark.parametrize(("name", "bindings"), [(n, {}) for n in REWRITTEN] + BOUND)
def test_query_answers_as_before(seed_store, name, bindings):
    """Rewritten for speed at a million triples, each query gives the rows the original gave."""
    old = kg.query(str(BEFORE / f"{name}.rq"), store=seed_store, bindings=bindings)
    new = kg.query(name, store=seed_store, bindings=bindings)
    assert new.columns == old.columns
    assert _rows(new) == _rows(old)
    if name not in ("route_evidence", "transit_order") or bindings:
        assert old.rows, "the comparison needs rows to compare"


def test_documents_counts_each_articles_trains(seed_store):
    """documents.rq (changed on purpose: it gained title/publisher/source, and counted sentences as trains)."""
    rows = {str(r[0]): int(r[5]) for r in kg.query("documents", store=seed_store).rows}
    counted = kg.query("""PREFIX kgo: <https://w3id.org/freight-kg/ontology#>
        SELECT ?name (COUNT(DISTINCT ?t) AS ?n) WHERE { ?d kgo:fileName ?name . ?t a kgo:Train ; kgo:sourceDocument ?d }
        GROUP BY ?name""", store=seed_store).rows
    assert rows and {str(n): int(c) for n, c in counted} == {k: v for k, v in rows.items() if v}
