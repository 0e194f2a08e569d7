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


def test_kg_summary_one_operation_at_a_time_equals_the_one_update(seed_store, tmp_path):
    """``rebuild_summary`` runs the operations as separate updates; they write what one update does."""
    from kg.summary import rebuild_update

    store = tmp_path / "one"
    shutil.copytree(seed_store, store)
    ox.Store(str(store)).remove_graph(ox.NamedNode(str(SUMMARY_GRAPH)))
    with open_store(store) as st:
        st.update(rebuild_update())
    one = _summary(store)
    ox.Store(str(store)).remove_graph(ox.NamedNode(str(SUMMARY_GRAPH)))
    with open_store(store) as st:
        st.rebuild_summary()
        assert not st.has_pending(), "the whole mark is dropped at the end"
    assert one and _summary(store) == one


def test_kg_summary_cut_off_half_way_is_finished_by_the_next_writable_open(seed_store, tmp_path, monkeypatch):
    """The whole mark goes in before the operations, so a rebuild cut off keeps it."""
    from kg.summary import rebuild_operations

    store = tmp_path / "cut"
    shutil.copytree(seed_store, store)
    recount = _cut_off_at_fourth(monkeypatch, rebuild_operations()[0])
    with open_store(store) as st, pytest.raises(Exception, match="cut off"):
        st.rebuild_summary()
    _assert_finished_by_the_next_open(monkeypatch, store, tmp_path, recount, whole=True)
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


@pytest.mark.parametrize("first", [True, False])
def test_a_new_graph_written_in_a_build_goes_in_as_quads_equal_to_the_update(tmp_path, first):
    """``new`` under a deferred summary takes ``Store.extend``: the same quads and marks as the update.

    ``first``: into an empty store (one whole mark), else into a store holding one article.
    """
    from rdflib import XSD, Graph, Literal

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
            if not first:
                st.replace_graph(*_article("before", "2", "Brest"))
            with st.deferred_summary():
                st.replace_graph(doc, g, shared=shared, new=new)
                quads = {str(q) for q in st.ox}  # with the marks, before the summary is recounted
            assert not st.has_pending()
        return quads, _summary(store)

    extended, updated = written(True), written(False)
    assert extended == updated
    marks = [q for q in extended[0] if str(PENDING_GRAPH) in q and "summaryPending" in q]
    assert len(marks) == 1 if first else len(marks) > 1


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


def _cut_off_at_fourth(monkeypatch, first: str) -> list[str]:
    """Make the store's updates fail at the fourth operation from ``first`` on; the operations run."""
    from kg.store import GraphStore

    real, recount = GraphStore.update, []

    def failing(self, sparql):
        if sparql == first or recount:
            recount.append(sparql)
        if len(recount) == 4:
            raise OSError("cut off")
        return real(self, sparql)

    monkeypatch.setattr(GraphStore, "update", failing)
    return recount


def _assert_finished_by_the_next_open(monkeypatch, store, tmp_path, recount: list[str], *,
                                      whole: bool) -> None:
    """After a recount cut off at its fourth operation: its marks (the whole mark, if ``whole``)
    outlive it, and the next writable open finishes it."""
    monkeypatch.undo()  # the store's updates work again
    assert len(recount) == 4, "the recount ran as separate operations, cut off at the fourth"
    with open_store(store, read_only=True) as st:
        pending = st.whole_pending() if whole else st.has_pending()
    assert pending, "the marks outlive a recount cut off half way"
    with open_store(store):
        pass
    _assert_right(store, tmp_path)


def test_a_recount_cut_off_half_way_is_finished_by_the_next_writable_open(built, tmp_path, monkeypatch):
    """The recount's operations commit one by one; the marks are dropped last, so none are lost."""
    from kg.summary import finish_operations

    folder, store = built
    path = sorted(folder.glob("*.txt"))[0]
    path.write_text(path.read_text(encoding="utf-8")[:400], encoding="utf-8")  # an edit: fewer facts
    recount = _cut_off_at_fourth(monkeypatch, finish_operations()[0])
    with pytest.raises(Exception, match="cut off"):
        kg.build([path], store=store)
    _assert_finished_by_the_next_open(monkeypatch, store, tmp_path, recount, whole=False)


# -- a first build: one whole mark instead of a mark per node ------------------------------

def _quads(store) -> set[str]:
    """Every quad of a store but the build times (``prov:generatedAtTime``)."""
    return {str(q) for q in ox.Store.read_only(str(store)) if "prov#generatedAtTime" not in str(q.predicate)}


