"""Export and import by the names a user gives the files."""

import pytest
from rdflib import Dataset
from rdflib.compare import isomorphic

import kg
from kg.cli import app
from kg.exchange import export, format_of


@pytest.mark.parametrize(
    ("fmt", "name"),
    [("nquads", "kg.nquads"), ("nquads", "kg.nq"), ("turtle", "kg.turtle"), ("turtle", "kg.ttl"),
     ("nt", "kg.nt"), ("nt", "kg.ntriples"), ("trig", "kg.trig"), ("jsonld", "kg.jsonld"),
     ("jsonld", "KG.JSON")],
)
def test_export_then_import_by_file_name(runner, seed_store, tmp_path, fmt, name):
    out = tmp_path / name
    result = runner.invoke(app, ["export", "-f", fmt, "-o", str(out), "--store", seed_store])
    assert result.exit_code == 0, result.output
    store = tmp_path / "store"
    result = runner.invoke(app, ["import", str(out), "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("imported ")
    if fmt in ("nquads", "trig"):  # the named graphs come back as they were
        before, after = Dataset(), Dataset()
        before.parse(data=export(store=seed_store).decode(), format="nquads")
        after.parse(data=export(store=store).decode(), format="nquads")
        assert sorted(str(g.identifier) for g in before.graphs() if len(g)) == \
            sorted(str(g.identifier) for g in after.graphs() if len(g))
        assert all(isomorphic(before.graph(g.identifier), after.graph(g.identifier)) for g in before.graphs())
        assert kg.routes(store=store) == kg.routes(store=seed_store)


def test_unknown_suffix_says_what_to_do(runner, tmp_path):
    f = tmp_path / "graph.rdfx"
    f.write_text("<urn:a> <urn:b> <urn:c> .\n", encoding="utf-8")
    result = runner.invoke(app, ["import", str(f), "--store", str(tmp_path / "s")])
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "graph.rdfx" in lines[0] and "--format" in lines[0] and ".nquads" in lines[0]
    result = runner.invoke(app, ["import", str(f), "--format", "nt", "--store", str(tmp_path / "s")])
    assert result.exit_code == 0, result.output


def test_format_of():
    assert format_of("a/b.NQuads") == "nquads" and format_of("x.turtle") == "turtle"
    with pytest.raises(kg._errors.InputError, match="without a suffix"):
        format_of("graph")
