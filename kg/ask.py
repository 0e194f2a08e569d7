"""``kg ask``: plain-English questions about the route network, in any wording.

A question is read in two passes, without a parser model (read-only commands never import
spaCy):

1. **Place spans.**  Every run of up to five words is looked up among the network's place names
   and aliases and the countries' names, official names and ISO codes (any case; hyphens and
   arrows split names: "the Nantong-Hairatan train", "Nantong → Hairatan").  The words just
   before a span, and the separator between two spans, give it a role: ``origin`` ("from",
   "leaving"), ``destination`` ("to", "arrives in"), ``via`` ("through", "passes"), ``avoid``
   ("avoiding"), ``removed`` ("if ... closes") or ``any``.
2. **Kind.**  Cue words score each kind (route/path, through, from, to, cargo, what-if,
   chokepoints, when, how many) and the roles found add to the kinds they fit; the best
   scoring kind whose needs are met is answered.

When it cannot tell, the error says which part it could not read (a word that looks like a
place but is none, a missing second place, no question word) and offers the closest question
it can answer.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx

from ._errors import InputError, UnknownPlaceError
from .dates import describe as describe_date
from .gazetteer import fold
from .network import (
    Where,
    _countries,
    central,
    explain_no_path,
    find_paths,
    label,
    resolve_where,
    route_network,
)

KINDS = ("path", "through", "from", "to", "cargo", "whatif", "chokepoints", "when", "count")
EXAMPLES = (
    "Nantong to Hairatan via?",
    "How do trains get from Chongqing to Duisburg?",
    "Which ports connect Zhengzhou and Liège?",
    "What goes through Alashankou?",
    "Where do trains from Jinhua go?",
    "What arrives in Duisburg?",
    "Which cargo goes to Kazakhstan?",
    "What if Horgos closes?",
    "Which border crossing is most important?",
    "When did the Nantong-Hairatan train leave?",
    "How many trains go to Germany?",
)

# Cue words: (pattern over the lower-cased question, kind, weight).
_CUES: list[tuple[str, str, float]] = [
    (r"\bhow (?:do|does|can|could|would|to)\b", "path", 1.0),
    (r"\b(?:routes?|path|paths|way|ways|itinerar\w*|journey|line)\b", "path", 1.0),
    (r"\bget(?:s|ting)? (?:from|to)\b", "path", 1.0),
    (r"\b(?:connect\w*|link\w*|between|join\w*)\b", "path", 1.5),
    (r"\bvia\s*$", "path", 2.0),
    (r"\b(?:through|thru|via|pass\w*|transit\w*|cross\w*|across|traverse\w*)\b", "through", 2.0),
    (r"\b(?:from|leav\w*|left|depart\w*|outbound|originat\w*|sent from|start\w* (?:in|at|from))\b", "from", 1.0),
    (r"\bwhere\b.*\b(?:go|goes|head|heading|bound)\b", "from", 2.0),
    (r"\bdestinations?\b", "from", 2.0),
    (r"\b(?:arriv\w*|reach\w*|bound for|end\w* (?:in|at|up)|terminat\w*|inbound|incoming|come\w* (?:to|into|in))\b",
     "to", 1.5),
    (r"\bwhere\b.*\bcome\w*\b.*\bfrom\b|\borigins?\b", "to", 2.0),
    (r"\b(?:cargo|goods|products?|commodit\w*|merchandise|exports?|imports?)\b", "cargo", 2.5),
    (r"\b(?:what|which)\s+(?:kinds? of\s+|types? of\s+|sorts? of\s+)?(?:cargo|goods|products?|commodit\w*|items?|"
     r"merchandise|freight)\b", "cargo", 3.0),
    (r"\b(?:carr(?:y|ies|ied|ying)|loaded|load|shipp(?:ed|ing)|ships|transported|hauled|hauls?)\b", "cargo", 4.5),
    (r"\bwhat if\b|\bwhat happens\b|\bsuppose\b|\bimagine\b|\bwould happen\b", "whatif", 2.0),
    (r"\b(?:clos\w*|shut\w*|block\w*|disrupt\w*|remov\w*|fail\w*|sanction\w*|goes down|out of (?:service|action)|"
     r"lost|loses?|losing|breaks?)\b", "whatif", 2.0),
    (r"\bmost (?:important|central|used|critical|busy|connected)\b|\bbusiest\b|\bchoke ?points?\b|"
     r"\bbottlenecks?\b|\bkey\b|\bcritical\b|\bcentral(?:ity)?\b|\bhubs?\b|\bimportant\b|\brank\w*\b|\bmain\b|"
     r"\bmatters? most\b|\bvital\b|\bstrategic\b", "chokepoints", 2.5),
    (r"\b(?:most|top|rank\w*|league)\b", "chokepoints", 1.0),
    (r"^\s*when\b|\bsince when\b|\bwhat (?:day|date|year|month|time)\b|\bwhich (?:day|date|year|month)\b|"
     r"\b(?:on|in) what (?:day|date|year)\b|\bwhen (?:did|was|were|does|do|is|will)\b", "when", 7.0),
    (r"\bdates?\b|\bhow long ago\b|\bfirst (?:reported|launched|run)\b", "when", 3.0),
    (r"\bhow many\b|\bnumber of\b|\bcount\b|\bhow often\b|\btotal of\b", "count", 8.0),
]
# Role cues: the text between the previous span (or the start) and a span must end with one.
_ROLE_BEFORE: list[tuple[str, str]] = [
    (r"\b(?:avoid\w*|bypass\w*|not (?:through|via|passing)|except|excluding|skipping)\s*(?:the\s+)?$", "avoid"),
    (r"\b(?:clos\w*|shut\w*|block\w*|without|lose|loses|losing|loss of|remov\w*)\s*(?:the\s+)?$", "removed"),
    (r"\b(?:from|leav\w*|left|depart\w*(?: from)?|out of|start\w*(?: in| at| from)?|originat\w*(?: in| at| from)?|"
     r"between)\s*(?:the\s+)?(?:city of\s+|port of\s+)?$", "origin"),
    (r"\b(?:via|through|thru|past|pass\w*(?: through| via)?|across|cross\w*|transit\w*(?: through| via)?|"
     r"over|by way of)\s*(?:the\s+)?$", "via"),
    (r"\b(?:arriv\w* (?:in|at)|reach\w*|bound for|head\w* (?:to|for|towards)|end\w* (?:in|at|up in)|"
     r"terminat\w* (?:in|at)|destined for|to|for|towards?|into|arriv\w*)\s*(?:the\s+)?(?:city of\s+|port of\s+)?$",
     "destination"),
]
_PAIR_SEPARATOR = re.compile(r"^\s*(?:-|–|—|→|->|=>|>|to|and on to|then|and|with|,)\s*$", re.I)
_REMOVED_AFTER = re.compile(r"^\s*(?:port\s+|crossing\s+)?(?:closes|closed|close|shuts|shut|is (?:closed|shut|blocked)|"
                            r"were (?:closed|shut)|goes down|fails|is cut|is lost|gets? blocked)\b", re.I)
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")
_NOT_NAMES = frozenset({
    "a", "an", "the", "to", "from", "in", "at", "of", "and", "or", "via", "port", "ports", "city", "cities",
    "train", "trains", "what", "which", "how", "many", "if", "is", "are", "do", "does", "go", "goes", "it",
    "on", "for", "by", "with", "me", "us", "any", "all", "rail", "border", "country", "countries", "more",
})
# Two-letter words that are also ISO codes (IS Iceland, BY Belarus ...): never read as a country.
_SHORT_WORDS = frozenset({"is", "do", "it", "no", "at", "by", "to", "in", "me", "my", "so", "am", "be", "us", "or",
                          "as", "an", "id", "la", "pe", "tv", "ok", "hi"})
_QUESTION_WORDS = frozenset({
    "what", "which", "how", "where", "when", "who", "why", "is", "are", "do", "does", "did", "can", "could",
    "would", "show", "list", "tell", "give", "find", "name", "i", "we", "if", "suppose", "imagine", "many",
})
_COUNTED = [
    (r"\blegs?\b", "legs"), (r"\broutes?\b|\bservices?\b|\bconnections?\b|\blines?\b", "routes"),
    (r"\barticles?\b|\breports?\b|\bsources?\b|\bdocuments?\b", "articles"),
    (r"\bports?\b|\bcrossings?\b|\bborder\b", "ports"), (r"\bcountr(?:y|ies)\b", "countries"),
    (r"\btrains?\b|\bjourneys?\b|\btrips?\b|\bshipments?\b", "trains"),
]


@dataclass
class Span:
    """A place named in the question, with what it is and the role the wording gives it."""

    text: str
    start: int
    end: int
    where: Where
    role: str = "any"


@dataclass
class Reading:
    """What a question was read as: its kind, its places and the score of every kind."""

    question: str
    kind: str | None
    spans: list[Span]
    scores: dict[str, float]
    unread: list[str] = field(default_factory=list)

    @property
    def places(self) -> list[str]:
        """Labels of the places named, in order."""
        return [s.where.label for s in self.spans]

    def role(self, *roles: str) -> list[Span]:
        """The spans with one of these roles."""
        return [s for s in self.spans if s.role in roles]


@dataclass
class Answer:
    """What a question was read as, and the answer."""

    question: str
    kind: str
    text: list[str]
    data: Any = field(default=None)
    places: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"question": self.question, "kind": self.kind, "places": self.places, "answer": self.text,
                "data": self.data}


# -- reading ---------------------------------------------------------------------------------
def name_index(g: nx.DiGraph) -> dict[str, Where]:
    """Folded name -> place, for the network's places and every country (names and official names)."""
    index: dict[str, Where] = {}
    for node, d in g.nodes(data=True):
        where = Where(d["label"], node, d["country"] if d["type"] == "Country" else None)
        for n in (d["label"], *d.get("aliases", ())):
            key = fold(n)
            if key and key not in _NOT_NAMES:
                index.setdefault(key, where)
                index.setdefault(key.replace("-", " "), where)
    for code, country in _countries().countries.items():
        node = next((n for n, d in g.nodes(data=True) if d["type"] == "Country" and d["country"] == code), None)
        where = Where(country.label, node, code)
        for n in (country.label, *country.aliases):
            index.setdefault(fold(n), where)
    return index


