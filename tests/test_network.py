"""Path and centrality questions on small hand-built networks where the answer is known.

Each rule of the route network has its own test: countries are never passed through, a
transit country is an attribute of a leg, a country end is a terminal, trains change only at a
city or port and say so, legs are never walked backwards, countries may be named by name,
official name or ISO code.
"""

import networkx as nx
import pytest

from kg._errors import InputError, UnknownPlaceError
from kg.network import (
    add_leg,
    central,
    countries_crossed,
    explain_no_path,
    find_paths,
    finish,
    great_circle_km,
    nearest_reachable,
    pagerank,
    resolve_where,
)

COUNTRIES = {"KZ": "Kazakhstan", "UZ": "Uzbekistan", "RU": "Russia", "PL": "Poland", "BY": "Belarus",
             "DE": "Germany", "CN": "China", "AF": "Afghanistan"}


def network(legs, *, types=None, countries=None, coords=None, trains=None):
    """A network built with the same functions as the store's: legs are (from, to, train, crosses)."""
    g = nx.DiGraph()
    types, countries, coords = types or {}, countries or {}, coords or {}
    for code, name in COUNTRIES.items():
        g.add_node(f"country/{code}", label=name, type="Country", country=code, lat=None, lon=None, aliases=set())
    names = {n for a, b, *_ in legs for n in (a, b)}
    for n in sorted(names - set(g)):
        lat, lon = coords.get(n, (None, None))
        g.add_node(n, label=n, type=types.get(n, "City"), country=countries.get(n, "XX"), lat=lat, lon=lon,
                   aliases={n.lower() + "-alias"})
    for a, b, train, *rest in legs:
        add_leg(g, a, b, train=train, document=f"{train}.txt", sentence=f"{train} runs {a} to {b}.",
                crosses=[f"country/{c}" for c in (rest[0] if rest else [])])
    if trains is not None:
        g.graph["trains"] = trains
    return finish(g)


def test_k_shortest_in_order():
    g = network([("A", "B", "t1"), ("B", "D", "t1"), ("A", "C", "t2"), ("C", "E", "t2"), ("E", "D", "t2"),
                 ("A", "D", "t3")])
    answers = find_paths("A", "D", k=3, graph=g)
    assert [a.places for a in answers] == [["A", "D"], ["A", "B", "D"], ["A", "C", "E", "D"]]
    assert answers[1].legs[0].evidence[0]["sentence"] == "t1 runs A to B."
    assert answers.notes == []


def test_a_transit_country_is_an_attribute_of_the_leg():
    g = network([("Nantong", "Hairatan", "t", ["KZ", "UZ"])], types={"Hairatan": "Port"})
    (answer,) = find_paths("Nantong", "Hairatan", graph=g)
    assert answer.places == ["Nantong", "Hairatan"]
    assert answer.legs[0].crosses == ["Kazakhstan", "Uzbekistan"]
    assert answer.describe() == "Nantong -> Hairatan, crossing Kazakhstan, Uzbekistan"
    assert answer.legs[0].evidence == [{"document": "t.txt", "sentence": "t runs Nantong to Hairatan.", "train": "t"}]
    assert "country/KZ" not in answer.iris


def test_no_path_passes_through_a_country_terminal():
    # t1 ends "in Kazakhstan", t2 starts "from Kazakhstan": two unrelated trains, no route A -> B.
    g = network([("A", "country/KZ", "t1"), ("country/KZ", "B", "t2")])
    assert find_paths("A", "B", graph=g) == []
    assert [a.places for a in find_paths("A", "Kazakhstan", graph=g)] == [["A", "Kazakhstan"]]
    assert [a.places for a in find_paths("Kazakhstan", "B", graph=g)] == [["Kazakhstan", "B"]]
    assert nearest_reachable(g, "A")["reachable_from"] == ["Kazakhstan"]
    assert "B" not in nearest_reachable(g, "A")["reachable_from"]
    assert {r["label"] for r in central(metric="betweenness", graph=g)} <= {"A", "B"}


