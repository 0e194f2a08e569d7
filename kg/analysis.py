"""Network analysis an analyst asks for: what if a crossing closes, and which corridors exist."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from .network import _matches, central, resolve_place, route_network, train_ends


def _od_pairs(g: nx.DiGraph) -> list[tuple[str, str]]:
    """Origin-destination pairs of the reported trains."""
    return sorted({(a, b) for a, b in train_ends(g).values() if a != b})


def _path_km(g: nx.DiGraph, path: list[str]) -> float | None:
    kms = [g.edges[a, b]["km"] for a, b in zip(path, path[1:])]
    return round(sum(kms), 1) if kms and all(k is not None for k in kms) else None


@dataclass
class WhatIf:
    """What closing some places does to the network."""

    removed: list[str]
    lost: list[dict[str, Any]] = field(default_factory=list)
    longer: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0
    centrality_before: list[dict[str, Any]] = field(default_factory=list)
    centrality_after: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"removed": self.removed, "lost": self.lost, "longer": self.longer,
                "unchanged": self.unchanged, "centrality_before": self.centrality_before,
                "centrality_after": self.centrality_after}


def whatif(
    remove: Sequence[str],
    *,
    store: str | Path | None = None,
    graph: nx.DiGraph | None = None,
    top: int = 5,
) -> WhatIf:
    """Close places and see which reported origin-destination pairs lose every route or get longer.

    Parameters
    ----------
    remove
        Place names to close; closing a country closes every place in it.
    graph
        A network from :func:`kg.network.route_network` (read from ``store`` when None).
    top
        How many places to list in the betweenness ranking before and after.
    """
    g = graph if graph is not None else route_network(store=store)
    gone_ids = [resolve_place(g, name) for name in remove]
    gone = {n for n in g for r in gone_ids if _matches(g, n, r)}
    after = g.subgraph([n for n in g if n not in gone]).copy()
    result = WhatIf(removed=[g.nodes[r]["label"] for r in gone_ids])
    for s, t in _od_pairs(g):
        if s in gone or t in gone or not nx.has_path(g, s, t):
            continue
        before = nx.shortest_path(g, s, t)
        label = {"from": g.nodes[s]["label"], "to": g.nodes[t]["label"]}
        if not nx.has_path(after, s, t):
            result.lost.append({**label, "hops_before": len(before) - 1, "path_before": [g.nodes[n]["label"] for n in before]})
            continue
        now = nx.shortest_path(after, s, t)
        if len(now) > len(before) or (_path_km(after, now) or 0) > (_path_km(g, before) or 0) + 1:
            result.longer.append({**label, "hops_before": len(before) - 1, "hops_after": len(now) - 1,
                                  "km_before": _path_km(g, before), "km_after": _path_km(after, now),
                                  "path_after": [g.nodes[n]["label"] for n in now]})
        else:
            result.unchanged += 1
    result.centrality_before = central(metric="betweenness", top=top, graph=g)
    result.centrality_after = central(metric="betweenness", top=top, graph=after)
    return result


def corridors(
    *,
    store: str | Path | None = None,
    graph: nx.DiGraph | None = None,
    seed: int = 42,
) -> list[dict[str, Any]]:
    """Communities of the route network (Louvain), reported as corridors with their main crossings.

    Returns
    -------
    list of dict
        ``places`` (labels), ``countries`` (ISO codes), ``crossings`` (ports, most central first)
        and ``size``, largest corridor first.
    """
    g = graph if graph is not None else route_network(store=store)
    connected = g.subgraph([n for n in g if g.degree(n) > 0])
    if connected.number_of_nodes() == 0:
        return []
    undirected = connected.to_undirected()
    for _, _, d in undirected.edges(data=True):
        d["weight"] = d.get("n_trains", 1)
    groups = nx.community.louvain_communities(undirected, weight="weight", seed=seed)
    between = nx.betweenness_centrality(undirected)
    out = []
    for members in groups:
        nodes = sorted(members, key=lambda n: (-between[n], g.nodes[n]["label"]))
        out.append({
            "size": len(nodes),
            "places": [g.nodes[n]["label"] for n in nodes],
            "countries": sorted({g.nodes[n]["country"] for n in nodes}),
            "crossings": [g.nodes[n]["label"] for n in nodes if g.nodes[n]["type"] == "Port"],
        })
    return sorted(out, key=lambda c: (-c["size"], c["places"]))
