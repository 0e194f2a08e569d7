"""Facts to triples: the vocabulary and the IRIs ``kg`` mints, and one graph per article.

Every article becomes one named graph whose name is the article's Document IRI, so that
re-ingesting an edited article replaces exactly its facts.  Places are described in every
graph that mentions them (label, type, country, coordinates, aliases seen there); the union
of the graphs is what queries see.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import quote

from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV
from rdflib.plugins.stores.memory import SimpleMemory
from rdflib.term import Node

from . import settings
from .gazetteer import Place
from .model import Article, Route
from .netfacts import project, to_json


class _Terms(Namespace):
    """A namespace that makes each of its attribute terms once.

    ``KGO.Train`` on a plain :class:`~rdflib.Namespace` makes (and checks) a new URIRef each
    time; an article graph names such terms hundreds of times.  Here the first use keeps the
    term on the namespace, so later uses are plain attribute look-ups of the same URIRef.
    Items (``KGR["doc/..."]``) are made each time, as by a plain namespace: they are many.
    """

    def __getattr__(self, name: str) -> URIRef:
        term = super().__getattr__(name)
        self.__dict__[name] = term
        return term


KGO = _Terms(settings.ontology)
KGR = _Terms(settings.resource)
GEO = _Terms("http://www.w3.org/2003/01/geo/wgs84_pos#")
GEONAMES = "https://sws.geonames.org/{}/"
WIKIDATA = "http://www.wikidata.org/entity/{}"

PREFIXES: dict[str, Namespace] = {
    "kgo": KGO, "kgr": KGR, "rdf": Namespace(str(RDF)), "rdfs": Namespace(str(RDFS)),
    "skos": Namespace(str(SKOS)), "geo": GEO, "prov": Namespace(str(PROV)),
    "dcterms": Namespace(str(DCTERMS)), "owl": Namespace(str(OWL)), "xsd": Namespace(str(XSD)),
}
EXTRACTOR = KGR["extractor/"]
SHARED_GRAPH = KGR["graph/shared"]

Triple = tuple[Node, Node, Node]

PLACE_CACHE = 16_384
"""How many places' descriptions :func:`place_triples` keeps made (a build names a few thousand)."""


class _TripleSet(SimpleMemory):
    """rdflib's SimpleMemory store that also keeps its triples in order, for :func:`new_graph`.

    An article's graph is made, read a few times (checked, projected, written) and dropped.
    rdflib's default Memory store keeps per-triple bookkeeping of contexts that such a graph
    never uses (half the cost of adding a triple, most of iterating over them), and
    SimpleMemory counts its triples by walking them; with a dict of them, ``len`` and iterating
    over all triples (in the order they were added) are dict operations.  Patterns are answered from a copy, as Memory does, so a
    caller may change the graph while it reads.
    """

    def __init__(self) -> None:
        super().__init__()
        self._all: dict[Triple, None] = {}

    def add(self, triple: Triple, context: Any, quoted: bool = False) -> None:  # type: ignore[override]
        """Add a triple to the indexes and the set."""
        super().add(triple, context, quoted)
        self._all[triple] = None

    def remove(self, triple_pattern: Any, context: Any = None) -> None:
        """Remove the matching triples from the indexes and the set."""
        super().remove(triple_pattern, context)
        self._all = dict.fromkeys(t for t, _ in super().triples((None, None, None)))

    def triples(self, triple_pattern: Any, context: Any = None) -> Iterator[tuple[Triple, Iterator[Any]]]:
        """The matching triples, each with no contexts (as SimpleMemory gives them)."""
        s, p, o = triple_pattern
        if s is None and p is None and o is None:
            return ((t, iter(())) for t in tuple(self._all))
        return iter(list(super().triples(triple_pattern, context)))

    def __len__(self, context: Any = None) -> int:
        """The number of triples."""
        return len(self._all)


def new_graph() -> Graph:
    """An empty graph in the quick store of :class:`_TripleSet` (the graphs :mod:`kg.rdf` makes)."""
    return Graph(store=_TripleSet())


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace ``kg`` uses (prepended to user queries)."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def place_iri(place: Place) -> URIRef:
    """Stable IRI of a place, derived from its GeoNames id, curated id or ISO code."""
    return _resource(place.key)


@lru_cache(maxsize=PLACE_CACHE)
def _resource(name: str) -> URIRef:
    """``KGR[name]``, made once for the names of places (an article graph repeats them)."""
    return KGR[name]


