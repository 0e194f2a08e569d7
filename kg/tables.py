"""Listings as text tables (through rich) and as CSV: what the read commands print.

A listing is a list of records (dicts) and the :class:`Column` s to show.  :func:`render`
draws it with a header row, sized to the terminal when the output is one (``COLUMNS`` is
honoured) and at its natural width otherwise, so piped output keeps one line per row.  The
text is plain: no colour or other escape codes, whether or not the output is a terminal, and
cell text is never read as rich markup.  :func:`to_csv` writes the same records as CSV with a
header row, RFC 4180 quoting and list values joined with ``"; "``.

rich is imported inside :func:`render` only, so commands that print JSON or CSV never load it.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .terminal import clean

LIST_SEPARATOR = "; "
"""How list values (aliases, via, cargo ...) are joined in a CSV cell."""

FORMATS = ("table", "csv", "json")
"""Output formats of the listing commands (``--format``)."""


@dataclass(frozen=True)
class Column:
    """One column of a listing.

    Parameters
    ----------
    key
        The record key the cells come from.
    header
        The header shown (default: ``key``).
    justify
        ``left`` or ``right`` (numbers).
    show
        Cell text from the value (default :func:`cell_text`).
    wrap
        Whether the cells may wrap to fit the terminal (False for names such as file names).
    """

    key: str
    header: str | None = None
    justify: str = "left"
    show: Callable[[Any], str] | None = None
    wrap: bool = True

    def text(self, record: Mapping[str, Any]) -> str:
        """The cell of ``record`` in this column, as printed."""
        value = record.get(self.key)
        return (self.show or cell_text)(value)


def cell_text(value: Any) -> str:
    """A value as a table cell: nothing for None, lists joined with ``", "``, numbers to 4 digits."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value) if isinstance(value, (set, frozenset)) else value
        return ", ".join(cell_text(v) for v in items)
    if isinstance(value, Mapping):
        return cell_text(value.get("label", json.dumps(value, ensure_ascii=False, default=str)))
    return str(value)


def terminal_width() -> int | None:
    """Columns of the terminal standard output is, or None when it is a file or a pipe."""
    try:
        if not sys.stdout.isatty():
            return None
    except (AttributeError, ValueError):  # closed or replaced stream
        return None
    return shutil.get_terminal_size().columns


def render(
    records: Iterable[Mapping[str, Any]],
    columns: Sequence[Column],
    *,
    width: int | None = None,
    wrap: bool | None = None,
) -> str:
    """The records as a plain-text table with a header row.

    Parameters
    ----------
    records
        One row each.
    columns
        What to show, in order.
    width
        Widest line allowed (default: the terminal's, or no limit when not printing to one).
        Cells wrap to fit; without a limit every row stays on one line.
    wrap
        Whether cells may wrap (default: when there is a width to fit).

    Returns
    -------
    str
        The table without trailing spaces and without a final newline.
    """
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    limit = width if width is not None else terminal_width()
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
    for col in columns:
        wraps = col.wrap and (limit is not None if wrap is None else wrap)
        table.add_column(Text(clean(col.header or col.key)), justify=col.justify,  # type: ignore[arg-type]
                         no_wrap=not wraps, overflow="fold")
    for record in records:
        table.add_row(*(Text(clean(col.text(record))) for col in columns))

    def console(w: int) -> Console:
        return Console(file=io.StringIO(), width=w, color_system=None, force_terminal=False,
                       force_jupyter=False, highlight=False, markup=False, emoji=False, soft_wrap=False,
                       legacy_windows=False, no_color=True)

    natural = console(1_000_000).measure(table).maximum
    out = console(max(1, min(natural, limit) if limit else natural))
    out.print(table)
    text = out.file.getvalue()  # type: ignore[attr-defined]
    return "\n".join(line.rstrip() for line in text.splitlines()).rstrip("\n")


def csv_value(value: Any) -> str:
    """A value as a CSV cell: lists joined with :data:`LIST_SEPARATOR`, None empty, booleans lower case."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple, set, frozenset)):
        items = sorted(value, key=str) if isinstance(value, (set, frozenset)) else value
        return LIST_SEPARATOR.join(csv_value(v) for v in items)
    if isinstance(value, Mapping):
        if "label" in value:
            return csv_value(value["label"])
        return json.dumps(value, ensure_ascii=False, default=str)
    return str(value)


def to_csv(records: Iterable[Mapping[str, Any]], keys: Sequence[str] | None = None) -> str:
    r"""The records as CSV: a header row of ``keys`` (default: every key, first seen first), one row each.

    Quoting follows RFC 4180 (Python's ``csv`` module: a field holding a comma, a quote or a
    line break is quoted, quotes doubled); lines end with ``\\n``.  Lists are joined with
    ``"; "`` (:func:`csv_value`).
    """
    rows = list(records)
    if keys is None:
        keys = list(dict.fromkeys(k for r in rows for k in r))
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(keys)
    writer.writerows([csv_value(r.get(k)) for k in keys] for r in rows)
    return buf.getvalue()


def plural(n: int, word: str, many: str | None = None) -> str:
    """``"1 train"``, ``"3 trains"`` (``many`` for irregular plurals)."""
    return f"{n:,} {word if n == 1 else many or word + 's'}"


__all__ = ["FORMATS", "LIST_SEPARATOR", "Column", "cell_text", "csv_value", "plural", "render",
           "terminal_width", "to_csv"]
