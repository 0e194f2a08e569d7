"""The graph store: an embedded on-disk Oxigraph database.

Queries run inside Oxigraph (pyoxigraph) over the union of the named graphs; their answers
come back as rdflib results (rows of rdflib terms), so callers see rdflib's API without
loading rdflib's own SPARQL engine (oxrdflib pulls it in: 60 ms of every command's start-up)
or paying its plugin layer on every row.  Writes replace one
article's named graph in a single SPARQL update, which Oxigraph applies as one transaction: a
build killed half-way leaves every article either as it was or fully replaced, never half
written.  The folder is a plain Oxigraph database, so ``oxigraph serve --location DIR`` can
serve it as is.
"""

from __future__ import annotations

import http.client
import io
import os
import re
import urllib.error
import urllib.request
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyoxigraph as ox
from rdflib import RDFS, BNode, Graph, Literal, URIRef
from rdflib.query import Result, ResultRow
from rdflib.term import Identifier, Node, Variable

from . import settings
from ._errors import InputError, QueryError, StoreError
from .rdf import KGO, PREFIXES, SHARED_GRAPH
from .summary import (
    PENDING_GRAPH,
    SUMMARY_GRAPH,
    finish_operations,
    mark_document_trains,
    mark_quads,
    mark_stored,
    marks_of,
    rebuild_operations,
    rebuild_update,
    whole_mark,
)


