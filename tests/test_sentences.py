"""Each cited sentence is stored once per article, and trains and legs point at it (issue 14 item 14)."""

from rdflib import RDF

import kg
from kg.exchange import export
from kg.gazetteer import Gazetteer
from kg.model import Article, Route
from kg.network import route_network
from kg.rdf import KGO, article_graph, document_iri, sentence_iri, shared_graph
from kg.store import open_store
from kg.validate import validate_graph

GAZ = Gazetteer(cities=False)
LONG = ("The service links Horgos to Almaty, Tashkent, Bishkek, Dushanbe and Ashgabat, and "
        + "its timetable keeps growing " * 200 + "this year.")


def _place(name):
    place = GAZ.resolve(name)
    assert place is not None, name
    return place


def _article() -> Article:
    horgos = _place("Horgos")
    routes = [Route(origin=horgos, destination=_place(c), via=[], cargo=[], evidence=LONG, sentences=[LONG],
                    leg_evidence=[LONG], train=k)
              for k, c in enumerate(["Kazakhstan", "Uzbekistan", "Kyrgyzstan", "Tajikistan", "Turkmenistan"])]
    return Article(name="long.txt", text="Intro. " + LONG, sha256="0" * 64, routes=routes)


def test_a_sentence_cited_by_many_trains_and_legs_is_stored_once():
    article = _article()
    g = article_graph(article, version="test")
    (node,) = list(g.subjects(RDF.type, KGO.Sentence))
    assert node == sentence_iri(document_iri(article), 1)
    assert str(g.value(node, KGO.text)) == LONG and int(g.value(node, KGO.offset)) == len("Intro. ")
    assert g.value(node, KGO.sourceDocument) == document_iri(article)
    assert sum(1 for _, _, o in g if str(o) == LONG) == 1  # the words once, however many cite them
    trains = list(g.subjects(RDF.type, KGO.Train))
    legs = list(g.subjects(RDF.type, KGO.Leg))
    assert len(trains) == 5 and len(legs) == 5
    assert all(g.value(x, KGO.evidenceSentence) == node for x in trains + legs)
    assert all(g.value(t, KGO.contributingSentence) == node for t in trains)
    assert validate_graph(g + shared_graph(article, countries=GAZ.countries)) == []


def test_a_train_pointing_at_no_sentence_node_breaks_the_shapes():
    g = article_graph(_article(), version="test")
    node = next(g.subjects(RDF.type, KGO.Sentence))
    g.remove((node, RDF.type, KGO.Sentence))
    lines = "\n".join(v.line() for v in validate_graph(g + shared_graph(_article(), countries=GAZ.countries)))
    assert "kgo:evidenceSentence" in lines


def test_readers_still_see_the_sentence(tmp_path):
    article = _article()
    store = tmp_path / "store"
    with open_store(store) as st:
        st.replace_graph(document_iri(article), article_graph(article, version="test"),
                         shared=shared_graph(article, countries=GAZ.countries))
    routes = kg.routes(store=store)
    assert len(routes) == 5 and all(r["evidence"] == LONG for r in routes)
    g = route_network(store=store)
    assert g.number_of_edges() == 5
    assert all(e["sentence"] == LONG for _, _, d in g.edges(data=True) for e in d["evidence"])
    rows = kg.query("routes_from", store=store, bindings={"place": "Horgos"}).records()
    assert len(rows) == 5 and {r["evidence"] for r in rows} == {LONG}
    quads = export(store=store).decode("utf-8").splitlines()
    facts = [q for q in quads if "networkFacts" in q]  # the route network's literal cites it once more
    assert sum(q.count(LONG) for q in quads if q not in facts) == 1  # once, not once per train and leg
    assert sum(q.count(LONG) for q in facts) == 1
