"""`kg serve` as a SPARQL 1.1 endpoint: a real server process on 127.0.0.1, started by each test
module, driven by SPARQLWrapper and by plain HTTP."""

from __future__ import annotations

import json
import shutil
import socket
import os
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.client import HTTPConnection
from pathlib import Path

import pytest
from rdflib import Graph, URIRef

import kg
from kg.cli import app

ROOT = Path(__file__).resolve().parent.parent
DEEP = "SELECT * WHERE " + "{" * 5000 + "}" * 5000
COUNT_TRAINS = "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a kgo:Train }"
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
SEEDS = ROOT / "seeds"
FORM = "application/x-www-form-urlencoded"


class Server:
    """A `kg serve` child process; ``url`` is its /query endpoint."""

    def __init__(self, store: str, *args: str, env: dict[str, str] | None = None) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "kg", "serve", "--store", store, "--port", "0", *args],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env={**os.environ, **env} if env else None)
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
        for pipe in (self.proc.stdout, self.proc.stderr):
            pipe.close()


@pytest.fixture(scope="module")
def server(seed_store) -> Iterator[Server]:
    s = Server(seed_store)
    yield s
    s.stop()


def http(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None,
         method: str | None = None, timeout: float = 30) -> tuple[int, dict[str, str], bytes]:
    """(status, headers with lower-case names, body) of one request; HTTP errors are answers too."""
    req = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, {k.lower(): v for k, v in r.headers.items()}, r.read()
    except urllib.error.HTTPError as err:
        return err.code, {k.lower(): v for k, v in err.headers.items()}, err.read()


def get(server: Server, query: str, **kw) -> tuple[int, dict[str, str], bytes]:
    return http(server.url + "?" + urllib.parse.urlencode({"query": query}), **kw)


def persistent(server: Server) -> HTTPConnection:
    host, port = server.base.split("//")[1].split(":")
    return HTTPConnection(host, int(port), timeout=30)


def ask_on(conn: HTTPConnection, query: str, accept: str = "") -> tuple[int, dict[str, str], bytes]:
    """One request on a kept-alive HTTP/1.1 connection (the answer must be HTTP/1.1 and keep it open)."""
    conn.request("GET", "/query?" + urllib.parse.urlencode({"query": query}),
                 headers={"Accept": accept} if accept else {})
    r = conn.getresponse()
    body = r.read()
    assert r.version == 11 and not r.will_close
    return r.status, {k.lower(): v for k, v in r.getheaders()}, body


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
    assert status == 200 and "access-control-allow-origin" not in h
    allowed = Server(seed_store, "--cors-origin", "http://notebook.example")
    try:
        _, h, _ = get(allowed, "ASK { }", headers={"Origin": "http://notebook.example"})
        assert h.get("access-control-allow-origin") == "http://notebook.example"
        _, h, _ = get(allowed, "ASK { }", headers=headers)
        assert "access-control-allow-origin" not in h
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


# -- SPARQL 1.1 Protocol, through a client nobody here wrote -------------------------------------

def _wrapper(server: Server, query: str, fmt: str):
    from SPARQLWrapper import SPARQLWrapper

    client = SPARQLWrapper(server.url)
    client.setQuery("PREFIX kgo: <https://w3id.org/freight-kg/ontology#>\n" + query)
    client.setReturnFormat(fmt)
    return client.queryAndConvert()


def test_sparqlwrapper_select_in_json_xml_and_csv(server, seed_store):
    from SPARQLWrapper import CSV, JSON, XML

    expected = len({r["train"] for r in kg.routes(store=seed_store)})
    data = _wrapper(server, COUNT_TRAINS, JSON)
    assert int(data["results"]["bindings"][0]["n"]["value"]) == expected
    assert data["results"]["bindings"][0]["n"]["datatype"].endswith("#integer")
    doc = _wrapper(server, COUNT_TRAINS, XML)  # an xml.dom Document
    assert int(doc.getElementsByTagName("literal")[0].firstChild.data) == expected
    text = _wrapper(server, COUNT_TRAINS, CSV).decode()
    assert text.splitlines() == ["n", str(expected)]
    labels = _wrapper(server, 'SELECT ?l WHERE { ?p kgo:countryCode "KZ" ; <http://www.w3.org/2000/01/'
                              'rdf-schema#label> ?l } ORDER BY ?l', JSON)
    assert "Kazakhstan" in [b["l"]["value"] for b in labels["results"]["bindings"]]


