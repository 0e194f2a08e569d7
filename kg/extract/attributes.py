"""Train attributes: cargo, containers, TEU, tonnes, journey days and the departure date."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING

from ..dates import train_date
from ..model import Train
from .lexicon import NUMBER_WORDS

if TYPE_CHECKING:
    from spacy.tokens import Span, Token

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
                    any(c.lemma_.lower() in {"cargo", "good", "shipment", "train"} or self.g.is_train(c)
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