def _pending(st) -> list[ox.Quad]:
    return list(st.ox.quads_for_pattern(None, None, None, ox.NamedNode(str(PENDING_GRAPH))))


def _marking_always(monkeypatch) -> None:
    """Make every store look non-empty to a deferred block: the per-node marks' path."""
    from kg.store import GraphStore

    monkeypatch.setattr(GraphStore, "_empty", lambda self: False)


def _watch_pending(monkeypatch) -> list[list[ox.Quad]]:
    """The pending graph's quads at each recount (the last: a deferred block's, at its end)."""
    from kg.store import GraphStore

    seen: list[list[ox.Quad]] = []
    real = GraphStore.finish_summary

    def watching(self):
        seen.append(_pending(self))
        real(self)

    monkeypatch.setattr(GraphStore, "finish_summary", watching)
    return seen


def test_a_first_build_writes_one_whole_mark_and_no_node_marks(built, tmp_path, monkeypatch):
    from kg.summary import whole_mark

    folder, one_by_one = built
    seen = _watch_pending(monkeypatch)
    kg.build([folder], store=tmp_path / "first")
    assert seen[-1] == [whole_mark()], "one quad in the pending graph, however many articles"
    _assert_right(tmp_path / "first", tmp_path)
    _marking_always(monkeypatch)
    kg.build([folder], store=tmp_path / "marked")
    assert len(seen[-1]) > 100 and whole_mark() not in seen[-1], "the per-node path marks every node"
    assert _quads(tmp_path / "first") == _quads(tmp_path / "marked")
    assert _summary(tmp_path / "first") == _summary(one_by_one)


def _article(doc: str, place: str, label: str):
    """A small article graph: a document, a train through a labelled city, told by it."""
    from rdflib import RDF, RDFS, Graph, Literal

    from kg.rdf import KGO, KGR

    g, d, t, p = Graph(), KGR[f"doc/{doc}"], KGR[f"train/{doc}"], KGR[f"place/{place}"]
    g.add((d, RDF.type, KGO.Document))
    g.add((d, KGO.fileName, Literal(f"{doc}.txt")))
    g.add((t, RDF.type, KGO.Train))
    g.add((t, KGO.sourceDocument, d))
    g.add((t, KGO.passesThrough, p))
    g.add((t, KGO.destination, p))
    g.add((p, RDF.type, KGO.City))
    g.add((p, RDFS.label, Literal(label)))
    return d, g


def _writes_in_a_block(st) -> None:
    """Writes a build may make in one block: a document twice, a replacement, a removal, a rename."""
    a, first = _article("a", "1", "Lodz")
    st.replace_graph(a, first, new=True)
    st.replace_graph(a, first, new=True)  # the same document twice
    b, other = _article("b", "2", "Malaszewicze")
    st.replace_graph(b, other, new=True)
    _, edited = _article("a", "3", "Brest")
    st.replace_graph(a, edited)  # replaced within the block: drops what the first write added
    c, gone = _article("c", "1", "Lodz")
    st.replace_graph(c, gone, new=True)
    assert st.remove_graph(c)
    st.rename_document(str(b), "b-renamed.txt")


@pytest.mark.parametrize("whole", [True, False])
def test_writes_in_a_first_block_give_the_per_mark_paths_store(tmp_path, monkeypatch, whole):
    """Twice writing, replacing, removing and renaming in a block begun on an empty store."""
    from kg.summary import whole_mark

    if not whole:
        _marking_always(monkeypatch)
    store = tmp_path / "store"
    with open_store(store) as st:
        with st.deferred_summary():
            _writes_in_a_block(st)
            assert (_pending(st) == [whole_mark()]) is whole
        assert not st.has_pending()
    _assert_right(store, tmp_path)
    names = {r[0] for r in kg.query("SELECT ?n WHERE { ?t kgo:documentName ?n }", store=store).rows}
    assert names == {"a.txt", "b-renamed.txt"}
    (tmp_path / f"whole-{whole}.nq").write_text("\n".join(sorted(_quads(store))), encoding="utf-8")
    other = tmp_path / f"whole-{not whole}.nq"
    if other.exists():
        assert other.read_text(encoding="utf-8") == "\n".join(sorted(_quads(store)))


def test_writes_after_a_rebuild_in_a_first_block_are_marked(tmp_path):
    """A rebuild drops the whole mark: the block's later writes mark their nodes again (``kg import``)."""
    store = tmp_path / "store"
    with open_store(store) as st:
        with st.deferred_summary():
            st.replace_graph(*_article("a", "1", "Lodz"), new=True)
            st.rebuild_summary()
            assert not st.has_pending()
            st.replace_graph(*_article("b", "2", "Brest"), new=True)
            assert st.has_pending() and not st.whole_pending()
    _assert_right(store, tmp_path)
    assert {"a.txt", "b.txt"} == {r[0] for r in kg.query(
        "SELECT ?n WHERE { ?t kgo:documentName ?n }", store=store).rows}


