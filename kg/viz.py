"""An interactive HTML map of the route network that works offline and opens by double-click.

The page comes from ``kg/data/viz_template.html``: vis-network (the copy pyvis ships) is
inlined, the network and the country outlines (``kg/data/basemap.json``, Natural Earth via
``tools/make_basemap.py``) travel as one JSON block inside a ``<script type=
"application/json">`` element, and every tooltip, panel, label and list is built from DOM text
nodes, so nothing an article says can run as HTML.  pyvis's own templates fetch vis-network and
Bootstrap from CDNs (even in 'in_line' mode) and switch to ``innerHTML`` tooltips when a title
contains "href", so they are not used.

Places sit at their coordinates in a Mercator projection (:func:`project`) shared with the base
map; the page draws the countries under the network, labels by importance without overlaps,
and offers search (labels and aliases), filters (type, country, dates), a legend, a path view
and a panel with the trains, dates and sentences behind any place, leg or country.
"""

from __future__ import annotations

import html
import json
import math
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx

from ._errors import InputError
from .gazetteer import DATA
from .network import country_code, label, pagerank, route_network

COLOURS = {"City": "#1f77b4", "Port": "#d62728", "Country": "#7f7f7f", "Cargo": "#2ca02c"}
SCALE = 12.0  # pixels per degree of longitude (and per Mercator degree of latitude) at zoom 1
MAX_LAT = 85.0  # Mercator is infinite at the poles
SIZE_METRICS = ("degree", "betweenness", "pagerank")
HIGHLIGHT = "#ff9900"
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?")


def _vis_assets() -> tuple[str, str]:
    base = resources.files("pyvis") / "templates" / "lib" / "vis-9.1.2"
    return (base / "vis-network.min.js").read_text(encoding="utf-8"), \
        (base / "vis-network.css").read_text(encoding="utf-8")


@cache
def basemap() -> dict[str, Any]:
    """The country outlines drawn under the network (see ``tools/make_basemap.py``)."""
    return json.loads((DATA / "basemap.json").read_text(encoding="utf-8"))


def project(lon: float, lat: float) -> tuple[float, float]:
    """Network coordinates of a longitude/latitude: Mercator, ``SCALE`` pixels a degree, y down.

    The page projects the base map with the same formula (``project`` in the template).
    """
    lat = max(-MAX_LAT, min(MAX_LAT, lat))
    y = math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))
    return lon * SCALE, -y * SCALE


def _coordinates(g: nx.DiGraph, node: str) -> tuple[float, float, bool] | None:
    """(lat, lon, exact) of a node: its own, else its country's centre nudged (exact False), else None."""
    d = g.nodes[node]
    if d.get("lat") is not None and d.get("lon") is not None:
        return d["lat"], d["lon"], True
    for other in g.nodes:
        o = g.nodes[other]
        if o["type"] == "Country" and o["country"] == d["country"] and o.get("lat") is not None:
            return o["lat"] + 0.8, o["lon"] + 0.8, False
    return None


def _position(g: nx.DiGraph, node: str) -> tuple[float, float] | None:
    where = _coordinates(g, node)
    return None if where is None else project(where[1], where[0])


def filter_network(
    g: nx.DiGraph,
    *,
    around: str | None = None,
    hops: int = 1,
    country: str | None = None,
    min_trains: int = 1,
) -> nx.DiGraph:
    """A view of the network narrowed to what an analyst asked to see.

    Countries named only in passing (no leg starts or ends there) are always left out.

    Parameters
    ----------
    g
        The route network (:func:`kg.network.route_network`).
    around, hops
        Keep places within ``hops`` legs (either direction) of the place ``around``.
    country
        Keep places in this ISO country (and the places they connect to directly).
    min_trains
        Keep legs reported for at least this many trains (places left alone are dropped).
    """
    from .network import resolve_place

    # Countries named in passing ("markets in Australia") are noise on a route map; ports and
    # cities stay even when no reported leg touches them.
    keep = {n for n in g if g.degree(n) > 0 or g.nodes[n]["type"] != "Country"}
    if min_trains > 1:
        h = nx.DiGraph(g)
        h.remove_edges_from([(a, b) for a, b, d in g.edges(data=True) if d["n_trains"] < min_trains])
        keep = {n for n in h if h.degree(n) > 0}
        g = h.subgraph(keep)
    if around is not None:
        centre = resolve_place(g, around)
        keep &= set(nx.ego_graph(g.to_undirected(as_view=True), centre, radius=hops))
    if country is not None:
        cc = country.strip().upper()
        inside = {n for n in g if g.nodes[n]["country"] == cc}
        if not inside:
            raise InputError(f"no place of country {country!r} in the graph; use an ISO code such as KZ")
        keep &= inside | {m for n in inside for m in nx.all_neighbors(g, n)}
    return g.subgraph(keep)


