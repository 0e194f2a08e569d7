"""What the read commands print: tables with headers that fit a terminal, standard SPARQL result
formats, and CSV that reads back."""

from __future__ import annotations

import csv
import fcntl
import io
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD
from rdflib.query import Result

from kg import tables
from kg.cli import app
from kg.tables import Column, render, to_csv

ROOT = Path(__file__).resolve().parent.parent
ESC = re.compile("\x1b")


# -- tables -------------------------------------------------------------------------------------

RECORDS = [{"label": "Horgos [bold]x[/] :smile:", "aliases": ["Khorgos", "Khorgas port"] * 6, "n": 3},
           {"label": "Ürümqi", "aliases": [], "n": None}]
COLUMNS = [Column("label", "place"), Column("aliases", "also called"), Column("n", justify="right")]


def test_a_table_has_a_header_and_fits_the_width_asked():
    text = render(RECORDS, COLUMNS, width=80)
    lines = text.splitlines()
    assert lines[0].split() == ["place", "also", "called", "n"] and set(lines[1]) == {"─"}
    assert max(len(line) for line in lines) <= 80 and not ESC.search(text)
    assert "[bold]x[/] :smile:" in text  # cell text is data, not rich markup or emoji codes


def test_without_a_width_each_row_is_one_line():
    lines = render(RECORDS, COLUMNS).splitlines()
    assert len(lines) == 2 + len(RECORDS) and lines[0].split()[0] == "place" and set(lines[1]) == {"─"}
    assert lines[2].startswith("Horgos") and lines[2].endswith("3") and lines[3].rstrip() == lines[3]


def test_tables_that_fit_are_laid_out_as_rich_draws_them():
    """Tables that fit skip rich (3 ms a row) but must look exactly as rich would draw them."""
    records = [*RECORDS, {"label": "乌鲁木齐", "aliases": ["Ürümqi", "Urumchi"], "n": 12345}]
    fast = render(records, COLUMNS)
    drawn = tables._rich([c.header or c.key for c in COLUMNS],
                         [[c.text(r) for c in COLUMNS] for r in records], COLUMNS, 10_000)
    assert fast == drawn and "乌鲁木齐" in fast


def test_a_long_table_too_wide_for_the_terminal_is_clipped_one_line_a_row():
    records = [{"label": f"place number {i} " * 6, "n": i} for i in range(tables.RICH_ROWS + 1)]
    lines = render(records, [Column("label"), Column("n", justify="right")], width=60).splitlines()
    assert len(lines) == len(records) + 2 and max(len(line) for line in lines) <= 60
    assert lines[2].endswith(" 0") and "…" in lines[2] and lines[-1].endswith(str(tables.RICH_ROWS))


