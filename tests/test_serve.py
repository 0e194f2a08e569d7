"""`kg serve` as a SPARQL 1.1 endpoint: a real server process on 127.0.0.1, started by each test
module, driven by SPARQLWrapper and by plain HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kg.cli import app

ROOT = Path(__file__).resolve().parent.parent
DEEP = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
COUNT_TRAINS = "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a kgo:Train }"


class Server:
    """A `kg serve` child process; ``url`` is its /query endpoint."""

    def __init__(self, store: str, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kg", "serve", "--store", store, "--port", "0", *args],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line: list[str] = []
        reader = threading.Thread(target=lambda: line.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout=30)
        if not line or "http://" not in line[0]:
            self.stop()
            pytest.fail(f"kg serve did not start: {line} {self.proc.stderr.read()[-2000:]}")
        self.url = line[0].split()[2]
        self.base = self.url.rsplit("/", 1)[0]

    def alive(self) -> bool:
        return self.proc.poll() is None

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)


@pytest.fixture(scope="module")
def server(seed_store) -> Iterator[Server]:
    s = Server(seed_store)
    yield s
    s.stop()


def http(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
         method: str | None = None, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of one request; HTTP errors are answers too."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, dict(r.headers), r.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def get(server: Server, query: str, **kw) -> tuple[int, dict[str, str], bytes]:
    return http(server.url + "?" + urllib.parse.urlencode({"query": query}), **kw)


def count_trains(server: Server) -> int:
    status, _, body = get(server, COUNT_TRAINS, headers={"Accept": "application/sparql-results+json"})
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


# -- security: nesting, federation, CORS -------------------------------------------------------

def test_deeply_nested_query_is_refused_and_the_server_lives(server):
    status, _, body = http(server.url, data=DEEP.encode(),
                           headers={"Content-Type": "application/sparql-query"})
    assert status == 400
    assert b"nests brackets 5000 deep" in body
    assert server.alive()
    assert count_trains(server) > 0


def test_service_is_refused_by_default(server):
    q = "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    status, _, body = get(server, q)
    assert status == 400 and b"SERVICE" in body
    escaped = "SELECT * WHERE { \\u0053ERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    assert get(server, escaped)[0] == 400


def test_no_cors_header_unless_an_origin_is_allowed(server, seed_store):
    headers = {"Origin": "http://evil.example"}
    status, h, _ = get(server, "ASK { }", headers=headers)
    assert status == 200 and "Access-Control-Allow-Origin" not in h
    allowed = Server(seed_store, "--cors-origin", "http://notebook.example")
    try:
        _, h, _ = get(allowed, "ASK { }", headers={"Origin": "http://notebook.example"})
        assert h.get("Access-Control-Allow-Origin") == "http://notebook.example"
        _, h, _ = get(allowed, "ASK { }", headers=headers)
        assert "Access-Control-Allow-Origin" not in h
    finally:
        allowed.stop()


# -- kg query: the same guards, one-line errors --------------------------------------------------

def _one_line(result) -> str:
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error:"), result.output
    return lines[0]


def test_kg_query_refuses_deep_nesting_in_one_line(seed_store, tmp_path):
    deep = tmp_path / "deep.rq"
    deep.write_text(DEEP, encoding="utf-8")
    proc = subprocess.run([sys.executable, "-m", "kg", "query", str(deep), "--store", seed_store],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.returncode  # not 139 (SIGSEGV)
    assert proc.stderr.strip().startswith("kg: error: the query nests brackets 5000 deep")
    assert "Traceback" not in proc.stderr


def test_kg_query_service_off_and_failures_while_reading_are_one_line(runner, seed_store):
    q = "SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"
    assert "SERVICE" in _one_line(runner.invoke(app, ["query", q, "--store", seed_store]))
    line = _one_line(runner.invoke(app, ["query", q, "--allow-service", "--store", seed_store]))
    assert "evaluation failed" in line
