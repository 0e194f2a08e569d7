"""The HTML page: self-contained, and article text can never run as code."""

import json
import re

import networkx as nx
import pytest

from kg.viz import render_html


def _hostile_graph():
    g = nx.DiGraph()
    evil = '<script>alert(1)</script><img src=x onerror="alert(2)"> href'
    g.add_node("a", label="Chengdu" + evil, type="City", country="CN", lat=30.6, lon=104.0, aliases={evil})
    g.add_node("b", label="Lodz", type="City", country="PL", lat=51.7, lon=19.4, aliases=set())
    g.add_edge("a", "b", trains={"t"}, documents={"x.txt"}, n_trains=1, n_documents=1, km=5000.0,
               evidence=[{"document": "x.txt</script>", "sentence": evil, "train": "t"}])
    return g


def test_hostile_text_stays_text():
    html = render_html(_hostile_graph())
    body = html.split('id="kg-data">', 1)[1].split("</script>", 1)[0]
    assert "<" not in body and ">" not in body  # the data block cannot close its script element
    data = json.loads(body)
    assert any("<script>alert(1)</script>" in n["label"] for n in data["nodes"])  # kept, as text
    outside = html.replace(body, "")
    assert "alert(1)" not in outside and "alert(2)" not in outside
    assert "innerHTML" not in outside  # tooltips are built with textContent only


def test_geographic_layout_places_nodes_by_coordinates():
    html = render_html(_hostile_graph())
    data = json.loads(html.split('id="kg-data">', 1)[1].split("</script>", 1)[0])
    nodes = {n["id"]: n for n in data["nodes"]}
    assert nodes["a"]["x"] > nodes["b"]["x"]  # Chengdu is east of Lodz
    assert nodes["b"]["y"] < nodes["a"]["y"]  # Lodz is north of Chengdu (screen y grows downwards)
    assert data["options"]["nodes"]["fixed"] is True and data["options"]["physics"]["enabled"] is False


def test_no_remote_resources():
    html = render_html(_hostile_graph())
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)


def test_filters_and_path_highlight(seed_network, tmp_path):
    from kg.viz import filter_network, write_html

    g = seed_network
    around = filter_network(g, around="Horgos", hops=1)
    assert {g.nodes[n]["label"] for n in around} == {"Horgos", "Jinhua", "Kazakhstan", "Kyrgyzstan", "Uzbekistan"}
    kz = filter_network(g, country="KZ")
    assert all(g.nodes[n]["country"] == "KZ" or any(g.nodes[m]["country"] == "KZ" for m in nx.all_neighbors(g, n))
               for n in kz)
    assert len(filter_network(g, min_trains=2)) == 0  # one train per leg: Jinhua -> Horgos is one train
    out = write_html(tmp_path / "p.html", graph=g, path_between=("Nantong", "Hairatan"), path_only=True,
                     size_by="betweenness")
    data = json.loads(out.read_text(encoding="utf-8").split('id="kg-data">', 1)[1].split("</script>", 1)[0])
    assert sorted(n["label"] for n in data["nodes"]) == ["Hairatan", "Nantong"]
    assert all(e.get("color") == "#ff9900" for e in data["edges"]) and len(data["edges"]) == 1
    assert data["edges"][0]["kg"]["crosses"] == ["Kazakhstan", "Uzbekistan"]
    assert data["edges"][0]["kg"]["codes"] == ["KZ", "UZ"]
    assert data["path"]["description"] == "Nantong -> Hairatan, crossing Kazakhstan, Uzbekistan"
    assert data["path"]["legs"][0]["evidence"][0]["sentence"]  # the path view quotes its sentences
    left_out = data["summary"]["filtered"] + data["summary"]["passing"]
    assert len(left_out) == len(g) - 2 and data["summary"]["filtered"]  # the header says what is left out


PLACEHOLDERS = "{{TITLE}} {{VIS_CSS}} {{STATS}} {{LEGEND}} {{DATA}} {{VIS_JS}} {{NOPE}} {{"


def _placeholder_graph():
    """Article text naming every placeholder of the page template (and an unknown one)."""
    g = nx.DiGraph()
    g.add_node("a", label="Chengdu " + PLACEHOLDERS, type="City", country="CN", lat=30.6, lon=104.0,
               aliases={PLACEHOLDERS})
    g.add_node("b", label="Lodz", type="City", country="PL", lat=51.7, lon=19.4, aliases=set())
    g.add_edge("a", "b", trains={"t"}, documents={"x.txt"}, n_trains=1, n_documents=1, km=5000.0,
               evidence=[{"document": "{{DATA}}.txt", "sentence": "It said " + PLACEHOLDERS, "train": "t"}])
    return g


def test_placeholders_in_article_text_stay_text():
    from kg.viz import _vis_assets

    html = render_html(_placeholder_graph(), title="routes " + PLACEHOLDERS)
    js, _ = _vis_assets()
    assert html.count(js[:200]) == 1  # the vis-network script went in once, into its own element
    data = json.loads(html.split('id="kg-data">', 1)[1].split("</script>", 1)[0])
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    assert labels["a"] == "Chengdu " + PLACEHOLDERS and len(data["edges"]) == 1
    assert "It said " + PLACEHOLDERS in data["sentences"]
    assert f"<title>routes {PLACEHOLDERS}</title>" in html