def _spans(question: str, g: nx.DiGraph, index: dict[str, Where]) -> list[Span]:
    words = list(_WORD.finditer(question))
    codes = _countries().countries
    out: list[Span] = []
    i = 0
    while i < len(words):
        found = None
        for n in range(min(5, len(words) - i), 0, -1):
            a, b = words[i].start(), words[i + n - 1].end()
            raw = question[a:b]
            if n > 1 and re.search(r"[^\w\s'’-]", raw):
                continue
            where = index.get(fold(raw)) or index.get(fold(raw.replace("-", " ")))
            if where is None and n == 1 and re.fullmatch(r"[A-Z]{2}", raw) and raw in codes and \
                    not question.isupper() and raw.lower() not in _SHORT_WORDS:
                where = resolve_where(g, raw)
            if where is not None:
                found = Span(raw, a, b, where)
                i += n
                break
        if found is None:
            i += 1
        else:
            out.append(found)
    return out


def _assign_roles(question: str, spans: list[Span]) -> None:
    low = question.lower()
    previous_end = 0
    for k, span in enumerate(spans):
        before = low[max(previous_end, span.start - 40):span.start]
        for pattern, role in _ROLE_BEFORE:
            if re.search(pattern, before):
                span.role = role
                break
        if _REMOVED_AFTER.match(low[span.end:span.end + 30]):
            span.role = "removed"
        if k > 0 and _PAIR_SEPARATOR.match(low[spans[k - 1].end:span.start]):
            first = spans[k - 1]
            between = low[spans[k - 1].end:span.start].strip()
            if between in ("and", "with", ","):
                if first.role == "origin" or re.search(r"\b(?:connect\w*|link\w*|between|join\w*)\b", low):
                    first.role, span.role = "origin", "destination"
                elif first.role == "removed":
                    span.role = "removed"
                elif first.role in ("via", "avoid", "destination") and span.role == "any":
                    span.role = first.role
            elif first.role in ("any", "origin"):
                first.role, span.role = "origin", "destination"
        previous_end = span.end
    roles = [s.role for s in spans]
    if roles.count("any") == 1 and len(spans) >= 2:  # "Is Duisburg reachable from Chongqing?"
        free = next(s for s in spans if s.role == "any")
        if "origin" in roles and "destination" not in roles:
            free.role = "destination"
        elif "destination" in roles and "origin" not in roles:
            free.role = "origin"


