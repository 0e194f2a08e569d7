"""A build does not read back what it wrote (such reads fill RocksDB's block caches as the store
grows), and gives the same facts as when it did.

Memory itself is measured in ``benchmarks/bench_build.py --rss``, never here."""

from __future__ import annotations

import base64
import random
from pathlib import Path

import pytest
from rdflib import Graph
from rdflib.compare import to_isomorphic
from rdflib.namespace import PROV

import kg
from kg import dedup
from kg.dedup import Signatures, TrainOwners, signature, similarity
from kg.store import GraphStore, open_store
from kg.validate import union_graph

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
TAIL = " A spokesman for the operator declined to comment on the figures."


def _facts(store: Path) -> Graph:
    """The store's triples without the build time stamps (they differ between any two builds)."""
    g = union_graph(str(store))
    g.remove((None, PROV.generatedAtTime, None))
    return g


def _corpus(folder: Path, *, originals: bool = True, copies: bool = True) -> Path:
    """The seed articles and, under other names, each with a sentence added (copies of one story)."""
    folder.mkdir(parents=True, exist_ok=True)
    for p in sorted(SEEDS.glob("*.txt")):
        text = p.read_text(encoding="utf-8")
        if originals:
            (folder / p.name).write_text(text, encoding="utf-8")
        if copies:
            (folder / f"copy-{p.name}").write_text(text.rstrip() + TAIL + "\n", encoding="utf-8")
    return folder


@pytest.fixture()
def spies(monkeypatch):
    """Counts the copies' trains read from the store, and the ``new`` flag of each graph written."""
    reads: list[str] = []
    flags: list[bool] = []
    real_keys, real_replace = dedup.stored_train_keys, GraphStore.replace_graph

    def stored_train_keys(st, doc):
        reads.append(doc)
        return real_keys(st, doc)

    def replace_graph(self, name, graph, **kwargs):
        flags.append(kwargs.get("new", False))
        return real_replace(self, name, graph, **kwargs)

    monkeypatch.setattr(dedup, "stored_train_keys", stored_train_keys)
    monkeypatch.setattr(GraphStore, "replace_graph", replace_graph)
    return reads, flags


def _shared_trains(store: Path) -> int:
    """Trains told by more than one article."""
    rows = kg.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT ?t WHERE { ?t a kgo:Train ; "
                    "kgo:sourceDocument ?d } GROUP BY ?t HAVING (COUNT(DISTINCT ?d) > 1) }", store=store).rows
    return int(rows[0][0])


def test_copies_written_by_the_build_are_not_read_back_and_the_facts_are_the_same(tmp_path, monkeypatch,
                                                                                   spies):
    reads, flags = spies
    corpus = _corpus(tmp_path / "in")
    memory = kg.build([corpus], store=tmp_path / "memory")
    assert len(memory.copies) == 5 and not memory.refused, memory.lines()
    assert reads == []  # every copied article was written by this build: its trains were known
    assert flags == [True] * 10  # no graph of these documents was stored: nothing to look up and drop
    assert _shared_trains(tmp_path / "memory") >= 5

    reads.clear()
    monkeypatch.setattr(TrainOwners, "keys_of", lambda self, doc: None)  # as before: read each copy back
    stored = kg.build([corpus], store=tmp_path / "stored")
    assert len(reads) == 5
    assert (stored.trains, stored.copies) == (memory.trains, memory.copies)
    assert to_isomorphic(_facts(tmp_path / "memory")) == to_isomorphic(_facts(tmp_path / "stored"))


def test_copies_of_articles_stored_before_the_build_are_read_from_the_store(tmp_path, spies):
    reads, flags = spies
    store = tmp_path / "store"
    first = kg.build([_corpus(tmp_path / "a", copies=False)], store=store)
    second = kg.build([_corpus(tmp_path / "b", originals=False)], store=store)
    assert len(reads) == 5 and len(second.copies) == 5
    assert second.trains == first.trains  # each copy's trains are the stored ones
    assert _shared_trains(store) >= 5

    flags.clear()
    again = kg.build([tmp_path / "b"], store=store, force=True)  # stored documents: looked up and replaced
    assert flags == [False] * 5 and again.trains == first.trains
    assert to_isomorphic(_facts(store)) == to_isomorphic(_facts(_rebuilt(tmp_path)))


def _rebuilt(tmp_path: Path) -> Path:
    """Both halves of the corpus built again in one build, into a new store."""
    store = tmp_path / "one-build"
    kg.build([tmp_path / "a", tmp_path / "b"], store=store)
    return store


def test_the_triple_count_streams_over_every_graph(tmp_path, seed_store):
    with open_store(seed_store, read_only=True) as st:
        counts = st.count()
        assert counts["triples"] == len(st.ox)  # every quad of every graph (nothing in the default graph)
        distinct = int(next(iter(st.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o "
                                          "WHERE { ?s ?p ?o } }")))[0])
        assert counts["triples"] > distinct  # place facts told by several articles count for each


def _texts(n: int, seed: int = 3) -> list[str]:
    rng = random.Random(seed)
    words = [f"w{i}" for i in range(400)]
    return [" ".join(rng.choices(words, k=120)) for _ in range(n)]


def test_signatures_in_blocks_find_the_same_copy_as_a_brute_force_search(monkeypatch):
    monkeypatch.setattr(dedup, "CHUNK_ROWS", 4)
    texts = _texts(10)
    sigs = {f"d{i}": signature(t) for i, t in enumerate(texts)}
    store = Signatures(dict(list(sigs.items())[:3]))
    for d, s in list(sigs.items())[3:]:
        store.add(d, s)
    # three blocks of 4 rows of 32-bit values, and the bands
    assert store.nbytes == 3 * 4 * (dedup.NUM_PERM * 4 + 1) + store.band_nbytes
    for i, text in enumerate(texts):
        near = signature(text + " w1 w2 w3 w4 w5")
        expected = max(sigs, key=lambda d: similarity(sigs[d], near))
        assert store.copy_of("me", near) == (expected, similarity(sigs[expected], near))
        assert expected == f"d{i}"
        found = store.copy_of(f"d{i}", near)  # an article is never its own copy
        assert found is None or found[0] != f"d{i}"
    store.add("d9", signature("something else entirely"))  # a document written again: its row changes
    assert store.copy_of("me", sigs["d9"]) is None
    short = base64.b64encode(bytes(8 * 64)).decode("ascii")  # 64 values: another MinHash length
    store.add("d8", short)  # a signature of another length matches nothing
    assert store.copy_of("me", sigs["d8"]) is None and store.copy_of("me", short) is None
    assert store.copy_of("me", sigs["d7"]) == ("d7", 1.0)
