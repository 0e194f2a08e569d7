"""The triples :mod:`kg.rdf` makes once and reuses (places' descriptions): graphs made with the
caches hold the very terms (datatypes, Python values) graphs made without them hold, and what
one article adds to a place never reaches another article's graph."""

from decimal import Decimal

import pytest
from rdflib import OWL, RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef

import kg.rdf
from kg.gazetteer import Gazetteer, Place
from kg.model import Article, Mention, Route
from kg.rdf import GEO, KGO, KGR, article_graph, place_iri, place_triples, shared_graph

GAZ = Gazetteer(cities=False)
TEXT = "A train left Jinhua for Duisburg via Horgos and Kazakhstan."
JINHUA = Place(key="geonames/1805528", label="Jinhua", type="City", country="CN", lat=29.106789,
               lon=119.64421, geonameid=1805528, wikidata="Q428870",
               aliases=("Jinhua", " Kinhwa ", "Jinhua City"))
DUISBURG = Place(key="geonames/2934691", label="Duisburg", type="City", country="DE", lat=51.43247,
                 lon=6.76516)


def _terms(graph):
    """A graph's triples with each literal's datatype, language and Python value spelled out."""
    def term(t):
        if isinstance(t, Literal):
            return ("literal", str(t), t.datatype, t.language, type(t.value), t.value)
        return (type(t).__name__, str(t))
    return {tuple(term(t) for t in triple) for triple in graph}


def _article(name, origin, *, said=None):
    """An article whose one train runs ``origin`` -> Duisburg via Horgos and Kazakhstan; ``said``
    is the name its text gives the origin (a mention)."""
    horgos, kazakhstan = GAZ.resolve("Horgos"), GAZ.resolve("Kazakhstan")
    route = Route(origin=origin, destination=DUISBURG, via=[horgos, kazakhstan], cargo=["auto parts"],
                  evidence=TEXT, sentences=[], tonnes=12.5, days=14.0)
    mentions = [Mention(origin, said, 0, len(said), 0)] if said else []
    return Article(name=name, text=f"{name}: {TEXT}", sha256="0" * 64, mentions=mentions, routes=[route])


def _uncached(monkeypatch):
    """Make :mod:`kg.rdf` build every term afresh, as it did before it kept any."""
    for name in ("_place_triples", "_cargo_triples", "_resource", "_number", "_word"):
        monkeypatch.setattr(kg.rdf, name, getattr(kg.rdf, name).__wrapped__)
    for ns in (KGO, KGR, GEO):
        monkeypatch.setattr(ns, "__dict__", {})


def test_a_place_is_described_by_its_labels_country_coordinates_and_links():
    iri = place_iri(JINHUA)
    assert set(place_triples(JINHUA)) == {
        (iri, RDF.type, KGO.City), (iri, RDFS.label, Literal("Jinhua")),
        (iri, SKOS.prefLabel, Literal("Jinhua")),
        (iri, KGO.countryCode, Literal("CN")), (iri, SKOS.altLabel, Literal("Kinhwa")),
        (iri, SKOS.altLabel, Literal("Jinhua City")), (iri, KGO.locatedIn, KGR["country/CN"]),
        (iri, GEO.lat, Literal(Decimal("29.10679"), datatype=XSD.decimal)),
        (iri, GEO.long, Literal(Decimal("119.64421"), datatype=XSD.decimal)),
        (iri, OWL.sameAs, URIRef("https://sws.geonames.org/1805528/")),
        (iri, OWL.sameAs, URIRef("http://www.wikidata.org/entity/Q428870")),
    }
    lat = next(o for _, p, o in place_triples(JINHUA) if p == GEO.lat)
    assert lat.value == Decimal("29.10679") and isinstance(lat.value, Decimal)


def test_graphs_made_with_the_caches_equal_graphs_made_without(monkeypatch):
    articles = [_article("a.txt", JINHUA, said="Kinhwa"), _article("b.txt", JINHUA),
                _article("c.txt", DUISBURG)]
    cached = [(_terms(article_graph(a, version="t")), _terms(shared_graph(a, countries=GAZ.countries)))
              for a in articles * 2]
    _uncached(monkeypatch)
    fresh = [(_terms(article_graph(a, version="t")), _terms(shared_graph(a, countries=GAZ.countries)))
             for a in articles]

    def dated(terms):
        return {t for t in terms if t[1] != ("URIRef", "http://www.w3.org/ns/prov#generatedAtTime")}

    for (graph, shared), (graph2, shared2) in zip(cached, fresh * 2, strict=True):
        assert dated(graph) == dated(graph2)
        assert shared == shared2
    assert ("literal", "China", None, None, str, "China") in {t[2] for t in fresh[0][1]}


