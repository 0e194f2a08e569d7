"""The trained pipeline's rule lemmatizer, with its answers remembered per word, POS and morphology.

``en_core_web_sm``'s lemmatizer (rule mode) is Python run token by token: a ``Token`` object,
its POS string, its morphology turned into a dictionary (``is_base_form``), then the rule tables;
spaCy caches only some of those answers and still builds a ``Token`` for every word.  A rule
lemma depends on nothing but the word's text, POS and morphology, so :class:`CachedLemmatizer`
reads those three columns of a whole document at once, asks the original lemmatizer once per
distinct triple it has not seen, and writes every lemma back in one array (same lemmas: a test
compares both on whole articles).  Words that already have a lemma (the attribute ruler sets a
few) keep it, as with the original (``overwrite`` false).

The remembered lemmas are strings, not string-store hashes: a memory zone
(:func:`kg.nlp.zoned`) forgets the strings added inside it, so each lemma is added to the
document's string store again when written.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MAX_CACHED = 500_000
"""Distinct (word, POS, morphology) answers kept; past that the memo starts again (memory bound)."""


class CachedLemmatizer:
    """Sets the lemmas ``lemmatizer`` would set, looking each distinct word form up once."""

    def __init__(self, lemmatizer: Any) -> None:
        self.lemmatizer = lemmatizer
        self.name = getattr(lemmatizer, "name", "lemmatizer")
        self.memo: dict[tuple[int, int, int], str] = {}

    def __call__(self, doc: Doc) -> Doc:
        """Give every token without a lemma the original lemmatizer's lemma."""
        import numpy
        from spacy.attrs import LEMMA, MORPH, ORTH, POS

        if not len(doc):
            return doc
        rows = doc.to_array([ORTH, POS, MORPH, LEMMA])
        lemmas = rows[:, 3].copy()
        todo = numpy.flatnonzero(lemmas == 0).tolist()
        if not todo:
            return doc
        memo, add = self.memo, doc.vocab.strings.add
        if len(memo) > MAX_CACHED:
            memo.clear()
        keys = rows[todo, :3].tolist()
        for i, key in zip(todo, keys, strict=True):
            k = (key[0], key[1], key[2])
            lemma = memo.get(k)
            if lemma is None:
                lemma = memo[k] = self.lemmatizer.lemmatize(doc[i])[0]
            lemmas[i] = add(lemma)
        doc.from_array([LEMMA], lemmas.reshape(-1, 1))  # type: ignore[arg-type]
        return doc

    def pipe(self, docs: Iterable[Doc], *, batch_size: int = 128) -> Iterator[Doc]:
        """Apply to a stream of docs (what ``nlp.pipe`` calls)."""
        for doc in docs:
            yield self(doc)

    def __getattr__(self, name: str) -> Any:  # mode, lookups, tables ...: what the lemmatizer has
        return getattr(self.lemmatizer, name)


def install(nlp: Language) -> bool:
    """Wrap ``nlp``'s lemmatizer in a :class:`CachedLemmatizer`; returns whether it did.

    Only a rule lemmatizer that keeps existing lemmas is wrapped (its lemma depends on the
    word, POS and morphology alone); any other stays as it is.
    """
    if "lemmatizer" not in nlp.pipe_names:
        return False
    lemmatizer: Any = nlp.get_pipe("lemmatizer")
    if getattr(lemmatizer, "mode", None) != "rule" or getattr(lemmatizer, "overwrite", True):
        return False
    if not getattr(lemmatizer, "_validated", True):
        lemmatizer._validate_tables()
    i = [name for name, _ in nlp._components].index("lemmatizer")
    nlp._components[i] = ("lemmatizer", CachedLemmatizer(lemmatizer))  # same name and place
    return True
