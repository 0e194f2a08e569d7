"""The HTML graph in a real headless Chromium with every network request refused."""

import os
import shutil
from pathlib import Path

import pytest
from conftest import ROOT
from test_viz import _hostile_graph

from kg.network import route_network
from kg.viz import network_data, write_html

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
        self.page.wait_for_function("window.kgNetwork !== undefined")
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


def test_seed_graph_loads_offline_with_its_nodes_and_tooltips(browser, seed_store, tmp_path):
    ARTIFACTS.mkdir(exist_ok=True)
    g = route_network(store=seed_store)
    html = write_html(tmp_path / "routes.html", graph=g)
    data = network_data(__import__("kg.viz").viz.filter_network(g))
    p = Page(browser, html)
    assert p.refused == [] and p.errors == [], (p.refused, p.errors)
    shown = [n for n in g if g.degree(n) or g.nodes[n]["type"] != "Country"]
    assert p.page.evaluate("kgNodes.length") == len(data["nodes"]) == len(shown)
    assert p.page.evaluate("kgEdges.length") == len(data["edges"]) == g.number_of_edges()
    nantong = next(n for n in g if g.nodes[n]["label"] == "Nantong")
    x, y = p.node_point(nantong)
    p.page.mouse.move(x, y)
    tooltip = p.page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5000)
    assert "Nantong (City, CN)" in tooltip.inner_text()
    p.page.mouse.click(x, y)
    assert p.page.locator("#kg-panel").inner_text().startswith("Nantong (City, CN)")
    p.page.screenshot(path=str(ARTIFACTS / "routes.png"))
    assert p.dialogs == []


def test_hostile_text_runs_no_script(browser, tmp_path):
    from kg.viz import render_html

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
    assert p.dialogs == []
    assert p.page.evaluate("document.querySelectorAll('#kg-panel *, div.vis-tooltip img, div.vis-tooltip script').length") == 0
    assert p.refused == [], p.refused  # the <img src=x> never became a request
    p.page.screenshot(path=str(ARTIFACTS / "hostile.png"))


def test_placeholders_in_article_text_still_draw_the_network(browser, tmp_path):
    from test_viz import PLACEHOLDERS, _placeholder_graph

    from kg.viz import render_html

    path = tmp_path / "placeholders.html"
    path.write_text(render_html(_placeholder_graph(), title="routes " + PLACEHOLDERS), encoding="utf-8")
    p = Page(browser, path)
    assert p.errors == [] and p.refused == [], (p.errors, p.refused)
    assert p.page.evaluate("kgNodes.length") == 2 and p.page.evaluate("kgEdges.length") == 1
    assert p.page.evaluate("document.querySelectorAll('#kg-network canvas').length") == 1
    x, y = p.node_point("a")
    p.page.mouse.move(x, y)
    tooltip = p.page.locator("div.vis-tooltip")
    tooltip.wait_for(state="visible", timeout=5000)
    assert "{{VIS_JS}}" in tooltip.inner_text() and "{{DATA}}" in tooltip.inner_text()
    assert p.page.title() == "routes " + PLACEHOLDERS
