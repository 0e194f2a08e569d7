"""What keeps a build's memory flat gives the same facts: the articles wait on disk (a spool),
spaCy's new words are forgotten in memory zones, the store is flushed as it is written.

Memory itself is measured in ``benchmarks/bench_build.py --rss``, never here."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import to_isomorphic
from rdflib.namespace import PROV

import kg
from kg import nlp as nlp_mod
from kg import pipeline
from kg.extract.reading import read_article
from kg.inputs.spool import Spool
from kg.rdf import document_iri
from kg.validate import union_graph

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


def _facts(store: Path | str) -> Graph:
    """The store's triples without the build time stamps (they differ between any two builds)."""
    g = union_graph(str(store))
    g.remove((None, PROV.generatedAtTime, None))
    return g


@pytest.fixture(scope="module")
def local_facts(seed_store) -> Graph:
    return to_isomorphic(_facts(seed_store))


def test_a_spooled_article_comes_back_as_it_was_read(tmp_path):
    articles = [read_article(p) for p in sorted(SEEDS.glob("*.txt"))]
    with Spool() as spool:
        held = [spool.add(a) for a in articles]
        assert spool.size > sum(len(a.text) for a in articles)
        for h, a in reversed(list(zip(held, articles, strict=True))):  # any order
            back = spool.load(h)
            assert back == a and back is not a
            assert (h.name, h.key, h.sha256, h.iri) == (a.name, a.key, a.sha256, str(document_iri(a)))


def test_memory_zones_every_two_articles_and_a_flush_after_each_give_the_same_facts(
        tmp_path, monkeypatch, local_facts):
    monkeypatch.setattr(nlp_mod, "WARM_ARTICLES", 0)
    monkeypatch.setattr(nlp_mod, "ZONE_ARTICLES", 2)
    monkeypatch.setattr(pipeline, "FLUSH_TRIPLES", 1)
    opened, flushed = [], []
    real_zone = type(nlp_mod.load(None)).memory_zone
    real_flush = kg.store.GraphStore.flush

    def zone(self, *args, **kwargs):
        opened.append(1)
        return real_zone(self, *args, **kwargs)

    def flush(self):
        flushed.append(1)
        real_flush(self)

    monkeypatch.setattr(type(nlp_mod.load(None)), "memory_zone", zone)
    monkeypatch.setattr(kg.store.GraphStore, "flush", flush)
    strings = len(nlp_mod.load(None).vocab.strings)
    summary = kg.build([SEEDS], store=tmp_path / "zoned")
    assert summary.extracted == 5 and not summary.refused
    assert len(opened) == 3 and len(flushed) >= 5  # one per article, one on close
    assert len(nlp_mod.load(None).vocab.strings) == strings  # what the zones added is gone
    assert to_isomorphic(_facts(tmp_path / "zoned")) == local_facts


def test_an_article_is_extracted_from_the_text_read_at_the_start(tmp_path, monkeypatch):
    """Inputs are read (and checked) before anything is written; later edits do not leak in."""
    folder = tmp_path / "in"
    folder.mkdir()
    for p in sorted(SEEDS.glob("*.txt"))[:2]:
        (folder / p.name).write_text(p.read_text(encoding="utf-8"), encoding="utf-8")
    first, second = sorted(folder.glob("*.txt"))
    before = read_article(second)

    def progress(name: str, done: int, total: int) -> None:
        if done == 1:
            second.write_text("Nothing happened here.\n", encoding="utf-8")

    kg.build([folder], store=tmp_path / "s", progress=progress)
    stored = kg.store.GraphStore(tmp_path / "s", read_only=True)
    try:
        docs = stored.documents()
    finally:
        stored.close()
    assert str(document_iri(before)) in docs
    assert docs[str(document_iri(before))][1] == before.sha256


def test_zoned_runs_the_first_items_outside_a_zone_then_chunks_inside(monkeypatch):
    nlp = nlp_mod.load(None)
    monkeypatch.setattr(nlp_mod, "_parsed", type(nlp_mod._parsed)())
    chunks: list[list[int]] = []

    def run(chunk):
        items = list(chunk)
        chunks.append(items)
        return [i * 10 for i in items]

    out = list(nlp_mod.zoned(nlp, range(12), run, warm=5, every=3))
    assert out == [i * 10 for i in range(12)]
    assert chunks == [[0, 1, 2, 3, 4], [5, 6, 7], [8, 9, 10], [11]]
    assert list(nlp_mod.zoned(nlp, [], run)) == []
