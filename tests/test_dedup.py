"""One story told by many outlets: copies recognised by MinHash, their trains merged into one."""

from __future__ import annotations

import base64
import json
import random
from math import comb

import numpy as np
import pytest

import kg
from kg import dedup, settings
from kg.cli import app
from kg.dedup import Signatures, signature, similarity
from kg.network import route_network
from kg.validate import validate

STORY = (
    "date: 2021-11-22\n\n"
    "A freight train loaded with 50 containers of auto parts left Chengdu for Lodz on Sunday, "
    "the local logistics bureau said. The train will cross Kazakhstan, Russia and Belarus before "
    "it reaches Poland in about 12 days. Officials said the service has grown quickly this year, "
    "with more companies in the city choosing rail over sea freight for goods bound for Europe."
)
# The same wire story as two other sites ran it: a headline added, a clause cut, words changed.
COPY_B = STORY.replace(
    "date: 2021-11-22\n\n", "date: 2021-11-23\n\nChengdu train heads to Poland\n\n"
).replace("the local logistics bureau said", "the city's logistics bureau said on Monday")
COPY_C = STORY.replace(" in the city", "").replace("grown quickly", "grown fast") + " Xinhua contributed."
# Another story about the same route: other words, another train.
OTHER = (
    "date: 2021-11-25\n\n"
    "Another freight train carrying laptops and furniture departed from Chengdu for Lodz on Thursday, "
    "rail operators said. Managers expect demand from Polish retailers to stay strong through the winter."
)


def test_copies_measure_above_the_threshold_and_other_stories_below():
    a, b, c, other = (signature(t) for t in (STORY, COPY_B, COPY_C, OTHER))
    assert similarity(a, a) == 1.0
    assert similarity(a, b) >= settings.duplicate_threshold
    assert similarity(a, c) >= settings.duplicate_threshold
    assert similarity(a, other) < 0.25


def _routes(store):
    return kg.sparql.routes(store=store)


def test_one_story_saved_three_times_is_one_train_with_three_sources(tmp_path, runner):
    for name, text in (("site-a.txt", STORY), ("site-b.txt", COPY_B), ("site-c.txt", COPY_C)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    store = tmp_path / "store"
    summary = kg.build([tmp_path / n for n in ("site-a.txt", "site-b.txt", "site-c.txt")], store=store)
    assert summary.documents == 3 and summary.trains == 1, summary.lines()
    assert sorted(summary.copies) == ["site-b.txt", "site-c.txt"]
    result = runner.invoke(app, ["routes", "--json", "--store", str(store)])
    assert result.exit_code == 0, result.output
    rows = [r for r in json.loads(result.output) if r["origin"] == "Chengdu"]
    assert len({r["train"] for r in rows}) == 1
    sources = rows[0]["sources"]
    assert sorted(s["name"] for s in sources) == ["site-a.txt", "site-b.txt", "site-c.txt"]
    assert all(s["sentence"] and "Chengdu" in s["sentence"] for s in sources)
    assert rows[0]["source"] == sources[0]["name"]
    text = runner.invoke(app, ["routes", "--store", str(store)]).output
    assert "of 1 train in 3 articles" in text
    g = route_network(store=store)
    counted = [d["n_trains"] for _, _, d in g.edges(data=True)]
    assert counted and set(counted) == {1}
    assert max(d["n_documents"] for _, _, d in g.edges(data=True)) == 3
    assert [v.line() for v in validate(store=store) if v.severity == "Violation"] == []

    before = kg.query(
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(?p != prov:generatedAtTime) }", store=store
    ).rows
    kg.build([tmp_path], store=store, force=True)  # rebuilding is idempotent
    after = kg.query(
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o FILTER(?p != prov:generatedAtTime) }", store=store
    ).rows
    assert sorted(map(str, before)) == sorted(map(str, after))

    kg.remove(["site-a.txt"], store=store)  # the copy whose name the train's IRI carries
    left = [r for r in _routes(store) if r["origin"] == "Chengdu"]
    assert len({r["train"] for r in left}) == 1 and left[0]["origin"] == "Chengdu"
    assert sorted(s["name"] for s in left[0]["sources"]) == ["site-b.txt", "site-c.txt"]
    assert left[0]["via"] and left[0]["cargo"]
    assert [v.line() for v in validate(store=store) if v.severity == "Violation"] == []


