"""The ontology file: every term documented, and every term the code writes declared."""

import re
from pathlib import Path

from conftest import ROOT
from rdflib import OWL, RDF, RDFS, Graph

from kg.rdf import KGO


def _ontology() -> Graph:
    return Graph().parse(ROOT / "ontology" / "kg.ttl")


def test_every_term_has_label_and_comment():
    g = _ontology()
    terms = {s for s in g.subjects(RDF.type, None) if str(s).startswith(str(KGO))}
    assert len(terms) > 20
    for t in terms:
        assert g.value(t, RDFS.label) is not None, t
        assert g.value(t, RDFS.comment) is not None, t


def test_required_classes_and_version():
    g = _ontology()
    for cls in ("Train", "Port", "City", "Country", "Cargo", "Document"):
        assert (KGO[cls], RDF.type, OWL.Class) in g
    assert any(g.objects(None, OWL.versionIRI))


def test_code_uses_only_declared_terms():
    g = _ontology()
    declared = {str(s) for s in g.subjects() if str(s).startswith(str(KGO))}
    used = set()
    for path in (ROOT / "kg").glob("*.py"):
        used |= set(re.findall(r"KGO\.(\w+)|KGO\[\"(\w+)\"\]", path.read_text(encoding="utf-8")))
    for query in list((ROOT / "queries").glob("*.rq")) + list((ROOT / "kg").glob("*.py")):
        used |= {(m, "") for m in re.findall(r"kgo:(\w+)", Path(query).read_text(encoding="utf-8"))}
    names = {a or b for a, b in used} - {""}
    assert names
    missing = sorted(n for n in names if str(KGO[n]) not in declared)
    assert missing == []


def test_leg_crossings_are_declared_with_domain_and_range():
    g = _ontology()
    assert (KGO.CountryCrossing, RDF.type, OWL.Class) in g
    for prop, domain, rng in (("crossing", "Leg", "CountryCrossing"), ("crosses", "Leg", "Country"),
                              ("country", "CountryCrossing", "Country")):
        assert (KGO[prop], RDFS.domain, KGO[domain]) in g, prop
        assert (KGO[prop], RDFS.range, KGO[rng]) in g, prop
    assert (KGO.country, RDF.type, OWL.FunctionalProperty) in g
    assert "several" in str(g.value(KGO.Train, RDFS.comment))  # one Train, several destinations
