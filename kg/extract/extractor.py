"""Extraction end to end: parse articles, find place mentions, read journeys, make routes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

from ..gazetteer import Gazetteer
from ..model import Article
from .journeys import JourneyReader, _routes_of
from .mentions import find_mentions
from .reading import article_date, clean_text, split_metadata

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


MAX_PIECE = 20_000
"""Longest piece of text (characters) parsed at once: long articles are parsed in pieces cut at
paragraph or sentence ends and joined again, so that time and memory grow linearly with length
(and spaCy's 1,000,000-character limit never applies)."""


def extract_articles(
    articles: list[Article],
    *,
    nlp: Language,
    gazetteer: Gazetteer,
    progress: Callable[[Article], None] | None = None,
) -> list[Article]:
    """Parse every article with ``nlp.pipe`` and fill its mentions and routes in place."""
    from spacy.tokens import Doc

    def pieces() -> Iterator[tuple[str, tuple[int, int, int]]]:
        for i, article in enumerate(articles):
            parts = split_text(clean_text(article.text))
            for k, part in enumerate(parts):
                yield part, (i, k, len(parts))

    done: list[Doc] = []
    for doc, (i, k, n) in nlp.pipe(pieces(), as_tuples=True, batch_size=16):
        done.append(doc)
        if k < n - 1:
            continue
        whole = done[0] if n == 1 else Doc.from_docs(done, ensure_whitespace=True)
        done = []
        extract_doc(articles[i], whole, gazetteer=gazetteer)
        if progress is not None:
            progress(articles[i])
    return articles


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
    extract_doc(article, nlp(clean_text(text)), gazetteer=gazetteer)
    return article


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
        if route.date is not None:
            route.date_basis = "stated"
        elif article.date is not None:
            route.date, route.date_basis, route.date_precision = article.date, "published", "day"
    return article