def _unread(question: str, spans: list[Span], index: dict[str, Where]) -> list[str]:
    """Words that look like a place name (capitalised, or after from/to/via) but are none."""
    covered = [(s.start, s.end) for s in spans]
    out = []
    words = list(_WORD.finditer(question))
    for k, w in enumerate(words):
        if any(a <= w.start() < b for a, b in covered):
            continue
        text = w.group()
        low = text.lower()
        prev = words[k - 1].group().lower() if k else ""
        cue = prev in ("from", "to", "via", "through", "in", "at", "between", "and", "pass", "passes", "past",
                       "leave", "leaves", "closes", "close", "avoid", "avoiding")
        capital = text[:1].isupper() and k > 0 and not question.isupper()
        if (capital or cue) and low not in _NOT_NAMES and low not in _QUESTION_WORDS and len(text) > 2 \
                and not any(re.search(p, low) for p, _, _ in _CUES) and not re.search(r"\d", text):
            out.append(text)
    return out


def _scores(question: str, spans: list[Span], *, placeless: bool = False) -> dict[str, float]:
    low = question.lower().strip()
    scores = dict.fromkeys(KINDS, 0.0)
    for pattern, kind, weight in _CUES:
        if re.search(pattern, low):
            scores[kind] += weight
    roles = [s.role for s in spans]
    if "origin" in roles and "destination" in roles:
        scores["path"] += 3.0
    if "via" in roles and "origin" not in roles and "destination" not in roles:
        scores["through"] += 2.0
    if "origin" in roles and "destination" not in roles:
        scores["from"] += 2.0
    if "destination" in roles and "origin" not in roles:
        scores["to"] += 2.0
    if "removed" in roles:
        scores["whatif"] += 2.0
    if len(spans) >= 2 and "via" not in roles and scores["through"] <= 2:
        scores["path"] += 1.0
    if not spans and not placeless:
        for kind in ("path", "through", "from", "to", "whatif"):
            scores[kind] = 0.0
    if scores["whatif"] < 3.5 and "removed" not in roles:  # "closes" alone is no what-if without a place
        scores["whatif"] = min(scores["whatif"], 2.0)
    return scores


