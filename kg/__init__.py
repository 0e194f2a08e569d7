"""kg: a knowledge graph of Eurasian rail freight (trains, routes, border ports, cargo) read from news.

The library API a notebook calls directly; the ``kg`` command is a thin layer over it::

    import kg
    summary = kg.build(["seeds"], store="kg-store")
    rows = kg.query("SELECT ?t WHERE { ?t a kgo:Train }", store="kg-store")
    answers = kg.find_paths("Nantong", "Hairatan", store="kg-store")

Names are re-exported lazily (PEP 562) so that ``import kg`` stays cheap and never pulls in
spaCy: read-only commands must start fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"
"""The package version; ``pyproject.toml`` reads it from here (importlib.metadata costs 20 ms a start)."""

_EXPORTS = {
    "build": "kg.pipeline",
    "BuildSummary": "kg.pipeline",
    "remove": "kg.pipeline",
    "evaluate": "kg.evaluation",
    "query": "kg.sparql",
    "routes": "kg.sparql",
    "places": "kg.sparql",
    "route_network": "kg.network",
    "find_paths": "kg.network",
    "central": "kg.network",
    "write_html": "kg.viz",
    "page_html": "kg.viz",
    "inline_html": "kg.viz",
    "open_store": "kg.store",
}
__all__ = ["__version__", *_EXPORTS]


def __getattr__(name: str) -> Any:
    """Import a re-exported name on first use."""
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
