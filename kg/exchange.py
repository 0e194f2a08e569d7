"""Moving the graph in and out: export to standard RDF formats, import from them.

Besides RDF, the route network (:func:`kg.network.route_network`) goes out as GraphML and GEXF
(for Gephi, networkx, igraph, yEd: every attribute a string or a number, lists joined with
``"; "``) and as GeoJSON (RFC 7946: a Point per place with coordinates, a LineString per leg,
longitude before latitude).
"""

from __future__ import annotations

import gc
import json
import os
import re
import shutil
import sys
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from . import settings
from ._errors import InputError, StoreError
from .store import open_store
from .summary import PENDING_GRAPH, SUMMARY_GRAPH, rebuild_operations

# name -> (Oxigraph format, keeps named graphs)
FORMATS: dict[str, tuple[ox.RdfFormat, bool]] = {
    "turtle": (ox.RdfFormat.TURTLE, False),
    "nt": (ox.RdfFormat.N_TRIPLES, False),
    "nquads": (ox.RdfFormat.N_QUADS, True),
    "trig": (ox.RdfFormat.TRIG, True),
}
# file suffix -> format; the format names themselves count too (`kg export -f nquads > kg.nquads`)
SUFFIXES = {".ttl": "turtle", ".turtle": "turtle", ".nt": "nt", ".ntriples": "nt", ".nq": "nquads",
            ".nquads": "nquads", ".trig": "trig", ".jsonld": "jsonld", ".json-ld": "jsonld",
            ".json": "jsonld"}
NAMES = ("turtle", "nt", "nquads", "trig", "jsonld")
"""RDF formats: exported and imported."""
NETWORK_FORMATS = ("graphml", "gexf", "geojson")
"""Formats of the route network: exported only."""
LIST_SEPARATOR = "; "


def _check(fmt: str, *, network: bool = False) -> str:
    fmt = fmt.lower()
    if fmt not in NAMES and not (network and fmt in NETWORK_FORMATS):
        names = NAMES + NETWORK_FORMATS if network else NAMES
        extra = "" if network else f" ({', '.join(NETWORK_FORMATS)} are export formats of the route network)"
        raise InputError(f"unknown format {fmt!r}: use {', '.join(names)}{extra}")
    return fmt


def format_of(path: str | Path) -> str:
    """The RDF format a file's suffix names (``.nq`` or ``.nquads``, ``.ttl`` or ``.turtle`` ...).

    Raises
    ------
    InputError
        When the suffix names no format kg reads.
    """
    p = Path(path)
    fmt = SUFFIXES.get(p.suffix.lower())
    if fmt is None:
        what = f"its suffix {p.suffix!r}" if p.suffix else "a name without a suffix"
        raise InputError(f"{p}: cannot tell the RDF format from {what}; name the file "
                         f"{', '.join(sorted(SUFFIXES))} or pass --format {'|'.join(NAMES)}")
    return fmt


def export(*, fmt: str = "nquads", store: str | Path | None = None) -> bytes:
    """The whole graph serialised, or the route network in a network format.

    ``nquads``, ``trig`` and ``jsonld`` keep one named graph per article; ``turtle`` and ``nt``
    write the union of the article graphs (each distinct triple once).  JSON-LD is compacted
    with an ``@context`` of kg's prefixes (:func:`kg.results.jsonld_context`).  ``graphml``,
    ``gexf`` and ``geojson`` write the route network (:func:`export_network`).

    Raises
    ------
    InputError
        When the format is unknown.
    """
    fmt = _check(fmt, network=True)
    if fmt in NETWORK_FORMATS:
        return export_network(fmt=fmt, store=store)
    with open_store(store, read_only=True) as st:
        quads = st.nquads()
    if fmt == "jsonld":
        return _jsonld(quads)
    ox_format, named = FORMATS[fmt]
    memory = ox.Store()
    memory.load(quads, format=ox.RdfFormat.N_QUADS)
    if named:
        return memory.dump(format=ox_format, prefixes=_prefixes())
    triples = {q.triple for q in memory.quads_for_pattern(None, None, None)}
    return ox.serialize(sorted(triples, key=str), format=ox_format, prefixes=_prefixes()) or b""