class _Common:
    """What local and remote stores share: everything expressed as SPARQL over :meth:`query`."""

    location: str

    def query(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> Result:
        raise NotImplementedError

    def update(self, sparql: str) -> None:
        raise NotImplementedError

    @property
    def deferring(self) -> bool:
        """Whether writes leave the summary facts to the end of a :meth:`deferred_summary` block.

        False here: a store keeps the summary after each write by default (a SPARQL server always does).
        """
        return False

    @property
    def marking(self) -> bool:
        """Whether writes mark the nodes they touch (True unless the whole summary is pending)."""
        return True

    def documents(self) -> dict[str, tuple[str, str, str]]:
        """Document IRI -> (file name, SHA-256, extractor IRI) of every article in the store."""
        rows = self.query("SELECT DISTINCT ?d ?name ?sha ?gen WHERE { ?d a kgo:Document ; kgo:fileName ?name ; "
                          "kgo:sha256 ?sha ; prov:wasGeneratedBy ?gen }")
        return {str(r[0]): (str(r[1]), str(r[2]), str(r[3])) for r in rows}

    def find_documents(self, name: str) -> list[str]:
        """IRIs of the documents read from a file of this name, or from this URL (normalised or as given)."""
        from .identity import is_url, normalise_url

        found = [str(r[0]) for r in self.query(
            "SELECT DISTINCT ?d ?name WHERE { ?d a kgo:Document ; kgo:fileName ?name }",
            {"name": Literal(name)})]
        if is_url(name):
            for url in dict.fromkeys([normalise_url(name), name.strip()]):
                found += [str(r[0]) for r in self.query(
                    "SELECT DISTINCT ?d ?url WHERE { ?d a kgo:Document ; dcterms:source ?url }",
                    {"url": URIRef(url)})]
        return list(dict.fromkeys(found))

    def rename_document(self, doc: str, name: str) -> None:
        """Give a stored document a new file name (``kgo:fileName`` and ``rdfs:label``), in its own graph.

        Its trains are marked, and their summary facts (``kgo:documentName``) computed again in
        the same update, unless a deferred summary (:meth:`GraphStore.deferred_summary`) does it later.
        """
        d, lit = str(ox.NamedNode(str(doc))), str(to_ox(Literal(name)))  # serialised by Oxigraph: escaped
        ops = [f"DELETE {{ GRAPH {d} {{ {d} <{KGO.fileName}> ?n . {d} <{RDFS.label}> ?l }} }} "
               f"INSERT {{ GRAPH {d} {{ {d} <{KGO.fileName}> {lit} . {d} <{RDFS.label}> {lit} }} }} "
               f"WHERE {{ GRAPH {d} {{ {d} <{KGO.fileName}> ?n . OPTIONAL {{ {d} <{RDFS.label}> ?l }} }} }}",
               *([mark_document_trains(str(doc))] if self.marking else [])]
        if not self.deferring:
            ops += finish_operations()
        self.update(" ;\n".join(ops))

    def has_summary(self) -> bool:
        """Whether the store holds the summary graph (:mod:`kg.summary`), or is empty."""
        return bool(self.query(f"ASK {{ {{ GRAPH <{SUMMARY_GRAPH}> {{ ?s ?p ?o }} }} UNION "
                               f"{{ FILTER NOT EXISTS {{ ?d a kgo:Document }} }} }}").askAnswer)

    def rebuild_summary(self) -> None:
        """Compute the summary graph (:mod:`kg.summary`) again from the whole store, in one update."""
        self.update(rebuild_update())

    @contextmanager
    def deferred_summary(self) -> Iterator[None]:
        """Writes inside keep the summary right once, at the end, instead of after each graph.

        Each write still marks the nodes it touches (in its own transaction); the summary facts
        of all marked nodes are computed again when the block ends, however it ends.  A store
        keeps the summary after each write by default (a SPARQL server always does).
        """
        yield

    def count(self) -> dict[str, int]:
        """Numbers of documents, trains and places, and of the triples stored in all graphs.

        A triple held by two graphs (a place fact told by two articles) counts twice: the count
        streams over the quads, where counting distinct triples would hold every triple of the
        store in a hash set (about 30 MiB at 136,000 triples: the peak of a 10,000-article build).
        """
        row = next(iter(self.query(
            "SELECT (COUNT(DISTINCT ?d) AS ?docs) (COUNT(DISTINCT ?t) AS ?trains) "
            "(COUNT(DISTINCT ?p) AS ?places) WHERE { "
            "{ ?d a kgo:Document } UNION { ?t a kgo:Train } UNION "
            "{ ?p a ?c ; kgo:mentionedIn [] . VALUES ?c { kgo:City kgo:Port kgo:Country } } }")))
        triples = next(iter(self.query("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")))
        return {"documents": int(row[0]), "trains": int(row[1]), "places": int(row[2]),
                "triples": int(triples[0])}


class GraphStore(_Common):
    """One open store.

    Parameters
    ----------
    location
        Folder of the on-disk store.
    read_only
        Open without taking the write lock (several readers may share the folder).
    """

    def __init__(self, location: str | Path, *, read_only: bool = False) -> None:
        self.location = str(location)
        self._defer = False
        self._whole = False  # the whole summary is pending (see deferred_summary): writes mark nothing
        self._extended: set[ox.Quad] = set()  # shared quads extended since the last update
        path = Path(self.location)
        if read_only and not (path / "CURRENT").exists():
            raise StoreError(
                f"no graph at {self.location}: build one first with `kg build seeds` "
                "(or point --store / KG_STORE at an existing store)"
            )
        if not read_only and path.exists() and not path.is_dir():
            raise StoreError(f"{self.location} is a file, not a store folder; pass another --store")
        try:
            self.ox = ox.Store.read_only(self.location) if read_only else ox.Store(self.location)
        except OSError as exc:
            raise StoreError(
                f"cannot open the store at {self.location}: {exc}. Is another `kg build` or "
                "`kg serve` writing to it? Wait for it or use another --store"
            ) from exc
        self._prefixes = {p: str(n) for p, n in PREFIXES.items()}

    # -- reading ---------------------------------------------------------------------------
    def query(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> Result:
        """Run a SPARQL query over the union of all graphs, variables bound as RDF terms.

        Raises
        ------
        QueryError
            With Oxigraph's message (position included) when the query does not parse.
        """
        try:
            values = {ox.Variable(k): to_ox(v) for k, v in (bindings or {}).items()}
            answer = self.ox.query(sparql, use_default_graph_as_union=True, prefixes=self._prefixes,
                                   substitutions=values)
            return to_result(answer)
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}".replace("\n", " ")) from exc
        except (RuntimeError, OSError, ValueError) as exc:
            msg = str(exc).replace("\n", " ")
            if "SELECT projection" in msg:
                msg += " (a variable set with --bind must be listed in the SELECT clause)"
            raise QueryError(f"SPARQL evaluation failed: {msg}") from exc

    def graph_names(self) -> list[str]:
        """Names of the named graphs (one per article)."""
        return sorted(g.value for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode))

    def nquads(self) -> bytes:
        """Every quad, as N-Quads."""
        return self.ox.dump(format=ox.RdfFormat.N_QUADS)

    def update(self, sparql: str) -> None:
        """Run a SPARQL update (one transaction)."""
        self._extended.clear()  # an update may change the shared graph
        try:
            self.ox.update(sparql, prefixes={p: str(n) for p, n in PREFIXES.items()})
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}".replace("\n", " ")) from exc

    # -- writing ---------------------------------------------------------------------------
    @property
    def deferring(self) -> bool:
        """Whether writes leave the summary facts to the end of a :meth:`deferred_summary` block."""
        return self._defer

    @property
    def marking(self) -> bool:
        """Whether writes mark the nodes they touch: not in a deferred block begun on an empty store."""
        return not self._whole

    def replace_graph(self, name: URIRef, graph: Graph, *, shared: Graph | None = None,
                      drop: Iterable[str] = (), new: bool = False) -> None:
        """Atomically replace the named graph ``name`` with ``graph``, adding ``shared`` to the shared graph.

        The graphs named in ``drop`` (an older version of the article under another IRI) go in
        the same update.  All happens in one update, so one transaction.  ``new``: the caller
        knows that no graph ``name`` is stored (a build writing a document it did not find), so
        the update does not look for one to mark and drop: that lookup reads the store's indexes
        where the last writes went, and such reads fill RocksDB's block cache as a build goes.

        The update text is made of terms serialised by Oxigraph itself (N-Triples syntax,
        escaped by the library), never of raw article text.  A new graph written while the
        summary is deferred (what a build does for each article it has not stored before) needs
        no update at all: its quads, the shared facts and the nodes' marks go in through one
        ``Store.extend``, as atomic as the update and without making and parsing its text (a
        twentieth of a build).  In a block begun on an empty store no write marks its nodes
        (see :meth:`deferred_summary`).  Shared facts this way since the last update are not
        written again: most of an article's shared facts (its places' country codes) are
        already stored, at 300 articles 400 distinct in 24,000.
        """
        _not_summary(name)
        g = ox.NamedNode(str(name))
        drop = [str(d) for d in drop]
        if new and not drop and self._defer:
            quads, fresh = _quads_of(g, graph, shared, marks=self.marking, known=self._extended)
            self.ox.extend(quads)
            self._extended.update(fresh)
            return
        body = " ".join(f"{ox.Triple(*(to_ox(t) for t in triple))} ." for triple in graph)
        extra = ""
        if shared is not None and len(shared):
            gz = ox.NamedNode(str(SHARED_GRAPH))
            extra = f" GRAPH {gz} {{ " + " ".join(
                f"{ox.Triple(*(to_ox(t) for t in triple))} ." for triple in shared) + " }"
        marks = marks_of([*graph, *(shared if shared is not None else ())]) if self.marking else ""
        self.update(_replacing(drop, str(g)[1:-1],
                               f"INSERT DATA {{ GRAPH {g} {{ {body} }}{extra} {marks} }}",
                               finish=not self._defer, new=new, mark=self.marking))

    def remove_graph(self, name: URIRef) -> bool:
        """Drop one named graph (and update the summary graph); returns whether it existed."""
        _not_summary(name)
        g = ox.NamedNode(str(name))
        existed = self.ox.contains_named_graph(g)
        if existed:
            self.update(_replacing([], str(name), None, finish=not self._defer, mark=self.marking))
        return existed

    def rebuild_summary(self) -> None:
        """Compute the summary graph again from the whole store, one operation at a time (marks dropped).

        The :func:`kg.summary.whole_mark` goes in first and is dropped last, as after a first
        build (:meth:`finish_summary`), so a rebuild cut off half way is finished by the next
        writable open.  One update per operation: at a million quads the operations took 6.2-6.9 s
        one by one and 9.3 s as one update (benchmarks/README.md, "Issue 13, stop 24").

        Writes after it, in a deferred block begun on an empty store, mark their nodes again:
        the rebuild dropped the whole mark with the other marks.
        """
        self.ox.add(whole_mark())
        self.finish_summary()
        self._whole = False

    @contextmanager
    def deferred_summary(self) -> Iterator[None]:
        """Writes inside keep the summary right once, at the end, instead of after each graph.

        Recounting a busy place's trains after each article costs about a second in a store of a
        million triples, so a build defers it.  Each write still marks the nodes it touches in
        the same transaction, and the summary facts of all marked nodes are computed again when
        the block ends, however it ends; marks left by a process that was killed are finished
        by the next writable :func:`open_store`.

        A block begun on an empty store (a first build) would mark every node it writes: it
        writes one :func:`kg.summary.whole_mark` instead, before any article, its writes mark
        nothing, and the whole summary is computed at its end, the mark dropped last.
        """
        outer, self._defer = self._defer, True
        if not outer and self._empty():
            self.ox.add(whole_mark())
            self._whole = True
        try:
            yield
        finally:
            self._defer = outer
            if not outer:
                self._whole = False
                self.flush()  # the recount writes a fact per marked node: free the memory tables first
                self.finish_summary()

    def _empty(self) -> bool:
        """Whether the store holds no quad at all (one step of one index)."""
        return next(self.ox.quads_for_pattern(None, None, None, None), None) is None

    def has_pending(self) -> bool:
        """Whether some nodes are marked for their summary facts to be computed again."""
        return self.ox.contains_named_graph(ox.NamedNode(str(PENDING_GRAPH)))

    def whole_pending(self) -> bool:
        """Whether the whole summary is to be computed again (:func:`kg.summary.whole_mark`)."""
        return whole_mark() in self.ox

    def finish_summary(self) -> None:
        """Compute the summary facts of the marked nodes again and drop the marks.

        Each operation is its own update, flushed before the next, so a recount after a long
        build (tens of thousands of marked nodes) never holds all its writes in one transaction;
        the marks go last, so a recount cut off half way is finished by the next writable open.
        Under the :func:`kg.summary.whole_mark` the whole summary is computed again, the same way.
        """
        if self.whole_pending():
            ops = rebuild_operations()
        elif self.has_pending():
            ops = finish_operations()
        else:
            return
        for op in ops:
            self.update(op)
            self.ox.flush()

    def flush(self) -> None:
        """Make sure everything written is on disk."""
        self.ox.flush()

    def close(self) -> None:
        """Release the store and its lock: drop the reference to the Oxigraph handle now.

        Nothing else holds it (no reference cycles), so the lock goes with it, without a
        garbage collection.
        """
        self.ox = None  # type: ignore[assignment]


