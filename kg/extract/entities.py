"""Named entities only where a rule reads them: the recogniser runs on windows around names.

The rules read spaCy's entities at capitalised words alone: a gazetteer match is vetoed inside
a person's name or a date and accepted as a tagged place (:mod:`kg.extract.mentions`), an
unknown proper noun is a typo candidate unless it is a person or a number, a date word inside a
name dates nothing and a cargo word tagged NORP/GPE keeps its capital
(:mod:`kg.extract.attributes`).  In ``en_core_web_sm`` the recogniser has its own token encoder
(its features reach four tokens to each side) and is the costliest component, about 40% of the
pipeline.  So it runs on windows of :data:`CONTEXT` tokens around each such word (about 35-60%
of the words of train news), the windows of one article joined into one short document, and the
entities found are put back on the article's tokens; elsewhere no entity is set.  With two
tokens of context instead of the encoder's whole reach, 1-2% of the words rules read get
another entity than in the whole text, and none of those changes a fact: mentions and routes are
the whole-text ones on the seeds, the dev set, the held-out sets and 600 synthetic articles
(tested on seeds and fresh2), while the recogniser sees a quarter fewer tokens.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from ..gazetteer import Gazetteer
from .lexicon import start_word

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Token

CONTEXT = 2
"""Tokens of context on each side of a word whose entity is read.  ``en_core_web_sm``'s NER
encoder (MaxoutWindowEncoder, depth 4, window 1) sees four tokens each way; four gives the
whole-text entities exactly, two the whole-text facts (one token changes them: measured on dev,
seeds, fresh, fresh2, extra) with 29% fewer tokens through the recogniser on the benchmark
corpus (49% -> 35% of its tokens) and 22% fewer on the dev set (75% -> 58%)."""
T = TypeVar("T")
SEPARATOR = "\n\n"
"""The token between two windows in the joined document: a paragraph break, where entities end."""


def needs_entity(tok: Token, gazetteer: Gazetteer) -> bool:
    """Whether a rule may read the entity of this (parsed) token.

    A capitalised word that was tagged, unless it only starts its sentence ("The", "In",
    "Officials"): proper nouns, gazetteer names and demonyms anywhere.
    """
    text = tok.text
    if not text[:1].isupper() or not tok.tag_:
        return False
    if tok.pos_ == "PROPN" or not tok.is_sent_start:
        return True
    word = start_word(text)
    return word in gazetteer.starts or word in gazetteer.blocked_starts or gazetteer.demonym(text) is not None


def windows(doc: Doc, gazetteer: Gazetteer, context: int = CONTEXT) -> list[tuple[int, int]]:
    """Token ranges (merged, in order) around every token :func:`needs_entity` picks."""
    out: list[tuple[int, int]] = []
    n = len(doc)
    for tok in doc:
        if not needs_entity(tok, gazetteer):
            continue
        a, b = max(0, tok.i - context), min(n, tok.i + context + 1)
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _joined(doc: Doc, spans: list[tuple[int, int]]) -> tuple[Doc, list[int]]:
    """The windows' tokens as one document, and the index in ``doc`` of each of its tokens.

    A separator (index -1) stands between windows; token norms are kept.
    """
    from spacy.attrs import NORM
    from spacy.tokens import Doc

    words: list[str] = []
    spaces: list[bool] = []
    where: list[int] = []
    norms: list[int] = []
    doc_norms = doc.to_array([NORM]).tolist()
    sep = doc.vocab.strings.add(SEPARATOR)
    for k, (a, b) in enumerate(spans):
        if k:
            words.append(SEPARATOR)
            spaces.append(False)
            where.append(-1)
            norms.append(sep)
        for tok in doc[a:b]:
            words.append(tok.text)
            spaces.append(bool(tok.whitespace_))
            where.append(tok.i)
            norms.append(doc_norms[tok.i])
    joined = Doc(doc.vocab, words=words, spaces=spaces)
    if words:
        import numpy

        joined.from_array([NORM], numpy.array(norms, dtype="uint64"))  # type: ignore[arg-type]
    return joined, where


def _put_back(doc: Doc, found: Doc, where: list[int]) -> None:
    """Set the entities found in the joined windows on the article's tokens (others: none)."""
    from spacy.tokens import Span

    spans = []
    for ent in found.ents:
        idx = [where[i] for i in range(ent.start, ent.end)]
        if -1 in idx:  # runs over a separator: keep the part before it
            idx = idx[:idx.index(-1)]
        if idx and idx[-1] - idx[0] == len(idx) - 1:
            spans.append(Span(doc, idx[0], idx[-1] + 1, label=ent.label))
    doc.set_ents(spans, default="outside")


def add_entities(pairs: Iterable[tuple[T, Doc]], *, nlp: Language, gazetteer: Gazetteer,
                 batch_size: int = 64) -> Iterator[tuple[T, Doc]]:
    """``(item, doc)`` pairs, in order, their documents (parsed without NER) given entities.

    Entities are set on the words rules read; ``batch_size`` documents' windows go through the
    recogniser together.
    """
    ner: Any = nlp.get_pipe("ner")
    batch: list[tuple[T, Doc, list[int], Doc]] = []

    def flush() -> Iterator[tuple[T, Doc]]:
        found = ner.pipe([joined for _, _, _, joined in batch], batch_size=batch_size)
        for (item, doc, where, _), ents in zip(batch, found, strict=True):
            _put_back(doc, ents, where)
            yield item, doc
        batch.clear()

    for item, doc in pairs:
        joined, where = _joined(doc, windows(doc, gazetteer))
        batch.append((item, doc, where, joined))
        if len(batch) >= batch_size:
            yield from flush()
    yield from flush()
