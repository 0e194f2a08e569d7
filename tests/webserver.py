"""A local HTTP server for tests: serves files from a folder on 127.0.0.1 and counts the requests."""

from __future__ import annotations

import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path


class _Handler(SimpleHTTPRequestHandler):
    extensions_map = {
        **SimpleHTTPRequestHandler.extensions_map,
        ".rss": "application/rss+xml",
        ".atom": "application/atom+xml",
        ".html": "text/html; charset=utf-8",
    }

    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        self.server.requests.append(self.path)  # type: ignore[attr-defined]
        status = self.server.status.get(self.path)  # type: ignore[attr-defined]
        if status is not None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


class Server:
    """``with Server(folder) as s: s.url("a.html")``; ``s.requests`` lists the paths asked for.

    ``s.status["/path"] = 503`` makes that path answer with that status.
    """

    def __init__(self, folder: Path) -> None:
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Handler, directory=str(folder)))
        self.httpd.requests = []  # type: ignore[attr-defined]
        self.httpd.status = {}  # type: ignore[attr-defined]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    @property
    def requests(self) -> list[str]:
        return self.httpd.requests  # type: ignore[attr-defined]

    @property
    def status(self) -> dict[str, int]:
        return self.httpd.status  # type: ignore[attr-defined]

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/{path}"

    def __enter__(self) -> Server:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)
