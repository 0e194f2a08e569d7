"""``kg``'s entry point registers only the command it runs, and still dispatches and helps as before.

Each case runs the real console entry point (``kg.cli.main``) in a fresh interpreter, since the
pruning changes the process's one ``app``.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

RUN = (
    "import sys\n"
    "from kg import cli\n"
    "sys.argv = ['kg'] + sys.argv[1:]\n"
    "try:\n"
    "    cli.main()\n"
    "except SystemExit as exc:\n"
    "    code = exc.code\n"
    "else:\n"
    "    code = 0\n"
    "print('REGISTERED', len(cli.app.registered_commands), 'EXIT', code)\n"
)


def _kg(*args: str) -> tuple[str, int, int]:
    """(output, registered commands, exit code) of ``kg ARGS`` through ``kg.cli.main``."""
    proc = subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, text=True,
                          timeout=120, env={"COLUMNS": "100", "PATH": "/usr/bin:/bin"})
    out = proc.stdout + proc.stderr
    last = [line for line in out.splitlines() if line.startswith("REGISTERED")][-1].split()
    return out, int(last[1]), int(last[3])


def test_a_command_is_built_alone() -> None:
    out, registered, code = _kg("path", "--help")
    assert code == 0
    assert registered == 1
    assert "Usage: kg path" in out and "FROM" in out


def test_global_options_before_the_command_are_skipped() -> None:
    out, registered, code = _kg("--timeout", "5", "central", "--help")
    assert (registered, code) == (1, 0)
    assert "Usage: kg central" in out


@pytest.mark.parametrize("args", [("--help",), ("pth", "x")])
def test_help_and_typos_see_every_command(args: tuple[str, ...]) -> None:
    from kg.cli import app

    out, registered, code = _kg(*args)
    assert registered == len(app.registered_commands) > 10
    if args == ("--help",):
        assert code == 0
        assert all(word in out for word in ("build", "query", "path", "central", "viz", "import"))
    else:
        assert code == 2
        assert "No such command 'pth'" in out and "path" in out
