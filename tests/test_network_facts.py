"""The route network read from the documents' network facts equals the one read with SPARQL."""

from __future__ import annotations

import json
import shutil

import networkx as nx
import pytest

import kg
from kg import netfacts, network
from kg.exchange import export, import_file
from kg.store import open_store

STORY = (
    "date: 2021-11-22\n\n"
    "A freight train loaded with 50 containers of auto parts left Chengdu for Lodz on Sunday, "
    "the local logistics bureau said. The train will cross Kazakhstan, Russia and Belarus before "
    "it reaches Poland in about 12 days. Another train left Yiwu for Madrid, passing Horgos. "
    "Officials said the service has grown quickly this year, with more companies choosing rail."
)
COPY = STORY.replace("date: 2021-11-22", "date: 2021-11-23").replace(
    "the local logistics bureau said", "the city's logistics bureau said on Monday")


def _facts(store, *, literals: bool) -> network._Facts | None:
    with open_store(store, read_only=True) as st:
        return network._facts_from_literals(st) if literals else network._facts_from_sparql(st)


def _same(a: nx.DiGraph, b: nx.DiGraph) -> None:
    """Equal networks, down to the order of nodes, edges and evidence (path answers depend on it)."""
    assert list(a.nodes(data=True)) == list(b.nodes(data=True))
    assert list(a.edges(data=True)) == list(b.edges(data=True))
    assert {**a.graph, "store": ""} == {**b.graph, "store": ""}
    assert list(a.graph["trains"]) == list(b.graph["trains"])


def _network(store, monkeypatch, *, literals: bool) -> nx.DiGraph:
    if not literals:
        monkeypatch.setattr(network, "_facts_from_literals", lambda st: None)
    g = network.route_network(store=store, cache=False)
    monkeypatch.undo()
    return g


def test_seed_network_from_literals_equals_the_sparql_read(seed_store, monkeypatch):
    from_literals = _facts(seed_store, literals=True)
    assert from_literals is not None, "a store kg built has a literal on every document"
    assert from_literals.normal() == _facts(seed_store, literals=False).normal()
    assert from_literals.legs and from_literals.crossings and from_literals.trains
    fast = _network(seed_store, monkeypatch, literals=True)
    _same(fast, _network(seed_store, monkeypatch, literals=False))
    assert fast.number_of_edges() > 5 and any(d["crosses"] for _, _, d in fast.edges(data=True))


def test_copies_of_one_story_share_a_train_across_graphs(tmp_path, monkeypatch):
    """A train told by two articles is one IRI in two graphs: the literals merge as the union graph does."""
    for name, text in (("a.txt", STORY), ("b.txt", COPY)):
        (tmp_path / name).write_text(text, encoding="utf-8")
    store = tmp_path / "store"
    summary = kg.build([tmp_path / "a.txt", tmp_path / "b.txt"], store=store)
    assert summary.copies, summary.lines()
    facts = _facts(store, literals=True)
    assert facts is not None and facts.normal() == _facts(store, literals=False).normal()
    shared = [t for t, row in facts.trains.items() if len({name for name, _ in row[0]}) == 2]
    assert shared, "the copy's trains are the original's"
    g = _network(store, monkeypatch, literals=True)
    _same(g, _network(store, monkeypatch, literals=False))
    info = g.graph["trains"][shared[0]]
    assert (info["document"], info["published"]) == ("a.txt", "2021-11-22")  # the first name, its date
    assert max(d["n_documents"] for _, _, d in g.edges(data=True)) == 2


def test_each_article_graph_carries_its_projection(seed_store):
    with open_store(seed_store, read_only=True) as st:
        rows = list(st.query("SELECT ?d ?f WHERE { ?d a kgo:Document ; kgo:networkFacts ?f }"))
        legs = {str(r[0]) for r in st.query("SELECT ?l WHERE { ?l a kgo:Leg }")}
        docs = {str(r[0]) for r in st.query("SELECT ?d WHERE { ?d a kgo:Document }")}
    assert {str(d) for d, _ in rows} == docs and len(rows) == len(docs)
    merged = netfacts.merge(str(f) for _, f in rows)
    assert set(merged.legs) == legs
    facts = json.loads(str(rows[0][1]))
    assert facts["v"] == netfacts.FORMAT
    assert all(not name.startswith("http") for name in facts["n"]), "IRIs are written without the namespace"