_NEEDS = {"path": 2, "through": 1, "from": 1, "to": 1, "whatif": 1}


def read_question(question: str, g: nx.DiGraph, *, index: dict[str, Where] | None = None) -> Reading:
    """Read a question: its place spans with roles, the score of every kind, and the kind chosen.

    ``kind`` is None when no kind scores or the best one lacks the places it needs; ``unread``
    lists the words that looked like place names but are none.
    """
    index = index if index is not None else name_index(g)
    spans = _spans(question, g, index)
    _assign_roles(question, spans)
    scores = _scores(question, spans)
    ranked = sorted((k for k in KINDS if scores[k] > 0), key=lambda k: (-scores[k], KINDS.index(k)))
    kind = next((k for k in ranked if len(spans) >= _NEEDS.get(k, 0)), None)
    if kind is None and ranked:
        kind = None
    reading = Reading(question, kind, spans, scores, _unread(question, spans, index))
    if kind == "through" and not reading.role("via"):
        for s in spans:
            if s.role == "any":
                s.role = "via"
    if kind == "whatif" and not reading.role("removed"):
        for s in spans:
            if s.role in ("any", "via"):
                s.role = "removed"
    if kind == "path" and not (reading.role("origin") and reading.role("destination")):
        free = [s for s in spans if s.role in ("any", "origin", "destination")]
        if len(free) >= 2:
            free[0].role, free[-1].role = "origin", "destination"
    return reading


