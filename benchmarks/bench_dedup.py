"""Cost of recognising copies at build time, against parsing the same article with spaCy.

For each of the seed articles: the MinHash signature (kg.dedup.signature) and the search for a
copy among N stored signatures (Signatures.copy_of), against ``nlp(text)`` of the same text
with the build's pipeline, in the same run.  Usage: bench_dedup.py [N]  (default 5000).

``bench_dedup.py --scale [1000,10000,100000]``: one look-up of Signatures.copy_of at each size
of store, banded against exhaustive, in one run: the stored articles are made of 30-word spans
of the real articles (seeds, tests/data, the dev folder and ``--corpus`` folders), the
look-ups are near-copies of stored ones (2-20% of words replaced) and new texts made alike.
Prints microseconds per look-up, the ratio, the candidates compared in full, the index's
bytes per article and whether every answer (match and score) is the exhaustive one.

``bench_dedup.py --check``: on the real articles and on synthetic near-copies of them (k% of
words replaced), every pair the exhaustive search scores at or above the threshold is a band
candidate, and copy_of answers as the exhaustive search, article by article as a build adds them.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import time
from pathlib import Path

import numpy as np

from kg import dedup
from kg.dedup import Signatures, shingles, signature
from kg.extract.reading import clean_text, collect_paths, read_article

ROOT = Path(__file__).resolve().parent.parent
REAL = [ROOT / "seeds", ROOT / "tests" / "data", Path("/work/shared/eval/dev")]


def best(fn, repeat=5):
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def against_spacy(n: int) -> None:
    """The original figure: signature and copy search per article against spaCy's parse."""
    from kg import nlp as nlp_mod

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


def real_texts(folders: list[Path]) -> dict[str, str]:
    """Name -> cleaned text of every article in ``folders`` (those that exist)."""
    paths = collect_paths([f for f in folders if f.is_dir()])
    return {str(p): clean_text(read_article(p).text) for p in paths}


class FastSignature:
    """kg.dedup.signature with each shingle's hash remembered (the same values, ~10x faster on repeats)."""

    def __init__(self) -> None:
        self.hashes: dict[str, int] = {}
        self.a, self.b = dedup._permutations()

    def __call__(self, text: str) -> str:
        hs = self.hashes
        for s in shingles(text):
            if s not in hs:
                hs[s] = int.from_bytes(hashlib.sha1(s.encode("utf-8")).digest()[:4], "little")
        hv = dedup._fmix32(np.array([hs[s] for s in shingles(text)], dtype=np.uint32))
        values = np.full(dedup.NUM_PERM, dedup._EMPTY, dtype=np.uint32)
        if hv.size:
            values = np.minimum(values, (hv[:, None] * self.a[None, :] + self.b[None, :]).min(axis=0))
        import base64

        return base64.b64encode(values.astype("<u8").tobytes()).decode("ascii")


def edited(text: str, share: float, rng: random.Random, vocab: list[str]) -> str:
    """``text`` with ``share`` of its words replaced by random words of ``vocab``."""
    words = text.split()
    for i in rng.sample(range(len(words)), int(len(words) * share)):
        words[i] = rng.choice(vocab)
    return " ".join(words)


def collage(articles: list[list[str]], rng: random.Random, spans: int = 10, size: int = 30) -> str:
    """A text of ``spans`` random ``size``-word spans of the real articles."""
    out: list[str] = []
    for _ in range(spans):
        words = rng.choice(articles)
        at = rng.randrange(max(1, len(words) - size))
        out.extend(words[at : at + size])
    return " ".join(out)


