"""The graph store: an embedded on-disk Oxigraph database, used through rdflib.

Queries go through rdflib's API (a ``Dataset`` over the ``oxrdflib`` store plugin, so SPARQL
runs inside Oxigraph, 10x faster than rdflib's memory store on aggregates).  Writes replace one
article's named graph in a single SPARQL update, which Oxigraph applies as one transaction: a
build killed half-way leaves every article either as it was or fully replaced, never half
written.  The folder is a plain Oxigraph database, so ``oxigraph serve --location DIR`` can
serve it as is.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
from oxrdflib._converter import to_ox
from rdflib import Dataset, Graph, URIRef
from rdflib.query import Result
from rdflib.term import Identifier

from . import settings
from ._errors import QueryError, StoreError
from .rdf import KGO, PREFIXES


class GraphStore:
    """One open store.

    Parameters
    ----------
    location
        Folder of the on-disk store.
    read_only
        Open without taking the write lock (several readers may share the folder).
    """

    def __init__(self, location: str | Path, *, read_only: bool = False) -> None:
        self.location = str(location)
        path = Path(self.location)
        if read_only and not (path / "CURRENT").exists():
            raise StoreError(
                f"no graph at {self.location}: build one first with `kg build seeds` "
                "(or point --store / KG_STORE at an existing store)"
            )
        if not read_only and path.exists() and not path.is_dir():
            raise StoreError(f"{self.location} is a file, not a store folder; pass another --store")
        try:
            self.ox = ox.Store.read_only(self.location) if read_only else ox.Store(self.location)
        except OSError as exc:
            raise StoreError(
                f"cannot open the store at {self.location}: {exc}. Is another `kg build` or "
                "`kg serve` writing to it? Wait for it or use another --store"
            ) from exc
        from oxrdflib import OxigraphStore

        self.dataset = Dataset(store=OxigraphStore(store=self.ox), default_union=True)
        for prefix, ns in PREFIXES.items():
            self.dataset.bind(prefix, ns, override=True)

    # -- reading ---------------------------------------------------------------------------
    def query(self, sparql: str, bindings: Mapping[str, Identifier] | None = None) -> Result:
        """Run a SPARQL query over the union of all graphs, variables bound as RDF terms.

        Raises
        ------
        QueryError
            With Oxigraph's message (position included) when the query does not parse.
        """
        try:
            return self.dataset.query(sparql, initBindings=dict(bindings or {}),
                                      initNs={p: str(n) for p, n in PREFIXES.items()})
        except SyntaxError as exc:
            raise QueryError(f"SPARQL syntax error: {exc}".replace("\n", " ")) from exc
        except (RuntimeError, OSError, ValueError) as exc:
            msg = str(exc).replace("\n", " ")
            if "SELECT projection" in msg:
                msg += " (a variable set with --bind must be listed in the SELECT clause)"
            raise QueryError(f"SPARQL evaluation failed: {msg}") from exc

    def documents(self) -> dict[str, str]:
        """File name -> SHA-256 of every article in the store."""
        rows = self.query("SELECT ?name ?sha WHERE { ?d a kgo:Document ; kgo:fileName ?name ; kgo:sha256 ?sha }")
        return {str(r[0]): str(r[1]) for r in rows}

    def graph_names(self) -> list[str]:
        """Names of the named graphs (one per article)."""
        return sorted(g.value for g in self.ox.named_graphs() if isinstance(g, ox.NamedNode))

    def count(self) -> dict[str, int]:
        """Numbers of documents, trains, places and distinct triples."""
        row = next(iter(self.query(
            "SELECT (COUNT(DISTINCT ?d) AS ?docs) (COUNT(DISTINCT ?t) AS ?trains) "
            "(COUNT(DISTINCT ?p) AS ?places) WHERE { "
            "{ ?d a kgo:Document } UNION { ?t a kgo:Train } UNION "
            "{ ?p a ?c . VALUES ?c { kgo:City kgo:Port kgo:Country } } }")))
        triples = next(iter(self.query("SELECT (COUNT(*) AS ?n) WHERE { SELECT DISTINCT ?s ?p ?o "
                                       "WHERE { ?s ?p ?o } }")))
        return {"documents": int(row[0]), "trains": int(row[1]), "places": int(row[2]),
                "triples": int(triples[0])}

    # -- writing ---------------------------------------------------------------------------
    def replace_graph(self, name: URIRef, graph: Graph) -> None:
        """Atomically replace the named graph ``name`` with the triples of ``graph``.

        The update text is made of terms serialised by Oxigraph itself (N-Triples syntax,
        escaped by the library), never of raw article text.
        """
        g = ox.NamedNode(str(name))
        body = " ".join(f"{ox.Triple(*(to_ox(t) for t in triple))} ." for triple in graph)
        self.ox.update(f"DROP SILENT GRAPH {g} ; INSERT DATA {{ GRAPH {g} {{ {body} }} }}")

    def remove_graph(self, name: URIRef) -> bool:
        """Drop one named graph; returns whether it existed."""
        g = ox.NamedNode(str(name))
        existed = self.ox.contains_named_graph(g)
        if existed:
            self.ox.update(f"DROP GRAPH {g}")
        return existed

    def flush(self) -> None:
        """Make sure everything written is on disk."""
        self.ox.flush()

    def close(self) -> None:
        """Release the store and its lock: drop every reference to the Oxigraph handle now.

        rdflib's Dataset keeps the plugin store in reference cycles, so the handle would
        otherwise live until a garbage collection, holding the write lock and keeping a
        read-only opener in the same process from seeing a consistent database.
        """
        inner = self.dataset.store
        self.dataset.close()
        inner._store = None  # the oxrdflib plugin's handle
        self.dataset = None  # type: ignore[assignment]
        self.ox = None  # type: ignore[assignment]
        gc.collect()


@contextmanager
def open_store(location: str | Path | None = None, *, read_only: bool = False) -> Iterator[GraphStore]:
    """Open the store at ``location`` (default :data:`kg.settings.store`) for a ``with`` block."""
    store = GraphStore(location or settings.store, read_only=read_only)
    try:
        yield store
    finally:
        if not read_only:
            store.flush()
        store.close()


__all__ = ["KGO", "GraphStore", "open_store"]
