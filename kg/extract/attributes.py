"""Train attributes: cargo, containers, TEU, tonnes, journey days and the departure date."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING

from ..dates import train_date
from ..model import Train
from .lexicon import NUMBER_WORDS, gives_examples, lexicon

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

    from ..gazetteer import Gazetteer, Place
    from .roles import SentenceGrammar


_NAME_ENTITIES = {"ORG", "PERSON", "WORK_OF_ART", "EVENT", "FAC", "PRODUCT", "LAW", "GPE", "LOC", "NORP"}
"""spaCy entity labels of names: a date word inside one ("Sunday Times", "March Group") dates nothing."""


class Attributes:
    """Fills what a sentence says of a train besides its places."""

    def __init__(self, grammar: SentenceGrammar, date: dt.date | None) -> None:
        self.g = grammar
        self.doc = grammar.doc
        self.lex = grammar.lex
        self.by_sent = grammar.by_sent
        self.date = date

    def fill(self, cur: Train, si: int, sent: Span) -> None:
        """Add what sentence ``si`` says of train ``cur``: figures, journey days, date, cargo."""
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
        if not cur.date_seen:
            found = train_date(text, self.date, blocked=[
                (e.start_char - sent.start_char, e.end_char - sent.start_char)
                for e in sent.ents if e.label_ in _NAME_ENTITIES])
            if found is not None:
                cur.date, cur.date_precision, cur.date_seen = found.value, found.precision, True
        for item in self._cargo(si, sent):
            if item not in cur.cargo:
                cur.cargo.append(item)

    def _unit_object(self, tok: Token) -> Token:
        """What a quantity, a value or a batch is of: the goods themselves.

        "55 containers of photovoltaic modules" -> modules; "500 tonnes of fertilizer" -> fertilizer;
        "containers with refrigerators" -> refrigerators; "33,000 dollars worth of textiles" -> textiles;
        "export goods of daily necessities" -> necessities.  Followed as long as it leads somewhere.
        """
        lex = self.lex
        for _ in range(4):
            lemma, low = tok.lemma_.lower(), tok.lower_
            unit = lemma in lex.unit_nouns or low in lex.unit_nouns
            worth = [c for c in tok.children if c.lemma_.lower() in lex.partitive_nouns]  # "dollars worth of"
            # "export goods of X", not "goods of Chinese companies"
            traded = lemma in lex.generic_cargo and any(
                c.dep_ in {"compound", "amod"} and c.lower_ in lex.trade_modifiers for c in tok.children)
            if not (unit or worth or traded or lemma in lex.partitive_nouns or low in lex.partitive_nouns):
                break
            preps = {"of", "with"} if unit else {"of"}
            obj = next((c for h in (tok, *worth) for p in h.children if p.dep_ == "prep" and p.lower_ in preps
                        for c in p.children if c.dep_ == "pobj" and c.pos_ in {"NOUN", "PROPN"}), None)
            if obj is None or obj.pos_ == "PROPN" or any(
                    c.dep_ in {"det", "poss"} and c.lower_ not in {"a", "an"} for c in obj.children):
                break  # "containers of the company", "wagons of its own": whose, not what
            tok = obj
        return _examples(tok) or tok

    def _stray_items(self, head: Token) -> Iterator[Token]:
        """List items the parser hung on the train instead: in "a train carrying A, B and C left ..."
        the small model often makes B and C conjuncts of *train*; they come after A, and are no train."""
        verb = head.head
        if head.dep_ not in {"dobj", "obj"} or verb.dep_ != "acl" or not self.g.is_train(verb.head):
            return
        for c in verb.head.children:
            if c.dep_ == "conj" and c.i > head.i and c.pos_ in {"NOUN", "PROPN"} and not self.g.is_train(c):
                yield from _conjuncts(c)

    def _days(self, text: str) -> float | None:
        low = text.lower()
        for pattern, days in _duration_patterns(tuple(self.lex.durations.items())):
            if pattern.search(low):
                return float(days)
        m = _DAYS.search(low)
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
                    or self.g.is_train(t.head.head) and self.g.quantity(t)):
                heads.append(t)  # "loaded with X", "a train with 62 containers of X"
            elif t.dep_ in {"dobj", "obj"} and t.head.lemma_.lower() in lex.cargo_verbs:
                heads.append(t)  # "carrying X" (a bare "goods" is dropped with the items below)
            elif (lemma in lex.unit_nouns or lemma in lex.partitive_nouns - _NOT_ALONE) and any(
                    p.dep_ == "prep" and (p.lower_ == "of" or p.lower_ == "with" and lemma in lex.unit_nouns)
                    for p in t.children):
                heads.append(t)  # "the containers of (with) X will pass ...", "the transportation of X"
            elif t.dep_ == "pobj" and gives_examples(t.head):
                owner = t.head.head
                if owner.lemma_.lower() in lex.generic_cargo | {"cargo", "good", "product", "item", "commodity"} \
                        or owner.lemma_.lower() in lex.cargo_verbs:
                    heads.append(t)
            elif t.dep_ in {"dobj", "obj", "attr"} and t.head.lemma_.lower() in {"include", "contain"} and \
                    any(c.lemma_.lower() in {"cargo", "good", "shipment", "train"} or self.g.is_train(c)
                        for c in t.head.children if c.dep_ in {"nsubj", "nsubjpass"}) and \
                    t.lemma_.lower() not in lex.generic_cargo:
                heads.append(t)
        heads = [self._unit_object(h) for h in heads]
        items: list[str] = []
        for head in heads:
            for tok in [*_conjuncts(head), *self._stray_items(head)]:
                if any(m.start <= tok.i < m.end for m in self.by_sent.get(si, [])) or \
                        tok.lemma_.lower() in lex.unit_nouns:
                    continue
                groups, inner = _coordinated_modifiers(tok, lex.shared_heads)
                for item in [*(_words(_trim(g, lex.trade_modifiers)) for g in groups),
                             _phrase(tok, lex.trade_modifiers, inner)]:
                    if item and item.lower() not in lex.generic_cargo:
                        items.append(item)
        return list(dict.fromkeys(items))


def cargo_of_origin(cargo: list[str], origin: Place | None, gazetteer: Gazetteer) -> list[str]:
    """Cargo without a leading demonym of the route's origin country, which says where the goods are from.

    "a train loaded with Lao corn entered China" is Laos -> China with corn; "Persian carpets" from
    Tehran (a city) keep their name.
    """
    if origin is None or origin.type != "Country":
        return cargo
    generic = lexicon().generic_cargo
    out = []
    for item in cargo:
        first, _, rest = item.partition(" ")
        if rest and gazetteer.demonym(first) == origin.country:
            item = rest
        if item.lower() not in generic:  # "Russian goods" from Russia: no goods named
            out.append(item)
    return list(dict.fromkeys(out))


_NOT_ALONE = frozenset({"worth", "value", "type", "kind"})
"""Partitive nouns that name no cargo on their own ("the value of the trade", "a new kind of service")."""


def _coordinated_modifiers(tok: Token, shared_heads: frozenset[str]) -> tuple[list[list[Token]], set[int]]:
    """Items the parser hung as coordinated nouns before a head ("timber, coal and paper pulp").

    The small English model reads "carry timber and paper pulp" as *pulp* modified by "timber and
    paper"; unless the head is one that such nouns share ("iron and steel products"), each noun
    group before the last "and" is an item of its own.  Returns those groups (their words) and the
    indices to leave out of the head's own phrase.
    """
    if tok.lemma_.lower() in shared_heads or tok.lower_ in shared_heads:
        return [], set()
    before = [x for x in tok.subtree if x.i < tok.i]
    ccs = [x for x in before if x.dep_ == "cc" and x.head.i < tok.i]
    if not ccs:
        return [], set()
    groups: list[list[Token]] = [[]]
    for x in before:
        if x.i >= ccs[-1].i:
            break
        if x.dep_ == "cc" or x.is_punct:
            groups.append([])
        else:
            groups[-1].append(x)
    groups = [g for g in groups if g]
    if not groups or any(g[-1].pos_ not in {"NOUN", "PROPN"} for g in groups):
        return [], set()  # "fresh and frozen fish": adjectives that share the head
    return groups, {x.i for x in before if x.i <= ccs[-1].i}


def _examples(tok: Token) -> Token | None:
    """The first example a noun is given by: "specialities such as carpets" -> carpets (None if none)."""
    for prep in tok.children:
        if prep.dep_ == "prep" and gives_examples(prep):
            obj = next((c for c in prep.children if c.dep_ == "pobj"), None)
            if obj is not None:
                return obj
    return None


def _conjuncts(tok: Token) -> Iterator[Token]:
    yield tok
    for c in tok.children:
        if c.dep_ in {"conj", "appos"} and c.pos_ in {"NOUN", "PROPN", "ADJ"}:
            yield from _conjuncts(c)


def _phrase(tok: Token, directions: frozenset[str] = frozenset(), leave: set[int] | None = None) -> str:
    """The noun phrase of one list item, without its own conjuncts, clauses or prepositions.

    Leading determiners, numbers and words of a trade direction (``directions``: "export goods")
    are dropped, and the tokens at ``leave``; words keep the spacing of the text ("non-metallic").
    """
    drop: set[int] = set(leave or ())
    for c in tok.children:
        if c.dep_ in {"conj", "cc", "punct", "appos", "prep", "acl", "relcl", "det", "predet"} \
                or c.i > tok.i:
            drop.update(x.i for x in c.subtree)
    return _words(_trim([x for x in tok.subtree if x.i not in drop and x.i <= tok.i], directions))


def _trim(words: list[Token], directions: frozenset[str] = frozenset()) -> list[Token]:
    """Words without the leading determiners, numbers, "other", "such" ... and trade directions."""
    while words and (words[0].lower_ in {"other", "such", "various", "some", "and", "of"} or words[0].is_punct
                     or words[0].pos_ in {"DET", "NUM", "CCONJ"} or words[0].lower_ in directions):
        words = words[1:]
    return words


def _words(words: list[Token]) -> str:
    """Words (none: "") as the text spaces them, lower-cased except names and acronyms ("LED", "Persian")."""
    def keep(w: Token) -> bool:
        return w.text.isupper() or any(c.isupper() for c in w.text[1:]) or w.pos_ == "PROPN" \
            or w.ent_type_ in {"NORP", "GPE"}

    out = ""
    for w, after in zip(words, [*words[1:], None], strict=False):
        out += w.text if keep(w) else w.text.lower()
        if after is not None:
            out += w.whitespace_ if after.i == w.i + 1 else " "
    return out


_DAYS = re.compile(r"\b(\d+(?:\.\d+)?|" + "|".join(NUMBER_WORDS) + r")\s+days\b")
"""A number of days, in figures or words ("12 days", "twelve days"), in lower-case text."""


@cache
def _duration_patterns(durations: tuple[tuple[str, float], ...]) -> list[tuple[re.Pattern[str], float]]:
    """The lexicon's duration phrases ("a fortnight", "two weeks") as whole-word patterns, in order."""
    return [(re.compile(rf"\b{re.escape(phrase)}\b"), days) for phrase, days in durations]


def _int(text: str) -> int:
    return int(text.replace(",", ""))


def _large_aggregate(text: str, at: int) -> bool:
    return bool(re.search(r"(more than|over|total|a total of)\s*$", text[max(0, at - 20):at]))
