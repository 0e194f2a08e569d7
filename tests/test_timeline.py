"""Time in questions: --since, --until, --as-of on routes, path, central and viz; history; stale routes."""

from __future__ import annotations

import datetime as dt
import json

import pytest

import kg
from kg.cli import app
from kg.network import route_network
from kg.timeline import Period, filter_network, period, stale_routes

ARTICLES = {
    "old.txt": "date: 2019-06-10\n\nA freight train left Chongqing for Duisburg on Sunday, with laptops.\n",
    "mid.txt": "date: 2020-03-02\n\nIn February, a freight train left Duisburg for Warsaw with machinery.\n",
    "new.txt": "date: 2021-05-20\n\nA freight train left Xi'an for Budapest on Tuesday.\n",
    "monthly.txt": "date: 2021-02-10\n\nLast month, a freight train left Yiwu for Madrid.\n",
    "undated.txt": "A freight train left Hefei for Hamburg.\n",
}


@pytest.fixture(scope="module")
def dated_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("dated")
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    store = folder / "store"
    kg.build([folder], store=store)
    return str(store)


def _pairs(runner, store, *args):
    result = runner.invoke(app, ["routes", "--json", "--store", store, *args])
    assert result.exit_code == 0, result.output
    return {(r["origin"], r["destination"]) for r in json.loads(result.output)}


def test_the_dated_facts_are_stored_with_their_precision(runner, dated_store):
    rows = {r["origin"]: r for r in kg.sparql.routes(store=dated_store)}
    assert (rows["Chongqing"]["date"], rows["Chongqing"]["date_precision"]) == ("2019-06-09", "day")
    assert (rows["Duisburg"]["date"], rows["Duisburg"]["date_precision"]) == ("2020-02-01", "month")
    assert (rows["Yiwu"]["date"], rows["Yiwu"]["date_precision"]) == ("2021-01-01", "month")
    assert rows["Hefei"]["date"] is None


def test_routes_since_answers_from_the_dated_facts_only(runner, dated_store):
    assert len(_pairs(runner, dated_store)) == 5
    assert _pairs(runner, dated_store, "--since", "2021-01-01") == {("Xi'an", "Budapest"), ("Yiwu", "Madrid")}
    # a train of January 2021 (month precision) overlaps a range that starts mid-month, not one after it
    assert ("Yiwu", "Madrid") in _pairs(runner, dated_store, "--since", "2021-01-15")
    assert ("Yiwu", "Madrid") not in _pairs(runner, dated_store, "--since", "2021-02")
    assert _pairs(runner, dated_store, "--until", "2019") == {("Chongqing", "Duisburg")}
    assert _pairs(runner, dated_store, "--since", "2020", "--as-of", "2020-12-31") == {("Duisburg", "Warsaw")}
    text = runner.invoke(app, ["routes", "--since", "2021-01-01", "--store", dated_store]).output
    assert "2 trains in 2 articles dated since 2021-01-01" in text


def test_path_as_of_a_date_uses_the_legs_reported_by_then(runner, dated_store):
    full = runner.invoke(app, ["path", "Chongqing", "Warsaw", "--store", dated_store])
    assert full.exit_code == 0 and "change at Duisburg" in full.output
    then = runner.invoke(
        app, ["path", "Chongqing", "Warsaw", "--as-of", "2019-12-31", "--store", dated_store]
    )
    assert then.exit_code == 1 and "no reported route" in then.output and "until 2019-12-31" in then.output
    first = runner.invoke(
        app, ["path", "Chongqing", "Duisburg", "--as-of", "2019-12-31", "--json", "--store", dated_store]
    )
    assert first.exit_code == 0, first.output
    legs = json.loads(first.output)["paths"][0]["legs"]
    assert [e["document"] for leg in legs for e in leg["evidence"]] == ["old.txt"]


def test_central_and_viz_take_the_same_options(runner, dated_store, tmp_path):
    result = runner.invoke(app, ["central", "--as-of", "2019-12-31", "--json", "--store", dated_store])
    assert result.exit_code == 0, result.output
    out = tmp_path / "then.html"
    result = runner.invoke(app, ["viz", "-o", str(out), "--since", "2021", "--store", dated_store])
    assert result.exit_code == 0, result.output
    assert "Budapest" in out.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "command", [["routes"], ["path", "Chongqing", "Duisburg"], ["central"], ["viz", "-o", "x.html"]]
)
@pytest.mark.parametrize("option", ["--since", "--until", "--as-of"])
def test_a_bad_date_is_one_line_naming_the_option(runner, dated_store, command, option):
    result = runner.invoke(app, [*command, option, "2021-13-01", "--store", dated_store])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert (
        len(lines) == 1
        and option in lines[0]
        and "YYYY-MM-DD" in lines[0]
        and "Traceback" not in result.output
    )


def test_network_legs_carry_dates_and_filtering_prunes_them(dated_store):
    g = route_network(store=dated_store)
    for _, _, d in g.edges(data=True):
        assert d["dates"] == sorted(d["dates"])
        assert all("date" in e for e in d["evidence"])
    assert any(d["dates"] == ["2019-06-09"] for _, _, d in g.edges(data=True))
    then = filter_network(g, period(until="2019-12-31"))
    assert then.number_of_edges() == 1 and g.number_of_edges() == 5
    assert set(then.graph["trains"]) <= set(g.graph["trains"])
    assert filter_network(g, Period()) is g
    assert all(len(d["trains"]) >= 1 for _, _, d in g.edges(data=True))  # the original is untouched


def test_stale_routes_and_the_route_history_query(runner, dated_store):
    result = runner.invoke(
        app, ["routes", "--stale", "12", "--as-of", "2021-12-31", "--json", "--store", dated_store]
    )
    assert result.exit_code == 0, result.output
    stale = json.loads(result.output)
    assert [(p["origin"], p["destination"]) for p in stale] == [
        ("Chongqing", "Duisburg"),
        ("Duisburg", "Warsaw"),
    ]
    assert stale[1]["last"] == "2020-02-29"  # a train of February counts until the month's end
    rows = [{"origin": "A", "destination": "B", "date": "2021-06-01", "date_precision": "day", "train": "t"}]
    assert stale_routes(rows, months=6, as_of=dt.date(2021, 12, 1))[0]["months_silent"] == 6
    assert stale_routes(rows, months=7, as_of=dt.date(2021, 12, 1)) == []
    history = kg.query("route_history", store=dated_store).records()
    assert {(str(r["origin"]), str(r["first_reported"])) for r in history} >= {("Chongqing", "2019-06-09")}
    assert "Hefei" not in {str(r["origin"]) for r in history}
    silent = kg.query(
        "route_history", store=dated_store, bindings={"asof": "2021-12-31", "months": 12}
    ).records()
    assert {str(r["origin"]) for r in silent} == {"Chongqing", "Duisburg"}
    then = kg.query("route_history", store=dated_store, bindings={"asof": "2019-12-31"}).records()
    assert {str(r["origin"]) for r in then} == {"Chongqing"}