def test_fill_template_is_one_pass():
    from kg.viz import fill_template

    assert fill_template("<{{A}}|{{B}}>", {"A": "{{B}}", "B": "{{A}}"}) == "<{{B}}|{{A}}>"
    assert fill_template("{{A}}", {"A": "\\1 \\g<0>"}) == "\\1 \\g<0>"  # no backslash expansion


def test_mercator_projection():
    from kg.viz import SCALE, project

    assert project(0, 0) == pytest.approx((0.0, 0.0), abs=1e-9)
    x, y = project(90, 60)
    assert x == 90 * SCALE and y < project(90, 30)[1] < 0  # north is up (screen y grows downwards)
    # Mercator stretches latitude: 60 degrees north lies further from 30 than 30 from the equator
    assert project(0, 30)[1] - project(0, 60)[1] > -project(0, 30)[1]
    assert project(0, 89.9) == project(0, 85.0)  # clamped short of the pole


def test_base_map_outlines_every_country_of_the_seed_network(seed_network):
    from kg.viz import basemap

    bm = basemap()
    by_iso = {c["iso"]: c for c in bm["countries"]}
    assert {"CN", "KZ", "RU", "DE", "PL", "AF"} <= set(by_iso)
    assert {seed_network.nodes[n]["country"] for n in seed_network} <= set(by_iso)
    arcs = len(bm["arcs"])
    for c in bm["countries"]:
        refs = [r for polygon in c["polygons"] for ring in polygon for r in ring]
        assert refs and all(-arcs <= r < arcs for r in refs), c["name"]
    # decoded coordinates are longitudes and latitudes (Chukotka moved east of 180 to join Russia)
    xs, ys = [], []
    for a in bm["arcs"]:
        x = y = 0
        for i in range(0, len(a), 2):
            x, y = x + a[i], y + a[i + 1]
            xs.append(x * bm["unit"])
            ys.append(y * bm["unit"])
    assert -181 < min(xs) and max(xs) < 200 and -60 < min(ys) and max(ys) < 84
    assert "Natural Earth" in bm["about"]


def test_summary_says_what_the_map_leaves_out(seed_network):
    from kg.viz import filter_network, network_data

    data = network_data(filter_network(seed_network), full=seed_network)
    s = data["summary"]
    g = seed_network
    passing = [n for n in g if g.nodes[n]["type"] == "Country" and g.degree(n) == 0]
    assert s["places"] == len(seed_network) and len(s["passing"]) == len(passing) > 0
    assert s["drawn"] == len(data["nodes"]) == len(seed_network) - len(passing)
    assert s["legs"] == s["drawn_legs"] == seed_network.number_of_edges()


def test_a_place_without_coordinates_is_counted_not_drawn_at_null_island():
    from kg.viz import network_data

    g = _hostile_graph()
    g.add_node("c", label="Nowhere", type="City", country="ZZ", lat=None, lon=None, aliases=set())
    g.add_node("d", label="Nur-Sultan", type="City", country="KZ", lat=None, lon=None, aliases=set())
    g.add_node("kz", label="Kazakhstan", type="Country", country="KZ", lat=48.0, lon=67.0, aliases=set())
    nodes = {n["id"]: n for n in network_data(g)["nodes"]}
    assert nodes["c"]["hidden"] is True and nodes["c"]["kg"]["off"] == "no coordinates"
    assert nodes["d"]["kg"]["approx"] is True and not nodes["d"].get("hidden")  # at its country's centre
    assert network_data(g)["summary"]["no_coordinates"] == ["Nowhere"]


def test_edge_dates_from_the_edge_its_evidence_or_its_trains():
    from kg.viz import edge_dates

    g = _hostile_graph()
    assert edge_dates(g, "a", "b") == []
    g.graph["trains"] = {"t": {"date": None, "published": "2024-03-05T00:00:00"}}
    assert edge_dates(g, "a", "b") == ["2024-03-05"]
    g.edges["a", "b"]["evidence"][0]["date"] = "2023-11"
    assert edge_dates(g, "a", "b") == ["2023-11"]
    g.edges["a", "b"]["dates"] = ["2022-01-02", "2021-05-06", "not a date"]
    assert edge_dates(g, "a", "b") == ["2021-05-06", "2022-01-02"]


def test_label_ranks_follow_trains_then_legs():
    from kg.viz import importance

    g = nx.DiGraph()
    for n in "abcd":
        g.add_node(n, label=n.upper())
    g.add_edge("a", "b", trains={"t1", "t2"})
    g.add_edge("c", "b", trains={"t3"})
    g.add_edge("c", "d", trains={"t3"})
    assert importance(g) == ["b", "a", "c", "d"]


def test_inline_page_for_notebooks_is_one_escaped_iframe():
    from kg.viz import inline_html

    page = render_html(_hostile_graph())
    frame = inline_html(page, height=500)
    assert frame.startswith("<iframe srcdoc=\"") and frame.count("<") == 2  # the iframe tags only
    assert "height:500px" in frame
    import html as html_mod

    assert html_mod.unescape(frame.split('srcdoc="', 1)[1].split('" style=', 1)[0]) == page
