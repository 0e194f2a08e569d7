"""The store at ~1M quads: `kg import`, then every shipped query p50 in-process, in one run.

Usage: python benchmarks/bench_store.py [TRAINS] [--nq FILE] [--keep DIR] [--skip-slow] [--before]

TRAINS trains (default 20,000: 1,000 articles, ~984k quads) over the curated ports are written
as N-Quads (or ``--nq FILE`` reuses such a file).  Import: ``kg import`` (bulk path) against the
graph-by-graph import it replaced (``--skip-slow`` leaves that one out) and against a bare
``pyoxigraph.Store.bulk_load`` of the same file (the anchor).  Queries: p50 of 5 runs through
kg's store (``GraphStore.query``, rows read as rdflib terms), unbound and bound as each query's
header suggests.  Each is set beside its floor: the p50 of reading as many rows (three terms each) from
one triple pattern, ``SELECT * { ?s ?p ?o } LIMIT rows``, which no query returning those rows can beat;
``--before`` also runs the original texts (tests/data/queries_before) once,
each in a subprocess cut off at 60 s.  ``--keep DIR`` leaves the imported store there (for
``bench_startup.py DIR``).
"""

from __future__ import annotations

import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pyoxigraph as ox

from kg.exchange import import_file
from kg.gazetteer import Gazetteer
from kg.model import Article, Mention, Route
from kg.rdf import SHARED_GRAPH, article_graph, document_iri, shared_graph
from kg.sparql import named_queries, to_term
from kg.store import open_store

ROOT = Path(__file__).resolve().parent.parent
BEFORE = ROOT / "tests" / "data" / "queries_before"