def document_iri(article: Article) -> URIRef:
    """IRI of an article (and of its named graph): ``doc/`` + :attr:`Article.key`.

    The key comes from the article's canonical URL when it has one, else from its text, so the
    same article saved under two file names is one document and a renamed file stays the same
    document (:mod:`kg.identity`).
    """
    if not isinstance(article, Article):
        raise TypeError("document_iri takes the Article (its IRI comes from its URL or text, not its file name)")
    return KGR["doc/" + article.key]


def legacy_document_iri(name: str) -> URIRef:
    """The IRI ``kg`` gave an article before document identity: from its file name (old stores)."""
    slug = quote(_visible(name), safe="")
    return KGR["doc/" + (slug[:-1] + "%2E" if slug.endswith(".") else slug)]


def is_legacy_document(iri: str) -> bool:
    """Whether a document IRI was minted from a file name by an older ``kg``."""
    from .identity import KEY

    return str(iri).startswith(str(KGR["doc/"])) and not KEY.match(str(iri).rsplit("/", 1)[-1])


def cargo_iri(name: str) -> URIRef:
    """IRI of a normalised cargo name: lower-case words joined by hyphens, with no invisible,
    control or punctuation characters (so every RDF syntax writes it as a plain name)."""
    words = [w for w in re.split(r"[\W_]+", _visible(name).lower()) if w]
    return KGR["cargo/" + quote("-".join(words) or "unnamed", safe="-")]


def _visible(text: str) -> str:
    """Text without control and format characters (zero-width joiners, bidi marks, BOM)."""
    return "".join(c for c in text if unicodedata.category(c) not in {"Cc", "Cf"} or c in "\n\t")


def article_graph(article: Article, *, version: str, signature: str | None = None,
                  train_iris: dict[int, URIRef] | None = None) -> Graph:
    """All triples one article yields, ready to be stored as its named graph.

    ``signature`` is the article's MinHash (:func:`kg.dedup.signature`), kept as
    ``kgo:minhash`` so later builds recognise copies; ``train_iris`` maps a train's number
    (:func:`train_groups`) to the IRI of the same train told by a copy of this article.  The
    Document also carries ``kgo:networkFacts``, what the route network reads from the graph
    as one JSON literal (:mod:`kg.netfacts`).
    """
    g = new_graph()
    doc = document_iri(article)
    g.add((doc, RDF.type, KGO.Document))
    name = Literal(article.name)
    g.add((doc, RDFS.label, name))
    g.add((doc, KGO.fileName, name))
    g.add((doc, KGO.sha256, Literal(article.sha256)))
    g.add((doc, PROV.generatedAtTime, Literal(dt.datetime.now(dt.UTC).replace(microsecond=0),
                                              datatype=XSD.dateTime)))
    g.add((doc, PROV.wasGeneratedBy, EXTRACTOR + quote(version, safe="")))
    if article.date is not None:
        g.add((doc, DCTERMS.date, Literal(article.date, datatype=XSD.date)))
    if signature is not None:
        g.add((doc, KGO.minhash, Literal(signature)))
    for place, seen in _seen(article).items():
        iri = place_iri(place)
        g.add((iri, KGO.mentionedIn, doc))
        for alias in seen:
            if alias.strip() and alias != place.label:
                g.add((iri, SKOS.altLabel, _word(alias.strip())))
    if article.source:
        g.add((doc, DCTERMS.source, _source_term(article.source)))
    if article.title:
        g.add((doc, DCTERMS.title, Literal(_visible(article.title).strip())))
    if article.publisher:
        g.add((doc, DCTERMS.publisher, Literal(_visible(article.publisher).strip())))
    sentences = _sentence_nodes(g, article, doc)
    for n, routes in train_groups(article):
        _describe_train(g, routes, doc, (train_iris or {}).get(n) or train_iri(doc, n), sentences)
    g.add((doc, KGO.networkFacts, Literal(to_json(project(g)))))  # last: it projects the graph above
    return g


def train_groups(article: Article) -> list[tuple[int, list[Route]]]:
    """The article's trains, numbered from 1 as their IRIs are: each the routes of one train."""
    return list(enumerate(_trains(article.routes), start=1))


def train_via(routes: list[Route]) -> list[Place]:
    """A train's transit stops in order: the first branch's, then any other branch's new ones."""
    via: list[Place] = []
    for route in routes:
        via += [p for p in route.via if p not in via]
    return via


