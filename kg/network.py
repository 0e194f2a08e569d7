"""The route network: cities and ports as nodes, reported train legs as edges, read from the triples.

Nothing here reads the extractor's memory: :func:`route_network` asks the store with SPARQL,
so the network is the same whether the graph was built a minute or a month ago, locally or by
a colleague.

The network says only what the news says:

- Nodes are the specific places trains start, stop, cross or transship at (cities and ports).
  A country named as a transit is no node on the way: it is an ordered attribute of the leg
  between the specific places around it (``crossings``).
- A country named as an origin or destination (the text gives no city) is a *terminal*: a path
  may start or end there, never pass through it.  :func:`search_graph` splits each such
  country into a source copy and a sink copy, and :func:`place_graph` into one copy per leg, so
  no algorithm can walk through it.
- Paths follow the reported direction of travel only, and say where they change train.

Parallel legs (several trains, several articles) collapse into one edge that keeps every
train, article, sentence and crossing sequence, so ``shortest_simple_paths`` (which refuses
multigraphs) can run on it.
"""

from __future__ import annotations

import difflib
import gc
import math
import os
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from itertools import islice
from pathlib import Path
from typing import Any

import networkx as nx

from . import __version__, netfacts, settings
from ._errors import InputError, UnknownPlaceError
from .centrality import betweenness, edge_betweenness
from .gazetteer import Gazetteer, fold

_PLACES = netfacts.PLACES_QUERY  # also kg.sparql's: one text, in a module that loads no rdflib
_ALIASES = "SELECT DISTINCT ?p ?alt WHERE { ?p skos:altLabel ?alt }"
_LEGS = """
SELECT DISTINCT ?leg ?train ?from ?to ?evidence ?doc WHERE {
  { SELECT DISTINCT ?leg ?train ?from ?to WHERE { ?leg a kgo:Leg ; kgo:legOf ?train ; kgo:fromPlace ?from ; kgo:toPlace ?to } }
  ?leg kgo:evidenceSentence ?s . ?s kgo:text ?evidence ; kgo:sourceDocument/kgo:fileName ?doc .
  FILTER NOT EXISTS { ?train kgo:status "planned" }
}"""
_CROSSINGS = """
SELECT DISTINCT ?leg ?seq ?country WHERE { ?leg a kgo:Leg ; kgo:crossing ?c . ?c kgo:sequence ?seq ; kgo:country ?country }
"""  # put in travel order here, not by ORDER BY (which sorts 60k rows by their text at 1M triples)
_TRAINS = """
SELECT DISTINCT ?train ?doc ?origin ?status ?date ?published ?containers ?precision WHERE {
  { SELECT DISTINCT ?train ?d WHERE { ?train a kgo:Train ; kgo:sourceDocument ?d } } ?d kgo:fileName ?doc .
  OPTIONAL { SELECT DISTINCT ?train ?origin WHERE { ?train kgo:origin ?origin } }
  OPTIONAL { SELECT DISTINCT ?train ?status WHERE { ?train kgo:status ?status } }
  OPTIONAL { SELECT DISTINCT ?train ?date WHERE { ?train kgo:departureDate ?date } }
  OPTIONAL { SELECT DISTINCT ?train ?precision WHERE { ?train kgo:datePrecision ?precision } }
  OPTIONAL { SELECT DISTINCT ?train ?containers WHERE { ?train kgo:containers ?containers } }
  OPTIONAL { ?d dcterms:date ?published }
}"""
_DESTINATIONS = "SELECT DISTINCT ?train ?place WHERE { ?train a kgo:Train ; kgo:destination ?place }"
_TRANSITS = """
SELECT DISTINCT ?train ?seq ?place WHERE { ?train kgo:transit ?s . ?s kgo:sequence ?seq ; kgo:place ?place }
"""
_CARGO = "SELECT DISTINCT ?train ?label WHERE { ?train a kgo:Train ; kgo:cargo/rdfs:label ?label }"

METRICS = ("degree", "betweenness", "closeness", "pagerank", "edge-betweenness")
WEIGHTS = ("hops", "km", "evidence")
TYPES = ("City", "Port", "Country")
UNKNOWN_KM = 1500.0
"""Length a leg without a distance (an end is a country or has no coordinates) counts with ``--weight km``."""
_DETOUR = 1e6  # cost of starting or ending a path inside a train's run rather than at its ends
SOURCE, TARGET = ("source",), ("target",)


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine distance in km on a sphere of the mean Earth radius."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0088 * 2 * math.asin(math.sqrt(a))


# -- reading the network -----------------------------------------------------------------------
def route_network(*, store: str | Path | None = None, cache: bool = True) -> nx.DiGraph:
    """The directed route network read from the store.

    Reading it costs a pass over every leg and train (seconds at a million triples), so the
    network of a local store is kept in :data:`kg.settings.cache_dir` and reused while the
    store's files are unchanged (any committed write changes them); ``cache=False`` always
    reads the store.  Each call returns its own copy.

    Nodes are place IRIs with ``label``, ``type``, ``country``, ``lat``, ``lon``, ``aliases``;
    countries are nodes too, but only ever the end of a leg (a train's origin or destination).
    Trains announced for the future (status "planned") have no legs here.

    Edges carry ``trains`` (IRIs), ``documents`` (file names), ``legs`` (Leg IRIs),
    ``evidence`` (list of ``{"document", "sentence", "train", "date", "date_precision"}``),
    ``dates`` (sorted ISO dates of its trains, :mod:`kg.timeline`), ``crossings`` (tuple of
    country node ids in travel order -> trains reported with it), ``crosses`` (labels of the
    most reported crossing sequence), ``n_trains``, ``n_documents`` and ``km`` (great circle,
    None when an end has no coordinates or is a country).

    ``graph["trains"]`` maps every train IRI to ``document``, ``origin``, ``destinations``,
    ``via`` (transit places in order, countries included), ``cargo``, ``status``, ``date``,
    ``date_precision``, ``published`` and ``containers``: what trains, rather than legs, are counted from.
    """
    where = str(store or settings.store)
    cached = _cache_file(where) if cache else None
    with _gc_paused():  # ~100k containers, none in a cycle: collections would walk them again and again
        if cached is not None:
            g = _load_cached(cached)
            if g is not None:
                return g
        g = _read_network(where)
        if cached is not None:
            _save_cached(cached, g)
    return g


