"""The route network's answers on a synthetic network (2,000 places, 5,000 trains), against plain networkx in the same run.

Usage: python benchmarks/bench_network.py [PLACES TRAINS] | --store DIR

``--store DIR`` (e.g. the ~1M-quad store ``bench_store.py --keep DIR`` leaves) times reading
the route network of that store instead: its facts from the documents' ``kgo:networkFacts``
literals against the SPARQL read they replace (the baseline, checked equal), the whole
``route_network`` without its cache, the cache load, and a path search on it.

Baselines, on the same collapsed graph with countries as ordinary nodes (what the network cost
before countries became terminals and crossings): the first three ``shortest_simple_paths`` for
path questions, ``degree_centrality``, ``pagerank`` (networkx's pure-Python one) and
``betweenness_centrality`` for the rankings.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from typing import Any

import networkx as nx

from kg.analysis import corridors, whatif
from kg.ask import ask
from kg.network import add_leg, central, find_paths, finish

CODES = ["KZ", "RU", "BY", "PL", "DE", "CN", "UZ", "KG", "MN", "TR"]


def synthetic(places: int = 2000, trains: int = 5000, seed: int = 1) -> nx.DiGraph:
    rnd = random.Random(seed)
    g = nx.DiGraph()
    for c in CODES:
        g.add_node(f"country/{c}", label=f"Land {c}", type="Country", country=c, lat=None, lon=None, aliases=set())
    for i in range(places):
        g.add_node(f"p{i}", label=f"Place {i}", type="Port" if i % 20 == 0 else "City", country=rnd.choice(CODES),
                   lat=rnd.uniform(20, 60), lon=rnd.uniform(0, 120), aliases=set())
    info = {}
    for t in range(trains):
        stops = [f"p{s}" for s in rnd.sample(range(places), rnd.randint(2, 5))]
        if t % 10 == 0:  # one train in ten ends "in a country"
            stops[-1] = f"country/{rnd.choice(CODES)}"
        for a, b in zip(stops, stops[1:], strict=False):
            add_leg(g, a, b, train=f"t{t}", document=f"d{t % 1000}.txt", sentence="A train ran.",
                    crosses=[f"country/{rnd.choice(CODES)}"] if rnd.random() < 0.5 else [])
        info[f"t{t}"] = {"document": f"d{t % 1000}.txt", "origin": stops[0], "destinations": [stops[-1]],
                         "via": stops[1:-1], "cargo": [], "status": "reported", "date": None, "published": None,
                         "containers": None}
    g.graph["trains"] = info
    return finish(g)


def timed(f: Callable[[], Any], runs: int = 3) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t0)
    return best


def read_store(store: str) -> None:
    """Reading the network of a store: literals vs SPARQL, whole read, cache, one path search."""
    import gc
    import tempfile

    from kg import network, settings
    from kg.store import open_store

    settings.cache_dir = tempfile.mkdtemp(prefix="kg-bench-cache-")
    with open_store(store, read_only=True) as st, network._gc_paused():  # as route_network reads them
        sparql = timed(lambda: network._facts_from_sparql(st), runs=1)
        literals = timed(lambda: network._facts_from_literals(st))
        same = network._facts_from_literals(st).normal() == network._facts_from_sparql(st).normal()
    whole = timed(lambda: network.route_network(store=store, cache=False))
    network.route_network(store=store)
    cached = timed(lambda: network.route_network(store=store))
    g = network.route_network(store=store)
    a, b, _ = max(g.edges(data=True), key=lambda e: (e[2]["n_trains"], e[0], e[1]))
    names = g.nodes[a]["label"], g.nodes[b]["label"]
    path = timed(lambda: find_paths(*names, graph=g))
    gc.disable()
    path_nogc = timed(lambda: find_paths(*names, graph=g))
    gc.enable()
    print(f"{g.number_of_nodes()} places, {g.number_of_edges()} legs, {len(g.graph['trains'])} trains")
    print(f"{'network facts with SPARQL (baseline)':44} {sparql:8.2f} s {1.0:8.2f}x")
    print(f"{'network facts from kgo:networkFacts':44} {literals:8.2f} s {literals / sparql:8.3f}x  "
          f"(equal: {same})")
    print(f"{'route_network(cache=False), whole':44} {whole:8.2f} s {whole / sparql:8.3f}x")
    print(f"{'route_network, cached':44} {cached:8.2f} s {cached / sparql:8.3f}x")
    print(f"{'find_paths ' + ' -> '.join(names):44} {path:8.2f} s  ({path_nogc:.2f} s with the collector off)")


def main() -> None:
    if sys.argv[1:2] == ["--store"]:
        read_store(sys.argv[2])
        return
    places, trains = (int(a) for a in (sys.argv[1:3] if len(sys.argv) > 2 else (2000, 5000)))
    g = synthetic(places, trains)
    print(f"{g.number_of_nodes()} places, {g.number_of_edges()} legs, {trains} trains")
    from itertools import islice

    from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

    k3 = timed(lambda: list(islice(nx.shortest_simple_paths(g, "p1", "p2"), 3)) if nx.has_path(g, "p1", "p2") else [])
    degree = timed(lambda: nx.degree_centrality(g))
    rank = timed(lambda: _pagerank_python(g))
    between = timed(lambda: nx.betweenness_centrality(g), runs=1)
    rows = [
        ("kg path A B -k 3", timed(lambda: find_paths("Place 1", "Place 2", k=3, graph=g)), k3),
        ("kg path COUNTRY COUNTRY -k 3", timed(lambda: find_paths("Land CN", "Land DE", k=3, graph=g)), k3),
        ("kg central --metric degree", timed(lambda: central(metric="degree", graph=g)), degree),
        ("kg central --metric pagerank", timed(lambda: central(metric="pagerank", graph=g)), rank),
        ("kg ask 'what goes through X?'", timed(lambda: ask("what goes through Place 20?", graph=g)), k3),
        ("kg corridors", timed(lambda: corridors(graph=g), runs=1), between),
        ("kg central (betweenness)", timed(lambda: central(graph=g), runs=1), between),
        ("kg whatif --remove X", timed(lambda: whatif(["Place 20"], graph=g), runs=1), 2 * between),
    ]
    print(f"baselines: 3 simple paths {k3 * 1000:.1f} ms, degree {degree * 1000:.1f} ms, "
          f"pagerank {rank * 1000:.0f} ms, betweenness {between:.1f} s (what-if: twice that)")
    for name, secs, floor in rows:
        print(f"{name:34} {secs:8.3f} s  {secs / floor:8.2f}x baseline")


if __name__ == "__main__":
    main()
