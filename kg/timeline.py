"""Time in questions: trains, routes and the route network as of a date or within a period.

Every train has a date (:mod:`kg.dates`): a day, week, month or year.  A train counts for a
period when its date *overlaps* it: a train of March 2021 (month precision) counts for
``--since 2021-03-15`` and for ``--until 2021-03-01``.  A train without a date counts for no
bounded period (the answer is made of dated facts only); with no bound, everything counts.

:func:`filter_network` narrows the network of :func:`kg.network.route_network`: each leg
keeps the trains (and their evidence, articles and crossings) of the period, and legs left
with none are dropped.  :func:`annotate_dates` gives every leg its ``dates`` (sorted ISO
dates of its trains) and every evidence item its train's ``date``, so a page can filter too.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import networkx as nx

from ._errors import InputError
from .dates import parse_date_bound, period_end


@dataclass(frozen=True)
class Period:
    """A range of days, open at either end (None)."""

    since: dt.date | None = None
    until: dt.date | None = None

    @property
    def bounded(self) -> bool:
        """Whether either end is set."""
        return self.since is not None or self.until is not None

    def covers(self, date: str | dt.date | None, precision: str | None = "day") -> bool:
        """Whether a train dated ``date`` (the first day of a period of ``precision``) overlaps it."""
        if not self.bounded:
            return True
        start = _as_date(date)
        if start is None:
            return False
        end = period_end(start, precision or "day")
        return (self.since is None or end >= self.since) and (self.until is None or start <= self.until)

    def describe(self) -> str:
        """``since 2021-01-01``, ``until 2019-12-31``, ``2020-01-01 to 2020-12-31`` or ``all dates``."""
        if self.since and self.until:
            return f"{self.since.isoformat()} to {self.until.isoformat()}"
        if self.since:
            return f"since {self.since.isoformat()}"
        return f"until {self.until.isoformat()}" if self.until else "all dates"


def period(since: str | None = None, until: str | None = None, as_of: str | None = None) -> Period:
    """The period a question asks about, from ``--since``, ``--until`` and ``--as-of`` values.

    Each takes ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``: ``since`` starts on its first day,
    ``until`` and ``as_of`` (the same thing: what was reported by then) end on its last.

    Raises
    ------
    InputError
        In one line, naming the option and the bad value.
    """

    def bound(option: str, value: str | None, end: int) -> dt.date | None:
        if value is None:
            return None
        try:
            return parse_date_bound(value)[end]
        except ValueError as exc:
            raise InputError(f"--{option}: {exc}") from None

    start, stop, asof = bound("since", since, 0), bound("until", until, 1), bound("as-of", as_of, 1)
    if stop is not None and asof is not None:
        stop = min(stop, asof)
    stop = stop if stop is not None else asof
    if start is not None and stop is not None and start > stop:
        raise InputError(
            f"--since {since} is after --until/--as-of {until or as_of}: give a range that "
            "starts before it ends"
        )
    return Period(start, stop)


def _as_date(value: str | dt.date | None) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def filter_routes(rows: Iterable[dict[str, Any]], when: Period) -> list[dict[str, Any]]:
    """The records of :func:`kg.sparql.routes` whose train falls in the period."""
    return [r for r in rows if when.covers(r.get("date"), r.get("date_precision"))]


def _train_dates(g: nx.DiGraph) -> dict[str, tuple[str | None, str | None]]:
    return {t: (i.get("date"), i.get("date_precision")) for t, i in g.graph.get("trains", {}).items()}


def annotate_dates(g: nx.DiGraph) -> nx.DiGraph:
    """Give each leg ``dates`` (sorted ISO dates of its trains) and each evidence item ``date``."""
    dates = _train_dates(g)
    for _, _, d in g.edges(data=True):
        d["dates"] = sorted({dates[t][0] for t in d["trains"] if dates.get(t, (None,))[0]})
        for item in d.get("evidence", []):
            item["date"] = dates.get(item["train"], (None,))[0]
            item["date_precision"] = dates.get(item["train"], (None, None))[1]
    return g


def filter_network(g: nx.DiGraph, when: Period) -> nx.DiGraph:
    """The network of the trains in the period.

    Each leg keeps its trains, evidence, articles and crossings of the period; legs with none
    are dropped.  Places stay (a path search ignores places without legs).  ``g`` is not
    changed; an unbounded period returns it as it is.
    """
    from .network import finish

    if not when.bounded:
        return g
    dates = _train_dates(g)
    keep = {t for t, (date, precision) in dates.items() if when.covers(date, precision)}
    h = nx.DiGraph()
    h.graph.update(g.graph)
    h.graph["trains"] = {t: i for t, i in g.graph.get("trains", {}).items() if t in keep}
    h.graph["period"] = when.describe()
    h.add_nodes_from(g.nodes(data=True))
    for a, b, d in g.edges(data=True):
        trains = set(d["trains"]) & keep
        if not trains:
            continue
        evidence = [dict(e) for e in d["evidence"] if e["train"] in trains]
        crossings = {c: set(ts) & trains for c, ts in d.get("crossings", {}).items() if set(ts) & trains}
        legs = {
            leg
            for leg in d.get("legs", ())
            if any(leg.startswith(t + "/") or leg.startswith(t + "#") for t in trains)
        }
        h.add_edge(
            a,
            b,
            **{
                **d,
                "trains": trains,
                "evidence": evidence,
                "crossings": crossings,
                "legs": legs,
                "documents": {e["document"] for e in evidence},
            },
        )
    finish(h)
    return annotate_dates(h)


def stale_routes(
    rows: Iterable[dict[str, Any]], *, months: int, as_of: dt.date | None = None
) -> list[dict[str, Any]]:
    """Origin-destination pairs last reported more than ``months`` months before ``as_of``.

    ``rows`` are :func:`kg.sparql.routes` records; undated trains are left out.  Each result
    has ``origin``, ``destination``, ``first`` and ``last`` (ISO dates), ``trains`` and
    ``months_silent`` (whole months from the last report to ``as_of``; today by default).
    """
    ref = as_of or dt.date.today()
    pairs: dict[tuple[Any, Any], dict[str, Any]] = {}
    for r in rows:
        date = _as_date(r.get("date"))
        if date is None or date > ref:
            continue
        last = min(period_end(date, r.get("date_precision") or "day"), ref)
        p = pairs.setdefault(
            (r["origin"], r["destination"]),
            {
                "origin": r["origin"],
                "destination": r["destination"],
                "first": date,
                "last": last,
                "trains": set(),
            },
        )
        p["first"], p["last"] = min(p["first"], date), max(p["last"], last)
        p["trains"].add(r["train"])
    out = []
    for p in pairs.values():
        silent = (ref.year - p["last"].year) * 12 + ref.month - p["last"].month - (ref.day < p["last"].day)
        if silent >= months:
            out.append(
                {
                    **p,
                    "first": p["first"].isoformat(),
                    "last": p["last"].isoformat(),
                    "trains": len(p["trains"]),
                    "months_silent": silent,
                }
            )
    return sorted(out, key=lambda p: (p["last"], str(p["origin"]), str(p["destination"])))