@pytest.mark.parametrize("literal", [None, '{"v": 99}', "not json", '{"v": 1, "n": []}'],
                         ids=["missing", "other-format", "not-json", "incomplete"])
def test_a_store_whose_literals_cannot_be_used_is_read_with_sparql(seed_store, tmp_path, monkeypatch,
                                                                   literal):
    store = tmp_path / "store"
    shutil.copytree(seed_store, store)
    before = _network(store, monkeypatch, literals=True)
    with open_store(store) as st:
        first = "SELECT ?d WHERE { ?d a kgo:Document ; kgo:networkFacts ?f } ORDER BY ?d LIMIT 1"
        doc = str(next(iter(st.query(first)))[0])
        insert = f"INSERT DATA {{ GRAPH <{doc}> {{ <{doc}> kgo:networkFacts {json.dumps(literal)} }} }}"
        st.update(f"DELETE WHERE {{ GRAPH <{doc}> {{ <{doc}> kgo:networkFacts ?f }} }}"
                  + (f" ; {insert}" if literal is not None else ""))
    assert _facts(store, literals=True) is None
    _same(network.route_network(store=store, cache=False), before)


def test_legs_no_literal_accounts_for_are_read_too(seed_store, tmp_path, monkeypatch):
    """Facts added from elsewhere (a graph without a kg Document): the literals no longer cover the store."""
    store = tmp_path / "store"
    shutil.copytree(seed_store, store)
    g = _network(store, monkeypatch, literals=True)
    assert _facts(store, literals=True) is not None
    a, b = [n for n, d in g.nodes(data=True) if d["type"] != "Country"][:2]
    r = "https://example.org/other/"
    with open_store(store) as st:
        st.update(f"""INSERT DATA {{ GRAPH <{r}graph> {{
          <{r}t> a kgo:Train ; kgo:sourceDocument <{r}doc> ; kgo:status "reported" .
          <{r}doc> kgo:fileName "other.nq" .
          <{r}t/leg> a kgo:Leg ; kgo:legOf <{r}t> ; kgo:fromPlace <{a}> ; kgo:toPlace <{b}> ;
              kgo:evidenceSentence <{r}s> .
          <{r}s> kgo:text "A train ran." ; kgo:sourceDocument <{r}doc> .
        }} }}""")
    assert _facts(store, literals=True) is None
    after = network.route_network(store=store, cache=False)
    assert f"{r}t" in after.edges[a, b]["trains"] and f"{r}t" in after.graph["trains"]


def test_literals_survive_export_and_import(seed_store, tmp_path, monkeypatch):
    dump = tmp_path / "all.nq"
    dump.write_bytes(export(fmt="nquads", store=seed_store))
    store = tmp_path / "imported"
    import_file(dump, store=store)
    assert _facts(store, literals=True) is not None
    _same(_network(store, monkeypatch, literals=True), _network(seed_store, monkeypatch, literals=True))


def test_the_network_queries_use_kg_prefixes():
    from kg.rdf import PREFIXES

    assert {k: str(PREFIXES[k]) for k in network._PREFIXES} == network._PREFIXES


def test_the_network_reads_the_places_kg_places_lists():
    from kg.sparql import PLACES_QUERY

    assert network._PLACES is PLACES_QUERY, "kg.network and kg.sparql read places with one query text"


def test_a_renamed_document_is_named_anew_in_the_network(seed_store, tmp_path, monkeypatch):
    """File names are read with the literals, not from them: a renamed file keeps its literal."""
    store = tmp_path / "store"
    shutil.copytree(seed_store, store)
    before = _network(store, monkeypatch, literals=True)
    old = sorted({e["document"] for _, _, d in before.edges(data=True) for e in d["evidence"]})[0]
    with open_store(store) as st:
        (doc,) = st.find_documents(old)
        st.rename_document(doc, "renamed.txt")
    assert _facts(store, literals=True).normal() == _facts(store, literals=False).normal()
    after = _network(store, monkeypatch, literals=True)
    docs = {e["document"] for _, _, d in after.edges(data=True) for e in d["evidence"]}
    assert "renamed.txt" in docs and old not in docs
    assert "renamed.txt" in {t["document"] for t in after.graph["trains"].values()}
