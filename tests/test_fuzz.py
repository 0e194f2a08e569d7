"""Fuzz test: generated news-like texts through extraction, RDF, validation, export/import and viz.

A few hundred examples in the normal run; ``KG_FUZZ_EXAMPLES=10000`` for a long run (and
``KG_FUZZ_SEED=N`` to run shards of it side by side with other seeds).  The
texts mix place names from the gazetteer's files (cities, ports, countries, aliases) with
train words, numbers, dates, quotes, brackets and awkward unicode (accents, zero-width
joiners, bidi marks, control characters, emoji, CJK, very long words, empty lines).
"""

from __future__ import annotations

import csv
import json
import os
import re
import unicodedata
from contextlib import contextmanager
from functools import cache
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st
from rdflib import Dataset, Graph, URIRef
from rdflib.compare import isomorphic

import kg.exchange
import kg.network
from kg.exchange import NAMES, export, import_file
from kg.gazetteer import DATA, Place
from kg.network import route_network
from kg.rdf import SHARED_GRAPH, article_graph, document_iri, shared_graph
from kg.store import GraphStore
from kg.validate import Violation, validate_graph
from kg.viz import render_html

EXAMPLES = int(os.environ.get("KG_FUZZ_EXAMPLES", "200"))
SEED = int(os.environ.get("KG_FUZZ_SEED", "20261201"))  # another seed shards a long run over cores


