"""Answers read from Oxigraph become the rdflib terms rdflib itself would build, only cheaper."""

import pyoxigraph as ox
import pytest
from rdflib import BNode, Literal, URIRef

from kg.store import from_ox, open_store

XSD = "http://www.w3.org/2001/XMLSchema#"


def _slow(term: object):
    """The term as rdflib's own constructors build it (what from_ox did before its fast paths)."""
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == XSD + "string":
        return Literal(term.value)
    return Literal(term.value, datatype=term.datatype.value)


def _same(fast, slow) -> None:
    assert type(fast) is type(slow)
    assert fast == slow and hash(fast) == hash(slow) and str(fast) == str(slow)
    assert fast.n3() == slow.n3()
    if isinstance(slow, Literal):
        assert (fast.language, fast.datatype, fast.value, fast.ill_typed) == \
               (slow.language, slow.datatype, slow.value, slow.ill_typed)
        assert fast.eq(slow) and fast.toPython() == slow.toPython()


def test_every_term_of_the_seed_store_decodes_as_rdflib_builds_it(seed_store):
    store = ox.Store.read_only(str(seed_store))
    terms = {t for q in store for t in (q.subject, q.predicate, q.object, q.graph_name)
             if not isinstance(t, ox.DefaultGraph)}
    kinds = {type(t).__name__ for t in terms}
    assert {"NamedNode", "Literal"} <= kinds
    assert any(isinstance(t, ox.Literal) and t.datatype.value == XSD + "string" for t in terms)
    for term in terms:
        _same(from_ox(term), _slow(term))


@pytest.mark.parametrize("term", [
    ox.Literal(""), ox.Literal("Ürümqi – Duisburg\n\"quoted\" \\ back"), ox.Literal("x", language="zh-hans"),
    ox.Literal("42", datatype=ox.NamedNode(XSD + "integer")),
    ox.Literal("2020-01-01", datatype=ox.NamedNode(XSD + "date")),
    ox.Literal("not a date", datatype=ox.NamedNode(XSD + "date")), ox.NamedNode("https://example.org/a%20b#frag"),
    ox.BlankNode("b0"),
])
def test_edge_terms_decode_as_rdflib_builds_them(term):
    _same(from_ox(term), _slow(term))


def test_query_rows_hold_equal_terms_through_the_store(seed_store):
    text = "SELECT ?s ?p ?o WHERE { ?s ?p ?o }"
    with open_store(seed_store, read_only=True) as st:
        rows = [tuple(r) for r in st.query(text)]
        answer = st.ox.query(text, use_default_graph_as_union=True)
        raw = [tuple(_slow(s[v]) for v in ("s", "p", "o")) for s in answer]
    assert len(rows) > 500 and rows == raw


def test_rows_behave_as_rdflib_result_rows(seed_store):
    from rdflib.query import ResultRow
    from rdflib.term import Variable

    text = "SELECT ?d ?name ?none WHERE { ?d kgo:fileName ?name OPTIONAL { ?d kgo:nothing ?none } } ORDER BY ?name"
    with open_store(seed_store, read_only=True) as st:
        result = st.query(text)
        rows = list(result)
        again = list(result)  # a second pass reads the kept bindings
    assert len(rows) >= 5 and rows == again
    for row, binding in zip(rows, result.bindings, strict=True):
        expected = ResultRow(binding, [Variable("d"), Variable("name"), Variable("none")])
        assert isinstance(row, ResultRow) and tuple(row) == tuple(expected)
        assert row.name == row["name"] == row[1] == expected.name and row.none is None
        assert row.asdict() == expected.asdict()


def test_to_ox_remembers_iris_and_gives_what_pyoxigraph_builds(monkeypatch):
    """IRIs are converted once (the table is bounded); every term equals a fresh conversion."""
    import pyoxigraph as ox
    from rdflib import XSD, BNode, Literal, URIRef

    from kg import store

    monkeypatch.setattr(store, "_NAMED", {})
    monkeypatch.setattr(store, "_NAMED_MAX", 3)
    iris = [URIRef(f"urn:kg:{i}") for i in range(5)]
    for iri in iris + iris:
        assert store.to_ox(iri) == ox.NamedNode(str(iri))
    assert len(store._NAMED) <= 3, "the table is emptied when full"
    assert store.to_ox(iris[4]) is store.to_ox(URIRef("urn:kg:4")), "one object per IRI while held"
    assert store.to_ox(Literal("2.5", datatype=XSD.decimal)) == ox.Literal(
        "2.5", datatype=ox.NamedNode(str(XSD.decimal)))
    assert store.to_ox(Literal("Almaty", lang="en")) == ox.Literal("Almaty", language="en")
    assert store.to_ox(BNode("b1")) == ox.BlankNode("b1")