def _cannot(reading: Reading, g: nx.DiGraph, index: dict[str, Where]) -> InputError:
    """The error for a question that cannot be answered: what was not read, and the closest question."""
    q = reading.question
    parts = []
    for word in reading.unread:
        close = difflib.get_close_matches(fold(word), list(index), n=1, cutoff=0.7)
        hint = f" (closest: {index[close[0]].label})" if close else ""
        parts.append(f"could not read {word!r} as a place in the graph{hint}")
    # Guess the kind as if the unread words were places, to say what is missing.
    pseudo = sorted(reading.spans + [Span(m.group(), m.start(), m.end(), Where(m.group()))
                                     for w in reading.unread for m in [re.search(re.escape(w), q)] if m],
                    key=lambda sp: sp.start)
    _assign_roles(q, pseudo)
    guess = _scores(q, pseudo, placeless=True)
    best = max(KINDS, key=lambda k: (guess[k], -KINDS.index(k)))
    places = reading.places
    if guess[best] <= 0:
        parts.append("found no question word kg knows" + (f" (read the place{'s' if len(places) > 1 else ''} "
                                                            f"{', '.join(places)})" if places else " and no place"))
    elif len(places) < _NEEDS.get(best, 0):
        parts.append(f"read it as a {best} question, which needs {_NEEDS[best]} place"
                     f"{'s' if _NEEDS[best] > 1 else ''}, but found {len(places) or 'none'}"
                     + (f" ({', '.join(places)})" if places else ""))
    else:
        parts.append(f"read the place{'s' if len(places) > 1 else ''} {', '.join(places)} but not what is asked")
    suggestion = _closest(reading, best if guess[best] > 0 else "through", index, reading.unread, g)
    return InputError(f"cannot answer {q!r}: {'; '.join(parts)}. Closest question kg can answer: {suggestion!r} "
                      f"(other questions that work: {' | '.join(EXAMPLES[:4])})")


def _closest(reading: Reading, best: str, index: dict[str, Where], unread: list[str], g: nx.DiGraph) -> str:
    names = reading.places + [index[c[0]].label for w in unread
                              if (c := difflib.get_close_matches(fold(w), list(index), n=1, cutoff=0.7))]
    ports = sorted((n for n in g if g.nodes[n]["type"] == "Port" and g.degree(n) > 0), key=lambda n: -g.degree(n))
    if not names and best in ("through", "whatif", "from", "to") and ports:
        names = [g.nodes[ports[0]]["label"]]
    if len(names) >= 2:
        return f"{names[0]} to {names[1]}?"
    if names:
        one = names[0]
        return {"from": f"Where do trains from {one} go?", "path": f"Where do trains from {one} go?", "to": f"What arrives in {one}?",
                "cargo": f"Which cargo goes to {one}?", "whatif": f"What if {one} closes?",
                "when": f"When did trains from {one} leave?", "count": f"How many trains go through {one}?",
                }.get(best, f"What goes through {one}?")
    return {"chokepoints": "Which border crossing is most important?", "count": "How many trains are there?",
            "cargo": "Which cargo goes to Kazakhstan?"}.get(best, EXAMPLES[0])


# -- answering -------------------------------------------------------------------------------
def _trains(g: nx.DiGraph) -> dict[str, dict[str, Any]]:
    return g.graph.get("trains") or {}


def _select(g: nx.DiGraph, reading: Reading) -> dict[str, dict[str, Any]]:
    """Trains that fit every place of the question, by its role (``any``: starts, ends or passes there)."""
    out = {}
    for t, info in _trains(g).items():
        ok = True
        for s in reading.spans:
            w = s.where
            at_origin = info["origin"] is not None and w.matches(g, info["origin"])
            at_end = any(w.matches(g, d) for d in info["destinations"])
            passing = any(w.matches(g, v) for v in info["via"])
            fits = {"origin": at_origin, "destination": at_end, "via": passing, "avoid": not (at_origin or at_end or passing),
                    "removed": at_origin or at_end or passing}.get(s.role, at_origin or at_end or passing)
            ok = ok and fits
        if ok:
            out[t] = info
    return out


def _train_line(g: nx.DiGraph, info: dict[str, Any]) -> str:
    origin = label(g, info["origin"]) if info["origin"] else "?"
    ends = ", ".join(sorted(label(g, d) for d in info["destinations"])) or "?"
    via = f" via {', '.join(label(g, v) for v in info['via'])}" if info["via"] else ""
    planned = " (planned)" if info["status"] == "planned" else ""
    return f"{origin} -> {ends}{via}{planned}  [{info['document']}]"