_KILLED = """
import os, sys
sys.path.insert(0, {tests!r})
from test_summary import _writes_in_a_block
from kg.store import open_store
with open_store({store!r}) as st, st.deferred_summary():
    _writes_in_a_block(st)
    st.flush()
    os._exit(3)  # killed before the block ends: no finally, no recount
"""


def test_a_first_build_killed_in_its_block_is_finished_by_the_next_writable_open(tmp_path):
    import subprocess
    import sys

    store = tmp_path / "store"
    code = _KILLED.format(tests=str(ROOT / "tests"), store=str(store))
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 3, done.stderr
    with open_store(store, read_only=True) as st:
        assert st.whole_pending() and len(_pending(st)) == 1, "only the whole mark"
        assert not st.has_summary(), "no summary written yet"
    with open_store(store):
        pass
    _assert_right(store, tmp_path)
    with open_store(tmp_path / "finished") as st, st.deferred_summary():
        _writes_in_a_block(st)
    assert _quads(store) == _quads(tmp_path / "finished")


def test_a_first_builds_recount_cut_off_half_way_is_finished_by_the_next_writable_open(built, tmp_path,
                                                                                       monkeypatch):
    """The whole recount's operations commit one by one and the whole mark goes last."""
    from kg.summary import rebuild_operations

    folder, one_by_one = built
    store = tmp_path / "first"
    recount = _cut_off_at_fourth(monkeypatch, rebuild_operations()[0])
    with pytest.raises(Exception, match="cut off"):
        kg.build([folder], store=store)
    assert _summary(store), "a part of the summary was written"
    _assert_finished_by_the_next_open(monkeypatch, store, tmp_path, recount, whole=True)
    assert _summary(store) == _summary(one_by_one)


class _Extends:
    """A store handle that keeps the quads of each ``extend``."""

    def __init__(self, real):
        self.real, self.calls = real, []

    def extend(self, quads):
        self.calls.append(list(quads))
        self.real.extend(self.calls[-1])

    def __contains__(self, quad):
        return quad in self.real

    def __getattr__(self, name):
        return getattr(self.real, name)


def test_shared_facts_extended_in_a_block_are_not_written_again_until_an_update(tmp_path):
    """Two articles on one place give its shared facts once, unless an update came in between."""
    from rdflib import Graph, Literal

    from kg.rdf import KGO, KGR, SHARED_GRAPH

    shared = Graph()
    shared.add((KGR["place/1"], KGO.countryCode, Literal("PL")))
    gz = ox.NamedNode(str(SHARED_GRAPH))
    store = tmp_path / "store"
    with open_store(store) as st:
        st.ox = spy = _Extends(st.ox)
        with st.deferred_summary():
            for doc in ("a", "b"):
                st.replace_graph(*_article(doc, "1", "Lodz"), shared=shared, new=True)
            st.replace_graph(SHARED_GRAPH, Graph())  # an update emptying the shared graph (an import)
            st.replace_graph(*_article("c", "1", "Lodz"), shared=shared, new=True)
        st.ox, calls = spy.real, spy.calls
        del spy  # no handle left once the store closes
    assert [sum(q.graph_name == gz for q in call) for call in calls] == [1, 0, 1]
    assert any(q.graph_name == gz for q in ox.Store.read_only(str(store))), "written again after the update"
    _assert_right(store, tmp_path)


def test_the_full_recounts_scans_give_a_fact_told_by_several_articles_once():
    """A join of six scans of a leg told by k articles would meet k**6 rows (23 GiB at 10,000 articles)."""
    from kg.rdf import KGO, KGR, PREFIXES
    from kg.summary import _scan

    store = ox.Store()
    leg, train = ox.NamedNode(str(KGR["leg/1"])), ox.NamedNode(str(KGR["train/1"]))
    for k in range(5):
        g = ox.NamedNode(str(KGR[f"doc/{k}"]))
        store.add(ox.Quad(leg, ox.NamedNode(str(KGO.legOf)), train, g))
    rows = list(store.query(f"SELECT * WHERE {{ {_scan('?leg ?t', '?leg kgo:legOf ?t')} }}",
                            prefixes={p: str(n) for p, n in PREFIXES.items()}))
    assert len(rows) == 1
