"""SPARQL results in the standard formats: what ``kg query --format`` writes.

SELECT and ASK results go out as the W3C *SPARQL 1.1 Query Results* formats: JSON
(``head.vars`` and ``results.bindings``, each term with its ``type`` uri/literal/bnode and a
literal's ``datatype`` or ``xml:lang``; ASK as ``{"head": {}, "boolean": ...}``), XML, CSV
(plain values) and TSV (terms written as in N-Triples).  CONSTRUCT and DESCRIBE results are
a graph and go out as Turtle, N-Triples, RDF/XML or JSON-LD (compacted with kg's prefixes).
A text table and ``records`` (a JSON list of flat ``{column: value}`` objects, values as
Python reads them) are there for people and quick scripts.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Sequence
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

from ._errors import InputError

SOLUTION_FORMATS = ("table", "records", "json", "xml", "csv", "tsv")
"""Formats of SELECT and ASK results; ``table`` is the default."""
GRAPH_FORMATS = ("turtle", "nt", "xml", "jsonld", "json", "table", "records", "csv")
"""Formats of CONSTRUCT and DESCRIBE results (``json`` is JSON-LD); ``turtle`` is the default."""
# formats whose text keeps control characters as escapes (the rest have them removed on print)
ESCAPING = {"json", "records", "jsonld", "turtle", "nt", "tsv"}

_RDFLIB_GRAPH = {"turtle": "turtle", "nt": "nt", "xml": "xml", "jsonld": "json-ld", "json": "json-ld"}
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def check_format(fmt: str | None, kind: str) -> str:
    """The format to write a ``kind`` (SELECT, ASK, CONSTRUCT, DESCRIBE) result in.

    Raises
    ------
    InputError
        When the format is not one this kind of result can be written in.
    """
    graph = kind in ("CONSTRUCT", "DESCRIBE")
    allowed = GRAPH_FORMATS if graph else SOLUTION_FORMATS
    chosen = (fmt or ("turtle" if graph else "table")).lower()
    if chosen not in allowed:
        what = "a CONSTRUCT or DESCRIBE result (a graph)" if graph else f"an {kind} result"
        raise InputError(f"--format {chosen}: cannot write {what} that way; use {', '.join(allowed)}")
    return chosen


def term_json(term: Identifier) -> dict[str, str]:
    """One RDF term as a SPARQL 1.1 JSON results object (``type``, ``value``, ``datatype``/``xml:lang``)."""
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    if isinstance(term, Literal):
        out = {"type": "literal", "value": str(term)}
        if term.language:
            out["xml:lang"] = term.language
        elif term.datatype is not None:
            out["datatype"] = str(term.datatype)
        return out
    raise TypeError(f"not an RDF term: {term!r}")


def solutions_json(columns: Sequence[str], terms: Sequence[Sequence[Identifier | None]]) -> str:
    """SELECT results as SPARQL 1.1 Query Results JSON (unbound variables are left out of a binding)."""
    bindings = [{c: term_json(t) for c, t in zip(columns, row, strict=True) if t is not None}
                for row in terms]
    return json.dumps({"head": {"vars": list(columns)}, "results": {"bindings": bindings}},
                      ensure_ascii=False, indent=2)


def boolean_json(answer: bool) -> str:
    """An ASK result as SPARQL 1.1 Query Results JSON."""
    return json.dumps({"head": {}, "boolean": bool(answer)}, indent=2)


def solutions_xml(columns: Sequence[str], terms: Sequence[Sequence[Identifier | None]] | None = None,
                  *, boolean: bool | None = None) -> str:
    """SELECT (or, with ``boolean``, ASK) results as SPARQL Query Results XML (rdflib's writer)."""
    from rdflib.query import Result
    from rdflib.term import Variable

    result = Result("ASK" if boolean is not None else "SELECT")
    if boolean is not None:
        result.askAnswer = boolean
    else:
        result.vars = [Variable(c) for c in columns]
        result.bindings = [{Variable(c): t for c, t in zip(columns, row, strict=True) if t is not None}
                           for row in terms or []]
    buf = io.BytesIO()
    result.serialize(buf, format="xml", encoding="utf-8")
    return buf.getvalue().decode("utf-8")


def solutions_csv(columns: Sequence[str], terms: Sequence[Sequence[Identifier | None]]) -> str:
    """SELECT results as SPARQL 1.1 CSV: a header of variable names, plain values, ``_:id`` for bnodes."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(columns)
    writer.writerows([_csv_term(t) for t in row] for row in terms)
    return buf.getvalue()


def _csv_term(term: Identifier | None) -> str:
    if term is None:
        return ""
    return f"_:{term}" if isinstance(term, BNode) else str(term)


def solutions_tsv(columns: Sequence[str], terms: Sequence[Sequence[Identifier | None]]) -> str:
    """SELECT results as SPARQL 1.1 TSV: ``?var`` header, each term in N-Triples syntax."""
    lines = ["\t".join(f"?{c}" for c in columns)]
    lines += ["\t".join(tsv_term(t) for t in row) for row in terms]
    return "\n".join(lines) + "\n"


def tsv_term(term: Identifier | None) -> str:
    """One term as a TSV results field (N-Triples syntax; tabs, line breaks and controls escaped)."""
    if term is None:
        return ""
    if isinstance(term, BNode):
        return f"_:{term}"
    if isinstance(term, URIRef):
        return f"<{term}>"
    text = str(term).replace("\\", "\\\\").replace('"', '\\"')
    text = text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")
    text = _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04X}", text)
    if isinstance(term, Literal) and term.language:
        return f'"{text}"@{term.language}'
    if isinstance(term, Literal) and term.datatype is not None and str(term.datatype) != _XSD_STRING:
        return f'"{text}"^^<{term.datatype}>'
    return f'"{text}"'


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def graph_text(triples: Sequence[tuple[Identifier, Identifier, Identifier]], fmt: str) -> str:
    """CONSTRUCT/DESCRIBE triples as Turtle, N-Triples, RDF/XML or JSON-LD, with kg's prefixes."""
    from rdflib import Graph

    from .rdf import PREFIXES

    g = Graph(bind_namespaces="none")
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    for triple in triples:
        g.add(triple)
    name = _RDFLIB_GRAPH[fmt]
    if name == "json-ld":
        data = json.loads(g.serialize(format=name, context=jsonld_context(), auto_compact=True))
        return json.dumps(compact_ids(data), ensure_ascii=False, indent=2) + "\n"
    return g.serialize(format=name)


def jsonld_context() -> dict[str, str]:
    """The JSON-LD ``@context`` of kg's exports: one entry per prefix (kgo, kgr, dcterms, prov, geo ...)."""
    from .rdf import PREFIXES

    return {prefix: str(ns) for prefix, ns in PREFIXES.items()}


def compact_iri(iri: str) -> str:
    """``kgr:train/...`` for an IRI under one of kg's prefixes, else the IRI (for text tables)."""
    from .rdf import PREFIXES

    best = max((ns for ns in PREFIXES.values() if iri.startswith(str(ns))), key=len, default=None)
    if best is None:
        return iri
    prefix = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{prefix}:{iri[len(str(best)):]}"


def compact_ids(data: Any) -> Any:
    """JSON-LD whose ``@id`` values (never ``@value`` text) are compact IRIs; the context expands them back."""
    if isinstance(data, list):
        return [compact_ids(v) for v in data]
    if isinstance(data, dict):
        return {k: compact_iri(v) if k == "@id" and isinstance(v, str) else
                v if k in ("@context", "@value") else compact_ids(v) for k, v in data.items()}
    return data


def table_text(columns: Sequence[str], values: Sequence[Sequence[Any]],
               terms: Sequence[Sequence[Identifier | None]] | None = None) -> str:
    """Rows as a text table with a header and a row count; IRIs shortened to ``prefix:name``."""
    from .tables import Column, plural, render

    cells: list[dict[str, Any]] = []
    for i, row in enumerate(values):
        trow = terms[i] if terms is not None else [None] * len(row)
        cells.append({c: compact_iri(str(t)) if isinstance(t, URIRef) else _cell(v)
                      for c, v, t in zip(columns, row, trow, strict=True)})
    table = render(cells, [Column(c, justify="right" if _numeric(values, i) else "left")
                           for i, c in enumerate(columns)])
    return f"{table}\n({plural(len(values), 'row')})"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _numeric(values: Sequence[Sequence[Any]], i: int) -> bool:
    seen = [r[i] for r in values if r[i] is not None]
    return bool(seen) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in seen)


__all__ = ["GRAPH_FORMATS", "SOLUTION_FORMATS", "boolean_json", "check_format", "compact_iri", "graph_text",
           "compact_ids", "jsonld_context", "solutions_csv", "solutions_json", "solutions_tsv", "solutions_xml",
           "table_text", "term_json", "tsv_term"]
