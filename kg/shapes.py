"""The SHACL shapes compiled to Python checks, for validating what one article adds in a build.

pySHACL re-parses a SPARQL-based constraint for every focus node and walks its whole engine for
each article: that was 42% of a build.  :func:`compile_shapes` reads ``ontology/shapes.ttl`` once
and turns each shape into plain Python tests over an rdflib graph.  The SPARQL constraints run
once per graph in Oxigraph (an in-memory ``pyoxigraph`` store of the graph's triples, only when
the graph has nodes the shape targets): rdflib's SPARQL engine, its import and its query parser
cost a build more than all the other checks together.  It knows the SHACL Core parts the shapes
use and refuses any other, so a new kind of constraint in the shapes cannot be skipped silently.

:func:`problems` only tells whether a graph breaks the shapes and where; the build then asks
pySHACL (:func:`kg.validate.validate_graph`) for the full report of the few graphs that do, so the
messages a user sees are pySHACL's.  ``kg validate`` runs pySHACL over the whole store.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, XSD
from rdflib.term import Node

from ._errors import KgError

SH = Namespace("http://www.w3.org/ns/shacl#")

Check = Callable[[Graph, Node], bool]
"""A test of one focus node in a data graph: True when the node meets it."""

_IGNORED = {RDF.type, RDFS.comment, RDFS.label, SH.name, SH.message, SH.description, SH.targetClass,
            SH.property, SH.path, SH.severity, SH.order, SH.group, SH.flags}


@dataclass(frozen=True)
class Problem:
    """Where a graph breaks a shape: the focus node, the property path (if any), the shape."""

    focus: Node
    path: URIRef | None
    shape: Node


@dataclass(frozen=True)
class _PropertyCheck:
    path: URIRef
    checks: tuple[Check, ...]


@dataclass(frozen=True)
class _Shape:
    node: Node
    targets: tuple[URIRef, ...]
    node_checks: tuple[Check, ...]
    properties: tuple[_PropertyCheck, ...]
    sparql: tuple[str, ...]  # SPARQL SELECT texts (with their PREFIX lines) giving the failing $this


@dataclass(frozen=True)
class CompiledShapes:
    """The target shapes of a shapes graph, each as Python checks."""

    shapes: tuple[_Shape, ...]

    def problems(self, data: Graph | Iterable[tuple[Node, Node, Node]]) -> list[Problem]:
        """Every (focus node, path, shape) where ``data`` breaks a shape; empty when it conforms.

        ``data`` is a graph or its distinct triples.
        """
        out: list[Problem] = []
        index = _Index(data)
        oxigraph: _Oxigraph | None = None
        for shape in self.shapes:
            focus = {s for c in shape.targets for s in index.subjects(_TYPE, c)}
            for node in focus:
                if not all(check(index, node) for check in shape.node_checks):  # type: ignore[arg-type]
                    out.append(Problem(node, None, shape.node))
                for prop in shape.properties:
                    if not all(check(index, node) for check in prop.checks):  # type: ignore[arg-type]
                        out.append(Problem(node, prop.path, shape.node))
            if shape.sparql and focus:
                oxigraph = oxigraph or _Oxigraph(index.triples)
                for query in shape.sparql:
                    out += [Problem(n, None, shape.node) for n in oxigraph.select(query) if n in focus]
        return out


class _Index:
    """The triples of a small graph in dictionaries, read once.

    The checks look up each (subject, property) many times; a dictionary answers faster than
    rdflib's store.  Its keys are plain strings (:func:`_key`): rdflib's terms hash and compare
    in Python code, a string in C, and the same IRI from the shapes and from the data is two
    objects, so every look-up would run both.
    """

    def __init__(self, data: Graph | Iterable[tuple[Node, Node, Node]]) -> None:
        self._out: dict[tuple[object, object], list[Node]] = {}
        self._typed: dict[object, list[Node]] = {}
        self.triples = list(data)
        for s, p, o in self.triples:
            self._out.setdefault((_key(s), _key(p)), []).append(o)
            if p == _TYPE:
                self._typed.setdefault(_key(o), []).append(s)

    def objects(self, subject: Node, predicate: Node) -> list[Node]:
        """Values of ``predicate`` on ``subject``."""
        return self._out.get((_key(subject), _key(predicate)), [])

    def subjects(self, predicate: Node, cls: Node) -> list[Node]:
        """Nodes typed ``cls`` (``predicate`` is always rdf:type here)."""
        return self._typed.get(_key(cls), [])


def _key(node: Node) -> object:
    """A key equal for two terms exactly when they are the same RDF term (an IRI: its text)."""
    kind = type(node)
    if kind is URIRef:
        return str.__str__(node)
    if kind is BNode:
        return ("_:", str.__str__(node))
    return (kind, node)  # literals (never a subject here) and anything else: rdflib's own equality


_TYPE, _SUBCLASS = RDF.type, RDFS.subClassOf  # attribute look-ups on a namespace cost a microsecond


class _Oxigraph:
    """A graph's triples in an in-memory Oxigraph store, for its SPARQL constraints."""

    def __init__(self, triples: list[tuple[Node, Node, Node]]) -> None:
        import pyoxigraph as ox

        from .store import to_ox

        self.store = ox.Store()
        self.store.extend([ox.Quad(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in triples])  # type: ignore[arg-type]

    def select(self, query: str) -> list[Node]:
        """The first column of a SELECT, as rdflib terms (IRIs and blank nodes: focus nodes)."""
        import pyoxigraph as ox

        out: list[Node] = []
        for row in self.store.query(query):  # type: ignore[union-attr]
            value = row[0]
            if isinstance(value, ox.NamedNode):
                out.append(URIRef(value.value))
            elif isinstance(value, ox.BlankNode):
                out.append(BNode(value.value))
        return out


@cache
def compiled(path: Path) -> CompiledShapes:
    """The shapes file at ``path``, compiled once per process."""
    return compile_shapes(Graph().parse(path))


def compile_shapes(shapes: Graph) -> CompiledShapes:
    """Compile every shape with a ``sh:targetClass``.

    Raises
    ------
    KgError
        When a shape uses a SHACL feature this compiler does not know (extend it, or run pySHACL).
    """
    out = []
    for node in sorted(set(shapes.subjects(SH.targetClass, None)), key=str):
        targets = tuple(sorted((t for t in shapes.objects(node, SH.targetClass) if isinstance(t, URIRef)),
                               key=str))
        props = tuple(_property(shapes, p) for p in shapes.objects(node, SH.property))
        sparql = tuple(_sparql(shapes, c) for c in shapes.objects(node, SH.sparql))
        out.append(_Shape(node, targets, _node_checks(shapes, node, skip={SH.sparql}), props, sparql))
    return CompiledShapes(tuple(out))


def _node_checks(shapes: Graph, node: Node, *, skip: Iterable[URIRef] = ()) -> tuple[Check, ...]:
    """Checks that apply to the focus node itself (sh:or, sh:node, sh:class ... on a node shape)."""
    checks: list[Check] = []
    for p, o in shapes.predicate_objects(node):
        if p in _IGNORED or p in skip or p in (SH.minCount, SH.maxCount):
            continue
        checks.append(_value_check(shapes, node, p, o))
    return tuple(checks)


def _property(shapes: Graph, node: Node) -> _PropertyCheck:
    path = shapes.value(node, SH.path)
    if not isinstance(path, URIRef):
        raise KgError(f"shapes: property shape {node} has a path that is not one IRI; kg/shapes.py "
                      "compiles simple paths only")
    lo = shapes.value(node, SH.minCount)
    hi = shapes.value(node, SH.maxCount)
    checks: list[Check] = []
    if lo is not None:
        n = int(lo)
        checks.append(lambda g, f: _count(g, f, path, n) >= n)
    if hi is not None:
        m = int(hi)
        checks.append(lambda g, f: _count(g, f, path, m + 1) <= m)
    for value_check in _node_checks(shapes, node):
        checks.append(lambda g, f, c=value_check: all(c(g, v) for v in g.objects(f, path)))
    return _PropertyCheck(path, tuple(checks))


def _count(g: Graph, focus: Node, path: URIRef, enough: int) -> int:
    n = 0
    for _ in g.objects(focus, path):
        n += 1
        if n >= enough:
            break
    return n


def _value_check(shapes: Graph, node: Node, p: Node, o: Node) -> Check:  # noqa: C901 - one branch per SHACL term
    """One SHACL Core constraint on a value node, as a function of (graph, value)."""
    if p == SH["class"]:
        return lambda g, v: _instance_of(g, v, o)
    if p == SH.datatype:
        return lambda g, v: isinstance(v, Literal) and not getattr(v, "ill_typed", False) \
            and (v.datatype or (XSD.string if v.language is None else RDF.langString)) == o
    if p == SH.nodeKind:
        kinds = {SH.IRI: (URIRef,), SH.Literal: (Literal,), SH.BlankNode: (BNode,),
                 SH.IRIOrLiteral: (URIRef, Literal), SH.BlankNodeOrIRI: (BNode, URIRef),
                 SH.BlankNodeOrLiteral: (BNode, Literal)}[o]  # type: ignore[index]
        return lambda g, v: isinstance(v, kinds)
    if p in (SH.minInclusive, SH.maxInclusive, SH.minExclusive, SH.maxExclusive):
        bound = _number(o)
        test = {SH.minInclusive: lambda x: x >= bound, SH.maxInclusive: lambda x: x <= bound,
                SH.minExclusive: lambda x: x > bound, SH.maxExclusive: lambda x: x < bound}[p]
        return lambda g, v: (x := _number(v)) is not None and test(x)
    if p == SH.minLength:
        n = int(o)  # type: ignore[call-overload]
        return lambda g, v: not isinstance(v, BNode) and len(str(v)) >= n
    if p == SH.pattern:
        flags = shapes.value(node, SH.flags)
        rx = re.compile(str(o), re.IGNORECASE if flags and "i" in str(flags) else 0)
        return lambda g, v: not isinstance(v, BNode) and rx.search(str(v)) is not None
    if p == SH["in"]:
        allowed = frozenset(Collection(shapes, o))
        return lambda g, v: v in allowed
    if p == SH["or"]:
        alternatives = [_alternative(shapes, a) for a in Collection(shapes, o)]
        return lambda g, v: any(all(c(g, v) for c in alt) for alt in alternatives)
    if p == SH.node:
        inner = _node_checks(shapes, o)
        return lambda g, v: all(c(g, v) for c in inner)
    raise KgError(f"shapes: kg/shapes.py does not compile {p}; extend it or validate with pySHACL")


def _alternative(shapes: Graph, node: Node) -> tuple[Check, ...]:
    """The checks of one member of an sh:or list (a node shape, or a property shape on the value)."""
    if shapes.value(node, SH.path) is not None:
        prop = _property(shapes, node)
        return prop.checks
    return _node_checks(shapes, node)


def _instance_of(g: Graph, v: Node, cls: Node) -> bool:
    """SHACL 'instance of': a type of ``v`` is ``cls`` or a subclass of it in the data graph."""
    seen: set[Node] = set()
    todo = list(g.objects(v, _TYPE))
    while todo:
        c = todo.pop()
        if c == cls:
            return True
        if c not in seen:
            seen.add(c)
            todo += g.objects(c, _SUBCLASS)
    return False


def _number(term: Node) -> Decimal | None:
    """A numeric literal's value as a Decimal (None for anything else)."""
    if not isinstance(term, Literal) or getattr(term, "ill_typed", False):
        return None
    value = term.toPython()
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    return Decimal(str(value)) if isinstance(value, float) else Decimal(value)


def _sparql(shapes: Graph, constraint: Node) -> str:
    """A SPARQL-based constraint as one query text that selects every failing ``$this`` at once.

    Its ``sh:prefixes`` become PREFIX lines of the text.

    Raises
    ------
    KgError
        When the constraint has no ``sh:select`` or its query does not parse.
    """
    import pyoxigraph as ox

    text = shapes.value(constraint, SH.select)
    if text is None:
        raise KgError(f"shapes: SPARQL constraint {constraint} has no sh:select")
    lines = []
    for decl_holder in shapes.objects(constraint, SH.prefixes):
        for decl in shapes.objects(decl_holder, SH.declare):
            lines.append(f"PREFIX {shapes.value(decl, SH.prefix)}: <{shapes.value(decl, SH.namespace)}>\n")
    query = "".join(sorted(lines)) + str(text)
    try:
        ox.Store().query(query)  # parsed now, so a broken constraint fails the compile, not a build
    except SyntaxError as exc:
        raise KgError(f"shapes: the SPARQL of constraint {constraint} does not parse: {exc}") from exc
    return query