def train_leg_ends(routes: list[Route]) -> list[tuple[int, BranchLeg]]:
    """The distinct legs of a train, numbered as their IRIs are (``{train}/leg/N``).

    The shared start of several branches is one leg.
    """
    out: list[tuple[int, BranchLeg]] = []
    written: set[tuple[int, str, str, tuple[str, ...]]] = set()
    for route in routes:
        for seq, leg in enumerate(branch_legs(route), start=1):
            key = (seq, leg.start.key, leg.end.key, tuple(c.key for c in leg.crosses))
            if key not in written:
                written.add(key)
                out.append((len(written), leg))
    return out


def sentence_iri(doc: URIRef, n: int) -> URIRef:
    """IRI of the ``n``-th (1-based, in text order) evidence sentence of an article."""
    return URIRef(f"{KGR}sentence/{quote(str(doc).rsplit('/', 1)[-1], safe='')}/{n}")


def _evidence_texts(article: Article) -> list[str]:
    """Every distinct text a train or leg of the article cites, in first-use order."""
    texts: list[str] = []
    for route in article.routes:
        texts += [route.evidence, *route.sentences]
        texts += [t for leg in branch_legs(route) for t in leg.evidence]
    return list(dict.fromkeys(t for t in texts if t))


def _sentence_nodes(g: Graph, article: Article, doc: URIRef) -> dict[str, URIRef]:
    """One kgo:Sentence per distinct cited text, numbered in text order; text -> its IRI.

    Trains and legs point at these nodes (kgo:evidenceSentence, kgo:contributingSentence)
    instead of repeating the text: a long sentence that supports many legs is stored once.
    """
    texts = _evidence_texts(article)
    offsets = {t: article.text.find(t) for t in texts}
    first = {t: k for k, t in enumerate(texts)}
    order = sorted(texts, key=lambda t: (offsets[t] < 0, offsets[t], first[t]))
    nodes: dict[str, URIRef] = {}
    for n, text in enumerate(order, start=1):
        iri = nodes[text] = sentence_iri(doc, n)
        g.add((iri, RDF.type, KGO.Sentence))
        g.add((iri, KGO.text, Literal(text)))
        g.add((iri, KGO.sequence, _number(n)))
        g.add((iri, KGO.sourceDocument, doc))
        if offsets[text] >= 0:
            g.add((iri, KGO.offset, Literal(offsets[text])))
    return nodes


def shared_graph(article: Article, *, countries: dict[str, Place] | None = None) -> Graph:
    """Facts about the places (and their countries) and cargo kinds an article names.

    These are knowledge about the world, not claims of the article, so they live once in the
    shared graph :data:`SHARED_GRAPH` instead of once per article: a join over labels then
    meets each place or cargo once, not once per article that names it (Oxigraph's union
    default graph does not deduplicate).
    """
    triples: set[Triple] = set()
    for route in article.routes:
        for item in route.cargo:
            triples.update(_cargo_triples(item))
    places = set(_seen(article))
    for route in article.routes:
        places |= {p for p in (route.origin, route.destination, *route.via) if p is not None}
    for place in places:
        triples.update(place_triples(place))
        if place.type != "Country" and countries and place.country in countries:
            triples.update(place_triples(countries[place.country]))
    g = new_graph()
    for triple in triples:
        g.add(triple)
    return g


@lru_cache(maxsize=4096)
def _cargo_triples(name: str) -> tuple[Triple, ...]:
    """The type and label of a cargo kind in the shared graph."""
    iri = cargo_iri(name)
    return (iri, RDF.type, KGO.Cargo), (iri, RDFS.label, Literal(name))


def _source_term(source: str) -> URIRef | Literal:
    """An article's address as an IRI when it is a well-formed http(s) URL, else as text."""
    text = source.strip()
    if re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", text):
        return URIRef(text)
    return Literal(text)


def _seen(article: Article) -> dict[Place, set[str]]:
    seen: dict[Place, set[str]] = {}
    for m in article.mentions:
        seen.setdefault(m.place, set()).add(m.text)
    return seen


def place_triples(place: Place) -> tuple[Triple, ...]:
    """The triples that describe a place in the shared graph: type, labels, country, coordinates, links.

    Made once per place (an article graph names the same places again and again) and shared
    by every graph that describes it: the terms are immutable.
    """
    return _place_triples(place, place.aliases)


