"""``kg serve``: the local graph as a read-only SPARQL 1.1 Protocol endpoint at ``/query``.

An ASGI app (starlette) served by uvicorn: HTTP/1.1, keep-alive, many clients at once.  GET
``/query?query=...`` and POST (``application/sparql-query``, or a form with ``query``) are
answered over the union of the article graphs, or over the graphs ``default-graph-uri`` /
``named-graph-uri`` name.  The Accept header picks the format: SPARQL JSON, XML, CSV or TSV for
SELECT and ASK; Turtle, N-Triples, RDF/XML or JSON-LD for CONSTRUCT and DESCRIBE; 406 when none
of those is acceptable.  GET ``/query`` without a query returns the service description, and
``/`` is a small query page that works offline.

Queries never run in the server process.  Oxigraph evaluates a query in Rust, which Python
cannot interrupt, so each query goes to one of a few worker processes: a query that passes the
time limit, whose client leaves, or that crashes the engine costs only that worker, which is
killed and replaced, while the server keeps answering.  Results are streamed from the worker as
they are produced and cut at the row limit.  A worker reopens the read-only store when the
store changed on disk, so each committed build is seen by the next query.

Federation (``SERVICE``) is off, no CORS header is sent, and queries nesting deeper than
:data:`kg.settings.max_query_depth` are refused, unless the operator says otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import logging
import multiprocessing as mp
import os
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

from . import settings
from ._errors import InputError, KgError, QueryError, StoreError

log = logging.getLogger("kg.serve")

# -- formats ---------------------------------------------------------------------------------
JSON_RESULTS = "application/sparql-results+json"
XML_RESULTS = "application/sparql-results+xml"
CSV, TSV = "text/csv", "text/tab-separated-values"
TURTLE, NTRIPLES, RDFXML, JSONLD = "text/turtle", "application/n-triples", "application/rdf+xml", "application/ld+json"

#: media type asked for -> media type sent, per kind of result (first = default)
RESULT_TYPES = {JSON_RESULTS: JSON_RESULTS, XML_RESULTS: XML_RESULTS, CSV: CSV, TSV: TSV,
                "application/json": JSON_RESULTS, "application/xml": XML_RESULTS, "text/xml": XML_RESULTS}
GRAPH_TYPES = {TURTLE: TURTLE, NTRIPLES: NTRIPLES, RDFXML: RDFXML, JSONLD: JSONLD,
               "application/x-turtle": TURTLE, "text/plain": NTRIPLES, "application/xml": RDFXML,
               "text/xml": RDFXML, "application/json": JSONLD}
RDF_FORMATS = {TURTLE: ox.RdfFormat.TURTLE, NTRIPLES: ox.RdfFormat.N_TRIPLES, RDFXML: ox.RdfFormat.RDF_XML,
               JSONLD: ox.RdfFormat.JSON_LD}
#: ``format=`` / ``output=`` parameter values some clients send (used when Accept says nothing)
FORMAT_NAMES = {"json": (JSON_RESULTS, JSONLD), "xml": (XML_RESULTS, RDFXML), "csv": (CSV, None),
                "tsv": (TSV, None), "turtle": (None, TURTLE), "ttl": (None, TURTLE), "nt": (None, NTRIPLES),
                "ntriples": (None, NTRIPLES), "n-triples": (None, NTRIPLES), "rdfxml": (None, RDFXML),
                "rdf": (None, RDFXML), "jsonld": (None, JSONLD), "json-ld": (None, JSONLD)}
CHUNK = 32 * 1024  # bytes a worker sends at a time (fits a pipe buffer)


def parse_accept(header: str) -> list[str]:
    """Media ranges of an Accept header, best first (q=0 dropped; ties keep their order)."""
    ranges: list[tuple[float, int, str]] = []
    for i, part in enumerate(header.split(",")):
        fields = [f.strip() for f in part.split(";")]
        mime, q = fields[0].lower(), 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if mime and q > 0:
            ranges.append((-q, i, mime))  # by q, then as written
    return [m for _, _, m in sorted(ranges)]


def negotiate(accept: str, offered: dict[str, str]) -> str | None:
    """The media type to send for an Accept header, out of ``offered`` (None: 406)."""
    if not accept.strip():
        return next(iter(offered.values()))
    for mime in parse_accept(accept):
        if mime in offered:
            return offered[mime]
        if mime == "*/*":
            return next(iter(offered.values()))
        if mime.endswith("/*"):
            top = mime[:-1]
            for sent in offered.values():
                if sent.startswith(top):
                    return sent
    return None


# -- result serialisers (streaming, in the worker) -------------------------------------------
def _json_term(t: Any) -> dict[str, Any]:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    if isinstance(t, ox.Literal):
        out: dict[str, Any] = {"type": "literal", "value": t.value}
        if t.language:
            out["xml:lang"] = t.language
        elif t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            out["datatype"] = t.datatype.value
        return out
    return {"type": "triple", "value": {"subject": _json_term(t.subject), "predicate": _json_term(t.predicate),
                                        "object": _json_term(t.object)}}


def _xml_term(t: Any) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<uri>{escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{escape(t.value)}</bnode>"
    if isinstance(t, ox.Literal):
        if t.language:
            return f"<literal xml:lang={quoteattr(t.language)}>{escape(t.value)}</literal>"
        if t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
            return f"<literal datatype={quoteattr(t.datatype.value)}>{escape(t.value)}</literal>"
        return f"<literal>{escape(t.value)}</literal>"
    return (f"<triple><subject>{_xml_term(t.subject)}</subject><predicate>{_xml_term(t.predicate)}"
            f"</predicate><object>{_xml_term(t.object)}</object></triple>")


def _csv_term(t: Any) -> str:
    if t is None:
        return ""
    if isinstance(t, ox.BlankNode):
        return f"_:{t.value}"
    if isinstance(t, (ox.NamedNode, ox.Literal)):
        return t.value
    return str(t)


def _csv_line(values: list[str]) -> str:
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(values)
    return buf.getvalue()


def solution_chunks(variables: list[str], rows: Iterable[Any], mime: str) -> Iterator[str]:
    """A SELECT result in ``mime``, as pieces of text written one row at a time."""
    n = len(variables)
    if mime == JSON_RESULTS:
        yield json.dumps({"head": {"vars": variables}}, separators=(",", ":"))[:-1] + ',"results":{"bindings":['
        sep = ""
        for row in rows:
            binding = {variables[i]: _json_term(row[i]) for i in range(n) if row[i] is not None}
            yield sep + json.dumps(binding, ensure_ascii=False, separators=(",", ":"))
            sep = ","
        yield "]}}"
    elif mime == XML_RESULTS:
        head = "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
        yield ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
               f"<head>{head}</head><results>")
        for row in rows:
            yield "<result>" + "".join(f"<binding name={quoteattr(variables[i])}>{_xml_term(row[i])}</binding>"
                                       for i in range(n) if row[i] is not None) + "</result>\n"
        yield "</results></sparql>\n"
    elif mime == CSV:
        yield _csv_line(variables)
        for row in rows:
            yield _csv_line([_csv_term(row[i]) for i in range(n)])
    else:  # TSV: terms in N-Triples syntax
        yield "\t".join(f"?{v}" for v in variables) + "\n"
        for row in rows:
            yield "\t".join("" if row[i] is None else str(row[i]) for i in range(n)) + "\n"


def boolean_text(value: bool, mime: str) -> str:
    """An ASK result in ``mime``."""
    word = "true" if value else "false"
    if mime == JSON_RESULTS:
        return json.dumps({"head": {}, "boolean": value})
    if mime == XML_RESULTS:
        return ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
                f"<head/><boolean>{word}</boolean></sparql>\n")
    return ("_askResult\r\n" if mime == CSV else "?_askResult\n") + word + ("\r\n" if mime == CSV else "\n")


# -- the worker process ----------------------------------------------------------------------
def store_version(location: str) -> tuple[tuple[str, int, int], ...]:
    """What changes on disk when a write is committed: RocksDB's CURRENT, MANIFEST and WAL files."""
    try:
        entries = list(os.scandir(location))
    except OSError:
        return ()
    out = []
    for e in entries:
        if e.name == "CURRENT" or e.name.startswith("MANIFEST") or e.name.endswith(".log"):
            with contextlib.suppress(OSError):
                st = e.stat()
                out.append((e.name, st.st_size, st.st_mtime_ns))
    return tuple(sorted(out))


