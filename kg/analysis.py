"""Network analysis an analyst asks for: what if a crossing closes, and which corridors exist.

Both run on the route network of :mod:`kg.network`, where no route passes through a country:
closing a country closes its cities and ports and every leg that crosses it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from .centrality import betweenness
from .network import (
    Where,
    _place_of,
    central,
    country_code,
    finish,
    label,
    place_graph,
    resolve_where,
    route_network,
    train_runs,
)


def od_pairs(g: nx.DiGraph) -> dict[tuple[str, str], set[str]]:
    """Origin-destination pairs of the reported trains (one per destination), with their trains."""
    pairs: dict[tuple[str, str], set[str]] = {}
    trains = g.graph.get("trains")
    if trains:
        for t, info in trains.items():
            if info["status"] == "planned" or not info["origin"] or info["origin"] not in g:
                continue
            for d in info["destinations"]:
                if d != info["origin"] and d in g:
                    pairs.setdefault((info["origin"], d), set()).add(t)
    else:
        for t, (a, ends) in train_runs(g).items():
            for b in ends:
                pairs.setdefault((a, b), set()).add(t)
    return dict(sorted(pairs.items()))


def close(g: nx.DiGraph, places: Sequence[Where]) -> nx.DiGraph:
    """A copy of the network without the closed places and without the legs crossing a closed country."""
    keep = [n for n in g if not any(w.matches(g, n) for w in places)]
    out = g.subgraph(keep).copy()
    for a, b, d in list(out.edges(data=True)):
        variants = {c: ts for c, ts in d["crossings"].items() if not any(w.crossed_by(g, c) for w in places)} \
            if "crossings" in d else None
        if variants is None:
            continue
        if not variants:
            out.remove_edge(a, b)
            continue
        trains = set().union(*variants.values())
        d.update(crossings=variants, trains=trains,
                 evidence=[e for e in d["evidence"] if e["train"] in trains])
        d["documents"] = {e["document"] for e in d["evidence"]}
    return finish(out)


def _ends(g: nx.DiGraph, p: nx.DiGraph, node: str, side: str) -> set[Any]:
    """Nodes of a place graph standing for ``node`` as a start (``out``) or an end (``in``).

    A country terminal stands for its copies on that side and for the places inside it.
    """
    if node not in g:
        return set()
    if g.nodes[node]["type"] != "Country":
        return {node} if node in p else set()
    code = g.nodes[node]["country"]
    return {n for n in p if (isinstance(n, str) and g.nodes[n]["country"] == code)
            or (isinstance(n, tuple) and n[0] == side and n[1] == node)}


class _Router:
    """Fewest-legs paths on a place graph, one search per origin (cached)."""

    def __init__(self, g: nx.DiGraph) -> None:
        self.g, self.p = g, place_graph(g)
        self._paths: dict[str, dict[Any, list[Any]]] = {}

    def path(self, s: str, t: str) -> list[str] | None:
        """Places of the fewest-legs path from ``s`` to ``t`` (never through a country), or None."""
        if s not in self._paths:
            sources = _ends(self.g, self.p, s, "out")
            self._paths[s] = nx.multi_source_dijkstra_path(self.p, sources, weight=lambda u, v, d: 1) \
                if sources else {}
        found = [self._paths[s][n] for n in _ends(self.g, self.p, t, "in") if n in self._paths[s]]
        if not found:
            return None
        best = min(found, key=lambda path: (len(path), [str(x) for x in path]))
        return [_place_of(n) for n in best]  # type: ignore[misc]


def _touched(g: nx.DiGraph, gone: Sequence[Where]) -> set[Any]:
    """Place-graph nodes that can reach, or be reached from, a closed place or a leg crossing a closed country."""
    p = place_graph(g)
    seeds: set[Any] = {n for n in p if _place_of(n) is not None and any(w.matches(g, _place_of(n)) for w in gone)}
    for a, b, d in g.edges(data=True):
        if any(w.crossed_by(g, c) for w in gone for c in d.get("crossings", {})):
            seeds |= {n for n in p if _place_of(n) in (a, b)}
    up = set().union(*(nx.ancestors(p, n) for n in seeds)) if seeds else set()
    down = set().union(*(nx.descendants(p, n) for n in seeds)) if seeds else set()
    return {_place_of(n) for n in seeds | up} | {("to", _place_of(n)) for n in seeds | down}


def _km(g: nx.DiGraph, places: list[str]) -> float | None:
    kms = [g.edges[a, b]["km"] for a, b in zip(places, places[1:])]
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
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"removed": self.removed, "lost": self.lost, "longer": self.longer,
                "unchanged": self.unchanged, "centrality_before": self.centrality_before,
                "centrality_after": self.centrality_after, "notes": self.notes}


def _on_no_route(g: nx.DiGraph, w: Where) -> bool:
    for a, b, d in g.edges(data=True):
        if w.matches(g, a) or w.matches(g, b) or any(w.crossed_by(g, c) for c in d.get("crossings", {})):
            return False
    return True


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
        Place names to close; closing a country closes every place in it and every leg crossing it.
    store
        Store to read the network from when ``graph`` is None.
    graph
        A network from :func:`kg.network.route_network` (read from ``store`` when None).
    top
        How many places to list in the betweenness ranking before and after.

    Returns
    -------
    WhatIf
        ``lost`` and ``longer`` pairs (each with its ``trains`` count), ``unchanged``, the
        rankings before and after, and ``notes`` (e.g. a closed place that is on no reported route).
    """
    g = graph if graph is not None else route_network(store=store)
    gone = [resolve_where(g, name) for name in remove]
    after = close(g, gone)
    result = WhatIf(removed=[w.label for w in gone])
    for w in gone:
        if _on_no_route(g, w):
            mentioned = "it is mentioned, but " if w.node is not None else ""
            result.notes.append(f"{w.label} is on no reported route ({mentioned}no reported leg starts, ends "
                                "or crosses there): closing it changes no route")
    near = _touched(g, gone)
    before_router, after_router = _Router(g), _Router(after)
    for (s, t), trains in od_pairs(g).items():
        label = {"from": g.nodes[s]["label"], "to": g.nodes[t]["label"], "trains": len(trains)}
        if s not in near or ("to", t) not in near and not (g.nodes[t]["type"] == "Country"):
            result.unchanged += 1  # no closed place lies between them: nothing can change
            continue
        before = before_router.path(s, t)
        if before is None:
            continue
        names_before = [g.nodes[n]["label"] for n in before]
        if s not in after or t not in after:
            result.lost.append({**label, "hops_before": len(before) - 1, "path_before": names_before,
                                "reason": "an end is closed"})
            continue
        now = after_router.path(s, t)
        if now is None:
            result.lost.append({**label, "hops_before": len(before) - 1, "path_before": names_before})
        elif len(now) > len(before) or (_km(after, now) or 0) > (_km(g, before) or 0) + 1:
            result.longer.append({**label, "hops_before": len(before) - 1, "hops_after": len(now) - 1,
                                  "km_before": _km(g, before), "km_after": _km(after, now),
                                  "path_after": [after.nodes[n]["label"] for n in now]})
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

    Countries take part only as the ends of legs (one copy per leg), so they never glue
    unrelated routes together.

    Returns
    -------
    list of dict
        ``size`` (cities and ports), ``places`` (``{"label", "type"}``, most central first),
        ``crossings`` (ports, most central first), ``ends`` (countries named as a train's end),
        ``crossed`` (countries its legs cross) and ``countries`` (ISO codes of all of these),
        largest corridor first.
    """
    g = graph if graph is not None else route_network(store=store)
    p = place_graph(g)
    connected = p.subgraph([n for n in p if p.degree(n) > 0])
    if connected.number_of_nodes() == 0:
        return []
    undirected = connected.to_undirected()
    for _, _, d in undirected.edges(data=True):
        d["weight"] = d.get("n_trains", 1)
    groups = nx.community.louvain_communities(undirected, weight="weight", seed=seed)
    between = betweenness(undirected)  # exact, by igraph, at any size
    community = {_place_of(n): i for i, members in enumerate(groups) for n in members}
    crossed: dict[int, set[str]] = {}
    for a, b, d in g.edges(data=True):
        if community.get(a) is not None and community.get(a) == community.get(b):
            crossed.setdefault(community[a], set()).update(c for cr in d.get("crossings", {}) for c in cr)
    out = []
    for i, members in enumerate(groups):
        places = sorted((n for n in members if isinstance(n, str)),
                        key=lambda n: (-between[n], g.nodes[n]["label"]))
        ends = sorted({g.nodes[n[1]]["label"] for n in members if not isinstance(n, str)})
        countries = crossed.get(i, set())
        codes = {g.nodes[n]["country"] for n in places} | {country_code(g, c) for c in countries}
        codes |= {g.nodes[n[1]]["country"] for n in members if not isinstance(n, str)}
        out.append({
            "size": len(places),
            "places": [{"label": g.nodes[n]["label"], "type": g.nodes[n]["type"]} for n in places],
            "crossings": [g.nodes[n]["label"] for n in places if g.nodes[n]["type"] == "Port"],
            "ends": ends,
            "crossed": sorted(label(g, c) for c in countries),
            "countries": sorted(codes),
        })
    return sorted(out, key=lambda c: (-c["size"], [x["label"] for x in c["places"]]))
