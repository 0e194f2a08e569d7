"""Extraction end to end: parse articles, find place mentions, read journeys, make routes."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..gazetteer import Gazetteer
from ..model import Article
from .journeys import JourneyReader, _routes_of
from .mentions import find_mentions
from .reading import article_date, clean_text, split_metadata

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc


def extract_articles(
    articles: list[Article],
    *,
    nlp: Language,
    gazetteer: Gazetteer,
    progress: Callable[[Article], None] | None = None,
) -> list[Article]:
    """Parse every article with ``nlp.pipe`` and fill its mentions and routes in place."""
    texts = (clean_text(a.text) for a in articles)
    for article, doc in zip(articles, nlp.pipe(texts, batch_size=16)):
        extract_doc(article, doc, gazetteer=gazetteer)
        if progress is not None:
            progress(article)
    return articles


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
    kept = [t for t in trains if t.is_route()]
    article.routes = [r for i, t in enumerate(kept) for r in _routes_of(t, i)]
    for route in article.routes:
        if route.date is not None:
            route.date_basis = "stated"
        elif article.date is not None:
            route.date, route.date_basis = article.date, "published"
    return article
