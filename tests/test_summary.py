"""The summary graph stays what a full recomputation gives, after every add, replace, remove and import."""

import shutil

import pyoxigraph as ox
import pytest
from conftest import ROOT, SEEDS

import kg
from kg.exchange import export, import_file
from kg.store import open_store
from kg.summary import PENDING_GRAPH, SUMMARY_GRAPH

BEFORE = ROOT / "tests" / "data" / "queries_before"


def _sorted(rows) -> list[tuple]:
    return sorted(tuple("" if v is None else str(v) for v in r) for r in rows)


def _summary(store) -> set[str]:
    st = ox.Store.read_only(str(store))
    return {str(q.triple) for q in st.quads_for_pattern(None, None, None, ox.NamedNode(str(SUMMARY_GRAPH)))}


def _rebuilt(store, tmp_path) -> set[str]:
    """The summary a full recomputation gives, on a copy of the store."""
    copy = tmp_path / f"rebuilt-{len(list(tmp_path.iterdir()))}"
    shutil.copytree(store, copy)
    with open_store(copy) as st:
        st.rebuild_summary()
    return _summary(copy)


def _assert_right(store, tmp_path) -> None:
    kept = _summary(store)
    assert kept, "the store has a summary"
    assert kept == _rebuilt(store, tmp_path)
    st = ox.Store.read_only(str(store))
    assert not st.contains_named_graph(ox.NamedNode(str(PENDING_GRAPH))), "no marks are left"


@pytest.fixture()
def built(tmp_path):
    """The seeds built one article at a time into a fresh store (each write kept the summary)."""
    folder = tmp_path / "articles"
    shutil.copytree(SEEDS, folder)
    store = tmp_path / "store"
    for path in sorted(folder.glob("*.txt")):
        kg.build([path], store=store)
    return folder, store


def test_summary_after_adding_articles_one_by_one(built, tmp_path):
    _, store = built
    _assert_right(store, tmp_path)
    rows = {r[0]: r[5] for r in kg.query("documents", store=store).rows}
    counted = {r[0]: r[1] for r in kg.query(
        "SELECT ?n (COUNT(DISTINCT ?t) AS ?c) WHERE { ?d kgo:fileName ?n . OPTIONAL { ?t a kgo:Train ; "
        "kgo:sourceDocument ?d } } GROUP BY ?n", store=store).rows}
    assert rows == counted and sum(rows.values()) >= 8


def test_summary_after_removing_an_article(built, tmp_path):
    folder, store = built
    names = sorted(p.name for p in folder.glob("*.txt"))
    before = kg.query("busiest_transit_points", store=store).rows
    assert kg.remove([names[0]], store=store) == [names[0]]
    _assert_right(store, tmp_path)
    for name in ("busiest_transit_points", "countries_crossed", "cargo_by_destination_country", "supporting_articles"):
        old = kg.query(str(BEFORE / f"{name}.rq"), store=store)
        new = kg.query(name, store=store)
        assert _sorted(new.rows) == _sorted(old.rows), name
    assert kg.query("busiest_transit_points", store=store).rows != before, "the counts changed with it"
    for rest in names[1:]:
        kg.remove([rest], store=store)
    with open_store(store, read_only=True) as st:
        assert st.count()["trains"] == 0
    assert not kg.query("routes_from", store=store).rows
    assert not kg.query("busiest_transit_points", store=store).rows


