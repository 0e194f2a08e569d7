"""The analyst notebook runs top to bottom against the library (so it cannot rot)."""

import os

import nbformat
import pytest
from conftest import ROOT
from nbclient import NotebookClient


@pytest.mark.slow
def test_walkthrough_notebook_executes(tmp_path, monkeypatch):
    path = ROOT / "notebooks" / "walkthrough.ipynb"
    nb = nbformat.read(path, as_version=4)
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code"), "store notebooks without outputs"
    monkeypatch.setenv("KG_STORE", str(tmp_path / "store"))
    client = NotebookClient(nb, timeout=300, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "notebooks")}})
    client.execute()
    text = "\n".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "Nantong -> Hairatan, crossing Kazakhstan, Uzbekistan" in text
    assert (tmp_path / "routes.html").is_file()
    assert os.environ["KG_STORE"] == str(tmp_path / "store")
