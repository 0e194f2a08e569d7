"""An interactive HTML picture of the route network that works offline and opens by double-click.

pyvis assembles the nodes and edges; the page itself comes from ``kg/data/viz_template.html``
because pyvis's own templates fetch vis-network and Bootstrap from CDNs (even in 'in_line'
mode) and switch to ``innerHTML`` tooltips when a title contains "href".  Here the vis-network
script and style are inlined, the data travels as JSON inside a ``<script type=
"application/json">`` block, and tooltips are built as DOM text nodes, so nothing an article
says can run as HTML.
"""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx

from ._errors import InputError
from .gazetteer import DATA
from .network import pagerank, route_network

COLOURS = {"City": "#1f77b4", "Port": "#d62728", "Country": "#7f7f7f", "Cargo": "#2ca02c"}
SCALE = 12.0  # pixels per degree in the geographic layout


def _vis_assets() -> tuple[str, str]:
    base = resources.files("pyvis") / "templates" / "lib" / "vis-9.1.2"
    return (base / "vis-network.min.js").read_text(encoding="utf-8"), \
        (base / "vis-network.css").read_text(encoding="utf-8")


def _position(g: nx.DiGraph, node: str) -> tuple[float, float] | None:
    d = g.nodes[node]
    lat, lon = d.get("lat"), d.get("lon")
    if lat is None or lon is None:
        for other in g.nodes:
            o = g.nodes[other]
            if o["type"] == "Country" and o["country"] == d["country"] and o.get("lat") is not None:
                lat, lon = o["lat"] + 0.8, o["lon"] + 0.8
                break
    if lat is None or lon is None:
        return None
    return lon * SCALE, -lat * SCALE


def _tooltip(g: nx.DiGraph, node: str) -> str:
    d = g.nodes[node]
    lines = [f"{d['label']} ({d['type']}, {d['country']})"]
    if d["aliases"]:
        lines.append("also: " + ", ".join(sorted(d["aliases"])))
    lines.append(f"{g.in_degree(node)} legs in, {g.out_degree(node)} legs out")
    return "\n".join(lines)


def _edge_tooltip(g: nx.DiGraph, a: str, b: str) -> str:
    d = g.edges[a, b]
    crossing = f", crossing {', '.join(d['crosses'])}" if d.get("crosses") else ""
    head = (f"{g.nodes[a]['label']} → {g.nodes[b]['label']}{crossing}: {d['n_trains']} train(s), "
            f"{d['n_documents']} article(s)")
    if d["km"] is not None:
        head += f", {d['km']:.0f} km"
    body = [f"[{e['document']}] {e['sentence']}" for e in d["evidence"]]
    return "\n".join([head, *body])


SIZE_METRICS = ("degree", "betweenness", "pagerank")
HIGHLIGHT = "#ff9900"


