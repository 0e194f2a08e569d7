"""The shipped queries on a synthetic freight graph: rdflib's memory store vs Oxigraph (oxrdflib), one run.

Usage: python benchmarks/bench_store.py [TRAINS]   (default 20,000 trains, about 400k triples)
"""

from __future__ import annotations

import os
import random
import resource
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor, TimeoutError
from pathlib import Path

import pyoxigraph as ox
from rdflib import Dataset

from kg.gazetteer import Gazetteer
from kg.model import Article, Mention, Route
from kg.rdf import PREFIXES, SHARED_GRAPH, article_graph, document_iri, shared_graph
from kg.sparql import named_queries

ROOT = Path(__file__).resolve().parent.parent
TIMEOUT = 60  # seconds an rdflib query may take before the comparison stops


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


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    trains = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    path = synthetic(trains)
    queries = {name: p.read_text(encoding="utf-8") for name, p in named_queries().items()}
    prefixes = {p: str(n) for p, n in PREFIXES.items()}

    t = time.perf_counter()
    mem = Dataset(default_union=True)
    mem.parse(path, format="nquads")
    load_mem = time.perf_counter() - t
    rss_after_mem = rss_mb()
    print(f"rdflib memory: {len(mem):,} quads loaded in {load_mem:.1f} s (max RSS so far {rss_after_mem:.0f} MB)")

    from oxrdflib import OxigraphStore

    folder = Path(tempfile.mkdtemp()) / "ox"
    t = time.perf_counter()
    store = ox.Store(str(folder))
    store.bulk_load(path=str(path), format=ox.RdfFormat.N_QUADS)
    oxds = Dataset(store=OxigraphStore(store=store), default_union=True)
    load_ox = time.perf_counter() - t
    print(f"oxigraph on disk: loaded in {load_ox:.1f} s ({load_mem / load_ox:.1f}x faster)")

    pool = ThreadPoolExecutor(max_workers=1)
    print(f"\n{'query':30} {'rows':>7} {'rdflib s':>9} {'oxigraph s':>11} {'speed-up':>9}")
    for name, text in queries.items():
        t = time.perf_counter()
        n_ox = len(list(oxds.query(text, initNs=prefixes)))
        t_ox = time.perf_counter() - t
        t = time.perf_counter()
        future = pool.submit(lambda q=text: len(list(mem.query(q, initNs=prefixes))))
        try:
            n_mem: int | None = future.result(timeout=TIMEOUT)
            t_mem = time.perf_counter() - t
        except TimeoutError:
            n_mem, t_mem = None, float("inf")
        if n_mem is None:  # rdflib is still working on it: stop measuring rdflib from here on
            print(f"{name:30} {n_ox:7} {'>' + str(TIMEOUT):>9} {t_ox:11.3f} {'>' + f'{TIMEOUT / t_ox:.0f}x':>9}")
            break
        flag = "" if n_mem == n_ox else f"  (row counts differ: {n_mem} vs {n_ox})"
        print(f"{name:30} {n_ox:7} {t_mem:9.3f} {t_ox:11.3f} {t_mem / max(t_ox, 1e-6):8.1f}x{flag}", flush=True)
    os._exit(0)  # an abandoned rdflib query may still be running in its thread


if __name__ == "__main__":
    main()
