"""The analyst notebook runs top to bottom (so it cannot rot), embeds the map and writes nothing beside it."""

import html
import json

import nbformat
import pytest
from conftest import ROOT
from nbclient import NotebookClient


def _tree(folder):
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*")
                  if ".ipynb_checkpoints" not in p.parts)


@pytest.mark.slow
def test_walkthrough_notebook_executes_embeds_the_map_and_writes_nothing_beside_it(monkeypatch):
    folder = ROOT / "notebooks"
    path = folder / "walkthrough.ipynb"
    nb = nbformat.read(path, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.get("outputs") for c in code), "store notebooks without outputs"
    monkeypatch.delenv("KG_STORE", raising=False)  # the notebook picks its own temporary folder
    before = _tree(folder)
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(folder)}})
    client.execute()
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    text = "\n".join(o.get("text", "") for o in outputs)
    assert "Nantong -> Hairatan, crossing Kazakhstan, Uzbekistan" in text
    pages = [o["data"]["text/html"] for o in outputs if "text/html" in o.get("data", {})
             and "<iframe srcdoc=" in o["data"]["text/html"]]
    assert len(pages) == 1, "the map is embedded inline once"
    page = html.unescape(pages[0].split('srcdoc="', 1)[1].split('" style=', 1)[0])
    assert page.startswith("<!DOCTYPE html>") and 'id="kg-data"' in page and '"label": "Hairatan"' in page
    data = json.loads(page.split('id="kg-data">', 1)[1].split("</script>", 1)[0])
    assert data["path"]["description"] == "Nantong -> Hairatan, crossing Kazakhstan, Uzbekistan"  # path view
    assert "<iframe src=" not in pages[0] and "routes.html" not in pages[0]  # no separate file to lose
    assert _tree(folder) == before, "the notebook wrote into notebooks/"