def test_sparqlwrapper_ask_construct_and_describe(server):
    from SPARQLWrapper import JSON, TURTLE, XML

    assert _wrapper(server, 'ASK { ?p kgo:countryCode "KZ" }', JSON)["boolean"] is True
    assert _wrapper(server, 'ASK { ?p kgo:countryCode "ZZ" }', XML).getElementsByTagName("boolean")[0] \
        .firstChild.data == "false"
    construct = "CONSTRUCT { ?t a kgo:Train } WHERE { ?t a kgo:Train }"
    g = _wrapper(server, construct, XML)  # SPARQLWrapper's default for graphs: RDF/XML
    assert isinstance(g, Graph) and len(g) == count_trains(server)
    g2 = _wrapper(server, construct, TURTLE)
    assert len(Graph().parse(data=g2, format="turtle")) == len(g)
    train = next(iter(g.subjects()))
    described = _wrapper(server, f"DESCRIBE <{train}>", XML)
    assert isinstance(described, Graph) and (train, None, None) in described
    assert len(set(described.predicates(URIRef(train)))) > 2


@pytest.mark.parametrize(("accept", "expected"), [
    ("application/sparql-results+json", "application/sparql-results+json"),
    ("application/sparql-results+xml", "application/sparql-results+xml"),
    ("text/csv", "text/csv"),
    ("text/tab-separated-values", "text/tab-separated-values"),
    ("text/html;q=0.9, text/csv;q=0.5, */*;q=0.1", "text/csv"),
    ("", "application/sparql-results+json"),
])
def test_select_content_negotiation(server, accept, expected):
    conn = persistent(server)
    try:
        status, h, body = ask_on(conn, COUNT_TRAINS, accept)
        assert status == 200 and h["content-type"].startswith(expected)
        assert str(count_trains(server)).encode() in body
        assert ask_on(conn, "ASK { }", accept)[0] == 200  # same connection
    finally:
        conn.close()


@pytest.mark.parametrize(("accept", "fmt"), [
    ("text/turtle", "turtle"), ("application/n-triples", "nt"),
    ("application/rdf+xml", "xml"), ("application/ld+json", "json-ld")])
def test_construct_content_negotiation(server, accept, fmt):
    q = "CONSTRUCT { ?p kgo:countryCode ?c } WHERE { ?p kgo:countryCode ?c }"
    conn = persistent(server)
    try:
        status, h, body = ask_on(conn, q, accept)
    finally:
        conn.close()
    assert status == 200 and h["content-type"].startswith(accept)
    g = Graph().parse(data=body, format=fmt)
    assert len(g) > 5 and all(str(p).endswith("#countryCode") for p in g.predicates())


def test_406_for_what_it_cannot_give(server):
    status, _, body = get(server, COUNT_TRAINS, headers={"Accept": "text/turtle"})
    assert status == 406 and b"application/sparql-results+json" in body
    status, _, body = get(server, "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 1", headers={"Accept": "text/csv"})
    assert status == 406 and b"text/turtle" in body