def _read_network(store: str) -> nx.DiGraph:
    """The route network, read from the store: its network facts when it has them, else with SPARQL."""
    with open_store(store, read_only=True) as st:
        places = _select(st, _PLACES)
        aliases = _select(st, _ALIASES)
        facts = _facts_from_literals(st)
        if facts is None:
            facts = _facts_from_sparql(st)
        location = st.location
    return _assemble(places, aliases, facts, location=location)


@dataclass
class _Local:
    """A local store opened with pyoxigraph alone (what :func:`_select` needs of a GraphStore)."""

    ox: Any
    location: str


@contextmanager
def open_store(store: str, *, read_only: bool = True) -> Iterator[Any]:
    """:func:`kg.store.open_store` for reading the network: a local store through pyoxigraph alone.

    A SPARQL server, or a folder that cannot be opened (which that explains), goes through
    :func:`kg.store.open_store`; it loads rdflib, 0.1 s of a first ``kg path``.
    """
    local = None
    if read_only and not store.startswith(("http://", "https://")) and (Path(store) / "CURRENT").is_file():
        import pyoxigraph

        try:
            local = _Local(pyoxigraph.Store.read_only(store), store)
        except OSError:
            local = None
    if local is None:
        from . import store as stores

        with stores.open_store(store, read_only=read_only) as st:
            yield st
        return
    try:
        yield local
    finally:
        local.ox = None  # releases the store now


def _select(st: Any, query: str) -> list[tuple[Any, ...]]:
    """The rows of a SELECT, each value its text (None when unbound).

    A local store is asked through pyoxigraph directly: making rdflib terms of the answers
    (megabytes of literals) would cost more than the query.
    """
    store = getattr(st, "ox", None)
    if store is None:  # a SPARQL server
        return [tuple(None if v is None else str(v) for v in row) for row in st.query(query)]
    answer = store.query(query, use_default_graph_as_union=True, prefixes=_PREFIXES)
    return [tuple(None if v is None else v.value for v in row) for row in answer]


_PREFIXES = {"kgo": settings.ontology, "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
             "rdfs": "http://www.w3.org/2000/01/rdf-schema#", "skos": "http://www.w3.org/2004/02/skos/core#",
             "geo": "http://www.w3.org/2003/01/geo/wgs84_pos#", "dcterms": "http://purl.org/dc/terms/"}
"""The prefixes the network's queries use (kg.rdf.PREFIXES has them too, but importing it loads rdflib)."""


TRAIN_ROW = ("docs", "origin", "destinations", "cargo", "status", "date", "precision", "containers",
             "transits")
"""The fields of a train as both readers give them: ``(document name, published)`` pairs, IRIs,
IRIs, cargo labels, texts, texts, texts, integers and ``(sequence, place)`` pairs."""


@dataclass
class _Facts:
    """What the network is made of, as the SPARQL queries above answer (order is not kept).

    ``legs``: ``(leg, train, from, to, sentence, document name)`` of trains not planned;
    ``crossings``: leg -> ``(sequence, country)`` pairs; ``trains``: train -> its values of
    each of :data:`TRAIN_ROW`, in that order.
    """

    legs: set[tuple[str, ...]] = field(default_factory=set)
    crossings: dict[str, Collection[tuple[int, str]]] = field(default_factory=dict)
    trains: dict[str, list[Collection[Any]]] = field(default_factory=dict)

    def normal(self) -> tuple[Any, ...]:
        """The facts, every collection a set and trains without a document left out: equal whatever read them."""
        trains = {t: [set(v) for v in row] for t, row in self.trains.items() if row[0]}
        return self.legs, {leg: set(c) for leg, c in self.crossings.items() if c}, trains


def _facts_from_sparql(st: Any) -> _Facts:
    """The network's facts read with one SPARQL query per kind (slow at a million triples)."""
    facts = _Facts()
    pool: dict[str, str] = {}
    p = pool.setdefault  # one object per distinct string: the cache file then holds each once

    def row(train: str) -> list[set[Any]]:
        return facts.trains.setdefault(p(train, train), [set() for _ in TRAIN_ROW])  # type: ignore[return-value]

    for leg, seq, c in _select(st, _CROSSINGS):
        facts.crossings.setdefault(p(leg, leg), set()).add((int(seq), p(c, c)))  # type: ignore[attr-defined]
    facts.legs = {tuple(p(v, v) for v in r) for r in _select(st, _LEGS)}
    for train, doc, origin, status, date, published, containers, precision in _select(st, _TRAINS):
        fields = row(train)
        fields[0].add((p(doc, doc), None if published is None else p(published, published)))
        for i, value in ((1, origin), (4, status), (5, date), (6, precision)):
            if value is not None:
                fields[i].add(p(value, value))
        if containers is not None:
            fields[7].add(int(containers))
    for i, query in ((2, _DESTINATIONS), (3, _CARGO)):
        for train, value in _select(st, query):
            row(train)[i].add(p(value, value))
    for train, seq, place in _select(st, _TRANSITS):
        row(train)[8].add((int(seq), p(place, place)))
    return facts


_DOCUMENTS = """
SELECT ?d ?name ?published ?facts WHERE {
  ?d a kgo:Document .
  OPTIONAL { ?d kgo:fileName ?name } OPTIONAL { ?d dcterms:date ?published }
  OPTIONAL { ?d kgo:networkFacts ?facts }
}"""
_CARGO_LABELS = "SELECT DISTINCT ?c ?label WHERE { ?c a kgo:Cargo ; rdfs:label ?label }"
_COUNTS = """SELECT (COUNT(DISTINCT ?leg) AS ?legs) (COUNT(DISTINCT ?train) AS ?trains) WHERE {
  { ?leg a kgo:Leg } UNION { ?train a kgo:Train } }"""


