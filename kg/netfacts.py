"""Facts shaped for the route network: one JSON literal per article graph, read with one query.

Reading the route network with the joins of :mod:`kg.network` (legs, trains, stops, crossings,
sentences) walks the on-disk index one lookup at a time: about a minute at a million triples.
So every article graph also carries, on its Document, one ``kgo:networkFacts`` literal: the
triples of that graph the network reads, as compact JSON.  The network then reads one literal
per article and merges them in Python (:func:`merge`), as the union default graph merges the
article graphs.

The literal is a projection of the graph it sits in (:func:`project`, run on the very graph
that is stored), so it is replaced and removed with that graph.  Stores without it (made by an
older ``kg``, or N-Quads from elsewhere) are read with SPARQL as before; so is a store whose
literals do not account for every leg and train it holds.

Format (``"v": 1``), positional to stay small and quick to read:

- ``n``: the IRIs the literal names, each without :data:`kg.settings.resource` (others in
  ``<...>``); everywhere else an IRI is its index in this list;
- ``t``: one row per kgo:Train, ``[train, docs, origins, destinations, cargo, statuses, dates,
  precisions, containers, transits]``: lists of the values of kgo:sourceDocument, kgo:origin,
  kgo:destination, kgo:cargo (IRIs), kgo:status, kgo:departureDate, kgo:datePrecision (texts),
  kgo:containers (integers), and ``[sequence, place]`` of each kgo:transit stop;
- ``l``: one row per kgo:Leg, ``[leg, trains, froms, tos, crossings, evidence]``: kgo:legOf,
  kgo:fromPlace, kgo:toPlace, ``[sequence, country]`` of each kgo:crossing, and indexes into ``s``;
- ``s``: ``[text, document]`` of each kgo:Sentence a leg cites (kgo:text, kgo:sourceDocument).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from . import settings

if TYPE_CHECKING:
    from rdflib import Graph
    from rdflib.term import Node

FORMAT = 1
"""Version of the literal's layout; a reader that meets another reads the store with SPARQL."""


TRAIN_FIELDS = ("docs", "origin", "destinations", "cargo", "status", "date", "precision", "containers",
                "transits")
"""The fields of a train row after its IRI, in order (the first four IRIs, the next three texts)."""
LEG_FIELDS = ("trains", "from", "to", "crossings", "evidence")
"""The fields of a leg row after its IRI, in order."""


PLACES_QUERY = """
SELECT DISTINCT ?place ?label ?type ?cc ?lat ?long WHERE {
  ?place a ?cls ; rdfs:label ?label ; kgo:countryCode ?cc .
  VALUES (?cls ?type) { (kgo:City "City") (kgo:Port "Port") (kgo:Country "Country") }
  FILTER(EXISTS { ?place kgo:mentionedIn ?doc } || EXISTS { ?inside kgo:locatedIn ?place ; kgo:mentionedIn ?doc2 }
         || EXISTS { ?leg kgo:fromPlace|kgo:toPlace|kgo:crosses ?place })
  OPTIONAL { ?place geo:lat ?lat ; geo:long ?long }
} ORDER BY ?type ?label
"""
"""The places of the network and of `kg places`: typed, labelled, mentioned or on a leg (kg.network, kg.sparql)."""


def short(iri: str) -> str:
    """An IRI as the literal writes it: without the resource namespace, else in ``<...>``."""
    base = settings.resource
    return iri[len(base):] if iri.startswith(base) else f"<{iri}>"


def full(name: str) -> str:
    """The IRI a name of the literal stands for (the inverse of :func:`short`)."""
    return name[1:-1] if name.startswith("<") else settings.resource + name