def _names() -> list[str]:
    names: set[str] = set()
    with (DATA / "places.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            names.add(row["name"])
            names.update(a for a in row["aliases"].split("|") if a)
    with (DATA / "city_aliases.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            names.update((row["alias"], row["name"]))
    with (DATA / "countries.csv").open(encoding="utf-8") as f:
        for k, row in enumerate(csv.DictReader(f)):
            if k % 6 == 0 or row["code"] in {"CN", "DE", "PL", "KZ", "RU", "HU", "ES", "UZ", "BY", "VN"}:
                names.add(row["name"])
                names.update(a for a in row["demonyms"].split("|") if a)
    names.update(["Xi'an", "Chongqing", "Chengdu", "Yiwu", "Zhengzhou", "Wuhan", "Duisburg", "Hamburg",
                  "Budapest", "Warsaw", "Madrid", "Almaty", "Tashkent", "Hanoi", "Moscow", "Minsk"])
    return sorted(names)


PLACES = _names()
WORDS = ["freight train", "China-Europe freight train", "the train", "service", "containers", "TEU",
         "tonnes", "carrying", "loaded with", "auto parts", "daily necessities", "electronics", "left",
         "departed", "arrived", "bound for", "heading to", "via", "through", "from", "to", "in", "at",
         "and", "or", "the", "a", "on", "Sunday", "days", "journey", "port", "city", "of", "after",
         "returned", "entered", "crossing", "km", "expected", "first", "route", "trains", "new"]
ODD = ["\u200d", "\u200b", "\u200e", "\u200f", "\u202e", "\u2066", "\ufeff", "\x00", "\x07", "\x1b[2J",
       "\x1b]0;title\x07", "\x7f", "\x85", "\u2028", "é", "ü", "ø", "Ł", "😀", "🚂", "👨\u200d👩\u200d👧",
       "中欧班列", "西安", "重庆", "«", "»", "“", "”", "'", '"', "(", ")", "[", "]", "{", "}", "{{VIS_JS}}",
       "{{DATA}}", "</script>", "<b>", "&amp;", "-", "–", "—", "/", "\\", ".", ",", ";", ":", "!", "?", "%",
       "\t", "\n", "\n\n", "\r\n", "  ", "source: http://example.com/x", "Date: 2021-03-04"]
NUMBERS = st.one_of(st.integers(0, 10**7).map(str),
                    st.floats(0, 1e6, allow_nan=False).map(lambda x: f"{x:.1f}"),
                    st.sampled_from(["2021-03-04", "March 5, 2020", "5 March 2021", "15th", "1,000", "10.5"]))
TOKEN = st.one_of(
    st.sampled_from(PLACES), st.sampled_from(PLACES), st.sampled_from(WORDS), st.sampled_from(WORDS),
    st.sampled_from(ODD), NUMBERS,
    st.text(min_size=1, max_size=8),  # any unicode, controls and surrogates' neighbours included
    st.text(alphabet="abcdefghijklmnopqrstuvwxyz-", min_size=60, max_size=300),  # very long words
)
SENTENCE = st.lists(TOKEN, min_size=1, max_size=18).map(lambda ts: " ".join(ts) + st_end(ts))


def st_end(tokens: list[str]) -> str:
    """A sentence end that depends on the tokens (so it varies without another draw)."""
    return (".", ".", "!", "?", "", ".\n")[len(tokens) % 6]


TEXT = st.lists(SENTENCE, min_size=1, max_size=5).map(" ".join)
SENTENCE_TEMPLATE = st.builds(
    lambda a, b, c, n, w: f"A freight train carrying {n} containers of {w} left {a} for {b} via {c}.",
    st.sampled_from(PLACES), st.sampled_from(PLACES), st.sampled_from(PLACES), NUMBERS,
    st.sampled_from(ODD + WORDS))
ARTICLE = st.lists(st.one_of(TEXT, SENTENCE_TEMPLATE), min_size=1, max_size=3).map("\n\n".join)

_CONTROL = re.compile(r"[\x00-\x20\x7f-\x9f<>\"{}|\\^`]")


def _bad_iri(term: object) -> bool:
    """An IRI holding a control, invisible, space or other character no RDF syntax allows raw."""
    if not isinstance(term, URIRef):
        return False
    text = str(term)
    invisible = {"Cc", "Cf", "Zl", "Zp"}
    return bool(_CONTROL.search(text)) or any(unicodedata.category(c) in invisible for c in text)


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.scripts: list[tuple[dict[str, str | None], str]] = []
        self._open: dict[str, str | None] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "script":
            self._open, self._text = dict(attrs), []

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._open is not None:
            self.scripts.append((self._open, "".join(self._text)))
            self._open = None


def _union(ds: Dataset) -> Graph:
    g = Graph()
    for s, p, o, _ in ds.quads((None, None, None, None)):
        g.add((s, p, o))
    return g


def _dataset(data: bytes) -> Dataset:
    ds = Dataset()
    ds.parse(data=data.decode("utf-8"), format="nquads")
    return ds


def _check_round_trip(source: Path, work: Path) -> None:
    """Every export format imports back into an empty store as the same graphs (or union)."""
    before = _dataset(export(store=source))
    for fmt in NAMES:
        out = work / f"kg.{fmt}"
        out.write_bytes(export(fmt=fmt, store=source))
        target = work / f"again-{fmt}"
        with kg.exchange.open_store(target) as st_:
            st_.ox.clear()
        import_file(out, fmt=fmt, store=target)
        after = _dataset(export(store=target))
        if fmt in ("nquads", "trig"):
            names = {str(g.identifier) for g in before.graphs() if len(g)}
            assert names == {str(g.identifier) for g in after.graphs() if len(g)}, fmt
            for name in names:
                assert isomorphic(before.graph(URIRef(name)), after.graph(URIRef(name))), (fmt, name)
        else:
            assert isomorphic(_union(before), _union(after)), fmt


def _check_viz(store: Path) -> None:
    g = route_network(store=store)
    page = render_html(g)
    parser = _Page()
    parser.feed(page)
    parser.close()
    assert page.lower().count("</script") == _template_script_ends()
    assert len(parser.scripts) == _template_script_ends()
    data = [text for attrs, text in parser.scripts if attrs.get("type") == "application/json"]
    assert len(data) == 1
    assert "<" not in data[0] and ">" not in data[0] and "&" not in data[0]
    loaded = json.loads(data[0])
    assert {n["id"] for n in loaded["nodes"]} == set(g.nodes)
    assert len(loaded["edges"]) == g.number_of_edges()
    assert "{{" not in page.split("<script", 1)[0]  # no placeholder left unfilled in the head


@cache
def _template_script_ends() -> int:
    """How many ``</script`` the page of an empty network holds (the template's own)."""
    import networkx as nx

    return render_html(nx.DiGraph()).lower().count("</script")


@pytest.fixture()
def open_once(monkeypatch):
    """Each store folder opened once for the whole test (opening RocksDB takes ~0.2 s), then
    handed to kg.exchange and kg.network as if they had opened it themselves."""
    opened: dict[str, GraphStore] = {}

    @contextmanager
    def reuse(location=None, *, read_only=False):
        key = str(location)
        if key not in opened:
            opened[key] = GraphStore(key)
        yield opened[key]

    for module in (kg.exchange, kg.network):
        monkeypatch.setattr(module, "open_store", reuse)
    yield reuse
    for store in opened.values():
        store.close()


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


@pytest.mark.slow
def test_generated_articles_survive_every_stage(extract, gazetteer, workdir, open_once):
    source = workdir / "store"
    version = "fuzz"
    seen = {"examples": 0, "routes": 0}

    @seed(SEED)
    @settings(max_examples=EXAMPLES, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(text=ARTICLE)
    def run(text: str) -> None:
        article = extract(text)
        for route in article.routes:
            for place in (route.origin, route.destination, *route.via):
                assert place is None or isinstance(place, Place)
            assert route.origin is not None or route.destination is not None
        graph = article_graph(article, version=version)
        shared = shared_graph(article, countries=gazetteer.countries)
        problems = validate_graph(graph + shared)
        assert all(isinstance(v, Violation) and v.line() for v in problems)
        bad = [t for triple in (*graph, *shared) for t in triple if _bad_iri(t)]
        assert not bad, bad
        with open_once(source) as st_:
            st_.ox.clear()
            st_.replace_graph(document_iri(article), graph, shared=shared)
            assert st_.ox.contains_named_graph(ox.NamedNode(str(SHARED_GRAPH))) \
                or not len(shared)
        _check_round_trip(source, workdir)
        _check_viz(source)
        seen["examples"] += 1
        seen["routes"] += len(article.routes)
        if seen["examples"] % 500 == 0:
            print(f"fuzz: {seen['examples']} examples, {seen['routes']} routes", flush=True)

    run()
    assert seen["examples"] >= min(EXAMPLES, 50)
    print(f"fuzz: {seen['examples']} examples, {seen['routes']} routes")
