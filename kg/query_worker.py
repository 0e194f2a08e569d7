"""SPARQL evaluation in worker processes that can be killed: formats, streaming serialisers, pool.

Oxigraph evaluates a query in Rust, where Python cannot interrupt it, and crashes the process on
some pathological queries.  So ``kg serve`` never evaluates in its own process: each query goes
to a worker process (:func:`worker_main`) over a pipe, and the worker streams the serialised
result back in tagged chunks.  A worker whose query runs too long, whose client left, or that
crashed is killed and replaced by :class:`WorkerPool`; the others keep answering.

Messages from a worker: ``H`` + JSON head (media type), ``D`` + bytes, ``Z`` + JSON end (rows,
truncated), ``E`` + JSON error (status, message) before any data, ``A`` + text when a result
fails after data was sent (the response is then ended unfinished).
"""

from __future__ import annotations

import asyncio
import contextlib
import csv
import io
import json
import multiprocessing as mp
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any, cast
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

# -- formats ---------------------------------------------------------------------------------
JSON_RESULTS = "application/sparql-results+json"
XML_RESULTS = "application/sparql-results+xml"
CSV, TSV = "text/csv", "text/tab-separated-values"
TURTLE, NTRIPLES = "text/turtle", "application/n-triples"
RDFXML, JSONLD = "application/rdf+xml", "application/ld+json"

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
    return {"type": "triple", "value": {"subject": _json_term(t.subject),
                                        "predicate": _json_term(t.predicate),
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


class _Memo:
    """Term -> its serialised text, remembered for terms that repeat (bounded)."""

    def __init__(self, render: Any, size: int = 50_000) -> None:
        self.render, self.size, self.seen = render, size, {}  # type: ignore[var-annotated]

    def __call__(self, term: Any) -> str:
        try:
            return self.seen[term]
        except KeyError:
            if len(self.seen) >= self.size:
                self.seen.clear()
            text = self.seen[term] = self.render(term)
            return text


def _batched(lines: Iterator[str], size: int = 256) -> Iterator[str]:
    batch: list[str] = []
    for line in lines:
        batch.append(line)
        if len(batch) >= size:
            yield "".join(batch)
            batch = []
    if batch:
        yield "".join(batch)


def solution_chunks(variables: list[str], rows: Iterable[Any], mime: str) -> Iterator[str]:
    """A SELECT result in ``mime``, as pieces of text written a few rows at a time."""
    if mime == JSON_RESULTS:
        head = json.dumps({"head": {"vars": variables}}, separators=(",", ":"))
        yield head[:-1] + ',"results":{"bindings":['
        keys = [json.dumps(v) + ":" for v in variables]
        term = _Memo(lambda t: json.dumps(_json_term(t), ensure_ascii=False, separators=(",", ":")))

        def json_rows() -> Iterator[str]:
            sep = ""
            for row in rows:
                yield sep + "{" + ",".join(k + term(v) for k, v in zip(keys, row, strict=True)
                                           if v is not None) + "}"
                sep = ","

        yield from _batched(json_rows())
        yield "]}}"
    elif mime == XML_RESULTS:
        head = "".join(f"<variable name={quoteattr(v)}/>" for v in variables)
        yield ('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#">'
               f"<head>{head}</head><results>")
        opens = [f"<binding name={quoteattr(v)}>" for v in variables]
        xterm = _Memo(_xml_term)
        yield from _batched("<result>" + "".join(o + xterm(v) + "</binding>"
                                                 for o, v in zip(opens, row, strict=True) if v is not None)
                            + "</result>\n" for row in rows)
        yield "</results></sparql>\n"
    elif mime == CSV:
        yield _csv_line(variables)
        yield from _batched(_csv_line([_csv_term(v) for v in row]) for row in rows)
    else:  # TSV: terms in N-Triples syntax
        yield "\t".join(f"?{v}" for v in variables) + "\n"
        yield from _batched("\t".join("" if v is None else str(v) for v in row) + "\n" for row in rows)


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
    elif job["named_graphs"]:  # named graphs only: the default graph is empty (kg's is)
        options["default_graph"] = ox.DefaultGraph()
    else:
        options["use_default_graph_as_union"] = True
    if job["named_graphs"]:
        options["named_graphs"] = [ox.NamedNode(g) for g in job["named_graphs"]]
    try:
        result = db.query(job["query"], **options)
    except SyntaxError as exc:
        out.error(400, f"SPARQL syntax error: {exc} "
                       "(this endpoint only answers queries; updates are refused)")
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
        ox.serialize(iter(triples), output=cast(Any, out), format=RDF_FORMATS[mime], prefixes=prefixes)
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
class Worker:
    """One worker process and the server's end of its pipe."""

    proc: Any
    conn: Any
    replaced: bool = False


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
        self._ctx.set_forkserver_preload(["pyoxigraph", "kg.query_worker"])
        self._idle: asyncio.Queue[Worker] | None = None
        self._all: set[int] = set()
        self._procs: list[Any] = []
        self._closed = False
        self.replaced = 0

    def _spawn(self) -> Worker:
        here, there = self._ctx.Pipe(duplex=True)
        proc = self._ctx.Process(target=worker_main, args=(there, self.location), daemon=True,
                                 name="kg-serve-worker")
        proc.start()
        there.close()
        self._procs.append(proc)
        return Worker(proc, here)

    async def start(self) -> None:
        """Start the workers (call inside the server's event loop)."""
        self._idle = asyncio.Queue()
        for w in await asyncio.gather(*(asyncio.to_thread(self._spawn) for _ in range(self.size))):
            self._idle.put_nowait(w)

    async def acquire(self, timeout: float) -> Worker:
        """A free worker, waiting up to ``timeout`` seconds (raises ``TimeoutError``)."""
        assert self._idle is not None
        w = await asyncio.wait_for(self._idle.get(), timeout)
        if not w.proc.is_alive():
            self._close(w)
            w = await asyncio.to_thread(self._spawn)
        return w

    def release(self, w: Worker) -> None:
        """Give back a worker that finished its job."""
        assert self._idle is not None
        self._idle.put_nowait(w)

    def replace(self, w: Worker) -> None:
        """Kill a worker (its query is abandoned) and start a fresh one in its place (once per worker)."""
        if w.replaced:
            return
        w.replaced = True
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

    def _close(self, w: Worker) -> None:
        with contextlib.suppress(Exception):
            w.proc.kill()
        with contextlib.suppress(Exception):
            w.proc.join(timeout=5)
        with contextlib.suppress(Exception):
            w.conn.close()
        with contextlib.suppress(ValueError):
            self._procs.remove(w.proc)

    def processes(self) -> int:
        """Worker processes alive now."""
        return sum(1 for p in self._procs if p.is_alive())

    def close(self) -> None:
        """Kill every worker."""
        self._closed = True
        for proc in list(self._procs):
            with contextlib.suppress(Exception):
                proc.kill()
                proc.join(timeout=5)
        self._procs.clear()


async def readable(conn: Any, timeout: float, gone: asyncio.Event) -> str:
    """Wait until the worker's pipe has a message: ``"ready"``, ``"timeout"`` or ``"gone"`` (client left)."""
    if conn.poll(0):
        return "ready"
    if timeout <= 0:
        return "timeout"
    loop = asyncio.get_running_loop()
    ready = loop.create_future()
    fd = conn.fileno()
    def wake() -> None:
        if not ready.done():
            ready.set_result(True)

    loop.add_reader(fd, wake)
    left = asyncio.ensure_future(gone.wait())
    try:
        done, _ = await asyncio.wait({ready, left}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    finally:
        loop.remove_reader(fd)
        left.cancel()
    if ready in done:
        return "ready"
    return "gone" if left in done or gone.is_set() else "timeout"


__all__ = ["GRAPH_TYPES", "RESULT_TYPES", "Worker", "WorkerPool", "negotiate", "parse_accept", "readable",
           "worker_main"]