@lru_cache(maxsize=PLACE_CACHE)
def _place_triples(place: Place, aliases: tuple[str, ...]) -> tuple[Triple, ...]:
    """:func:`place_triples`, cached.

    ``aliases`` is the place's own, in the cache's key because places compare without their
    aliases (two equal places may still differ there).
    """
    iri = place_iri(place)
    label = Literal(place.label)
    out: list[Triple] = [(iri, RDF.type, KGO[place.type]), (iri, RDFS.label, label),
                         (iri, SKOS.prefLabel, label), (iri, KGO.countryCode, Literal(place.country))]
    for alias in aliases if place.type != "Country" else ():
        if alias.strip() and alias != place.label:
            out.append((iri, SKOS.altLabel, Literal(alias.strip())))
    if place.type != "Country":
        out.append((iri, KGO.locatedIn, KGR[f"country/{place.country}"]))
    if place.lat is not None and place.lon is not None:
        out += [(iri, GEO.lat, _decimal(round(place.lat, 5))), (iri, GEO.long, _decimal(round(place.lon, 5)))]
    if place.geonameid:
        out.append((iri, OWL.sameAs, URIRef(GEONAMES.format(place.geonameid))))
    if place.wikidata:
        out.append((iri, OWL.sameAs, URIRef(WIKIDATA.format(place.wikidata))))
    return tuple(out)


def _trains(routes: list[Route]) -> list[list[Route]]:
    """Routes grouped into trains: one group per distinct ``Route.train`` index, in order.

    Routes that share an index but not an origin cannot be one train (a train leaves from one
    place); they are split by origin so that no fact is lost or invented.
    """
    groups: dict[tuple[int, str | None], list[Route]] = {}
    for route in routes:
        key = (route.train, route.origin.key if route.origin else None)
        groups.setdefault(key, []).append(route)
    return list(groups.values())


def train_iri(doc: URIRef, n: int) -> URIRef:
    """IRI of the ``n``-th train (1-based) of an article."""
    return URIRef(f"{KGR}train/{quote(str(doc).rsplit('/', 1)[-1], safe='')}/{n}")


def _describe_train(g: Graph, routes: list[Route], doc: URIRef, train: URIRef,
                    sentences: dict[str, URIRef]) -> None:
    """One kgo:Train for the routes of one train: several destinations, legs per branch."""
    first = routes[0]
    destinations = list(dict.fromkeys(r.destination for r in routes if r.destination is not None))
    g.add((train, RDF.type, KGO.Train))
    ends = ", ".join(p.label for p in destinations) or "?"
    g.add((train, RDFS.label, Literal(f"train {first.origin.label if first.origin else '?'} → {ends}")))
    g.add((train, KGO.sourceDocument, doc))
    g.add((train, PROV.wasDerivedFrom, doc))
    g.add((train, KGO.status, _word(first.status)))
    for route in routes:
        if route.evidence:
            g.add((train, KGO.evidenceSentence, sentences[route.evidence]))
        for sentence in route.sentences:
            if sentence:
                g.add((train, KGO.contributingSentence, sentences[sentence]))
        for item in route.cargo:
            g.add((train, KGO.cargo, cargo_iri(item)))
    if first.origin is not None:
        g.add((train, KGO.origin, place_iri(first.origin)))
    for place in destinations:
        g.add((train, KGO.destination, place_iri(place)))
    via = train_via(routes)
    for k, place in enumerate(via, start=1):
        stop = URIRef(f"{train}/stop/{k}")
        g.add((train, KGO.transit, stop))
        g.add((train, KGO.passesThrough, place_iri(place)))
        g.add((stop, RDF.type, KGO.TransitStop))
        g.add((stop, KGO.place, place_iri(place)))
        g.add((stop, KGO.sequence, _number(k)))
    written: dict[tuple[int, str, str, tuple[str, ...]], URIRef] = {}
    for route in routes:
        for seq, leg in enumerate(branch_legs(route), start=1):
            key = (seq, leg.start.key, leg.end.key, tuple(c.key for c in leg.crosses))
            if key in written:  # the shared start of several branches is one leg
                for text in leg.evidence:
                    g.add((written[key], KGO.evidenceSentence, sentences[text]))
                continue
            iri = written[key] = URIRef(f"{train}/leg/{len(written) + 1}")
            _describe_leg(g, iri, train, seq, leg, sentences)
    for prop, value, dtype in (
        (KGO.containers, first.containers, XSD.integer), (KGO.teu, first.teu, XSD.integer),
        (KGO.weightTonnes, first.tonnes, XSD.decimal), (KGO.journeyDays, first.days, XSD.decimal),
    ):
        if value is not None:
            g.add((train, prop, _decimal(value) if dtype == XSD.decimal else Literal(value, datatype=dtype)))
    if first.date is not None:
        g.add((train, KGO.departureDate, Literal(first.date, datatype=XSD.date)))
        if first.date_precision is not None:
            g.add((train, KGO.datePrecision, _word(first.date_precision)))
        if first.date_basis is not None:
            g.add((train, KGO.dateBasis, _word(first.date_basis)))


