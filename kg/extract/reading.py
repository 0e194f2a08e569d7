"""Reading articles from disk: text, publication date and source address."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from .._errors import InputError
from ..model import Article

MONTHS = {m: i + 1 for i, m in enumerate(
    ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"])}
WEEKDAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
DATELINE = re.compile(
    r"^\s*(?P<place>[A-Z][A-Z .'\-]+),\s+(?P<month>[A-Z][a-z]{2,8})\.?\s+(?P<day>\d{1,2})"
    r"(?:,\s*(?P<year>\d{4}))?\s*(?:\((?P<agency>[^)]+)\))?\s*(?:--|—|–|-|\.)\s*"
)
# The same at the start of any early paragraph (after a headline): "GANZHOU, May 20 -- A train ..."
DATELINE_PARAGRAPH = re.compile(
    r"(?m)^[ \t]*[A-Z][A-Z .'\-]+,[ \t]+[A-Z][a-z]{2,8}\.?[ \t]+\d{1,2}(?:,[ \t]*\d{4})?[ \t]*"
    r"(?:\([^)\n]+\))?[ \t]*(?:--|—|–|-)[ \t]*(?=\S)"
)
DATE_LINE = re.compile(r"^\s*date[:\s]+(\d{4}-\d{2}-\d{2})\b\s*", re.I)
ISO_DATE = re.compile(r"\b(20\d{2}|19\d{2})-(\d{2})-(\d{2})\b")
LONG_DATE = re.compile(r"\b([A-Z][a-z]{2,8})\.?\s+(\d{1,2}),\s+(\d{4})\b")
META_LINE = re.compile(r"^(source|url|date|title|published|publisher)[ \t]*:[ \t]*(.*?)[ \t]*$", re.I)
# Terminal control sequences (CSI "ESC[2J", OSC "ESC]0;title BEL") and other control characters.
CONTROL = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
                     r"|[\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")  # and zero-width / bidi marks
CONTROL_CHAR = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f"
                          r"\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]")
"""A character every :data:`CONTROL` match starts with (ESC is ``\\x1b``): none, nothing to remove."""
UNFINISHED_PARAGRAPH = re.compile(r"(?<=[^\s.!?:;\"”’)\]\-–—])[ \t]*\n(?:[ \t]*\n)+")
"""The paragraph break after a paragraph without final punctuation (a headline): it gets a full stop."""


def read_article(path: Path) -> Article:
    """Read one ``.txt`` article; its name is the file name.

    Raises
    ------
    InputError
        When the file cannot be read as UTF-8 text or is empty.
    """
    try:
        raw = path.read_bytes()
        kind = _not_text(path, raw)
        if kind is not None:
            raise InputError(f"{path}: this is {kind}, not a plain-text article; kg build reads text "
                             "(.txt) for now: save the article's text as a .txt file")
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8 and retry") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror}); check the path") from exc
    if not text.strip():
        raise InputError(f"{path}: the file is empty; give an article with text")
    meta, _ = split_metadata(text)
    source = meta.get("source") or meta.get("url")
    return Article(name=path.name, text=text, sha256=hashlib.sha256(raw).hexdigest(),
                   date=article_date(text), source=source, url=_url(source),
                   title=meta.get("title") or None, publisher=meta.get("publisher") or None)


def _url(source: str | None) -> str | None:
    """The ``source:`` line as a normalised URL when it is one (the document's identity), else None."""
    from ..identity import is_url, normalise_url

    return normalise_url(source) if source and is_url(source) else None


def _not_text(path: Path, raw: bytes) -> str | None:
    """What a file is when it is not plain text (by its first bytes, then its suffix), or None."""
    head = raw[:1024].lstrip().lower()
    if raw.startswith(b"%PDF"):
        return "a PDF"
    if raw.startswith(b"PK\x03\x04"):
        return "a zip archive (a Word or OpenDocument file?)"
    if b"\x00" in raw[:4096]:
        return "a binary file"
    if head.startswith((b"<!doctype html", b"<html")) or b"<body" in head or b"<head" in head:
        return "an HTML page"
    if head.startswith(b"<?xml") or path.suffix.lower() in {".html", ".htm", ".xml", ".pdf", ".docx"}:
        return f"a {path.suffix.lower().lstrip('.') or 'markup'} file"
    return None


def split_metadata(text: str) -> tuple[dict[str, str], str]:
    """Leading ``source:`` / ``date:`` / ``title:`` lines (the dev set's header) and the body after them.

    >>> split_metadata("source: https://x.org/a\\ndate: 2021-10-29\\n\\nA train left.")
    ({'source': 'https://x.org/a', 'date': '2021-10-29'}, 'A train left.')
    """
    meta: dict[str, str] = {}
    lines = text.lstrip("\ufeff").split("\n")
    n = 0
    while n < len(lines) and (m := META_LINE.match(lines[n].strip())):
        meta.setdefault(m.group(1).lower(), m.group(2))
        n += 1
    if not meta:
        return {}, text
    return meta, "\n".join(lines[n:]).lstrip("\n")


def collect_paths(paths: Iterable[Path]) -> list[Path]:
    """Expand files and folders into the sorted list of ``.txt`` articles they hold.

    Raises
    ------
    InputError
        When a path does not exist or a folder holds no ``.txt`` file.
    """
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(p for p in path.rglob("*.txt") if p.is_file())
            if not found:
                raise InputError(f"{path}: the folder holds no .txt article; point at .txt files")
            out.extend(found)
        elif path.is_file():
            out.append(path)
        else:
            raise InputError(f"{path}: no such file or folder; check the path")
    return list(dict.fromkeys(out))


def article_date(text: str) -> dt.date | None:
    """Publication date from a ``date YYYY-MM-DD`` line, an ISO date or a dateline with a year."""
    meta, text = split_metadata(text)
    if "date" in meta and (m := ISO_DATE.search(meta["date"])):
        found = safe_date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if found is not None:
            return found
    head = text[:400]
    for pattern in (DATE_LINE, ISO_DATE):
        m = pattern.search(head)
        if m:
            try:
                if pattern is DATE_LINE:
                    return dt.date.fromisoformat(m.group(1))
                return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
            except ValueError:
                continue
    m = DATELINE.match(text)
    if m and m.group("year"):
        month = MONTHS.get(m.group("month")[:3].lower())
        if month:
            return safe_date(int(m.group("year")), month, int(m.group("day")))
    m = LONG_DATE.search(head)
    if m and (month := MONTHS.get(m.group(1)[:3].lower())):
        return safe_date(int(m.group(3)), month, int(m.group(2)))
    return None


def safe_date(year: int, month: int, day: int) -> dt.date | None:
    """The date, or None when it does not exist (February 30)."""
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def clean_text(text: str) -> str:
    """The article body as the parser should see it (an article's :attr:`kg.model.Article.body`).

    The metadata header and control characters go; a dateline ("GANZHOU, May 20 --") becomes a
    paragraph of its own; a headline or any paragraph without final punctuation gets a full stop (otherwise it runs into the first sentence); glued sentences
    ("country.An employee") get their space back.
    """
    _, text = split_metadata(text)
    text = DATE_LINE.sub("", text.replace("\u00a0", " "), count=1)
    if CONTROL_CHAR.search(text):  # most texts have none: one scan for a character, not the sequences
        text = CONTROL.sub("", text)
    # A dateline is a paragraph of its own, not the start of the first sentence.
    m = DATELINE_PARAGRAPH.search(text, 0, 1000)
    if m is not None:
        head = re.sub(r"\s*(?:--|—|–|-)\s*$", "", text[:m.end()])
        text = head + ".\n\n" + text[m.end():]
    text = UNFINISHED_PARAGRAPH.sub(".\n\n", text)
    return re.sub(r"([a-z]{2}[.!?][\"”]?)([A-Z][a-z])", r"\1 \2", text)