def _honest_count(g: nx.DiGraph, trains: dict[str, dict[str, Any]], r: Reading | None = None) -> str:
    routes = _routes_for(g, r, trains) if r is not None else \
        {(i["origin"], d) for i in trains.values() for d in (i["destinations"] or [None])}
    docs = {i["document"] for i in trains.values()}
    n = len(trains)
    return (f"{n} train{'s' if n != 1 else ''} on {len(routes)} route{'s' if len(routes) != 1 else ''} "
            f"(origin-destination pairs) in {len(docs)} article{'s' if len(docs) != 1 else ''}")


def _answer_path(g: nx.DiGraph, r: Reading) -> Answer:
    (a,), (b,) = r.role("origin")[:1], r.role("destination")[-1:]
    via = [s.text for s in r.role("via")]
    avoid = [s.text for s in r.role("avoid")]
    answers = find_paths(a.text, b.text, via=via, avoid=avoid, k=3, graph=g)
    if not answers and re.search(r"\b(?:connect\w*|link\w*|between|join\w*)\b", r.question.lower()):
        answers = find_paths(b.text, a.text, via=via, avoid=avoid, k=3, graph=g)
    if not answers:
        return Answer(r.question, "path", explain_no_path(g, a.text, b.text, via=via, avoid=avoid), [])
    lines = []
    ports = list(dict.fromkeys(g.nodes[n]["label"] for ans in answers for n in ans.iris[1:-1]
                               if g.nodes[n]["type"] == "Port"))
    for ans in answers:
        how = "one train" if ans.single_train else f"{len(ans.rides)} trains"
        lines.append(f"{ans.describe()}  ({how})")
        for leg in ans.legs:
            for e in leg.evidence[:1]:
                lines.append(f"   {leg.describe()}: [{e['document']}] {e['sentence']}")
        lines += [f"   note: {n}" for n in ans.notes]
    if re.search(r"\bports?\b|\bcrossings?\b|\bborder\b", r.question.lower()):
        lines.insert(0, f"Ports on the way: {', '.join(ports) if ports else 'none named'}")
    lines += [f"note: {n}" for n in answers.notes]
    return Answer(r.question, "path", lines, [x.as_dict() for x in answers])


def _answer_trains(g: nx.DiGraph, r: Reading, kind: str) -> Answer:
    chosen = _select(g, r)
    where = ", ".join(r.places)
    verb = {"through": "pass through", "from": "leave", "to": "go to"}[kind]
    if kind == "through":
        head = f"{_honest_count(g, chosen, r)}: trains that pass through {where}"
        data: Any = [{"origin": label(g, i["origin"]) if i["origin"] else None,
                      "destinations": [label(g, d) for d in i["destinations"]], "train": t}
                     for t, i in chosen.items()]
        ends = {t for t, i in _trains(g).items() if any(s.where.matches(g, d) for s in r.spans for d in i["destinations"])}
        extra = [f"({len(ends)} more train(s) end there: ask 'What arrives in {where}?')"] \
            if ends and len(r.spans) == 1 else []
    elif kind == "from":
        dests = sorted({label(g, d) for i in chosen.values() for d in i["destinations"]})
        head = f"{_honest_count(g, chosen, r)} leave {where}; destinations: {', '.join(dests) or 'none named'}"
        data, extra = dests, []
    else:
        origins = sorted({label(g, i["origin"]) for i in chosen.values() if i["origin"]})
        head = f"{_honest_count(g, chosen, r)} go to {where}; from: {', '.join(origins) or 'no origin named'}"
        data, extra = origins, []
    if not chosen:
        head = f"No reported train is said to {verb} {where}."
    return Answer(r.question, kind, [head, *[f"  {_train_line(g, i)}" for i in chosen.values()], *extra], data)


def _answer_cargo(g: nx.DiGraph, r: Reading) -> Answer:
    chosen = _select(g, r)
    cargo = sorted({c for i in chosen.values() for c in i["cargo"]})
    scope = " ".join(f"{ {'origin': 'from', 'destination': 'to', 'via': 'through'}.get(s.role, 'at')} {s.where.label}"
                     for s in r.spans) or "on reported trains"
    head = f"Cargo reported {scope}: {', '.join(cargo) if cargo else 'none reported'}"
    lines = [head] + [f"  {_train_line(g, i)}: {', '.join(i['cargo']) or 'cargo not named'}" for i in chosen.values()]
    return Answer(r.question, "cargo", lines, cargo)