@dataclass
class BranchLeg:
    """A leg between two specific places of one branch of a train, with the countries it crosses."""

    start: Place
    end: Place
    crosses: list[Place]
    evidence: list[str]


def branch_legs(route: Route) -> list[BranchLeg]:
    """The legs of one route: consecutive specific places, countries between them as crossings.

    The origin and destination may be countries (the text names no city there): they are the
    ends of the first and last leg.  A country in ``via`` is never an end: it is crossed by the
    leg between the specific places around it.  Each leg keeps the evidence of the stop pairs it
    spans (``Route.leg_evidence``, aligned with origin, via..., destination), or the route's
    sentence.
    """
    stops: list[Place | None] = [route.origin, *route.via, route.destination]
    pair_text = list(route.leg_evidence)
    known = [(i, p) for i, p in enumerate(stops) if p is not None]
    # indexes in ``stops`` of the places that end legs: origin, specific vias, destination
    ends = [(i, p) for k, (i, p) in enumerate(known)
            if p.type != "Country" or k == 0 and i == 0 or k == len(known) - 1 and i == len(stops) - 1]
    # index among the known stops, to read leg_evidence (written over the known stops in order)
    position = {i: k for k, (i, _) in enumerate(known)}
    out = []
    for (i, a), (j, b) in zip(ends, ends[1:]):
        crosses = [p for p in stops[i + 1:j] if p is not None and p.type == "Country"]
        texts = [pair_text[k] for k in range(position[i], position[j]) if k < len(pair_text) and pair_text[k]]
        evidence = _without_repeats(texts) or ([route.evidence] if route.evidence else [])
        if a != b:
            out.append(BranchLeg(a, b, crosses, evidence))
    return out


def _without_repeats(texts: list[str]) -> list[str]:
    """Distinct texts, dropping any that another one contains (a sentence already in a longer span)."""
    unique = list(dict.fromkeys(t.strip() for t in texts if t.strip()))
    return [t for t in unique if not any(t != other and t in other for other in unique)]


def _describe_leg(g: Graph, iri: URIRef, train: URIRef, seq: int, leg: BranchLeg,
                  sentences: dict[str, URIRef]) -> None:
    g.add((iri, RDF.type, KGO.Leg))
    g.add((iri, KGO.legOf, train))
    g.add((iri, KGO.sequence, _number(seq)))
    g.add((iri, KGO.fromPlace, place_iri(leg.start)))
    g.add((iri, KGO.toPlace, place_iri(leg.end)))
    for text in leg.evidence:
        g.add((iri, KGO.evidenceSentence, sentences[text]))
    for k, country in enumerate(leg.crosses, start=1):
        crossing = URIRef(f"{iri}/crossing/{k}")
        g.add((iri, KGO.crosses, place_iri(country)))
        g.add((iri, KGO.crossing, crossing))
        g.add((crossing, RDF.type, KGO.CountryCrossing))
        g.add((crossing, KGO.country, place_iri(country)))
        g.add((crossing, KGO.sequence, _number(k)))


def _decimal(value: float) -> Literal:
    """An xsd:decimal literal whose Python value is a Decimal (as rdflib parses one back)."""
    return Literal(Decimal(str(value)), datatype=XSD.decimal)


@lru_cache(maxsize=1024)
def _number(n: int) -> Literal:
    """The xsd:integer literal of a sequence number, made once (every train's stops count 1, 2...)."""
    return Literal(n)


@lru_cache(maxsize=4096)
def _word(text: str) -> Literal:
    """The plain literal of a short text many graphs repeat (a status, a place's name), made once."""
    return Literal(text)