@pytest.mark.parametrize("first", [0, 1])
def test_the_aliases_of_one_place_object_never_reach_an_equal_one(first):
    # equal places (aliases do not count in their equality) made from other gazetteer rows
    plain = Place(key=JINHUA.key, label=JINHUA.label, type="City", country="CN", lat=JINHUA.lat,
                  lon=JINHUA.lon, geonameid=JINHUA.geonameid, wikidata=JINHUA.wikidata, aliases=("Chin-hua",))
    assert plain == JINHUA
    pair = [JINHUA, plain]
    order = [pair[first], pair[1 - first]]
    graphs = {id(p): shared_graph(_article(f"{id(p)}.txt", p), countries=GAZ.countries) for p in order}
    alt = {id(p): {str(o) for o in graphs[id(p)].objects(place_iri(p), SKOS.altLabel)} for p in pair}
    assert alt[id(JINHUA)] == {"Kinhwa", "Jinhua City"}
    assert alt[id(plain)] == {"Chin-hua"}


def test_a_name_an_article_gives_a_place_stays_in_that_article():
    said, silent = _article("a.txt", JINHUA, said="Jinhwa"), _article("b.txt", JINHUA)
    first, second = (article_graph(a, version="t") for a in (said, silent))
    assert set(first.objects(place_iri(JINHUA), SKOS.altLabel)) == {Literal("Jinhwa")}
    assert set(second.objects(place_iri(JINHUA), SKOS.altLabel)) == set()
    for a in (said, silent):
        assert Literal("Jinhwa") not in set(shared_graph(a, countries=GAZ.countries).objects())


def test_the_graphs_kg_makes_count_read_and_remove_as_rdflibs_default_graph():
    article = _article("a.txt", JINHUA, said="Kinhwa")
    triples = [*article_graph(article, version="t"), *shared_graph(article, countries=GAZ.countries)]
    ours, theirs = kg.rdf.new_graph(), Graph()
    for g in (ours, theirs):
        for t in triples + triples[:5]:  # some twice
            g.add(t)
    assert len(ours) == len(theirs) == len(set(triples)) and set(ours) == set(theirs)
    iri = place_iri(JINHUA)
    assert set(ours.objects(iri, SKOS.altLabel)) == set(theirs.objects(iri, SKOS.altLabel)) != set()
    assert triples[0] in ours and (iri, RDF.type, KGO.Port) not in ours
    for g in (ours, theirs):
        g.remove((iri, None, None))
        for s, _, _ in g.triples((None, RDF.type, None)):  # changing the graph while reading it
            g.add((s, RDFS.comment, Literal("typed")))
        for s, p, o in g:
            if p == RDFS.comment:
                g.remove((s, p, o))
            else:
                g.add((s, RDFS.seeAlso, s))
    assert len(ours) == len(theirs) and set(ours) == set(theirs) and (iri, None, None) not in ours
    assert _terms(ours) == _terms(theirs)


def test_a_namespace_term_is_made_once_and_is_the_plain_namespaces_term():
    from rdflib import Namespace

    assert KGO.Train is KGO.Train and KGO.Train == Namespace(str(KGO)).Train == URIRef(f"{KGO}Train")
    assert KGO["Train"] == KGO.Train and KGR["doc/x"] == URIRef(f"{KGR}doc/x")
    with pytest.raises(AttributeError):
        KGO.__missing_special__  # noqa: B018


def test_the_network_facts_of_a_graph_do_not_depend_on_the_order_of_its_triples():
    from kg.netfacts import merge, project, to_json

    article = _article("a.txt", JINHUA, said="Kinhwa")
    graph = article_graph(article, version="t")
    shuffled = Graph()
    for t in sorted(graph, key=str, reverse=True):
        shuffled.add(t)
    ours, theirs = (merge([to_json(project(g))]) for g in (graph, shuffled))
    assert ours.trains == theirs.trains and ours.legs == theirs.legs and ours.trains