def _facts_from_literals(st: Any) -> _Facts | None:
    """The network's facts from the documents' ``kgo:networkFacts`` literals (:mod:`kg.netfacts`).

    One query for the literals (and the documents' names and dates), one for cargo labels and
    one counting legs and trains: None (read with SPARQL instead) when a document has no
    literal, one is of another format, or they do not account for every leg and train stored.
    """
    names: dict[str, set[str]] = {}
    published: dict[str, set[str]] = {}
    texts: set[str] = set()
    for d, name, date, text in _select(st, _DOCUMENTS):
        if text is None:
            return None
        names.setdefault(d, set()).update([name] if name is not None else [])
        published.setdefault(d, set()).update([date] if date is not None else [])
        texts.add(text)
    try:
        merged = netfacts.merge(texts)
    except (ValueError, KeyError, TypeError, IndexError):
        return None
    ((legs, trains),) = _select(st, _COUNTS)
    if (int(legs), int(trains)) != (len(merged.legs), len(merged.trains)):
        return None
    cargo: dict[str, set[str]] = {}
    for c, lab in _select(st, _CARGO_LABELS):
        cargo.setdefault(c, set()).add(lab)
    return _facts_of(merged, names, published, cargo)


def _facts_of(merged: netfacts.Merged, names: dict[str, set[str]], published: dict[str, set[str]],
              cargo: dict[str, set[str]]) -> _Facts:
    """The rows the SPARQL queries would give, evaluated over the merged literals (the same joins)."""
    facts = _Facts()
    planned = {t for t, row in merged.trains.items() if "planned" in row[4]}
    for leg, (trains, froms, tos, crossings, evidence) in merged.legs.items():
        if crossings:
            facts.crossings[leg] = crossings
        cited = [(text, name) for text, doc in evidence for name in names.get(doc, ())]
        facts.legs.update((leg, t, a, b, text, name) for t in trains if t not in planned
                          for a in froms for b in tos for text, name in cited)
    for t, row in merged.trains.items():
        row[0] = [(name, date) for d in row[0] for name in names.get(d, ())
                  for date in (published.get(d) or (None,))]
        if row[0]:
            row[3] = [lab for c in row[3] for lab in cargo.get(c, ())]
            facts.trains[t] = row
    return facts


def _assemble(places: list[tuple[Any, ...]], aliases: list[tuple[str, str]], facts: _Facts, *,
              location: str) -> nx.DiGraph:
    """The network of the places and facts read, built in one order whatever read them."""
    g = nx.DiGraph(created_with=f"kg {__version__}")
    g.graph["store"] = location
    for iri, lab, typ, cc, lat, lon in places:  # texts, as _select gives them
        g.add_node(iri, label=lab, type=typ, country=cc,
                   lat=float(lat) if lat is not None else None,
                   lon=float(lon) if lon is not None else None, aliases=set())
    for iri, alt in aliases:
        if iri in g:
            g.nodes[iri]["aliases"].add(alt)
    crossings = {leg: tuple(c for _, c in sorted(pairs)) for leg, pairs in facts.crossings.items()}
    _add_legs(g, sorted(facts.legs), crossings)
    g.graph["trains"] = _trains_of(facts)
    finish(g)
    from .timeline import annotate_dates

    return annotate_dates(g)


def _least(values: Collection[Any]) -> Any:
    """The smallest of a field's values (None when it has none): one pick, whatever the row order."""
    return min(values) if values else None


def _trains_of(facts: _Facts) -> dict[str, dict[str, Any]]:
    """``graph["trains"]``: each train with a document, its fields picked and its lists in order."""
    trains: dict[str, dict[str, Any]] = {}
    for t in sorted(facts.trains):
        docs, origin, destinations, cargo, status, date, precision, containers, transits = facts.trains[t]
        if not docs:
            continue
        doc, published = next(iter(docs)) if len(docs) == 1 else \
            min(docs, key=lambda pair: (pair[0], pair[1] is None, str(pair[1])))
        count = _least(containers)
        trains[t] = {
            "document": doc, "origin": _least(origin), "destinations": sorted(destinations),
            "via": list(dict.fromkeys(place for _, place in sorted(transits))), "cargo": sorted(cargo),
            "status": _least(status) or "reported", "date": _least(date), "published": published,
            "containers": int(count) if count is not None else None, "date_precision": _least(precision),
        }
    return trains


_CACHE_FORMAT = 3  # bump when the network changes (3: rows sorted, so edges and evidence come in one order)


def _cache_file(store: str) -> Path | None:
    """Where the network of a local store is cached, named by the state of the store's files.

    None for a SPARQL server, a folder that is no store, or with the cache turned off.  The
    name hashes the store's real path, kg's version and the name, size and modification time
    of each of its files except RocksDB's lock and info logs: a committed write appends to the
    write-ahead log, so it changes the name and the old file is never read again.
    """
    if settings.cache_dir == "off" or store.startswith(("http://", "https://")):
        return None
    folder = Path(store)
    try:
        files = sorted((f.name, f.stat().st_size, f.stat().st_mtime_ns) for f in folder.iterdir()
                       if f.is_file() and f.name != "LOCK" and not f.name.startswith("LOG"))
    except OSError:
        return None
    if not any(name == "CURRENT" for name, _, _ in files):
        return None
    import hashlib

    where = hashlib.sha256(str(folder.resolve()).encode()).hexdigest()[:16]
    state = hashlib.sha256(repr((__version__, _CACHE_FORMAT, files)).encode()).hexdigest()[:16]
    return Path(settings.cache_dir) / f"network-{where}-{state}.pickle"


def _load_cached(path: Path) -> nx.DiGraph | None:
    """The cached network, or None when there is none (or it cannot be read)."""
    import pickle

    try:
        with open(path, "rb") as fh:
            g = pickle.load(fh)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError):
        return None
    return g if isinstance(g, nx.DiGraph) else None


