"""Web pages to articles: main text, publication date, title, site name and canonical URL.

trafilatura finds the main text without navigation, and the metadata; htmldate the date.

A page that holds no article says why in one line (:class:`NotAnArticle`): an empty page, an
index page (its text is mostly links to other pages), a "page not found" page, a page over the
size limit.
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
import re
from typing import Any

from .. import settings
from ..identity import is_url, normalise_url
from ..model import Article
from .kinds import NotAnArticle

MIN_TEXT = 20
"""Fewest characters of main text a page must have to be read as an article."""
MAX_LINK_SHARE = 0.5
"""A page whose main text is more than this share of link texts is an index page."""
SAVED_FROM = re.compile(rb"<!--\s*saved from url=\(\d+\)(\S+?)\s*-->", re.I)
NOT_FOUND = re.compile(r"\b404\b|\bpage not found\b|^\s*not found\b", re.I)


def read_page(
    raw: bytes,
    *,
    name: str,
    url: str | None = None,
    date: dt.date | None = None,
    title: str | None = None,
    publisher: str | None = None,
) -> Article:
    """One saved or downloaded page as an article.

    Parameters
    ----------
    raw
        The page's bytes (its encoding is detected).
    name
        The file name (or the short name of a URL) the article is known by.
    url
        Where the page was downloaded from; the page's own canonical URL wins over it.
    date, title, publisher
        What a feed entry said, used when the page does not say it itself.

    Raises
    ------
    NotAnArticle
        When the page holds no article.
    """
    import trafilatura

    if len(raw) > settings.max_page_bytes:
        raise NotAnArticle(
            f"the page is {len(raw) / 1e6:.1f} MB, over the {settings.max_page_bytes / 1e6:.1f} MB "
            "limit; not an article? (KG_MAX_PAGE_BYTES raises the limit)"
        )
    if not raw.strip():
        raise NotAnArticle("the page is empty")
    if m := SAVED_FROM.search(raw[:4096]):  # a browser's "saved from url=" mark: where the page was
        url = url or m.group(1).decode("ascii", "replace")
        raw = raw[: m.start()] + raw[m.end() :]  # lxml reads a comment before <html> as a fragment
    tree = trafilatura.load_html(raw)
    if tree is None:
        raise NotAnArticle("the page cannot be read as HTML")
    published = _page_date(tree, url)
    doc = trafilatura.bare_extraction(
        copy.deepcopy(tree), url=url, with_metadata=True, include_comments=False
    )
    text = (doc.text or "").strip() if doc is not None else ""
    page_title = (doc.title if doc is not None else None) or title
    if len(text) < MIN_TEXT:
        raise NotAnArticle("no article text on the page (empty, a login wall, or made by scripts?)")
    if page_title and NOT_FOUND.search(page_title) and len(text) < 1000:
        raise NotAnArticle(f"a 'page not found' page (title {page_title[:60]!r})")
    share, links = _link_share(tree, text)
    if share > MAX_LINK_SHARE:
        raise NotAnArticle(
            f"an index page: {share:.0%} of its text is {links} links to other pages; "
            "give the articles' own pages (or a feed)"
        )
    canonical = _canonical(doc.url if doc is not None else None, url)
    body = "\n\n".join(line.strip() for line in text.splitlines() if line.strip())
    site = (doc.sitename if doc is not None else None) or publisher
    when = published or date
    fingerprint = json.dumps([body, canonical, str(when), page_title, site], ensure_ascii=False)
    return Article(
        name=name,
        text=body,
        sha256=hashlib.sha256(fingerprint.encode("utf-8")).hexdigest(),
        date=when if when is not None else _text_date(body),
        source=canonical,
        url=canonical,
        title=page_title,
        publisher=site,
    )


def _page_date(tree: Any, url: str | None) -> dt.date | None:
    """The original publication date in the page's metadata or URL (htmldate, no guessing from text)."""
    import htmldate

    found = htmldate.find_date(copy.deepcopy(tree), url=url, original_date=True, extensive_search=False)
    try:
        return dt.date.fromisoformat(found) if found else None
    except ValueError:
        return None


def _text_date(text: str) -> dt.date | None:
    from ..extract.reading import article_date

    return article_date(text)


def _canonical(found: str | None, fetched: str | None) -> str | None:
    """The page's canonical URL (else where it was fetched), normalised; None when neither is absolute."""
    from urllib.parse import urljoin

    for candidate in (found, fetched):
        if candidate:
            absolute = urljoin(fetched, candidate) if fetched else candidate
            if is_url(absolute):
                return normalise_url(absolute)
    return None


def _link_share(tree: Any, text: str) -> tuple[float, int]:
    """Share of the main text's characters that are link texts, and how many links those are."""
    links = {" ".join(a.text_content().split()) for a in tree.iter("a")}
    links.discard("")
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    total = sum(len(line) for line in lines) or 1
    linked = [line for line in lines if line in links]
    return sum(len(line) for line in linked) / total, len(linked)
