"""Start-up time of read-only commands against the import floor, medians of N runs, in one run.

Usage: python benchmarks/bench_startup.py [BIG_STORE] [--baseline CHECKOUT] [--runs N]

On the seed store: ``kg --help``, ``kg query``, ``kg path`` and ``kg central`` against the floor
``python -c "import rdflib, networkx, typer"`` (target: path and central <= 1.5x).  With
BIG_STORE (e.g. the ~1M-quad store ``bench_store.py --keep DIR`` leaves), also whole-process
``kg path`` (target <= 1.5 s) and ``kg central --metric betweenness`` (<= 3 s) on it, with the
route network cached (the first command of a changed store pays for reading it: shown too).
``--baseline CHECKOUT`` runs the same commands from another checkout of kg (``PYTHONPATH``), e.g.
the main branch, for before/after figures in the same run.

The runs of a row are interleaved (floor, kg, baseline, floor, kg, ...) and each row's ratio is
against the floor measured beside it: on these noisy 2-core machines a figure taken a minute
after another can differ by 30%, which is more than the changes it is meant to show.
"""

from __future__ import annotations

import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 11


def timed(cmd: list[str], env: dict[str, str] | None = None, runs: int = RUNS, cwd: str | Path = ROOT) -> float:
    """Median wall time of ``cmd``.  ``cwd`` matters: ``python -m kg`` imports the kg found there first."""
    samples = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=cwd, env=env)
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def interleaved(cmds: list[tuple[list[str], dict[str, str] | None, str | Path]], runs: int = RUNS) -> list[float]:
    """Median wall time of each ``(cmd, env, cwd)``, their runs taken in turn so noise hits all alike."""
    samples: list[list[float]] = [[] for _ in cmds]
    for _ in range(runs):
        for i, (cmd, env, cwd) in enumerate(cmds):
            t = time.perf_counter()
            subprocess.run(cmd, check=True, capture_output=True, cwd=cwd, env=env)
            samples[i].append(time.perf_counter() - t)
    return [statistics.median(s) for s in samples]


def _env(checkout: str | None, cache: str) -> dict[str, str]:
    env = dict(os.environ, KG_CACHE_DIR=cache)
    if checkout:
        env["PYTHONPATH"] = checkout
    return env


def _pair(store: str) -> tuple[str, str]:
    """Labels of the two ends of the leg most trains report (a path question with an answer)."""
    from kg.network import route_network

    g = route_network(store=store)
    a, b, _ = max(g.edges(data=True), key=lambda e: (e[2]["n_trains"], e[0], e[1]))
    return g.nodes[a]["label"], g.nodes[b]["label"]


def main() -> None:
    args = sys.argv[1:]
    runs = RUNS
    if "--runs" in args:
        i = args.index("--runs")
        runs = int(args[i + 1])
        del args[i:i + 2]
    baseline = None
    if "--baseline" in args:
        i = args.index("--baseline")
        baseline = args[i + 1]
        del args[i:i + 2]
    big = args[0] if args else None
    store = Path(tempfile.mkdtemp()) / "store"
    cache = tempfile.mkdtemp(prefix="kg-cache-")
    subprocess.run([sys.executable, "-m", "kg", "build", "seeds", "--store", str(store), "-q"], check=True, cwd=ROOT)
    kg = [sys.executable, "-m", "kg"]
    rows = {
        "kg --help": [*kg, "--help"],
        "kg query documents": [*kg, "query", "documents", "--store", str(store)],
        "kg path Nantong Hairatan": [*kg, "path", "Nantong", "Hairatan", "--store", str(store)],
        "kg central": [*kg, "central", "--store", str(store)],
    }
    floor_cmd = ([sys.executable, "-c", "import rdflib, networkx, typer"], None, ROOT)
    floor = timed(floor_cmd[0], runs=runs)
    spacy = timed([sys.executable, "-c", "import spacy"], runs=3)
    legs = ["kg"] + (["baseline"] if baseline else [])
    print(f"runs interleaved with the floor, median of {runs}; each ratio is against its row's floor")
    print(f"{'command (seed store)':42} {'floor s':>8} " + " ".join(f"{leg + ' s':>11} {'x floor':>8}" for leg in legs))
    print(f"{'floor: import rdflib, networkx, typer':42} {floor:8.3f}")
    print(f"{'import spacy (what read commands avoid)':42} {floor:8.3f} {spacy:11.3f} {spacy / floor:8.2f}")
    for name, cmd in rows.items():
        checkouts = [None, baseline][: len(legs)]
        row_floor, *times = interleaved(
            [floor_cmd] + [(cmd, _env(c, cache), c or ROOT) for c in checkouts], runs=runs
        )
        cells = [f"{t:11.3f} {t / row_floor:8.2f}" for t in times]
        print(f"{name:42} {row_floor:8.3f} " + " ".join(cells), flush=True)
    if big:
        a, b = _pair(big)
        print(f"\non {big} (path {a} -> {b}); whole process, median of {max(runs // 2, 1)} runs, network cached:")
        for name, cmd, runs in [
            (f"kg path {a} {b}", [*kg, "path", a, b, "--store", big], max(runs // 2, 1)),
            ("kg central --metric betweenness", [*kg, "central", "--metric", "betweenness", "--store", big], max(runs // 2, 1)),
        ]:
            cells = []
            for checkout in [None, baseline][: len(legs)]:
                cold_cache = tempfile.mkdtemp(prefix="kg-cache-")
                cold = timed(cmd, _env(checkout, cold_cache), runs=1, cwd=checkout or ROOT)
                warm = timed(cmd, _env(checkout, cold_cache), runs=runs, cwd=checkout or ROOT)
                shutil.rmtree(cold_cache, ignore_errors=True)
                cells.append(f"first {cold:7.2f} s, then {warm:6.2f} s")
            print(f"  {name:40} " + " | ".join(cells), flush=True)


if __name__ == "__main__":
    main()
