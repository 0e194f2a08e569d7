"""Dates in news text, resolved against the article's publication date, with their precision.

"on Sunday", "Nov. 18, 2021", "last week", "in March", "earlier this year", "2019": each names
a day, a week, a month or a year.

A date is kept as the first day of the period it names plus its precision: ``day``, ``week``
(the Monday of that week), ``month`` (the 1st) or ``year`` (January 1st).  Relative expressions
("on Sunday", "last month", "in March") need the publication date; without one they are
recognised but left unresolved (:attr:`DateFound.value` is None) rather than guessed.

The word lists (which words open a date that is not a departure, such as "since" or "by")
are data: ``kg/data/dates.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

PRECISIONS = ("day", "week", "month", "year")
MONTH_NAMES = ["january", "february", "march", "april", "may", "june", "july", "august",
               "september", "october", "november", "december"]
WEEKDAY_NAMES = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

_MONTH = (r"(?P<{}>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
          r"|Sept?(?:ember)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?")
_DAY = r"(?P<{}>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<{}>(?:19|20)\d{{2}})"
_WEEKDAY = r"(?P<wd>(?i:monday|tuesday|wednesday|thursday|friday|saturday|sunday))"


def _p(template: str, *names: str) -> str:
    return template.format(*names)


# Each pattern names its parts; the first groups decide what kind of date it is.
_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("iso", re.compile(r"\b(?P<y>(?:19|20)\d{2})-(?P<m>[01]\d)-(?P<d>[0-3]\d)\b")),
    ("mdy", re.compile(rf"\b{_p(_MONTH, 'mon')}\s+{_p(_DAY, 'd')},?\s+{_p(_YEAR, 'y')}\b")),
    ("dmy", re.compile(rf"\b{_p(_DAY, 'd')}\s+(?:of\s+)?{_p(_MONTH, 'mon')},?\s+{_p(_YEAR, 'y')}\b")),
    ("md", re.compile(rf"\b{_p(_MONTH, 'mon')}\s+{_p(_DAY, 'd')}\b(?![,.]?\s*\d)(?!\s*(?:%|per))")),
    ("dm", re.compile(rf"\b{_p(_DAY, 'd')}\s+(?:of\s+)?{_p(_MONTH, 'mon')}\b")),
    ("my", re.compile(rf"\b{_p(_MONTH, 'mon')}(?:\s+of)?,?\s+{_p(_YEAR, 'y')}\b")),
    ("weekday", re.compile(rf"\b(?P<rel>(?i:last|this|next|past)\s+)?{_WEEKDAY}\b")),
    ("relday", re.compile(r"\b(?P<rel>(?i:yesterday|today|tonight|this\s+(?:morning|afternoon|evening)"
                          r"|last\s+night|the\s+day\s+before\s+yesterday))\b")),
    ("relperiod", re.compile(r"\b(?P<rel>(?i:(?:(?:earlier|later)\s+)?(?:this|last|next|past)))\s+"
                             r"(?P<unit>(?i:week|month|year))\b")),
    ("month", re.compile(r"\b(?:(?i:in|during|early|late|mid|mid-|end\s+of|beginning\s+of)\s*-?\s*)"
                         rf"{_p(_MONTH, 'mon')}(?![\w-])(?!,?\s+(?:of\s+)?\d)")),
    ("year", re.compile(rf"(?<![\d,.$€£¥-])\b{_p(_YEAR, 'y')}\b"
                        r"(?![\d,-]|\.\d|\s*(?:km|kilomet|tons|tonnes|TEU|containers|trains|%))")),
]


@dataclass(frozen=True)
class DateFound:
    """A date expression found in a text."""

    text: str
    start: int
    end: int
    value: dt.date | None
    """First day of the period named; None when it needs a publication date that is unknown."""
    precision: str
    kind: str

    def last_day(self) -> dt.date | None:
        """Last day of the period named (the date itself for day precision)."""
        return None if self.value is None else period_end(self.value, self.precision)


@cache
def _words() -> dict[str, list[str]]:
    data = json.loads((Path(__file__).resolve().parent / "data" / "dates.json").read_text("utf-8"))
    return {k: [w.lower() for w in v] for k, v in data.items() if not k.startswith("_")}


def period_end(start: dt.date, precision: str) -> dt.date:
    """Last day of the period that starts on ``start`` with ``precision``."""
    if precision == "week":
        return start + dt.timedelta(days=6)
    if precision == "month":
        return _month_start(start.year + start.month // 12, start.month % 12 + 1) - dt.timedelta(days=1)
    if precision == "year":
        return dt.date(start.year, 12, 31)
    return start


def describe(date: str | dt.date | None, precision: str | None = "day") -> str | None:
    """A stored date as a reader should see it: only as precise as the text was.

    ``2021-03-01`` of month precision is "in March 2021", of year precision "in 2021", of
    week precision "in the week of 2021-03-01"; a day is "on 2021-03-01".  None for no date.
    """
    if date is None:
        return None
    day = date if isinstance(date, dt.date) else dt.date.fromisoformat(str(date)[:10])
    if precision == "year":
        return f"in {day.year}"
    if precision == "month":
        return f"in {MONTH_NAMES[day.month - 1].capitalize()} {day.year}"
    if precision == "week":
        return f"in the week of {day.isoformat()}"
    return f"on {day.isoformat()}"


def _month_start(year: int, month: int) -> dt.date:
    return dt.date(year, month, 1)


def _month(name: str) -> int:
    return next(i for i, m in enumerate(MONTH_NAMES, start=1) if m.startswith(name.lower().rstrip(".")[:3]))


def _safe(year: int, month: int, day: int) -> dt.date | None:
    try:
        return dt.date(year, month, day)
    except ValueError:
        return None


def _resolve(kind: str, m: re.Match[str], published: dt.date | None) -> tuple[dt.date | None, str] | None:
    """The date one match names and its precision; None when the match is no date after all."""
    g = m.groupdict()
    if kind == "iso":
        d = _safe(int(g["y"]), int(g["m"]), int(g["d"]))
        return (d, "day") if d else None
    if kind in {"mdy", "dmy"}:
        d = _safe(int(g["y"]), _month(g["mon"]), int(g["d"]))
        return (d, "day") if d else None
    if kind in {"md", "dm"}:
        if not 1 <= int(g["d"]) <= 31:
            return None
        if published is None:
            return None, "day"
        d = _safe(published.year, _month(g["mon"]), int(g["d"]))
        if d is not None and d > published + dt.timedelta(days=7):  # "on Dec. 30" in a January article
            d = _safe(published.year - 1, _month(g["mon"]), int(g["d"]))
        return (d, "day") if d else None
    if kind == "my":
        return _month_start(int(g["y"]), _month(g["mon"])), "month"
    if kind == "month":
        if published is None:
            return None, "month"
        month = _month(g["mon"])
        year = published.year if month <= published.month else published.year - 1
        return _month_start(year, month), "month"
    if kind == "year":
        return dt.date(int(g["y"]), 1, 1), "year"
    if published is None:
        return None, "week" if kind == "relperiod" and g["unit"].lower() == "week" else "day"
    if kind == "weekday":
        wd = WEEKDAY_NAMES.index(g["wd"].lower())
        rel = (g["rel"] or "").strip().lower()
        if rel == "next":
            return published + dt.timedelta(days=(wd - published.weekday() - 1) % 7 + 1), "day"
        back = (published.weekday() - wd) % 7
        if rel in {"last", "past"} and back == 0:
            back = 7
        return published - dt.timedelta(days=back), "day"
    if kind == "relday":
        rel = " ".join(g["rel"].lower().split())
        back = 2 if rel.startswith("the day before") else 1 if rel in {"yesterday", "last night"} else 0
        return published - dt.timedelta(days=back), "day"
    rel = " ".join(g["rel"].lower().split())
    unit = g["unit"].lower()
    step = -1 if rel in {"last", "past"} else 1 if rel == "next" else 0
    if unit == "week":
        monday = published - dt.timedelta(days=published.weekday())
        return monday + dt.timedelta(weeks=step), "week"
    if unit == "month":
        n = published.year * 12 + published.month - 1 + step
        return _month_start(n // 12, n % 12 + 1), "month"
    return dt.date(published.year + step, 1, 1), "year"


_SPECIFIC = {"iso": 0, "mdy": 0, "dmy": 0, "md": 1, "dm": 1, "weekday": 1, "relday": 1, "my": 2,
             "relperiod": 2, "month": 3, "year": 4}


def find_dates(text: str, published: dt.date | None = None, *,
               blocked: Iterable[tuple[int, int]] = ()) -> list[DateFound]:
    """Every date expression of ``text`` in text order, resolved against ``published``.

    Overlapping matches keep the longest (most specific).  ``blocked`` are character spans
    that cannot hold a date (spaCy entities of another type: "March" in a person's name,
    "Sunday" in a newspaper's).  Expressions opened by a word of ``dates.json``'s ``not_when``
    list ("since 2016", "by 2025", "as of November 15") are left out: they bound a period
    rather than date a train.
    """
    spans = list(blocked)
    found: list[tuple[int, int, int, str, re.Match[str]]] = []
    for kind, pattern in _PATTERNS:
        for m in pattern.finditer(text):
            if any(a < m.end() and m.start() < b for a, b in spans):
                continue
            found.append((m.start(), -(m.end() - m.start()), _SPECIFIC[kind], kind, m))
    found.sort(key=lambda f: (f[0], f[1], f[2]))
    out: list[DateFound] = []
    taken: list[tuple[int, int]] = []
    for start, _, _, kind, m in found:
        if any(a < m.end() and start < b for a, b in taken):
            continue
        taken.append((start, m.end()))
        if _opened_by(text, start, _words()["not_when"]):
            continue
        resolved = _resolve(kind, m, published)
        if resolved is None:
            continue
        out.append(DateFound(m.group(0), start, m.end(), resolved[0], resolved[1], kind))
    return out


def _opened_by(text: str, start: int, words: list[str]) -> bool:
    """Whether one of ``words`` (or phrases) ends right before ``start``."""
    before = " ".join(text[max(0, start - 40):start].lower().split())
    return any(before == w or before.endswith(" " + w) for w in words)


def train_date(text: str, published: dt.date | None = None, *,
               blocked: Iterable[tuple[int, int]] = ()) -> DateFound | None:
    """The first date expression of a sentence (resolved or not), or None when it names none."""
    found = find_dates(text, published, blocked=blocked)
    return found[0] if found else None


def parse_date_bound(value: str) -> tuple[dt.date, dt.date]:
    """A ``--since`` / ``--until`` value as the first and last day it covers.

    ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``.

    Raises
    ------
    ValueError
        When the value is none of those forms or no real date.
    """
    m = re.fullmatch(r"\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*", value or "")
    if m is None:
        raise ValueError(f"{value!r} is not a date: give YYYY, YYYY-MM or YYYY-MM-DD (e.g. 2021-03)")
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if month is None:
            return dt.date(year, 1, 1), dt.date(year, 12, 31)
        if day is None:
            start = dt.date(year, int(month), 1)
            return start, period_end(start, "month")
        d = dt.date(year, int(month), int(day))
        return d, d
    except ValueError:
        raise ValueError(f"{value!r} is not a real date: give YYYY, YYYY-MM or YYYY-MM-DD "
                         "(e.g. 2021-03)") from None