class _Names:
    """The literal's table of IRIs: each IRI once, referred to by its index."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def __call__(self, iri: Node) -> int:
        return self.index.setdefault(short(str(iri)), len(self.index))

    def all(self, g: _Index, subject: Node, predicate: Node) -> list[int]:
        return sorted({self(o) for o in g.objects(subject, predicate)})


class _Index:
    """A graph's triples by subject and predicate, read in one pass.

    Quicker than one look-up in the graph per value (:func:`project` makes a few dozen per
    train); the values of a subject and predicate keep the order the graph gives them in.
    """

    def __init__(self, g: Graph) -> None:
        self.by: dict[Node, dict[Node, list[Node]]] = {}
        for s, p, o in g:
            self.by.setdefault(s, {}).setdefault(p, []).append(o)

    def objects(self, subject: Node, predicate: Node) -> list[Node]:
        return self.by.get(subject, {}).get(predicate, [])

    def subjects(self, predicate: Node, value: Node) -> list[Node]:
        return [s for s, values in self.by.items() if value in values.get(predicate, ())]


def project(g: Graph) -> dict[str, Any]:
    """What the route network reads from one article graph (see the module's docstring)."""
    from rdflib import RDF

    from .rdf import KGO

    names, index = _Names(), _Index(g)
    trains = []
    for t in sorted(set(index.subjects(RDF.type, KGO.Train)), key=str):
        row: list[Any] = [names(t)]
        row += [names.all(index, t, p) for p in (KGO.sourceDocument, KGO.origin, KGO.destination, KGO.cargo)]
        row += [sorted({str(o) for o in index.objects(t, p)})
                for p in (KGO.status, KGO.departureDate, KGO.datePrecision)]
        row.append(sorted({int(o) for o in index.objects(t, KGO.containers)}))  # type: ignore[call-overload]
        row.append(sorted({(int(seq), names(place))  # type: ignore[call-overload]
                           for stop in index.objects(t, KGO.transit)
                           for seq in index.objects(stop, KGO.sequence)
                           for place in index.objects(stop, KGO.place)}))
        trains.append(row)
    sentences: dict[tuple[str, int], int] = {}
    legs = []
    for leg in sorted(set(index.subjects(RDF.type, KGO.Leg)), key=str):
        row = [names(leg)] + [names.all(index, leg, p) for p in (KGO.legOf, KGO.fromPlace, KGO.toPlace)]
        row.append(sorted({(int(seq), names(country))  # type: ignore[call-overload]
                           for c in index.objects(leg, KGO.crossing)
                           for seq in index.objects(c, KGO.sequence)
                           for country in index.objects(c, KGO.country)}))
        row.append(sorted({sentences.setdefault((str(text), names(doc)), len(sentences))
                           for s in index.objects(leg, KGO.evidenceSentence)
                           for text in index.objects(s, KGO.text)
                           for doc in index.objects(s, KGO.sourceDocument)}))
        legs.append(row)
    return {"v": FORMAT, "n": list(names.index), "t": trains, "l": legs, "s": [list(k) for k in sentences]}


def to_json(facts: dict[str, Any]) -> str:
    """The literal's text: compact JSON (non-ASCII text kept as it is)."""
    return json.dumps(facts, ensure_ascii=False, separators=(",", ":"))


class Merged:
    """The union of several articles' facts, keyed by full IRIs.

    ``trains[t]`` is the list of :data:`TRAIN_FIELDS`, ``legs[leg]`` of :data:`LEG_FIELDS`,
    each a collection of values (IRIs in full, ``(sequence, IRI)`` pairs for transits and
    crossings, ``(sentence text, document IRI)`` pairs for evidence).  A train or leg that
    several articles give (a train told by several copies of a story is one IRI in several
    graphs) holds the union of their values, as the union default graph does.
    """

    def __init__(self) -> None:
        self.trains: dict[str, list[Any]] = {}
        self.legs: dict[str, list[Any]] = {}
        self._pool: dict[str, str] = {}

    def add(self, facts: dict[str, Any]) -> None:
        """Merge one article's facts (as :func:`project` gives them) into these."""
        if facts.get("v") != FORMAT:
            raise ValueError(f"network facts of format {facts.get('v')!r}, not {FORMAT}")
        base, pool = settings.resource, self._pool
        iris = (name[1:-1] if name[0] == "<" else base + name for name in facts["n"])
        n = [pool.setdefault(x, x) for x in iris]
        sentences = [(text, n[doc]) for text, doc in facts["s"]]
        for t, docs, origins, dests, cargo, statuses, dates, precisions, containers, transits in facts["t"]:
            row = [[n[i] for i in docs], [n[i] for i in origins], [n[i] for i in dests],
                   [n[i] for i in cargo], [pool.setdefault(x, x) for x in statuses],
                   [pool.setdefault(x, x) for x in dates], [pool.setdefault(x, x) for x in precisions],
                   containers, [(seq, n[i]) for seq, i in transits]]
            _put(self.trains, n[t], row)
        for leg, trains, froms, tos, crossings, evidence in facts["l"]:
            row = [[n[i] for i in trains], [n[i] for i in froms], [n[i] for i in tos],
                   [(seq, n[i]) for seq, i in crossings], [sentences[i] for i in evidence]]
            _put(self.legs, n[leg], row)


def _put(into: dict[str, list[Any]], iri: str, row: list[Any]) -> None:
    """Store a row, or merge it into the one another article gave for the same IRI (field by field)."""
    before = into.get(iri)
    if before is None:
        into[iri] = row
    else:
        into[iri] = [set(old) | set(new) for old, new in zip(before, row, strict=True)]


def merge(texts: Iterable[str]) -> Merged:
    """The union of the facts of several ``kgo:networkFacts`` literals.

    Raises
    ------
    ValueError
        When a literal is not JSON of this format (the caller then reads the store with SPARQL).
    """
    merged = Merged()
    for text in texts:
        merged.add(json.loads(text))
    return merged
