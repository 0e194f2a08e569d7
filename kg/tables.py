"""Listings as text tables (through rich) and as CSV: what the read commands print.

A listing is a list of records (dicts) and the :class:`Column` s to show.  :func:`render`
draws it with a header row, sized to the terminal when the output is one (``COLUMNS`` is
honoured) and at its natural width otherwise, so piped output keeps one line per row.  The
text is plain: no colour or other escape codes, whether or not the output is a terminal, and
cell text is never read as rich markup.  :func:`to_csv` writes the same records as CSV with a
header row, RFC 4180 quoting and list values joined with ``"; "``.

rich is imported inside :func:`render` only, so commands that print JSON or CSV never load it.
rich draws a table whose cells must wrap; one that fits is laid out here in the same layout,
because rich takes about 3 ms a row and a query may return a hundred thousand.
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


RICH_ROWS = 1_000
"""Most rows drawn by rich when cells must wrap (rich takes about 3 ms a row); larger tables are clipped."""


def render(
    records: Iterable[Mapping[str, Any]],
    columns: Sequence[Column],
    *,
    width: int | None = None,
) -> str:
    """The records as a plain-text table with a header row.

    A table that fits (always, without a width) is laid out here, one line per row, in the
    same layout rich draws; one that is too wide for ``width`` is drawn by rich, whose cells
    wrap, or past :data:`RICH_ROWS` rows has its widest columns clipped with "…".

    Parameters
    ----------
    records
        One row each.
    columns
        What to show, in order.
    width
        Widest line allowed (default: the terminal's, or no limit when not printing to one).

    Returns
    -------
    str
        The table without trailing spaces and without a final newline.
    """
    limit = width if width is not None else terminal_width()
    headers = [_one_line(col.header or col.key) for col in columns]
    cells = [[_one_line(col.text(record)) for col in columns] for record in records]
    widths = [max([cell_len(h)] + [cell_len(r[i]) for r in cells]) for i, h in enumerate(headers)]
    if limit is None or _table_width(widths) <= limit:
        return _layout(headers, cells, widths, columns)
    if len(cells) > RICH_ROWS:
        return _layout(headers, cells, _shrink(widths, limit, columns), columns)
    return _rich(headers, cells, columns, limit)


def cell_len(text: str) -> int:
    """Columns ``text`` takes in a terminal (wide East Asian characters take two)."""
    if text.isascii():
        return len(text)
    from rich.cells import cell_len as columns

    return columns(text)


def _one_line(text: str) -> str:
    """Cell text without terminal controls, line breaks or tabs (a row is one line when it fits)."""
    return " ".join(clean(text).replace("\t", " ").splitlines())


def _table_width(widths: Sequence[int]) -> int:
    return sum(widths) + 2 * (len(widths) - 1)


def _shrink(widths: Sequence[int], limit: int, columns: Sequence[Column]) -> list[int]:
    """Column widths narrowed, widest first, until the table fits ``limit`` (never under 4)."""
    out = list(widths)
    while _table_width(out) > limit:
        i = max(range(len(out)), key=lambda k: (columns[k].wrap, out[k]))
        if out[i] <= 4:
            break
        out[i] -= 1
    return out


def _layout(headers: Sequence[str], cells: Sequence[Sequence[str]], widths: Sequence[int],
            columns: Sequence[Column]) -> str:
    """The table laid out as rich's ``SIMPLE_HEAD`` box draws it without wrapping (fast for many rows)."""
    from rich.cells import set_cell_size

    def fit(text: str, w: int, justify: str) -> str:
        if cell_len(text) > w:
            text = set_cell_size(text, w - 1) + "…"
        pad = " " * (w - cell_len(text))
        return pad + text if justify == "right" else text + pad

    def line(row: Sequence[str]) -> str:
        parts = (fit(c, w, col.justify) for c, w, col in zip(row, widths, columns, strict=True))
        return "  ".join(parts).rstrip()

    return "\n".join([line(headers), "─" * _table_width(widths), *(line(r) for r in cells)])


def _rich(headers: Sequence[str], cells: Sequence[Sequence[str]], columns: Sequence[Column],
          limit: int) -> str:
    """The table drawn by rich at ``limit`` columns, cells wrapping to fit."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text

    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, collapse_padding=True)
    for header, col in zip(headers, columns, strict=True):
        table.add_column(Text(header), justify=col.justify, no_wrap=not col.wrap,  # type: ignore[arg-type]
                         overflow="fold")
    for row in cells:
        table.add_row(*(Text(c) for c in row))
    console = Console(file=io.StringIO(), width=max(1, limit), color_system=None, force_terminal=False,
                      force_jupyter=False, highlight=False, markup=False, emoji=False, soft_wrap=False,
                      legacy_windows=False, no_color=True)
    console.print(table)
    text = console.file.getvalue()  # type: ignore[attr-defined]
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
           "terminal_width", "to_csv", "RICH_ROWS"]
