"""One story told by many outlets: copies recognised by MinHash, their trains merged into one."""

from __future__ import annotations

import json

import kg
from kg import settings
from kg.cli import app
from kg.dedup import signature, similarity
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