def test_a_country_end_matches_its_places_and_the_legs_crossing_it():
    g = network([("A", "Almaty", "t1"), ("B", "H", "t2", ["KZ"]), ("C", "country/KZ", "t3")],
                countries={"Almaty": "KZ"})
    ends = {tuple(a.places) for a in find_paths("A", "Kazakhstan", graph=g)}
    assert ends == {("A", "Almaty")}
    (crossing,) = find_paths("B", "KZ", graph=g)  # by ISO code; the leg B -> H crosses it
    assert crossing.places == ["B", "H"] and "crosses Kazakhstan" in crossing.notes[0]
    assert find_paths("C", "Republic of Kazakhstan", graph=g)[0].places == ["C", "Kazakhstan"]  # official name
    with pytest.raises(UnknownPlaceError):
        resolve_where(g, "kz")  # lower case "kz" is no ISO code (it could be a word)


def test_a_country_as_start_prefers_whole_trains():
    g = network([("Jinhua", "Horgos", "t1"), ("Horgos", "country/KZ", "t1")],
                types={"Horgos": "Port"}, countries={"Jinhua": "CN", "Horgos": "CN"})
    answers = find_paths("China", "Kazakhstan", k=2, graph=g)
    assert [a.places for a in answers] == [["Jinhua", "Horgos", "Kazakhstan"], ["Horgos", "Kazakhstan"]]


def test_trains_change_only_at_a_city_or_port_and_say_where():
    g = network([("Chongqing", "Duisburg", "t1", ["KZ", "RU", "BY", "PL"]), ("Duisburg", "Liege", "t2")])
    (answer,) = find_paths("Chongqing", "Liege", graph=g)
    assert answer.changes == ["Duisburg"] and answer.single_train is None
    assert [r["trains"] for r in answer.rides] == [["t1"], ["t2"]]
    assert answer.describe() == ("Chongqing -> Duisburg (crossing Kazakhstan, Russia, Belarus, Poland) -> Liege; "
                                 "change at Duisburg")
    one = network([("A", "B", "T"), ("B", "C", "T")])
    (same,) = find_paths("A", "C", graph=one)
    assert same.single_train == "T" and same.changes == []


def test_the_fewest_changes_are_found():
    g = network([("A", "B", "t1"), ("A", "B", "t2"), ("B", "C", "t2"), ("C", "D", "t2"), ("C", "D", "t3")])
    (answer,) = find_paths("A", "D", graph=g)
    assert answer.changes == [] and answer.single_train == "t2"


def test_legs_are_never_walked_backwards():
    g = network([("A", "B", "t"), ("B", "C", "t")])
    assert find_paths("C", "A", graph=g) == []
    assert explain_no_path(g, "C", "A")[0] == "trains are reported only the other way: A -> B -> C"


def test_via_and_avoid_a_country_use_the_legs_crossing_it():
    g = network([("A", "D", "t1", ["KZ", "RU"]), ("A", "D", "t2", ["PL"]), ("A", "X", "t3"), ("X", "D", "t3")])
    via_ru = find_paths("A", "D", via=["RU"], k=5, graph=g)
    assert [(a.places, a.legs[0].crosses) for a in via_ru] == [(["A", "D"], ["Kazakhstan", "Russia"])]
    avoid = find_paths("A", "D", avoid=["Poland"], k=5, graph=g)
    assert [(a.places, a.legs[0].crosses) for a in avoid] == [(["A", "D"], ["Kazakhstan", "Russia"]),
                                                              (["A", "X", "D"], [])]
    assert find_paths("A", "D", via=["Russian Federation"], graph=g)[0].legs[0].trains == ["t1"]
    lines = explain_no_path(g, "A", "D", avoid=["Kazakhstan", "Poland", "X"])
    assert lines[0].startswith("every reported route from A to D touches Kazakhstan, Poland, X")