def _not_summary(name: URIRef) -> None:
    if str(name) in (str(SUMMARY_GRAPH), str(PENDING_GRAPH)):
        raise StoreError(f"<{name}> is kept by kg itself (the summary of the store's facts); "
                         "it cannot be written or removed as a graph: `kg summary` rebuilds it")


def _replacing(drop: list[str], name: str, insert: str | None, *, finish: bool = True,
               new: bool = False, mark: bool = True) -> str:
    """One update: drop graphs ``drop`` and ``name``, run ``insert``, and keep the summary right.

    The nodes of the graphs dropped and added are marked first (unless not ``mark``: the whole
    summary is pending); the summary facts of the marked nodes are then computed again
    (:func:`kg.summary.finish_operations`).  ``new``: no graph ``name`` is stored, so there is
    nothing of it to mark or drop.
    """
    gone = [*drop] if new else [*drop, name]
    ops: list[str] = []
    for g in gone if mark else ():
        ops += mark_stored(g)
    ops += [f"DROP SILENT GRAPH {ox.NamedNode(g)}" for g in gone]
    if insert is not None:
        ops.append(insert)
    return " ;\n".join(ops + (finish_operations() if finish else []))


def _quads_of(name: ox.NamedNode, graph: Graph, shared: Graph | None, *, marks: bool = True,
              known: set[ox.Quad] | frozenset[ox.Quad] = frozenset()) -> tuple[list[ox.Quad], list[ox.Quad]]:
    """What an ``INSERT DATA`` of ``graph`` into ``name`` would add, as quads, and the shared ones.

    With ``shared`` in the shared graph (but the quads of ``known``, stored already) and (if
    ``marks``) the marks of their nodes (:func:`kg.summary.mark_quads`).
    """
    quads = [_quad(t, name) for t in graph]
    triples: list[tuple[object, object, object]] = list(graph)
    fresh: list[ox.Quad] = []
    if shared is not None and len(shared):
        gz = ox.NamedNode(str(SHARED_GRAPH))
        for t in shared:
            q = _quad(t, gz)
            if q not in known:
                fresh.append(q)
                triples.append(t)
        quads += fresh
    return (quads + mark_quads(triples)) if marks else quads, fresh


