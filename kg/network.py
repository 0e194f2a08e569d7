"""The route network: places as nodes, reported train legs as edges, built from the triples.

Nothing here reads the extractor's memory: :func:`route_network` asks the store with SPARQL,
so the network is the same whether the graph was built a minute or a month ago, locally or by
a colleague.  Parallel legs (several trains, several articles) collapse into one edge that
keeps every train, article and sentence, so ``shortest_simple_paths`` (which refuses
multigraphs) can run on it.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Any

import networkx as nx

from . import __version__
from ._errors import InputError, UnknownPlaceError
from .gazetteer import fold
from .sparql import PLACES_QUERY
from .store import open_store

_ALIASES = "SELECT DISTINCT ?p ?alt WHERE { ?p skos:altLabel ?alt }"
_LEGS = """
SELECT DISTINCT ?train ?from ?to ?evidence ?doc WHERE {
  ?leg a kgo:Leg ; kgo:legOf ?train ; kgo:fromPlace ?from ; kgo:toPlace ?to ; kgo:evidence ?evidence .
  ?train kgo:sourceDocument/kgo:fileName ?doc .
  FILTER NOT EXISTS { ?train kgo:status "planned" }
}"""
METRICS = ("degree", "betweenness", "closeness", "pagerank", "edge-betweenness")
WEIGHTS = ("hops", "km", "evidence")


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in km on a sphere of the mean Earth radius."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0088 * 2 * math.asin(math.sqrt(a))


def route_network(*, store: str | Path | None = None) -> nx.DiGraph:
    """The directed route network read from the store.

    Nodes are place IRIs with ``label``, ``type``, ``country``, ``lat``, ``lon``, ``aliases``.
    Trains announced for the future (status "planned") are left out.
    Edges carry ``trains`` (IRIs), ``documents`` (file names), ``evidence`` (list of
    ``{"document", "sentence", "train"}``), ``n_trains``, ``n_documents`` and ``km`` (great
    circle, None when an end has no coordinates or is a country).
    """
    g = nx.DiGraph(created_with=f"kg {__version__}")
    with open_store(store, read_only=True) as st:
        g.graph["store"] = st.location
        for iri, label, typ, cc, lat, lon in st.query(PLACES_QUERY):
            g.add_node(str(iri), label=str(label), type=str(typ), country=str(cc),
                       lat=float(lat) if lat is not None else None,
                       lon=float(lon) if lon is not None else None, aliases=set())
        for iri, alt in st.query(_ALIASES):
            if str(iri) in g:
                g.nodes[str(iri)]["aliases"].add(str(alt))
        for train, a, b, evidence, doc in st.query(_LEGS):
            a, b = str(a), str(b)
            if a == b or a not in g or b not in g:
                continue
            if not g.has_edge(a, b):
                g.add_edge(a, b, trains=set(), documents=set(), evidence=[], km=_km(g, a, b))
            data = g.edges[a, b]
            data["trains"].add(str(train))
            data["documents"].add(str(doc))
            item = {"document": str(doc), "sentence": str(evidence), "train": str(train)}
            if item not in data["evidence"]:
                data["evidence"].append(item)
    for _, _, data in g.edges(data=True):
        data["n_trains"] = len(data["trains"])
        data["n_documents"] = len(data["documents"])
    return g


def _km(g: nx.DiGraph, a: str, b: str) -> float | None:
    na, nb = g.nodes[a], g.nodes[b]
    if "Country" in (na["type"], nb["type"]) or None in (na["lat"], nb["lat"]):
        return None
    return round(great_circle_km(na["lat"], na["lon"], nb["lat"], nb["lon"]), 1)


# -- names -----------------------------------------------------------------------------------
def resolve_place(g: nx.DiGraph, name: str) -> str:
    """The node whose label or alias is ``name`` (accents and case ignored).

    Raises
    ------
    UnknownPlaceError
        With close matches among labels and aliases.
    """
    key = fold(name)
    names: dict[str, str] = {}
    for node, data in g.nodes(data=True):
        for n in (data["label"], *data["aliases"]):
            names.setdefault(fold(n), node)
    if key in names:
        return names[key]
    for suffix in (" port", " pass", " city", " station"):
        if key.endswith(suffix) and key[: -len(suffix)] in names:
            return names[key[: -len(suffix)]]
    close = difflib.get_close_matches(key, list(names), n=5, cutoff=0.6)
    labels = list(dict.fromkeys(g.nodes[names[c]]["label"] for c in close))
    raise UnknownPlaceError(name, labels)


# -- paths -----------------------------------------------------------------------------------
@dataclass
class Leg:
    """One edge of an answer, with what supports it."""

    source: str
    target: str
    km: float | None
    evidence: list[dict[str, str]]
    reversed: bool = False


@dataclass
class PathAnswer:
    """One path from A to B."""

    places: list[str]
    legs: list[Leg]
    km: float | None
    single_train: str | None
    directed: bool = True
    iris: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "places": self.places, "km": self.km, "single_train": self.single_train,
            "directed": self.directed,
            "legs": [{"from": leg.source, "to": leg.target, "km": leg.km, "reversed": leg.reversed,
                      "evidence": leg.evidence} for leg in self.legs],
        }


def _matches(g: nx.DiGraph, node: str, wanted: str) -> bool:
    """``node`` is ``wanted``, or lies in ``wanted`` when that is a country."""
    if node == wanted:
        return True
    w = g.nodes[wanted]
    return w["type"] == "Country" and g.nodes[node]["country"] == w["country"]


def _weight_fn(weight: str):  # type: ignore[no-untyped-def]
    if weight == "hops":
        return None
    if weight == "km":
        return lambda u, v, d: d["km"] if d.get("km") is not None else 1500.0
    if weight == "evidence":
        return lambda u, v, d: 1.0 / (1 + len(d.get("documents") or ()))
    raise InputError(f"unknown weight {weight!r}: use one of {', '.join(WEIGHTS)}")


def find_paths(
    source: str,
    target: str,
    *,
    via: Sequence[str] = (),
    avoid: Sequence[str] = (),
    k: int = 1,
    weight: str = "hops",
    store: str | Path | None = None,
    graph: nx.DiGraph | None = None,
    max_candidates: int = 5000,
) -> list[PathAnswer]:
    """Up to ``k`` paths from ``source`` to ``target`` over reported legs, shortest first.

    Parameters
    ----------
    source, target
        Place names (labels or aliases, any case or accents).
    via
        Places every path must pass through; a country is passed when any place in it is.
    avoid
        Places no path may touch; avoiding a country avoids every place in it.
    k
        Number of alternatives (Yen's k-shortest simple paths).
    weight
        ``hops``, ``km`` (great-circle length) or ``evidence`` (prefer legs more articles report).
    graph
        A network from :func:`route_network` (read from ``store`` when None).

    Returns
    -------
    list of PathAnswer
        Empty when no path exists.  When none follows the reported direction of travel, the
        paths found on the undirected network are returned with ``directed=False``.
    """
    g = graph if graph is not None else route_network(store=store)
    s, t = resolve_place(g, source), resolve_place(g, target)
    vias = [resolve_place(g, v) for v in via]
    avoided = [resolve_place(g, a) for a in avoid]
    keep = [n for n in g if not any(_matches(g, n, a) for a in avoided) or n in (s, t)]
    sub = g.subgraph(keep)
    for directed, view in ((True, sub), (False, sub.to_undirected(as_view=True))):
        found = _k_paths(view, s, t, vias, k, weight, max_candidates)
        if found:
            return [_answer(g, p, directed) for p in found]
    return []


def _k_paths(view: nx.Graph, s: str, t: str, vias: list[str], k: int, weight: str,
             max_candidates: int) -> list[list[str]]:
    if s not in view or t not in view or not nx.has_path(view, s, t):
        return []
    out: list[list[str]] = []
    candidates = nx.shortest_simple_paths(view, s, t, weight=_weight_fn(weight))
    for path in islice(candidates, max_candidates):
        if all(any(_matches(view, n, v) for n in path) for v in vias):
            out.append(path)
            if len(out) >= k:
                break
    return out


def _answer(g: nx.DiGraph, path: list[str], directed: bool) -> PathAnswer:
    legs = []
    for a, b in zip(path, path[1:]):
        rev = not g.has_edge(a, b)
        data = g.edges[b, a] if rev else g.edges[a, b]
        legs.append(Leg(g.nodes[a]["label"], g.nodes[b]["label"], data["km"],
                        sorted(data["evidence"], key=lambda e: e["document"]), rev))
    kms = [leg.km for leg in legs]
    total = round(sum(k for k in kms if k is not None), 1) if any(k is not None for k in kms) else None
    trains = [set(g.edges[b, a]["trains"] if leg.reversed else g.edges[a, b]["trains"])
              for (a, b), leg in zip(zip(path, path[1:]), legs)]
    common = set.intersection(*trains) if trains else set()
    return PathAnswer([g.nodes[n]["label"] for n in path], legs, total,
                      min(common) if common else None, directed, list(path))


def train_ends(g: nx.DiGraph) -> dict[str, tuple[str, str]]:
    """Train IRI -> (first place, last place) of its chain of legs, in one pass over the edges."""
    froms: dict[str, set[str]] = {}
    tos: dict[str, set[str]] = {}
    for a, b, d in g.edges(data=True):
        for t in d["trains"]:
            froms.setdefault(t, set()).add(a)
            tos.setdefault(t, set()).add(b)
    out = {}
    for t in froms:
        starts, ends = froms[t] - tos[t], tos[t] - froms[t]
        if starts and ends:
            out[t] = (min(starts), min(ends))
    return out


def nearest_reachable(g: nx.DiGraph, name: str, *, limit: int = 5) -> dict[str, list[str]]:
    """Places reachable from ``name`` and places that reach it, nearest first."""
    n = resolve_place(g, name)
    after = nx.single_source_shortest_path_length(g, n)
    before = nx.single_source_shortest_path_length(g.reverse(copy=False), n)

    def labels(d: dict[str, int]) -> list[str]:
        return [g.nodes[x]["label"] for x, _ in sorted(d.items(), key=lambda kv: (kv[1], kv[0])) if x != n][:limit]

    return {"reachable_from": labels(after), "reaching": labels(before)}


# -- centrality ------------------------------------------------------------------------------
def central(
    *,
    metric: str = "betweenness",
    top: int = 10,
    types: Iterable[str] = (),
    weighted: bool = False,
    store: str | Path | None = None,
    graph: nx.DiGraph | None = None,
) -> list[dict[str, Any]]:
    """The most central places (or legs, for ``edge-betweenness``) of the route network.

    Parameters
    ----------
    metric
        ``degree``, ``betweenness``, ``closeness``, ``pagerank`` or ``edge-betweenness``.
    top
        How many to return.
    types
        Keep only these node types (``City``, ``Port``, ``Country``) in the ranking.
    weighted
        Weigh legs by the number of trains reported on them.  Path-based measures read
        weights as distances, so a leg with n trains counts as 1/n long.

    Returns
    -------
    list of dict
        ``label``, ``type``, ``country``, ``score`` (and ``trains`` for degree), best first.
    """
    if metric not in METRICS:
        raise InputError(f"unknown metric {metric!r}: use one of {', '.join(METRICS)}")
    g = graph if graph is not None else route_network(store=store)
    connected = g.subgraph([n for n in g if g.degree(n) > 0]).copy()
    for _, _, d in connected.edges(data=True):
        d["distance"] = 1.0 / max(1, d.get("n_trains", 1))
        d["trains_weight"] = float(max(1, d.get("n_trains", 1)))
    dist = "distance" if weighted else None
    if metric == "edge-betweenness":
        scores = nx.edge_betweenness_centrality(connected, weight=dist)
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
        return [{"label": f"{g.nodes[a]['label']} → {g.nodes[b]['label']}", "type": "Leg",
                 "country": "", "score": round(s, 4)} for (a, b), s in ranked]
    if metric == "degree":
        values: dict[str, float] = dict(connected.degree(weight="trains_weight" if weighted else None))
    elif metric == "betweenness":
        values = nx.betweenness_centrality(connected, weight=dist)
    elif metric == "closeness":
        values = nx.closeness_centrality(connected.to_undirected(as_view=True), distance=dist)
    else:
        values = nx.pagerank(connected, weight="trains_weight" if weighted else None) if len(connected) else {}
    wanted = set(types)
    ranked_nodes = sorted(
        ((n, s) for n, s in values.items() if not wanted or g.nodes[n]["type"] in wanted),
        key=lambda kv: (-kv[1], g.nodes[kv[0]]["label"]),
    )[:top]
    return [{"label": g.nodes[n]["label"], "type": g.nodes[n]["type"], "country": g.nodes[n]["country"],
             "score": round(s, 4)} for n, s in ranked_nodes]