def test_avoid_and_no_path():
    g = network([("A", "B", "t1"), ("B", "D", "t1"), ("A", "C", "t2"), ("C", "D", "t2")])
    assert [a.places for a in find_paths("A", "D", avoid=["B"], k=5, graph=g)] == [["A", "C", "D"]]
    assert find_paths("A", "D", avoid=["B", "C"], graph=g) == []
    assert nearest_reachable(g, "A")["reachable_from"][:2] == ["B", "C"]
    assert nearest_reachable(g, "A", avoid=[resolve_where(g, "B"), resolve_where(g, "C")])["reachable_from"] == []
    with pytest.raises(InputError, match="--avoid A: the path starts there"):
        find_paths("A", "D", avoid=["A"], graph=g)


def test_fewer_paths_than_asked_and_unknown_distances_are_explained():
    g = network([("A", "B", "t1"), ("B", "country/KZ", "t1")], coords={"A": (40.0, 100.0), "B": (44.0, 80.0)})
    answers = find_paths("A", "Kazakhstan", k=3, weight="km", graph=g)
    assert len(answers) == 1
    assert answers.notes[0].startswith("only 1 path found (asked for 3)")
    assert "1 leg without a distance" in answers.notes[1] and "B -> Kazakhstan" in answers.notes[1]
    with pytest.raises(InputError, match="unknown weight"):
        find_paths("A", "B", weight="minutes", graph=g)


def test_names_resolve_by_alias_and_unknown_names_suggest():
    g = network([("Hairatan", "Termez", "t")])
    assert find_paths("hairatan-alias", "TERMEZ", graph=g)[0].places == ["Hairatan", "Termez"]
    with pytest.raises(UnknownPlaceError, match="Hairatan"):
        find_paths("Hairatn", "Termez", graph=g)


def test_great_circle_km_within_one_percent():
    # Beijing - Moscow: about 5,800 km
    assert great_circle_km(39.9075, 116.39723, 55.75222, 37.61556) == pytest.approx(5796, rel=0.01)
    # Alashankou - Dostyk: a border crossing, about 10 km apart
    assert great_circle_km(45.171, 82.569, 45.250, 82.480) == pytest.approx(11.2, rel=0.05)


def test_km_weight_prefers_the_shorter_way():
    g = network([("A", "B", "t1"), ("B", "D", "t1"), ("A", "C", "t2"), ("C", "D", "t2")])
    for (a, b), km in {("A", "B"): 100, ("B", "D"): 900, ("A", "C"): 300, ("C", "D"): 300}.items():
        g.edges[a, b]["km"] = km
    assert find_paths("A", "D", weight="km", graph=g)[0].places == ["A", "C", "D"]
    assert find_paths("A", "D", weight="km", graph=g)[0].km == 600


def test_betweenness_finds_the_chokepoint_and_never_ranks_a_country():
    g = network([("A", "X", "t1"), ("X", "C", "t1"), ("B", "X", "t2"), ("X", "country/KZ", "t2"),
                 ("D", "country/KZ", "t3"), ("country/KZ", "E", "t4")], types={"X": "Port"})
    rows = central(metric="betweenness", graph=g)
    assert rows[0]["label"] == "X" and rows[0]["metric"] == "betweenness"
    assert all(r["type"] != "Country" for r in rows)
    assert central(metric="degree", top=1, types=["Port"], graph=g)[0]["label"] == "X"
    assert [r["label"] for r in central(metric="pagerank", types=["Port"], graph=g)] == ["X"]
    with pytest.raises(ValueError, match="unknown metric"):
        central(metric="nope", graph=g)
    with pytest.raises(ValueError, match="unknown place type"):
        central(types=["Planet"], graph=g)


def test_countries_rank_separately_by_legs_crossing_them():
    g = network([("A", "B", "t1", ["KZ", "RU"]), ("C", "D", "t2", ["KZ"]), ("C", "D", "t3", ["KZ"])])
    rows = central(types=["Country"], graph=g)
    assert [(r["label"], r["legs"], r["trains"], r["metric"]) for r in rows] == [
        ("Kazakhstan", 2, 3, "legs crossing"), ("Russia", 1, 1, "legs crossing")]
    assert countries_crossed(g) == rows