def _quad(triple: tuple[Node, Node, Node], graph: ox.NamedNode) -> ox.Quad:
    """One rdflib triple as a pyoxigraph quad in ``graph``."""
    s, p, o = (to_ox(t) for t in triple)
    return ox.Quad(s, p, o, graph)  # type: ignore[arg-type]  # an rdflib graph's triples are well formed


_NAMED: dict[str, ox.NamedNode] = {}
"""IRI text -> its pyoxigraph term, for :func:`to_ox` (a build converts the same places and
properties for every article, twice: to validate and to write)."""
_NAMED_MAX = 100_000


def to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """An rdflib term as a pyoxigraph term."""
    if type(term) is URIRef:
        key = str.__str__(term)
        node = _NAMED.get(key)
        if node is None:
            if len(_NAMED) >= _NAMED_MAX:
                _NAMED.clear()
            node = _NAMED[key] = ox.NamedNode(key)
        return node
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=to_ox(term.datatype))  # type: ignore[arg-type]
        return ox.Literal(str(term))
    raise QueryError(f"cannot use {term!r} as an RDF term")


_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


def _plain(value: str) -> Literal:
    """A simple literal (``xsd:string``), built as ``Literal(value)`` builds it without its checks.

    ``Literal.__new__`` casts, normalises and validates the lexical form (4 µs a term); for a
    simple literal it ends with exactly these four attributes, so they are set directly
    (tests/test_store_decode.py compares both ways on every term of the seed store).
    """
    out = str.__new__(Literal, value)
    out._language = None
    out._datatype = None
    out._value = value
    out._ill_typed = None
    return out


def from_ox(term: object) -> Node | None:
    """A pyoxigraph term (or None for an unbound variable) as an rdflib term.

    IRIs and simple literals, most of what answers hold, skip rdflib's checks: Oxigraph has
    already parsed and validated them (``URIRef(value)`` only warns about an invalid IRI).
    """
    if term is None:
        return None
    if isinstance(term, ox.NamedNode):
        return str.__new__(URIRef, term.value)
    if isinstance(term, ox.Literal):
        if term.language:
            return Literal(term.value, lang=term.language)
        datatype = term.datatype.value
        if datatype in (_XSD_STRING, _LANG_STRING):
            return _plain(term.value)
        return Literal(term.value, datatype=datatype)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    raise QueryError(f"kg cannot read the RDF term {term} (RDF-star triples are not supported)")


