"""Facts to triples: the vocabulary and the IRIs ``kg`` mints, and one graph per article.

Every article becomes one named graph whose name is the article's Document IRI, so that
re-ingesting an edited article replaces exactly its facts.  Places are described in every
graph that mentions them (label, type, country, coordinates, aliases seen there); the union
of the graphs is what queries see.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from urllib.parse import quote

from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, PROV

from . import settings
from .gazetteer import Place
from .model import Article, Route

KGO = Namespace(settings.ontology)
KGR = Namespace(settings.resource)
GEO = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")
GEONAMES = "https://sws.geonames.org/{}/"
WIKIDATA = "http://www.wikidata.org/entity/{}"

PREFIXES: dict[str, Namespace] = {
    "kgo": KGO, "kgr": KGR, "rdf": Namespace(str(RDF)), "rdfs": Namespace(str(RDFS)),
    "skos": Namespace(str(SKOS)), "geo": GEO, "prov": Namespace(str(PROV)),
    "dcterms": Namespace(str(DCTERMS)), "owl": Namespace(str(OWL)), "xsd": Namespace(str(XSD)),
}
EXTRACTOR = KGR["extractor/"]
SHARED_GRAPH = KGR["graph/shared"]


def sparql_prefixes() -> str:
    """PREFIX lines for every namespace ``kg`` uses (prepended to user queries)."""
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in PREFIXES.items())


def place_iri(place: Place) -> URIRef:
    """Stable IRI of a place, derived from its GeoNames id, curated id or ISO code."""
    return KGR[place.key]


def document_iri(name: str) -> URIRef:
    """IRI of an article (and of its named graph), from its file name."""
    return KGR["doc/" + quote(name, safe="")]


def cargo_iri(name: str) -> URIRef:
    """IRI of a normalised cargo name."""
    return KGR["cargo/" + quote(re.sub(r"\s+", "-", name.strip().lower()), safe="-")]


def article_graph(article: Article, *, version: str) -> Graph:
    """All triples one article yields, ready to be stored as its named graph."""
    g = Graph()
    doc = document_iri(article.name)
    g.add((doc, RDF.type, KGO.Document))
    g.add((doc, RDFS.label, Literal(article.name)))
    g.add((doc, KGO.fileName, Literal(article.name)))
    g.add((doc, KGO.sha256, Literal(article.sha256)))
    g.add((doc, PROV.generatedAtTime, Literal(dt.datetime.now(dt.UTC).replace(microsecond=0),
                                              datatype=XSD.dateTime)))
    g.add((doc, PROV.wasGeneratedBy, EXTRACTOR + quote(version, safe="")))
    if article.date is not None:
        g.add((doc, DCTERMS.date, Literal(article.date, datatype=XSD.date)))
    for place, seen in _seen(article).items():
        iri = place_iri(place)
        g.add((iri, KGO.mentionedIn, doc))
        for alias in seen:
            if alias.strip() and alias != place.label:
                g.add((iri, SKOS.altLabel, Literal(alias.strip())))
    for n, route in enumerate(article.routes, start=1):
        _describe_route(g, route, doc, n)
    return g


def shared_graph(article: Article, *, countries: dict[str, Place] | None = None) -> Graph:
    """Facts about the places (and their countries) and cargo kinds an article names.

    These are knowledge about the world, not claims of the article, so they live once in the
    shared graph :data:`SHARED_GRAPH` instead of once per article: a join over labels then
    meets each place or cargo once, not once per article that names it (Oxigraph's union
    default graph does not deduplicate).
    """
    g = Graph()
    for route in article.routes:
        for item in route.cargo:
            g.add((cargo_iri(item), RDF.type, KGO.Cargo))
            g.add((cargo_iri(item), RDFS.label, Literal(item)))
    places = set(_seen(article))
    for route in article.routes:
        places |= {p for p in (route.origin, route.destination, *route.via) if p is not None}
    for place in places:
        _describe_place(g, place)
        if place.type != "Country" and countries and place.country in countries:
            _describe_place(g, countries[place.country])
    return g


def _seen(article: Article) -> dict[Place, set[str]]:
    seen: dict[Place, set[str]] = {}
    for m in article.mentions:
        seen.setdefault(m.place, set()).add(m.text)
    return seen


def _describe_place(g: Graph, place: Place) -> None:
    iri = place_iri(place)
    g.add((iri, RDF.type, KGO[place.type]))
    g.add((iri, RDFS.label, Literal(place.label)))
    g.add((iri, SKOS.prefLabel, Literal(place.label)))
    g.add((iri, KGO.countryCode, Literal(place.country)))
    for alias in place.aliases if place.type != "Country" else ():
        if alias.strip() and alias != place.label:
            g.add((iri, SKOS.altLabel, Literal(alias.strip())))
    if place.type != "Country":
        g.add((iri, KGO.locatedIn, KGR[f"country/{place.country}"]))
    if place.lat is not None and place.lon is not None:
        g.add((iri, GEO.lat, _decimal(round(place.lat, 5))))
        g.add((iri, GEO.long, _decimal(round(place.lon, 5))))
    if place.geonameid:
        g.add((iri, OWL.sameAs, URIRef(GEONAMES.format(place.geonameid))))
    if place.wikidata:
        g.add((iri, OWL.sameAs, URIRef(WIKIDATA.format(place.wikidata))))


def _describe_route(g: Graph, route: Route, doc: URIRef, n: int) -> None:
    train = URIRef(f"{KGR}train/{quote(str(doc).rsplit('/', 1)[-1], safe='')}/{n}")
    g.add((train, RDF.type, KGO.Train))
    name = " → ".join(p.label if p else "?" for p in (route.origin, route.destination))
    g.add((train, RDFS.label, Literal(f"train {name}")))
    g.add((train, KGO.sourceDocument, doc))
    g.add((train, PROV.wasDerivedFrom, doc))
    g.add((train, KGO.evidence, Literal(route.evidence)))
    g.add((train, KGO.status, Literal(route.status)))
    for sentence in route.sentences:
        g.add((train, KGO.sentence, Literal(sentence)))
    stops: list[Place | None] = [route.origin, *route.via, route.destination]
    if route.origin is not None:
        g.add((train, KGO.origin, place_iri(route.origin)))
    if route.destination is not None:
        g.add((train, KGO.destination, place_iri(route.destination)))
    for k, place in enumerate(route.via, start=1):
        stop = URIRef(f"{train}/stop/{k}")
        g.add((train, KGO.transit, stop))
        g.add((train, KGO.passesThrough, place_iri(place)))
        g.add((stop, RDF.type, KGO.TransitStop))
        g.add((stop, KGO.place, place_iri(place)))
        g.add((stop, KGO.sequence, Literal(k)))
    known = [p for p in stops if p is not None]
    for k, (a, b) in enumerate(zip(known, known[1:]), start=1):
        leg = URIRef(f"{train}/leg/{k}")
        g.add((leg, RDF.type, KGO.Leg))
        g.add((leg, KGO.legOf, train))
        g.add((leg, KGO.sequence, Literal(k)))
        g.add((leg, KGO.fromPlace, place_iri(a)))
        g.add((leg, KGO.toPlace, place_iri(b)))
        text = route.leg_evidence[k - 1] if k - 1 < len(route.leg_evidence) else route.evidence
        g.add((leg, KGO.evidence, Literal(text or route.evidence)))
    for item in route.cargo:
        g.add((train, KGO.cargo, cargo_iri(item)))
    for prop, value, dtype in (
        (KGO.containers, route.containers, XSD.integer), (KGO.teu, route.teu, XSD.integer),
        (KGO.weightTonnes, route.tonnes, XSD.decimal), (KGO.journeyDays, route.days, XSD.decimal),
    ):
        if value is not None:
            g.add((train, prop, _decimal(value) if dtype == XSD.decimal else Literal(value, datatype=dtype)))
    if route.date is not None:
        g.add((train, KGO.departureDate, Literal(route.date, datatype=XSD.date)))


def _decimal(value: float) -> Literal:
    """An xsd:decimal literal whose Python value is a Decimal (as rdflib parses one back)."""
    return Literal(Decimal(str(value)), datatype=XSD.decimal)
