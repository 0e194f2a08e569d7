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
from importlib import resources
from pathlib import Path
from typing import Any

import networkx as nx

from ._errors import InputError
from .gazetteer import DATA
from .network import route_network

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
    head = f"{g.nodes[a]['label']} → {g.nodes[b]['label']}: {d['n_trains']} train(s), {d['n_documents']} article(s)"
    if d["km"] is not None:
        head += f", {d['km']:.0f} km"
    body = [f"[{e['document']}] {e['sentence']}" for e in d["evidence"]]
    return "\n".join([head, *body])


def network_data(g: nx.DiGraph, *, layout: str = "geo", connected_only: bool = False) -> dict[str, Any]:
    """Nodes, edges and options for vis-network, built with pyvis."""
    from pyvis.network import Network

    if layout not in ("geo", "force"):
        raise InputError(f"unknown layout {layout!r}: use geo or force")
    net = Network(directed=True)
    nodes = [n for n in g if g.degree(n) > 0] if connected_only else list(g)
    for n in nodes:
        d = g.nodes[n]
        kwargs: dict[str, Any] = {}
        pos = _position(g, n) if layout == "geo" else None
        if pos is not None:
            kwargs.update(x=pos[0], y=pos[1], physics=False, fixed=True)
        colour = COLOURS.get(d["type"], "#999")
        if g.degree(n) == 0:  # mentioned, but on no reported route: drawn faint
            colour = {"background": colour + "55", "border": colour + "88"}
        net.add_node(n, label=d["label"], title=_tooltip(g, n), color=colour,
                     group=d["type"], size=8 + 3 * min(g.degree(n), 10), **kwargs)
    for a, b, d in g.edges(data=True):
        if a in nodes and b in nodes:
            net.add_edge(a, b, title=_edge_tooltip(g, a, b), width=1 + 1.5 * min(d["n_trains"], 8),
                         arrows="to")
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


def render_html(g: nx.DiGraph, *, layout: str = "geo", title: str = "kg route network") -> str:
    """The whole self-contained HTML page for a network."""
    import html

    data = network_data(g, layout=layout)
    js, css = _vis_assets()
    template = (DATA / "viz_template.html").read_text(encoding="utf-8")
    legend = "".join(
        f'<span class="kg-key"><span class="kg-dot" style="background:{c}"></span>{t}</span>'
        for t, c in COLOURS.items() if t != "Cargo")
    stats = f"{len(data['nodes'])} places, {len(data['edges'])} legs"
    return (template.replace("{{TITLE}}", html.escape(title))
            .replace("{{STATS}}", html.escape(stats))
            .replace("{{LEGEND}}", legend)
            .replace("{{VIS_CSS}}", css.replace("</style", "<\\/style"))
            .replace("{{DATA}}", _script_json(data))
            .replace("{{VIS_JS}}", js.replace("</script", "<\\/script")))


def write_html(
    path: str | Path,
    *,
    store: str | Path | None = None,
    graph: nx.DiGraph | None = None,
    layout: str = "geo",
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
    """
    g = graph if graph is not None else route_network(store=store)
    out = Path(path)
    if out.parent and not out.parent.exists():
        raise InputError(f"{out.parent}: no such folder for the HTML file; create it or pick another -o")
    out.write_text(render_html(g, layout=layout), encoding="utf-8")
    return out
