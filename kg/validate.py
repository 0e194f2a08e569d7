"""SHACL validation of the graph (shapes in ``ontology/shapes.ttl``, run with pySHACL)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, Namespace
from rdflib.namespace import RDF, XSD

from ._errors import KgError
from .store import open_store

ROOT = Path(__file__).resolve().parent.parent
SH = Namespace("http://www.w3.org/ns/shacl#")


def ontology_dir() -> Path:
    """The project's ``ontology/`` folder."""
    for candidate in (ROOT / "ontology", Path.cwd() / "ontology"):
        if (candidate / "kg.ttl").is_file():
            return candidate
    raise KgError("cannot find ontology/kg.ttl: run kg from the project folder or reinstall it with pip -e")


@dataclass(frozen=True)
class Violation:
    """One SHACL result, readable."""

    severity: str
    focus: str
    path: str
    message: str
    value: str = ""

    def line(self) -> str:
        """One line: severity, focus node, path, the offending value, message."""
        where = f" {self.path}" if self.path else ""
        value = f" = {self.value[:80]!r}" if self.value else ""
        return f"{self.severity}: {self.focus}{where}{value}: {self.message}"


def validate_graph(data: Graph) -> list[Violation]:
    """Run the shapes over a graph (the ontology is mixed in so sh:class follows subclasses)."""
    import pyshacl

    shapes, ontology = _shapes_and_ontology(ontology_dir())
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none",
                                           advanced=True, allow_warnings=True)
    if conforms:
        return []
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        val = {p: str(report.value(result, p) or "") for p in
               (SH.resultSeverity, SH.focusNode, SH.resultPath, SH.resultMessage, SH.value)}
        value = val[SH.value] if val[SH.value] != val[SH.focusNode] else ""
        out.append(Violation(val[SH.resultSeverity].rsplit("#", 1)[-1], _short(val[SH.focusNode]),
                             _short(val[SH.resultPath]), val[SH.resultMessage], _short(value)))
    return sorted(out, key=lambda v: (v.severity, v.focus, v.path))


@cache
def _shapes_and_ontology(folder: Path) -> tuple[Graph, Graph]:
    """The parsed shapes and ontology (read once: a build validates every article on its own)."""
    return Graph().parse(folder / "shapes.ttl"), Graph().parse(folder / "kg.ttl")


def _short(iri: str) -> str:
    from .rdf import PREFIXES

    for prefix, ns in PREFIXES.items():
        if iri.startswith(str(ns)):
            return f"{prefix}:{iri[len(str(ns)):]}"
    return iri


def union_graph(store: str | Path | None = None) -> Graph:
    """All distinct triples of the store as one in-memory rdflib graph."""
    g = Graph()
    with open_store(store, read_only=True) as st:
        for s, p, o in st.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").graph:
            if isinstance(o, Literal) and o.datatype == XSD.string:
                o = Literal(str(o))  # Oxigraph returns simple literals typed xsd:string
            g.add((s, p, o))
    return g


def validate(*, store: str | Path | None = None) -> list[Violation]:
    """Validate the whole store against the SHACL shapes."""
    return validate_graph(union_graph(store))