def _save_cached(path: Path, g: nx.DiGraph) -> None:
    """Write the network to the cache (best effort), dropping older copies for the same store."""
    import pickle

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(path.name.rsplit("-", 1)[0] + "-*.pickle"):
            old.unlink(missing_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        with open(tmp, "wb") as fh:
            pickle.dump(g, fh, protocol=pickle.HIGHEST_PROTOCOL)  # strings are shared: each is written once
        tmp.replace(path)
    except OSError:
        pass


def _add_legs(g: nx.DiGraph, rows: Iterable[tuple[str, ...]],
              crossings: dict[str, tuple[str, ...]]) -> None:
    """:func:`add_leg` for each ``(leg, train, from, to, sentence, document)`` row, in one pass.

    The network is the same as calling :func:`add_leg` row by row (edges in the order their
    first row comes), built about twice as fast.
    """
    edges: dict[tuple[str, str], dict[str, Any]] = {}
    seen: set[tuple[str, str, str, str, str]] = set()
    nodes = g.nodes
    for leg, train, a, b, sentence, document in rows:
        data = edges.get((a, b))
        if data is None:
            if a == b or a not in nodes or b not in nodes:
                continue
            data = edges[a, b] = {"trains": set(), "documents": set(), "evidence": [], "legs": set(),
                                  "crossings": {}, "km": _km(g, a, b)}
        data["trains"].add(train)
        data["documents"].add(document)
        data["legs"].add(leg)
        data["crossings"].setdefault(crossings.get(leg, ()), set()).add(train)
        if (a, b, document, sentence, train) not in seen:
            seen.add((a, b, document, sentence, train))
            data["evidence"].append({"document": document, "sentence": sentence, "train": train})
    g.add_edges_from((a, b, data) for (a, b), data in edges.items())


def add_leg(g: nx.DiGraph, a: str, b: str, *, train: str, document: str, sentence: str,
            crosses: Sequence[str] = (), leg: str | None = None) -> None:
    """Add one reported leg ``a -> b`` of ``train`` to the network (merged with its parallels).

    Legs whose ends are unknown places or one place are left out.  Call :func:`finish` after
    the last one.
    """
    if a == b or a not in g or b not in g:
        return
    if not g.has_edge(a, b):
        g.add_edge(a, b, trains=set(), documents=set(), evidence=[], legs=set(), crossings={},
                   km=_km(g, a, b))
    data = g.edges[a, b]
    data["trains"].add(train)
    data["documents"].add(document)
    data["legs"].add(leg or f"{train}#{a}>{b}")
    data["crossings"].setdefault(tuple(crosses), set()).add(train)
    item = {"document": document, "sentence": sentence, "train": train}
    if item not in data["evidence"]:
        data["evidence"].append(item)


def finish(g: nx.DiGraph) -> nx.DiGraph:
    """Fill the counts and display fields of every edge (``n_trains``, ``crosses`` ...)."""
    for _, _, data in g.edges(data=True):
        data.setdefault("legs", set())
        data.setdefault("crossings", {(): set(data["trains"])})
        data["n_trains"] = len(data["trains"])
        data["n_documents"] = len(data["documents"])
        best = max(data["crossings"].items(), key=lambda kv: (len(kv[1]), kv[0]), default=((), set()))[0]
        data["crosses"] = [label(g, c) for c in best]
    return g


def _km(g: nx.DiGraph, a: str, b: str) -> float | None:
    na, nb = g.nodes[a], g.nodes[b]
    if "Country" in (na["type"], nb["type"]) or None in (na["lat"], nb["lat"]):
        return None
    return round(great_circle_km(na["lat"], na["lon"], nb["lat"], nb["lon"]), 1)


def label(g: nx.DiGraph, node: str) -> str:
    """Label of a node (or the tail of its IRI when the node is not in the network)."""
    return g.nodes[node]["label"] if node in g else node.rsplit("/", 1)[-1]


def country_code(g: nx.DiGraph, node: str) -> str:
    """ISO code of a node's country (a country IRI ``.../country/KZ`` read when not in the network)."""
    return g.nodes[node]["country"] if node in g else node.rsplit("/", 1)[-1]


def _variants(data: dict[str, Any]) -> dict[tuple[str, ...], set[str]]:
    return data.get("crossings") or {(): set(data["trains"])}


# -- names -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Where:
    """A place named in a question: one node, or a whole country.

    A country matches every place inside it and every leg that crosses it; its own node (if
    the network has one) is a terminal.
    """

    label: str
    node: str | None = None
    country: str | None = None

    def matches(self, g: nx.DiGraph, node: str | None) -> bool:
        """Whether a network node is this place or lies in this country (never for None)."""
        if node is None:
            return False
        return node == self.node or (self.country is not None and node in g
                                     and g.nodes[node]["country"] == self.country)

    def crossed_by(self, g: nx.DiGraph, crossing: Iterable[str]) -> bool:
        """Whether a leg with this crossing sequence crosses this country."""
        return self.country is not None and any(country_code(g, c) == self.country for c in crossing)


@cache
def _countries() -> Gazetteer:
    return Gazetteer(cities=False)


def resolve_place(g: nx.DiGraph, name: str) -> str:
    """The node whose label or alias is ``name`` (accents and case ignored; a country by code too).

    Raises
    ------
    UnknownPlaceError
        With close matches among labels and aliases.
    """
    where = resolve_where(g, name)
    if where.node is None:
        raise UnknownPlaceError(name, [])
    return where.node


def resolve_where(g: nx.DiGraph, name: str) -> Where:
    """What a place name stands for: a node, or a country (by name, official name or ISO code).

    Raises
    ------
    UnknownPlaceError
        When the name is neither a place of the network nor a country, with close matches.
    """
    key = fold(name)
    names: dict[str, str] = {}
    for node, data in g.nodes(data=True):
        for n in (data["label"], *data.get("aliases", ())):
            names.setdefault(fold(n), node)
    node = names.get(key)
    if node is None:
        for suffix in (" port", " pass", " city", " station"):
            if key.endswith(suffix) and key[: -len(suffix)] in names:
                node = names[key[: -len(suffix)]]
                break
    if node is not None:
        data = g.nodes[node]
        return Where(data["label"], node, data["country"] if data["type"] == "Country" else None)
    country = _countries().country(name.strip()) if name.strip() else None
    if country is not None and (len(name.strip()) != 2 or name.strip().isupper()):
        inside = [n for n, d in g.nodes(data=True) if d["type"] == "Country" and d["country"] == country.country]
        return Where(country.label, inside[0] if inside else None, country.country)
    close = difflib.get_close_matches(key, list(names), n=5, cutoff=0.6)
    raise UnknownPlaceError(name, list(dict.fromkeys(g.nodes[names[c]]["label"] for c in close)))


# -- the graphs algorithms run on ------------------------------------------------------------
def _is_country(g: nx.DiGraph, node: str) -> bool:
    return g.nodes[node]["type"] == "Country"


def _leg_cost(km: float | None, documents: int) -> dict[str, float]:
    """Costs of one leg by each weight, split over its two halves in the search graph."""
    return {"hops": 0.5, "km": (km if km is not None else UNKNOWN_KM) / 2, "evidence": 0.5 / (1 + documents)}


def _leg_costs(d: dict[str, Any], weights: Sequence[str]) -> dict[tuple[str, ...], dict[str, float]]:
    """Crossing sequence -> the costs by ``weights`` of each half of that variant of a leg."""
    if "evidence" not in weights:  # the other weights are the same for every variant
        cost = _leg_cost(d.get("km"), 0)
        one = {w: cost[w] for w in weights}
        return dict.fromkeys(_variants(d), one)
    documents = _variant_documents(d)
    return {c: {w: v for w, v in _leg_cost(d.get("km"), n).items() if w in weights}
            for c, n in documents.items()}


def search_graph(g: nx.DiGraph, *, avoid: Sequence[Where] = (),
                 weights: Sequence[str] = WEIGHTS) -> nx.DiGraph:
    """The graph paths are searched on: every leg (and crossing sequence) is a node of its own.

    ``place -> ("leg", a, b, crossing) -> place``: a path can then start or end *inside* a leg
    (a country the leg crosses) and carry the leg's crossings and trains.  A country terminal
    becomes ``("out", c)`` (legs leave it) and ``("in", c)`` (legs reach it), so no path passes
    through a country.  Places matching ``avoid`` and legs crossing an avoided country are left out.
    Both edges of a leg node cost half the leg by each of ``weights`` (``hops``, ``km``,
    ``evidence``); what a leg node stands for (trains, evidence) is :func:`leg_variant`.
    """
    countries = {n for n, d in g.nodes(data=True) if d["type"] == "Country"}
    order: list[Any] = []
    edges: list[tuple[Any, Any, dict[str, float]]] = []
    for a, b, d in g.edges(data=True):
        if avoid and any(w.matches(g, a) or w.matches(g, b) for w in avoid):
            continue
        u = ("out", a) if a in countries else a
        v = ("in", b) if b in countries else b
        for crossing, cost in _leg_costs(d, weights).items():
            if avoid and any(w.crossed_by(g, crossing) for w in avoid):
                continue
            leg = ("leg", a, b, crossing)
            order += (leg, u, v)  # the order add_node(leg), add_edge(u, leg), add_edge(leg, v) gives
            edges += ((u, leg, cost), (leg, v, cost))  # networkx copies each edge's attributes
    h = nx.DiGraph()
    with _gc_paused():
        h.add_nodes_from(order)
        h.add_edges_from(edges)
        h.add_nodes_from(n for n in g if n not in countries and n not in h)
    return h


def _variant_documents(d: dict[str, Any]) -> dict[tuple[str, ...], int]:
    """Crossing sequence -> how many articles report the leg's trains with it (all its articles if none)."""
    by_train: dict[str, set[str]] = {}
    for e in d["evidence"]:
        by_train.setdefault(e["train"], set()).add(e["document"])
    out = {}
    for crossing, trains in _variants(d).items():
        docs = set().union(*(by_train.get(t, ()) for t in trains))
        out[crossing] = len(docs) if docs else len({e["document"] for e in d["evidence"]})
    return out


def leg_variant(g: nx.DiGraph, node: tuple[Any, ...]) -> dict[str, Any]:
    """What a leg node ``("leg", a, b, crossing)`` of :func:`search_graph` stands for.

    ``leg`` (its two places), ``crossing``, ``trains`` (reported with that crossing),
    ``evidence`` (theirs, or the leg's when none is theirs) and ``km``.
    """
    _, a, b, crossing = node
    d = g.edges[a, b]
    trains = _variants(d)[crossing]
    evidence = [e for e in d["evidence"] if e["train"] in trains] or d["evidence"]
    return {"leg": (a, b), "crossing": crossing, "trains": set(trains), "evidence": evidence,
            "km": d.get("km")}


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Run a block without cyclic garbage collection (restored after).

    Building a search graph or a network makes tens of thousands of dicts and tuples, none in
    a reference cycle; with a large network in memory each collection on the way walks all of
    it (a search graph of 20,000 legs took 3x longer with collections on).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def place_graph(g: nx.DiGraph) -> nx.DiGraph:
    """The network for centrality and communities: each country terminal split into one node per leg.

    A country copy (``("in", c, a)`` or ``("out", c, b)``) touches one leg only, so no
    shortest path, directed or not, can pass through a country.
    """
    p = nx.DiGraph()
    for n, d in g.nodes(data=True):
        if d["type"] != "Country":
            p.add_node(n)
    for a, b, d in g.edges(data=True):
        u = ("out", a, b) if _is_country(g, a) else a
        v = ("in", b, a) if _is_country(g, b) else b
        p.add_edge(u, v, n_trains=d.get("n_trains", len(d["trains"])))
    return p


def _place_of(node: Any) -> str | None:
    """The network node a search- or place-graph node stands for (None for a leg node)."""
    if isinstance(node, str):
        return node
    return node[1] if node[0] in ("in", "out") else None


def _train_ends(g: nx.DiGraph) -> tuple[set[str], set[str]]:
    """Places where reported trains start and where they end."""
    trains = g.graph.get("trains")
    if trains:
        starts = {t["origin"] for t in trains.values() if t["origin"]}
        ends = {d for t in trains.values() for d in t["destinations"]}
        return starts, ends
    starts, ends = set(), set()
    for a, bs in train_runs(g).values():
        starts.add(a)
        ends |= set(bs)
    return starts, ends


def train_runs(g: nx.DiGraph) -> dict[str, tuple[str, list[str]]]:
    """Train IRI -> (first place, last places) of its legs: a train with several destinations has several."""
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
            out[t] = (min(starts), sorted(ends))
    return out


def train_ends(g: nx.DiGraph) -> dict[str, tuple[str, str]]:
    """Train IRI -> (first place, one last place) of its chain of legs (kept for older callers)."""
    return {t: (a, bs[0]) for t, (a, bs) in train_runs(g).items()}


def _hook(h: nx.DiGraph, g: nx.DiGraph, source: Where, target: Where) -> nx.DiGraph:
    """``h`` (changed in place) with a super source joined to every start of ``source`` and every end of ``target`` to a super target.

    Starting where no train starts (or ending inside a train's run) costs :data:`_DETOUR`, so
    whole runs come first: "China to Kazakhstan" is Jinhua -> Horgos -> Kazakhstan before
    Horgos -> Kazakhstan.
    """
    starts, ends = _train_ends(g)
    h.remove_nodes_from([SOURCE, TARGET])
    zero = dict.fromkeys(WEIGHTS, 0.0)
    detour = dict.fromkeys(WEIGHTS, _DETOUR)
    crossings = source.country is not None or target.country is not None  # else no leg node is an end
    for n in list(h):
        place = _place_of(n)
        side = n[0] if isinstance(n, tuple) else None
        if place is not None:
            if side != "in" and source.matches(g, place):
                h.add_edge(SOURCE, n, **(zero if place in starts else detour))
            if side != "out" and target.matches(g, place):
                h.add_edge(n, TARGET, **(zero if place in ends else detour))
        elif crossings:
            if source.crossed_by(g, n[3]):
                h.add_edge(SOURCE, n, **detour)
            if target.crossed_by(g, n[3]):
                h.add_edge(n, TARGET, **detour)
    return h


# -- paths -----------------------------------------------------------------------------------
@dataclass
class Leg:
    """One leg of an answer, with what supports it."""

    source: str
    target: str
    km: float | None
    evidence: list[dict[str, str]]
    reversed: bool = False
    crosses: list[str] = field(default_factory=list)
    trains: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """``A -> B, crossing X, Y``."""
        crossing = f", crossing {', '.join(self.crosses)}" if self.crosses else ""
        return f"{self.source} -> {self.target}{crossing}"


@dataclass
class PathAnswer:
    """One path from A to B: legs, the trains that ride them, and where to change."""

    places: list[str]
    legs: list[Leg]
    km: float | None
    single_train: str | None
    directed: bool = True
    iris: list[str] = field(default_factory=list)
    rides: list[dict[str, Any]] = field(default_factory=list)
    changes: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def describe(self) -> str:
        """One line: ``Nantong -> Hairatan, crossing Kazakhstan, Uzbekistan`` (with changes, if any)."""
        if len(self.legs) == 1:
            text = self.legs[0].describe()
        else:
            text = self.places[0] + "".join(
                f" -> {leg.target}" + (f" (crossing {', '.join(leg.crosses)})" if leg.crosses else "")
                for leg in self.legs)
        if self.changes:
            text += "; change at " + ", ".join(self.changes)
        return text

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "places": self.places, "km": self.km, "single_train": self.single_train,
            "directed": self.directed, "description": self.describe(), "changes": self.changes,
            "rides": self.rides, "notes": self.notes,
            "legs": [{"from": leg.source, "to": leg.target, "km": leg.km, "crosses": leg.crosses,
                      "trains": leg.trains, "evidence": leg.evidence} for leg in self.legs],
        }


