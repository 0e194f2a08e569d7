"""The HTML map in a real headless Chromium with every network request refused.

Screenshots go to tests/artifacts/ (git-ignored): routes.png, path.png, search.png,
country.png, big.png (2,000 places), filters.png, hostile.png.
"""

import os
import shutil
from pathlib import Path

import pytest
from bench_viz import synthetic
from conftest import ROOT
from test_viz import _hostile_graph

from kg.network import route_network
from kg.viz import render_html, write_html

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = ROOT / "tests" / "artifacts"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-default-apps"]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI"):
        raise RuntimeError("CI must install Debian's chromium for the browser tests (see .ci/run)")
    pytest.skip("no chromium on this machine: apt-get install chromium", allow_module_level=True)
playwright = pytest.importorskip("playwright.sync_api")


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        yield b
        b.close()


class Page:
    """A page that refuses every request but the file itself and records what goes wrong."""

    def __init__(self, browser, path: Path):
        self.refused: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context = browser.new_context(viewport={"width": 1400, "height": 900})
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("requestfailed", lambda r: self.errors.append("failed: " + r.url))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.resolve().as_uri())
        self.page.wait_for_function("window.kgReady === true", timeout=60000)
        self.page.wait_for_timeout(300)

    def _route(self, route):
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            self.refused.append(route.request.url)
            route.abort()

    def _dialog(self, dialog):
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def node_point(self, node_id: str) -> tuple[float, float]:
        pos = self.page.evaluate(
            "(id) => { const p = kgNetwork.getPositions([id])[id]; return kgNetwork.canvasToDOM(p); }", node_id)
        box = self.page.locator("#kg-network").bounding_box()
        return box["x"] + pos["x"], box["y"] + pos["y"]

    def shown(self) -> dict[str, int]:
        return self.page.evaluate("""() => ({
            places: kgNodes.get({filter: n => !n.hidden}).length,
            legs: kgEdges.get({filter: e => !e.hidden}).length})""")

    def shot(self, name: str) -> None:
        ARTIFACTS.mkdir(exist_ok=True)
        self.page.screenshot(path=str(ARTIFACTS / name))


def _node(g, label):
    return next(n for n in g if g.nodes[n]["label"] == label)


@pytest.fixture(scope="module")
def seed_page(seed_store, tmp_path_factory):
    g = route_network(store=seed_store)
    return g, write_html(tmp_path_factory.mktemp("viz") / "routes.html", graph=g)


def test_seed_map_offline_with_base_layer_counts_tooltip_and_panel(browser, seed_page):
    g, html = seed_page
    p = Page(browser, html)
    assert p.refused == [] and p.errors == [], (p.refused, p.errors)
    # the base layer: country fills and borders cover much of the canvas, in several colours
    pixels = p.page.evaluate("""() => {
        const c = kgBase, d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let land = 0, colours = new Set();
        for (let i = 0; i < d.length; i += 16) {
            const key = d[i] + ',' + d[i + 1] + ',' + d[i + 2];
            colours.add(key);
            if (d[i + 3] === 255 && key !== '207,224,238') land++;
        }
        return {land: land / (d.length / 16), colours: colours.size, width: c.width};
    }""")
    assert pixels["width"] > 0 and pixels["land"] > 0.2 and pixels["colours"] >= 4, pixels
    # the header counts what is drawn and names what is left out
    shown = p.shown()
    passing = [n for n in g if g.nodes[n]["type"] == "Country" and g.degree(n) == 0]
    head = p.page.inner_text("#kg-stats")
    assert head.startswith(f"{len(g)} places, {shown['places']} on the map: "
                           f"{len(passing)} countries named only in passing")
    assert f"; {shown['legs']} legs" in head and shown["places"] == len(g) - len(passing)
    assert shown["legs"] == g.number_of_edges()
    # nodes and outlines share one projection: places fall inside their own country's outline
    inside = p.page.evaluate("""() => kgNodes
        .get({filter: n => !n.hidden && n.kg.type !== 'Country' && !n.kg.approx})
        .map(n => [n.kg.country, kgCountryAt(n.x, n.y)])""")
    assert len(inside) >= 10 and sum(a == b for a, b in inside) >= 0.8 * len(inside), inside
    x, y = p.node_point(_node(g, "Nantong"))
    p.page.mouse.move(x, y)
    tooltip = p.page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5000)
    assert "Nantong (City, CN)" in tooltip.inner_text()
    p.page.mouse.click(x, y)
    panel = p.page.locator("#kg-panel").inner_text()
    assert panel.startswith("Nantong (City, CN)") and "Sources (" in panel and "Trains (" in panel
    assert "Hairatan" in panel and "crossing Kazakhstan, Uzbekistan" in panel
    p.page.mouse.move(5, 5)
    p.page.wait_for_timeout(200)
    p.shot("routes.png")
    assert p.dialogs == []


