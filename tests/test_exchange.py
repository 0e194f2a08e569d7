"""Export and import by the names a user gives the files."""

import pytest
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

import kg
from kg.cli import app
from kg.exchange import export, format_of, import_file


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


@pytest.mark.parametrize("fmt", ["turtle", "trig", "nquads", "jsonld"])
def test_text_with_invisible_characters_exports_and_imports_back(tmp_path, fmt):
    """Cargo ending in a zero-width joiner and a full stop once minted an IRI Turtle could not read back."""
    article = tmp_path / "odd.txt."
    article.write_text("A freight train carrying daily necessities\u200d. left Xi'an for Budapest.", encoding="utf-8")
    store = tmp_path / "store"
    kg.build([article], store=store)
    data = export(fmt=fmt, store=store)
    assert "\u200d" not in data.decode("utf-8")
    out = tmp_path / f"kg.{fmt}"
    out.write_bytes(data)
    again = tmp_path / "again"
    import_file(out, store=again)
    before, after = Dataset(), Dataset()
    before.parse(data=export(store=store).decode(), format="nquads")
    after.parse(data=export(store=again).decode(), format="nquads")
    if fmt == "turtle":  # one graph: the union comes back
        union_before, union_after = Graph(), Graph()
        for s_, p_, o_, _ in before.quads((None, None, None, None)):
            union_before.add((s_, p_, o_))
        for s_, p_, o_, _ in after.quads((None, None, None, None)):
            union_after.add((s_, p_, o_))
        assert len(union_before) > 0 and isomorphic(union_before, union_after)
        return
    names = sorted(str(g.identifier) for g in before.graphs() if len(g))
    assert names and names == sorted(str(g.identifier) for g in after.graphs() if len(g))
    assert all(isomorphic(before.graph(g.identifier), after.graph(g.identifier)) for g in before.graphs())


def _quads(store) -> set[str]:
    return set(export(store=store).decode().splitlines())


@pytest.mark.parametrize("fmt", ["nquads", "trig", "turtle", "jsonld"])
def test_bulk_import_loads_what_the_graph_by_graph_import_loads(seed_store, tmp_path, fmt):
    out = tmp_path / f"kg.{ {'nquads': 'nq', 'trig': 'trig', 'turtle': 'ttl', 'jsonld': 'jsonld'}[fmt]}"
    out.write_bytes(export(fmt=fmt, store=seed_store))
    slow = import_file(out, store=tmp_path / "slow", bulk=False)
    fast = import_file(out, store=tmp_path / "fast", bulk=True)
    assert fast == slow and sum(fast.values()) > 800
    if fmt != "jsonld":  # blank node labels differ between the two loaders
        assert _quads(tmp_path / "fast") == _quads(tmp_path / "slow")
    assert kg.routes(store=tmp_path / "fast") == kg.routes(store=tmp_path / "slow")


def test_bulk_import_into_a_store_replaces_the_graphs_the_file_holds_and_keeps_the_others(seed_store,
                                                                                           tmp_path):
    full = tmp_path / "kg.nq"
    full.write_bytes(export(store=seed_store))
    store = tmp_path / "store"
    import_file(full, store=store, bulk=True)
    before = _quads(store)
    # article 000's graph (named by its document IRI, which comes from its URL or text)
    graph = next(line.rsplit(" ", 2)[-2] for line in before if "fileName" in line and '"000_' in line)
    one = [line for line in before if line.rsplit(" ", 2)[-2] == graph]
    assert one, "the seed export names article 000"
    edited = tmp_path / "one.nq"  # article 000 again, with one fact less
    edited.write_text("\n".join(sorted(one)[1:]) + "\n", encoding="utf-8")
    counts = import_file(edited, store=store, bulk=True)
    assert list(counts) == [one[0].rsplit(" ", 2)[-2][1:-1]]
    assert _quads(store) == before - {sorted(one)[0]}
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".store")], "no staging folders left"


@pytest.mark.parametrize("bulk", [True, False])
def test_a_file_that_does_not_parse_leaves_the_store_untouched(runner, seed_store, tmp_path, bulk,
                                                              monkeypatch):
    store = tmp_path / "store"
    good = tmp_path / "kg.nq"
    good.write_bytes(export(store=seed_store))
    import_file(good, store=store)
    before = _quads(store)
    bad = tmp_path / "bad.nq"
    bad.write_text(good.read_text(encoding="utf-8").replace("000_", "999_") + '<a:x> <a:y> "open .\n',
                   encoding="utf-8")
    monkeypatch.setattr(kg.settings, "bulk_import_bytes", 0 if bulk else 10**12)
    result = runner.invoke(app, ["import", str(bad), "--store", str(store)])
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "bad.nq" in lines[0] and "not valid nquads" in lines[0], result.output
    assert _quads(store) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".store")]