def _answer_whatif(g: nx.DiGraph, r: Reading) -> Answer:
    from .analysis import whatif

    names = [s.text for s in r.role("removed")] or [s.text for s in r.spans]
    result = whatif(names, graph=g)
    lines = [f"If {', '.join(result.removed)} closed:", *[f"  note: {n}" for n in result.notes]]
    lines.append(f"  {len(result.lost)} origin-destination pair(s) ({sum(x['trains'] for x in result.lost)} train(s)) "
                 "lose every reported route" + (": " + "; ".join(f"{x['from']} -> {x['to']}" for x in result.lost)
                                                if result.lost else ""))
    lines.append(f"  {len(result.longer)} get longer" + (": " + "; ".join(
        f"{x['from']} -> {x['to']} now {' -> '.join(x['path_after'])}" for x in result.longer) if result.longer else ""))
    lines.append(f"  {result.unchanged} unchanged")
    return Answer(r.question, "whatif", lines, result.as_dict())


def _answer_chokepoints(g: nx.DiGraph, r: Reading) -> Answer:
    low = r.question.lower()
    if re.search(r"\bcountr(?:y|ies)\b", low):
        rows = central(types=["Country"], top=5, graph=g)
        lines = ["Countries by legs crossing them:"] + [f"  {x['label']}: {x['legs']} leg(s), {x['trains']} train(s)"
                                                          for x in rows]
        return Answer(r.question, "chokepoints", lines, rows)
    types = ["Port"] if re.search(r"\bports?\b|\bcrossings?\b|\bborder\b|\bfrontier\b|\bgateways?\b", low) else []
    metric = "degree" if re.search(r"\bbusiest\b|\bmost used\b|\bmost connected\b", low) else "betweenness"
    rows = central(metric=metric, types=types, top=5, graph=g)
    what = "ports" if types else "cities and ports"
    lines = [f"{what.capitalize()} by {metric} (the share of shortest routes through them):" if metric == "betweenness"
             else f"{what.capitalize()} by legs (degree):"]
    lines += [f"  {x['label']} ({x['type']}, {x['country']}): {x['score']:.4g}" for x in rows]
    return Answer(r.question, "chokepoints", lines, rows)


def _answer_when(g: nx.DiGraph, r: Reading) -> Answer:
    chosen = _select(g, r)
    rows = []
    for t, i in chosen.items():
        when = (f"departed {describe_date(i['date'], i.get('date_precision'))}" if i["date"]
                else f"reported in an article of {i['published']}" if i["published"] else "no date reported")
        rows.append({"train": t, "date": i["date"], "date_precision": i.get("date_precision") if i["date"] else None,
                     "published": i["published"], "line": _train_line(g, i), "when": when})
    rows.sort(key=lambda x: (x["date"] or x["published"] or "9999"))
    if not rows:
        return Answer(r.question, "when", [f"No reported train fits {', '.join(r.places) or 'the question'}."], [])
    lines = [f"{_honest_count(g, chosen, r)}:"] + [f"  {x['line']}: {x['when']}" for x in rows]
    return Answer(r.question, "when", lines, rows)


def _legs_for(g: nx.DiGraph, r: Reading) -> list[tuple[str, str]]:
    """Legs the places of a question select: crossing a country (``via``), or touching the place."""
    out = []
    for a, b, d in g.edges(data=True):
        ok = True
        for s in r.spans:
            crossed = any(s.where.crossed_by(g, c) for c in d.get("crossings", {}))
            touches = s.where.matches(g, a) or s.where.matches(g, b)
            ok = ok and {"via": crossed or (s.where.country is None and touches),
                         "origin": s.where.matches(g, a), "destination": s.where.matches(g, b)}.get(
                s.role, crossed or touches)
        if ok:
            out.append((a, b))
    return out


