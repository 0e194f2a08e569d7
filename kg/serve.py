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
import json
import logging
import socket
import threading
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import pyoxigraph as ox

from . import settings
from ._errors import InputError, KgError, QueryError, StoreError
from .query_worker import (
    CSV,
    FORMAT_NAMES,
    GRAPH_TYPES,
    RDF_FORMATS,
    RESULT_TYPES,
    TSV,
    TURTLE,
    Worker,
    WorkerPool,
    negotiate,
    parse_accept,
    readable,
)

log = logging.getLogger("kg.serve")

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


def _params(request: Any, body: bytes, limits: Limits) -> dict[str, list[str]]:
    """Protocol parameters from the URL and, for a form POST, the body."""
    if len(request.url.query) > limits.max_body:
        raise _HttpError(414, f"the URL's query string is over the limit of {limits.max_body:,} bytes "
                              "(kg serve --max-body): POST long queries")
    try:
        params = parse_qs(request.url.query, keep_blank_values=True, strict_parsing=False,
                          encoding="utf-8", errors="strict")
    except UnicodeDecodeError:
        raise _HttpError(400, "the URL's query string is not valid UTF-8 "
                              "(percent-encode UTF-8 bytes)") from None
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
            params = _params(request, body, self.limits)
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
            raise _HttpError(503, f"all {self.pool.size} query workers stayed busy for "
                                  f"{self.limits.timeout:g} s; "
                                  "try again later", {"Retry-After": "5"}) from None
        gone = asyncio.Event()
        watcher = asyncio.ensure_future(_watch_disconnect(request, gone))
        try:
            worker.conn.send(job)
            first = await self._next(worker, deadline, gone)
        except _HttpError:  # the engine crashed: _next replaced the worker
            watcher.cancel()
            raise
        except BaseException:  # cancelled, or the pipe failed: the worker's state is unknown
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

    async def _next(self, worker: Worker, deadline: float, gone: asyncio.Event) -> bytes | None:
        """The worker's next message; None when the time is up or the client left (worker replaced)."""
        loop = asyncio.get_running_loop()
        state = await readable(worker.conn, deadline - loop.time(), gone)
        if state != "ready":
            self.pool.replace(worker)
            log.warning("kg serve: query %s after %.1f s; its worker was replaced",
                        "abandoned by its client" if state == "gone" else "cut off", self.limits.timeout)
            return None
        try:
            return worker.conn.recv_bytes()
        except (EOFError, OSError):
            self.pool.replace(worker)
            raise _HttpError(500, "the query engine crashed on this query; "
                                  "its worker was restarted") from None

    async def _stream(self, worker: Worker, deadline: float, gone: asyncio.Event,
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
        features = ["sd:UnionDefaultGraph"]
        if self.limits.allow_service:
            features.append("sd:BasicFederatedQuery")
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
    page_html = files("kg").joinpath("data/query-page.html").read_text(encoding="utf-8")
    endpoint = Endpoint(location, limits)

    async def page(request: Any) -> Any:
        csp = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'"
        return HTMLResponse(page_html, headers={"Content-Security-Policy": csp})

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
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # IPPROTO_TCP explicitly: asyncio then sets TCP_NODELAY on each accepted connection (it
    # checks the protocol number), so a response's small writes are not held back by Nagle.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
        return sock
    except OSError as exc:
        sock.close()
        if exc.errno == 98 or "in use" in str(exc):
            raise InputError(f"{host}:{port} is already in use (another `kg serve`?): stop it or pass "
                             "--port with a free one") from None
        raise InputError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None


def _protocol(header_timeout: float) -> type:
    """Uvicorn's h11 protocol, with idle and header timeouts on connections that sent no request yet.

    uvicorn arms its keep-alive timeout only after a response; a connection that opens and sends
    nothing (or dribbles its headers) would otherwise stay open for ever.
    """
    from uvicorn.protocols.http.h11_impl import H11Protocol

    class Protocol(H11Protocol):
        def connection_made(self, transport: Any) -> None:  # type: ignore[override]
            super().connection_made(transport)
            self.timeout_keep_alive_task = self.loop.call_later(self.timeout_keep_alive,
                                                                self.timeout_keep_alive_handler)
            self.loop.call_later(header_timeout, self._no_request_yet)

        def _no_request_yet(self) -> None:
            if self.cycle is None and not self.transport.is_closing():
                self.transport.close()

    return Protocol


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
        limits = self.app.state.endpoint.limits
        config = uvicorn.Config(self.app, http=_protocol(limits.read_timeout), log_level="warning",
                                access_log=False, timeout_keep_alive=5,
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

    def server_close(self) -> None:
        """Close the listening socket (``http.server`` compatible; :meth:`shutdown` already does)."""
        with contextlib.suppress(OSError):
            self.sock.close()


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
