"""``kg serve``: the local graph as a read-only SPARQL 1.1 Protocol endpoint at ``/query``.

GET ``/query?query=...`` and POST (``application/sparql-query`` or a form with ``query``) are
answered by Oxigraph over the union of the article graphs, in SPARQL JSON (default), XML, CSV
or TSV results, or N-Triples / Turtle for CONSTRUCT and DESCRIBE, chosen by the Accept header.
Updates are refused.  YASGUI, SPARQLWrapper or a notebook can query it.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pyoxigraph as ox

from . import settings
from ._errors import QueryError, StoreError
from .rdf import PREFIXES

RESULT_TYPES = [
    ("application/sparql-results+json", ox.QueryResultsFormat.JSON),
    ("application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ("text/csv", ox.QueryResultsFormat.CSV),
    ("text/tab-separated-values", ox.QueryResultsFormat.TSV),
]
GRAPH_TYPES = [("application/n-triples", ox.RdfFormat.N_TRIPLES), ("text/turtle", ox.RdfFormat.TURTLE)]


def _pick(accept: str, options: list) -> tuple[str, object]:  # type: ignore[type-arg]
    for mime, fmt in options:
        if mime in accept:
            return mime, fmt
    return options[0]


def make_server(store: str | Path | None = None, *, host: str = "127.0.0.1", port: int = 7878,
                allow_service: bool | None = None, max_depth: int | None = None,
                cors_origins: tuple[str, ...] | None = None) -> ThreadingHTTPServer:
    """A server answering SPARQL queries over the store (call ``serve_forever()`` on it)."""
    from .sparql import check_query

    origins = settings.cors_origins if cors_origins is None else tuple(cors_origins)
    location = str(store or settings.store)
    if not (Path(location) / "CURRENT").exists():
        raise StoreError(f"no graph at {location}: build one first with `kg build seeds`")
    db = ox.Store.read_only(location)
    prefixes = {p: str(ns) for p, ns in PREFIXES.items()}

    class Handler(BaseHTTPRequestHandler):
        server_version = "kg-sparql/1"

        def log_message(self, fmt: str, *args: object) -> None:  # quiet by default
            return

        def _send(self, code: int, body: bytes, mime: str) -> None:
            self.send_response(code)
            self.send_header("Content-Type", f"{mime}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self._cors()
            self.end_headers()
            self.wfile.write(body)

        def _cors(self) -> None:
            origin = self.headers.get("Origin", "")
            if "*" in origins:
                self.send_header("Access-Control-Allow-Origin", "*")
            elif origin and origin in origins:
                self.send_header("Access-Control-Allow-Origin", origin)
                self.send_header("Vary", "Origin")

        def _answer(self, query: str | None) -> None:
            if not query:
                self._send(400, b"missing 'query' parameter (SPARQL 1.1 Protocol)\n", "text/plain")
                return
            accept = self.headers.get("Accept", "")
            try:
                check_query(query, max_depth=max_depth, allow_service=allow_service)
            except QueryError as exc:
                self._send(400, f"{exc}\n".encode(), "text/plain")
                return
            try:
                result = db.query(query, use_default_graph_as_union=True, prefixes=prefixes)
            except SyntaxError as exc:
                self._send(400, f"SPARQL syntax error (updates are refused here): {exc}\n".encode(), "text/plain")
                return
            except Exception as exc:  # noqa: BLE001 - evaluation errors go back to the client
                self._send(500, f"SPARQL evaluation failed: {exc}\n".encode(), "text/plain")
                return
            if isinstance(result, ox.QueryTriples):
                mime, fmt = _pick(accept, GRAPH_TYPES)
                body = ox.serialize(result, format=fmt, prefixes=prefixes) or b""
            else:
                mime, fmt = _pick(accept, RESULT_TYPES)
                body = result.serialize(format=fmt)
            self._send(200, body, mime)

        def do_GET(self) -> None:  # noqa: N802
            url = urlparse(self.path)
            if url.path != "/query":
                self._send(404, b"the SPARQL endpoint is /query\n", "text/plain")
                return
            self._answer(parse_qs(url.query).get("query", [None])[0])

        def do_POST(self) -> None:  # noqa: N802
            if urlparse(self.path).path != "/query":
                self._send(404, b"the SPARQL endpoint is /query (read-only: no /update)\n", "text/plain")
                return
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length).decode("utf-8")
            ctype = self.headers.get("Content-Type", "")
            if ctype.startswith("application/sparql-query"):
                self._answer(body)
            else:
                self._answer(parse_qs(body).get("query", [None])[0])

        def do_OPTIONS(self) -> None:  # noqa: N802  (CORS preflight from browser clients)
            self.send_response(204)
            self._cors()
            self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")
            self.send_header("Access-Control-Allow-Methods", "GET, POST, OPTIONS")
            self.end_headers()

    return ThreadingHTTPServer((host, port), Handler)


def serve_in_thread(store: str | Path | None = None, *, host: str = "127.0.0.1", port: int = 0) -> ThreadingHTTPServer:
    """Start a server on a background thread (tests, notebooks); ``server.shutdown()`` stops it."""
    server = make_server(store, host=host, port=port)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
