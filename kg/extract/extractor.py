"""Extraction end to end: parse articles, find place mentions, read journeys, make routes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

from ..gazetteer import Gazetteer
from ..model import Article
from .attributes import cargo_of_origin
from .candidates import plan, sentence_bounds
from .entities import add_entities
from .journeys import JourneyReader, _routes_of
from .mentions import find_mentions
from .reading import article_date, split_metadata

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc, Span


MAX_PIECE = 20_000
"""Longest piece of text (characters) parsed at once: long articles are parsed in pieces cut at
sentence ends and joined again, so that time and memory grow linearly with length (and spaCy's
1,000,000-character limit never applies)."""
BATCH = 64
"""Pieces (runs of candidate sentences) the trained pipeline parses together, and articles whose
entity windows the recogniser reads together.  Larger batches give the same annotations (tested
on the seeds, the dev and held-out sets) in less time: the parser and the recogniser step every
document of a batch at once, so fewer, fuller steps (64 against 16: 8-30% less parsing CPU on the
benchmark corpus and the dev set)."""


def extract_articles(
    articles: Iterable[Article],
    *,
    nlp: Language,
    gazetteer: Gazetteer,
    progress: Callable[[Article], None] | None = None,
) -> list[Article]:
    """Parse every article and fill its mentions and routes in place (see :func:`iter_extract`)."""
    out = []
    for article in iter_extract(articles, nlp=nlp, gazetteer=gazetteer):
        out.append(article)
        if progress is not None:
            progress(article)
    return out


def iter_extract(articles: Iterable[Article], *, nlp: Language, gazetteer: Gazetteer,
                 batch_size: int = BATCH) -> Iterator[Article]:
    """Extract from articles one by one as they come (a lazy iterable stays lazy), in order."""
    for article, doc in parse_articles(articles, nlp=nlp, gazetteer=gazetteer, batch_size=batch_size):
        yield extract_doc(article, doc, gazetteer=gazetteer)


def parse_articles(articles: Iterable[Article], *, nlp: Language, gazetteer: Gazetteer,
                   batch_size: int = BATCH) -> Iterator[tuple[Article, Doc]]:
    """Each article with its analysed text, in order, parsing only its candidate sentences.

    The text is tokenized once and cut into stretches (:func:`kg.extract.candidates.plan`):
    runs of candidate sentences go through ``nlp.pipe`` in batches across articles, the other
    sentences get a flat parse, and the pieces are joined into one ``Doc`` whose text is the
    cleaned article text.  Only the articles inside the current batch are held in memory.
    Entities are found only around the words rules read them at (:mod:`kg.extract.entities`).
    """
    if "ner" not in nlp.pipe_names:
        yield from _parsed(articles, nlp=nlp, gazetteer=gazetteer, batch_size=batch_size, disable=[])
        return
    parsed = _parsed(articles, nlp=nlp, gazetteer=gazetteer, batch_size=batch_size, disable=["ner"])
    yield from add_entities(parsed, nlp=nlp, gazetteer=gazetteer, batch_size=batch_size)


def _parsed(articles: Iterable[Article], *, nlp: Language, gazetteer: Gazetteer, batch_size: int,
            disable: list[str]) -> Iterator[tuple[Article, Doc]]:
    """Each article with its text, candidate sentences parsed by ``nlp`` less ``disable``."""
    from spacy.tokens import Doc

    held: dict[int, tuple[Article, list[Doc | None]]] = {}

    def pieces() -> Iterator[tuple[Doc, tuple[int, int, bool]]]:
        for i, article in enumerate(articles):
            doc = nlp.make_doc(article.body)
            parts: list[Doc | None] = []
            to_parse: list[tuple[int, Doc]] = []
            copy = _Copier(doc)
            for stretch in plan(doc, gazetteer, limit=MAX_PIECE):
                if not stretch.parse:
                    parts.append(_flat(doc[stretch.start:stretch.end]))
                    continue
                for a, b in _cut(doc, stretch.start, stretch.end, MAX_PIECE):
                    parts.append(None)
                    to_parse.append((len(parts) - 1, copy(a, b)))
            held[i] = (article, parts)
            if not to_parse:
                yield nlp.make_doc(""), (i, -1, True)
            for k, (slot, piece) in enumerate(to_parse):
                yield piece, (i, slot, k == len(to_parse) - 1)

    for doc, (i, slot, last) in nlp.pipe(pieces(), as_tuples=True, batch_size=batch_size, disable=disable):
        article, parts = held[i]
        if slot >= 0:
            parts[slot] = doc
        if last:
            del held[i]
            done = [p for p in parts if p is not None]
            if not done:
                yield article, doc
            elif len(done) == 1:
                yield article, done[0]
            else:
                yield article, Doc.from_docs(done, ensure_whitespace=False, exclude=["tensor"])


class _Copier:
    """Copies token ranges of one document into documents of their own, equal to ``Span.as_doc``'s.

    A document fresh from the tokenizer carries, beyond each token's text and space, only its
    norm (``don't`` -> ``do``, ``not``) and its sentence-start flag, so a copy is a new ``Doc`` of
    the words with those two columns set.  ``Span.as_doc`` copies every attribute and, unless it
    is handed one, converts the *whole* document to an array on each call: a build copies each
    candidate sentence of each article, so that was ~4x the cost of this.
    """

    def __init__(self, doc: Doc) -> None:
        self._doc = doc
        self._words: list[str] | None = None
        self._spaces: list[bool] = []
        self._attrs: list[int] = []
        self._array: Any = None

    def __call__(self, start: int, end: int) -> Doc:
        """Tokens ``start:end`` as a new document, with the tokenizer's attributes."""
        from spacy.attrs import NORM, SENT_START
        from spacy.tokens import Doc

        if self._words is None:
            self._words = [t.text for t in self._doc]
            self._spaces = [bool(t.whitespace_) for t in self._doc]
            self._attrs = [NORM, SENT_START]
            self._array = self._doc.to_array(self._attrs)
        copy = Doc(self._doc.vocab, words=self._words[start:end], spaces=self._spaces[start:end])
        copy.from_array(self._attrs, self._array[start:end])
        return copy


def _flat(span: Span) -> Doc:
    """The tokens of sentences that are not parsed, with one flat tree per sentence.

    Each word hangs from its sentence's first token (label ``dep``), so sentence boundaries
    survive joining.
    """
    from spacy.tokens import Doc

    heads: list[int] = []
    deps: list[str] = []
    for a, b in sentence_bounds(span):
        heads += [a] * (b - a)
        deps += ["ROOT"] + ["dep"] * (b - a - 1)
    return Doc(span.doc.vocab, words=[t.text for t in span], spaces=[bool(t.whitespace_) for t in span],
               heads=heads, deps=deps)


def _cut(doc: Doc, start: int, end: int, limit: int) -> Iterator[tuple[int, int]]:
    """Token ranges of at most about ``limit`` characters covering ``start:end``.

    Cuts fall after a token followed by a space; only a sentence longer than ``limit`` is cut.
    """
    a = start
    while doc[a:end].end_char - doc[a].idx > limit:
        b = a
        for t in doc[a:end]:
            if t.idx + len(t.text) - doc[a].idx > limit and b > a:
                break
            if t.whitespace_ or t.is_space:
                b = t.i + 1
        if b <= a:
            b = min(a + 1, end)
        yield a, b
        a = b
    if a < end:
        yield a, end


def split_text(text: str, limit: int = MAX_PIECE) -> list[str]:
    """Cut a text into pieces of at most ``limit`` characters at paragraph, else sentence, else
    word ends; the pieces joined give the text back.

    >>> split_text("One. Two.\\n\\nThree.", limit=12)
    ['One. Two.\\n\\n', 'Three.']
    """
    if len(text) <= limit:
        return [text]
    out: list[str] = []
    start = 0
    while len(text) - start > limit:
        window = text[start:start + limit]
        cut = max(window.rfind("\n\n"), -1)
        cut = cut + 2 if cut > limit // 4 else -1
        if cut < 0:
            m = max((window.rfind(end) for end in (". ", "! ", "? ", ".\n")), default=-1)
            cut = m + 2 if m > limit // 4 else -1
        if cut < 0:
            sp = window.rfind(" ")
            cut = sp + 1 if sp > 0 else limit
        out.append(text[start:start + cut])
        start += cut
    out.append(text[start:])
    return [p for p in out if p]


def extract_text(text: str, *, nlp: Language, gazetteer: Gazetteer, name: str = "text") -> Article:
    """Extract from one string (handy in notebooks and tests)."""
    meta, _ = split_metadata(text)
    article = Article(name=name, text=text, sha256=hashlib.sha256(text.encode()).hexdigest(),
                      date=article_date(text), source=meta.get("source") or meta.get("url"))
    ((_, doc),) = parse_articles([article], nlp=nlp, gazetteer=gazetteer)
    return extract_doc(article, doc, gazetteer=gazetteer)


def extract_doc(article: Article, doc: Doc, *, gazetteer: Gazetteer) -> Article:
    """Fill ``article.mentions`` and ``article.routes`` from a parsed document."""
    mentions = find_mentions(doc, gazetteer)
    article.mentions = mentions
    reader = JourneyReader(doc, mentions, article.date)
    trains = reader.read()
    article.routes = []
    index = 0
    for train in (t for t in trains if t.is_route()):
        routes = _routes_of(train, index)
        if train.service_list:  # "destinations include A, B, C": a service to each, not one train
            for k, route in enumerate(routes):
                route.train = index + k
            index += len(routes)
        else:
            index += 1
        article.routes += routes
    for route in article.routes:
        route.cargo = cargo_of_origin(route.cargo, route.origin, gazetteer)
        if route.date is not None:
            route.date_basis = "stated"
        elif article.date is not None:
            route.date, route.date_basis, route.date_precision = article.date, "published", "day"
    return article
