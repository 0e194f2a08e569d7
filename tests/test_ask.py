"""kg ask: questions in any wording (tests/data/questions.json), answers on the seeds, and what it says when it cannot tell."""

import copy
import json

import pytest
from conftest import ROOT

from kg._errors import InputError
from kg.ask import EXAMPLES, KINDS, ask, name_index, read_question
from kg.cli import app

QUESTIONS = json.loads((ROOT / "tests" / "data" / "questions.json").read_text(encoding="utf-8"))["questions"]


def test_the_paraphrase_file_covers_every_kind():
    assert len(QUESTIONS) >= 40
    assert {q["kind"] for q in QUESTIONS} == set(KINDS)
    assert len({q["question"] for q in QUESTIONS}) == len(QUESTIONS)


@pytest.fixture(scope="module")
def index(seed_network):
    return name_index(seed_network)


@pytest.mark.parametrize("case", QUESTIONS, ids=[q["question"] for q in QUESTIONS])
def test_paraphrase_is_read_as_its_kind_and_places(seed_network, index, case):
    reading = read_question(case["question"], seed_network, index=index)
    assert (reading.kind, reading.places) == (case["kind"], case["places"]), reading.scores


@pytest.mark.parametrize("question", EXAMPLES)
def test_every_example_question_is_answered(seed_store, question):
    answer = ask(question, store=seed_store)
    assert answer.text and answer.kind in KINDS


def test_roles_come_from_the_wording(seed_network, index):
    r = read_question("Can goods go from Nantong to Hairatan avoiding Uzbekistan?", seed_network, index=index)
    assert [s.role for s in r.spans] == ["origin", "destination", "avoid"]
    r = read_question("the Nantong-Hairatan train", seed_network, index=index)
    assert [s.role for s in r.spans] == ["origin", "destination"]
    r = read_question("Close Horgos and Alashankou: what breaks?", seed_network, index=index)
    assert [s.role for s in r.spans] == ["removed", "removed"]


def test_answers_on_the_seeds(seed_store):
    path = ask("Nantong → Hairatan", store=seed_store)
    assert path.data[0]["places"] == ["Nantong", "Hairatan"]
    assert path.text[0].startswith("Nantong -> Hairatan, crossing Kazakhstan, Uzbekistan")
    assert "through Kazakhstan and Uzbekistan" in path.text[1]  # the leg's sentence
    assert set(ask("Where do trains from Jinhua go?", store=seed_store).data) == {"Kazakhstan", "Kyrgyzstan", "Uzbekistan"}
    assert set(ask("Which cargo goes to Kazakhstan?", store=seed_store).data) == {"auto parts", "hardware tools", "textiles"}
    through = ask("which routes pass Horgos", store=seed_store)
    assert [r["origin"] for r in through.data] == ["Jinhua"]  # one train with three destinations
    assert through.text[0].startswith("1 train on 3 routes")
    assert ask("What arrives in Duisburg?", store=seed_store).data == ["Chongqing"]


def test_through_a_country_counts_like_the_shipped_query(seed_store):
    import kg

    rows = kg.query("trains_through", store=seed_store, bindings={"place": "Kazakhstan"}).records()
    answer = ask("Which trains go through Kazakhstan?", store=seed_store)
    assert len(answer.data) == len({(r["origin"], r["document"]) for r in rows}) == 2
    assert {r["origin"] for r in answer.data} == {"Chongqing", "Nantong"}


def test_counting_is_honest(seed_store):
    answer = ask("How many trains go to Germany?", store=seed_store)
    assert answer.kind == "count" and answer.places == ["Germany"]
    assert answer.data["trains"] == answer.data["routes"] == 3
    horgos = ask("how many trains pass through Horgos?", store=seed_store).data
    assert (horgos["trains"], horgos["routes"]) == (1, 3)
    assert ask("How many legs cross Kazakhstan?", store=seed_store).data == {"legs": 2}


def test_what_if_and_chokepoints(seed_store):
    answer = ask("what if Alashankou closes?", store=seed_store)
    assert answer.kind == "whatif" and "on no reported route" in answer.text[1]
    answer = ask("which border crossing is most important?", store=seed_store)
    assert answer.data[0]["label"] == "Horgos" and all(r["type"] == "Port" for r in answer.data)
    countries = ask("which countries are crossed most?", store=seed_store)
    assert countries.data[0]["label"] == "Kazakhstan"


def test_unreadable_questions_say_what_was_not_read(runner, seed_store):
    with pytest.raises(InputError, match="found no question word kg knows and no place"):
        ask("Why is the sky blue?", store=seed_store)
    with pytest.raises(InputError, match=r"could not read 'Zhengzou' as a place in the graph \(closest: Zhengzhou\).*"
                                         r"'Where do trains from Zhengzhou go\?'"):
        ask("routes from Zhengzou", store=seed_store)
    with pytest.raises(InputError, match="path question, which needs 2 places, but found 1 \\(Nantong\\)"):
        ask("Nantong to Atlantis", store=seed_store)
    result = runner.invoke(app, ["ask", "what goes through", "--store", seed_store])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "Closest question kg can answer: 'What goes through Horgos?'" in result.output


def test_ask_whatif_and_corridors_do_not_import_spacy(seed_store):
    import subprocess
    import sys

    code = ("import sys\nfrom typer.testing import CliRunner\nfrom kg.cli import app\n"
            f"store = {seed_store!r}\n"
            "for args in (['ask', 'how many trains go to Germany?'], ['whatif', '--remove', 'Horgos'], ['corridors'],\n"
            "             ['path', 'China', 'Germany']):\n"
            "    res = CliRunner().invoke(app, args + ['--store', store])\n"
            "    assert res.exit_code == 0, (args, res.output)\n"
            "print('spacy' in sys.modules)\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "False"


def test_two_letter_words_are_not_country_codes(seed_network, index):
    r = read_question("IS Duisburg reachable from Chongqing?", seed_network, index=index)
    assert (r.kind, r.places) == ("path", ["Duisburg", "Chongqing"])
    assert read_question("what goes through KZ", seed_network, index=index).places == ["Kazakhstan"]


def test_when_answers_are_only_as_precise_as_the_text(seed_network):
    """A train dated to a month is "in March 2021", not the 1st of March; a year is just the year."""
    g = copy.deepcopy(seed_network)
    trains = [t for t, i in g.graph["trains"].items() if g.nodes.get(i["origin"], {}).get("label") == "Nantong"]
    assert trains, "the seeds report a train from Nantong"
    for t in trains:
        g.graph["trains"][t].update(date="2021-03-01", date_precision="month")
    out = ask("When did trains from Nantong leave?", graph=g)
    assert out.kind == "when"
    text = "\n".join(out.text)
    assert "departed in March 2021" in text and "2021-03-01" not in text
    assert all(r["date_precision"] == "month" for r in out.data)
    for t in trains:
        g.graph["trains"][t].update(date="2021-01-01", date_precision="year")
    assert "departed in 2021" in "\n".join(ask("When did trains from Nantong leave?", graph=g).text)
