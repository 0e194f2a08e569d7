"""Path and centrality questions on small hand-built networks where the answer is known."""

import networkx as nx
import pytest

from kg._errors import UnknownPlaceError
from kg.network import central, find_paths, great_circle_km, nearest_reachable


def _net(edges, coords=None, types=None, countries=None):
    g = nx.DiGraph()
    coords, types, countries = coords or {}, types or {}, countries or {}
    for a, b in edges:
        for n in (a, b):
            if n not in g:
                lat, lon = coords.get(n, (None, None))
                g.add_node(n, label=n, type=types.get(n, "City"), country=countries.get(n, "XX"),
                           lat=lat, lon=lon, aliases={n.lower() + "-alias"})
        g.add_edge(a, b, trains={f"t-{a}-{b}"}, documents={f"{a}.txt"},
                   evidence=[{"document": f"{a}.txt", "sentence": f"{a} to {b}.", "train": f"t-{a}-{b}"}],
                   km=None, n_trains=1, n_documents=1)
    return g


def test_k_shortest_in_order():
    g = _net([("A", "B"), ("B", "D"), ("A", "C"), ("C", "E"), ("E", "D"), ("A", "D")])
    answers = find_paths("A", "D", k=3, graph=g)
    assert [a.places for a in answers] == [["A", "D"], ["A", "B", "D"], ["A", "C", "E", "D"]]
    assert answers[1].legs[0].evidence[0]["sentence"] == "A to B."


def test_via_a_country_matches_places_inside_it():
    g = _net([("A", "Dostyk"), ("Dostyk", "D"), ("A", "X"), ("X", "D"), ("B", "Kazakhstan")],
             types={"Kazakhstan": "Country", "Dostyk": "Port"},
             countries={"Kazakhstan": "KZ", "Dostyk": "KZ"})
    answers = find_paths("A", "D", via=["Kazakhstan"], k=5, graph=g)
    assert [a.places for a in answers] == [["A", "Dostyk", "D"]]


def test_avoid_and_no_path():
    g = _net([("A", "B"), ("B", "D"), ("A", "C"), ("C", "D")])
    assert [a.places for a in find_paths("A", "D", avoid=["B"], k=5, graph=g)] == [["A", "C", "D"]]
    assert find_paths("A", "D", avoid=["B", "C"], graph=g) == []
    near = nearest_reachable(g, "A")
    assert near["reachable_from"][:2] == ["B", "C"]


def test_against_the_direction_of_travel_is_flagged():
    g = _net([("A", "B"), ("B", "C")])
    (answer,) = find_paths("C", "A", graph=g)
    assert answer.places == ["C", "B", "A"] and not answer.directed
    assert all(leg.reversed for leg in answer.legs)


def test_single_train_detection():
    g = _net([("A", "B"), ("B", "C")])
    g.edges["A", "B"]["trains"].add("T")
    g.edges["B", "C"]["trains"].add("T")
    assert find_paths("A", "C", graph=g)[0].single_train == "T"
    g2 = _net([("A", "B"), ("B", "C")])
    assert find_paths("A", "C", graph=g2)[0].single_train is None


def test_names_resolve_by_alias_and_unknown_names_suggest():
    g = _net([("Hairatan", "Termez")])
    assert find_paths("hairatan-alias", "TERMEZ", graph=g)[0].places == ["Hairatan", "Termez"]
    with pytest.raises(UnknownPlaceError, match="Hairatan"):
        find_paths("Hairatn", "Termez", graph=g)


def test_great_circle_km_within_one_percent():
    # Beijing - Moscow: about 5,800 km
    assert great_circle_km(39.9075, 116.39723, 55.75222, 37.61556) == pytest.approx(5796, rel=0.01)
    # Alashankou - Dostyk: a border crossing, about 10 km apart
    assert great_circle_km(45.171, 82.569, 45.250, 82.480) == pytest.approx(11.2, rel=0.05)


def test_km_weight_prefers_the_shorter_way():
    g = _net([("A", "B"), ("B", "D"), ("A", "C"), ("C", "D")])
    for (a, b), km in {("A", "B"): 100, ("B", "D"): 900, ("A", "C"): 300, ("C", "D"): 300}.items():
        g.edges[a, b]["km"] = km
    assert find_paths("A", "D", weight="km", graph=g)[0].places == ["A", "C", "D"]
    assert find_paths("A", "D", weight="km", graph=g)[0].km == 600


def test_betweenness_finds_the_chokepoint():
    g = _net([("A", "X"), ("B", "X"), ("X", "C"), ("X", "D")], types={"X": "Port"})
    top = central(metric="betweenness", top=1, graph=g)
    assert top[0]["label"] == "X"
    assert central(metric="degree", top=1, types=["Port"], graph=g)[0]["label"] == "X"
    with pytest.raises(ValueError, match="unknown metric"):
        central(metric="nope", graph=g)


def test_weighted_betweenness_prefers_busy_legs():
    # Two ways from A to D: via B (one train a leg) or via C (five trains a leg).
    g = _net([("A", "B"), ("B", "D"), ("A", "C"), ("C", "D")])
    for a, b in (("A", "C"), ("C", "D")):
        g.edges[a, b]["n_trains"] = 5
    plain = {r["label"]: r["score"] for r in central(metric="betweenness", graph=g)}
    weighted = {r["label"]: r["score"] for r in central(metric="betweenness", weighted=True, graph=g)}
    assert plain["B"] == plain["C"]
    assert weighted["C"] > weighted["B"]
