"""Text to facts: trains, their origins, destinations, ordered transit points, cargo and figures.

Extraction runs in stages, one module each, so that each can be read and tested alone:

``reading``
    Articles from disk: text, ``source:`` / ``date:`` metadata lines, publication date.
``mentions``
    Place mentions: gazetteer proposals checked against spaCy's tags.
``roles``
    Sentence roles from the grammar: which mention is an origin, destination or transit, and
    which train word it hangs on.
``journeys``
    Discourse: which train each sentence talks about, merging, return legs, the most specific
    place the article gives for each role.
``attributes``
    Cargo, containers, TEU, tonnes, journey days and dates.
"""

from __future__ import annotations

from .extractor import extract_articles, extract_doc, extract_text, iter_extract, parse_articles
from .lexicon import Lexicon, lexicon
from .reading import article_date, collect_paths, read_article

__all__ = [
    "Lexicon", "article_date", "collect_paths", "extract_articles", "extract_doc", "extract_text", "iter_extract",
    "parse_articles",
    "lexicon", "read_article",
]
