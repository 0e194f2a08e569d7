"""The shapes stand alone, and their compiled form (kg/shapes.py) finds what pySHACL finds."""

from __future__ import annotations

import pyshacl
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg.exchange import export
from kg.rdf import KGO
from kg.shapes import SH, compile_shapes, compiled
from kg.validate import check_graph, ontology_dir, union_graph, validate_graph

SHAPES = ontology_dir() / "shapes.ttl"


def test_the_export_validates_with_the_shapes_alone(seed_store):
    data = Graph().parse(data=export(fmt="turtle", store=seed_store), format="turtle")
    conforms, _, text = pyshacl.validate(data, shacl_graph=Graph().parse(SHAPES))
    assert conforms, text
    broken = Graph() + data
    place = next(broken.objects(None, KGO.origin))
    broken.remove((place, RDF.type, None))
    broken.add((place, RDF.type, KGO.Train))  # a train is no place
    conforms, _, _ = pyshacl.validate(broken, shacl_graph=Graph().parse(SHAPES))
    assert not conforms


def _pyshacl_problems(g: Graph) -> set[tuple[str, str]]:
    conforms, report, _ = pyshacl.validate(g, shacl_graph=Graph().parse(SHAPES), advanced=True)
    out = set()
    for r in report.objects(None, SH.result):  # top-level results, not their sh:detail
        out.add((str(report.value(r, SH.focusNode)), str(report.value(r, SH.resultPath) or "")))
    return out


def _compiled_problems(g: Graph) -> set[tuple[str, str]]:
    return {(str(p.focus), str(p.path or "")) for p in compiled(SHAPES).problems(g)}


def _mutations(g: Graph):
    """Broken copies of ``g``, made from its own triples: one property of one node of each class
    dropped, doubled or given a wrong value."""
    seen = set()
    for s, p, o in sorted(g, key=str):
        cls = g.value(s, RDF.type)
        if p == RDF.type or (cls, p) in seen:
            continue
        seen.add((cls, p))
        dropped = Graph() + g
        dropped.remove((s, p, None))
        yield f"drop {p}", dropped
        doubled = Graph() + g
        doubled.add((s, p, Literal(7) if isinstance(o, Literal) else BNode()))
        yield f"double {p}", doubled
        wrong = Graph() + g
        wrong.remove((s, p, o))
        wrong.add((s, p, Literal(-3) if isinstance(o, Literal) else Literal("x")))
        yield f"wrong {p}", wrong
        if isinstance(o, Literal) and o.datatype in (XSD.integer, XSD.decimal):
            ill = Graph() + g
            ill.remove((s, p, o))
            ill.add((s, p, Literal("many", datatype=o.datatype)))
            yield f"ill-typed {p}", ill
        if isinstance(o, URIRef) and (o, RDF.type, None) in g:
            retyped = Graph() + g
            retyped.remove((o, RDF.type, None))
            retyped.add((o, RDF.type, KGO.Cargo))
            yield f"retyped {p}", retyped


def test_compiled_shapes_find_what_pyshacl_finds(seed_store):
    whole = union_graph(seed_store)
    doc = next(whole.subjects(RDF.type, KGO.Document))
    nodes = {doc} | set(whole.subjects(KGO.sourceDocument, doc))
    nodes |= {x for n in list(nodes) for x in whole.objects(n, None) if isinstance(x, URIRef)}
    nodes |= {leg for t in list(nodes) for leg in whole.subjects(KGO.legOf, t)}
    nodes |= {x for n in list(nodes) for x in whole.objects(n, None) if isinstance(x, URIRef)}
    g = Graph()
    for n in nodes:
        for p, o in whole.predicate_objects(n):
            g.add((n, p, o))
    assert _compiled_problems(g) == _pyshacl_problems(g) == set()
    cases = list(_mutations(g))
    assert len(cases) > 40
    broken = 0
    for what, case in cases:
        expected = _pyshacl_problems(case)
        assert _compiled_problems(case) == expected, what
        broken += bool(expected)
        assert (check_graph(case) == []) == (not expected)
    assert broken > len(cases) // 3  # the mutations do break things


def test_check_graph_gives_pyshacl_report_when_broken():
    g = Graph().parse(data="""
        @prefix kgo: <https://w3id.org/freight-kg/ontology#> .
        <urn:t> a kgo:Train ; kgo:journeyDays 500.0 .""", format="turtle")
    assert check_graph(g) == validate_graph(g) and check_graph(g)


def test_an_unknown_shacl_feature_is_refused():
    shapes = Graph().parse(data="""
        @prefix sh: <http://www.w3.org/ns/shacl#> .
        <urn:s> a sh:NodeShape ; sh:targetClass <urn:C> ;
            sh:property [ sh:path <urn:p> ; sh:languageIn ( "en" ) ] .""", format="turtle")
    with pytest.raises(Exception, match="does not compile"):
        compile_shapes(shapes)



def test_check_graph_of_two_graphs_is_the_verdict_on_their_union(seed_store):
    """A build checks an article's graph with its shared facts without making their union first."""
    whole = Graph().parse(data=export(fmt="turtle", store=seed_store), format="turtle")
    triples = sorted(whole)
    first, second = Graph(), Graph()
    for i, t in enumerate(triples):  # a third in each, a third in both
        (first if i % 3 == 0 else second).add(t)
        if i % 3 == 1:
            first.add(t)
    assert check_graph(first, second) == check_graph(whole) == []
    assert check_graph(first) != [], "half the facts alone break shapes: the second graph matters"
    train = next(whole.subjects(RDF.type, KGO.Train))
    second.add((train, KGO.journeyDays, Literal("500.0", datatype=XSD.decimal)))
    broken = whole + second
    assert check_graph(first, second) == check_graph(broken) == validate_graph(broken) != []


def test_index_keys_are_equal_exactly_for_equal_terms():
    """The index keys terms by their text, but an IRI, a blank node and a literal of one text differ."""
    from rdflib import BNode

    from kg.shapes import _key

    terms = [URIRef("urn:x"), BNode("urn:x"), Literal("urn:x"), Literal("urn:x", lang="en"),
             Literal("urn:x", datatype=XSD.anyURI)]
    for a in terms:
        for b in terms:
            assert (_key(a) == _key(b)) == (a is b), (a, b)
    assert _key(URIRef("urn:x")) == _key(URIRef("urn:" + "x"))
    assert _key(Literal("1", datatype=XSD.integer)) == _key(Literal("1", datatype=XSD.integer))
