"""RSS and Atom feeds to articles (feedparser): one article per entry.

An entry that carries its text (``content:encoded``, Atom ``content``) is read as it is; one
that holds only a summary has its page downloaded and read as a page, with the entry's title,
date and the feed's title standing in for what the page does not say.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterator
from typing import Any

from .._errors import KgError
from ..identity import is_url, normalise_url, url_name
from ..model import Article
from .kinds import NotAnArticle

_BLOCK_END = re.compile(r"(?i)<\s*(?:br\s*/?|/\s*(?:p|div|li|h[1-6]|blockquote|tr|section|article))\s*>")


def read_feed(
    raw: bytes,
    *,
    name: str,
    url: str | None = None,
    page: Callable[[str, dict[str, Any]], Article] | None = None,
) -> Iterator[tuple[str, Article | str]]:
    """Each entry of a feed as ``(entry name, Article)``, or ``(entry name, reason)`` when it is skipped.

    Parameters
    ----------
    raw
        The feed's bytes.
    name
        The feed's file name or URL name; entries without a link are named ``NAME#N``.
    url
        Where the feed was downloaded from (relative links are resolved against it).
    page
        ``page(link, hints)`` downloads and reads an entry's page (``hints``: ``date``, ``title``,
        ``publisher``); without it, a summary-only entry is read from its summary.

    Raises
    ------
    NotAnArticle
        When the bytes are not a feed feedparser can read.
    """
    import feedparser

    parsed = feedparser.parse(raw, response_headers={"content-location": url} if url else None)
    if not parsed.entries:
        if parsed.get("bozo") and not parsed.get("version"):
            raise NotAnArticle(f"not a readable RSS or Atom feed ({_first(parsed.get('bozo_exception'))})")
        raise NotAnArticle("the feed has no entries")
    publisher = parsed.feed.get("title") or None
    for n, entry in enumerate(parsed.entries, start=1):
        link = entry.get("link") or ""
        entry_name = url_name(link) if is_url(link) else f"{name}#{n}"
        try:
            yield (
                entry_name,
                _entry_article(entry, entry_name, link if is_url(link) else None, publisher, page),
            )
        except (NotAnArticle, KgError) as exc:
            yield entry_name, str(exc)


def _entry_article(
    entry: Any,
    name: str,
    link: str | None,
    publisher: str | None,
    page: Callable[[str, dict[str, Any]], Article] | None,
) -> Article:
    title = (entry.get("title") or "").strip() or None
    date = _entry_date(entry)
    content = [c.get("value", "") for c in entry.get("content") or [] if c.get("value", "").strip()]
    if not content and link and page is not None:
        return page(link, {"date": date, "title": title, "publisher": publisher})
    body = fragment_text(content[0] if content else entry.get("summary") or "")
    if len(body) < 20:
        raise NotAnArticle("the entry has no text and no link to its page")
    text = f"{title}\n\n{body}" if title and not body.startswith(title) else body
    canonical = normalise_url(link) if link else None
    fingerprint = json.dumps([text, canonical, str(date), title, publisher], ensure_ascii=False)
    return Article(
        name=name,
        text=text,
        sha256=hashlib.sha256(fingerprint.encode("utf-8")).hexdigest(),
        date=date,
        source=canonical,
        url=canonical,
        title=title,
        publisher=publisher,
    )


def _entry_date(entry: Any) -> dt.date | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if value:
            try:
                return dt.date(value.tm_year, value.tm_mon, value.tm_mday)
            except ValueError:
                continue
    return None


def fragment_text(html: str) -> str:
    """Plain text of an HTML fragment (a feed entry's content), one paragraph per block."""
    import lxml.html

    if "<" not in html:
        return "\n\n".join(p.strip() for p in html.split("\n\n") if p.strip())
    marked = _BLOCK_END.sub("\n\n", html)
    try:
        text = lxml.html.fragment_fromstring(marked, create_parent="div").text_content()
    except Exception:  # noqa: BLE001 - lxml raises several types on broken markup; fall back to tag stripping
        text = re.sub(r"<[^>]*>", " ", marked)
    paragraphs = (" ".join(p.split()) for p in re.split(r"\n\s*\n", text))
    return "\n\n".join(p for p in paragraphs if p)


def _first(exc: object) -> str:
    text = str(exc or "unknown error").strip().splitlines()
    return text[0][:120] if text else "unknown error"
