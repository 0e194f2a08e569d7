"""Progress of long commands: a rich bar with rate and ETA on a terminal, plain lines elsewhere.

``kg build`` reports ``(name, done, total)`` after each article.  On a terminal that becomes one
live bar (articles done / total, articles per second, time left, the last article's name);
piped or redirected output keeps one plain ``  [done/total] name`` line per article, so logs
and scripts read the same text as before.  Article names are cleaned of terminal controls.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

from .terminal import clean

if TYPE_CHECKING:
    from rich.progress import ProgressColumn, Task

Report = Callable[[str, int, int], None]


@contextmanager
def progress_reporter(line: Callable[[str], None], *, tty: bool | None = None) -> Iterator[Report]:
    """A ``progress(name, done, total)`` callback for the duration of a command.

    Parameters
    ----------
    line
        Prints one plain progress line (used when standard error is not a terminal).
    tty
        Draw the bar (default: when standard error is a terminal).
    """
    if not (sys.stderr.isatty() if tty is None else tty):
        yield lambda name, done, total: line(f"  [{done}/{total}] {name}")
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    bar = Progress(TextColumn("build"), BarColumn(), MofNCompleteColumn(), _rate_column(),
                   TextColumn("eta"), TimeRemainingColumn(), TextColumn("{task.fields[name]}"),
                   console=Console(stderr=True), transient=False)
    task = None

    def report(name: str, done: int, total: int) -> None:
        nonlocal task
        shown = clean(name)[:40]
        if task is None:
            task = bar.add_task("build", total=total, name=shown)
        bar.update(task, completed=done, name=shown)

    with bar:
        yield report


def _rate_column() -> ProgressColumn:
    """A column showing articles per second, as rich measures it over the last updates."""
    from rich.progress import ProgressColumn
    from rich.text import Text

    class RateColumn(ProgressColumn):
        def render(self, task: Task) -> Text:
            speed = task.finished_speed or task.speed
            return Text("-- art/s" if speed is None else f"{speed:.1f} art/s")

    return RateColumn()