def test_a_clicked_country_lists_its_legs_and_trains(browser, seed_page):
    _, html = seed_page
    p = Page(browser, html)
    # a point inside Kazakhstan's outline where no place or leg is drawn
    spot = p.page.evaluate("""() => {
        for (let lat = 44; lat <= 52; lat += 0.5) for (let lon = 56; lon <= 82; lon += 0.5) {
            const [x, y] = kgProject(lon, lat), d = kgNetwork.canvasToDOM({x, y});
            if (kgCountryAt(x, y) === 'KZ' && kgNetwork.getNodeAt(d) === undefined
                && kgNetwork.getEdgeAt(d) === undefined) return d;
        }
        return null;
    }""")
    assert spot is not None
    box = p.page.locator("#kg-network").bounding_box()
    p.page.mouse.click(box["x"] + spot["x"], box["y"] + spot["y"])
    panel = p.page.locator("#kg-panel").inner_text()
    assert panel.startswith("Kazakhstan (country, KZ)"), panel[:200]
    crossing = int(panel.split("Legs crossing it (", 1)[1].split(")", 1)[0])
    trains = int(panel.split("Trains (", 1)[1].split(")", 1)[0])
    assert crossing >= 2 and trains >= 2 and "Chongqing \u2192 Duisburg" in panel
    assert p.page.evaluate("kgBase.getContext('2d').getImageData(0,0,1,1).data.length") == 4
    p.shot("country.png")


def _overlaps(boxes):
    boxes = sorted(boxes, key=lambda b: b["x"])
    bad = []
    for i, a in enumerate(boxes):
        for b in boxes[i + 1:]:
            if b["x"] >= a["x"] + a["w"]:
                break
            if a["y"] < b["y"] + b["h"] and b["y"] < a["y"] + a["h"]:
                bad.append((a["text"], b["text"]))
    return bad


def test_no_two_labels_overlap_on_a_2000_place_page_and_zoom_shows_more(browser, tmp_path):
    path = write_html(tmp_path / "big.html", graph=synthetic(2000))
    p = Page(browser, path)
    assert p.errors == [] and p.refused == [], (p.errors, p.refused)
    frac = """() => {
        const s = kgNetwork.getScale(), w = document.getElementById('kg-network').clientWidth,
              h = document.getElementById('kg-network').clientHeight;
        const inView = kgNodes.get().filter(n => { const d = kgNetwork.canvasToDOM({x: n.x, y: n.y});
            return d.x > 0 && d.x < w && d.y > 0 && d.y < h; }).length;
        return {labels: kgLabelBoxes.filter(b => b.id).length, inView};
    }"""
    boxes = p.page.evaluate("kgLabelBoxes")
    assert len(boxes) >= 30 and _overlaps(boxes) == []
    width = p.page.evaluate("document.getElementById('kg-network').clientWidth")
    assert all(0 <= b["x"] and b["x"] + b["w"] <= width for b in boxes)
    before = p.page.evaluate(frac)
    assert before["inView"] == 2000 and before["labels"] < 2000  # culled, not all drawn on top of each other
    p.shot("big.png")
    p.page.evaluate("kgNetwork.moveTo({scale: kgNetwork.getScale() * 4, animation: false})")
    p.page.wait_for_timeout(300)
    after = p.page.evaluate(frac)
    assert _overlaps(p.page.evaluate("kgLabelBoxes")) == []
    assert after["labels"] / after["inView"] > 2 * before["labels"] / before["inView"], (before, after)