class Paths(list[PathAnswer]):
    """The answers of :func:`find_paths`, with ``notes``: one-line explanations (fewer than asked, km unknown)."""

    def __init__(self, answers: Iterable[PathAnswer] = (), notes: Iterable[str] = ()) -> None:
        super().__init__(answers)
        self.notes = list(notes)


def _weight_name(weight: str) -> str:
    if weight not in WEIGHTS:
        raise InputError(f"unknown weight {weight!r}: use one of {', '.join(WEIGHTS)}")
    return weight


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
) -> Paths:
    """Up to ``k`` paths from ``source`` to ``target`` over reported legs, in the direction of travel.

    Parameters
    ----------
    source, target
        Place names (labels or aliases, any case or accents), or countries (name, official
        name or ISO code): a country matches its places and the legs crossing it.
    via
        Places every path must touch; a country is touched by a place in it or a leg crossing it.
    avoid
        Places no path may touch; avoiding a country avoids its places and the legs crossing it.
    k
        Number of alternatives (Yen's k-shortest simple paths).
    weight
        ``hops``, ``km`` (great-circle length) or ``evidence`` (prefer legs more articles report).
    store
        Store to read the network from when ``graph`` is None (default :data:`kg.settings.store`).
    graph
        A network from :func:`route_network` (read from ``store`` when None).
    max_candidates
        How many shortest paths to examine at most while looking for ones that pass ``via``.

    Returns
    -------
    Paths
        A list of :class:`PathAnswer`, shortest first (empty when none exists), with ``notes``.

    Raises
    ------
    InputError
        When an avoided place is an end of the path, or both ends are the same place.
    """
    metric = _weight_name(weight)
    g = graph if graph is not None else route_network(store=store)
    s, t = resolve_where(g, source), resolve_where(g, target)
    if s == t:
        raise InputError(f"{source!r} and {target!r} are the same place: name two different ends")
    vias = [resolve_where(g, v) for v in via]
    avoided = [resolve_where(g, a) for a in avoid]
    for name, w in zip(avoid, avoided):
        for end, where in (("starts", s), ("ends", t)):
            if where == w or (where.node is not None and w.matches(g, where.node)) or \
                    (w.country is not None and where.country == w.country):
                raise InputError(f"--avoid {name}: the path {end} there; avoid a place on the way instead")
    with _gc_paused():
        found = _search(g, s, t, vias, avoided, k=k, metric=metric, max_candidates=max_candidates)
    return Paths(found, _notes(found, k=k, weight=metric, s=s, t=t))