class _Channel:
    """The worker's side of the pipe: buffered text and bytes out, tagged messages."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.parts: list[bytes] = []
        self.size = 0
        self.started = False
        self.head: dict[str, Any] = {}

    def write(self, data: bytes | str) -> int:
        b = data.encode("utf-8") if isinstance(data, str) else bytes(data)
        self.parts.append(b)
        self.size += len(b)
        if self.size >= CHUNK:
            self.flush()
        return len(b)

    def flush(self) -> None:
        if not self.started:
            self.conn.send_bytes(b"H" + json.dumps(self.head).encode())
            self.started = True
        data = b"".join(self.parts)
        self.parts, self.size = [], 0
        for i in range(0, len(data), CHUNK):
            self.conn.send_bytes(b"D" + data[i:i + CHUNK])

    def error(self, status: int, message: str) -> None:
        text = " ".join(message.split())[:1000]
        if self.started:
            self.conn.send_bytes(b"A" + text.encode())
        else:
            self.conn.send_bytes(b"E" + json.dumps({"status": status, "message": text}).encode())

    def end(self, rows: int, truncated: bool) -> None:
        self.flush()
        self.conn.send_bytes(b"Z" + json.dumps({"rows": rows, "truncated": truncated}).encode())


class _Counter:
    """Counts what passes through and stops at ``limit`` (then ``truncated`` is set)."""

    def __init__(self, items: Iterable[Any], limit: int) -> None:
        self.items, self.limit, self.n, self.truncated = iter(items), limit, 0, False

    def __iter__(self) -> Iterator[Any]:
        for item in self.items:
            if self.n >= self.limit:
                self.truncated = True
                return
            self.n += 1
            yield item


def _evaluate(db: ox.Store, job: dict[str, Any], out: _Channel) -> None:
    """Run one query job and stream its result into ``out``."""
    prefixes = job["prefixes"]
    options: dict[str, Any] = {"prefixes": prefixes}
    if job["default_graphs"]:
        options["default_graph"] = [ox.NamedNode(g) for g in job["default_graphs"]]
    else:
        options["use_default_graph_as_union"] = True
    if job["named_graphs"]:
        options["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
    try:
        result = db.query(job["query"], **options)
    except SyntaxError as exc:
        out.error(400, f"SPARQL syntax error: {exc} (this endpoint only answers queries; updates are refused)")
        return
    except ValueError as exc:
        out.error(400, f"bad request: {exc}")
        return
    if isinstance(result, ox.QueryBoolean):
        mime = job["result_mime"]
        if mime is None:
            out.error(406, f"cannot send an ASK result as {job['accept']!r}; ask for one of "
                           f"{', '.join(dict.fromkeys(RESULT_TYPES.values()))}")
            return
        out.head = {"type": mime, "kind": "ASK"}
        out.write(boolean_text(bool(result), mime))
        out.end(1, False)
    elif isinstance(result, ox.QueryTriples):
        mime = job["graph_mime"]
        if mime is None:
            out.error(406, f"cannot send a graph as {job['accept']!r}; ask for one of "
                           f"{', '.join(dict.fromkeys(GRAPH_TYPES.values()))}")
            return
        out.head = {"type": mime, "kind": "GRAPH"}
        triples = _Counter(result, job["max_rows"])
        ox.serialize(iter(triples), output=out, format=RDF_FORMATS[mime], prefixes=prefixes)
        out.end(triples.n, triples.truncated)
    else:
        mime = job["result_mime"]
        if mime is None:
            out.error(406, f"cannot send SELECT results as {job['accept']!r}; ask for one of "
                           f"{', '.join(dict.fromkeys(RESULT_TYPES.values()))}")
            return
        out.head = {"type": mime, "kind": "SELECT"}
        rows = _Counter(result, job["max_rows"])
        for piece in solution_chunks([v.value for v in result.variables], rows, mime):
            out.write(piece)
        out.end(rows.n, rows.truncated)


def worker_main(conn: Any, location: str) -> None:
    """Loop of a worker process: receive a job, answer it, reopen the store when it changed."""
    db: ox.Store | None = None
    version: tuple[tuple[str, int, int], ...] = ()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        out = _Channel(conn)
        try:
            now = store_version(location)
            if db is None or now != version:
                db = None
                db = ox.Store.read_only(location)
                version = now
            _evaluate(db, job, out)
        except OSError as exc:
            out.error(500, f"SPARQL evaluation failed (reading the store or a remote service): {exc}")
        except Exception as exc:  # noqa: BLE001 - any evaluation error goes back to the client
            out.error(500, f"SPARQL evaluation failed: {exc}")


# -- the pool of workers (in the server process) ----------------------------------------------
@dataclass
class _Worker:
    proc: Any
    conn: Any


class WorkerPool:
    """Worker processes running queries, one query each at a time; killed and replaced at will.

    Parameters
    ----------
    location
        Store folder the workers open read-only.
    size
        Number of workers (queries evaluated at once).
    """

    def __init__(self, location: str, size: int) -> None:
        self.location = location
        self.size = max(1, size)
        self._ctx = mp.get_context("forkserver")
        self._ctx.set_forkserver_preload(["pyoxigraph", "kg.serve"])
        self._idle: asyncio.Queue[_Worker] | None = None
        self._all: set[int] = set()
        self._procs: list[Any] = []
        self._closed = False
        self.replaced = 0

    def _spawn(self) -> _Worker:
        here, there = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(target=worker_main, args=(there, self.location), daemon=True,
                                 name="kg-serve-worker")
        proc.start()
        there.close()
        self._procs.append(proc)
        return _Worker(proc, here)

    async def start(self) -> None:
        """Start the workers (call inside the server's event loop)."""
        self._idle = asyncio.Queue()
        for w in await asyncio.gather(*(asyncio.to_thread(self._spawn) for _ in range(self.size))):
            self._idle.put_nowait(w)

    async def acquire(self, timeout: float) -> _Worker:
        """A free worker, waiting up to ``timeout`` seconds (raises ``TimeoutError``)."""
        assert self._idle is not None
        w = await asyncio.wait_for(self._idle.get(), timeout)
        if not w.proc.is_alive():
            self._close(w)
            w = await asyncio.to_thread(self._spawn)
        return w

    def release(self, w: _Worker) -> None:
        """Give back a worker that finished its job."""
        assert self._idle is not None
        self._idle.put_nowait(w)

    def replace(self, w: _Worker) -> None:
        """Kill a worker (its query is abandoned) and start a fresh one in its place."""
        self._close(w)
        self.replaced += 1
        if self._closed:
            return
        loop = asyncio.get_running_loop()

        async def respawn() -> None:
            fresh = await asyncio.to_thread(self._spawn)
            if self._closed:
                self._close(fresh)
            else:
                self.release(fresh)

        loop.create_task(respawn())

    def _close(self, w: _Worker) -> None:
        with contextlib.suppress(Exception):
            w.proc.kill()
        with contextlib.suppress(Exception):
            w.proc.join(timeout=5)
        with contextlib.suppress(Exception):
            w.conn.close()
        with contextlib.suppress(ValueError):
            self._procs.remove(w.proc)

    def close(self) -> None:
        """Kill every worker."""
        self._closed = True
        for proc in list(self._procs):
            with contextlib.suppress(Exception):
                proc.kill()
                proc.join(timeout=5)
        self._procs.clear()


async def _readable(conn: Any, timeout: float, gone: asyncio.Event) -> str:
    """Wait until the worker's pipe has a message: ``"ready"``, ``"timeout"`` or ``"gone"`` (client left)."""
    if conn.poll(0):
        return "ready"
    if timeout <= 0:
        return "timeout"
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    fd = conn.fileno()
    loop.add_reader(fd, lambda: ready.done() or ready.set_result(True))
    left = asyncio.ensure_future(gone.wait())
    try:
        done, _ = await asyncio.wait({ready, left}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        loop.remove_reader(fd)
        left.cancel()
    if ready in done:
        return "ready"
    return "gone" if left in done or gone.is_set() else "timeout"


# -- the HTTP side --------------------------------------------------------------------------
@dataclass
class Limits:
    """What one client may ask of the server (defaults from :mod:`kg.settings`)."""

    timeout: float = field(default_factory=lambda: settings.query_timeout)
    max_rows: int = field(default_factory=lambda: settings.max_rows)
    max_body: int = field(default_factory=lambda: settings.max_body)
    max_depth: int = field(default_factory=lambda: settings.max_query_depth)
    read_timeout: float = 10.0
    allow_service: bool = field(default_factory=lambda: settings.allow_service)
    cors_origins: tuple[str, ...] = field(default_factory=lambda: settings.cors_origins)
    workers: int = field(default_factory=lambda: settings.serve_workers)


class _HttpError(Exception):
    def __init__(self, status: int, message: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.message, self.headers = status, message, headers or {}


def _text(status: int, message: str, headers: dict[str, str] | None = None) -> Any:
    from starlette.responses import PlainTextResponse

    return PlainTextResponse(message.rstrip("\n") + "\n", status_code=status, headers=headers)


async def _read_body(request: Any, limits: Limits) -> bytes:
    """The request body, refused past ``max_body`` bytes or when it arrives too slowly."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.isdigit():
            raise _HttpError(400, f"bad Content-Length {declared!r}")
        if int(declared) > limits.max_body:
            raise _HttpError(413, f"request body of {int(declared):,} bytes is over the limit of "
                                  f"{limits.max_body:,} (kg serve --max-body)")
    parts, size = [], 0
    try:
        async with asyncio.timeout(limits.read_timeout):
            async for chunk in request.stream():
                size += len(chunk)
                if size > limits.max_body:
                    raise _HttpError(413, f"request body is over the limit of {limits.max_body:,} bytes "
                                          "(kg serve --max-body)")
                parts.append(chunk)
    except TimeoutError:
        raise _HttpError(408, f"the request body did not arrive within {limits.read_timeout:g} s") from None
    return b"".join(parts)


def _decode(data: bytes, what: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _HttpError(400, f"{what} is not valid UTF-8 (byte {exc.start}): send UTF-8 text") from None


def _params(request: Any, body: bytes) -> dict[str, list[str]]:
    """Protocol parameters from the URL and, for a form POST, the body."""
    try:
        params = parse_qs(request.url.query, keep_blank_values=True, strict_parsing=False,
                          encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise _HttpError(400, "the URL's query string is not valid UTF-8 (percent-encode UTF-8 bytes)") from None
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if request.method == "POST":
        if ctype == "application/sparql-query":
            if "query" in params:
                raise _HttpError(400, "a query in both the body and the URL: send one")
            params["query"] = [_decode(body, "the query")]
        elif ctype == "application/x-www-form-urlencoded":
            text = _decode(body, "the form body")
            try:
                form = parse_qs(text, keep_blank_values=True, encoding="utf-8", errors="strict")
            except UnicodeDecodeError:
                raise _HttpError(400, "the form body is not valid UTF-8 once percent-decoded") from None
            for k, v in form.items():
                params.setdefault(k, []).extend(v)
        elif ctype == "application/sparql-update":
            raise _HttpError(400, "this endpoint is read-only: updates are refused")
        else:
            raise _HttpError(415, f"POST a query as application/sparql-query or as a form "
                                  f"(application/x-www-form-urlencoded), not {ctype or 'no Content-Type'!r}")
    return params


def _graph_list(params: dict[str, list[str]], name: str) -> list[str]:
    out = []
    for iri in params.get(name, []):
        try:
            out.append(ox.NamedNode(iri).value)
        except ValueError:
            raise _HttpError(400, f"{name} {iri!r} is not an absolute IRI") from None
    return out


def _format_param(params: dict[str, list[str]]) -> tuple[str | None, str | None] | None:
    for key in ("format", "output"):
        for value in params.get(key, []):
            v = value.strip().lower()
            if v in FORMAT_NAMES:
                return FORMAT_NAMES[v]
            if v in RESULT_TYPES or v in GRAPH_TYPES:
                return RESULT_TYPES.get(v), GRAPH_TYPES.get(v)
    return None


class Endpoint:
    """The state of one running server: store, limits and worker pool."""

    def __init__(self, location: str, limits: Limits) -> None:
        from .rdf import PREFIXES

        self.location = location
        self.limits = limits
        self.prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
        self.pool = WorkerPool(location, limits.workers)

    async def query(self, request: Any) -> Any:
        """Answer GET/POST ``/query``."""
        from .sparql import check_query

        try:
            body = await _read_body(request, self.limits) if request.method == "POST" else b""
            params = _params(request, body)
            if "update" in params:
                raise _HttpError(400, "this endpoint is read-only: updates are refused")
            queries = params.get("query", [])
            if not queries:
                return self.description(request)
            if len(queries) > 1:
                raise _HttpError(400, "more than one 'query' parameter: send one")
            text = queries[0]
            try:
                check_query(text, max_depth=self.limits.max_depth, allow_service=self.limits.allow_service)
            except QueryError as exc:
                raise _HttpError(400, str(exc).replace("--allow-service", "kg serve --allow-service")
                                 .replace("--max-depth", "kg serve --max-depth")) from None
            accept = request.headers.get("accept", "")
            result_mime, graph_mime = negotiate(accept, RESULT_TYPES), negotiate(accept, GRAPH_TYPES)
            named = _format_param(params)
            if named and (not accept.strip() or accept.strip() == "*/*"):
                result_mime, graph_mime = named[0] or result_mime, named[1] or graph_mime
            job = {"query": text, "accept": accept, "result_mime": result_mime, "graph_mime": graph_mime,
                   "default_graphs": _graph_list(params, "default-graph-uri"),
                   "named_graphs": _graph_list(params, "named-graph-uri"),
                   "max_rows": self.limits.max_rows, "prefixes": self.prefixes}
            return await self._run(request, job)
        except _HttpError as exc:
            return _text(exc.status, exc.message, exc.headers)

    async def _run(self, request: Any, job: dict[str, Any]) -> Any:
        """Send the job to a worker and answer with what it streams back."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.limits.timeout
        try:
            worker = await self.pool.acquire(self.limits.timeout)
        except TimeoutError:
            raise _HttpError(503, f"all {self.pool.size} query workers stayed busy for {self.limits.timeout:g} s; "
                                  "try again later", {"Retry-After": "5"}) from None
        gone = asyncio.Event()
        watcher = asyncio.ensure_future(_watch_disconnect(request, gone))
        try:
            worker.conn.send(job)
            first = await self._next(worker, deadline, gone)
        except BaseException:
            watcher.cancel()
            self.pool.replace(worker)
            raise
        if first is None:  # timeout or client gone: the worker is replaced
            watcher.cancel()
            raise _HttpError(503, f"query cut off after {self.limits.timeout:g} s, the server's time limit "
                                  "(kg serve --timeout): add a LIMIT or narrow the patterns")
        tag, payload = first[:1], first[1:]
        if tag == b"E":
            watcher.cancel()
            self.pool.release(worker)
            err = json.loads(payload)
            raise _HttpError(err["status"], err["message"])
        head = json.loads(payload)
        media = head["type"] + ("; charset=utf-8" if head["type"] in (CSV, TSV, TURTLE) else "")
        headers = {"content-type": media, "x-kg-row-limit": str(self.limits.max_rows), "vary": "Accept"}
        return _Stream(200, headers, self._stream(worker, deadline, gone, watcher))

    async def _next(self, worker: _Worker, deadline: float, gone: asyncio.Event) -> bytes | None:
        """The worker's next message; None when the time is up or the client left (worker replaced)."""
        loop = asyncio.get_running_loop()
        state = await _readable(worker.conn, deadline - loop.time(), gone)
        if state != "ready":
            self.pool.replace(worker)
            log.warning("kg serve: query %s after %.1f s; its worker was replaced",
                        "abandoned by its client" if state == "gone" else "cut off", self.limits.timeout)
            return None
        try:
            return worker.conn.recv_bytes()
        except (EOFError, OSError):
            self.pool.replace(worker)
            raise _HttpError(500, "the query engine crashed on this query; its worker was restarted") from None

    async def _stream(self, worker: _Worker, deadline: float, gone: asyncio.Event,
                      watcher: asyncio.Future[Any]) -> AsyncIterator[bytes]:
        done = False
        try:
            while True:
                if gone.is_set():
                    log.warning("kg serve: client left during the results; its worker was replaced")
                    raise _Abort("client left")
                msg = await self._next(worker, deadline, gone)
                if msg is None:
                    raise _Abort("cut off at the time limit" if not gone.is_set() else "client left")
                tag, payload = msg[:1], msg[1:]
                if tag == b"D":
                    yield payload
                elif tag == b"Z":
                    done = True
                    self.pool.release(worker)
                    return
                elif tag == b"A":
                    done = True
                    self.pool.release(worker)
                    raise _Abort(payload.decode("utf-8", "replace"))
        except _HttpError as exc:  # the engine crashed mid-stream
            done = True
            raise _Abort(exc.message) from None
        finally:
            watcher.cancel()
            if not done and worker.proc.is_alive():
                self.pool.replace(worker)

    def description(self, request: Any) -> Any:
        """The SPARQL 1.1 service description (GET /query without a query)."""
        from starlette.responses import RedirectResponse, Response

        accept = request.headers.get("accept", "")
        if "text/html" in parse_accept(accept)[:1]:
            return RedirectResponse("/", status_code=303)
        mime = negotiate(accept, GRAPH_TYPES)
        if mime is None:
            raise _HttpError(406, f"the service description is available as {', '.join(RDF_FORMATS)}")
        endpoint = str(request.url.replace(query=""))
        formats = ["SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                   "Turtle", "N-Triples", "RDF_XML", "JSON-LD"]
        features = ["sd:UnionDefaultGraph"] + (["sd:BasicFederatedQuery"] if self.limits.allow_service else [])
        ttl = (
            "@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .\n"
            "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
            f"<{endpoint}#service> a sd:Service ; sd:endpoint <{endpoint}> ;\n"
            "  rdfs:label \"kg: China-Europe / China-Central Asia freight trains read from the news\" ;\n"
            "  sd:supportedLanguage sd:SPARQL11Query ;\n"
            f"  sd:feature {', '.join(features)} ;\n"
            f"  sd:resultFormat {', '.join(f'<http://www.w3.org/ns/formats/{f}>' for f in formats)} ;\n"
            "  sd:defaultDataset [ a sd:Dataset ; sd:defaultGraph [ a sd:Graph ] ] .\n"
        )
        triples = ox.parse(ttl, format=ox.RdfFormat.TURTLE)
        body = ox.serialize(triples, format=RDF_FORMATS[mime],
                            prefixes={"sd": "http://www.w3.org/ns/sparql-service-description#"}) or b""
        return Response(body, media_type=mime)


class _Abort(Exception):
    """A response that must end without its last chunk, so the client sees it incomplete."""


async def _watch_disconnect(request: Any, gone: asyncio.Event) -> None:
    """Set ``gone`` when the client closes the connection."""
    receive = request.receive
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            gone.set()
            return


class _Stream:
    """An ASGI response streaming ``chunks``; an abort closes it unfinished, so the client sees that."""

    def __init__(self, status: int, headers: dict[str, str], chunks: AsyncIterator[bytes]) -> None:
        self.status, self.chunks = status, chunks
        self.raw_headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": self.status, "headers": self.raw_headers})
        try:
            async for chunk in self.chunks:
                await send({"type": "http.response.body", "body": chunk, "more_body": True})
        except _Abort as exc:
            log.warning("kg serve: response ended early: %s", exc)
            return  # uvicorn closes the connection without the final chunk
        except OSError:
            return
        finally:
            with contextlib.suppress(Exception):
                await self.chunks.aclose()  # type: ignore[attr-defined]
        await send({"type": "http.response.body", "body": b"", "more_body": False})


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>kg SPARQL</title>
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;max-width:70em}
textarea{width:100%;height:12em;font:13px monospace}
table{border-collapse:collapse;margin-top:1em}td,th{border:1px solid #ccc;padding:2px 6px;text-align:left;
vertical-align:top}th{background:#f3f3f3}#status{color:#555;margin-left:1em}pre{background:#f7f7f7;padding:.5em}
</style></head><body>
<h1>kg SPARQL endpoint</h1>
<p>Prefixes kgo:, kgr:, rdfs:, skos:, geo:, prov:, dcterms: are predeclared. Endpoint: <code>/query</code>.</p>
<form id="f"><textarea id="q" name="query">SELECT ?origin ?destination (COUNT(?t) AS ?trains) WHERE {
  ?t a kgo:Train ; kgo:origin/rdfs:label ?origin ; kgo:destination/rdfs:label ?destination .
} GROUP BY ?origin ?destination ORDER BY DESC(?trains) LIMIT 50</textarea>
<button type="submit">Run</button><span id="status"></span></form>
<div id="out"></div>
<script>
const out = document.getElementById("out"), status = document.getElementById("status");
function cell(t) { if (!t) return ""; return t.type === "literal" && t["xml:lang"] ? t.value + "@" + t["xml:lang"]
  : t.value; }
document.getElementById("f").addEventListener("submit", async (ev) => {
  ev.preventDefault(); out.textContent = ""; status.textContent = "running...";
  const t0 = performance.now();
  try {
    const r = await fetch("query", {method: "POST", body: new URLSearchParams({query: document.getElementById("q").value}),
      headers: {"Accept": "application/sparql-results+json, text/turtle;q=0.9"}});
    const text = await r.text();
    status.textContent = r.status + " in " + Math.round(performance.now() - t0) + " ms";
    if (!r.ok || !(r.headers.get("content-type") || "").includes("json")) {
      const pre = document.createElement("pre"); pre.textContent = text; out.appendChild(pre); return; }
    const data = JSON.parse(text);
    if ("boolean" in data) { out.textContent = String(data.boolean); return; }
    const table = document.createElement("table"), head = table.insertRow();
    for (const v of data.head.vars) { const th = document.createElement("th"); th.textContent = v; head.appendChild(th); }
    for (const b of data.results.bindings) { const row = table.insertRow();
      for (const v of data.head.vars) row.insertCell().textContent = cell(b[v]); }
    out.appendChild(table);
    status.textContent += ", " + data.results.bindings.length + " rows";
  } catch (e) { status.textContent = "failed: " + e; }
});
</script></body></html>
"""


def make_app(store: str | Path | None = None, *, limits: Limits | None = None) -> Any:
    """The ASGI application: ``/`` (query page) and ``/query`` (the endpoint).

    Raises
    ------
    StoreError
        When there is no store at the location.
    """
    from starlette.applications import Starlette
    from starlette.middleware import Middleware
    from starlette.middleware.cors import CORSMiddleware
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    location = str(store or settings.store)
    if not (Path(location) / "CURRENT").exists():
        raise StoreError(f"no graph at {location}: build one first with `kg build seeds`")
    limits = limits or Limits()
    endpoint = Endpoint(location, limits)

    async def page(request: Any) -> Any:
        return HTMLResponse(PAGE, headers={"Content-Security-Policy": "default-src 'none'; script-src 'unsafe-inline'; "
                                           "style-src 'unsafe-inline'; connect-src 'self'"})

    @contextlib.asynccontextmanager
    async def lifespan(app: Any) -> AsyncIterator[None]:
        await endpoint.pool.start()
        try:
            yield
        finally:
            endpoint.pool.close()

    middleware = []
    if limits.cors_origins:
        middleware.append(Middleware(CORSMiddleware, allow_origins=list(limits.cors_origins),
                                     allow_methods=["GET", "POST", "OPTIONS"],
                                     allow_headers=["Content-Type", "Accept"]))
    app = Starlette(routes=[Route("/", page), Route("/query", endpoint.query, methods=["GET", "POST"])],
                    middleware=middleware, lifespan=lifespan)
    app.state.endpoint = endpoint
    return app


def bind(host: str, port: int) -> socket.socket:
    """A listening socket, or an :class:`InputError` naming the address when it is taken."""
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        return socket.create_server((host, port), family=family, backlog=2048)
    except OSError as exc:
        if exc.errno == 98 or "in use" in str(exc):
            raise InputError(f"{host}:{port} is already in use (another `kg serve`?): stop it or pass "
                             "--port with a free one") from None
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


class Server:
    """A running ``kg serve``: ``url`` is its endpoint, ``run()`` blocks, ``shutdown()`` stops it."""

    def __init__(self, store: str | Path | None = None, *, host: str = "127.0.0.1", port: int = 7878,
                 limits: Limits | None = None) -> None:
        import uvicorn

        self.app = make_app(store, limits=limits)
        self.sock = bind(host, port)
        self.server_address = self.sock.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        self.url = f"http://{shown}:{self.server_address[1]}/query"
        config = uvicorn.Config(self.app, log_level="warning", access_log=False, timeout_keep_alive=5,
                                h11_max_incomplete_event_size=64 * 1024, limit_concurrency=1000,
                                server_header=False, lifespan="on", timeout_graceful_shutdown=5)
        self.uvicorn = uvicorn.Server(config)
        _quiet_uvicorn()

    def run(self, ready: Callable[[str], None] | None = None) -> None:
        """Serve until stopped (Ctrl-C or SIGTERM); ``ready(url)`` is called once the workers are up."""
        if ready is not None:
            def started() -> None:
                while not self.uvicorn.started and not self.uvicorn.should_exit:
                    time.sleep(0.02)
                if self.uvicorn.started:
                    ready(self.url)
            threading.Thread(target=started, daemon=True).start()
        try:
            self.uvicorn.run(sockets=[self.sock])
        finally:
            self.app.state.endpoint.pool.close()
            self.sock.close()

    def shutdown(self) -> None:
        """Stop a server run by :func:`serve_in_thread`."""
        self.uvicorn.should_exit = True
        thread = getattr(self, "thread", None)
        if thread is not None:
            thread.join(timeout=15)


def _quiet_uvicorn() -> None:
    """Keep uvicorn's "returned without completing response" line (an aborted stream) out of the log."""
    class _Drop(logging.Filter):
        def filter(self, record: logging.LogRecord) -> bool:
            return "without completing response" not in record.getMessage()

    logging.getLogger("uvicorn.error").addFilter(_Drop())


def serve_in_thread(store: str | Path | None = None, *, host: str = "127.0.0.1", port: int = 0,
                    limits: Limits | None = None) -> Server:
    """Start a server on a background thread (tests, notebooks); ``server.shutdown()`` stops it."""
    server = Server(store, host=host, port=port, limits=limits)
    up = threading.Event()
    server.thread = threading.Thread(target=server.run, kwargs={"ready": lambda url: up.set()},  # type: ignore[attr-defined]
                                     daemon=True)
    server.thread.start()  # type: ignore[attr-defined]
    if not up.wait(timeout=60):
        raise KgError("the SPARQL server did not start within 60 s")
    return server


__all__ = ["Limits", "Server", "make_app", "negotiate", "serve_in_thread"]
