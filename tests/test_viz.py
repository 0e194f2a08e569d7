"""The HTML page: self-contained, and article text can never run as code."""

import json
import re

import networkx as nx

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
    assert nodes["a"]["fixed"] is True and data["options"]["physics"]["enabled"] is False


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
    assert "crossing Kazakhstan, Uzbekistan" in data["edges"][0]["title"]


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
    assert "It said " + PLACEHOLDERS in data["edges"][0]["title"]
    assert f"<title>routes {PLACEHOLDERS}</title>" in html


def test_fill_template_is_one_pass():
    from kg.viz import fill_template

    assert fill_template("<{{A}}|{{B}}>", {"A": "{{B}}", "B": "{{A}}"}) == "<{{B}}|{{A}}>"
    assert fill_template("{{A}}", {"A": "\\1 \\g<0>"}) == "\\1 \\g<0>"  # no backslash expansion
