"""Which sentences are worth parsing: a cheap sentence splitter and a test for train talk.

Parsing is most of a build, and about half of a news article's words sit in sentences no rule
can use (quotes from officials, trade statistics, background).  The tokenizer's output is split
into sentences by punctuation and line breaks; a sentence is a *candidate* when it names a
place the gazetteer knows (or a demonym: "the Uzbek capital"), holds a train, cargo, route or
journey word (the extraction lexicon and ``kg/data/candidates.json``), or continues a candidate
with a pronoun ("It carried ...").  Runs of candidates go through the trained pipeline together;
the other sentences keep their tokens and a flat parse (no tags, no entities), so offsets and
sentence order are those of the whole text.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any, cast

from ..gazetteer import DATA, Gazetteer
from .lexicon import LOADS, lexicon, start_word

if TYPE_CHECKING:
    from spacy.tokens import Doc, Span

ENDS = frozenset({".", "!", "?", "…"})
CLOSERS = frozenset({'"', "'", ")", "]", "”", "’", "»"})


@dataclass(frozen=True)
class Stretch:
    """Tokens ``start:end`` of a document: one or more whole sentences, parsed or not."""

    start: int
    end: int
    parse: bool


@cache
def cue_words() -> frozenset[str]:
    """Lower-case word forms that make a sentence a candidate.

    The extraction lexicon's words, their inflections, and the extra forms in
    ``kg/data/candidates.json``.
    """
    lex = lexicon()
    raw = json.loads((DATA / "candidates.json").read_text(encoding="utf-8"))
    words: set[str] = set(LOADS) | set(raw["words"])
    for name, value in vars(lex).items():
        if isinstance(value, frozenset) and name not in raw["lexicon_lists_skipped"]:
            words |= value
    return frozenset(form for w in words for form in _forms(w.lower()))


@cache
def pronouns() -> frozenset[str]:
    """Words that continue the train of the sentence before ("it", "its", "the service" ...)."""
    return frozenset(json.loads((DATA / "candidates.json").read_text(encoding="utf-8"))["pronouns"])


def _forms(word: str) -> set[str]:
    """A word and its regular inflections (plural, third person, past, -ing)."""
    out = {word, word + "s", word + "es", word + "ed", word + "d", word + "ing"}
    if word.endswith("e"):
        out |= {word[:-1] + "ing"}
    if word.endswith("y") and len(word) > 2:
        out |= {word[:-1] + "ies", word[:-1] + "ied"}
    if len(word) > 2 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou" and word[-3] not in "aeiou":
        out |= {word + word[-1] + "ed", word + word[-1] + "ing"}  # ship -> shipped, shipping
    return out


def sentence_bounds(doc: Doc | Span) -> Iterator[tuple[int, int]]:
    """Token ranges of the sentences of a tokenized (unparsed) document.

    A sentence ends after ``.``, ``!`` or ``?`` (and any closing quote or bracket) when the
    next word starts with a capital, a digit or a quote, and at every line break.  The
    tokenizer already keeps abbreviations ("Mr.", "U.S.") as one token.
    """
    return _bounds(token_texts(doc))


def token_texts(doc: Doc | Span) -> list[str]:
    """The texts of the tokens of a document or span.

    Read from their hashed texts (one array): half the cost of reading each token's ``text``.
    """
    from spacy.attrs import ORTH

    strings = doc.vocab.strings
    orths: list[Any] = doc.to_array([ORTH]).reshape(-1).tolist()  # type: ignore[union-attr]
    return cast("list[str]", [strings[orth] for orth in orths])


def _bounds(texts: list[str]) -> Iterator[tuple[int, int]]:
    """:func:`sentence_bounds` over the tokens' texts.

    A token is a space token when its text is all whitespace (spaCy's ``is_space`` is
    ``str.isspace``); a token's own trailing whitespace is one space at most, never a break.
    """
    n = len(texts)
    start = 0
    i = 0
    while i < n:
        text = texts[i]
        end = None
        if "\n" in text and text.isspace():
            end = i + 1
        elif text in ENDS:
            j = i + 1
            while j < n and texts[j] in CLOSERS:
                j += 1
            while j < n and texts[j].isspace() and "\n" not in texts[j]:
                j += 1
            nxt = texts[j] if j < n else ""
            if j >= n or nxt.isspace() or nxt[:1].isupper() or nxt[:1].isdigit() or nxt[:1] in "\"'“‘(":
                end = j if j < n and not (nxt.isspace() and "\n" in nxt) else min(j + 1, n)
        if end is not None and end > start:
            yield start, end
            start = end
            i = end
            continue
        i += 1
    if start < n:
        yield start, n


def is_candidate(doc: Doc, start: int, end: int, gazetteer: Gazetteer, *, after_candidate: bool) -> bool:
    """Whether tokens ``start:end`` may hold a fact.

    They may when they name a place the gazetteer knows, hold a cue word, or (right after a
    candidate) a pronoun that continues it.
    """
    texts = [t.text for t in doc[start:end]]
    return _candidate(doc, texts, start, gazetteer, after_candidate=after_candidate)


def _candidate(doc: Doc, texts: list[str], start: int, gazetteer: Gazetteer, *,
               after_candidate: bool) -> bool:
    """:func:`is_candidate` over the texts of the tokens from ``start`` on.

    A token's ``lower_`` is its ``text.lower()``; a token is only read for its stop-word flag.
    """
    cues = cue_words()
    starts, blocked = gazetteer.starts, gazetteer.blocked_starts
    continues = pronouns() if after_candidate else frozenset()
    for k, text in enumerate(texts):
        low = text.lower()
        if low in cues or low in continues:
            return True
        if text[:1].isupper() and not doc[start + k].is_stop:  # "In", "At": sentence-initial, not places
            word = start_word(text)
            if word in starts or word in blocked or gazetteer.demonym(text):
                return True
    return False


def plan(doc: Doc, gazetteer: Gazetteer, *, limit: int) -> list[Stretch]:
    """Cut a tokenized document into stretches of whole sentences.

    Runs of candidate sentences are parsed (each run at most about ``limit`` characters);
    runs of the other sentences are not.  Each token's text is read once.
    """
    texts = token_texts(doc)
    out: list[Stretch] = []
    previous = False
    for start, end in _bounds(texts):
        sentence = texts[start:end]
        parse = _candidate(doc, sentence, start, gazetteer, after_candidate=previous)
        if all(not t.strip() for t in sentence):
            parse = previous  # a blank line joins what it sits in
        else:
            previous = parse
        last = out[-1] if out else None
        if last is not None and last.parse == parse and (  # the run's characters, as Span.end_char counts
                not parse or doc[end - 1].idx + len(texts[end - 1]) - doc[last.start].idx <= limit):
            out[-1] = Stretch(last.start, end, parse)
        else:
            out.append(Stretch(start, end, parse))
    return out