def _routes_for(g: nx.DiGraph, r: Reading, trains: dict[str, dict[str, Any]]) -> set[tuple[str | None, str | None]]:
    """Origin-destination pairs of the trains, keeping only destinations the question names (if it names one)."""
    ends = r.role("destination")
    return {(i["origin"], d) for i in trains.values() for d in (i["destinations"] or [None])
            if not ends or (d is not None and any(s.where.matches(g, d) for s in ends))}


def _answer_count(g: nx.DiGraph, r: Reading) -> Answer:
    low = r.question.lower()
    counted = next((name for pattern, name in _COUNTED if re.search(pattern, low)), "trains")
    chosen = _select(g, r)
    scope = " ".join(f"{ {'origin': 'from', 'destination': 'to', 'via': 'through'}.get(s.role, 'at')} {s.where.label}"
                     for s in r.spans)
    scope = f" {scope}" if scope else ""
    if counted == "legs":
        n = len(_legs_for(g, r))
        return Answer(r.question, "count", [f"{n} leg{'s' if n != 1 else ''} (place-to-place edges of the network)"
                                            f"{scope.replace(' through ', ' crossing ')}"], {"legs": n})
    if counted == "ports":
        ports = sorted({g.nodes[x]["label"] for x in g if g.nodes[x]["type"] == "Port" and g.degree(x) > 0})
        return Answer(r.question, "count", [f"{len(ports)} ports are on reported routes: {', '.join(ports)}"],
                      {"ports": len(ports)})
    if counted == "countries":
        rows = central(types=["Country"], top=1000, graph=g)
        return Answer(r.question, "count", [f"{len(rows)} countries are crossed by reported legs"],
                      {"countries": len(rows)})
    routes = _routes_for(g, r, chosen)
    docs = {i["document"] for i in chosen.values()}
    data = {"trains": len(chosen), "routes": len(routes), "articles": len(docs)}
    parts = {"trains": f"{len(chosen)} train{'s' if len(chosen) != 1 else ''}",
             "routes": f"{len(routes)} route{'s' if len(routes) != 1 else ''} (origin-destination pairs)",
             "articles": f"{len(docs)} article{'s' if len(docs) != 1 else ''}"}
    order = [counted] + [k for k in ("trains", "routes", "articles") if k != counted]
    text = f"{parts[order[0]]}{scope}: {parts[order[1]]}, {parts[order[2]]}"
    text += " (a train with several destinations counts once; each destination is a route)"
    return Answer(r.question, "count", [text, *[f"  {_train_line(g, i)}" for i in chosen.values()]], data)


def answer(reading: Reading, g: nx.DiGraph) -> Answer:
    """Answer a question already read with :func:`read_question`."""
    kind = reading.kind
    if kind == "path":
        out = _answer_path(g, reading)
    elif kind in ("through", "from", "to"):
        out = _answer_trains(g, reading, kind)
    elif kind == "cargo":
        out = _answer_cargo(g, reading)
    elif kind == "whatif":
        out = _answer_whatif(g, reading)
    elif kind == "chokepoints":
        out = _answer_chokepoints(g, reading)
    elif kind == "when":
        out = _answer_when(g, reading)
    else:
        out = _answer_count(g, reading)
    out.places = reading.places
    return out


def ask(question: str, *, store: str | Path | None = None, graph: nx.DiGraph | None = None) -> Answer:
    """Answer a plain-English question about the route network.

    Raises
    ------
    InputError
        When the question cannot be read: the message says which part, and the closest
        question that can be answered.
    """
    if not question.strip():
        raise InputError("the question is empty; try: " + " | ".join(EXAMPLES[:3]))
    g = graph if graph is not None else route_network(store=store)
    index = name_index(g)
    reading = read_question(question, g, index=index)
    if reading.kind is None:
        raise _cannot(reading, g, index)
    try:
        return answer(reading, g)
    except UnknownPlaceError as exc:  # a country kg knows but no place of the network
        raise InputError(f"cannot answer {question!r}: {exc}") from None


def kinds_of(questions: Iterable[str], g: nx.DiGraph) -> list[tuple[str | None, list[str]]]:
    """(kind, places) of each question: what the paraphrase tests compare."""
    index = name_index(g)
    return [(r.kind, r.places) for r in (read_question(q, g, index=index) for q in questions)]


__all__ = ["EXAMPLES", "KINDS", "Answer", "Reading", "answer", "ask", "read_question"]
