"""SHACL validation of the graph (shapes in ``ontology/shapes.ttl``, run with pySHACL).

The shapes stand alone (no ontology graph is needed).  A build checks each article with the
same shapes compiled to Python (:func:`check_graph`, see :mod:`kg.shapes`) and asks pySHACL for
the full report only of an article that fails them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rdflib import Graph, Literal, Namespace
from rdflib.namespace import XSD

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


def check_graph(data: Graph, *more: Graph) -> list[Violation]:
    """The shapes' verdict on a graph, fast: compiled checks first, pySHACL's report if they fail.

    Gives the same list as :func:`validate_graph` of the union of ``data`` and ``more``; a
    graph that conforms (the usual case in a build) costs a few Python look-ups per node
    instead of a pySHACL run, and the union graph is only made when it does not.
    """
    from .shapes import compiled

    triples = list(data)
    for g in more:
        triples += [t for t in g if t not in data]
    if not compiled(ontology_dir() / "shapes.ttl").problems(triples):
        return []
    if not more:
        return validate_graph(data)
    union = Graph(namespace_manager=data.namespace_manager)
    for t in triples:
        union.add(t)
    return validate_graph(union)


def validate_graph(data: Graph) -> list[Violation]:
    """Run the shapes over a graph with pySHACL (the shapes alone: no ontology graph needed)."""
    import pyshacl

    shapes = _shapes(ontology_dir())
    conforms, report, _ = pyshacl.validate(data, shacl_graph=shapes, inference="none",
                                           advanced=True, allow_warnings=True)
    if conforms:
        return []
    out = []
    for result in report.objects(None, SH.result):  # top-level results, not their sh:detail
        val = {p: str(report.value(result, p) or "") for p in
               (SH.resultSeverity, SH.focusNode, SH.resultPath, SH.resultMessage, SH.value)}
        value = val[SH.value] if val[SH.value] != val[SH.focusNode] else ""
        out.append(Violation(val[SH.resultSeverity].rsplit("#", 1)[-1], _short(val[SH.focusNode]),
                             _short(val[SH.resultPath]), val[SH.resultMessage], _short(value)))
    return sorted(out, key=lambda v: (v.severity, v.focus, v.path))


@cache
def _shapes(folder: Path) -> Graph:
    """The parsed shapes (read once per process)."""
    return Graph().parse(folder / "shapes.ttl")


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
