"""Document identity: IRIs from the canonical URL or the text, not from the file name."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef

import kg
from kg.cli import app
from kg.inputs import read_inputs
from kg.model import Article
from kg.rdf import KGO, article_graph, document_iri, is_legacy_document, legacy_document_iri
from kg.store import open_store

TEXT = "Chengdu train reaches Lodz\n\nA freight train left Chengdu for Lodz on Thursday.\n"


def _docs(store) -> list[dict]:
    return kg.query("SELECT ?d ?name WHERE { ?d a kgo:Document ; kgo:fileName ?name } ORDER BY ?name",
                    store=store).records()


def test_keys_come_from_the_url_else_from_the_text():
    a = Article(name="a.txt", text=TEXT, sha256="0" * 64)
    b = Article(name="b.txt", text="source: Xinhua\n" + TEXT.replace("\n\n", "\n \n"), sha256="1" * 64)
    assert a.key == b.key and a.key.startswith("t-")  # header lines and spacing are not the text
    assert Article(name="a.txt", text=TEXT + "More.", sha256="2" * 64).key != a.key
    web = Article(name="x", text=TEXT, sha256="0" * 64, url="https://example.org/n/1")
    other = Article(name="y", text="Other words.", sha256="3" * 64,
                    source="HTTPS://Example.org/n/1?utm_medium=x#p")
    assert web.key == other.key and web.key.startswith("u-")
    assert document_iri(web) == document_iri(other)
    with pytest.raises(TypeError):
        document_iri("a.txt")  # type: ignore[arg-type]


def test_a_txt_source_line_and_a_saved_page_with_that_canonical_url_are_one_document(tmp_path):
    (tmp_path / "a.txt").write_text("source: https://news.example.org/x/1?utm_source=rss\n\n" + TEXT,
                                    encoding="utf-8")
    (tmp_path / "b.html").write_text(
        '<html><head><link rel="canonical" href="https://News.Example.org/x/1"><title>T</title></head>'
        "<body><article><p>A freight train left Chengdu for Lodz on Thursday.</p></article></body></html>",
        encoding="utf-8")
    a, b = read_inputs([tmp_path / "a.txt", tmp_path / "b.html"]).articles
    assert a.key == b.key


def test_legacy_iris_are_recognised():
    assert is_legacy_document(str(legacy_document_iri("003_x.txt")))
    assert not is_legacy_document(str(document_iri(Article(name="a", text=TEXT, sha256="0" * 64))))


@pytest.mark.slow
def test_copies_are_one_document_renaming_keeps_it_and_old_stores_are_replaced(tmp_path, runner):
    store = tmp_path / "store"
    # An older kg stored a.txt under a file-name IRI: the first build of a.txt replaces it.
    old = Article(name="a.txt", text=TEXT, sha256="f" * 64)
    legacy = Graph()
    for s, p, o in article_graph(old, version="0.0.1+old"):
        legacy.add(tuple(legacy_document_iri("a.txt") if t == document_iri(old) else t for t in (s, p, o)))
    with open_store(store) as st:
        st.replace_graph(legacy_document_iri("a.txt"), legacy)
    folder = tmp_path / "in"
    (folder / "copy").mkdir(parents=True)
    (folder / "a.txt").write_text(TEXT, encoding="utf-8")
    (folder / "copy" / "b.txt").write_text(TEXT, encoding="utf-8")  # the same article saved twice

    first = kg.build([folder], store=store)
    assert first.documents == 1 and first.legacy == 0
    [doc] = _docs(store)
    assert not is_legacy_document(str(doc["d"])) and str(doc["name"]) == "a.txt"
    count = "SELECT (COUNT(DISTINCT ?t) AS ?n) WHERE { ?t a kgo:Train }"
    trains = kg.query(count, store=store).records()[0]["n"]
    assert trains >= 1

    (folder / "a.txt").rename(folder / "renamed.txt")
    (folder / "copy" / "b.txt").unlink()
    again = kg.build([folder / "renamed.txt"], store=store)
    assert (again.extracted, again.unchanged, again.documents, again.trains) == (0, 1, 1, trains)
    [doc2] = _docs(store)
    assert doc2["d"] == doc["d"] and str(doc2["name"]) == "renamed.txt"
    labels = kg.query("SELECT ?d ?l WHERE { ?d rdfs:label ?l }", store=store,
                      bindings={"d": URIRef(str(doc["d"]))}).records()
    assert [str(r["l"]) for r in labels] == ["renamed.txt"]

    (folder / "renamed.txt").write_text(TEXT + "\nIt crossed Kazakhstan.\n", encoding="utf-8")
    edited = kg.build([folder / "renamed.txt"], store=store)
    assert edited.documents == 1 and edited.extracted == 1  # the edit replaced its old version

    result = runner.invoke(app, ["remove", "renamed.txt", "--store", str(store)])
    assert result.exit_code == 0 and "removed renamed.txt" in result.output
    assert _docs(store) == []


def test_remove_by_url_and_by_file_name(tmp_path, runner):
    store = tmp_path / "store"
    web = Article(name="page.html", text=TEXT, sha256="0" * 64, url="https://news.example.org/x/1",
                  source="https://news.example.org/x/1")
    plain = Article(name="b.txt", text=TEXT + "Other.", sha256="1" * 64)
    with open_store(store) as st:
        for a in (web, plain):
            st.replace_graph(document_iri(a), article_graph(a, version="test"))
    result = runner.invoke(app, ["remove", "https://NEWS.example.org/x/1?utm_source=a", "b.txt",
                                 "--store", str(store)])
    assert result.exit_code == 0, result.output
    assert _docs(store) == []
    assert kg.query(f"SELECT ?n WHERE {{ ?d <{KGO.fileName}> ?n }}", store=store).records() == []