def _sizes(g: nx.DiGraph, size_by: str | None) -> dict[str, float]:
    """Dot radius per node (network units); dense networks get smaller dots so places stay apart."""
    f = min(1.0, (150 / max(len(g), 1)) ** 0.5)
    if size_by is None:
        return {n: f * (8 + 3 * min(g.degree(n), 10)) for n in g}
    if size_by not in SIZE_METRICS:
        raise InputError(f"unknown --size-by {size_by!r}: use one of {', '.join(SIZE_METRICS)}")
    scores = (dict(g.degree()) if size_by == "degree" else
              nx.betweenness_centrality(g) if size_by == "betweenness" else pagerank(g))
    top = max(scores.values(), default=0) or 1
    return {n: f * (8 + 32 * scores.get(n, 0) / top) for n in g}


def importance(g: nx.DiGraph) -> list[str]:
    """Nodes most important first: trains through the place, then legs, then label.

    The page labels places in this order, skipping those whose label would overlap one drawn.
    """
    trains = {n: set() for n in g}
    for a, b, d in g.edges(data=True):
        trains[a] |= d["trains"]
        trains[b] |= d["trains"]
    return sorted(g, key=lambda n: (-len(trains[n]), -g.degree(n), g.nodes[n]["label"], n))


def _iso_date(value: Any) -> str | None:
    m = _DATE.match(str(value)) if value is not None else None
    return m.group(0) if m else None


def edge_dates(g: nx.DiGraph, a: str, b: str) -> list[str]:
    """Sorted ISO dates of a leg.

    Its ``dates`` if set, else its evidence items' ``date``, else its trains' (stated, or
    the article's publication date).
    """
    d = g.edges[a, b]
    if d.get("dates"):
        return sorted({x for x in map(_iso_date, d["dates"]) if x})
    found = {x for x in (_iso_date(e.get("date")) for e in d["evidence"]) if x}
    if not found:
        trains = g.graph.get("trains") or {}
        for t in d["trains"]:
            info = trains.get(t) or {}
            x = _iso_date(info.get("date") or info.get("published"))
            if x:
                found.add(x)
    return sorted(found)


class _Sentences:
    """Sentences stored once in the page and cited by index."""

    def __init__(self) -> None:
        self.texts: list[str] = []
        self._index: dict[str, int] = {}

    def cite(self, text: str) -> int:
        if text not in self._index:
            self._index[text] = len(self.texts)
            self.texts.append(text)
        return self._index[text]


def _place_name(g: nx.DiGraph, iri: str) -> str:
    """Label of a place IRI; a country outside the network by its name on the base map."""
    if iri in g or "/country/" not in iri:
        return label(g, iri)
    code = iri.rsplit("/", 1)[-1]
    return next((c["name"] for c in basemap()["countries"] if c["iso"] == code), code)


def _train_record(g: nx.DiGraph, iri: str, info: dict[str, Any]) -> dict[str, Any]:
    return {"name": iri.rsplit("/", 2)[-2] + "/" + iri.rsplit("/", 1)[-1] if iri.count("/") > 1 else iri,
            "document": info.get("document"), "status": info.get("status"),
            "date": _iso_date(info.get("date")), "published": _iso_date(info.get("published")),
            "origin": _place_name(g, info["origin"]) if info.get("origin") else None,
            "destinations": [_place_name(g, x) for x in info.get("destinations", [])],
            "via": [_place_name(g, x) for x in info.get("via", [])], "cargo": list(info.get("cargo", [])),
            "containers": info.get("containers")}


