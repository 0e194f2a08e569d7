"""Writing output files (``kg viz -o``, ``kg export -o``) without tracebacks or half-written files."""

from __future__ import annotations

import errno
import os
import tempfile
from pathlib import Path

from ._errors import InputError, OutputError


def write_file(path: str | Path, data: bytes, *, example: str = "out") -> Path:
    """Write ``data`` to ``path`` and return the path.

    ``example`` is the file name the message suggests when ``path`` is a folder.

    A regular file is written to a temporary file beside it and renamed into place, so a full
    disk or a killed process leaves the previous file as it was.  Anything else that exists
    (``/dev/stdout``, a pipe, ``/dev/full``) is written directly.

    Raises
    ------
    InputError
        When ``path`` is a folder or its folder does not exist.
    OutputError
        When the system refuses the write (no space, no permission, read-only ...).
    """
    out = Path(path)
    if out.is_dir():
        raise InputError(f"{out} is a folder; give a file name, e.g. -o {out / example}")
    parent = out.parent
    if not parent.is_dir():
        raise InputError(f"{parent}: no such folder for {out.name}; create it or pick another -o")
    try:
        if out.exists() and not out.is_file():
            with open(out, "wb") as f:
                f.write(data)
            return out
        fd, tmp = tempfile.mkstemp(dir=parent, prefix=f".{out.name}.", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            os.replace(tmp, out)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    except OSError as exc:
        raise OutputError(f"cannot write {out}: {_reason(exc)}") from exc
    return out


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "no space left on the device; free some space or pick another -o"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied; pick another -o"
    if exc.errno == errno.EROFS:
        return "the file system is read-only; pick another -o"
    return f"{exc.strerror or exc}; pick another -o"