def to_result(answer: object) -> Result:
    """A pyoxigraph query answer as an rdflib :class:`~rdflib.query.Result` (rows converted lazily)."""
    if isinstance(answer, ox.QueryBoolean):
        out = Result("ASK")
        out.askAnswer = bool(answer)
    elif isinstance(answer, ox.QuerySolutions):
        out = _Solutions("SELECT")
        out.vars = [Variable(v.value) for v in answer.variables]
        out.bindings = _bindings(answer, out.vars)
    elif isinstance(answer, ox.QueryTriples):
        out = Result("CONSTRUCT")
        graph = Graph()
        for t in answer:
            graph.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
        out.graph = graph
    else:
        raise QueryError(f"unexpected query answer {answer!r}")
    return out


class _Solutions(Result):
    """A SELECT result whose rows share one column index.

    rdflib's :class:`~rdflib.query.ResultRow` builds a fresh ``{name: position}`` dict for every
    row (a quarter of the time kg spends reading a 20,000-row answer); here the rows are the
    same tuples with one shared, read-only index.  Everything else is rdflib's ``Result``.
    """

    def __iter__(self) -> Iterator[Any]:
        if self.type != "SELECT" or not self._genbindings:
            yield from super().__iter__()
            return
        names = list(self.vars or [])
        labels = {str(v): i for i, v in enumerate(names)}
        new = tuple.__new__
        for b in self._genbindings:
            if b:  # as rdflib: an empty binding {} is no row
                self._bindings.append(b)
                row = new(ResultRow, [b.get(v) for v in names])
                row.labels = labels
                yield row
        self._genbindings = None


def _bindings(answer: ox.QuerySolutions, names: list[Variable]) -> Iterator[dict[Variable, Node | None]]:
    """The solutions as rdflib bindings, each distinct term converted once per answer.

    Building an rdflib Literal costs about 5-10 µs, more than Oxigraph takes to produce a row
    of a hash join; labels, file names and sentences repeat across rows, so a per-answer memo
    of converted terms makes a 20,000-row answer about 3x cheaper to read.
    """
    seen: dict[object, Node | None] = {None: None}
    for solution in answer:
        row: dict[Variable, Node | None] = {}
        for name, value in zip(names, solution, strict=False):
            try:
                row[name] = seen[value]
            except KeyError:
                row[name] = seen[value] = from_ox(value)
        yield row


DEFAULT_TIMEOUT = 60.0
_QUERY_ACCEPT = "application/sparql-results+json, application/n-triples;q=0.9, text/turtle;q=0.8"


def remote_timeout(seconds: float | None = None) -> float:
    """Seconds to wait for each answer of a SPARQL server.

    ``seconds`` if given, else :data:`kg.settings.timeout`, else the ``KG_TIMEOUT`` environment
    variable, else 60.

    Raises
    ------
    InputError
        When the value is not a positive number of seconds.
    """
    value: object = seconds if seconds is not None else settings.timeout
    where = "the timeout"
    if value is None:
        env = os.environ.get("KG_TIMEOUT", "").strip()
        value, where = (env or DEFAULT_TIMEOUT), f"KG_TIMEOUT={env!r}"
    try:
        out = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        out = float("nan")
    if not 0 < out < float("inf"):
        raise InputError(f"{where} is not a positive number of seconds; set it to e.g. 60")
    return out