def network_data(
    g: nx.DiGraph,
    *,
    layout: str = "geo",
    size_by: str | None = None,
    highlight: list[str] | None = None,
    path: dict[str, Any] | None = None,
    full: nx.DiGraph | None = None,
) -> dict[str, Any]:
    """Everything the page draws, as JSON-ready data.

    ``nodes`` and ``edges`` are vis-network items with a ``kg`` field each (type, country,
    aliases, label rank; crossings, trains, dates, cited sentences), ``trains`` the trains they
    cite, ``sentences`` the cited sentences (once each), ``countries`` ISO code -> name,
    ``summary`` what the header counts (``full`` is the network before filtering, to say what
    was left out), ``path`` the highlighted path (``highlight``: its node ids) and ``basemap``
    the country outlines (geo layout only).
    """
    if layout not in ("geo", "force"):
        raise InputError(f"unknown layout {layout!r}: use geo or force")
    sizes = _sizes(g, size_by)
    rank = {n: i for i, n in enumerate(importance(g))}
    on_path = set(highlight or [])
    path_edges = set(zip(highlight or [], (highlight or [])[1:], strict=False))
    nodes, no_coordinates, approximate = [], [], []
    countries: dict[str, str] = {}
    for n in g:
        d = g.nodes[n]
        item: dict[str, Any] = {"id": n, "label": d["label"], "size": round(sizes[n], 2),
                                "color": COLOURS.get(d["type"], "#999")}
        kgd: dict[str, Any] = {"type": d["type"], "country": d["country"],
                               "aliases": sorted(d.get("aliases", ())), "rank": rank[n]}
        if d["type"] == "Country":
            countries[d["country"]] = d["label"]
        if g.degree(n) == 0:  # mentioned, but on no reported route: drawn faint
            kgd["faded"] = True
        if layout == "geo":
            where = _coordinates(g, n)
            if where is None:
                kgd["off"] = "no coordinates"
                item["hidden"] = True
                no_coordinates.append(d["label"])
                item.update(x=0, y=0)
            else:
                x, y = project(where[1], where[0])
                item.update(x=round(x, 2), y=round(y, 2))
                if not where[2]:
                    kgd["approx"] = True
                    approximate.append(d["label"])
        if n in on_path:
            kgd["path"] = True
        item["kg"] = kgd
        nodes.append(item)
    sentences = _Sentences()
    edges, used_trains = [], set()
    for i, (a, b, d) in enumerate(g.edges(data=True)):
        best = max(d.get("crossings", {}).items(), key=lambda kv: (len(kv[1]), kv[0]), default=((), set()))[0]
        codes = [country_code(g, c) for c in best]
        for c, code in zip(best, codes, strict=True):
            countries.setdefault(code, _place_name(full if full is not None else g, c))
        evidence = [{"document": e["document"], "s": sentences.cite(e["sentence"]), "train": e.get("train"),
                     **({"date": _iso_date(e["date"])} if _iso_date(e.get("date")) else {})}
                    for e in d["evidence"]]
        used_trains |= set(d["trains"])
        item = {"id": f"e{i}", "from": a, "to": b, "width": 1 + 1.5 * min(d["n_trains"], 8),
                "kg": {"crosses": list(d.get("crosses", [])), "codes": codes, "trains": sorted(d["trains"]),
                       "dates": edge_dates(g, a, b), "evidence": evidence}}
        if d.get("km") is not None:
            item["kg"]["km"] = d["km"]
        if codes:
            item["dashes"] = [8, 4]
        if (a, b) in path_edges or (b, a) in path_edges:
            item["color"] = HIGHLIGHT
            item["kg"]["path"] = True
        edges.append(item)
    for n in g:
        countries.setdefault(g.nodes[n]["country"], "")
    trains = g.graph.get("trains") or {}
    options = {
        "physics": {"enabled": layout == "force", "stabilization": {"iterations": 200}},
        "interaction": {"hover": True, "tooltipDelay": 100, "hideEdgesOnDrag": len(edges) > 3000},
        "edges": {"smooth": False, "arrows": "to", "color": {"inherit": False, "color": "#666", "opacity": 0.8}},
        "nodes": {"shape": "dot", "font": {"size": 0}, "borderWidth": 1,
                  **({"fixed": True, "physics": False} if layout == "geo" else {})},
    }
    return {
        "nodes": nodes, "edges": edges, "options": options, "layout": layout, "scale": SCALE,
        "sentences": sentences.texts, "countries": countries,
        "trains": {t: _train_record(full if full is not None else g, t, trains[t])
                   for t in sorted(used_trains) if t in trains},
        "summary": _summary(g, full, no_coordinates=no_coordinates, approximate=approximate),
        "path": path,
        "basemap": basemap() if layout == "geo" else None,
    }


def _summary(g: nx.DiGraph, full: nx.DiGraph | None, *, no_coordinates: list[str],
             approximate: list[str]) -> dict[str, Any]:
    """What the header counts: places in the graph, on the map, and each reason some are not."""
    full = full if full is not None else g
    outside = [n for n in full if n not in g]
    passing = sorted(full.nodes[n]["label"] for n in outside
                     if full.nodes[n]["type"] == "Country" and full.degree(n) == 0)
    filtered = sorted(full.nodes[n]["label"] for n in outside
                      if not (full.nodes[n]["type"] == "Country" and full.degree(n) == 0))
    return {"places": len(full), "legs": full.number_of_edges(), "drawn": len(g) - len(no_coordinates),
            "drawn_legs": g.number_of_edges(), "passing": passing, "filtered": filtered,
            "no_coordinates": sorted(no_coordinates), "approximate": sorted(approximate)}


def _script_json(data: Any) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' survive literally."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def render_html(g: nx.DiGraph, *, layout: str = "geo", title: str = "kg route network",
                size_by: str | None = None, highlight: list[str] | None = None,
                path: dict[str, Any] | None = None, full: nx.DiGraph | None = None) -> str:
    """The whole self-contained HTML page for a network (see :func:`network_data` for the arguments)."""
    data = network_data(g, layout=layout, size_by=size_by, highlight=highlight, path=path, full=full)
    js, css = _vis_assets()
    template = (DATA / "viz_template.html").read_text(encoding="utf-8")
    return fill_template(template, {
        "TITLE": html.escape(title),
        "VIS_CSS": css.replace("</style", "<\\/style"),
        "DATA": _script_json(data),
        "VIS_JS": js.replace("</script", "<\\/script"),
    })


