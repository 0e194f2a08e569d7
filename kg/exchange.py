"""Moving the graph in and out: export to standard RDF formats, import from them."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

from ._errors import InputError
from .store import open_store

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


def _check(fmt: str) -> str:
    fmt = fmt.lower()
    if fmt not in NAMES:
        raise InputError(f"unknown format {fmt!r}: use {', '.join(NAMES)}")
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
    """The whole graph serialised.

    ``nquads`` and ``trig`` keep one named graph per article; ``turtle``, ``nt`` and ``jsonld``
    write the union of the article graphs (each distinct triple once).
    """
    fmt = _check(fmt)
    with open_store(store, read_only=True) as st:
        quads = st.nquads()
    if fmt == "jsonld":
        from rdflib import Dataset

        ds = Dataset()
        ds.parse(data=quads.decode("utf-8"), format="nquads")
        return ds.serialize(format="json-ld", indent=2).encode("utf-8")
    ox_format, named = FORMATS[fmt]
    memory = ox.Store()
    memory.load(quads, format=ox.RdfFormat.N_QUADS)
    if named:
        return memory.dump(format=ox_format, prefixes=_prefixes())
    triples = {q.triple for q in memory.quads_for_pattern(None, None, None)}
    return ox.serialize(sorted(triples, key=str), format=ox_format, prefixes=_prefixes()) or b""


def _prefixes() -> dict[str, str]:
    from .rdf import PREFIXES

    return {p: str(ns) for p, ns in PREFIXES.items()}


def import_file(path: str | Path, *, fmt: str | None = None, store: str | Path | None = None) -> dict[str, int]:
    """Load an RDF file into the store, replacing each named graph it holds in one transaction.

    Triples outside any named graph (a Turtle file, say) go to the graph ``<file:NAME>`` so that
    they can be removed again.  Returns the number of triples per graph.

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
    from rdflib import Dataset, URIRef

    ds = Dataset()
    try:
        ds.parse(p, format={"jsonld": "json-ld", "nt": "nt", "turtle": "turtle"}.get(fmt, fmt))
    except Exception as exc:  # rdflib parsers raise many types; report one line, write nothing
        raise InputError(f"{p}: not valid {fmt} ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})") from exc
    counts: dict[str, int] = {}
    with open_store(store) as st:
        for graph in ds.graphs():
            if len(graph) == 0:
                continue
            name = graph.identifier
            if name == ds.default_graph.identifier or not isinstance(name, URIRef):
                name = URIRef(p.resolve().as_uri())
            st.replace_graph(name, graph)
            counts[str(name)] = len(graph)
    return counts


__all__ = ["FORMATS", "export", "format_of", "import_file"]
