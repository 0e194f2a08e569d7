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
    r"(?:,\s*(?P<year>\d{4}))?\s*\((?P<agency>[^)]+)\)\s*(?:--|—|–|-)\s*"
)
DATE_LINE = re.compile(r"^\s*date[:\s]+(\d{4}-\d{2}-\d{2})\b\s*", re.I)
ISO_DATE = re.compile(r"\b(20\d{2}|19\d{2})-(\d{2})-(\d{2})\b")
LONG_DATE = re.compile(r"\b([A-Z][a-z]{2,8})\.?\s+(\d{1,2}),\s+(\d{4})\b")


def read_article(path: Path) -> Article:
    """Read one ``.txt`` article; its name is the file name.

    Raises
    ------
    InputError
        When the file cannot be read as UTF-8 text or is empty.
    """
    try:
        raw = path.read_bytes()
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"{path}: not UTF-8 text (byte {exc.start}); save it as UTF-8 and retry") from exc
    except OSError as exc:
        raise InputError(f"{path}: cannot read it ({exc.strerror}); check the path") from exc
    if not text.strip():
        raise InputError(f"{path}: the file is empty; give an article with text")
    return Article(name=path.name, text=text, sha256=hashlib.sha256(raw).hexdigest(),
                   date=article_date(text))


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
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def clean_text(text: str) -> str:
    """Normalise white space that trips the parser, keeping offsets meaningful per sentence."""
    text = DATE_LINE.sub("", text.replace("\u00a0", " "), count=1)
    # Glued sentences ("country.An employee") split badly: put the space back.
    return re.sub(r"([a-z]{2}[.!?][\"”]?)([A-Z][a-z])", r"\1 \2", text)
