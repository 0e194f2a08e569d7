"""Text on its way to a terminal: nothing read from the store or an article reaches it raw.

Article text is data, and a terminal treats some characters as commands: ``ESC[2J`` clears
the screen, ``ESC]0;title BEL`` retitles the window, colour codes restyle what follows, a
carriage return overwrites the line, and the bidirectional overrides (U+202A-U+202E,
U+2066-U+2069) reorder what is shown.  :func:`clean` removes all of them except newline and
tab; the CLI passes every line it prints through it.
"""

from __future__ import annotations

import re

# Whole escape sequences first (so "ESC[31m" leaves nothing, not "[31m"): CSI, OSC (ended by
# BEL or ST, or cut at the end of the line), DCS/SOS/PM/APC strings, and two-byte escapes.
_SEQUENCE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]?"
    r"|\][^\x07\x1b\n]*(?:\x07|\x1b\\)?"
    r"|[PX^_][^\x1b\n]*(?:\x1b\\)?"
    r"|[ -~]?)"
)
# C0 controls but tab and newline, DEL, C1 controls, and the bidi embeddings/overrides/isolates.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def clean(text: str, *, escape: bool = False) -> str:
    r"""``text`` without terminal control characters (newline and tab are kept).

    Parameters
    ----------
    text
        What is about to be printed.
    escape
        Instead of removing a control character, write it as a ``\uXXXX`` escape.  For JSON
        output: the text stays valid JSON and means exactly the same data (``json.dumps``
        already escapes C0 controls; this catches DEL, C1 and the bidi controls it leaves raw).

    Examples
    --------
    >>> clean("Horgos\x1b[2J\x1b]0;owned\x07 border\r")
    'Horgos border'
    """
    if escape:
        return _CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
    return _CONTROL.sub("", _SEQUENCE.sub("", text))


__all__ = ["clean"]
