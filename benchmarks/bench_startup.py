"""Start-up time of read-only commands against the import floor, medians of N runs, in one run."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5


def timed(cmd: list[str]) -> float:
    samples = []
    for _ in range(RUNS):
        t = time.perf_counter()
        subprocess.run(cmd, check=True, capture_output=True, cwd=ROOT)
        samples.append(time.perf_counter() - t)
    return statistics.median(samples)


def main() -> None:
    store = Path(tempfile.mkdtemp()) / "store"
    subprocess.run([sys.executable, "-m", "kg", "build", "seeds", "--store", str(store), "-q"], check=True, cwd=ROOT)
    floor = timed([sys.executable, "-c", "import rdflib, networkx, typer"])
    rows = {
        "import spacy (what read commands avoid)": [sys.executable, "-c", "import spacy"],
        "kg --help": [sys.executable, "-m", "kg", "--help"],
        "kg query documents": [sys.executable, "-m", "kg", "query", "documents", "--store", str(store)],
        "kg path Nantong Hairatan": [sys.executable, "-m", "kg", "path", "Nantong", "Hairatan", "--store", str(store)],
        "kg central": [sys.executable, "-m", "kg", "central", "--store", str(store)],
    }
    print(f"{'command':42} {'median s':>9} {'x floor':>8}")
    print(f"{'floor: import rdflib, networkx, typer':42} {floor:9.3f} {1.0:8.2f}")
    for name, cmd in rows.items():
        t = timed(cmd)
        print(f"{name:42} {t:9.3f} {t / floor:8.2f}")


if __name__ == "__main__":
    main()