def test_search_finds_a_place_by_an_alias(browser, seed_page):
    g, html = seed_page
    p = Page(browser, html)
    horgos = _node(g, "Horgos")
    alias = next(a for a in sorted(g.nodes[horgos]["aliases"]) if "horgos" not in a.lower())
    p.page.fill("#kg-search", alias.lower())
    first = p.page.locator("#kg-results button").first
    assert first.inner_text().startswith("Horgos (")
    p.page.press("#kg-search", "Enter")
    assert p.page.evaluate("kgSelected") == horgos
    assert p.page.evaluate("kgNetwork.getSelectedNodes()") == [horgos]
    assert p.page.locator("#kg-panel").inner_text().startswith("Horgos (Port, CN)")
    x, y = p.node_point(horgos)
    box = p.page.locator("#kg-network").bounding_box()
    centre = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    assert abs(x - centre[0]) < 5 and abs(y - centre[1]) < 5  # focused on it
    p.page.fill("#kg-search", "urumqi")  # accents and case ignored
    assert p.page.locator("#kg-results button").first.inner_text().startswith("\u00dcr\u00fcmqi")
    p.page.fill("#kg-search", "no such place")
    assert p.page.locator("#kg-results").inner_text() == "no place by that name"
    p.page.fill("#kg-search", alias)
    p.shot("search.png")


def test_path_view_dims_everything_else_and_quotes_the_legs(browser, seed_store, tmp_path):
    g = route_network(store=seed_store)
    path = write_html(tmp_path / "path.html", graph=g, path_between=("Nantong", "Hairatan"))
    p = Page(browser, path)
    assert p.errors == [], p.errors
    head = p.page.inner_text("#kg-pathline")
    assert "Path: Nantong -> Hairatan, crossing Kazakhstan, Uzbekistan (1 leg, 4,866 km)" in head
    panel = p.page.inner_text("#kg-panel")
    sentence = g.edges[_node(g, "Nantong"), _node(g, "Hairatan")]["evidence"][0]["sentence"]
    assert panel.startswith("Path: Nantong -> Hairatan") and sentence in panel
    style = """() => ({
        nodes: kgNodes.get().map(n => [n.kg.path === true, n.color.background]),
        edges: kgEdges.get().map(e => [e.kg.path === true, (e.color && e.color.opacity) || null,
                                       e.width])})"""
    seen = p.page.evaluate(style)
    on, off = [c for path_, c in seen["nodes"] if path_], [c for path_, c in seen["nodes"] if not path_]
    assert len(on) == 2 and off and all("0.35" in c for c in off) and not any("0.35" in c for c in on)
    assert all(o == 0.25 for path_, o, _ in seen["edges"] if not path_)
    assert all(w >= 6 for path_, _, w in seen["edges"] if path_)
    dim_labels = p.page.evaluate("kgLabelBoxes.filter(b => b.id).map(b => b.text)")
    assert sorted(dim_labels[:2]) == ["Hairatan", "Nantong"]  # the path's labels come first
    p.shot("path.png")
    p.page.click("#kg-path-toggle")
    seen = p.page.evaluate(style)
    assert not any("0.35" in c for _, c in seen["nodes"])


def test_filters_by_type_country_and_dates(browser, tmp_path):
    g = synthetic(300)
    p = Page(browser, write_html(tmp_path / "f.html", graph=g))
    total = p.shown()
    p.page.select_option("#kg-country", "KZ")
    shown = p.page.evaluate("""() => kgEdges.get({filter: e => !e.hidden}).map(e =>
        [kgNodes.get(e.from).kg.country, kgNodes.get(e.to).kg.country, e.kg.codes])""")
    assert shown and all("KZ" in (a, b) or "KZ" in codes for a, b, codes in shown)
    assert p.shown()["places"] < total["places"] and "Filters show" in p.page.inner_text("#kg-stats")
    p.page.click("#kg-reset")
    assert p.shown() == total
    p.page.fill("#kg-from", "2023-02-01")
    p.page.fill("#kg-to", "2023-03-31")
    p.page.dispatch_event("#kg-to", "change")
    dates = p.page.evaluate("kgEdges.get({filter: e => !e.hidden}).map(e => e.kg.dates)")
    assert 0 < len(dates) < total["legs"]
    assert all(any("2023-02-01" <= d <= "2023-03-31" for d in ds) for ds in dates)
    now = p.shown()
    assert f"Filters show {now['places']:,} places, {now['legs']:,} legs" in p.page.inner_text("#kg-stats")
    p.shot("filters.png")
    p.page.click("#kg-reset")
    p.page.uncheck("#kg-types input[value=Port]")
    assert p.page.evaluate("kgNodes.get({filter: n => !n.hidden && n.kg.type === 'Port'}).length") == 0
    assert p.page.evaluate("kgNodes.get({filter: n => !n.hidden && n.kg.type === 'City'}).length") > 0


