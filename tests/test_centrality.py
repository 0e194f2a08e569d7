"""igraph's betweenness, handed back as networkx's figures (the engine behind kg central and whatif)."""

import random

import networkx as nx
import pytest

from kg.centrality import betweenness, edge_betweenness


def _graph(directed: bool) -> nx.Graph:
    g = nx.gnp_random_graph(60, 0.08, seed=3, directed=directed)
    # node ids of both kinds the place graph uses: str and tuple
    g = nx.relabel_nodes(g, {n: (f"p{n}" if n % 3 else ("out", "country", n)) for n in g})
    rnd = random.Random(5)
    for _, _, d in g.edges(data=True):
        d["distance"] = rnd.choice([0.25, 0.5, 1.0, 2.0])  # exact in binary: no float ties to break apart
    return g


@pytest.mark.parametrize("directed", [True, False])
@pytest.mark.parametrize("weight", [None, "distance"])
def test_betweenness_equals_networkx(directed, weight):
    g = _graph(directed)
    want = nx.betweenness_centrality(g, weight=weight)
    got = betweenness(g, weight=weight, engine="igraph")
    assert got.keys() == want.keys()
    assert max(abs(got[n] - want[n]) for n in want) < 1e-12
    assert max(want.values()) > 0, "the graph must have paths through nodes"
    raw = nx.betweenness_centrality(g, weight=weight, normalized=False)
    unscaled = betweenness(g, weight=weight, normalized=False, engine="igraph")
    assert max(abs(unscaled[n] - raw[n]) for n in raw) < 1e-9


@pytest.mark.parametrize("directed", [True, False])
@pytest.mark.parametrize("weight", [None, "distance"])
def test_edge_betweenness_equals_networkx(directed, weight):
    g = _graph(directed)
    want = nx.edge_betweenness_centrality(g, weight=weight)
    got = edge_betweenness(g, weight=weight, engine="igraph")
    assert got.keys() == want.keys()
    assert max(abs(got[e] - want[e]) for e in want) < 1e-12


def test_tiny_and_empty_graphs():
    assert betweenness(nx.DiGraph(), engine="igraph") == {}
    assert betweenness(nx.path_graph(2), engine="igraph") == {0: 0.0, 1: 0.0}
    assert edge_betweenness(nx.empty_graph(3), engine="igraph") == {}


def test_small_graphs_stay_on_networkx_and_large_ones_go_to_igraph(monkeypatch):
    import sys

    g = nx.path_graph(5, create_using=nx.DiGraph)
    assert betweenness(g) == nx.betweenness_centrality(g)
    big = nx.gnp_random_graph(400, 0.01, seed=1, directed=True)
    want = nx.betweenness_centrality(big)
    got = betweenness(big)
    assert max(abs(got[n] - want[n]) for n in want) < 1e-12
    assert "igraph" in sys.modules