def _in_a_terminal(args: list[str], columns: int = 80) -> str:
    """Run ``kg ARGS`` with its output on a pseudo-terminal ``columns`` wide; what it printed."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {**os.environ, "COLUMNS": str(columns), "TERM": "xterm-256color"}
    env.pop("NO_COLOR", None)
    proc = subprocess.Popen([sys.executable, "-m", "kg", *args], stdout=follower, stderr=follower,
                            stdin=subprocess.DEVNULL, cwd=ROOT, env=env)
    os.close(follower)
    out = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        out += chunk
    assert proc.wait(timeout=120) == 0, out.decode(errors="replace")
    os.close(leader)
    return out.decode("utf-8").replace("\r\n", "\n")


@pytest.mark.parametrize("args", [["places"], ["routes"], ["central", "--metric", "edge-betweenness"],
                                  ["corridors"], ["whatif", "--remove", "Kazakhstan"],
                                  ["query", "SELECT ?t ?e { ?t kgo:evidenceSentence/kgo:text ?e } LIMIT 3"]],
                         ids=lambda a: a[0])
def test_tables_fit_an_80_column_terminal_without_escape_codes(seed_store, args):
    out = _in_a_terminal([*args, "--store", seed_store])
    assert out.strip() and not ESC.search(out)
    assert max(len(line) for line in out.splitlines()) <= 80, out


def test_piped_tables_keep_one_line_per_record(runner, seed_store):
    places = json.loads(runner.invoke(app, ["places", "--json", "--store", seed_store]).output)
    done = subprocess.run([sys.executable, "-m", "kg", "places", "--store", seed_store], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, env={**os.environ, "COLUMNS": "40"})
    lines = done.stdout.splitlines()
    assert done.returncode == 0 and not ESC.search(done.stdout)
    assert lines[0].split()[:4] == ["place", "type", "country", "articles"]
    assert len(lines) == 2 + len(places) + 1 and lines[-1].startswith(f"({len(places)} places: ")
    assert [line.split()[0] for line in lines[2:4]] == [p["label"].split()[0] for p in places[:2]]


def test_rich_is_loaded_only_to_wrap_a_table(seed_store):
    code = ("import sys; from typer.testing import CliRunner; from kg.cli import app; from kg import tables\n"
            f"CliRunner().invoke(app, ['places', '--json', '--store', {seed_store!r}])\n"
            "after_json = any(m.startswith('rich') for m in sys.modules)\n"
            f"CliRunner().invoke(app, ['places', '--store', {seed_store!r}])\n"
            "after_table = 'rich.table' in sys.modules\n"
            "tables.render([{'a': 'too wide for ten columns'}], [tables.Column('a')], width=10)\n"
            "print(after_json, after_table, 'rich.table' in sys.modules)\n")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["False", "False", "True"], done.stderr


# -- kg query: the standard formats --------------------------------------------------------------

TYPED = """SELECT ?iri ?n ?en ?plain ?b ?unbound WHERE {
  BIND(kgo:Train AS ?iri) BIND(5 AS ?n) BIND(STRLANG("Khorgos", "en") AS ?en) BIND("Horgos" AS ?plain)
  BIND(BNODE() AS ?b) OPTIONAL { ?iri kgo:noSuchProperty ?unbound } }"""


def _query(runner, seed_store, query: str, *fmt: str):
    result = runner.invoke(app, ["query", query, *fmt, "--store", seed_store])
    assert result.exit_code == 0, result.output
    return result.output


def test_select_json_is_sparql_results_json_with_types(runner, seed_store):
    data = json.loads(_query(runner, seed_store, TYPED, "--format", "json"))
    assert data["head"]["vars"] == ["iri", "n", "en", "plain", "b", "unbound"]
    (row,) = data["results"]["bindings"]
    assert row["iri"] == {"type": "uri", "value": "https://w3id.org/freight-kg/ontology#Train"}
    assert row["n"] == {"type": "literal", "value": "5", "datatype": str(XSD.integer)}
    assert row["en"] == {"type": "literal", "value": "Khorgos", "xml:lang": "en"}
    assert row["plain"] == {"type": "literal", "value": "Horgos"}
    assert row["b"]["type"] == "bnode" and "unbound" not in row
    # and a SPARQL client library reads it back as the same terms
    parsed = Result.parse(io.StringIO(json.dumps(data)), format="json")
    (back,) = list(parsed)
    assert back["iri"] == URIRef("https://w3id.org/freight-kg/ontology#Train") and back["n"] == Literal(5)
    assert back["en"] == Literal("Khorgos", lang="en") and isinstance(back["b"], BNode)


def test_select_xml_and_tsv_read_back(runner, seed_store):
    for fmt in ("xml", "tsv"):
        parsed = Result.parse(io.StringIO(_query(runner, seed_store, TYPED, "--format", fmt)), format=fmt)
        (back,) = list(parsed)
        assert [str(v) for v in parsed.vars] == ["iri", "n", "en", "plain", "b", "unbound"], fmt
        assert back["n"] == Literal(5) and back["en"] == Literal("Khorgos", lang="en"), fmt
        assert back["plain"] == Literal("Horgos") and back["unbound"] is None, fmt


def test_select_csv_and_records(runner, seed_store):
    rows = list(csv.reader(io.StringIO(_query(runner, seed_store, "documents", "--format", "csv"))))
    records = json.loads(_query(runner, seed_store, "documents", "--format", "records"))
    assert rows[0] == list(records[0]) and len(rows) == len(records) + 1 > 1
    assert [int(r[rows[0].index("trains")]) for r in rows[1:]] == [r["trains"] for r in records]


def test_ask_in_each_format(runner, seed_store):
    assert json.loads(_query(runner, seed_store, "ASK { ?t a kgo:Train }", "-f", "json")) == \
        {"head": {}, "boolean": True}
    assert json.loads(_query(runner, seed_store, "ASK { ?t a kgo:NoSuchClass }", "-f", "json")) == \
        {"head": {}, "boolean": False}
    xml = _query(runner, seed_store, "ASK { ?t a kgo:Train }", "-f", "xml")
    assert Result.parse(io.StringIO(xml), format="xml").askAnswer is True
    assert _query(runner, seed_store, "ASK { ?t a kgo:Train }").strip() == "true"


CONSTRUCT = "CONSTRUCT { ?p rdfs:label ?l ; a kgo:Port } WHERE { ?p a kgo:Port ; rdfs:label ?l }"


def test_construct_gives_rdf(runner, seed_store):
    turtle = _query(runner, seed_store, CONSTRUCT)
    assert "@prefix kgo:" in turtle
    graphs = {"turtle": Graph().parse(data=turtle, format="turtle")}
    for fmt, parser in (("nt", "nt"), ("xml", "xml"), ("jsonld", "json-ld")):
        graphs[fmt] = Graph().parse(data=_query(runner, seed_store, CONSTRUCT, "-f", fmt), format=parser)
    assert len(graphs["turtle"]) > 0 and all(isomorphic(graphs["turtle"], g) for g in graphs.values())
    assert (None, None, Literal("Horgos")) in graphs["turtle"]  # a plain string stays a plain string
    doc = json.loads(_query(runner, seed_store, CONSTRUCT, "-f", "jsonld"))
    assert doc["@context"]["kgo"] == "https://w3id.org/freight-kg/ontology#"
    ids = [node["@id"] for node in doc["@graph"]]
    assert ids and all(i.startswith("kgr:") for i in ids), ids[:3]  # compacted like the export
    rows = json.loads(_query(runner, seed_store, CONSTRUCT, "-f", "records"))
    assert rows and set(rows[0]) == {"subject", "predicate", "object"}


def test_a_format_that_does_not_fit_the_result_is_one_line(runner, seed_store):
    result = runner.invoke(app, ["query", CONSTRUCT, "-f", "tsv", "--store", seed_store])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1 and "turtle" in lines[0] and "tsv" in lines[0]
    result = runner.invoke(app, ["query", "documents", "-f", "turtle", "--store", seed_store])
    assert result.exit_code == 2 and "records" in result.output


# -- CSV of the records --------------------------------------------------------------------------

def test_to_csv_quotes_and_joins_lists():
    text = to_csv([{"a": 'say "hi", then\nbye', "b": ["x", "y"], "c": None, "d": True},
                   {"a": "plain", "b": [], "e": 1.5}])
    rows = list(csv.reader(io.StringIO(text)))
    assert rows == [["a", "b", "c", "d", "e"], ['say "hi", then\nbye', "x; y", "", "true", ""],
                    ["plain", "", "", "", "1.5"]]


def _csv(runner, seed_store, *args: str) -> list[dict[str, str]]:
    result = runner.invoke(app, [*args, "--format", "csv", "--store", seed_store])
    assert result.exit_code == 0, result.output
    return list(csv.DictReader(io.StringIO(result.output)))


def _json(runner, seed_store, *args: str):
    result = runner.invoke(app, [*args, "--format", "json", "--store", seed_store])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_routes_and_places_csv_read_back_as_their_json(runner, seed_store):
    for command, lists in (("routes", ("via", "cargo", "destinations")), ("places", ("aliases",))):
        rows, records = _csv(runner, seed_store, command), _json(runner, seed_store, command)
        assert len(rows) == len(records) > 0 and list(rows[0]) == list(records[0]), command
        for row, record in zip(rows, records, strict=True):
            for key in lists:
                assert (row[key].split("; ") if row[key] else []) == record[key], (command, key)
            if "sources" in record:  # CSV names each source; JSON gives its sentence and URL too
                assert row["sources"].split("; ") == [s["name"] for s in record["sources"]]
            assert all(row[k] == ("" if v is None else str(v)) for k, v in record.items()
                       if k not in lists and k != "sources")
    assert any(len(r["aliases"].split("; ")) > 1 for r in _csv(runner, seed_store, "places"))


def test_central_csv_names_the_metric_of_each_row(runner, seed_store):
    rows = _csv(runner, seed_store, "central", "--type", "Port", "--type", "Country")
    records = _json(runner, seed_store, "central", "--type", "Port", "--type", "Country")
    assert list(rows[0])[:6] == ["rank", "label", "type", "country", "metric", "score"]
    assert "trains" in rows[0]
    assert [(r["label"], r["metric"], float(r["score"])) for r in rows] == \
        [(r["label"], r["metric"], float(r["score"])) for r in records]
    assert {r["metric"] for r in rows} == {"betweenness", "legs crossing"} and rows[0]["rank"] == "1"


def test_corridors_and_whatif_csv(runner, seed_store):
    rows, records = _csv(runner, seed_store, "corridors"), _json(runner, seed_store, "corridors")
    assert [r["places"].split("; ") for r in rows] == [[p["label"] for p in c["places"]] for c in records]
    assert [int(r["corridor"]) for r in rows] == list(range(1, len(records) + 1))
    rows = _csv(runner, seed_store, "whatif", "--remove", "Horgos")
    lost = _json(runner, seed_store, "whatif", "--remove", "Horgos")["lost"]
    assert [(r["change"], r["from"], r["to"], r["path_before"].split("; ")) for r in rows] == \
        [("lost", r["from"], r["to"], r["path_before"]) for r in lost] and rows


def test_an_unknown_listing_format_is_one_line(runner, seed_store):
    result = runner.invoke(app, ["places", "--format", "xlsx", "--store", seed_store])
    assert result.exit_code == 2 and result.output.strip().splitlines() == [
        "kg: error: unknown format 'xlsx': use table, csv, json"]
