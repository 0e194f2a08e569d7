"""The path search graph is built in bulk, yet node for node and edge for edge the graph it was."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from kg.network import (
    _leg_cost,
    _variants,
    add_leg,
    find_paths,
    finish,
    leg_variant,
    resolve_where,
    search_graph,
)


def _reference(g: nx.DiGraph, avoid=()) -> nx.DiGraph:
    """The search graph as it was built before, one add_node/add_edge at a time."""
    h = nx.DiGraph()

    def end(node, side):
        return (side, node) if g.nodes[node]["type"] == "Country" else node

    for a, b, d in g.edges(data=True):
        if any(w.matches(g, a) or w.matches(g, b) for w in avoid):
            continue
        for crossing, trains in _variants(d).items():
            if any(w.crossed_by(g, crossing) for w in avoid):
                continue
            evidence = [e for e in d["evidence"] if e["train"] in trains] or d["evidence"]
            documents = {e["document"] for e in evidence}
            leg = ("leg", a, b, crossing)
            cost = _leg_cost(d.get("km"), len(documents))
            h.add_node(leg, leg=(a, b), crossing=crossing, trains=set(trains), evidence=evidence,
                       km=d.get("km"))
            h.add_edge(end(a, "out"), leg, **cost)
            h.add_edge(leg, end(b, "in"), **cost)
    for n in g:
        if g.nodes[n]["type"] != "Country" and n not in h:
            h.add_node(n)
    return h


def _synthetic(seed: int = 3) -> nx.DiGraph:
    """Places, two countries as terminals, legs with and without crossings, several trains and articles."""
    rnd = random.Random(seed)
    g = nx.DiGraph()
    for c in ("KZ", "PL"):
        g.add_node(f"country/{c}", label=f"Land {c}", type="Country", country=c, lat=None, lon=None,
                   aliases=set())
    for i in range(40):
        g.add_node(f"p{i}", label=f"Place {i}", type="Port" if i % 5 == 0 else "City",
                   country=rnd.choice(["KZ", "PL", "CN"]), lat=rnd.uniform(30, 55),
                   lon=rnd.uniform(10, 120), aliases=set())
    for t in range(300):
        stops = [f"p{s}" for s in rnd.sample(range(40), rnd.randint(2, 4))]
        if t % 7 == 0:
            stops[-1] = rnd.choice(["country/KZ", "country/PL"])
        for a, b in zip(stops, stops[1:], strict=False):
            add_leg(g, a, b, train=f"t{t}", document=f"d{t % 23}.txt", sentence=f"Sentence {t % 5}.",
                    crosses=rnd.choice([[], ["country/KZ"], ["country/PL", "country/KZ"]]))
    return finish(g)


def _assert_same(h: nx.DiGraph, ref: nx.DiGraph, g: nx.DiGraph) -> None:
    assert list(h.nodes) == list(ref.nodes)
    for n in ref:
        assert list(h.succ[n].items()) == list(ref.succ[n].items()), n
        assert list(h.pred[n]) == list(ref.pred[n]), n
        if isinstance(n, tuple) and n[0] == "leg":
            assert leg_variant(g, n) == ref.nodes[n], n


@pytest.mark.parametrize("avoid", [[], ["Place 3"], ["KZ"]], ids=["all", "a-place", "a-country"])
def test_search_graph_equals_the_one_built_edge_by_edge(avoid):
    g = _synthetic()
    where = [resolve_where(g, a) for a in avoid]
    h, ref = search_graph(g, avoid=where), _reference(g, where)
    assert h.number_of_nodes() > 100
    _assert_same(h, ref, g)


def test_search_graph_of_the_seeds_equals_the_one_built_edge_by_edge(seed_network):
    _assert_same(search_graph(seed_network), _reference(seed_network), seed_network)


@pytest.mark.parametrize("weight", ["hops", "km", "evidence"])
def test_a_search_graph_for_one_weight_has_its_costs(weight):
    g = _synthetic()
    h, ref = search_graph(g, weights=(weight,)), _reference(g)
    assert list(h.nodes) == list(ref.nodes)
    expected = [(u, v, {weight: d[weight]}) for u, v, d in ref.edges(data=True)]
    assert list(h.edges(data=True)) == expected


def test_paths_with_alternatives_come_from_the_bulk_graph():
    """Yen's alternatives over the bulk-built graph name each leg's own trains and sentences."""
    g = _synthetic()
    answers = find_paths("Place 1", "Place 2", graph=g, k=4, weight="evidence")
    assert answers
    for a in answers:
        for leg in a.legs:
            assert leg.trains and all(e["train"] in leg.trains for e in leg.evidence)