def _search(g: nx.DiGraph, s: Where, t: Where, vias: list[Where], avoided: list[Where], *, k: int,
            metric: str, max_candidates: int) -> list[PathAnswer]:
    """Yen's k shortest simple paths on the search graph, keeping those that touch every ``via``."""
    h = _hook(search_graph(g, avoid=avoided, weights=(metric,)), g, s, t)
    found: list[PathAnswer] = []
    seen: set[tuple[Any, ...]] = set()
    if SOURCE in h and TARGET in h and nx.has_path(h, SOURCE, TARGET):
        for path in islice(nx.shortest_simple_paths(h, SOURCE, TARGET, weight=metric), max_candidates):
            inner = path[1:-1]
            if not all(_touches(g, h, inner, w) for w in vias):
                continue
            key = tuple(n for n in inner if isinstance(n, tuple) and n[0] == "leg")
            if key in seen:
                continue
            seen.add(key)
            found.append(_answer(g, h, inner, s, t))
            if len(found) >= k:
                break
    return found


def _touches(g: nx.DiGraph, h: nx.DiGraph, path: list[Any], where: Where) -> bool:
    for n in path:
        place = _place_of(n)
        if place is not None and where.matches(g, place):
            return True
        if place is None and (where.matches(g, n[1]) or where.matches(g, n[2]) or where.crossed_by(g, n[3])):
            return True
    return False


