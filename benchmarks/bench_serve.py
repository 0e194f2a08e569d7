"""What running queries in worker processes costs `kg serve`, against the same query in-process.

Measures, on a store built from seeds/:
- latency of a small SELECT through `kg serve` (HTTP/1.1 keep-alive + worker pipe) vs the same
  query and JSON serialisation in-process with pyoxigraph (the baseline);
- throughput with 8 concurrent clients;
- how long a worker takes to come back after a query is cut off (1 worker, so the next query
  waits for the fresh one);
- streaming: rows/s of a large SELECT and the server's peak memory while it streams.

    .venv/bin/python benchmarks/bench_serve.py
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from pathlib import Path

import pyoxigraph as ox

import kg
from kg.rdf import PREFIXES

ROOT = Path(__file__).resolve().parent.parent
Q = "SELECT ?p ?l WHERE { ?p kgo:countryCode ?c ; rdfs:label ?l } ORDER BY ?l LIMIT 20"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
BIG = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }"


def start(store: str, *args: str) -> tuple[subprocess.Popen, str, int]:
    proc = subprocess.Popen([sys.executable, "-m", "kg", "serve", "--store", store, "--port", "0", *args],
                            cwd=ROOT, stdout=subprocess.PIPE, text=True)
    url = proc.stdout.readline().split()[2]
    host, port = url.split("//")[1].split("/")[0].split(":")
    return proc, host, int(port)


def request(conn: HTTPConnection, query: str) -> bytes:
    conn.request("GET", "/query?" + urllib.parse.urlencode({"query": query}))
    r = conn.getresponse()
    body = r.read()
    assert r.status in (200, 503), (r.status, body[:200])
    return body


def rss_kb(pid: int) -> int:
    out = subprocess.run(["ps", "-o", "rss=", "--ppid", str(pid), "-p", str(pid)],
                         capture_output=True, text=True)
    return sum(int(x) for x in out.stdout.split())


def main() -> None:
    tmp = tempfile.mkdtemp()
    store = f"{tmp}/store"
    kg.build([ROOT / "seeds"], store=store)
    prefixes = {p: str(n) for p, n in PREFIXES.items()}

    db = ox.Store.read_only(store)
    base = []
    for _ in range(200):
        t = time.perf_counter()
        result = db.query(Q, prefixes=prefixes, use_default_graph_as_union=True)
        result.serialize(format=ox.QueryResultsFormat.JSON)
        base.append(time.perf_counter() - t)
    del db

    proc, host, port = start(store, "--workers", "2")
    try:
        conn = HTTPConnection(host, port)
        served = []
        for _ in range(200):
            t = time.perf_counter()
            request(conn, Q)
            served.append(time.perf_counter() - t)
        b, s = statistics.median(base) * 1000, statistics.median(served) * 1000
        print(f"small SELECT: in-process {b:.2f} ms, through kg serve {s:.2f} ms "
              f"(+{s - b:.2f} ms, {s / b:.1f}x)")

        def client(_: int) -> int:
            c = HTTPConnection(host, port)
            for _ in range(50):
                request(c, Q)
            return 50

        t = time.perf_counter()
        with ThreadPoolExecutor(8) as pool:
            n = sum(pool.map(client, range(8)))
        print(f"8 concurrent clients: {n / (time.perf_counter() - t):.0f} req/s "
              f"(in-process, one thread: {1 / statistics.median(base):.0f} queries/s)")
        def one(_: int) -> float:
            c = HTTPConnection(host, port, timeout=60)
            t = time.perf_counter()
            request(c, Q)
            c.close()
            return time.perf_counter() - t

        with ThreadPoolExecutor(64) as pool:
            waits = sorted(pool.map(one, range(640)))
        print(f"64 clients, a new connection each: p50 {waits[len(waits) // 2] * 1000:.0f} ms, "
              f"p99 {waits[int(len(waits) * 0.99)] * 1000:.0f} ms, max {waits[-1] * 1000:.0f} ms")
    finally:
        proc.terminate()
        proc.wait()

    proc, host, port = start(store, "--workers", "1", "--timeout", "1", "--max-rows", "100000000")
    try:
        conn = HTTPConnection(host, port)
        back = []
        for _ in range(5):
            request(conn, CARTESIAN)  # cut off after 1 s, worker killed
            t = time.perf_counter()
            request(conn, "ASK { }")  # waits for the fresh worker
            back.append(time.perf_counter() - t)
        print(f"worker back after a cut-off: median {statistics.median(back) * 1000:.0f} ms "
              f"(max {max(back) * 1000:.0f} ms)")
    finally:
        proc.terminate()
        proc.wait()

    proc, host, port = start(store, "--workers", "1", "--timeout", "120", "--max-rows", "100000000")
    try:
        peak = [0]
        stop = threading.Event()

        def watch() -> None:
            while not stop.is_set():
                peak[0] = max(peak[0], rss_kb(proc.pid))
                time.sleep(0.2)

        threading.Thread(target=watch, daemon=True).start()
        conn = HTTPConnection(host, port)
        t = time.perf_counter()
        body = request(conn, BIG)
        dt = time.perf_counter() - t
        stop.set()
        rows = body.count(b'{"a":')
        db = ox.Store.read_only(store)
        t0 = time.perf_counter()
        native = db.query(BIG, use_default_graph_as_union=True).serialize(format=ox.QueryResultsFormat.JSON)
        native_dt = time.perf_counter() - t0
        del db
        print(f"pyoxigraph's own JSON serialiser, in-process, no row limit: {native_dt:.1f} s "
              f"({len(native or b'') / 1e6:.0f} MB)")
        print(f"streamed {rows:,} rows ({len(body) / 1e6:.0f} MB JSON) in {dt:.1f} s: "
              f"{rows / dt:,.0f} rows/s; "
              f"server + worker peak RSS {peak[0] / 1024:.0f} MB")
    finally:
        proc.terminate()
        proc.wait()


if __name__ == "__main__":
    main()
