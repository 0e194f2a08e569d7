"""What-if and corridors, on hand-built networks and on the seeds."""

import json

from test_network import network

from kg.analysis import close, corridors, od_pairs, whatif
from kg.cli import app
from kg.network import resolve_where


def test_whatif_disconnection_and_detour():
    g = network([("A", "X", "t1"), ("X", "D", "t1"), ("A", "Y", "t2"), ("Y", "Z", "t2"), ("Z", "D", "t2"),
                 ("B", "X", "t3"), ("X", "E", "t3")], types={"X": "Port"})
    result = whatif(["X"], graph=g)
    assert [(r["from"], r["to"]) for r in result.lost] == [("B", "E")]
    assert [(r["from"], r["to"], r["hops_before"], r["hops_after"]) for r in result.longer] == [("A", "D", 2, 3)]
    assert result.centrality_before[0]["label"] == "X"
    assert "X" not in {r["label"] for r in result.centrality_after}
    assert result.notes == []


def test_whatif_closing_a_country_closes_its_places_and_the_legs_crossing_it():
    g = network([("A", "Dostyk", "t1"), ("Dostyk", "D", "t1"), ("N", "H", "t2", ["KZ", "UZ"]), ("P", "Q", "t3")],
                types={"Dostyk": "Port"}, countries={"Dostyk": "KZ"})
    result = whatif(["Kazakhstan"], graph=g)
    assert sorted((r["from"], r["to"]) for r in result.lost) == [("A", "D"), ("N", "H")]
    assert result.unchanged == 1
    closed = close(g, [resolve_where(g, "KZ")])
    assert not closed.has_edge("N", "H") and "Dostyk" not in closed


def test_whatif_says_when_a_place_is_on_no_reported_route():
    g = network([("A", "B", "t1")])
    g.add_node("Alashankou", label="Alashankou", type="Port", country="CN", lat=None, lon=None, aliases=set())
    result = whatif(["Alashankou"], graph=g)
    assert result.lost == [] and result.unchanged == 1
    assert result.notes == ["Alashankou is on no reported route (it is mentioned, but no reported leg starts, ends "
                            "or crosses there): closing it changes no route"]


def test_one_train_with_three_destinations_is_three_pairs_of_one_train():
    trains = {"T": {"document": "a.txt", "origin": "Jinhua", "destinations": ["country/KG", "country/KZ", "country/UZ"],
                    "via": ["Horgos"], "cargo": [], "status": "reported", "date": None, "published": None,
                    "containers": 82}}
    g = network([("Jinhua", "Horgos", "T"), ("Horgos", "country/KZ", "T"), ("Horgos", "country/UZ", "T")],
                types={"Horgos": "Port"}, trains=trains)
    g.add_node("country/KG", label="Kyrgyzstan", type="Country", country="KG", lat=None, lon=None, aliases=set())
    g.add_edge("Horgos", "country/KG", **{**g.edges["Horgos", "country/KZ"]})
    pairs = od_pairs(g)
    assert len(pairs) == 3 and all(ts == {"T"} for ts in pairs.values())
    result = whatif(["Horgos"], graph=g)
    assert len(result.lost) == 3 and sum(r["trains"] for r in result.lost) == 3  # per pair; one train in all


def test_corridors_split_two_separate_networks_and_name_types():
    g = network([("A", "B", "t1"), ("B", "C", "t1"), ("A", "C", "t2"), ("X", "Y", "t3"), ("Y", "Z", "t3"),
                 ("X", "Z", "t4")], types={"B": "Port"})
    result = corridors(graph=g)
    assert sorted(sorted(p["label"] for p in c["places"]) for c in result) == [["A", "B", "C"], ["X", "Y", "Z"]]
    first = next(c for c in result if c["crossings"])
    assert first["crossings"] == ["B"] and {"label": "B", "type": "Port"} in first["places"]


def test_countries_do_not_glue_corridors_together():
    g = network([("A", "country/KZ", "t1"), ("A2", "A", "t1"), ("B", "country/KZ", "t2"), ("B2", "B", "t2"),
                 ("C", "D", "t3", ["KZ"])])
    result = corridors(graph=g)
    groups = sorted(sorted(p["label"] for p in c["places"]) for c in result)
    assert groups == [["A", "A2"], ["B", "B2"], ["C", "D"]]
    assert all(c["ends"] == ["Kazakhstan"] for c in result if "A" in [p["label"] for p in c["places"]])
    assert next(c for c in result if c["places"][0]["label"] in "CD")["crossed"] == ["Kazakhstan"]


def test_cli_whatif_and_corridors_on_the_seeds(runner, seed_store):
    result = runner.invoke(app, ["whatif", "--remove", "Horgos", "--json", "--store", seed_store])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {(r["from"], r["to"]) for r in data["lost"]} == {("Jinhua", "Kazakhstan"), ("Jinhua", "Kyrgyzstan"),
                                                            ("Jinhua", "Uzbekistan")}
    text = runner.invoke(app, ["whatif", "--remove", "Alashankou", "--store", seed_store]).output
    assert "Alashankou is on no reported route" in text
    result = runner.invoke(app, ["corridors", "--json", "--store", seed_store])
    rows = json.loads(result.output)
    assert result.exit_code == 0 and rows
    assert all(p["type"] in ("City", "Port") for c in rows for p in c["places"])
    assert any(c["crossings"] == ["Horgos"] for c in rows)
    assert any("Kazakhstan" in c["crossed"] for c in rows)
