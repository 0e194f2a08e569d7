"""``kg ask``: plain-English questions mapped to paths, transits, destinations and cargo.

The question shapes are a small table of patterns (below); each maps to one library call.  A
question that fits none gets the list of shapes that work.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from ._errors import InputError
from .network import _matches, find_paths, resolve_place, route_network, train_ends

EXAMPLES = (
    "Nantong to Hairatan via?",
    "How do trains get from Chongqing to Duisburg?",
    "Which ports connect Zhengzhou and Liège?",
    "What goes through Alashankou?",
    "Where do trains from Jinhua go?",
    "Which cargo goes to Kazakhstan?",
)


@dataclass
class Answer:
    """What a question was read as, and the answer."""

    question: str
    kind: str
    text: list[str]
    data: Any = field(default=None)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"question": self.question, "kind": self.kind, "answer": self.text, "data": self.data}


def _paths(g: nx.DiGraph, a: str, b: str, k: int = 3) -> Answer:
    answers = find_paths(a, b, k=k, graph=g)
    if not answers:
        return Answer("", "path", [f"No reported route connects {a} and {b}."], [])
    lines = []
    for ans in answers:
        lines.append(" -> ".join(ans.places) + ("" if ans.directed else "  (against the reported direction)"))
        for leg in ans.legs:
            for e in leg.evidence[:1]:
                lines.append(f"   {leg.source} -> {leg.target}: [{e['document']}] {e['sentence']}")
    return Answer("", "path", lines, [a.as_dict() for a in answers])


def _ports_between(g: nx.DiGraph, a: str, b: str) -> Answer:
    answers = find_paths(a, b, k=10, graph=g)
    ports = list(dict.fromkeys(
        g.nodes[n]["label"] for ans in answers for n in ans.iris[1:-1] if g.nodes[n]["type"] == "Port"))
    if not answers:
        return Answer("", "ports", [f"No reported route connects {a} and {b}."], [])
    text = [f"Ports on reported routes from {a} to {b}: {', '.join(ports) if ports else 'none named'}"]
    text += [" -> ".join(ans.places) for ans in answers]
    return Answer("", "ports", text, ports)


def _through(g: nx.DiGraph, place: str) -> Answer:
    node = resolve_place(g, place)
    rows = []
    for a, b, d in g.edges(data=True):
        if _matches(g, b, node) and not _matches(g, a, node):
            for e in d["evidence"]:
                rows.append((g.nodes[a]["label"], e["document"], e["train"]))
    trains = sorted({r[2] for r in rows})
    routes = _train_ends(g, trains)
    text = [f"{len(routes)} reported train(s) pass through {g.nodes[node]['label']}:"]
    text += [f"  {o} -> {d}" for o, d in routes]
    return Answer("", "through", text, [{"origin": o, "destination": d} for o, d in routes])


def _train_ends(g: nx.DiGraph, trains: list[str]) -> list[tuple[str, str]]:
    ends = train_ends(g)
    return sorted({(g.nodes[ends[t][0]]["label"], g.nodes[ends[t][1]]["label"]) for t in trains if t in ends})


def _from(g: nx.DiGraph, place: str) -> Answer:
    node = resolve_place(g, place)
    trains = sorted({t for _, _, d in g.out_edges(node, data=True) for t in d["trains"]})
    dests = sorted({d for o, d in _train_ends(g, trains) if o == g.nodes[node]["label"]})
    text = [f"Trains from {g.nodes[node]['label']} go to: {', '.join(dests) if dests else 'no destination reported'}"]
    return Answer("", "destinations", text, dests)


def _cargo_to(place: str, store: str | Path | None) -> Answer:
    from .sparql import query

    table = query(
        "SELECT DISTINCT ?place ?cargo ?dest WHERE { ?t a kgo:Train ; kgo:destination ?d ; kgo:cargo/rdfs:label ?cargo . "
        "?d rdfs:label ?dest . { ?d (rdfs:label|skos:altLabel) ?n } UNION { ?d kgo:locatedIn/(rdfs:label|skos:altLabel) ?n } "
        "FILTER(LCASE(STR(?n)) = LCASE(STR(?place))) } ORDER BY ?cargo",
        store=store, bindings={"place": place})
    cargo = sorted({r["cargo"] for r in table.records()})
    text = [f"Cargo reported going to {place}: {', '.join(cargo) if cargo else 'none reported'}"]
    return Answer("", "cargo", text, cargo)


_NAME = r"(?P<{}>[\w'’\-. ]+?)"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^(?:how do (?:trains|goods|freight) (?:get|go|travel) )?from " + _NAME.format("a") + r" to "
                + _NAME.format("b") + r"$", re.I), "path"),
    (re.compile(r"^which (?:ports?|crossings?|border ports?) (?:connects?|link|links|lie between) "
                + _NAME.format("a") + r" (?:and|with|to) " + _NAME.format("b") + r"$", re.I), "ports"),
    (re.compile(r"^what (?:goes|passes|travels|runs) through " + _NAME.format("a") + r"$", re.I), "through"),
    (re.compile(r"^where do (?:the )?(?:trains|services|goods) from " + _NAME.format("a") + r" go$", re.I), "from"),
    (re.compile(r"^(?:which|what) (?:cargo|goods) (?:goes|go|is sent|are sent) to " + _NAME.format("a") + r"$", re.I), "cargo"),
    (re.compile(r"^" + _NAME.format("a") + r" to " + _NAME.format("b") + r"(?: via)?$", re.I), "path"),
]


def _answer(kind: str, g: nx.DiGraph, a: str, b: str, store: str | Path | None) -> Answer:
    if kind == "path":
        return _paths(g, a, b)
    if kind == "ports":
        return _ports_between(g, a, b)
    if kind == "through":
        return _through(g, a)
    if kind == "from":
        return _from(g, a)
    return _cargo_to(a, store)


def ask(question: str, *, store: str | Path | None = None, graph: nx.DiGraph | None = None) -> Answer:
    """Answer a plain-English question about the route network.

    Raises
    ------
    InputError
        When the question fits no known shape; the message lists examples that work.
    """
    q = re.sub(r"\s+", " ", question).strip().rstrip("?.! ").strip()
    for pattern, kind in _PATTERNS:
        m = pattern.match(q)
        if not m:
            continue
        g = graph if graph is not None else route_network(store=store)
        a, b = m.group("a").strip(), (m.groupdict().get("b") or "").strip()
        answer = _answer(kind, g, a, b, store)
        answer.question = question
        return answer
    raise InputError(f"cannot read the question {question!r}; questions that work: " + " | ".join(EXAMPLES))


__all__ = ["EXAMPLES", "Answer", "ask", "resolve_place"]