def _notes(found: list[PathAnswer], *, k: int, weight: str, s: Where, t: Where) -> list[str]:
    notes = []
    if found and len(found) < k:
        notes.append(f"only {len(found)} path{'s' if len(found) != 1 else ''} found (asked for {k}): "
                     f"no other reported route connects {s.label} and {t.label}")
    if weight == "km":
        unknown = {(leg.source, leg.target) for a in found for leg in a.legs if leg.km is None}
        if unknown:
            notes.append(f"--weight km: {len(unknown)} leg{'s' if len(unknown) != 1 else ''} without a distance "
                         f"(an end is a country or has no coordinates: {', '.join(f'{a} -> {b}' for a, b in sorted(unknown))}) "
                         f"counted as {UNKNOWN_KM:,.0f} km and left out of the totals")
    return notes


def _answer(g: nx.DiGraph, h: nx.DiGraph, path: list[Any], s: Where, t: Where) -> PathAnswer:
    legs: list[Leg] = []
    iris: list[str] = []
    train_sets: list[set[str]] = []
    notes = []
    leg_nodes = [n for n in path if isinstance(n, tuple) and n[0] == "leg"]
    for n in leg_nodes:
        d = leg_variant(g, n)
        a, b = d["leg"]
        if not iris:
            iris.append(a)
        iris.append(b)
        legs.append(Leg(label(g, a), label(g, b), d["km"], sorted(d["evidence"], key=lambda e: e["document"]),
                        crosses=[label(g, c) for c in d["crossing"]], trains=sorted(d["trains"])))
        train_sets.append(set(d["trains"]))
    if leg_nodes and _place_of(path[0]) is None:
        notes.append(f"{legs[0].describe()} crosses {s.label}: the path starts on it")
    if leg_nodes and _place_of(path[-1]) is None:
        notes.append(f"{legs[-1].describe()} crosses {t.label}: the path ends on it")
    rides, changes = _rides(train_sets, [g.nodes[n]["label"] for n in iris])
    kms = [leg.km for leg in legs]
    total = round(sum(x for x in kms if x is not None), 1) if any(x is not None for x in kms) else None
    single = min(rides[0]["trains"]) if len(rides) == 1 else None
    return PathAnswer([g.nodes[n]["label"] for n in iris], legs, total, single, True, iris, rides, changes, notes)


def _rides(train_sets: list[set[str]], places: list[str]) -> tuple[list[dict[str, Any]], list[str]]:
    """Fewest train changes along the legs (greedy: ride each train as far as it goes)."""
    rides: list[dict[str, Any]] = []
    changes: list[str] = []
    current: set[str] = set()
    start = 0
    for i, trains in enumerate(train_sets):
        if current and current & trains:
            current &= trains
            continue
        if current:
            rides.append({"from": places[start], "to": places[i], "trains": sorted(current)})
            changes.append(places[i])
        current, start = set(trains), i
    if train_sets:
        rides.append({"from": places[start], "to": places[-1], "trains": sorted(current)})
    return rides, changes


def explain_no_path(g: nx.DiGraph, source: str, target: str, *, via: Sequence[str] = (),
                    avoid: Sequence[str] = ()) -> list[str]:
    """One line saying why no path was found, then what is reachable from and to the ends."""
    s, t = resolve_where(g, source), resolve_where(g, target)
    lines = []
    if (via or avoid) and find_paths(source, target, graph=g):
        plain = find_paths(source, target, graph=g, k=3)
        if avoid:
            lines.append(f"every reported route from {s.label} to {t.label} touches {', '.join(avoid)}: "
                         + " | ".join(a.describe() for a in plain))
        else:
            lines.append(f"no reported route from {s.label} to {t.label} touches {', '.join(via)}; "
                         "without it: " + " | ".join(a.describe() for a in plain))
    else:
        back = find_paths(target, source, graph=g) if s.node or s.country else []
        if back:
            lines.append(f"trains are reported only the other way: {back[0].describe()}")
        else:
            lines.append(f"no reported route connects {s.label} and {t.label}")
    avoided = [resolve_where(g, a) for a in avoid]
    for name in (source, target):
        near = nearest_reachable(g, name, avoid=avoided)
        lines.append(f"  from {resolve_where(g, name).label}: {', '.join(near['reachable_from']) or 'nothing'}; "
                     f"to it: {', '.join(near['reaching']) or 'nothing'}")
    return lines


def nearest_reachable(g: nx.DiGraph, name: str, *, limit: int = 5,
                      avoid: Sequence[Where] = ()) -> dict[str, list[str]]:
    """Places reachable from ``name`` and places that reach it, nearest first (never through a country)."""
    where = resolve_where(g, name)
    h = search_graph(g, avoid=avoid, weights=("hops",))
    ends = {n for n in h if _place_of(n) is not None and where.matches(g, _place_of(n))}

    def labels(reached: dict[Any, float]) -> list[str]:
        out: dict[str, float] = {}
        for n, dist in reached.items():
            place = _place_of(n)
            if place is not None and not where.matches(g, place):
                out[g.nodes[place]["label"]] = min(dist, out.get(g.nodes[place]["label"], dist))
        return [lab for lab, _ in sorted(out.items(), key=lambda kv: (kv[1], kv[0]))][:limit]

    after = nx.multi_source_dijkstra_path_length(h, {n for n in ends if not (isinstance(n, tuple) and n[0] == "in")},
                                                 weight="hops") if ends else {}
    rev = h.reverse(copy=False)
    before = nx.multi_source_dijkstra_path_length(rev, {n for n in ends if not (isinstance(n, tuple) and n[0] == "out")},
                                                  weight="hops") if ends else {}
    return {"reachable_from": labels(after), "reaching": labels(before)}


