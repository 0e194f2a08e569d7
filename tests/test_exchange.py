"""Export and import by the names a user gives the files."""

import io

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
    if fmt in ("nquads", "trig", "jsonld"):  # the named graphs come back as they were
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


# -- JSON-LD with a context; the route network for Gephi and maps --------------------------------

def test_jsonld_is_compacted_with_a_context(seed_store):
    import json

    data = json.loads(export(fmt="jsonld", store=seed_store))
    context = data["@context"]
    assert {"kgo", "kgr", "dcterms", "prov", "skos", "geo", "xsd"} <= set(context)
    assert context["kgo"] == "https://w3id.org/freight-kg/ontology#"
    text = json.dumps(data["@graph"])
    assert '"@type": "kgo:Train"' in text and '"@id": "kgr:' in text and '"rdfs:label"' in text
    assert "https://w3id.org/freight-kg/ontology#" not in text  # every ontology term is compacted


def _network_export(runner, seed_store, tmp_path, fmt):
    out = tmp_path / f"routes.{fmt}"
    result = runner.invoke(app, ["export", "-f", fmt, "-o", str(out), "--store", seed_store])
    assert result.exit_code == 0, result.output
    return out


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graphml_and_gexf_read_back_in_networkx(runner, seed_store, seed_network, tmp_path, fmt):
    import networkx as nx

    out = _network_export(runner, seed_store, tmp_path, fmt)
    g = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(out)
    assert g.is_directed() and len(g) == len(seed_network) > 0
    assert g.number_of_edges() == seed_network.number_of_edges() > 0
    assert set(g.edges) == set(seed_network.edges)
    for node, d in seed_network.nodes(data=True):
        back = g.nodes[node]
        assert back["label"] == d["label"] and back["type"] == d["type"] and back["country"] == d["country"]
        if d["lat"] is not None:
            assert (back["lat"], back["lon"]) == pytest.approx((d["lat"], d["lon"]))
    for a, b, d in seed_network.edges(data=True):
        back = g.edges[a, b]
        assert int(back["n_trains"]) == d["n_trains"] and back.get("crosses", "") == "; ".join(d["crosses"])
        assert all(isinstance(v, (str, int, float)) for v in back.values())
    nantong = next(n for n, d in g.nodes(data=True) if d["label"] == "Nantong")
    (leg,) = g.out_edges(nantong, data=True)
    assert leg[2]["crosses"] == "Kazakhstan; Uzbekistan" and g.nodes[leg[1]]["label"] == "Hairatan"


def test_geojson_is_a_feature_collection_in_lon_lat_order(runner, seed_store, seed_network, tmp_path):
    import json

    data = json.loads(_network_export(runner, seed_store, tmp_path, "geojson").read_text(encoding="utf-8"))
    assert data["type"] == "FeatureCollection" and "crs" not in data
    points = {f["id"]: f for f in data["features"] if f["geometry"]["type"] == "Point"}
    lines = [f for f in data["features"] if f["geometry"]["type"] == "LineString"]
    placed = {n for n, d in seed_network.nodes(data=True) if d["lat"] is not None}
    assert set(points) == placed and placed
    assert len(lines) == sum(a in placed and b in placed for a, b in seed_network.edges) > 0
    for f in data["features"]:
        coords = f["geometry"]["coordinates"]
        for lon, lat in [coords] if f["geometry"]["type"] == "Point" else coords:
            assert -180 <= lon <= 180 and -90 <= lat <= 90
    by_label = {f["properties"]["label"]: f["geometry"]["coordinates"] for f in points.values()}
    lon, lat = by_label["Duisburg"]  # 6.8 E, 51.4 N: the longitude comes first
    assert 6 < lon < 8 and 51 < lat < 52
    lon, lat = by_label["Horgos"]  # 80.4 E, 44.2 N
    assert 79 < lon < 82 and 43 < lat < 45
    nantong = next(f for f in lines if f["properties"]["from_label"] == "Nantong")
    props = nantong["properties"]
    assert props["to_label"] == "Hairatan" and props["crosses"] == ["Kazakhstan", "Uzbekistan"]
    assert props["trains"] == 1 and props["km"] > 1000
    assert nantong["geometry"]["coordinates"] == [by_label["Nantong"], by_label["Hairatan"]]


def test_a_network_format_is_not_an_import_format(runner, seed_store, tmp_path):
    out = _network_export(runner, seed_store, tmp_path, "graphml")
    result = runner.invoke(app, ["import", str(out), "--format", "graphml", "--store", str(tmp_path / "s")])
    lines = result.output.strip().splitlines()
    assert result.exit_code == 2 and len(lines) == 1 and "export formats of the route network" in lines[0]
    result = runner.invoke(app, ["export", "-f", "shapefile", "--store", seed_store])
    assert result.exit_code == 2 and "graphml, gexf, geojson" in result.output


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_control_characters_in_names_do_not_break_the_xml(fmt):
    import networkx as nx

    from kg.exchange import export_network
    from kg.network import add_leg, finish

    g = nx.DiGraph()
    for iri, name, lon in (("urn:a", "Uzbek\x1b[2Jistan <&>", 60.0), ("urn:b", "Horgos\x00", 80.4)):
        g.add_node(iri, label=name, type="City", country="UZ", lat=41.0, lon=lon, aliases={"al\x07ias"})
    add_leg(g, "urn:a", "urn:b", train="urn:t", document="d\x1b.txt", sentence="s")
    finish(g)
    data = io.BytesIO(export_network(fmt=fmt, graph=g))
    back = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(data)
    assert back.nodes["urn:a"]["label"] == "Uzbek[2Jistan <&>" and back.nodes["urn:b"]["aliases"] == "alias"
    assert back.edges["urn:a", "urn:b"]["documents"] == "d.txt"


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


@pytest.mark.parametrize("empty", [True, False])
def test_a_bulk_import_whose_recount_fails_in_a_thread_leaves_the_store_untouched(seed_store, tmp_path,
                                                                                 monkeypatch, empty):
    """The counting operations run side by side in threads; one failing stops the whole import."""
    import kg.exchange
    from kg.summary import rebuild_operations

    good = tmp_path / "kg.nq"
    good.write_bytes(export(store=seed_store))
    store = tmp_path / "store"
    if not empty:
        import_file(good, store=store, bulk=True)
    before = _quads(store) if not empty else set()
    ops = rebuild_operations()
    ops.insert(3, "INSERT { ?s ?p }")  # fails to parse, in one of the threads
    monkeypatch.setattr(kg.exchange, "rebuild_operations", lambda: ops)
    with pytest.raises(SyntaxError):
        import_file(good, store=store, bulk=True)
    assert (_quads(store) if store.exists() and any(store.iterdir()) else set()) == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".store")], "no staging folders left"
