"""Document identity: which inputs are one document.

A document is named by its canonical URL when the input gives one (a page's ``<link
rel=canonical>``, a feed entry's link, a ``source:`` line), normalised so that the tracking
and cosmetic variants of one address agree; otherwise by a hash of its text, so the same
article saved under two file names, or renamed, stays one document.  The file name is only an
attribute (``kgo:fileName``).
"""

from __future__ import annotations

import hashlib
import re
from functools import cache
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_DEFAULT_PORTS = {"http": 80, "https": 443}
_HEADER = re.compile(r"\A(?:[ \t]*(?:source|url|date|title|published|publisher)[ \t]*:[^\n]*\n)+", re.I)
_INVISIBLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
KEY = re.compile(r"^[ut]-[0-9a-f]{20}$")
"""What a document key looks like (``u-`` from a URL, ``t-`` from the text)."""


def is_url(text: str) -> bool:
    """Whether ``text`` is an absolute http(s) URL."""
    return bool(re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", text.strip(), flags=re.I))


@cache
def _tracking() -> tuple[frozenset[str], tuple[str, ...]]:
    names, prefixes = set(), []
    for line in (
        (Path(__file__).parent / "data" / "tracking_params.txt").read_text(encoding="utf-8").splitlines()
    ):
        line = line.strip().lower()
        if line and not line.startswith("#"):
            (prefixes.append(line[:-1]) if line.endswith("*") else names.add(line))
    return frozenset(names), tuple(prefixes)


def normalise_url(url: str) -> str:
    """The canonical form of an http(s) URL used as a document's identity.

    Scheme and host lower-case, default port, fragment and tracking parameters (``utm_*``,
    ``fbclid`` ... listed in ``kg/data/tracking_params.txt``) dropped, the other parameters
    sorted, an empty path made ``/``.

    >>> normalise_url("HTTPS://News.Example.org:443/a/b.html?utm_source=x&id=2&b=1#top")
    'https://news.example.org/a/b.html?b=1&id=2'
    """
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if parts.port and parts.port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{parts.port}"
    names, prefixes = _tracking()
    query = sorted(
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k.lower() not in names and not k.lower().startswith(prefixes)
    )
    return urlunsplit((scheme, host, parts.path or "/", urlencode(query), ""))


def text_fingerprint(text: str) -> str:
    """The article's words for hashing: no metadata header, no invisible characters, spaces collapsed."""
    body = _HEADER.sub("", text.lstrip("\ufeff"), count=1)
    return " ".join(_INVISIBLE.sub("", body).split())


def document_key(url: str | None, text: str) -> str:
    """``u-`` + hash of the normalised URL when ``url`` is an http(s) URL, else ``t-`` + hash of the text."""
    if url and is_url(url):
        return "u-" + hashlib.sha256(normalise_url(url).encode("utf-8")).hexdigest()[:20]
    return "t-" + hashlib.sha256(text_fingerprint(text).encode("utf-8")).hexdigest()[:20]


def url_name(url: str) -> str:
    """A short readable name of a document read from the web: host, path and query, no scheme.

    Tracking parameters are dropped; a query that names the page (``?id=3``) stays.

    >>> url_name("https://www.example.org/news/2021/train.html?utm_source=x")
    'www.example.org/news/2021/train.html'
    >>> url_name("http://example.org/article.php?id=3")
    'example.org/article.php?id=3'
    """
    parts = urlsplit(normalise_url(url) if is_url(url) else url)
    query = f"?{parts.query}" if parts.query else ""
    name = (parts.hostname or "") + (parts.path.rstrip("/") or "") + query
    return name[:200] or url[:200]
