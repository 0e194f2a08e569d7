"""Facts to triples on hand-built articles: one train with several destinations, legs between
specific places with ordered country crossings, the article's address, and what every reader
of the store (routes, queries, the network, counts) makes of them."""

import re

import pytest
from rdflib import RDF, Literal, URIRef
from rdflib.namespace import DCTERMS

import kg
from kg.gazetteer import Gazetteer
from kg.model import Article, Route
from kg.network import find_paths, route_network
from kg.rdf import KGO, article_graph, branch_legs, document_iri, place_iri, shared_graph
from kg.store import open_store
from kg.validate import validate_graph

GAZ = Gazetteer(cities=False)
EVIDENCE = ("The cargo is heading to Kazakhstan, Kyrgyzstan and Uzbekistan through the Horgos Port.")


def _place(name):
    place = GAZ.resolve(name)
    assert place is not None, name
    return place


def _city(name, cc, lat, lon):
    from kg.gazetteer import Place

    return Place(key=f"geonames/{abs(hash(name)) % 10**6}", label=name, type="City", country=cc, lat=lat, lon=lon)


JINHUA = _city("Jinhua", "CN", 29.1, 119.6)
NANTONG = _city("Nantong", "CN", 32.0, 120.9)
DUISBURG = _city("Duisburg", "DE", 51.4, 6.8)


def _article(name="a.txt", source=None):
    horgos = _place("Horgos")
    jinhua_routes = [
        Route(origin=JINHUA, destination=_place(c), via=[horgos], cargo=["textiles"], evidence=EVIDENCE,
              sentences=["A train left Jinhua.", EVIDENCE], containers=82, train=0,
              leg_evidence=["A train left Jinhua. " + EVIDENCE, EVIDENCE])
        for c in ("Kazakhstan", "Kyrgyzstan", "Uzbekistan")
    ]
    nantong = Route(origin=NANTONG, destination=_place("Hairatan"), via=[_place("Kazakhstan"), _place("Uzbekistan")],
                    cargo=[], evidence="The train links Nantong to Hairatan through Kazakhstan and Uzbekistan.",
                    sentences=[], train=1,
                    leg_evidence=["The train links Nantong to Hairatan through Kazakhstan and Uzbekistan."] * 3)
    chongqing = Route(origin=_city("Chongqing", "CN", 29.6, 106.5), destination=DUISBURG,
                      via=[_place("Kazakhstan"), _place("Russia"), _place("Brest"), _place("Poland")], cargo=[],
                      evidence="It runs to Duisburg via Kazakhstan, Russia, Brest and Poland.", sentences=[], train=2)
    return Article(name=name, text="", sha256="0" * 64, source=source,
                   routes=[*jinhua_routes, nantong, chongqing])


def _graph(article):
    return article_graph(article, version="test") + shared_graph(article, countries=GAZ.countries)


def test_routes_sharing_a_train_index_are_one_train_with_several_destinations():
    g = _graph(_article())
    trains = set(g.subjects(RDF.type, KGO.Train))
    assert len(trains) == 3
    jinhua = next(t for t in trains if (t, KGO.origin, place_iri(JINHUA)) in g)
    assert {str(g.value(d, URIRef("http://www.w3.org/2000/01/rdf-schema#label")))
            for d in g.objects(jinhua, KGO.destination)} == {"Kazakhstan", "Kyrgyzstan", "Uzbekistan"}
    legs = {(str(g.value(leg, KGO.fromPlace)).rsplit("/", 1)[-1], str(g.value(leg, KGO.toPlace)).rsplit("/", 1)[-1])
            for leg in g.subjects(KGO.legOf, jinhua)}
    horgos = str(place_iri(_place("Horgos"))).rsplit("/", 1)[-1]
    assert len(legs) == 4  # Jinhua -> Horgos once, then one branch per destination
    assert sum(1 for a, _ in legs if a != horgos) == 1
    assert g.value(jinhua, KGO.containers) == Literal(82)


def test_transit_countries_become_ordered_crossings_of_the_leg():
    g = _graph(_article())
    nantong = next(g.subjects(KGO.origin, place_iri(NANTONG)))
    (leg,) = list(g.subjects(KGO.legOf, nantong))
    assert g.value(leg, KGO.toPlace) == place_iri(_place("Hairatan"))
    crossings = sorted((int(g.value(c, KGO.sequence)), g.value(c, KGO.country)) for c in g.objects(leg, KGO.crossing))
    assert crossings == [(1, place_iri(_place("Kazakhstan"))), (2, place_iri(_place("Uzbekistan")))]
    assert set(g.objects(leg, KGO.crosses)) == {place_iri(_place("Kazakhstan")), place_iri(_place("Uzbekistan"))}
    assert [str(g.value(e, KGO.text)) for e in g.objects(leg, KGO.evidenceSentence)] == [
        "The train links Nantong to Hairatan through Kazakhstan and Uzbekistan."]
    # the train still says what the text says, countries included, in order
    stops = sorted((int(g.value(s, KGO.sequence)), g.value(s, KGO.place)) for s in g.objects(nantong, KGO.transit))
    assert [p for _, p in stops] == [place_iri(_place("Kazakhstan")), place_iri(_place("Uzbekistan"))]


def test_a_port_between_countries_splits_the_crossings():
    route = _article().routes[-1]
    legs = branch_legs(route)
    assert [(leg.start.label, leg.end.label, [c.label for c in leg.crosses]) for leg in legs] == [
        ("Chongqing", "Brest", ["Kazakhstan", "Russia"]), ("Brest", "Duisburg", ["Poland"])]
    assert all(leg.evidence == [route.evidence] for leg in legs)  # no leg_evidence: the route's sentence