def test_default_and_named_graph_uri(server, seed_store):
    with kg.open_store(seed_store, read_only=True) as st:
        graphs = [g for g in st.graph_names() if "/doc/" in g or "document" in g] or st.graph_names()
    one = graphs[0]
    total = count_trains(server)
    url = server.url + "?" + urllib.parse.urlencode({"query": COUNT_TRAINS, "default-graph-uri": one})
    status, _, body = http(url)
    assert status == 200
    n = int(json.loads(body)["results"]["bindings"][0]["n"]["value"])
    assert 0 < n < total
    q = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    form = urllib.parse.urlencode([("query", q), ("named-graph-uri", one), ("named-graph-uri", graphs[1])])
    status, _, body = http(server.url, data=form.encode(),
                           headers={"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 200
    assert sorted(b["g"]["value"] for b in json.loads(body)["results"]["bindings"]) == sorted(graphs[:2])
    bad = urllib.parse.urlencode({"query": COUNT_TRAINS, "default-graph-uri": "no iri"})
    assert http(server.url + "?" + bad)[0] == 400


def test_service_description_and_query_page(server):
    status, h, body = http(server.url, headers={"Accept": "text/turtle"})
    assert status == 200 and h["content-type"].startswith("text/turtle")
    g = Graph().parse(data=body, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (None, URIRef(sd + "endpoint"), URIRef(server.url)) in g
    assert (None, URIRef(sd + "feature"), URIRef(sd + "BasicFederatedQuery")) not in g
    status, h, page = http(server.base + "/")
    assert status == 200 and h["content-type"].startswith("text/html") and b"<textarea" in page
    assert "default-src 'none'" in h["content-security-policy"]


def test_updates_are_refused(server):
    form = urllib.parse.urlencode({"update": "DELETE WHERE { ?s ?p ?o }"}).encode()
    status, _, body = http(server.url, data=form, headers={"Content-Type": FORM})
    assert status == 400 and b"read-only" in body
    status, _, body = http(server.url, data=b"DELETE WHERE { ?s ?p ?o }",
                           headers={"Content-Type": "application/sparql-update"})
    assert status == 400 and b"read-only" in body
    form = urllib.parse.urlencode({"query": "DELETE WHERE { ?s ?p ?o }"}).encode()
    status, _, body = http(server.url, data=form, headers={"Content-Type": FORM})
    assert status == 400 and b"syntax error" in body
    assert count_trains(server) > 0


# -- limits: time, rows, body; malformed requests ------------------------------------------------

@pytest.fixture(scope="module")
def limited(seed_store) -> Iterator[Server]:
    s = Server(seed_store, "--timeout", "3", "--workers", "2", "--max-rows", "7", "--max-body", "2000",
               "--read-timeout", "1")
    yield s
    s.stop()


def test_a_cartesian_query_is_cut_off_while_others_are_answered(limited):
    with ThreadPoolExecutor(1) as pool:
        slow = pool.submit(get, limited, CARTESIAN)
        answered = []
        for _ in range(50):  # while the cartesian count runs (bounded: it is cut off after 3 s)
            answered.append(count_trains(limited))
            if slow.done():
                break
        status, _, body = slow.result(timeout=60)
    assert status == 503 and b"cut off after 3 s" in body
    assert len(answered) >= 2 and len(set(answered)) == 1
    assert limited.alive()
    assert count_trains(limited) == answered[0]  # a fresh worker took the killed one's place
    assert get(limited, CARTESIAN)[0] == 503  # and the next one is cut off again


def test_rows_are_cut_at_the_limit(limited):
    status, h, body = get(limited, "SELECT * WHERE { ?s ?p ?o }")
    assert status == 200 and h["x-kg-row-limit"] == "7"
    assert len(json.loads(body)["results"]["bindings"]) == 7
    status, _, body = get(limited, "CONSTRUCT WHERE { ?s ?p ?o }",
                          headers={"Accept": "application/n-triples"})
    assert status == 200 and len(body.decode().strip().splitlines()) == 7


def test_body_too_large_and_bad_utf8(limited):
    big = ("SELECT * WHERE { ?s ?p ?o } #" + "x" * 5000).encode()
    status, _, body = http(limited.url, data=big, headers={"Content-Type": "application/sparql-query"})
    assert status == 413 and b"2,000" in body
    status, _, body = http(limited.url, data=b"ASK { ?s ?p \"caf\xe9\" }",
                           headers={"Content-Type": "application/sparql-query"})
    assert status == 400 and b"UTF-8" in body
    status, _, body = http(limited.url + "?query=ASK%7B%22%FF%22%7D")
    assert status == 400 and b"UTF-8" in body
    status, _, body = http(limited.url + "?query=ASK%7B%7D%23" + "x" * 5000)
    assert status == 414 and b"POST long queries" in body
    assert limited.alive() and count_trains(limited) > 0


def _raw(server: Server, request: bytes, wait: float = 20) -> bytes:
    host, port = server.base.split("//")[1].split(":")
    with socket.create_connection((host, int(port)), timeout=wait) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
        return data


def test_short_body_and_bad_length_get_an_answer(limited):
    head = b"POST /query HTTP/1.1\r\nHost: x\r\nContent-Type: application/sparql-query\r\n"
    reply = _raw(limited, head + b"Content-Length: 100\r\n\r\nASK {")  # then silence
    assert reply.startswith(b"HTTP/1.1 408")
    reply = _raw(limited, head + b"Content-Length: -1\r\n\r\nASK {}")
    assert reply.startswith(b"HTTP/1.1 400")
    assert _raw(limited, b"GET /query?query=ASK HTTP/1.1\r\nHost: x\r\n") == b""  # headers never end: closed
    assert limited.alive()


def test_concurrent_clients(server):
    expected = count_trains(server)
    accepts = ["application/sparql-results+json", "text/csv", "application/sparql-results+xml",
               "text/tab-separated-values"]

    def client(i: int) -> list[int]:
        out = []
        conn = persistent(server)  # each client keeps one HTTP/1.1 connection
        try:
            for j in range(5):
                status, h, body = ask_on(conn, COUNT_TRAINS, accepts[(i + j) % 4])
                assert status == 200 and str(expected).encode() in body
                out.append(status)
        finally:
            conn.close()
        return out

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(client, range(8), timeout=120))
    assert sum(len(r) for r in results) == 40


def test_results_stream_and_stop_when_the_client_leaves(seed_store):
    one = Server(seed_store, "--workers", "1", "--timeout", "120", "--max-rows", "1000000000")
    try:
        q = urllib.parse.urlencode({"query": "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"})
        host, port = one.base.split("//")[1].split(":")
        with socket.create_connection((host, int(port)), timeout=30) as sock:
            sock.sendall(f"GET /query?{q} HTTP/1.1\r\nHost: x\r\n\r\n".encode())
            got = b""
            while len(got) < 200_000:  # the first rows of 600 million arrive before the rest exist
                chunk = sock.recv(65536)
                assert chunk
                got += chunk
        assert got.startswith(b"HTTP/1.1 200") and b'"bindings":[' in got
        # the only worker was freed when the client left: the next query is answered
        # (well before the 120 s time limit would have freed it)
        status, _, _ = get(one, "ASK { }", timeout=30)
        assert status == 200
    finally:
        one.stop()


def test_a_running_server_sees_each_committed_build(tmp_path):
    articles = sorted(SEEDS.glob("*.txt"))
    first, second = tmp_path / "first", tmp_path / "second"
    first.mkdir()
    second.mkdir()
    shutil.copy(articles[0], first)
    shutil.copy(articles[1], second)
    store = str(tmp_path / "store")
    kg.build([first], store=store)
    running = Server(store)
    try:
        docs = "SELECT (COUNT(DISTINCT ?d) AS ?n) WHERE { ?d a kgo:Document }"
        before = json.loads(get(running, docs)[2])["results"]["bindings"][0]["n"]["value"]
        kg.build([second], store=store)
        after = json.loads(get(running, docs)[2])["results"]["bindings"][0]["n"]["value"]
        assert (before, after) == ("1", "2")
    finally:
        running.stop()


def test_busy_port_is_one_line(server, seed_store):
    port = server.base.rsplit(":", 1)[1]
    proc = subprocess.run([sys.executable, "-m", "kg", "serve", "--store", seed_store, "--port", port],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [f"kg: error: 127.0.0.1:{port} is already in use (another "
                                                "`kg serve`?): stop it or pass --port with a free one"]


# Queries that crash the engine are refused by size and operator limits; with the limits raised
# they reach a worker, and the crash must cost only that worker.
NO_LIMITS = {"KG_MAX_QUERY_CHARS": "10000000", "KG_MAX_QUERY_OPERATORS": "10000000"}
CHAIN = "SELECT * WHERE { FILTER(" + "+".join(["1"] * 50_000) + ") }"  # shallow, but recursive inside


def test_a_query_that_would_crash_the_engine_is_refused(server):
    status, _, body = http(server.url, data=CHAIN.encode(), headers={"Content-Type": "application/sparql-query"})
    assert status == 400 and b"limit" in body
    assert server.alive() and count_trains(server) > 0


def test_a_query_that_crashes_the_engine_costs_only_its_worker(seed_store):
    unguarded = Server(seed_store, env=NO_LIMITS)
    try:
        status, _, body = http(unguarded.url, data=CHAIN.encode(),
                               headers={"Content-Type": "application/sparql-query"})
        assert status == 500 and b"crashed" in body
        assert unguarded.alive() and count_trains(unguarded) > 0
    finally:
        unguarded.stop()


def test_evaluation_errors_get_a_readable_answer(seed_store):
    federated = Server(seed_store, "--allow-service")
    try:
        q = "SELECT * WHERE { SERVICE <http://127.0.0.1:1/sparql> { ?s ?p ?o } }"
        status, h, body = get(federated, q)
        assert status == 500 and h["content-type"].startswith("text/plain")
        assert body.startswith(b"SPARQL evaluation failed") and body.count(b"\n") == 1
        g = Graph().parse(data=http(federated.url, headers={"Accept": "text/turtle"})[2], format="turtle")
        federation = URIRef("http://www.w3.org/ns/sparql-service-description#BasicFederatedQuery")
        assert (None, None, federation) in g
    finally:
        federated.stop()


def test_idle_connections_are_closed(server):
    host, port = server.base.split("//")[1].split(":")
    idle = [socket.create_connection((host, int(port)), timeout=30) for _ in range(20)]
    try:
        assert count_trains(server) > 0  # the server answers while they hang around
        assert all(s.recv(1) == b"" for s in idle)  # closed by the server (bounded by the 30 s timeout)
    finally:
        for s in idle:
            s.close()


def test_the_pool_keeps_its_size_through_crashes_and_cut_offs(seed_store, monkeypatch):
    from kg import settings
    from kg.serve import Limits, serve_in_thread

    monkeypatch.setattr(settings, "max_query_chars", 10_000_000)
    monkeypatch.setattr(settings, "max_query_operators", 10_000_000)

    server = serve_in_thread(seed_store, limits=Limits(workers=2, timeout=2))
    pool = server.app.state.endpoint.pool
    try:
        for q in (CHAIN, CARTESIAN, CHAIN):
            status, _, _ = http(server.url, data=q.encode(),
                                headers={"Content-Type": "application/sparql-query"})
            assert status in (500, 503)
        assert count_trains(server) > 0 and count_trains(server) > 0  # both workers answer again
        assert pool.replaced == 3
        for _ in range(100):  # respawns happen in the background: wait (bounded) for them
            if pool.processes() == 2:
                break
            threading.Event().wait(0.1)
        assert pool.processes() == 2 and len(pool._procs) == 2
    finally:
        server.shutdown()


def test_query_page_in_chromium_runs_a_query_offline_and_keeps_text_as_text(server):
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(chromium).exists():
        pytest.skip("no chromium on this machine: apt-get install chromium")
    sync_api = pytest.importorskip("playwright.sync_api")
    refused, errors, dialogs = [], [], []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True,
                                    args=["--no-sandbox", "--disable-gpu"])
        try:
            context = browser.new_context(viewport={"width": 1200, "height": 800})
            context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(server.base)
                          else (refused.append(route.request.url), route.abort()))
            page = context.new_page()
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(server.base + "/")
            page.click("button[type=submit]")
            page.wait_for_selector("#out table", timeout=20_000)
            assert page.locator("#out tr").count() > 1  # a header and the shipped example's rows
            ROOT.joinpath("tests", "artifacts").mkdir(exist_ok=True)
            page.screenshot(path=str(ROOT / "tests" / "artifacts" / "serve-query-page.png"))
            hostile = '<img src=x onerror=alert(1)>'
            page.fill("#q", f"SELECT ?x WHERE {{ BIND('{hostile}' AS ?x) }}")
            page.click("button[type=submit]")
            # a locator, not wait_for_function: the page's CSP forbids eval
            page.locator("#out td", has_text="onerror").wait_for(timeout=20_000)
            assert page.locator("#out td").first.text_content() == hostile
            assert page.locator("#out img").count() == 0
        finally:
            browser.close()
    assert refused == [] and errors == [] and dialogs == [], (refused, errors, dialogs)


@pytest.mark.parametrize("fmt", ["JSON", "XML", "TSV"])
def test_streamed_results_read_back_as_the_engine_wrote_them(server, seed_store, fmt):
    import pyoxigraph as ox

    from kg.rdf import PREFIXES

    q = ("SELECT ?s ?l ?lat ?x WHERE { { ?s rdfs:label ?l . OPTIONAL { ?s geo:lat ?lat } } UNION "
         '{ VALUES ?x { "a\\"b\\n<&>\\tc"@en-GB "1.5"^^xsd:decimal <http://example.org/a?b=c&d> '
         '"ü \\u2028" } } '
         "} ORDER BY ?s ?l ?x LIMIT 400")
    mime = {"JSON": "application/sparql-results+json", "XML": "application/sparql-results+xml",
            "TSV": "text/tab-separated-values"}[fmt]
    status, _, body = get(server, q, headers={"Accept": mime})
    assert status == 200
    fmt_ = getattr(ox.QueryResultsFormat, fmt)
    served = ox.parse_query_results(body, format=fmt_)
    db = ox.Store.read_only(seed_store)
    native = db.query(q, prefixes={p: str(n) for p, n in PREFIXES.items()}, use_default_graph_as_union=True)
    assert [v.value for v in served.variables] == [v.value for v in native.variables]
    got, want = [list(r) for r in served], [list(r) for r in native]
    assert len(got) == len(want) > 10 and got == want