def test_summary_after_replacing_an_edited_article(built, tmp_path):
    folder, store = built
    path = sorted(folder.glob("*.txt"))[0]
    text = path.read_text(encoding="utf-8")
    path.write_text(text[: len(text) // 2], encoding="utf-8")  # half the article: fewer facts
    summary = kg.build([path], store=store)
    assert summary.extracted == 1
    _assert_right(store, tmp_path)
    old = kg.query(str(BEFORE / "routes_from.rq"), store=store).rows
    assert _sorted(kg.query("routes_from", store=store).rows) == _sorted(old)


@pytest.mark.parametrize("bulk", [True, False])
def test_summary_after_import_into_an_empty_and_a_full_store(seed_store, tmp_path, bulk):
    dump = tmp_path / "kg.nq"
    dump.write_bytes(export(store=seed_store))
    store = tmp_path / "store"
    import_file(dump, store=store, bulk=bulk)
    assert _summary(store) == _summary(seed_store)
    _assert_right(store, tmp_path)
    # the same file again, with the summary graph edited: kg computes its own
    lines = [ln for ln in dump.read_text(encoding="utf-8").splitlines()
             if "graph/summary>" not in ln or "transitTrains" not in ln]
    edited = tmp_path / "edited.nq"
    edited.write_text("\n".join(lines) + "\n", encoding="utf-8")
    import_file(edited, store=store, bulk=bulk)
    assert _summary(store) == _summary(seed_store)


def test_a_store_without_summary_gets_one_from_kg_summary_or_a_write(seed_store, tmp_path, runner):
    from kg.cli import app

    store = tmp_path / "old"
    shutil.copytree(seed_store, store)
    ox.Store(str(store)).remove_graph(ox.NamedNode(str(SUMMARY_GRAPH)))  # as a store made before it
    assert not _summary(store)
    result = runner.invoke(app, ["summary", "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert _summary(store) == _summary(seed_store)
    ox.Store(str(store)).remove_graph(ox.NamedNode(str(SUMMARY_GRAPH)))
    with open_store(store) as st:  # any command that writes computes it first
        assert st.has_summary()
    assert _summary(store) == _summary(seed_store)


def test_the_summary_graph_cannot_be_written_as_an_article(seed_store, tmp_path):
    from rdflib import Graph

    from kg._errors import StoreError

    store = tmp_path / "s"
    shutil.copytree(seed_store, store)
    with open_store(store) as st, pytest.raises(StoreError, match="kg summary"):
        st.replace_graph(SUMMARY_GRAPH, Graph())


def test_a_build_recounts_the_summary_once_at_its_end_and_gets_the_same(built, tmp_path):
    folder, one_by_one = built
    store = tmp_path / "at-once"
    kg.build([folder], store=store)
    _assert_right(store, tmp_path)
    assert _summary(store) == _summary(one_by_one)


def test_marks_left_by_a_cut_off_build_are_finished_by_the_next_writable_open(seed_store, tmp_path):
    from rdflib import Graph, Literal, URIRef

    from kg.rdf import KGO

    store = tmp_path / "store"
    shutil.copytree(seed_store, store)
    with open_store(store) as st:
        deferring = st.deferred_summary()
        deferring.__enter__()  # a build that never reaches its end
        g = Graph()
        doc = URIRef("https://w3id.org/freight-kg/resource/doc/cut-off")
        g.add((doc, KGO.fileName, Literal("cut-off.txt")))
        st.replace_graph(doc, g)
        assert st.has_pending(), "the write marked its nodes"
    with open_store(store, read_only=True) as st:
        assert st.has_pending(), "a reader does not write"
    with open_store(store):
        pass
    _assert_right(store, tmp_path)


def test_a_new_graph_written_in_a_build_goes_in_as_quads_equal_to_the_update(tmp_path):
    """``new`` under a deferred summary takes ``Store.extend``: the same quads and marks as the update."""
    from rdflib import XSD, Graph, Literal, URIRef

    from kg.rdf import KGO, KGR

    doc, place = KGR["doc/q"], KGR["place/geonames/1"]
    g, shared = Graph(), Graph()
    g.add((doc, KGO.fileName, Literal('a "quoted"\nname.txt')))
    g.add((doc, KGO.mentions, place))
    g.add((place, KGO.label, Literal("Łódź", lang="pl")))
    g.add((doc, KGO.wordCount, Literal(12, datatype=XSD.integer)))
    shared.add((place, KGO.countryCode, Literal("PL")))

    def written(new: bool) -> tuple[set[str], set[str]]:
        store = tmp_path / f"new-{new}"
        with open_store(store) as st:
            with st.deferred_summary():
                st.replace_graph(doc, g, shared=shared, new=new)
                quads = {str(q) for q in st.ox}  # with the marks, before the summary is recounted
            assert not st.has_pending()
        return quads, _summary(store)

    extended, updated = written(True), written(False)
    assert extended == updated
    quads = extended[0]
    assert any(str(PENDING_GRAPH) in q and "summaryPending" in q for q in quads)


def test_summary_after_renaming_a_document(built, tmp_path):
    """A renamed file's trains are listed under its new name (their kgo:documentName is recomputed)."""
    folder, store = built
    old = sorted(p.name for p in folder.glob("*.txt"))[0]
    with open_store(store) as st:
        (doc,) = st.find_documents(old)
        st.rename_document(doc, "renamed.txt")
    _assert_right(store, tmp_path)
    listed = {str(r[3]) for r in kg.query("routes_from", store=store).rows}
    assert any("renamed.txt" in n for n in listed) and not any(old in n for n in listed), listed


def test_document_names_are_kept_on_trains_only(built):
    """Sentences name their document too (kgo:sourceDocument); the summary's file names are the trains'."""
    _, store = built
    st = ox.Store.read_only(str(store))
    named = {q.subject for q in st.quads_for_pattern(
        None, ox.NamedNode("https://w3id.org/freight-kg/ontology#documentName"), None, ox.NamedNode(str(SUMMARY_GRAPH)))}
    trains = {q.subject for q in st.quads_for_pattern(
        None, ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"),
        ox.NamedNode("https://w3id.org/freight-kg/ontology#Train"), None)}
    assert named and named == trains


def test_a_recount_cut_off_half_way_is_finished_by_the_next_writable_open(built, tmp_path, monkeypatch):
    """The recount's operations commit one by one; the marks are dropped last, so none are lost."""
    from kg.store import GraphStore
    from kg.summary import finish_operations

    folder, store = built
    path = sorted(folder.glob("*.txt"))[0]
    path.write_text(path.read_text(encoding="utf-8")[:400], encoding="utf-8")  # an edit: fewer facts
    real, first, recount = GraphStore.update, finish_operations()[0], []

    def failing(self, sparql):
        if sparql == first or recount:
            recount.append(sparql)
        if len(recount) == 4:
            raise OSError("cut off")
        return real(self, sparql)

    monkeypatch.setattr(GraphStore, "update", failing)
    with pytest.raises(Exception, match="cut off"):
        kg.build([path], store=store)
    monkeypatch.setattr(GraphStore, "update", real)
    assert len(recount) == 4, "the recount ran as separate operations, cut off at the fourth"
    with open_store(store, read_only=True) as st:
        assert st.has_pending(), "the marks outlive a recount cut off half way"
    with open_store(store):
        pass
    _assert_right(store, tmp_path)