_PLACEHOLDER = re.compile(r"\{\{([A-Z][A-Z_]*)\}\}")


def fill_template(template: str, values: dict[str, str]) -> str:
    """``template`` with each ``{{NAME}}`` replaced by ``values[NAME]``, in one pass.

    The result is assembled from the template's own text and the values, and is never
    searched again: a value that contains ``{{VIS_JS}}`` (an article sentence can) is
    inserted as it is, instead of being filled in by a later replacement.  Values must
    already be escaped for where they go.

    Raises
    ------
    KeyError
        When the template names a placeholder that ``values`` lacks, or ``values`` holds one
        the template does not use (both are mistakes in ``kg``, not in the data).
    """
    used = set(_PLACEHOLDER.findall(template))
    if used != set(values):
        raise KeyError(f"template placeholders {sorted(used)} do not match the values {sorted(values)}")
    return _PLACEHOLDER.sub(lambda m: values[m.group(1)], template)


def _path_record(answer: Any) -> dict[str, Any]:
    record = answer.as_dict()
    record["iris"] = list(answer.iris)
    return record


def page_html(
    *,
    store: str | Path | None = None,
    graph: nx.DiGraph | None = None,
    layout: str = "geo",
    size_by: str | None = None,
    around: str | None = None,
    hops: int = 1,
    country: str | None = None,
    min_trains: int = 1,
    path_between: tuple[str, str] | None = None,
    path_only: bool = False,
    title: str = "kg route network",
) -> str:
    """The interactive page as a string, with the options of :func:`write_html`.

    :func:`write_html` writes it; notebooks embed it with :func:`inline_html`.

    Raises
    ------
    InputError
        For a bad filter, or a path no reported route makes.
    """
    from .network import find_paths

    full = graph if graph is not None else route_network(store=store)
    g = full
    highlight, path = None, None
    if path_between is not None:
        answers = find_paths(*path_between, graph=g)
        if not answers:
            raise InputError(f"no reported route connects {path_between[0]} and {path_between[1]}; "
                             "`kg path` lists the nearest reachable places")
        highlight = answers[0].iris
        path = _path_record(answers[0])
        if path_only:
            g = g.subgraph(highlight)
    g = filter_network(g, around=around, hops=hops, country=country, min_trains=min_trains)
    return render_html(g, layout=layout, size_by=size_by, highlight=highlight, path=path, full=full,
                       title=title)


def inline_html(page: str, *, height: int = 640) -> str:
    """An ``<iframe srcdoc>`` holding the whole page: shows inline in Jupyter, exported HTML and nbviewer.

    Use ``IPython.display.HTML(inline_html(page_html(store=...)))``; nothing is written to disk.
    """
    return (f'<iframe srcdoc="{html.escape(page, quote=True)}" style="width:100%;height:{int(height)}px;'
            'border:1px solid #ddd" title="kg route network"></iframe>')


def write_html(
    path: str | Path,
    *,
    store: str | Path | None = None,
    graph: nx.DiGraph | None = None,
    layout: str = "geo",
    size_by: str | None = None,
    around: str | None = None,
    hops: int = 1,
    country: str | None = None,
    min_trains: int = 1,
    path_between: tuple[str, str] | None = None,
    path_only: bool = False,
) -> Path:
    """Write the interactive map to ``path`` and return it.

    Parameters
    ----------
    path
        Output ``.html`` file.
    store
        Store to read the network from when ``graph`` is None.
    graph
        A network from :func:`kg.network.route_network` (read from ``store`` when None).
    layout
        ``geo`` (places at their longitude/latitude on a base map, fixed) or ``force`` (physics).
    size_by
        Node size by ``degree``, ``betweenness`` or ``pagerank`` (default: degree, capped).
    around, hops, country, min_trains
        Filters, see :func:`filter_network`.
    path_between
        ``(FROM, TO)``: the answer of ``kg path`` in the path view (the rest dimmed, its legs
        and sentences listed in the side panel).
    path_only
        With ``path_between``, draw only the path.

    Raises
    ------
    InputError
        For a bad filter or ``path`` (a folder, or in a missing folder).
    OutputError
        When the file cannot be written (full disk, no permission).
    """
    from ._files import write_file

    page = page_html(store=store, graph=graph, layout=layout, size_by=size_by, around=around, hops=hops,
                     country=country, min_trains=min_trains, path_between=path_between, path_only=path_only)
    return write_file(path, page.encode("utf-8"), example="routes.html")

