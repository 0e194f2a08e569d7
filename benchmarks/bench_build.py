"""Extraction throughput (words/s) against plain nlp.pipe of the same texts, in one run."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path

from kg import nlp as nlp_mod
from kg.extract import extract_articles, read_article
from kg.gazetteer import default

ROOT = Path(__file__).resolve().parent.parent
COPIES = 8  # the five seeds repeated: about 20k words


def main() -> None:
    nlp = nlp_mod.load()
    t = time.perf_counter()
    gazetteer = default()
    gaz_s = time.perf_counter() - t
    articles = [read_article(p) for p in sorted((ROOT / "seeds").glob("*.txt"))] * COPIES
    words = sum(len(a.text.split()) for a in articles)

    t = time.perf_counter()
    for _ in nlp.pipe((a.text for a in articles), batch_size=16):
        pass
    base = time.perf_counter() - t

    t = time.perf_counter()
    extract_articles(articles, nlp=nlp, gazetteer=gazetteer)
    ours = time.perf_counter() - t

    # Memory in a pass of its own: tracemalloc slows what it watches, so no timed leg runs under it.
    tracemalloc.start()
    extract_articles(articles[: len(articles) // COPIES], nlp=nlp, gazetteer=gazetteer)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    print(f"gazetteer load            {gaz_s:7.2f} s (once per build)")
    print(f"words                     {words}")
    print(f"nlp.pipe alone            {words / base:9.0f} words/s")
    print(f"kg extraction             {words / ours:9.0f} words/s   ratio {base / ours:.2f} of plain parsing")
    print(f"python heap peak (extra)  {peak / 2**20:7.1f} MiB extracting the five seeds once")


if __name__ == "__main__":
    main()