def _jsonld(quads: bytes) -> bytes:
    """N-Quads as JSON-LD compacted with kg's prefixes, node IRIs included (``kgr:port/horgos``)."""
    from rdflib import Dataset

    from .results import compact_ids, jsonld_context

    ds = Dataset()
    ds.parse(data=quads.decode("utf-8"), format="nquads")
    data = json.loads(ds.serialize(format="json-ld", context=jsonld_context(), auto_compact=True))
    return (json.dumps(compact_ids(data), ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def export_network(*, fmt: str, store: str | Path | None = None, graph: Any = None) -> bytes:
    """The route network as GraphML, GEXF or GeoJSON.

    Nodes are the places of :func:`kg.network.route_network` (id: the place IRI) with
    ``label``, ``type``, ``country``, ``lat``, ``lon`` (when known) and ``aliases``; edges are
    its legs with ``n_trains`` (also as ``weight``), ``n_documents``, ``km`` (when known),
    ``crosses`` (countries crossed, in travel order), ``documents`` and ``trains``.  In GraphML
    and GEXF every list is one string joined with ``"; "``; GEXF also places each node at its
    longitude/latitude.  GeoJSON keeps lists as JSON arrays; places without coordinates are
    left out of it, and legs whose ends lack them.

    Parameters
    ----------
    fmt
        ``graphml``, ``gexf`` or ``geojson``.
    store, graph
        The network: ``graph`` from :func:`kg.network.route_network`, else read from ``store``.
    """
    fmt = fmt.lower()
    if fmt not in NETWORK_FORMATS:
        raise InputError(f"unknown network format {fmt!r}: use {', '.join(NETWORK_FORMATS)}")
    from .network import route_network

    g = graph if graph is not None else route_network(store=store)
    if fmt == "geojson":
        return (json.dumps(geojson(g), ensure_ascii=False, indent=1) + "\n").encode("utf-8")
    flat = flat_network(g, positions=fmt == "gexf")
    import io

    import networkx as nx

    buf = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(flat, buf, encoding="utf-8")
    else:
        nx.write_gexf(flat, buf, encoding="utf-8")
    return buf.getvalue()


# characters XML 1.0 cannot hold at all (not even escaped): dropped from GraphML and GEXF text
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str:
    return _NOT_XML.sub("", str(value))


def _joined(values: Any) -> str:
    items = sorted(values) if isinstance(values, (set, frozenset)) else list(values)
    return LIST_SEPARATOR.join(_text(v) for v in items)


def flat_network(g: Any, *, positions: bool = False) -> Any:
    """A copy of the route network whose attributes are strings and numbers only (GraphML, GEXF).

    ``positions`` adds GEXF's ``viz`` position (x = longitude, y = latitude).
    """
    import networkx as nx

    from . import __version__

    flat = nx.DiGraph(name="kg route network", created_with=g.graph.get("created_with", f"kg {__version__}"),
                      list_separator=LIST_SEPARATOR)
    for node, d in g.nodes(data=True):
        attrs: dict[str, Any] = {"label": _text(d["label"]), "type": _text(d["type"]),
                                 "country": _text(d["country"]), "aliases": _joined(d.get("aliases", ()))}
        if d.get("lat") is not None and d.get("lon") is not None:
            attrs.update(lat=float(d["lat"]), lon=float(d["lon"]))
            if positions:
                attrs["viz"] = {"position": {"x": float(d["lon"]), "y": float(d["lat"]), "z": 0.0}}
        flat.add_node(_text(node), **attrs)
    for a, b, d in g.edges(data=True):
        attrs = {"n_trains": int(d["n_trains"]), "weight": float(d["n_trains"]),
                 "n_documents": int(d["n_documents"]), "crosses": _joined(d.get("crosses", [])),
                 "documents": _joined(d.get("documents", ())), "trains": _joined(d.get("trains", ())),
                 "label": f"{d.get('n_trains', 0)} train{'s' if d.get('n_trains') != 1 else ''}"}
        if d.get("km") is not None:
            attrs["km"] = float(d["km"])
        flat.add_edge(_text(a), _text(b), **attrs)
    return flat


def geojson(g: Any) -> dict[str, Any]:
    """The route network as a GeoJSON FeatureCollection (RFC 7946; coordinates are [longitude, latitude])."""
    def point(node: str) -> list[float] | None:
        d = g.nodes[node]
        if d.get("lat") is None or d.get("lon") is None:
            return None
        return [round(float(d["lon"]), 6), round(float(d["lat"]), 6)]

    features: list[dict[str, Any]] = []
    for node, d in g.nodes(data=True):
        where = point(node)
        if where is None:
            continue
        features.append({"type": "Feature", "id": node, "geometry": {"type": "Point", "coordinates": where},
                         "properties": {"kind": "place", "label": d["label"], "type": d["type"],
                                        "country": d["country"], "aliases": sorted(d.get("aliases", ()))}})
    for a, b, d in g.edges(data=True):
        ends = point(a), point(b)
        if None in ends:
            continue
        features.append({"type": "Feature", "geometry": {"type": "LineString", "coordinates": list(ends)},
                         "properties": {"kind": "leg", "from": a, "to": b, "from_label": g.nodes[a]["label"],
                                        "to_label": g.nodes[b]["label"], "from_type": g.nodes[a]["type"],
                                        "to_type": g.nodes[b]["type"], "trains": int(d["n_trains"]),
                                        "documents": sorted(d.get("documents", ())),
                                        "crosses": list(d.get("crosses", [])), "km": d.get("km")}})
    return {"type": "FeatureCollection", "features": features}


def _prefixes() -> dict[str, str]:
    from .rdf import PREFIXES

    return {p: str(ns) for p, ns in PREFIXES.items()}


def import_file(path: str | Path, *, fmt: str | None = None, store: str | Path | None = None,
                bulk: bool | None = None) -> dict[str, int]:
    """Load an RDF file into the store, replacing each named graph it holds.

    Triples outside any named graph (a Turtle file, say) go to the graph ``<file:NAME>`` so that
    they can be removed again.  Returns the number of triples per graph.

    A file of :data:`kg.settings.bulk_import_bytes` or more (5 MB; ``KG_BULK_IMPORT_BYTES``) goes
    through Oxigraph's bulk loader (:func:`bulk_import`, 5-10x faster), a smaller one graph by
    graph; either way a file that does not parse leaves the store as it was.  The summary graph
    (:mod:`kg.summary`) a file may hold is not taken as it is: it is computed again for the
    store as it is after the import.

    Parameters
    ----------
    path
        The RDF file.
    fmt
        Its format (default: from the suffix, :func:`format_of`).
    store
        Store folder or SPARQL server (default :data:`kg.settings.store`).
    bulk
        Force (True) or avoid (False) the bulk loader; default by file size.  A store on a
        SPARQL server is always loaded graph by graph.

    Raises
    ------
    InputError
        When the file is missing, the format unknown, or the content does not parse; nothing
        is written then.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"{p}: no such file; check the path")
    fmt = _check(fmt) if fmt else format_of(p)
    location = str(store or settings.store)
    remote = location.startswith(("http://", "https://"))
    if bulk is None:
        bulk = p.stat().st_size >= settings.bulk_import_bytes
    if bulk and not remote:
        return bulk_import(p, fmt=fmt, store=location)
    from rdflib import Dataset, URIRef

    ds = Dataset()
    try:
        ds.parse(p, format={"jsonld": "json-ld", "nt": "nt", "turtle": "turtle"}.get(fmt, fmt))
    except Exception as exc:  # rdflib parsers raise many types; report one line, write nothing
        raise InputError(f"{p}: not valid {fmt} ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})") from exc
    counts: dict[str, int] = {}
    with open_store(store) as st, st.deferred_summary():
        for graph in ds.graphs():
            if len(graph) == 0:
                continue
            name = graph.identifier
            if name == ds.default_graph.identifier or not isinstance(name, URIRef):
                name = URIRef(p.resolve().as_uri())
            counts[str(name)] = len(graph)
            if str(name) not in _KEPT_BY_KG:  # the file's summary is not taken as it is
                st.replace_graph(name, graph)
        # a label imported after the trains naming it (the shared graph after the articles)
        # changes their facts too, so the whole summary is computed again (the marks with it)
        st.rebuild_summary()
    return counts


_KEPT_BY_KG = {str(SUMMARY_GRAPH), str(PENDING_GRAPH)}


_RECOUNT_THREADS = 3
"""Threads counting the summary of an imported store (at most one per core)."""


def _summarise(store: ox.Store) -> None:
    """Compute the summary graph of a store being imported into (before it is put in place).

    One update per operation (the store is not in place yet: a failure leaves the target as it
    was, so nothing needs the operations in one transaction); at a million quads that took
    6.2-6.9 s, against 9.3 s as one update.  The counting operations run side by side in
    threads (Oxigraph releases the GIL; each reads the article graphs from its own snapshot and
    only inserts into the summary graph, so they cannot see or undo each other's writes):
    4.0-4.9 s on two cores.  Then the store is flushed and compacted (``Store.optimize``, 2-5 s
    there): the files the bulk loader leaves made the shipped queries 35-60% slower in the
    read-only processes that follow (documents 94-102 -> 59-66 ms, trains_through of a country
    151-164 -> 95-101 ms; benchmarks/README.md, "Issue 13, stop 24").
    """
    from .rdf import PREFIXES

    prefixes = {p: str(n) for p, n in PREFIXES.items()}
    first, *counts, last = rebuild_operations()
    store.update(first, prefixes=prefixes)
    with ThreadPoolExecutor(max_workers=min(_RECOUNT_THREADS, os.cpu_count() or 1)) as pool:
        list(pool.map(lambda op: store.update(op, prefixes=prefixes), counts))
    store.update(last, prefixes=prefixes)
    store.flush()
    store.optimize()


_OX_FORMATS = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "nquads": ox.RdfFormat.N_QUADS,
               "trig": ox.RdfFormat.TRIG, "jsonld": ox.RdfFormat.JSON_LD}


def bulk_import(path: Path, *, fmt: str, store: str | Path) -> dict[str, int]:
    """Load a large RDF file with Oxigraph's bulk loader, all or nothing.

    The file is first bulk-loaded into a fresh store beside the target (a file that does not
    parse stops there and is deleted with it).  An empty target is then replaced by that store;
    a non-empty one is copied (an Oxigraph checkpoint: hard links, no data copied), the graphs
    the file holds are dropped from the copy, the file's quads bulk-loaded into it, and the
    copy renamed into place.  Until that rename the target is untouched; the store is locked
    for writing throughout, so no build writes meanwhile.

    Raises
    ------
    InputError
        When the file does not parse (nothing is written).
    StoreError
        When the store is in use by another writer, or is not a store folder.
    """
    target = Path(store)
    if target.exists() and not target.is_dir():
        raise StoreError(f"{target} is a file, not a store folder; pass another --store")
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = target.parent / f".{target.name}.import"
    copy = target.parent / f".{target.name}.import-copy"
    for leftover in (staging, copy):
        shutil.rmtree(leftover, ignore_errors=True)
    default_graph = ox.NamedNode(path.resolve().as_uri())
    try:
        current = ox.Store(str(target))
    except OSError as exc:
        raise StoreError(f"cannot open the store at {target}: {exc}. Is another `kg build` or "
                         "`kg serve` writing to it? Wait for it or use another --store") from exc
    try:
        counts = _stage(path, fmt, staging, default_graph)
        if not counts:
            return {}
        if len(current) == 0:
            _summarise(ox.Store(str(staging)))
            current = None  # type: ignore[assignment]  # releases the lock before the swap
            shutil.rmtree(target)
            staging.rename(target)
            return counts
        current.backup(str(copy))
        merged = ox.Store(str(copy))
        drops = " ; ".join(f"DROP SILENT GRAPH {ox.NamedNode(g)}" for g in counts)
        merged.update(drops)
        dump = staging / "import.nq"
        ox.Store(str(staging)).dump(output=str(dump), format=ox.RdfFormat.N_QUADS)
        merged.bulk_load(path=str(dump), format=ox.RdfFormat.N_QUADS)
        _summarise(merged)
        merged.flush()
        merged = None  # type: ignore[assignment]
        old = target.parent / f".{target.name}.replaced"
        shutil.rmtree(old, ignore_errors=True)
        current = None  # type: ignore[assignment]
        target.rename(old)
        copy.rename(target)
        shutil.rmtree(old, ignore_errors=True)
        return counts
    finally:
        current = merged = None  # type: ignore[assignment]
        failure = sys.exc_info()[1]
        if failure is not None:
            # the frames the failure went through (and cycles) hold the stores open: release them
            # now, or closing one later rewrites a folder removed here
            traceback.clear_frames(failure.__traceback__)
            gc.collect()
        for leftover in (staging, copy):
            shutil.rmtree(leftover, ignore_errors=True)


def _stage(path: Path, fmt: str, folder: Path, default_graph: ox.NamedNode) -> dict[str, int]:
    """Bulk-load ``path`` into a new store at ``folder``; returns the number of quads per named graph.

    Triples of the default graph go to ``default_graph``.

    Raises
    ------
    InputError
        When the file does not parse.
    """
    staging = ox.Store(str(folder))
    try:
        staging.bulk_load(path=str(path), format=_OX_FORMATS[fmt],
                          to_graph=None if _OX_FORMATS[fmt].supports_datasets else default_graph)
    except (SyntaxError, ValueError, OSError) as exc:
        raise InputError(f"{path}: not valid {fmt} ({type(exc).__name__}: {str(exc).splitlines()[0][:200]}); "
                         "nothing was imported") from exc
    if any(True for _ in staging.quads_for_pattern(None, None, None, ox.DefaultGraph())):
        staging.update(f"MOVE DEFAULT TO {default_graph}")
    rows = staging.query("SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g")
    counts = {row[0].value: int(row[1].value) for row in rows}
    staging.flush()
    return counts


__all__ = ["FORMATS", "NAMES", "NETWORK_FORMATS", "bulk_import", "export", "export_network", "flat_network",
           "format_of", "geojson", "import_file"]