def test_the_date_filter_is_hidden_without_dates(browser, tmp_path):
    path = tmp_path / "nodates.html"
    path.write_text(render_html(_hostile_graph()), encoding="utf-8")
    p = Page(browser, path)
    assert not p.page.locator("#kg-dates").is_visible()


def test_hostile_text_runs_no_script(browser, tmp_path):
    path = tmp_path / "hostile.html"
    path.write_text(render_html(_hostile_graph()), encoding="utf-8")
    p = Page(browser, path)
    x, y = p.node_point("a")
    p.page.mouse.move(x, y)
    tooltip = p.page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5000)
    assert "<script>alert(1)</script>" in tooltip.inner_text()  # shown as text
    p.page.mouse.click(x, y)
    p.page.wait_for_timeout(200)
    assert "<script>alert(1)</script>" in p.page.inner_text("#kg-panel")
    p.page.fill("#kg-search", "<img")
    assert "<img src=x" in p.page.inner_text("#kg-results")
    drawn = " ".join(p.page.evaluate("kgLabelBoxes.map(b => b.text)"))
    assert "Chengdu<script>" in drawn  # drawn on the canvas, as text
    assert p.dialogs == []
    assert p.page.evaluate("document.querySelectorAll('img').length") == 0
    assert p.page.evaluate("document.scripts.length") == 3  # the page's own: data, vis-network, the map
    assert p.refused == [], p.refused  # the <img src=x> never became a request
    p.shot("hostile.png")


def test_the_inline_page_for_notebooks_draws_the_map_inside_its_iframe(browser, tmp_path):
    from kg.viz import inline_html

    path = tmp_path / "notebook.html"
    frame_html = inline_html(render_html(_hostile_graph()))
    path.write_text(f"<!DOCTYPE html><html><body><h1>notebook</h1>{frame_html}</body></html>",
                    encoding="utf-8")
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    refused = []
    context.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file://", "about:"))
                  else (refused.append(r.request.url), r.abort()))
    page = context.new_page()
    page.goto(path.resolve().as_uri())
    frame = page.frames[1]
    frame.wait_for_function("window.kgReady === true", timeout=30000)
    assert frame.evaluate("kgNodes.length") == 2 and frame.evaluate("kgBase.width") > 0
    assert page.evaluate("typeof window.kgNetwork") == "undefined" and refused == []
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "notebook.png"))
    context.close()


def test_placeholders_in_article_text_still_draw_the_network(browser, tmp_path):
    from test_viz import PLACEHOLDERS, _placeholder_graph

    path = tmp_path / "placeholders.html"
    path.write_text(render_html(_placeholder_graph(), title="routes " + PLACEHOLDERS), encoding="utf-8")
    p = Page(browser, path)
    assert p.errors == [] and p.refused == [], (p.errors, p.refused)
    assert p.page.evaluate("kgNodes.length") == 2 and p.page.evaluate("kgEdges.length") == 1
    canvases = p.page.evaluate("document.querySelectorAll('#kg-network canvas').length")
    assert canvases == 2  # the base map's and the network's
    x, y = p.node_point("a")
    p.page.mouse.move(x, y)
    tooltip = p.page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5000)
    assert "{{VIS_JS}}" in tooltip.inner_text() and "{{DATA}}" in tooltip.inner_text()
    assert p.page.title() == "routes " + PLACEHOLDERS
