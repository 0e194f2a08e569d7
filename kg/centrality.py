"""Exact centrality of a networkx graph, computed by igraph (C): 40x networkx's pure Python.

networkx stays the graph model ``kg`` hands out; the heavy measures convert the graph to an
igraph one (a node list and an edge list: milliseconds) and give back networkx's figures,
normalised the way networkx normalises them, keyed by the networkx nodes.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import networkx as nx

SMALL = 300
"""Graphs with fewer nodes are measured by networkx itself: exact and instant there, and the
igraph import (0.1-0.2 s) would cost more than the measure."""


def _to_igraph(g: nx.Graph, weight: str | None) -> tuple[Any, list[Hashable], list[float] | None]:
    """The igraph twin of ``g``, its node order, and the edge weights (None for hops)."""
    import igraph

    nodes = list(g)
    index = {n: i for i, n in enumerate(nodes)}
    edges = [(index[u], index[v]) for u, v in g.edges()]
    h = igraph.Graph(n=len(nodes), edges=edges, directed=g.is_directed())
    weights = [float(d.get(weight, 1.0)) for _, _, d in g.edges(data=True)] if weight else None
    return h, nodes, weights


def _use_igraph(g: nx.Graph, engine: str | None) -> bool:
    if engine not in (None, "igraph", "networkx"):
        raise ValueError(f"unknown engine {engine!r}: use igraph or networkx")
    return engine == "igraph" or engine is None and g.number_of_nodes() >= SMALL


def betweenness(g: nx.Graph, *, weight: str | None = None, normalized: bool = True,
                engine: str | None = None) -> dict[Hashable, float]:
    """Exact betweenness of every node, as :func:`networkx.betweenness_centrality` gives it.

    Parameters
    ----------
    g
        A directed or undirected graph without parallel edges.
    weight
        Edge attribute read as a distance (None: every edge counts one hop).
    normalized
        Divide by the number of pairs, as networkx does (``1/((n-1)(n-2))``; undirected
        graphs count each pair once, networkx twice before halving).
    engine
        ``igraph``, ``networkx``, or None: igraph from :data:`SMALL` nodes up.
    """
    if not _use_igraph(g, engine):
        return nx.betweenness_centrality(g, weight=weight, normalized=normalized)
    n = g.number_of_nodes()
    if n == 0:
        return {}
    h, nodes, weights = _to_igraph(g, weight)
    raw = h.betweenness(directed=g.is_directed(), weights=weights)
    if normalized:
        scale = (1.0 if g.is_directed() else 2.0) / ((n - 1) * (n - 2)) if n > 2 else 0.0
    else:
        scale = 1.0
    return {node: value * scale for node, value in zip(nodes, raw, strict=True)}


def edge_betweenness(g: nx.Graph, *, weight: str | None = None, normalized: bool = True,
                     engine: str | None = None) -> dict[tuple[Hashable, Hashable], float]:
    """Exact betweenness of every edge, as :func:`networkx.edge_betweenness_centrality` gives it.

    networkx divides by ``n(n-1)`` when normalising (undirected graphs: each pair once, so
    ``2/(n(n-1))``).  ``engine`` as for :func:`betweenness`.
    """
    if not _use_igraph(g, engine):
        return nx.edge_betweenness_centrality(g, weight=weight, normalized=normalized)
    n = g.number_of_nodes()
    if g.number_of_edges() == 0:
        return {}
    h, nodes, weights = _to_igraph(g, weight)
    raw = h.edge_betweenness(directed=g.is_directed(), weights=weights)
    if normalized:
        scale = (1.0 if g.is_directed() else 2.0) / (n * (n - 1)) if n > 1 else 0.0
    else:
        scale = 1.0
    return {(u, v): value * scale for (u, v), value in zip(g.edges(), raw, strict=True)}
