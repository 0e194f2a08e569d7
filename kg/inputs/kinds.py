"""What an input is (text, web page, feed, or something kg cannot read), by its first bytes."""

from __future__ import annotations

from .._errors import KgError

READ = "kg reads .txt articles, saved web pages (.html), RSS/Atom feeds and http(s) URLs"


class NotAnArticle(KgError):
    """An input that holds no article (an index page, a PDF, an empty page ...): one line saying why."""


def sniff(raw: bytes, *, suffix: str = "", content_type: str = "") -> str:
    """``"text"``, ``"html"`` or ``"feed"``.

    Raises
    ------
    NotAnArticle
        For a PDF, an archive, a binary file or XML that is not a feed.
    """
    ctype = content_type.split(";")[0].strip().lower()
    suffix = suffix.lower()
    if raw.startswith(b"%PDF") or ctype == "application/pdf":
        raise NotAnArticle(
            f"a PDF, not a web page or a text article; {READ}: save the article's text as .txt"
        )
    if raw.startswith(b"PK\x03\x04"):
        raise NotAnArticle(
            f"a zip archive (a Word or OpenDocument file?); {READ}: save the article's text as .txt"
        )
    if b"\x00" in raw[:4096]:
        raise NotAnArticle(f"a binary file; {READ}")
    head = raw[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    is_html = head.startswith((b"<!doctype html", b"<html")) or b"<body" in head or b"<head" in head
    if not is_html and (b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head):
        return "feed"
    if is_html or "html" in ctype or suffix in {".html", ".htm", ".xhtml"}:
        return "html"
    if any(k in ctype for k in ("rss", "atom")) or suffix in {".rss", ".atom"}:
        return "feed"
    if head.startswith(b"<?xml") or "xml" in ctype or suffix == ".xml":
        raise NotAnArticle(f"XML that is not an RSS or Atom feed; {READ}")
    if suffix in {".pdf", ".docx", ".doc", ".odt", ".rtf", ".epub"}:
        raise NotAnArticle(f"a {suffix.lstrip('.')} file; {READ}: save the article's text as .txt")
    return "text"
