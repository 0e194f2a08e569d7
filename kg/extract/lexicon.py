"""The word lists that tie grammar to train roles (``kg/data/lexicon.json``), read once."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cache, lru_cache
from typing import TYPE_CHECKING

from ..gazetteer import DATA, first_word, fold

if TYPE_CHECKING:
    from spacy.tokens import Token

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14,
    "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18, "nineteen": 19,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "a": 1, "an": 1,
}


@lru_cache(maxsize=1 << 16)
def start_word(text: str) -> str:
    """``first_word(fold(text))``: the folded first word of a token, the gazetteer's index key.

    Remembered per text: candidate sentences, entity windows and place mentions each ask it of
    every capitalised token, and ``fold`` (Unicode normalisation, a regular expression) is the
    dearer part.
    """
    return first_word(fold(text))


def gives_examples(prep: Token) -> bool:
    """Whether a preposition introduces examples of the noun before it: "including", "like", "such as"."""
    p = prep.lower_
    return p in {"including", "like"} or p == "as" and prep.i > 0 and prep.doc[prep.i - 1].lower_ == "such"


LOADS = frozenset({"container", "containers", "teu", "teus", "tonne", "tonnes", "ton", "tons", "box", "boxes"})


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
    service_nouns: frozenset[str]
    include_verbs: frozenset[str]
    stop_nouns: frozenset[str]
    trade_verbs: frozenset[str]
    non_rail: frozenset[str]
    plan_verbs: frozenset[str]
    service_modifiers: frozenset[str]
    path_nouns: frozenset[str] = frozenset()
    """Nouns for the way a train takes, a train word where they pass something: "the 13,000-km line passes ..."."""
    crossed_nouns: frozenset[str] = frozenset()
    """Nouns a train passes that a list names: "passes six countries, including A, B" (A and B are transits)."""
    partitive_nouns: frozenset[str] = frozenset()
    """Nouns whose "of" object is the cargo ("33,000 dollars worth of X", "a batch of X")."""
    shared_heads: frozenset[str] = frozenset()
    """Heads that coordinated nouns before them share: "iron and steel products" is one item, while
    "timber and paper pulp" (any other head) is two."""
    trade_modifiers: frozenset[str] = frozenset()
    """Words that tell a trade direction, not a kind of goods ("export goods", "import and export cargos")."""
    durations: dict[str, float] = field(default_factory=dict)

    def is_train(self, tok: Token) -> bool:
        """Whether a token names a train (or a service, shipment, journey ...).

        The word itself is tested first: only a train or service noun has its modifiers read.
        """
        if tok.pos_ in {"VERB", "AUX"}:
            return False
        lemma = tok.lemma_.lower()
        train = lemma in self.train_nouns or tok.lower_ in self.train_nouns
        if not train and lemma in self.path_nouns and tok.dep_ in {"nsubj", "nsubjpass"} \
                and tok.head.lemma_.lower() in self.cross_verbs \
                and any(c.dep_ == "det" and c.lower_ in {"the", "this"} for c in tok.children):
            return True  # "the line passes six countries": the article's train, on its way
        if not train and lemma not in self.service_nouns:
            return False
        if any(c.dep_ in {"compound", "amod", "nmod"} and c.lemma_.lower() in self.non_rail
               for c in tok.children):
            return False  # "a cargo flight route", "sea freight", "air cargo": not a train
        if train:
            return True
        # "a new rail link", "the train route": a service, where a modifier says it is one
        return any(c.dep_ in {"compound", "amod", "nmod"} and c.lower_ in self.service_modifiers
                   or c.dep_ == "poss" and c.lower_ in {"its", "their"} for c in tok.children)


@cache
def lexicon() -> Lexicon:
    """The word lists, read once."""
    raw = json.loads((DATA / "lexicon.json").read_text(encoding="utf-8"))
    durations = raw.pop("durations")
    raw.pop("_comment", None)
    return Lexicon(**{k: frozenset(v) for k, v in raw.items()}, durations=durations)
