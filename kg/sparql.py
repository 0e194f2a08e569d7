"""SPARQL over the graph: named queries from ``queries/``, bound variables, tables, routes, places."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from rdflib import BNode, Literal, URIRef
from rdflib.term import Identifier

from . import settings
from ._errors import InputError, QueryError
from .netfacts import PLACES_QUERY
from .rdf import PREFIXES
from .store import code_only, open_store

_UPDATE = re.compile(r"^\s*(INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)\b", re.I | re.M)
_COMMENTS = re.compile(r"^\s*#.*$", re.M)


_UESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_SERVICE = re.compile(r"(?<![\w:?$.\-])SERVICE(?![\w:\-])", re.I)
_OPERATOR = re.compile(r"\|\||&&|!=|<=|>=|[+*/=<>]")


def _unescape(text: str) -> str:
    r"""The query with its ``\uXXXX`` / ``\UXXXXXXXX`` escapes replaced, as SPARQL parsers do first."""
    def char(m: re.Match[str]) -> str:
        code = int(m.group(1) or m.group(2), 16)
        return chr(code) if code <= 0x10FFFF else m.group(0)

    return _UESCAPE.sub(char, text)




def check_query(text: str, *, max_depth: int | None = None, allow_service: bool | None = None) -> None:
    r"""Refuse a query the engine must not see: too deeply nested, or federated when that is off.

    Oxigraph parses nested groups and expressions recursively and crashes the whole process
    (SIGSEGV) on a few thousand nested braces, so the nesting of ``{ ( [`` outside strings,
    IRIs and comments is counted first, after the ``\u`` escapes SPARQL allows anywhere.  Very
    long flat queries crash it too (a chain of 8,000 ``+``, 10,000 triple patterns), so a query
    longer than :data:`kg.settings.max_query_chars` or with more operators than
    :data:`kg.settings.max_query_operators` is refused as well.

    Parameters
    ----------
    text
        The SPARQL query text.
    max_depth
        Deepest nesting allowed (default :data:`kg.settings.max_query_depth`).
    allow_service
        Let ``SERVICE`` (federated queries, which make this machine send requests to any
        address) through (default :data:`kg.settings.allow_service`).

    Raises
    ------
    QueryError
        When the query nests deeper than allowed or uses SERVICE while it is off.
    """
    limit = settings.max_query_depth if max_depth is None else max_depth
    allow = settings.allow_service if allow_service is None else allow_service
    if len(text) > settings.max_query_chars:
        raise QueryError(f"the query is {len(text):,} characters long, more than the limit of "
                         f"{settings.max_query_chars:,}: the engine can crash on such long queries; "
                         "split it (or raise KG_MAX_QUERY_CHARS)")
    code, deepest = code_only(_unescape(text))
    operators = len(_OPERATOR.findall(code))
    if operators > settings.max_query_operators:
        raise QueryError(f"the query has {operators:,} operators, more than the limit of "
                         f"{settings.max_query_operators:,}: the engine crashes on long chains of them "
                         "(8,000 '+' in a row); split the expression (or raise KG_MAX_QUERY_OPERATORS)")
    if deepest > limit:
        raise QueryError(f"the query nests brackets {deepest} deep, more than the limit of {limit}: "
                         "flatten it (or raise the limit with --max-depth)")
    if not allow and _SERVICE.search(code):
        raise QueryError("SERVICE (federated query) is off: it would make this machine fetch from other "
                         "addresses; pass --allow-service to turn it on")


def queries_dirs() -> list[Path]:
    """Folders searched for named queries: ``./queries`` then the project's ``queries/``."""
    here = Path(__file__).resolve().parent.parent / "queries"
    return list(dict.fromkeys([Path.cwd() / "queries", here]))


def named_queries() -> dict[str, Path]:
    """Name -> file of every shipped query (``queries/*.rq``)."""
    found: dict[str, Path] = {}
    for d in reversed(queries_dirs()):
        if d.is_dir():
            found.update({p.stem: p for p in sorted(d.glob("*.rq"))})
    return dict(sorted(found.items()))


def describe(path: Path) -> str:
    """The first comment line of a query file: what it answers."""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            return line.lstrip("# ").strip()
    return ""


def resolve_query(text_or_name: str) -> str:
    """SPARQL text from inline text, a ``.rq`` path, or the name of a shipped query.

    Raises
    ------
    InputError
        When the argument looks like a file or a name but none is found.
    """
    arg = text_or_name.strip()
    if arg.endswith(".rq"):
        path = Path(arg)
        if not path.is_file():
            raise InputError(f"{arg}: no such query file; check the path or run `kg query --list`")
        return path.read_text(encoding="utf-8")
    if re.fullmatch(r"[\w-]+", arg):
        named = named_queries()
        if arg in named:
            return named[arg].read_text(encoding="utf-8")
        raise InputError(f"no shipped query named {arg!r}; `kg query --list` shows them "
                         f"({', '.join(named) or 'none found'})")
    return arg


def parse_binding(spec: str) -> tuple[str, Identifier]:
    """``NAME=VALUE`` to a variable name and an RDF term.

    ``<http://...>`` is an IRI, ``prefix:local`` with a known prefix is an IRI, an integer or
    decimal is a typed literal, anything else (quotes optional) is a plain string literal.
    """
    if "=" not in spec:
        raise InputError(f"--bind {spec!r}: write it as NAME=VALUE, e.g. --bind city=Zhengzhou")
    name, value = spec.split("=", 1)
    name = name.strip().lstrip("?$")
    if not re.fullmatch(r"[A-Za-z_]\w*", name):
        raise InputError(f"--bind {spec!r}: {name!r} is not a SPARQL variable name")
    return name, to_term(value)


def to_term(value: str) -> Identifier:
    """A command-line value as an RDF term (never spliced into query text)."""
    v = value.strip()
    if v.startswith("<") and v.endswith(">"):
        return URIRef(v[1:-1])
    m = re.fullmatch(r"([A-Za-z][\w-]*):([\w./%-]*)", v)
    if m and m.group(1) in PREFIXES:
        return URIRef(str(PREFIXES[m.group(1)]) + m.group(2))
    if re.fullmatch(r"-?\d+", v):
        return Literal(int(v))
    if re.fullmatch(r"-?\d+\.\d+", v):
        return Literal(v, datatype=URIRef("http://www.w3.org/2001/XMLSchema#decimal"))
    if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'":
        v = v[1:-1]
    return Literal(v)


@dataclass
class Table:
    """The result of a query: rows of a SELECT, the boolean of an ASK, or the triples of a CONSTRUCT.

    ``rows`` hold Python values (for :meth:`records` and pandas); ``terms`` the RDF terms they
    came from (for the standard result formats); ``kind`` is ``SELECT``, ``ASK``,
    ``CONSTRUCT`` or ``DESCRIBE``.  A CONSTRUCT or DESCRIBE result has the columns
    ``subject``, ``predicate``, ``object``.
    """

    columns: list[str]
    rows: list[list[Any]]
    kind: str = "SELECT"
    terms: list[list[Any]] | None = None

    def records(self) -> list[dict[str, Any]]:
        """Rows as dictionaries (column -> Python value)."""
        return [dict(zip(self.columns, r)) for r in self.rows]

    def to_dataframe(self):  # type: ignore[no-untyped-def]
        """A pandas DataFrame of the rows (pandas must be installed)."""
        import pandas as pd

        return pd.DataFrame(self.rows, columns=self.columns)

    def format(self, fmt: str | None = None) -> str:
        """The result as text in ``fmt`` (see :mod:`kg.results`; default ``table``, ``turtle`` for graphs).

        SELECT/ASK: ``table``, ``records`` (flat JSON), ``json`` (SPARQL 1.1 results JSON),
        ``xml``, ``csv``, ``tsv``.  CONSTRUCT/DESCRIBE: ``turtle``, ``nt``, ``xml`` (RDF/XML),
        ``jsonld`` or ``json`` (JSON-LD), or ``table``/``records``/``csv`` of the triples.

        Raises
        ------
        InputError
            When the format does not fit this kind of result.
        """
        from . import results as res

        fmt = res.check_format(fmt, self.kind)
        terms = self.terms if self.terms is not None else [[_term(v) for v in r] for r in self.rows]
        if fmt == "records":
            return json.dumps(self.records(), ensure_ascii=False, indent=2, default=str)
        if fmt == "table":
            if self.kind == "ASK":
                return "true" if self.rows[0][0] else "false"
            return res.table_text(self.columns, self.rows, terms)
        if self.kind in ("CONSTRUCT", "DESCRIBE"):
            if fmt == "csv":
                return res.solutions_csv(self.columns, terms)
            return res.graph_text([tuple(t) for t in terms], fmt)  # type: ignore[misc]
        if self.kind == "ASK":
            answer = bool(self.rows[0][0])
            if fmt == "json":
                return res.boolean_json(answer)
            if fmt == "xml":
                return res.solutions_xml([], boolean=answer)
            return f"{'?_askResult' if fmt == 'tsv' else '_askResult'}\n{'true' if answer else 'false'}\n"
        if fmt == "json":
            return res.solutions_json(self.columns, terms)
        if fmt == "xml":
            return res.solutions_xml(self.columns, terms)
        if fmt == "csv":
            return res.solutions_csv(self.columns, terms)
        return res.solutions_tsv(self.columns, terms)


def _term(value: Any) -> Identifier | None:
    """A Python value of a hand-made :class:`Table` as an RDF term (IRIs stay strings: literals)."""
    if value is None or isinstance(value, Identifier):
        return value
    return Literal(value)


def _py(term: Any) -> Any:
    if term is None:
        return None
    if isinstance(term, Literal):
        value = term.toPython()
        if isinstance(value, Decimal):
            return float(value)
        return value if isinstance(value, (int, float, str, bool)) else str(term)
    if isinstance(term, BNode):
        return f"_:{term}"
    return str(term)


def query(
    sparql: str,
    *,
    store: str | Path | None = None,
    bindings: dict[str, Identifier | str] | None = None,
    allow_update: bool = False,
    allow_service: bool | None = None,
    max_depth: int | None = None,
) -> Table:
    """Run SPARQL (inline text, a ``.rq`` path or a shipped query's name) over the graph.

    Parameters
    ----------
    sparql
        The query, a path to a ``.rq`` file, or a name from ``queries/``.
    store
        Store folder (default :data:`kg.settings.store`).
    bindings
        Variables set to RDF terms before evaluation; plain strings go through :func:`to_term`.
    allow_update
        Refuse SPARQL UPDATE unless true.
    allow_service
        Let ``SERVICE`` (federation) run (default :data:`kg.settings.allow_service`, off).
    max_depth
        Deepest bracket nesting accepted (default :data:`kg.settings.max_query_depth`).

    Raises
    ------
    QueryError
        When the query is malformed, too deep, federated while that is off, an update that was
        not allowed, or fails while its results are read.
    """
    text = resolve_query(sparql)
    check_query(text, max_depth=max_depth, allow_service=allow_service)
    bindings = {k: v if isinstance(v, Identifier) else to_term(str(v)) for k, v in (bindings or {}).items()}
    if _UPDATE.search(_COMMENTS.sub("", text)) and not re.search(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", text, re.I):
        if not allow_update:
            raise QueryError("this is a SPARQL UPDATE; kg query only reads unless --allow-update is given")
        with open_store(store) as st:
            st.update(text)
        return Table(["result"], [["update applied"]])
    with open_store(store, read_only=True) as st:
        result = st.query(text, bindings)
        try:
            return _table(result)
        except (RuntimeError, OSError, ValueError) as exc:  # raised lazily, while rows are read
            msg = " ".join(str(exc).split())[:500]
            raise QueryError(f"SPARQL evaluation failed while reading the results: {msg}") from exc


_XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")


def _simple(term: Any) -> Any:
    """A literal typed ``xsd:string`` as the simple literal it is (RDF 1.1), written without a datatype."""
    if isinstance(term, Literal) and term.datatype == _XSD_STRING:
        return Literal(str(term))
    return term


def _table(result: Any) -> Table:
    """An rdflib query result read into a :class:`Table` (this is where evaluation happens)."""
    if result.type == "ASK":
        return Table(["ask"], [[bool(result.askAnswer)]], kind="ASK")
    if result.type in ("CONSTRUCT", "DESCRIBE"):
        triples = [[s, p, _simple(o)] for s, p, o in result.graph]
        return Table(["subject", "predicate", "object"], [[_py(t) for t in tr] for tr in triples],
                     kind=result.type, terms=triples)
    columns = [str(v) for v in result.vars or []]
    terms = [[_simple(row[i]) for i in range(len(columns))] for row in result]
    return Table(columns, [[_py(t) for t in row] for row in terms], terms=terms)


_ROUTES = """
SELECT DISTINCT ?train ?origin ?doc ?containers ?teu ?tonnes ?days ?date ?status ?url WHERE {
  { SELECT DISTINCT ?train ?d WHERE { ?train a kgo:Train ; kgo:sourceDocument ?d } }
  ?d kgo:fileName ?doc .
  OPTIONAL { ?d dcterms:source ?url }
  OPTIONAL { SELECT DISTINCT ?train ?origin WHERE { ?train kgo:origin/rdfs:label ?origin } }
  OPTIONAL { SELECT DISTINCT ?train ?containers WHERE { ?train kgo:containers ?containers } }
  OPTIONAL { SELECT DISTINCT ?train ?teu WHERE { ?train kgo:teu ?teu } }
  OPTIONAL { SELECT DISTINCT ?train ?tonnes WHERE { ?train kgo:weightTonnes ?tonnes } }
  OPTIONAL { SELECT DISTINCT ?train ?days WHERE { ?train kgo:journeyDays ?days } }
  OPTIONAL { SELECT DISTINCT ?train ?date WHERE { ?train kgo:departureDate ?date } }
  OPTIONAL { SELECT DISTINCT ?train ?status WHERE { ?train kgo:status ?status } }
} ORDER BY ?doc ?train
"""
_DESTINATIONS = "SELECT DISTINCT ?train ?label WHERE { ?train a kgo:Train ; kgo:destination/rdfs:label ?label }"
_EVIDENCE = """
SELECT DISTINCT ?train ?evidence ?name WHERE {
  ?train a kgo:Train ; kgo:evidenceSentence ?s . ?s kgo:text ?evidence ; kgo:sourceDocument/kgo:fileName ?name }"""
_VIA = """
SELECT DISTINCT ?train ?seq ?label WHERE { ?train kgo:transit ?s . ?s kgo:sequence ?seq ; kgo:place/rdfs:label ?label }
ORDER BY ?train ?seq
"""
_CARGO = "SELECT DISTINCT ?train ?label WHERE { ?train kgo:cargo/rdfs:label ?label } ORDER BY ?train ?label"
_SOURCES = """
SELECT DISTINCT ?train ?doc ?name ?url ?published ?text WHERE {
  ?train kgo:sourceDocument ?doc . ?doc a kgo:Document ; kgo:fileName ?name .
  OPTIONAL { ?doc dcterms:source ?url }
  OPTIONAL { ?doc dcterms:date ?published }
  OPTIONAL { ?train kgo:evidenceSentence ?s . ?s kgo:sourceDocument ?doc ; kgo:text ?text }
} ORDER BY ?train ?name ?text
"""


def _train_order(iri: str) -> tuple[str, int]:
    """Sort key of a train IRI: its article, then its number (2 before 10)."""
    head, _, n = iri.rpartition("/")
    return head, int(n) if n.isdigit() else 0


def routes(*, store: str | Path | None = None) -> list[dict[str, Any]]:
    """One record per extracted route: one per destination of each train.

    A train reported with several destinations gives several records with the same ``train``:
    count trains with ``len({r["train"] for r in routes()})``, not ``len(routes())``.

    Keys (stable): ``origin``, ``destination`` (None when the text names none), ``via`` (travel
    order), ``cargo``, ``source`` (article file name), ``evidence`` (sentence); also ``train``
    (IRI), ``destinations`` (all of the train's), ``containers``, ``teu``, ``tonnes``, ``days``,
    ``date``, ``status``, ``url`` (the article's address, when known), ``date_precision``,
    ``date_basis`` and ``sources``: every article that tells of the train (copies of one
    story share their trains, :mod:`kg.dedup`), each ``{"document", "name", "url",
    "published", "sentence"}``; ``source``/``evidence``/``url`` are the first one's.
    """
    with open_store(store, read_only=True) as st:
        vias: dict[str, list[str]] = {}
        for t, _, label in st.query(_VIA):
            vias.setdefault(str(t), []).append(str(label))
        cargo: dict[str, list[str]] = {}
        for t, label in st.query(_CARGO):
            cargo.setdefault(str(t), []).append(str(label))
        dests: dict[str, set[str]] = {}
        for t, label in st.query(_DESTINATIONS):
            dests.setdefault(str(t), set()).add(str(label))
        evidence: dict[tuple[str, str], set[str]] = {}
        for t, text, name in st.query(_EVIDENCE):
            evidence.setdefault((str(t), str(name)), set()).add(str(text))
        rows: dict[str, list[Any]] = {}
        for r in st.query(_ROUTES):
            rows.setdefault(str(r[0]), list(r))
        sources: dict[str, dict[str, dict[str, Any]]] = {}
        for t, doc, name, url, published, text in st.query(_SOURCES):
            item = sources.setdefault(str(t), {}).setdefault(str(doc), {
                "document": str(doc), "name": str(name), "url": _py(url), "published": _py(published),
                "sentence": None})
            if text is not None and item["sentence"] is None:
                item["sentence"] = str(text)
        precision: dict[str, tuple[Any, Any]] = {
            str(t): (_py(p), _py(b)) for t, p, b in st.query(
                "SELECT DISTINCT ?t ?p ?b WHERE { ?t a kgo:Train . OPTIONAL { ?t kgo:datePrecision ?p } "
                "OPTIONAL { ?t kgo:dateBasis ?b } }")}
    out = []
    for train in sorted(rows, key=_train_order):
        r = rows[train]
        told = sorted(sources.get(train, {}).values(), key=lambda i: (i["name"] != _py(r[2]), i["name"]))
        ends = sorted(dests.get(train, ()))
        for dest in ends or [None]:
            out.append({
                "origin": _py(r[1]), "destination": dest, "via": vias.get(train, []),
                "cargo": cargo.get(train, []), "source": _py(r[2]),
                "evidence": " ".join(sorted(evidence.get((train, str(r[2])), ()))),
                "train": train, "destinations": ends, "containers": _py(r[3]), "teu": _py(r[4]),
                "tonnes": _py(r[5]), "days": _py(r[6]), "date": _py(r[7]), "status": _py(r[8]),
                "url": _py(r[9]), "date_precision": precision.get(train, (None, None))[0],
                "date_basis": precision.get(train, (None, None))[1], "sources": told,
            })
    return out




def places(*, store: str | Path | None = None) -> list[dict[str, Any]]:
    """One record per place node.

    Keys (stable): ``label``, ``type`` (City, Port or Country), ``country`` (ISO 3166 alpha-2),
    ``aliases`` (other surface forms seen), ``iri``; also ``lat``, ``long``, ``documents``.
    """
    with open_store(store, read_only=True) as st:
        aliases: dict[str, set[str]] = {}
        for p, alt in st.query("SELECT DISTINCT ?p ?alt WHERE { ?p skos:altLabel ?alt }"):
            aliases.setdefault(str(p), set()).add(str(alt))
        docs: dict[str, int] = {
            str(p): int(n) for p, n in st.query(
                "SELECT ?p (COUNT(DISTINCT ?d) AS ?n) WHERE { ?p kgo:mentionedIn ?d } GROUP BY ?p")
        }
        out = []
        seen: set[str] = set()
        for r in st.query(PLACES_QUERY):
            iri = str(r[0])
            if iri in seen:
                continue
            seen.add(iri)
            out.append({
                "label": str(r[1]), "type": str(r[2]), "country": str(r[3]),
                "aliases": sorted(aliases.get(iri, set())), "iri": iri,
                "lat": _py(r[4]), "long": _py(r[5]), "documents": docs.get(iri, 0),
            })
    return out