def test_two_different_stories_on_one_route_are_two_trains(tmp_path):
    (tmp_path / "one.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "two.txt").write_text(OTHER, encoding="utf-8")
    summary = kg.build([tmp_path], store=tmp_path / "store")
    assert summary.copies == {}
    lodz = {r["train"] for r in _routes(tmp_path / "store") if r["origin"] == "Chengdu"}
    assert len(lodz) == 2


def test_an_original_rewritten_into_another_story_no_longer_shares_its_train(tmp_path):
    (tmp_path / "a.txt").write_text(STORY, encoding="utf-8")
    (tmp_path / "b.txt").write_text(COPY_B, encoding="utf-8")
    store = tmp_path / "store"
    kg.build([tmp_path], store=store)
    (shared,) = {r["train"] for r in _routes(store) if r["origin"] == "Chengdu"}
    (tmp_path / "a.txt").write_text(OTHER, encoding="utf-8")  # same file name, now another story
    summary = kg.build([tmp_path], store=store)
    assert summary.copies == {} and summary.trains == 2
    trains = {r["train"]: r for r in _routes(store) if r["origin"] == "Chengdu"}
    assert len(trains) == 2 and shared in trains
    assert [s["name"] for s in trains[shared]["sources"]] == ["b.txt"]
    assert [v.line() for v in validate(store=store) if v.severity == "Violation"] == []


# Copy look-up by bands (locality-sensitive hashing) against the exhaustive comparison.


def _story(rng: random.Random, n: int = 120) -> str:
    return " ".join(rng.choices([f"w{i}" for i in range(300)], k=n))


def _edited(text: str, share: float, rng: random.Random) -> str:
    words = text.split()
    for i in rng.sample(range(len(words)), int(len(words) * share)):
        words[i] = f"x{rng.randrange(10**6)}"
    return " ".join(words)


@pytest.fixture
def small_runs(monkeypatch):
    """Runs of a few articles, so that a test of tens of articles flushes, merges and caps runs."""
    monkeypatch.setattr(dedup, "FLUSH_ROWS", 4)
    monkeypatch.setattr(dedup, "RUN_ROWS", 16)
    monkeypatch.setattr(dedup, "CHUNK_ROWS", 8)


def test_the_bands_miss_a_pair_at_the_threshold_with_negligible_chance():
    # 64 bands of 2 values; at 0.5 (64 of 128 values agreeing) no whole band: 2**64 / C(128, 64).
    assert dedup.band_miss(64) == pytest.approx(2**64 / comb(128, 64))
    need = dedup.bands_needed(64)
    assert need == 6 and dedup.band_miss(64, need=need) < dedup.MISS_BOUND <= 1e-6
    assert dedup.band_miss(64, need=need + 1) >= dedup.MISS_BOUND
    assert sum(dedup.whole_bands(j, 64) for j in range(65)) == pytest.approx(1.0)
    assert dedup.banded_threshold() == 50 / 128 and dedup.bands_needed(49) == 0


def test_banded_answers_are_the_exhaustive_answers_on_near_copies_and_other_texts(small_runs):
    rng = random.Random(11)
    bases = [_story(rng) for _ in range(12)]
    texts = list(bases)
    for base in bases:  # copies edited lightly to heavily, and a text half of one story, half another
        texts += [_edited(base, share, rng) for share in (0.03, 0.1, 0.2, 0.35)]
        texts.append(" ".join(base.split()[:60] + rng.choice(bases).split()[60:]))
    rng.shuffle(texts)
    store = Signatures({})
    answered = 0
    for n, text in enumerate(texts):  # each looked up before it is added, as a build does
        sig = signature(text)
        for threshold in (0.4, 0.5, 0.6, 0.8):
            banded = store.copy_of(f"d{n}", sig, threshold=threshold)
            assert banded == store.copy_of(f"d{n}", sig, threshold=threshold, exhaustive=True)
            answered += banded is not None
        store.add(f"d{n}", sig)
    assert answered > 50 and len(store._runs) > 1  # copies found, in runs merged and capped
    loaded = Signatures({f"d{n}": signature(t) for n, t in enumerate(texts)})  # as a build reads the store
    for n, text in enumerate(texts[:40]):
        near = signature(_edited(text, 0.1, rng))
        assert loaded.copy_of(f"d{n}", near) == loaded.copy_of(f"d{n}", near, exhaustive=True)
        assert loaded.copy_of("new", near) == store.copy_of("new", near)
    other = signature(_story(random.Random(99)))
    assert store.copy_of("new", other) is None
    assert store.candidates(other) == [store._docs[r] for r in sorted(store._pending[: store._npending])]


def _agreeing(sig: str, positions: list[int]) -> str:
    """A signature equal to ``sig`` at ``positions`` only."""
    values = np.frombuffer(base64.b64decode(sig), dtype="<u8").copy()
    others = np.setdiff1d(np.arange(128), positions)
    values[others] = (values[others] + 1) % 2**32
    return base64.b64encode(values.astype("<u8").tobytes()).decode("ascii")


def test_a_threshold_below_what_the_bands_guarantee_compares_with_every_signature(small_runs):
    rng = random.Random(5)
    store = Signatures({f"d{i}": signature(_story(rng)) for i in range(20)})
    target = store._docs[3]
    sig = _agreeing(_stored(store, target), list(range(0, 80, 2)))  # 40 values, never a whole band
    assert target not in store.candidates(sig) and store.copy_of("new", sig) is None
    low = dedup.banded_threshold() - 0.1
    assert store.copy_of("new", sig, threshold=low) == (target, 40 / 128)
    assert store.candidates(sig, threshold=low) == store._docs
    exhaustive = store.copy_of("new", sig, threshold=0.3, exhaustive=True)
    assert store.copy_of("new", sig, threshold=0.3) == exhaustive


def _stored(store: Signatures, doc: str) -> str:
    row = store._row[doc]
    values = store._blocks[row // dedup.CHUNK_ROWS][row % dedup.CHUNK_ROWS]
    return base64.b64encode(values.astype("<u8").tobytes()).decode("ascii")


def test_an_article_added_again_replaces_its_bands(small_runs):
    rng = random.Random(7)
    first, second = _story(rng), _story(rng)
    store = Signatures({"d0": signature(first)} | {f"d{i}": signature(_story(rng)) for i in range(1, 9)})
    assert "d0" in store.candidates(signature(first)) and not store._queued[0][0]  # d0's bands are in a run
    for _ in range(50):  # written again and again, as another story then as the first again
        store.add("d0", signature(second))
        for i in range(1, 9):
            store.add(f"d{i}", signature(_story(rng)))  # the rewrites reach the runs
        assert "d0" not in store.candidates(signature(first)), "a stale band of d0's old text"
        assert store.copy_of("new", signature(first)) is None
        assert store.copy_of("new", signature(second)) == ("d0", 1.0)
        store.add("d0", signature(first))
        assert store.copy_of("new", signature(first)) == ("d0", 1.0)
    live = sum(int((r.rows >= 0).sum()) for r in store._runs)
    held = sum(len(r.rows) for r in store._runs)
    assert live <= 9 * dedup.BANDS and held <= 2 * live + dedup.BANDS  # removed entries are compacted away