class RemoteStore(_Common):
    """A graph kept on a SPARQL 1.1 server (Oxigraph server, Fuseki, Virtuoso, GraphDB).

    ``url`` is the server's base (``http://host:7878`` for Oxigraph, ``http://host:3030/ds`` for a
    Fuseki dataset): queries go to ``URL/query`` and updates to ``URL/update``.  The server
    must use the union of its named graphs as the default graph (Oxigraph:
    ``oxigraph serve --union-default-graph``; Fuseki: ``tdb2:unionDefaultGraph true``).

    Requests follow the SPARQL 1.1 Protocol over ``urllib`` with a timeout on every request
    (see :func:`remote_timeout`).  Whatever goes wrong on the way (connection refused or lost,
    no answer in time, an HTTP error) is raised as :class:`StoreError` (or
    :class:`QueryError` when the server rejects the SPARQL itself), one line that names the
    server.  Each update is one request that the server applies whole or not at all.

    Parameters
    ----------
    url
        Base URL of the server (a trailing ``/query``, ``/sparql`` or ``/update`` is dropped).
    timeout
        Seconds to wait for each answer (default: :func:`remote_timeout`).
    """

    def __init__(self, url: str, *, timeout: float | None = None) -> None:
        base = re.sub(r"/(query|sparql|update)/?$", "", url.rstrip("/"))
        self.location = base
        self.timeout = remote_timeout(timeout)
        self._prologue = "".join(f"PREFIX {p}: <{n}>\n" for p, n in PREFIXES.items())
        try:
            self._post("query", "ASK { }", "application/sparql-query", _QUERY_ACCEPT)
        except StoreError as exc:
            hint = "" if "KG_TIMEOUT" in exc.args[0] else "; check --store and that the server is running"
            raise StoreError(f"cannot reach a SPARQL server at {base}/query: {exc.args[0]}{hint}") from exc

    # -- the protocol ----------------------------------------------------------------------
    def _post(self, endpoint: str, body: str, content_type: str, accept: str) -> tuple[str, bytes]:
        """POST ``body`` to ``URL/endpoint``; returns the answer's media type and bytes.

        Raises
        ------
        StoreError
            On any network failure or HTTP error status, the cause in the message.
        """
        url = f"{self.location}/{endpoint}"
        request = urllib.request.Request(url, data=body.encode("utf-8"), method="POST",
                                         headers={"Content-Type": f"{content_type}; charset=utf-8",
                                                  "Accept": accept})
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                return answer.headers.get_content_type(), answer.read()
        except urllib.error.HTTPError as exc:
            raise _HTTPStatusError(url, exc) from exc
        except urllib.error.URLError as exc:
            raise StoreError(_network_reason(exc.reason, self.timeout)) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise StoreError(_network_reason(exc, self.timeout)) from exc

    def _user_lines(self, message: str) -> str:
        """A server message with ``LINE:COLUMN`` positions counted in the text the user wrote."""
        shift = self._prologue.count("\n")
        return re.sub(r"\b(\d+):(\d+)\b", lambda m: f"{int(m[1]) - shift}:{m[2]}" if int(m[1]) > shift
                      else m[0], message)

    def query(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> Result:
        """Run SPARQL on the server; bound variables travel as a VALUES block of RDF terms.

        Raises
        ------
        QueryError
            When the server rejects the query (HTTP 400), with its message.
        StoreError
            When the server cannot be reached, stops answering, or fails.
        """
        text = self._prologue + substitute(sparql, bindings or {})
        try:
            media, body = self._post("query", text, "application/sparql-query", _QUERY_ACCEPT)
        except _HTTPStatusError as exc:
            if exc.status == 400:
                raise QueryError(f"the server refused the query: {self._user_lines(exc.detail)}") from exc
            raise StoreError(f"{exc.args[0]}; is {self.location} a SPARQL server?") from exc
        except StoreError as exc:
            raise StoreError(f"the SPARQL server at {self.location} {exc.args[0]}") from exc
        try:
            return Result.parse(io.BytesIO(body), content_type=media)
        except Exception as exc:  # parsers of several formats raise several types
            raise StoreError(f"the server at {self.location} sent an answer kg cannot read ({media}: "
                             f"{type(exc).__name__}: {_first_line(str(exc))})") from exc

    def graph_names(self) -> list[str]:
        """Names of the named graphs on the server."""
        return sorted(str(r[0]) for r in self.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"))

    def nquads(self) -> bytes:
        """Every quad in the server's named graphs, as N-Quads."""
        from rdflib import Dataset as _Dataset

        ds = _Dataset()
        for s, p, o, g in self.query("SELECT ?s ?p ?o ?g WHERE { GRAPH ?g { ?s ?p ?o } }"):
            ds.graph(g).add((s, p, o))
        return ds.serialize(format="nquads").encode("utf-8")

    def update(self, sparql: str) -> None:
        """Send a SPARQL update to the server (applied whole or not at all).

        Raises
        ------
        QueryError
            When the server rejects the update (HTTP 400), with its message.
        StoreError
            When the server is read-only (HTTP 403, 404, 405), cannot be reached, stops
            answering, or fails.
        """
        try:
            self._post("update", self._prologue + sparql, "application/sparql-update",
                       "text/plain, */*;q=0.1")
        except _HTTPStatusError as exc:
            if exc.status == 400:
                raise QueryError(f"the server refused the update: {self._user_lines(exc.detail)}") from exc
            if exc.status in (401, 403, 404, 405):
                raise StoreError(f"the server at {self.location} does not take updates ({exc.args[0]}): "
                                 "it is read-only for kg. Write to a writable server (oxigraph serve, not "
                                 "serve-read-only or kg serve) or to a local --store folder") from exc
            raise StoreError(f"the update failed ({exc.args[0]}); run the command again") from exc
        except StoreError as exc:
            raise StoreError(f"the SPARQL server at {self.location} {exc.args[0]}; each update is applied "
                             "whole or not at all, so run the command again once the server is back") from exc

    def replace_graph(self, name: URIRef, graph: Graph, *, shared: Graph | None = None,
                      drop: Iterable[str] = (), new: bool = False) -> None:
        """Replace one named graph (and add ``shared`` to the shared graph, drop ``drop``) in one request.

        ``new``: the caller knows no graph ``name`` is stored (see :meth:`GraphStore.replace_graph`).
        """
        _not_summary(name)
        body = graph.serialize(format="nt")
        extra = ""
        if shared is not None and len(shared):
            extra = f" GRAPH {SHARED_GRAPH.n3()} {{ {shared.serialize(format='nt')} }}"
        marks = marks_of([*graph, *(shared if shared is not None else ())])
        self.update(_replacing([str(d) for d in drop], str(name),
                               f"INSERT DATA {{ GRAPH {name.n3()} {{ {body} }}{extra} {marks} }}", new=new))

    def remove_graph(self, name: URIRef) -> bool:
        """Drop one named graph (and update the summary graph); returns whether it existed."""
        _not_summary(name)
        existed = bool(self.query(f"ASK {{ GRAPH {name.n3()} {{ ?s ?p ?o }} }}").askAnswer)
        if existed:
            self.update(_replacing([], str(name), None))
        return existed

    def flush(self) -> None:
        """Nothing to flush: the server persists each request."""

    def close(self) -> None:
        """Nothing to release: each request opens and closes its own connection."""


class _HTTPStatusError(StoreError):
    """An HTTP error status from the server (kept apart so callers can map 400 to QueryError)."""

    def __init__(self, url: str, exc: urllib.error.HTTPError) -> None:
        self.status = exc.code
        try:
            text = exc.read(2000).decode("utf-8", "replace")
        except OSError:
            text = ""
        self.detail = _first_line(text) or exc.reason or ""
        detail = f": {self.detail}" if self.detail else ""
        super().__init__(f"HTTP {exc.code} {exc.reason} from {url}{detail}")


def _first_line(text: str, limit: int = 300) -> str:
    lines = [ln.strip() for ln in text.strip().splitlines() if ln.strip()]
    return " ".join(lines)[:limit] if lines else ""


def _network_reason(reason: object, timeout: float) -> str:
    """What went wrong on the wire, as the end of a sentence naming the server."""
    if isinstance(reason, TimeoutError) or "timed out" in str(reason):
        return (f"did not answer within {timeout:g} s; check that it is running and reachable, or wait "
                "longer with KG_TIMEOUT=SECONDS (kg --timeout SECONDS)")
    if isinstance(reason, ConnectionRefusedError):
        return "refused the connection (is it running?)"
    if isinstance(reason, (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError,
                           http.client.IncompleteRead)):
        return f"dropped the connection ({type(reason).__name__})"
    return f"could not be reached ({type(reason).__name__}: {_first_line(str(reason))})"


def bind_values(sparql: str, bindings: Mapping[str, Identifier]) -> str:
    """The query with ``VALUES (?a ...) { (term ...) }`` opening its WHERE group.

    Terms are serialised by rdflib (``Identifier.n3()``), so a value is always one RDF term.
    Placed first in the group (not after the query, where rdflib's SPARQLStore puts it) the
    values are in scope for the group's FILTERs.
    """
    if not bindings:
        return sparql
    at = _where_brace(sparql)
    if at is None:
        raise QueryError("cannot find the WHERE clause to bind variables into")
    names = " ".join(f"?{k}" for k in bindings)
    terms = " ".join(_n3(k, v) for k, v in bindings.items())
    return f"{sparql[:at + 1]} VALUES ({names}) {{ ({terms}) }} {sparql[at + 1:]}"


def substitute(sparql: str, bindings: Mapping[str, Identifier]) -> str:
    """The query with each bound variable replaced by its RDF term, as Oxigraph's substitutions do.

    A SPARQL server has no substitutions: a ``VALUES`` block (:func:`bind_values`) joins at the
    top of the query, where a ``FILTER`` in a nested group cannot see it, and the shipped
    queries match names in nested groups so that Oxigraph starts from them.  So the term is
    written where the variable is: ``(TERM AS ?v)`` in the top projection, ``(TERM)`` in
    ``GROUP BY``, ``TERM`` elsewhere (never after ``AS``).  Terms are serialised by rdflib, and
    only the variable's own tokens outside strings, IRIs and comments are replaced.

    A subquery projecting the variable bare (``{ SELECT ?v ?x WHERE ...}``) no longer projects
    it: its every use inside is the term, and the top projection gives the term to every row,
    as a substitution does (``(TERM AS ?v)`` there would bring ``?v`` into the WHERE clause,
    which a top ``(TERM AS ?v)`` may then not override).  A projection of nothing else becomes
    ``(TERM AS ?v)``.
    """
    if not bindings:
        return sparql
    code, _ = code_only(sparql)
    at = _where_brace(sparql)
    if at is None:
        raise QueryError("cannot find the WHERE clause to bind variables into")
    head = re.search(r"(?<![A-Za-z0-9])SELECT(?![A-Za-z0-9])", code[:at], re.I)
    names = "|".join(re.escape(k) for k in bindings)
    token = rf"[?$]({names})(?![\w])"
    out, last = [], 0
    for m in re.finditer(token, code):
        before = code[:m.start()]
        if re.search(r"\bAS\s*$", before, re.I):
            continue
        term = _n3(m.group(1), bindings[m.group(1)])
        if (projection := _subquery_projection(code, at, m.start())) is not None:
            rest = re.sub(token, " ", projection)
            alone = not re.sub(r"(?i)\b(?:DISTINCT|REDUCED)\b", " ", rest).strip()
            text = f"({term} AS ?{m.group(1)})" if alone else ""
        elif head is not None and head.end() <= m.start() < at:
            text = f"({term} AS ?{m.group(1)})"
        elif re.search(r"\bGROUP\s+BY(?:\s|[?$\w(),\"\']|\s)*$", before, re.I) and "}" not in before[before.upper().rfind("GROUP"):]:
            text = f"({term})"
        else:
            text = term
        out += [sparql[last:m.start()], text]
        last = m.end()
    return "".join(out) + sparql[last:]


def _subquery_projection(code: str, at: int, pos: int) -> str | None:
    """The projection of the subquery whose ``SELECT`` clause holds a bare variable at ``pos``.

    None when ``pos`` is not there or is inside parentheses (an expression); ``code`` is blanked
    by :func:`code_only`, ``at`` is the top WHERE brace.
    """
    selects = list(re.finditer(r"(?<![A-Za-z0-9])SELECT(?![A-Za-z0-9])", code[at:pos], re.I))
    if not selects:
        return None
    select = selects[-1]
    start = at + select.end()
    between = code[start:pos]
    if "{" in between or "}" in between or re.search(r"(?<![A-Za-z0-9])WHERE(?![A-Za-z0-9])", between, re.I):
        return None
    if between.count("(") != between.count(")"):
        return None
    ends = [i for i in (code.find("{", pos),) if i >= 0]
    where = re.search(r"(?<![A-Za-z0-9])WHERE(?![A-Za-z0-9])", code[pos:], re.I)
    if where is not None:
        ends.append(pos + where.start())
    return code[start:min(ends)] if ends else None


def _n3(name: str, term: Identifier) -> str:
    """One bound value as SPARQL text; an IRI that cannot be written is a :class:`QueryError`."""
    try:
        return term.n3()
    except Exception as exc:  # rdflib raises a bare Exception for IRIs it cannot serialise
        raise QueryError(f"cannot bind ?{name} to <{term}>: not a valid IRI (spaces and <>\"{{}}|^`\\ are "
                         "not allowed in IRIs; percent-encode them, e.g. %20)") from exc


_IRI = re.compile(r"<[^<>\"{}|^`\\\s]*>")
_OPEN, _CLOSE = "{([", "})]"


def _where_brace(q: str) -> int | None:
    """Index of the ``{`` opening the top WHERE group, skipping comments, strings and IRIs."""
    code, _ = code_only(q)
    where = re.search(r"(?<![A-Za-z0-9])WHERE", code, re.I)
    if where is not None and (brace := code.find("{", where.end())) >= 0:
        return brace
    first = code.find("{")
    return first if first >= 0 else None


def code_only(text: str) -> tuple[str, int]:
    """The query with strings, IRIs and comments blanked out (same length, so positions hold),
    and its deepest bracket nesting.

    One pass, no recursion: safe on any input, however deep.
    """
    out: list[str] = []
    depth = deepest = 0
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "#":
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
            continue
        if c in "\"'":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else c
            j = i + len(quote)
            while j < n and text[j:j + len(quote)] != quote:
                j += 2 if text[j] == "\\" else 1
            j = min(j + len(quote), n)
            out.append(" " * (j - i))
            i = j
            continue
        if c == "<" and (m := _IRI.match(text, i)):
            # Blanked for the keyword search, but its brackets still count: `1<((1))>0` is
            # also a comparison of nested parentheses to the parser.
            for b in m.group(0):
                depth += (b in _OPEN) - (b in _CLOSE)
                deepest = max(deepest, depth)
            out.append(" " * (m.end() - i))
            i = m.end()
            continue
        if c in _OPEN:
            depth += 1
            deepest = max(deepest, depth)
        elif c in _CLOSE:
            depth -= 1
        out.append(c)
        i += 1
    return "".join(out), deepest


@contextmanager
def open_store(location: str | Path | None = None, *, read_only: bool = False) -> Iterator[GraphStore]:
    """Open the store at ``location`` (default :data:`kg.settings.store`) for a ``with`` block.

    A location starting with ``http://`` or ``https://`` is a SPARQL server (:class:`RemoteStore`).
    """
    where = str(location or settings.store)
    if where.startswith(("http://", "https://")):
        remote = RemoteStore(where)
        try:
            yield remote  # type: ignore[misc]
        finally:
            remote.close()
        return
    store = GraphStore(where, read_only=read_only)
    try:
        if not read_only and (store.whole_pending() or store.has_summary()):
            store.finish_summary()  # marks left by a build cut off (by a first build: its whole mark)
        elif not read_only:  # a store written before the summary graph
            store.rebuild_summary()
        yield store
    finally:
        if not read_only:
            store.flush()
        store.close()


__all__ = ["KGO", "GraphStore", "open_store"]