def scale(sizes: list[int], folders: list[Path], queries: int) -> None:
    """copy_of per look-up, banded against exhaustive, at each store size, in one run."""
    texts = real_texts(folders)
    articles = [t.split() for t in texts.values() if len(t.split()) > 60]
    vocab = sorted({w for a in articles for w in a})
    rng = random.Random(13)
    fast = FastSignature()
    assert all(fast(t) == signature(t) for t in list(texts.values())[:20])
    stored_texts: list[str] = []
    store = Signatures({})
    load = Path("/proc/loadavg").read_text().split()[0]
    print(f"{len(articles)} real articles cut into stored texts; {queries} look-ups per size "
          f"(half near-copies of stored texts, half new texts); load {load}")
    print(f"{'stored':>8} {'exhaustive us':>14} {'banded us':>10} {'ratio':>6} {'candidates':>11} "
          f"{'index B/article':>16} {'bands B/article':>16} {'same answers':>13}")
    for n in sorted(sizes):
        while len(stored_texts) < n:
            text = collage(articles, rng)
            stored_texts.append(text)
            store.add(f"doc{len(stored_texts)}", fast(text))
        picks = [stored_texts[rng.randrange(n)] for _ in range(queries // 2)]
        looks = [fast(edited(t, rng.uniform(0.02, 0.2), rng, vocab)) for t in picks]
        looks += [fast(collage(articles, rng)) for _ in range(queries - len(looks))]
        store.copy_of("me", looks[0])
        times = {"ex": 0.0, "band": 0.0}
        answers = {}
        for _ in range(3):  # interleaved rounds, the best of each
            for kind in ("ex", "band"):
                t = time.perf_counter()
                answers[kind] = [store.copy_of("me", s, exhaustive=kind == "ex") for s in looks]
                took = (time.perf_counter() - t) / len(looks)
                times[kind] = took if not times[kind] else min(times[kind], took)
        cands = np.mean([len(store.candidates(s)) for s in looks])
        same = sum(a == b for a, b in zip(answers["ex"], answers["band"], strict=True))
        found = sum(a is not None for a in answers["ex"])
        ex, band = times["ex"] * 1e6, times["band"] * 1e6
        print(f"{n:>8} {ex:>14.0f} {band:>10.0f} {ex / band:>6.1f} "
              f"{cands:>11.1f} {store.nbytes / n:>16.0f} {store.band_nbytes / n:>16.0f} "
              f"{same:>6}/{len(looks)} ({found} copies)")


def check(folders: list[Path], threshold: float, shares: list[float]) -> None:
    """Banded answers and candidates against the exhaustive search on real and edited articles."""
    texts = real_texts(folders)
    rng = random.Random(5)
    vocab = sorted({w for t in texts.values() for w in t.split()})
    docs = list(texts.items())
    for share in shares:
        docs += [(f"{name}~{share:.0%}", edited(text, share, rng, vocab)) for name, text in texts.items()]
    rng.shuffle(docs)
    dedup.FLUSH_ROWS = 1  # every article's bands in a run at once: candidates come from the bands alone
    store = Signatures({})
    pairs = missed = differ = copies = 0
    for name, text in docs:  # as a build adds them: look up, then add
        sig = signature(text)
        ex = store.copy_of(name, sig, threshold=threshold, exhaustive=True)
        band = store.copy_of(name, sig, threshold=threshold)
        differ += ex != band
        copies += ex is not None
        if ex is not None:
            rows, scores = store._scores(dedup._row(sig), None)
            above = {store._docs[r] for r in rows[scores >= threshold].tolist()} - {name}
            pairs += len(above)
            missed += len(above - set(store.candidates(sig, threshold=threshold)))
        store.add(name, sig)
    edits = ", ".join(f"{x:.0%}" for x in shares)
    verdict = "same" if not missed and not differ else "DIFFERENT"
    print(f"threshold {threshold}: {len(docs)} articles ({len(texts)} real, and edits of {edits} of their "
          f"words), {copies} with a copy, {pairs} pairs at or above it, {missed} not band candidates, "
          f"{differ} answers differing from the exhaustive search -> {verdict}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("n", nargs="?", type=int, default=5000, help="stored signatures for the spaCy comparison")
    ap.add_argument("--scale", nargs="?", const="1000,10000,100000", help="store sizes, comma-separated")
    ap.add_argument("--check", action="store_true", help="banded against exhaustive on real and edited pairs")
    ap.add_argument("--corpus", type=Path, action="append", default=[], help="more folders of real articles")
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()
    folders = REAL + args.corpus
    if args.check:
        for threshold in (0.5, 0.4, 0.7):
            check(folders, threshold, [0.05, 0.15, 0.3, 0.45])
    if args.scale:
        scale([int(x) for x in args.scale.split(",")], folders, args.queries)
    if not args.check and not args.scale:
        against_spacy(args.n)


if __name__ == "__main__":
    main()