def test_no_leg_ends_at_a_transit_country():
    g = _graph(_article())
    for leg in g.subjects(RDF.type, KGO.Leg):
        train = g.value(leg, KGO.legOf)
        ends = {g.value(train, KGO.origin), *g.objects(train, KGO.destination)}
        for place in (g.value(leg, KGO.fromPlace), g.value(leg, KGO.toPlace)):
            assert (place, RDF.type, KGO.Country) not in g or place in ends


def test_the_graph_conforms_to_the_shapes_and_keeps_the_source():
    web = _article(source="https://example.org/news/jinhua-train")
    g = _graph(web)
    assert validate_graph(g) == []
    assert g.value(document_iri(web), DCTERMS.source) == URIRef("https://example.org/news/jinhua-train")
    named = _article(source="Xinhua, 9 Feb 2023")
    assert _graph(named).value(document_iri(named), DCTERMS.source) == Literal("Xinhua, 9 Feb 2023")
    plain = _article()
    assert (document_iri(plain), DCTERMS.source, None) not in _graph(plain)


def test_shapes_refuse_a_crossing_without_a_country():
    g = _graph(_article())
    crossing = next(g.subjects(RDF.type, KGO.CountryCrossing))
    g.remove((crossing, KGO.country, None))
    assert any("kgo:country" in v.line() for v in validate_graph(g))


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("model") / "store"
    article = _article(source="https://example.org/a")
    with open_store(path) as st:
        st.replace_graph(document_iri(article), article_graph(article, version="test"),
                         shared=shared_graph(article, countries=GAZ.countries))
    return str(path)


def test_readers_of_the_store_count_one_train(store):
    rows = kg.routes(store=store)
    jinhua = [r for r in rows if r["origin"] == "Jinhua"]
    assert [r["destination"] for r in jinhua] == ["Kazakhstan", "Kyrgyzstan", "Uzbekistan"]
    assert len({r["train"] for r in jinhua}) == 1 and jinhua[0]["via"] == ["Horgos"]
    assert jinhua[0]["url"] == "https://example.org/a"
    with open_store(store, read_only=True) as st:
        assert st.count()["trains"] == 3
    busiest = {r["place"]: r["trains"] for r in kg.query("busiest_transit_points", store=store).records()}
    assert busiest["Horgos"] == 1 and busiest["Kazakhstan"] == 2
    through = kg.query("trains_through", store=store, bindings={"place": "Horgos"}).records()
    assert len(through) == 1 and sorted(through[0]["destinations"].split(", ")) == ["Kazakhstan", "Kyrgyzstan",
                                                                                   "Uzbekistan"]
    cargo = kg.query("cargo_by_destination_country", store=store).records()
    assert {(r["destination_country"], r["trains"]) for r in cargo} == {
        ("Kazakhstan", 1), ("Kyrgyzstan", 1), ("Uzbekistan", 1)}
    legs = kg.query("supporting_articles", store=store).records()
    assert {(r["from"], r["to"], r["crosses"]) for r in legs if r["from"] == "Nantong"} == {
        ("Nantong", "Hairatan", "Kazakhstan, Uzbekistan")}
    evidence = kg.query("route_evidence", store=store, bindings={"a": "Nantong", "b": "Hairatan"}).records()
    assert evidence and evidence[0]["crosses"] == "Kazakhstan, Uzbekistan"
    crossed = {r["crossed_country"]: r["legs"] for r in kg.query("countries_crossed", store=store).records()}
    assert crossed == {"Kazakhstan": 2, "Russia": 1, "Poland": 1, "Uzbekistan": 1}
    one = kg.query("countries_crossed", store=store, bindings={"country": "kz"}).records()
    assert [(r["crossed_country"], r["trains"]) for r in one] == [("Kazakhstan", 2)]


def test_the_network_of_the_store(store):
    g = route_network(store=store)
    assert len(g.graph["trains"]) == 3
    jinhua = next(t for t in g.graph["trains"].values() if t["containers"] == 82)
    assert len(jinhua["destinations"]) == 3
    assert all(d["type"] != "Country" for n, d in g.nodes(data=True) if g.in_degree(n) and g.out_degree(n))
    (answer,) = find_paths("Nantong", "Hairatan", graph=g)
    assert answer.describe() == "Nantong -> Hairatan, crossing Kazakhstan, Uzbekistan"
    (answer,) = find_paths("Chongqing", "Duisburg", graph=g)
    assert answer.describe() == "Chongqing -> Brest (crossing Kazakhstan, Russia) -> Duisburg (crossing Poland)"
    assert answer.single_train is not None


def test_kg_routes_text_is_one_line_per_train(store, runner):
    from kg.cli import app

    out = runner.invoke(app, ["routes", "--store", store]).output.splitlines()
    assert out[0].split() == ["origin", "destinations", "via", "date", "articles"]
    rows = [re.split(r"\s{2,}", line.strip()) for line in out[2:-1]]
    assert ["Jinhua", "Kazakhstan, Kyrgyzstan, Uzbekistan", "Horgos", "a.txt"] in rows and len(rows) == 3
    assert out[-1] == "(5 routes of 3 trains in 1 article)"


def test_a_leg_keeps_each_sentence_once():
    route = _article().routes[1]
    route.via, route.leg_evidence = [_place("Kazakhstan")], ["A left Jinhua. It passes Kazakhstan.", "It passes Kazakhstan."]
    (leg,) = branch_legs(route)
    assert leg.evidence == ["A left Jinhua. It passes Kazakhstan."]
