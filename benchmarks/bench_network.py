"""The route network's answers on a synthetic network (2,000 places, 5,000 trains), against plain networkx in the same run.

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


def main() -> None:
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
