"""Text to facts: trains, their origins, destinations, ordered transit points, cargo and figures.

Extraction reads the grammar of each sentence, not its wording.  A place mention gets a role
(origin, destination, transit) from the word that governs it in the dependency parse: the
preposition it follows ("from", "to", "for", "via", "through", "between"), the verb it is the
object of ("left X", "reached Y", "links X to Y", "crossed Z"), or the train noun it names
("the X-Y freight train", "a Y-bound train").  A role only counts when that governor is tied
to a train: its subject is a train noun ("train", "service", "cargo", "it"...), or it modifies
one.  The word lists that drive this are data: ``kg/data/lexicon.json``.

Across sentences, a definite mention ("the train", "the cargo", "the journey", "it") continues
the current train; an indefinite one ("a freight train") or a clashing origin starts a new one.
A later destination inside the earlier destination's country refines it (Afghanistan ->
Hairatan).  Sentences inside quotation marks, existential "there are trains ..." sentences and
negated ones give no routes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from ._errors import InputError
from .gazetteer import DATA, Gazetteer, Place
from .mentions import find_mentions
from .model import Article, Mention, Route, Train

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span, Token

ORIGIN, DEST, VIA, BETWEEN, NAME = "origin", "destination", "via", "between", "name"
_LOADS = frozenset({"container", "containers", "teu", "teus", "tonne", "tonnes", "ton", "tons", "box", "boxes"})
_SEQUENCE_WORDS = frozenset({"before", "then", "finally", "eventually", "later", "onward", "onwards"})
NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "a": 1, "an": 1,
}
MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
DATELINE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Z .'\-]+),\s+(?P<month>[A-Z][a-z]{2,8})\.?\s+(?P<day>\d{1,2})"
    r"(?:,\s*(?P<year>\d{4}))?\s*\((?P<agency>[^)]+)\)\s*(?:--|—|–|-)\s*"
)
DATE_LINE = re.compile(r"^\s*date[:\s]+(\d{4}-\d{2}-\d{2})\b\s*", re.I)
ISO_DATE = re.compile(r"\b(20\d{2}|19\d{2})-(\d{2})-(\d{2})\b")
LONG_DATE = re.compile(r"\b([A-Z][a-z]{2,8})\.?\s+(\d{1,2}),\s+(\d{4})\b")


@dataclass(frozen=True)
class Lexicon:
    """Word lists that tie grammar to roles (loaded from ``kg/data/lexicon.json``)."""

    train_nouns: frozenset[str]
    motion_nouns: frozenset[str]
    destination_nouns: frozenset[str]
    origin_verbs: frozenset[str]
    arrive_verbs: frozenset[str]
    reach_verbs: frozenset[str]
    link_verbs: frozenset[str]
    cross_verbs: frozenset[str]
    for_heads: frozenset[str]
    cargo_verbs: frozenset[str]
    return_words: frozenset[str]
    generic_cargo: frozenset[str]
    place_nouns: frozenset[str]
    unit_nouns: frozenset[str]
    chain_nouns: frozenset[str]
    launch_verbs: frozenset[str]
    durations: dict[str, float] = field(default_factory=dict)


@cache
def lexicon() -> Lexicon:
    """The word lists, read once."""
    raw = json.loads((DATA / "lexicon.json").read_text(encoding="utf-8"))
    durations = raw.pop("durations")
    raw.pop("_comment", None)
    return Lexicon(**{k: frozenset(v) for k, v in raw.items()}, durations=durations)


# -- reading ---------------------------------------------------------------------------------
def read_article(path: Path) -> Article:
    """Read one ``.txt`` article; its name is the file name.

    Raises
    ------
    InputError
        When the file cannot be read as UTF-8 text or is empty.
    """
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8 and retry") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror}); check the path") from exc
    if not text.strip():
        raise InputError(f"{path}: the file is empty; give an article with text")
    return Article(name=path.name, text=text, sha256=hashlib.sha256(raw).hexdigest(),
                   date=article_date(text))


def collect_paths(paths: Iterable[Path]) -> list[Path]:
    """Expand files and folders into the sorted list of ``.txt`` articles they hold.

    Raises
    ------
    InputError
        When a path does not exist or a folder holds no ``.txt`` file.
    """
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.txt") if p.is_file())
            if not found:
                raise InputError(f"{path}: the folder holds no .txt article; point at .txt files")
            out.extend(found)
        elif path.is_file():
            out.append(path)
        else:
            raise InputError(f"{path}: no such file or folder; check the path")
    return list(dict.fromkeys(out))


def article_date(text: str) -> dt.date | None:
    """Publication date from a ``date YYYY-MM-DD`` line, an ISO date or a dateline with a year."""
    head = text[:400]
    for pattern in (DATE_LINE, ISO_DATE):
        m = pattern.search(head)
        if m:
            try:
                if pattern is DATE_LINE:
                    return dt.date.fromisoformat(m.group(1))
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    m = DATELINE.match(text)
    if m and m.group("year"):
        month = MONTHS.get(m.group("month")[:3].lower())
        if month:
            return _safe_date(int(m.group("year")), month, int(m.group("day")))
    m = LONG_DATE.search(head)
    if m and (month := MONTHS.get(m.group(1)[:3].lower())):
        return _safe_date(int(m.group(3)), month, int(m.group(2)))
    return None


def _safe_date(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


# -- the pipeline ----------------------------------------------------------------------------
def extract_articles(
    articles: list[Article],
    *,
    nlp: Language,
    gazetteer: Gazetteer,
    progress: Callable[[Article], None] | None = None,
) -> list[Article]:
    """Parse every article with ``nlp.pipe`` and fill its mentions and routes in place."""
    texts = (_clean(a.text) for a in articles)
    for article, doc in zip(articles, nlp.pipe(texts, batch_size=16)):
        extract_doc(article, doc, gazetteer=gazetteer)
        if progress is not None:
            progress(article)
    return articles


def extract_text(text: str, *, nlp: Language, gazetteer: Gazetteer, name: str = "text") -> Article:
    """Extract from one string (handy in notebooks and tests)."""
    article = Article(name=name, text=text, sha256=hashlib.sha256(text.encode()).hexdigest(),
                      date=article_date(text))
    extract_doc(article, nlp(_clean(text)), gazetteer=gazetteer)
    return article


def _clean(text: str) -> str:
    """Normalise white space that trips the parser, keeping offsets meaningful per sentence."""
    text = DATE_LINE.sub("", text.replace("\u00a0", " "), count=1)
    # Glued sentences ("country.An employee") split badly: put the space back.
    return re.sub(r"([a-z]{2}[.!?][\"”]?)([A-Z][a-z])", r"\1 \2", text)


def extract_doc(article: Article, doc: Doc, *, gazetteer: Gazetteer) -> Article:
    """Fill ``article.mentions`` and ``article.routes`` from a parsed document."""
    mentions = find_mentions(doc, gazetteer)
    article.mentions = mentions
    reader = _Reader(doc, mentions, article.date)
    trains = reader.read()
    kept = [t for t in trains if t.is_route()]
    article.routes = [r for i, t in enumerate(kept) for r in _routes_of(t, i)]
    return article


# -- sentence reading ------------------------------------------------------------------------
@dataclass
class _Roles:
    origins: list[Mention] = field(default_factory=list)
    dests: list[Mention] = field(default_factory=list)
    vias: list[Mention] = field(default_factory=list)
    anchor: Token | None = None
    planned: bool = False
    returning: bool = False

    def any(self) -> bool:
        return bool(self.origins or self.dests or self.vias)


class _Reader:
    """Walks the sentences of one document, keeping the current train."""

    def __init__(self, doc: Doc, mentions: list[Mention], date: dt.date | None) -> None:
        self.doc = doc
        self.lex = lexicon()
        self.date = date
        self.sents = list(doc.sents)
        self.by_sent: dict[int, list[Mention]] = {}
        for m in mentions:
            self.by_sent.setdefault(m.sentence, []).append(m)
        self.quoted = _quoted_tokens(doc)
        dl = DATELINE.match(doc.text)
        self.dateline_end = dl.end() if dl else 0
        self.trains: list[Train] = []
        self.current: Train | None = None

    def read(self) -> list[Train]:
        for si, sent in enumerate(self.sents):
            if self._skip(sent):
                continue
            roles = self._roles(si, sent)
            if roles.any():
                self._place_roles(si, sent, roles)
            elif self.current is not None and self._refers_to_train(sent) \
                    and si - self.current.last_sentence <= 3:
                self._attributes(self.current, si, sent)
        return self.trains

    # -- skipping --------------------------------------------------------------------------
    def _skip(self, sent: Span) -> bool:
        inside = sum(1 for t in sent if t.i in self.quoted)
        if inside > len(sent) / 2:
            return True
        if any(t.dep_ == "expl" for t in sent):
            return True  # "There are also freight trains between ..., departing from ..."
        return False

    # -- roles -----------------------------------------------------------------------------
    def _roles(self, si: int, sent: Span) -> _Roles:
        roles = _Roles()
        found: list[tuple[Mention, str, int]] = []  # mention, role, list position
        for m in self.by_sent.get(si, []):
            if self.doc[m.start].idx < self.dateline_end or m.start in self.quoted:
                continue
            got = self._role_of(m)
            if got is None:
                continue
            role, anchor, pos = got
            if _negated(anchor):
                continue
            roles.planned = roles.planned or _planned(anchor)
            roles.returning = roles.returning or self._returning(anchor)
            roles.anchor = roles.anchor or anchor
            found.append((m, role, pos))
        found.extend(self._hyphen_chains(si))
        for m, role, pos in found:
            if role == BETWEEN:
                role = ORIGIN if pos == 0 else DEST
            if role == NAME:
                role = ORIGIN
            getattr(roles, {ORIGIN: "origins", DEST: "dests", VIA: "vias"}[role]).append(m)
        _drop_qualifiers(roles, self.doc)
        self._intermediate_destinations(roles)
        if roles.dests and not roles.origins and roles.anchor is not None \
                and roles.anchor.lemma_.lower() in self.lex.destination_nouns | self.lex.motion_nouns \
                | self.lex.chain_nouns - {"train", "freight", "express"}:
            roles.origins = self._owner_places(si, roles.anchor)
        return roles

    def _intermediate_destinations(self, roles: _Roles) -> None:
        """"to Hairatan before reaching Kabul", "to Warsaw and then Duisburg": earlier ends are transit points."""
        dests = sorted(roles.dests, key=lambda m: m.start)
        for i in range(len(dests) - 1, 0, -1):
            between = self.doc[dests[i - 1].end:dests[i].start]
            if any(t.lower_ in _SEQUENCE_WORDS for t in between):
                roles.vias.extend(dests[:i])
                roles.dests = dests[i:]
                return

    def _owner_places(self, si: int, noun: Token) -> list[Mention]:
        """Places that own a destinations noun: "Xi'an has added destinations", "Zhengzhou's destinations"."""
        owners = [c for c in noun.children if c.dep_ in {"poss", "compound"}]
        if noun.dep_ in {"dobj", "obj", "nsubjpass"}:
            owners += [c for c in noun.head.children if c.dep_ == "nsubj"]
        spans = [(o.left_edge.i, o.right_edge.i + 1) for o in owners]
        return [m for m in self.by_sent.get(si, []) if m.place.type != "Country"
                and any(a <= m.start < b for a, b in spans)][:1]

    def _role_of(self, m: Mention) -> tuple[str, Token, int] | None:
        """Role of a mention from the word that governs it, with the train it is tied to."""
        lex = self.lex
        t = self.doc[m.start:m.end].root
        pos = 0
        for _ in range(12):
            dep, head = t.dep_, t.head
            if head is t:
                return None
            if dep in {"conj", "appos", "compound", "poss", "nmod", "amod", "npadvmod", "nummod"} \
                    and self._is_train(head):
                # "the Zhengzhou train", "the China-Europe freight train (Zhengzhou)"; a country
                # naming a train names a category of service ("China-Europe"), not its origin.
                return None if m.place.type == "Country" else (NAME, head, pos)
            if dep == "conj" or (dep == "appos" and head.pos_ != "VERB"):
                pos += 1 if dep == "conj" else 0
                t = head
                continue
            if dep in {"compound", "poss", "nmod", "amod", "npadvmod", "nummod"}:
                if head.lower_ == "bound" or head.lemma_ == "bind":
                    anchor = self._anchor(head)
                    return (DEST, anchor, pos) if anchor is not None else None
                if head.pos_ != "PROPN" and head.lemma_.lower() not in lex.place_nouns:
                    return None  # "Xinyang tea": a place naming a product is no route
                t = head
                continue
            if dep == "pobj":
                prep = head
                p = prep.lower_
                governor = prep.head
                if p == "of" and governor.pos_ in {"NOUN", "PROPN"} and not self._is_train(governor) \
                        and governor.lemma_ not in lex.motion_nouns:
                    t = governor  # "the city of Jinhua", "the land port of Urumqi"
                    continue
                if p in {"in", "at", "near", "on"} and governor.pos_ in {"NOUN", "PROPN"} \
                        and governor.lemma_ not in lex.motion_nouns and not self._is_train(governor):
                    t = governor  # "a station in the city of Jinhua", "Duisburg in Germany"
                    continue
                for _ in range(3):  # a PP the parser hung on an object: "left Urumqi for X",
                    # "carries timber to X", "departed from Hefei North Station for X"
                    if governor.pos_ in {"NOUN", "PROPN"} and governor.dep_ in {"dobj", "obj", "pobj"} \
                            and not self._is_train(governor) and governor.lemma_.lower() not in \
                            lex.motion_nouns | lex.destination_nouns:
                        governor = governor.head if governor.dep_ != "pobj" else governor.head.head
                    else:
                        break
                role = self._prep_role(p, prep, governor)
                if role is None:
                    return None
                anchor = self._anchor(governor, cue=p)
                if anchor is None:
                    return None
                if role == "including":
                    return (DEST, anchor, pos) if anchor.lemma_.lower() in lex.destination_nouns else None
                return role, anchor, pos
            if dep in {"dobj", "obj"} or (dep in {"appos", "npadvmod", "attr", "oprd"} and head.pos_ == "VERB"):
                lemma = head.lemma_.lower()
                role = (ORIGIN if lemma in lex.origin_verbs | lex.link_verbs else
                        DEST if lemma in lex.reach_verbs else
                        VIA if lemma in lex.cross_verbs else None)
                if role is None:
                    return None
                anchor = self._anchor(head)
                return (role, anchor, pos) if anchor is not None else None
            return None
        return None

    def _prep_role(self, p: str, prep: Token, governor: Token) -> str | None:
        lex = self.lex
        lemma = governor.lemma_.lower()
        prev = self.doc[prep.i - 1].lower_ if prep.i > 0 else ""
        if p == "from" or (p == "of" and prev == "out"):
            return ORIGIN
        if p == "to" and prev in {"according", "due", "thanks", "owing", "compared", "close", "next"}:
            return None  # "according to Chongqing Logistics City" names a source, not a destination
        if p in {"to", "towards", "toward", "into", "till", "until"}:
            if lemma in lex.cross_verbs:
                return VIA
            return DEST
        if p == "for":
            return DEST if lemma in lex.for_heads or governor.lower_ == "bound" else None
        if p in {"via", "through", "across", "past", "transiting", "thru"}:
            return VIA
        if p in {"in", "at"}:
            if lemma in lex.arrive_verbs or lemma in lex.reach_verbs:
                return DEST
            if lemma in lex.origin_verbs:
                return ORIGIN
            if lemma in lex.cross_verbs:
                return VIA
            return None
        if p == "with" and lemma in lex.link_verbs:
            return DEST  # "connects Jinhua with Tashkent"
        if p == "between":
            return BETWEEN
        if p in {"including", "include", "like"} or (p == "as" and prev == "such"):
            return "including"
        return None

    def _is_train(self, tok: Token) -> bool:
        return tok.lemma_.lower() in self.lex.train_nouns or tok.lower_ in self.lex.train_nouns

    def _anchor(self, tok: Token, cue: str = "") -> Token | None:
        """The train noun (or destinations noun) a governing word is tied to, if any."""
        lex = self.lex
        t = tok
        via_acl = False
        for _ in range(10):
            lemma = t.lemma_.lower()
            if self._is_train(t) or (cue in {"including", "like", "as"} and lemma in lex.destination_nouns):
                return t
            if t.dep_ == "appos" and self._is_train(t.head):
                return t.head  # "the X8024 train, the first of the year from Wuhan"
            if lemma in lex.motion_nouns | lex.chain_nouns and t.head.lemma_.lower() in lex.launch_verbs \
                    and t.dep_ in {"dobj", "obj", "nsubjpass"}:
                return t  # "Shenyang launched a new route to Minsk"
            if t.pos_ in {"VERB", "AUX"}:
                subj = next((c for c in t.children if c.dep_ in {"nsubj", "nsubjpass"}), None)
                if subj is None:  # "the freight train links ..." parsed with "train" as a compound
                    subj = next((c for c in t.children if c.dep_ in {"compound", "npadvmod"}
                                 and c.i < t.i and self._is_train(c)), None)
                if subj is not None:
                    if self._is_train(subj) or subj.lower_ in {"it", "which", "that"}:
                        return subj
                    if subj.lemma_.lower() in lex.destination_nouns:
                        return subj
                    if subj.dep_ == "nsubj" and any(self._is_train(c) for c in subj.children
                                                      if c.dep_ in {"compound", "poss"}):
                        return subj
                    return None
                if t.dep_ in {"acl", "relcl", "advcl", "xcomp", "conj", "pcomp", "ccomp", "prep"}:
                    via_acl = via_acl or t.dep_ == "acl"
                    t = t.head
                    continue
                return None
            if t.pos_ in {"NOUN", "PROPN"}:
                if lemma in lex.motion_nouns or lemma in lex.destination_nouns or via_acl and self._quantity(t):
                    # a motion verb hung on the wrong noun ("50 TEUs of electronics departed from")
                    t = t.head
                    continue
                return None
            if t.head is t:
                return None
            t = t.head
        return None

    def _quantity(self, t: Token) -> bool:
        """A load noun a misparsed main verb may hang on: "50 TEUs (of electronics) departed"."""
        if t.lemma_.lower() in _LOADS or t.lower_ in _LOADS:
            return True
        return t.dep_ == "pobj" and t.head.lower_ == "of" and t.head.head.lower_ in _LOADS

    def _returning(self, anchor: Token) -> bool:
        sent = anchor.sent
        return any(t.lower_ in self.lex.return_words for t in sent)

    def _hyphen_chains(self, si: int) -> list[tuple[Mention, str, int]]:
        """"X-Y freight train" and "Y-bound train": places joined by hyphens before a train noun."""
        mentions = self.by_sent.get(si, [])
        out: list[tuple[Mention, str, int]] = []
        i = 0
        while i < len(mentions):
            chain = [mentions[i]]
            while i + 1 < len(mentions) and mentions[i + 1].start == chain[-1].end + 1 \
                    and self.doc[chain[-1].end].text in {"-", "–", "—"}:
                i += 1
                chain.append(mentions[i])
            i += 1
            end = chain[-1].end
            nxt = self.doc[end:end + 5]
            if len(nxt) >= 2 and nxt[0].text in {"-", "–"} and nxt[1].lower_ == "bound" and len(chain) == 1:
                out.append((chain[0], DEST, 0))
                continue
            if len(chain) < 2 or all(m.place.type == "Country" for m in (chain[0], chain[-1])):
                continue
            if not any(self._is_train(t) or t.lemma_.lower() in self.lex.chain_nouns for t in nxt) \
                    or any(t.is_punct and t.text not in "-–" for t in nxt[:1]):
                continue
            out.append((chain[0], ORIGIN, 0))
            out.extend((m, VIA, 0) for m in chain[1:-1])
            out.append((chain[-1], DEST, 0))
        return out

    # -- trains ----------------------------------------------------------------------------
    def _place_roles(self, si: int, sent: Span, roles: _Roles) -> None:
        origin = roles.origins[0].place if roles.origins else None
        start = origin or (self.current.origin if self.current is not None and not roles.returning else None)
        dests = [d for d in _unique(m.place for m in roles.dests) if d != start]
        vias = _unique(m.place for m in sorted(roles.vias, key=lambda m: m.start))
        cur = self.current
        if roles.returning and cur is not None and cur.destinations and not roles.origins:
            origin = cur.destinations[0]
            cur = None  # the way back is a train of its own
        elif cur is not None and (self._starts_new(roles, cur, origin, dests)):
            if origin is None and cur.origin is not None:
                origin = cur.origin  # "new destinations ... including A, B" from the same city
            cur = None
        if cur is None:
            # A train announced for the future ("will launch") is kept apart from those that ran.
            cur = Train(status="planned" if roles.planned else "reported")
            self.trains.append(cur)
            self.current = cur
        for m in (*roles.origins[:1], *roles.dests, *roles.vias):
            cur.leg_sentences.setdefault(m.place.key, set()).add(si)
        if origin is not None and origin.key not in cur.leg_sentences:
            cur.leg_sentences[origin.key] = {si}
        self._merge(cur, si, sent, origin, dests, vias)
        self._attributes(cur, si, sent)

    def _starts_new(self, roles: _Roles, cur: Train, origin: Place | None, dests: list[Place]) -> bool:
        anchor = roles.anchor
        if anchor is not None and any(c.lower_ in {"a", "an", "another"} for c in anchor.children) \
                and self._is_train(anchor) and roles.origins:
            return True
        if origin is not None and cur.origin is not None and not _compatible(origin, cur.origin):
            return True
        if dests and cur.destinations and not all(
                any(_compatible(d, c) for c in cur.destinations) for d in dests):
            return True
        return False

    def _merge(self, cur: Train, si: int, sent: Span, origin: Place | None,
               dests: list[Place], vias: list[Place]) -> None:
        if origin is not None and (cur.origin is None or _more_specific(origin, cur.origin)):
            cur.origin = origin
        if dests:
            if not cur.destinations:
                cur.destinations = dests
                cur.main_sentence = si
            else:
                refined = [d for d in dests if any(_more_specific(d, c) for c in cur.destinations)]
                if refined:
                    cur.destinations = refined
                    cur.main_sentence = si
        for v in vias:
            if v not in cur.via and v != cur.origin and v not in cur.destinations:
                cur.via.append(v)
        if cur.main_sentence is None:
            cur.main_sentence = si
        cur.sentences[si] = sent.text.strip()
        cur.last_sentence = si

    # -- attributes ------------------------------------------------------------------------
    def _refers_to_train(self, sent: Span) -> bool:
        lex = self.lex
        for t in sent:
            if t.lower_ in {"it", "its"} and t.dep_ in {"nsubj", "nsubjpass", "poss"}:
                return True
            if self._is_train(t) or t.lemma_.lower() in {"journey", "trip", "cargo", "goods"}:
                if any(c.lower_ in {"the", "this", "its"} for c in t.children) or t.dep_ == "poss":
                    return True
            if t.lemma_.lower() in lex.cargo_verbs and any(
                    self._is_train(c) for c in t.children if c.dep_ in {"nsubj", "nsubjpass"}):
                return True
        return False

    def _attributes(self, cur: Train, si: int, sent: Span) -> None:
        text = sent.text
        cur.sentences.setdefault(si, text.strip())
        cur.last_sentence = si
        containers = re.search(r"(\d[\d,]*)\s+(?:standard\s+|\w+-foot\s+|(?:fully[- ])?loaded\s+)?"
                               r"(?:containers|boxes|wagons of containers)\b", text)
        if containers and cur.containers is None:
            cur.containers = _int(containers.group(1))
        teu = re.search(r"(\d[\d,]*)\s+(?:TEUs?|twenty-foot equivalent units)\b", text)
        if teu and cur.teu is None and not _large_aggregate(text, teu.start()):
            cur.teu = _int(teu.group(1))
        tonnes = re.search(r"(\d[\d,]*(?:\.\d+)?)\s*(million\s+|thousand\s+)?(?:metric\s+)?(?:tons|tonnes)\b", text)
        if tonnes and cur.tonnes is None and not tonnes.group(2):
            cur.tonnes = float(tonnes.group(1).replace(",", ""))
        if cur.days is None:
            cur.days = self._days(text)
        if cur.date is None and self.date is not None:
            cur.date = _departure_date(text, self.date)
        for item in self._cargo(si, sent):
            if item not in cur.cargo:
                cur.cargo.append(item)

    def _unit_object(self, tok: Token) -> Token:
        """"55 containers of photovoltaic modules" -> modules; "500 tonnes of fertilizer" -> fertilizer."""
        if tok.lemma_.lower() in self.lex.unit_nouns or tok.lower_ in self.lex.unit_nouns:
            for prep in tok.children:
                if prep.lower_ == "of":
                    obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
                    if obj is not None:
                        return obj
        return tok

    def _days(self, text: str) -> float | None:
        low = text.lower()
        for phrase, days in self.lex.durations.items():
            if re.search(rf"\b{re.escape(phrase)}\b", low):
                return float(days)
        m = re.search(r"\b(\d+(?:\.\d+)?|" + "|".join(NUMBER_WORDS) + r")\s+days\b", low)
        if m:
            word = m.group(1)
            return float(NUMBER_WORDS.get(word, word))  # type: ignore[arg-type]
        return None

    def _cargo(self, si: int, sent: Span) -> list[str]:
        """Cargo items from "loaded with", "carrying", "goods such as", "cargo includes" ..."""
        lex = self.lex
        heads: list[Token] = []
        for t in sent:
            lemma = t.lemma_.lower()
            if t.dep_ == "pobj" and t.head.lower_ == "with" and (
                    t.head.head.lemma_.lower() in {"load", "laden", "pack", "fill"}
                    or self._is_train(t.head.head) and self._quantity(t)):
                heads.append(t)  # "loaded with X", "a train with 62 containers of X"
            elif t.dep_ in {"dobj", "obj"} and lemma not in lex.generic_cargo and \
                    t.head.lemma_.lower() in lex.cargo_verbs:
                heads.append(t)
            elif t.dep_ == "pobj" and t.head.lower_ in {"as", "including", "like"} and (
                    t.head.lower_ != "as" or self.doc[t.head.i - 1].lower_ == "such"):
                owner = t.head.head
                if owner.lemma_.lower() in lex.generic_cargo | {"cargo", "good", "product", "item", "commodity"} \
                        or owner.lemma_.lower() in lex.cargo_verbs:
                    heads.append(t)
            elif t.dep_ in {"dobj", "obj", "attr"} and t.head.lemma_.lower() in {"include", "contain"} and \
                    any(c.lemma_.lower() in {"cargo", "good", "shipment", "train"} or self._is_train(c)
                        for c in t.head.children if c.dep_ in {"nsubj", "nsubjpass"}) and \
                    t.lemma_.lower() not in lex.generic_cargo:
                heads.append(t)
        heads = [self._unit_object(h) for h in heads]
        items: list[str] = []
        for head in heads:
            for tok in _conjuncts(head):
                item = _phrase(tok)
                if item and item.lower() not in lex.generic_cargo and tok.lemma_.lower() not in \
                        lex.unit_nouns and not any(
                        m.start <= tok.i < m.end for m in self.by_sent.get(si, [])):
                    items.append(item)
        return list(dict.fromkeys(items))


# -- helpers ---------------------------------------------------------------------------------
def _conjuncts(tok: Token) -> Iterator[Token]:
    yield tok
    for c in tok.children:
        if c.dep_ in {"conj", "appos"} and c.pos_ in {"NOUN", "PROPN", "ADJ"}:
            yield from _conjuncts(c)


def _phrase(tok: Token) -> str:
    """The noun phrase of one list item, without its own conjuncts, clauses or prepositions."""
    drop: set[int] = set()
    for c in tok.children:
        if c.dep_ in {"conj", "cc", "punct", "appos", "prep", "acl", "relcl", "det", "predet"} \
                or c.i > tok.i:
            drop.update(x.i for x in c.subtree)
    words = [x for x in tok.subtree if x.i not in drop and x.i <= tok.i]
    while words and (words[0].lower_ in {"other", "such", "various", "some", "and", "of"} or words[0].is_punct
                     or words[0].pos_ in {"DET", "NUM", "CCONJ"}):
        words = words[1:]
    if not words:
        return ""
    def keep(w: Token) -> bool:
        return w.text.isupper() or any(c.isupper() for c in w.text[1:]) or w.pos_ == "PROPN" \
            or w.ent_type_ in {"NORP", "GPE"}

    return " ".join(w.text if keep(w) else w.text.lower() for w in words)


def _quoted_tokens(doc: Doc) -> set[int]:
    """Token indices inside straight or curly double quotes."""
    inside, out = False, set()
    for t in doc:
        if t.text in {'"', "“", "”"}:
            inside = (t.text == "“") or (not inside and t.text == '"')
            continue
        if inside:
            out.add(t.i)
    return out


def _negated(tok: Token) -> bool:
    for t in (tok, tok.head):
        if any(c.dep_ == "neg" for c in t.children):
            return True
    return False


def _planned(tok: Token) -> bool:
    """A train announced for the future: "will launch", "plans to open" (not "will arrive")."""
    lex = lexicon()
    verb = tok if tok.pos_ in {"VERB", "AUX"} else tok.head
    for v in (verb, verb.head):
        lemma = v.lemma_.lower()
        if lemma in {"plan", "intend", "aim", "schedule"} and v.dep_ != "ROOT" or lemma in {"plan", "intend"}:
            return True
        if lemma in lex.launch_verbs | lex.origin_verbs and any(
                c.lower_ in {"will", "shall", "'ll"} and c.dep_ == "aux" for c in v.children):
            return True
    return False


def _drop_qualifiers(roles: _Roles, doc: Doc) -> None:
    """Drop countries that only qualify a place ("Kaluga, Russia", "China's Nantong", "Herne (NL)")."""
    for name in ("origins", "dests", "vias"):
        group: list[Mention] = getattr(roles, name)
        specific = [m for m in group if m.place.type != "Country"]
        keep = []
        for m in group:
            if m.place.type == "Country":
                if any(s.place.country == m.place.country for s in specific):
                    continue
                before = doc[m.start - 1].text if m.start > 0 else ""
                if before == "(" and any(s.end in (m.start - 1, m.start - 2) for s in specific):
                    continue  # "Herne (Netherlands)": a parenthetical says where, not where to
            keep.append(m)
        setattr(roles, name, keep)


def _unique(places: Iterable[Place]) -> list[Place]:
    return list(dict.fromkeys(places))


def _compatible(a: Place, b: Place) -> bool:
    """Same place, or one is the country of the other."""
    return a == b or _more_specific(a, b) or _more_specific(b, a)


def _more_specific(a: Place, b: Place) -> bool:
    """``a`` is a city or port inside country ``b``."""
    return b.type == "Country" and a.type != "Country" and a.country == b.country


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def _large_aggregate(text: str, at: int) -> bool:
    return bool(re.search(r"(more than|over|total|a total of)\s*$", text[max(0, at - 20):at]))


def _departure_date(text: str, published: dt.date) -> dt.date | None:
    """Resolve "on Sunday" or "on November 17" against the article's date."""
    low = text.lower()
    for i, day in enumerate(WEEKDAYS):
        if re.search(rf"\b(?:on|last)\s+{day}\b", low):
            return published - dt.timedelta(days=(published.weekday() - i) % 7)
    m = re.search(r"\bon\s+([A-Z][a-z]{2,8})\.?\s+(\d{1,2})\b", text)
    if m and (month := MONTHS.get(m.group(1)[:3].lower())):
        d = _safe_date(published.year, month, int(m.group(2)))
        if d is not None and d > published:
            d = _safe_date(published.year - 1, month, int(m.group(2)))
        return d
    return None


def _routes_of(train: Train, index: int = 0) -> list[Route]:
    """One route per destination (or one route without destination)."""
    main = train.main_sentence if train.main_sentence is not None else min(train.sentences, default=None)
    evidence = train.sentences.get(main, "") if main is not None else ""
    sentences = [train.sentences[k] for k in sorted(train.sentences)]
    out = []
    for dest in train.destinations or [None]:
        stops = [p for p in (train.origin, *train.via, dest) if p is not None]
        legs = []
        for a, b in zip(stops, stops[1:]):
            sa, sb = train.leg_sentences.get(a.key, set()), train.leg_sentences.get(b.key, set())
            idx = sorted(sa & sb or sa | sb)
            legs.append(" ".join(train.sentences[i] for i in idx if i in train.sentences))
        out.append(Route(
            origin=train.origin, destination=dest, via=list(train.via), cargo=list(train.cargo),
            evidence=evidence, sentences=sentences, containers=train.containers, teu=train.teu,
            tonnes=train.tonnes, days=train.days, date=train.date, status=train.status,
            leg_evidence=legs, train=index,
        ))
    return out