def filter_network(
    g: nx.DiGraph,
    *,
    around: str | None = None,
    hops: int = 1,
    country: str | None = None,
    min_trains: int = 1,
) -> nx.DiGraph:
    """A view of the network narrowed to what an analyst asked to see.

    Parameters
    ----------
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
    if size_by is None:
        return {n: 8 + 3 * min(g.degree(n), 10) for n in g}
    if size_by not in SIZE_METRICS:
        raise InputError(f"unknown --size-by {size_by!r}: use one of {', '.join(SIZE_METRICS)}")
    scores = (dict(g.degree()) if size_by == "degree" else
              nx.betweenness_centrality(g) if size_by == "betweenness" else pagerank(g))
    top = max(scores.values(), default=0) or 1
    return {n: 8 + 32 * scores.get(n, 0) / top for n in g}


def network_data(
    g: nx.DiGraph,
    *,
    layout: str = "geo",
    size_by: str | None = None,
    highlight: list[str] | None = None,
) -> dict[str, Any]:
    """Nodes, edges and options for vis-network, built with pyvis.

    ``highlight`` is a path (list of node ids) drawn in orange over the rest.
    """
    from pyvis.network import Network

    if layout not in ("geo", "force"):
        raise InputError(f"unknown layout {layout!r}: use geo or force")
    net = Network(directed=True)
    sizes = _sizes(g, size_by)
    on_path = set(highlight or [])
    path_edges = set(zip(highlight or [], (highlight or [])[1:]))
    for n in g:
        d = g.nodes[n]
        kwargs: dict[str, Any] = {}
        pos = _position(g, n) if layout == "geo" else None
        if pos is not None:
            kwargs.update(x=pos[0], y=pos[1], physics=False, fixed=True)
        colour: Any = COLOURS.get(d["type"], "#999")
        if g.degree(n) == 0:  # mentioned, but on no reported route: drawn faint
            colour = {"background": colour + "55", "border": colour + "88"}
        if n in on_path:
            colour = {"background": colour if isinstance(colour, str) else COLOURS.get(d["type"], "#999"),
                      "border": HIGHLIGHT}
            kwargs["borderWidth"] = 4
        net.add_node(n, label=d["label"], title=_tooltip(g, n), color=colour, size=sizes[n], **kwargs)
    for a, b, d in g.edges(data=True):
        extra: dict[str, Any] = {}
        if (a, b) in path_edges or (b, a) in path_edges:
            extra["color"] = HIGHLIGHT
        net.add_edge(a, b, title=_edge_tooltip(g, a, b), width=1 + 1.5 * min(d["n_trains"], 8),
                     arrows="to", **extra)
    options = {
        "physics": {"enabled": layout == "force", "stabilization": {"iterations": 200}},
        "interaction": {"hover": True, "tooltipDelay": 100},
        "edges": {"smooth": False, "color": {"inherit": False, "color": "#888"}},
        "nodes": {"shape": "dot", "font": {"size": 14}},
    }
    return {"nodes": net.nodes, "edges": net.edges, "options": options}


def _script_json(data: Any) -> str:
    """JSON safe inside a <script> element: no '<', '>' or '&' survive literally."""
    text = json.dumps(data, ensure_ascii=False)
    return text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e")


def render_html(g: nx.DiGraph, *, layout: str = "geo", title: str = "kg route network",
                size_by: str | None = None, highlight: list[str] | None = None) -> str:
    """The whole self-contained HTML page for a network."""
    import html

    data = network_data(g, layout=layout, size_by=size_by, highlight=highlight)
    js, css = _vis_assets()
    template = (DATA / "viz_template.html").read_text(encoding="utf-8")
    legend = "".join(
        f'<span class="kg-key"><span class="kg-dot" style="background:{c}"></span>{t}</span>'
        for t, c in COLOURS.items() if t != "Cargo")
    stats = f"{len(data['nodes'])} places, {len(data['edges'])} legs"
    return fill_template(template, {
        "TITLE": html.escape(title),
        "STATS": html.escape(stats),
        "LEGEND": legend,
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
    """Write the interactive graph to ``path`` and return it.

    Parameters
    ----------
    path
        Output ``.html`` file.
    graph
        A network from :func:`kg.network.route_network` (read from ``store`` when None).
    layout
        ``geo`` (places at their longitude/latitude, fixed) or ``force`` (physics).
    size_by
        Node size by ``degree``, ``betweenness`` or ``pagerank`` (default: degree, capped).
    around, hops, country, min_trains
        Filters, see :func:`filter_network`.
    path_between
        ``(FROM, TO)``: highlight the answer of ``kg path`` on the network.
    path_only
        With ``path_between``, draw only the path.

    Raises
    ------
    InputError
        For a bad filter or ``path`` (a folder, or in a missing folder).
    OutputError
        When the file cannot be written (full disk, no permission).
    """
    from .network import find_paths

    g = graph if graph is not None else route_network(store=store)
    highlight = None
    if path_between is not None:
        answers = find_paths(*path_between, graph=g)
        if not answers:
            raise InputError(f"no reported route connects {path_between[0]} and {path_between[1]}; "
                             "`kg path` lists the nearest reachable places")
        highlight = answers[0].iris
        if path_only:
            g = g.subgraph(highlight)
    g = filter_network(g, around=around, hops=hops, country=country, min_trains=min_trains)
    from ._files import write_file

    page = render_html(g, layout=layout, size_by=size_by, highlight=highlight)
    return write_file(path, page.encode("utf-8"), example="routes.html")