def test_pagerank_matches_networkx_reference():
    from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

    g = nx.DiGraph([(1, 2), (2, 3), (3, 1), (3, 4), (4, 2), (5, 4)])
    g.add_edge(1, 6)  # 6 is dangling
    ours, ref = pagerank(g), _pagerank_python(g, tol=1e-10, max_iter=1000)
    assert ours == pytest.approx(ref, abs=1e-6)
    for _, _, d in g.edges(data=True):
        d["w"] = 2.0
    g.edges[3, 4]["w"] = 5.0
    assert pagerank(g, weight="w") == pytest.approx(_pagerank_python(g, weight="w", tol=1e-10, max_iter=1000), abs=1e-6)


def test_weighted_betweenness_prefers_busy_legs():
    # Two ways from A to D: via B (one train a leg) or via C (five trains a leg).
    busy = [("A", "C", f"c{i}") for i in range(5)] + [("C", "D", f"c{i}") for i in range(5)]
    g = network([("A", "B", "b"), ("B", "D", "b"), *busy])
    plain = {r["label"]: r["score"] for r in central(metric="betweenness", graph=g)}
    weighted = {r["label"]: r["score"] for r in central(metric="betweenness", weighted=True, graph=g)}
    assert plain["B"] == plain["C"]
    assert weighted["C"] > weighted["B"]


def test_on_the_seeds_no_answer_passes_through_a_country(seed_network, runner, seed_store):
    import json

    from kg.analysis import corridors, whatif
    from kg.cli import app

    g = seed_network
    countries = {d["label"] for _, d in g.nodes(data=True) if d["type"] == "Country"}
    names = sorted({g.nodes[n]["label"] for n in g if g.degree(n)})
    found = 0
    for a in names:
        for b in names:
            if a != b:
                for answer in find_paths(a, b, k=3, graph=g):
                    found += 1
                    assert not set(answer.places[1:-1]) & countries, answer.describe()
                    assert not set(answer.changes) & countries
    assert found >= 15
    for metric in ("degree", "betweenness", "closeness", "pagerank"):
        assert all(r["type"] in ("City", "Port") for r in central(metric=metric, top=100, graph=g))
    for corridor in corridors(graph=g):
        assert all(p["type"] in ("City", "Port") for p in corridor["places"])
    for place in ("Horgos", "Kazakhstan"):
        result = whatif([place], graph=g)
        for r in result.lost + result.longer:
            assert not set(r.get("path_before", r.get("path_after", []))[1:-1]) & countries
    out = runner.invoke(app, ["path", "Nantong", "Hairatan", "--json", "--store", seed_store])
    (answer,) = json.loads(out.output)["paths"]
    assert answer["places"] == ["Nantong", "Hairatan"] and answer["legs"][0]["crosses"] == ["Kazakhstan", "Uzbekistan"]
    assert "through Kazakhstan and Uzbekistan" in answer["legs"][0]["evidence"][0]["sentence"]


def test_cli_central_names_the_metric_and_ranks_ports(runner, seed_store):
    from kg.cli import app

    out = runner.invoke(app, ["central", "--type", "Port", "--store", seed_store]).output.splitlines()
    assert out[0] == "cities and ports by betweenness:"  # the title and the score column name the metric
    assert out[1].split() == ["#", "place", "type", "country", "betweenness"] and set(out[2]) == {"─"}
    assert out[3].split()[:2] == ["1", "Horgos"]
    out = runner.invoke(app, ["central", "--metric", "pagerank", "--store", seed_store])
    assert out.exit_code == 0 and "by pagerank" in out.output and out.output.splitlines()[1].endswith("pagerank")
    out = runner.invoke(app, ["central", "--type", "Country", "--store", seed_store]).output.splitlines()
    assert out[0] == "countries by legs crossing:" and "legs crossing" in out[1] and "Kazakhstan" in out[3]
    out = runner.invoke(app, ["path", "Chongqing", "Duisburg", "-k", "3", "--store", seed_store]).output
    assert "note: only 1 path found (asked for 3)" in out
    out = runner.invoke(app, ["path", "Jinhua", "Kazakhstan", "--avoid", "Horgos", "--store", seed_store])
    assert out.exit_code == 1
    assert out.output.startswith("every reported route from Jinhua to Kazakhstan touches Horgos")
    assert "from Jinhua: nothing" in out.output
