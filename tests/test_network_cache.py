"""The route network of a local store is cached and reused only while the store is unchanged."""

import shutil
from pathlib import Path

import networkx as nx

import kg
from kg import settings
from kg.network import route_network


def _same(a: nx.DiGraph, b: nx.DiGraph) -> bool:
    return (dict(a.nodes(data=True)) == dict(b.nodes(data=True))
            and {(u, v): d for u, v, d in a.edges(data=True)} == {(u, v): d for u, v, d in b.edges(data=True)}
            and a.graph == b.graph)


def test_cached_network_equals_the_store_and_follows_its_changes(seed_store, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "cache_dir", str(tmp_path / "cache"))
    store = tmp_path / "store"
    shutil.copytree(seed_store, store)
    fresh = route_network(store=store, cache=False)
    assert not (tmp_path / "cache").exists()
    first = route_network(store=store)
    (cached,) = list((tmp_path / "cache").glob("network-*.pickle"))
    second = route_network(store=store)
    assert _same(first, fresh) and _same(second, fresh) and second is not first
    second.remove_node(next(iter(second)))  # a caller's changes stay its own
    assert _same(route_network(store=store), fresh)

    docs = {e["document"] for _, _, d in fresh.edges(data=True) for e in d["evidence"]}
    gone = sorted(docs)[0]
    kg.remove([gone], store=store)
    after = route_network(store=store)
    assert _same(after, route_network(store=store, cache=False))
    assert gone not in {e["document"] for _, _, d in after.edges(data=True) for e in d["evidence"]}
    assert not cached.exists(), "the copy for the old state is dropped"
    assert len(list((tmp_path / "cache").glob("network-*.pickle"))) == 1


def test_no_cache_when_turned_off_or_remote(seed_store, tmp_path, monkeypatch):
    monkeypatch.setattr(settings, "cache_dir", "off")
    route_network(store=seed_store)
    from kg.network import _cache_file

    assert _cache_file(seed_store) is None
    monkeypatch.setattr(settings, "cache_dir", str(tmp_path))
    assert _cache_file("http://127.0.0.1:1") is None
    assert _cache_file(str(tmp_path / "nothing")) is None
    assert isinstance(_cache_file(seed_store), Path)