def synthetic(trains: int, seed: int = 7) -> Path:
    """N-Quads of `trains` trains spread over articles of 20 trains each, over curated places."""
    rnd = random.Random(seed)
    gz = Gazetteer(cities=False)
    places = sorted({p for _, entries in gz._index.items() for _, p in entries if p.type == "Port"}, key=lambda p: p.key)
    countries = list(gz.countries.values())[:60]
    out = Path(tempfile.mkdtemp()) / "synthetic.nq"
    with open(out, "w", encoding="utf-8") as fh:
        for a in range(trains // 20):
            art = Article(name=f"a{a:06}.txt", text=f"Article {a}.", sha256="0" * 64)
            for _ in range(20):
                o, d = rnd.sample(places, 2)
                via = rnd.sample(countries, 3)
                art.routes.append(Route(o, d, via, [rnd.choice(["auto parts", "electronics", "timber"])],
                                        "A train left.", ["A train left."], containers=rnd.randint(20, 110)))
            art.mentions = [Mention(p, p.label, 0, 1, 0) for r in art.routes for p in (r.origin, r.destination, *r.via)]
            name = document_iri(art)
            for graph, gname in ((article_graph(art, version="bench"), name),
                                 (shared_graph(art, countries=gz.countries), SHARED_GRAPH)):
                for s, p, o in graph:
                    fh.write(f"{s.n3()} {p.n3()} {o.n3()} {gname.n3()} .\n")
    return out


def _seconds(f) -> float:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    f()
    return time.perf_counter() - t


def _bindings(store: str) -> dict[str, list[dict[str, str]]]:
    """Bindings each query's header suggests, with names that exist in this store."""
    with open_store(store, read_only=True) as st:
        port = str(next(iter(st.query("SELECT ?l WHERE { ?p a kgo:Port ; skos:prefLabel ?l } ORDER BY ?l LIMIT 1")))[0])
        a, b = (str(x) for x in next(iter(st.query(
            "SELECT ?a ?b WHERE { ?leg a kgo:Leg ; kgo:fromPlace/skos:prefLabel ?a ; kgo:toPlace/skos:prefLabel ?b } "
            "LIMIT 1"))))
        c1, c2 = (str(x) for x in next(iter(st.query(
            "SELECT ?a ?b WHERE { ?t kgo:transit ?s1, ?s2 . ?s1 kgo:sequence 1 ; kgo:place/skos:prefLabel ?a . "
            "?s2 kgo:sequence 2 ; kgo:place/skos:prefLabel ?b } LIMIT 1"))))
    return {
        "routes_from": [{"place": port.lower()}], "trains_through": [{"place": c1}],
        "transit_order": [{"first": c1, "second": c2}], "route_evidence": [{"a": a, "b": b}],
        "cargo_by_destination_country": [{"country": "KZ"}], "countries_crossed": [{"country": c1}],
        "places_in_country": [{"country": "kz"}], "busiest_transit_points": [{"type": "Country"}],
        "routes_by_year": [{"year": "2020"}],
    }


def _floor(store: str, rows: int) -> float:
    """p50 of reading `rows` rows of three terms from one triple pattern: what any answer that long costs."""
    return _p50(store, f"SELECT ?s ?p ?o WHERE {{ ?s ?p ?o }} LIMIT {rows}", {})[1] if rows else 0.0


def _p50(store: str, text: str, bindings: dict[str, str], runs: int = 5) -> tuple[int, float]:
    terms = {k: to_term(v) for k, v in bindings.items()}
    times, rows = [], 0
    with open_store(store, read_only=True) as st:
        for _ in range(runs):
            t = time.perf_counter()
            rows = sum(1 for _ in st.query(text, terms))
            times.append(time.perf_counter() - t)
    return rows, statistics.median(times)


_ONCE = """
import sys, time
from kg.sparql import to_term
from kg.store import open_store
text = open(sys.argv[2], encoding="utf-8").read()
terms = {k: to_term(v) for k, v in (a.split("=", 1) for a in sys.argv[3:])}
with open_store(sys.argv[1], read_only=True) as st:
    t = time.perf_counter(); n = sum(1 for _ in st.query(text, terms)); print(n, time.perf_counter() - t)
"""


def _before(store: str, name: str, bindings: dict[str, str]) -> str:
    args = [sys.executable, "-c", _ONCE, store, str(BEFORE / f"{name}.rq"), *(f"{k}={v}" for k, v in bindings.items())]
    try:
        out = subprocess.run(args, capture_output=True, text=True, timeout=60, check=True).stdout.split()
        return f"{float(out[1]) * 1000:10.0f}"
    except subprocess.TimeoutExpired:
        return f"{'>60000':>10}"


def main() -> None:
    args = sys.argv[1:]
    flags = {a for a in args if a in ("--skip-slow", "--before")}
    opts = {args[i]: args[i + 1] for i in range(len(args) - 1) if args[i] in ("--nq", "--keep")}
    plain = [a for i, a in enumerate(args) if not a.startswith("--") and (i == 0 or args[i - 1] not in opts)]
    trains = int(plain[0]) if plain else 20_000
    path = Path(opts["--nq"]) if "--nq" in opts else synthetic(trains)
    work = Path(tempfile.mkdtemp())

    anchor = _seconds(lambda: ox.Store(str(work / "bare")).bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS))
    shutil.rmtree(work / "bare")
    store = str(work / "store")
    fast = _seconds(lambda: import_file(path, store=store))
    quads = len(ox.Store.read_only(store))
    print(f"{quads:,} quads in {path.stat().st_size / 1e6:.0f} MB of N-Quads")
    print(f"{'import':44} {'s':>8} {'x bulk_load':>12}")
    print(f"{'pyoxigraph bulk_load (anchor)':44} {anchor:8.1f} {1.0:12.2f}")
    print(f"{'kg import (bulk path)':44} {fast:8.1f} {fast / anchor:12.2f}")
    if "--skip-slow" not in flags:
        slow = _seconds(lambda: import_file(path, store=work / "slow", bulk=False))
        shutil.rmtree(work / "slow")
        print(f"{'kg import graph by graph (before)':44} {slow:8.1f} {slow / anchor:12.2f}"
              f"   -> bulk path {slow / fast:.1f}x faster")

    examples = _bindings(store)
    head = f"\n{'query':30} {'bindings':36} {'rows':>7} {'p50 ms':>8} {'floor ms':>9} {'x floor':>8}"
    print(head + (f" {'before ms':>10}" if "--before" in flags else ""))
    slowest, over = 0.0, []
    for name, file in named_queries().items():
        text = file.read_text(encoding="utf-8")
        for bindings in [{}, *examples.get(name, [])]:
            rows, p50 = _p50(store, text, bindings)
            slowest = max(slowest, p50)
            floor = _floor(store, rows)
            shown = ", ".join(f"{k}={v}" for k, v in bindings.items()) or "(none)"
            ratio = p50 / floor if floor else 0.0
            line = f"{name:30} {shown[:36]:36} {rows:7} {p50 * 1000:8.1f} {floor * 1000:9.1f} {ratio:8.1f}"
            if p50 > 0.1:
                over.append(f"{name} {shown} ({rows:,} rows: floor {floor * 1000:.0f} ms)")
            if "--before" in flags:
                line += " " + _before(store, name, bindings)
            print(line, flush=True)
    print(f"slowest p50: {slowest * 1000:.0f} ms (target 100 ms)")
    for line in over:
        print(f"  over 100 ms: {line}")
    if "--keep" in opts:
        shutil.rmtree(opts["--keep"], ignore_errors=True)
        shutil.move(store, opts["--keep"])
        print(f"store kept at {opts['--keep']}")


if __name__ == "__main__":
    main()
