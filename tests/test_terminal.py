"""Text from the store never reaches the terminal raw: no escape sequence, no carriage return."""

import json
import re
from pathlib import Path

import pytest

from kg.cli import app
from kg.exchange import export, import_file
from kg.terminal import clean

RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# N-Quads escapes: clear screen + retitle the window, colour + 8-bit CSI cursor move + carriage return
CLEAR_AND_TITLE = r"\u001B[2J\u001B]0;owned\u0007"
COLOUR_AND_CR = r"\u001B[31m\u009B1;1H\r\u202E"


@pytest.fixture(scope="module")
def hostile_store(seed_store, tmp_path_factory) -> str:
    """The seed graph with escape sequences in a label, every sentence and every file name."""
    quads = export(fmt="nquads", store=seed_store).decode("utf-8")
    quads = quads.replace('"Uzbekistan"', f'"Uzbek{CLEAR_AND_TITLE}istan"')
    quads = quads.replace(" train ", f" train{COLOUR_AND_CR} ")  # spaces: only in literals
    quads = quads.replace('.txt" ', f'.txt{CLEAR_AND_TITLE}" ')  # kgo:fileName values
    folder = tmp_path_factory.mktemp("hostile")
    (folder / "hostile.nq").write_text(quads, encoding="utf-8")
    store = str(folder / "store")
    import_file(folder / "hostile.nq", store=store)
    return store


COMMANDS = [
    ["routes"],
    ["places"],
    ["path", "Nantong", "Hairatan"],
    ["ask", "Nantong to Hairatan via?"],
    ["ask", "What goes through Kazakhstan?"],
    ["query", "SELECT DISTINCT ?l WHERE { ?s rdfs:label ?l } ORDER BY ?l"],
    ["query", "SELECT DISTINCT ?e WHERE { ?s kgo:evidenceSentence/kgo:text ?e }", "--format", "csv"],
    ["query", "documents"],
    ["central", "--top", "50"],
    ["whatif", "--remove", "Kazakhstan"],
    ["corridors"],
]


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_text_output_has_no_control_characters(runner, hostile_store, args):
    result = runner.invoke(app, [*args, "--store", hostile_store])
    assert result.exit_code == 0, result.output
    assert result.output.strip()
    assert not RAW.findall(result.output), sorted(set(RAW.findall(result.output)))


def _strings(data):
    if isinstance(data, str):
        yield data
    elif isinstance(data, dict):
        for v in data.values():
            yield from _strings(v)
    elif isinstance(data, list):
        for v in data:
            yield from _strings(v)


def test_the_store_really_holds_the_escapes(runner, hostile_store):
    """JSON output keeps the data exact (escaped, never raw), which also proves the fixture is hostile."""
    for args in (["routes", "--json"], ["places", "--json"], ["path", "Nantong", "Hairatan", "--json"],
                 ["query", "SELECT ?e WHERE { ?s kgo:evidenceSentence/kgo:text ?e }", "--format", "json"]):
        result = runner.invoke(app, [*args, "--store", hostile_store])
        assert result.exit_code == 0, result.output
        assert not RAW.findall(result.output)
        assert any("\x1b" in s for s in _strings(json.loads(result.output))), args


def test_cleaned_lines_read_as_the_text_did(runner, hostile_store):
    out = runner.invoke(app, ["path", "Nantong", "Hairatan", "--store", hostile_store]).output
    assert "Nantong -> Hairatan, crossing Kazakhstan, Uzbekistan" in out
    assert "owned" not in out and "[2J" not in out and "[31m" not in out


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("a\x1b[2Jb", "ab"),
        ("a\x1b]0;title\x07b", "ab"),
        ("a\x1b]2;title\x1b\\b", "ab"),
        ("a\x1b[1;31mred\x1b[0m", "ared"),
        ("a\x9b2Jb\rc", "a2Jbc"),
        ("tab\tand\nnewline", "tab\tand\nnewline"),
        ("Hairatan \u202egnp.exe", "Hairatan gnp.exe"),
        ("Łódź → Málaszewicze", "Łódź → Málaszewicze"),
        ("a\x1b", "a"),
        ("a\x1b]0;no end\nnext", "a\nnext"),
    ],
)
def test_clean(raw, shown):
    assert clean(raw) == shown


def test_clean_escape_keeps_json_exact():
    data = {"s": "x\x7f\x9b\u202e y"}
    text = clean(json.dumps(data, ensure_ascii=False), escape=True)
    assert not RAW.findall(text) and json.loads(text) == data


def test_every_print_in_the_cli_goes_through_the_cleaner():
    source = (Path(__file__).resolve().parent.parent / "kg" / "cli.py").read_text(encoding="utf-8")
    raw_prints = [ln.strip() for ln in source.splitlines()
                  if re.search(r"\b(typer|click)\.echo\(|\bprint\(|sys\.stdout\.write\(", ln)]
    assert raw_prints == ["typer.echo(clean(text, escape=escape), err=err)"], raw_prints
