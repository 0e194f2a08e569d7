"""Cost of recognising copies at build time, against parsing the same article with spaCy.

For each of the seed articles: the MinHash signature (kg.dedup.signature) and the search for a
copy among N stored signatures (Signatures.copy_of), against ``nlp(text)`` of the same text
with the build's pipeline, in the same run.  Usage: bench_dedup.py [N]  (default 5000).
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from kg import nlp as nlp_mod
from kg.dedup import Signatures, signature
from kg.extract.reading import clean_text

ROOT = Path(__file__).resolve().parent.parent


def best(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    texts = [clean_text(p.read_text(encoding="utf-8")) for p in sorted((ROOT / "seeds").glob("*.txt"))]
    rng = random.Random(1)
    words = " ".join(texts).split()
    stored = Signatures({f"doc{i}": signature(" ".join(rng.choices(words, k=300))) for i in range(n)})
    nlp = nlp_mod.load()
    nlp(texts[0])
    parse = sum(best(lambda t=t: nlp(t), 3) for t in texts)
    sig = sum(best(lambda t=t: signature(t)) for t in texts)
    sigs = [signature(t) for t in texts]
    search = sum(best(lambda s=s: stored.copy_of("me", s)) for s in sigs)
    k = len(texts)
    print(f"{k} articles, {n} stored signatures")
    print(f"spaCy parse      {parse / k * 1000:8.2f} ms/article   (baseline)")
    print(f"signature        {sig / k * 1000:8.2f} ms/article   {sig / parse:.3f}x")
    print(f"copy search      {search / k * 1000:8.2f} ms/article   {search / parse:.3f}x")


if __name__ == "__main__":
    main()
