"""What-if, corridors and plain-English questions, on hand-built graphs and on the seeds."""

import json

import pytest
from test_network import _net

from kg._errors import InputError
from kg.analysis import corridors, whatif
from kg.ask import EXAMPLES, ask
from kg.cli import app


def _trains(g, route, name):
    for a, b in zip(route, route[1:]):
        g.edges[a, b]["trains"] = {name}


def test_whatif_disconnection_and_detour():
    g = _net([("A", "X"), ("X", "D"), ("A", "Y"), ("Y", "Z"), ("Z", "D"), ("B", "X"), ("X", "E")],
             types={"X": "Port"})
    _trains(g, ["A", "X", "D"], "t1")
    _trains(g, ["A", "Y", "Z", "D"], "t2")
    _trains(g, ["B", "X", "E"], "t3")
    result = whatif(["X"], graph=g)
    assert [(r["from"], r["to"]) for r in result.lost] == [("B", "E")]
    assert [(r["from"], r["to"], r["hops_before"], r["hops_after"]) for r in result.longer] == [("A", "D", 2, 3)]
    assert result.centrality_before[0]["label"] == "X"
    assert "X" not in {r["label"] for r in result.centrality_after}


def test_whatif_closing_a_country_closes_its_places():
    g = _net([("A", "Dostyk"), ("Dostyk", "D")], types={"Dostyk": "Port"}, countries={"Dostyk": "KZ"})
    g.add_node("Kazakhstan", label="Kazakhstan", type="Country", country="KZ", lat=None, lon=None, aliases=set())
    _trains(g, ["A", "Dostyk", "D"], "t")
    assert [(r["from"], r["to"]) for r in whatif(["Kazakhstan"], graph=g).lost] == [("A", "D")]


def test_corridors_split_two_separate_networks():
    g = _net([("A", "B"), ("B", "C"), ("A", "C"), ("X", "Y"), ("Y", "Z"), ("X", "Z")], types={"B": "Port"})
    result = corridors(graph=g)
    assert sorted(sorted(c["places"]) for c in result) == [["A", "B", "C"], ["X", "Y", "Z"]]
    assert any(c["crossings"] == ["B"] for c in result)


@pytest.mark.parametrize("question", EXAMPLES)
def test_every_example_question_is_understood(seed_store, question):
    answer = ask(question, store=seed_store)
    assert answer.text and answer.kind


def test_answers_on_the_seeds(seed_store):
    assert ask("Nantong to Hairatan via?", store=seed_store).data[0]["places"] == \
        ["Nantong", "Kazakhstan", "Uzbekistan", "Hairatan"]
    assert set(ask("Where do trains from Jinhua go?", store=seed_store).data) == {"Kazakhstan", "Kyrgyzstan", "Uzbekistan"}
    assert set(ask("Which cargo goes to Kazakhstan?", store=seed_store).data) == {"auto parts", "hardware tools", "textiles"}
    through = ask("What goes through Horgos?", store=seed_store).data
    assert {r["origin"] for r in through} == {"Jinhua"} and len(through) == 3
    assert ask("What goes through Kazakhstan?", store=seed_store).data  # a country as a waypoint


def test_unreadable_question_lists_examples(runner, seed_store):
    with pytest.raises(InputError, match="Nantong to Hairatan"):
        ask("Why is the sky blue?", store=seed_store)
    result = runner.invoke(app, ["ask", "Why is the sky blue?", "--store", seed_store])
    assert result.exit_code == 2 and "questions that work" in result.output


def test_cli_whatif_and_corridors_json(runner, seed_store):
    result = runner.invoke(app, ["whatif", "--remove", "Horgos", "--json", "--store", seed_store])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert {(r["from"], r["to"]) for r in data["lost"]} == {("Jinhua", "Kazakhstan"), ("Jinhua", "Kyrgyzstan"),
                                                            ("Jinhua", "Uzbekistan")}
    result = runner.invoke(app, ["corridors", "--json", "--store", seed_store])
    assert result.exit_code == 0 and json.loads(result.output)