# -- centrality ------------------------------------------------------------------------------
def pagerank(graph: nx.DiGraph, *, weight: str | None = None, alpha: float = 0.85,
             tol: float = 1.0e-8, max_iter: int = 200) -> dict[Any, float]:
    """PageRank by power iteration, without scipy (networkx's own needs it).

    Dangling nodes (no out-edges) spread their rank evenly, as networkx does; the result sums to 1.
    """
    nodes = list(graph)
    n = len(nodes)
    if n == 0:
        return {}
    out_w = {u: sum(d.get(weight, 1.0) if weight else 1.0 for _, _, d in graph.out_edges(u, data=True))
             for u in nodes}
    rank = dict.fromkeys(nodes, 1.0 / n)
    for _ in range(max_iter):
        dangling = alpha * sum(rank[u] for u in nodes if out_w[u] == 0) / n
        new = dict.fromkeys(nodes, (1.0 - alpha) / n + dangling)
        for u, v, d in graph.edges(data=True):
            w = d.get(weight, 1.0) if weight else 1.0
            new[v] += alpha * rank[u] * w / out_w[u]
        if sum(abs(new[u] - rank[u]) for u in nodes) < tol * n:
            return new
        rank = new
    return rank


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

    Cities and ports are ranked by ``metric`` on a network where no path passes through a
    country.  Countries (``types=["Country"]``) are ranked separately, by the legs that cross
    them (``metric`` "legs crossing"), then by trains.

    Parameters
    ----------
    metric
        ``degree``, ``betweenness``, ``closeness``, ``pagerank`` or ``edge-betweenness``.
    top
        How many to return (of each kind, when countries are asked for too).
    types
        Keep only these place types (``City``, ``Port``, ``Country``); default cities and ports.
    weighted
        Weigh legs by the number of trains reported on them.  Path-based measures read
        weights as distances, so a leg with n trains counts as 1/n long.
    store, graph
        The network: ``graph`` from :func:`route_network`, else read from ``store``.

    Returns
    -------
    list of dict
        ``label``, ``type``, ``country``, ``score``, ``metric`` (and ``legs``, ``trains`` for
        countries), best first.
    """
    if metric not in METRICS:
        raise InputError(f"unknown metric {metric!r}: use one of {', '.join(METRICS)}")
    wanted = {t.capitalize() for t in types}
    if wanted - set(TYPES):
        raise InputError(f"unknown place type {', '.join(sorted(wanted - set(TYPES)))}: use City, Port or Country")
    g = graph if graph is not None else route_network(store=store)
    rows: list[dict[str, Any]] = []
    if not wanted or wanted - {"Country"}:
        rows += _central_places(g, metric, top, wanted - {"Country"} or {"City", "Port"}, weighted)
    if "Country" in wanted:
        rows += countries_crossed(g)[:top]
    return rows


def _central_places(g: nx.DiGraph, metric: str, top: int, wanted: set[str], weighted: bool) -> list[dict[str, Any]]:
    p = place_graph(g)
    connected = p.subgraph([n for n in p if p.degree(n) > 0]).copy()
    for _, _, d in connected.edges(data=True):
        d["distance"] = 1.0 / max(1, d.get("n_trains", 1))
        d["trains_weight"] = float(max(1, d.get("n_trains", 1)))
    dist = "distance" if weighted else None
    name = metric + (" (weighted by trains)" if weighted else "")
    if metric == "edge-betweenness":
        scores = edge_betweenness(connected, weight=dist)
        edge_rows = []
        for (u, v), s in scores.items():
            a, b = str(_place_of(u)), str(_place_of(v))
            crosses = g.edges[a, b].get("crosses", [])
            text = f"{label(g, a)} → {label(g, b)}" + (f" (crossing {', '.join(crosses)})" if crosses else "")
            edge_rows.append({"label": text, "type": "Leg", "country": "", "score": round(s, 4), "metric": name})
        return sorted(edge_rows, key=lambda r: (-r["score"], r["label"]))[:top]
    if metric == "degree":
        values: dict[Any, float] = dict(connected.degree(weight="trains_weight" if weighted else None))
    elif metric == "betweenness":
        values = betweenness(connected, weight=dist)
    elif metric == "closeness":
        values = nx.closeness_centrality(connected.to_undirected(as_view=True), distance=dist)
    else:
        values = pagerank(connected, weight="trains_weight" if weighted else None)
    ranked = sorted(((n, s) for n, s in values.items() if isinstance(n, str) and g.nodes[n]["type"] in wanted),
                    key=lambda kv: (-kv[1], g.nodes[kv[0]]["label"]))[:top]
    return [{"label": g.nodes[n]["label"], "type": g.nodes[n]["type"], "country": g.nodes[n]["country"],
             "score": round(s, 4), "metric": name} for n, s in ranked]


def countries_crossed(g: nx.DiGraph) -> list[dict[str, Any]]:
    """Countries ranked by the legs (place-to-place edges) that cross them, then by trains."""
    legs: dict[str, set[tuple[str, str]]] = {}
    trains: dict[str, set[str]] = {}
    for a, b, d in g.edges(data=True):
        for crossing, ts in _variants(d).items():
            for c in crossing:
                legs.setdefault(c, set()).add((a, b))
                trains.setdefault(c, set()).update(ts)
    rows = [{"label": label(g, c), "type": "Country", "country": country_code(g, c), "score": len(legs[c]),
             "legs": len(legs[c]), "trains": len(trains[c]), "metric": "legs crossing"} for c in legs]
    return sorted(rows, key=lambda r: (-r["legs"], -r["trains"], r["label"]))
