"""Whole-process `kg build` against a bare `nlp.pipe` of the same articles, in one run.

Both legs are separate processes started and measured the same way (wall time from start to
exit, peak RSS from ``os.wait4``), reading the same files one by one from disk:

- baseline: ``python -c`` that loads the full trained pipeline and runs ``nlp.pipe`` over the texts;
- kg: ``kg build DIR --store NEW -q`` (reading, extraction, validation, store writes), on one
  process and with ``--workers 2``.

The corpus is synthetic: articles recombine the seed articles' sentences (all train talk) with a
share of background sentences (``--background``, written below: economy, weather, schools; no
place or train word), like the quotes and statistics around the train news in real articles.

Usage::

    .venv/bin/python benchmarks/bench_build.py                 # speed: 300 articles, 0% and 50% background
    .venv/bin/python benchmarks/bench_build.py --rss 1000 10000  # peak RSS of kg build at 1k and 10k articles
    .venv/bin/python benchmarks/bench_build.py --rss 1000 10000 --against ../old  # and another checkout
    .venv/bin/python benchmarks/bench_build.py --against ../old  # speed rows for another checkout too
"""

from __future__ import annotations

import argparse
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
KG = Path(sys.executable).with_name("kg")
BACKGROUND = [
    "Analysts said the figures were better than expected.",
    "The central bank left interest rates unchanged on Thursday.",
    "Consumer prices rose by 0.4 percent in the year to October.",
    "The weather stayed mild for most of the week.",
    "Officials praised the new school and its teachers.",
    "Shares in the company rose by two percent in early afternoon.",
    "The firm hired more than 300 staff last year.",
    "A spokesman declined to comment on the report.",
    "The committee will meet again next month to review the plan.",
    "Employment in the sector has grown steadily since 2019.",
    "Local residents welcomed the decision.",
    "The project received funding from several private investors.",
    "Experts warned that growth could slow in the coming quarters.",
    "The mayor thanked volunteers for their work during the festival.",
    "Household spending remained weak despite higher wages.",
    "The report was published on the ministry's website.",
    "Many small businesses struggled to find qualified workers.",
    "The conference attracted more than 2,000 participants.",
    "Researchers said more work was needed to confirm the results.",
    "The company reported a net profit of 1.2 billion yuan for the first half.",
]
BASELINE = (
    "import sys, spacy\n"
    "from pathlib import Path\n"
    "nlp = spacy.load(sys.argv[1])\n"
    "files = sorted(Path(sys.argv[2]).glob('*.txt'))\n"
    "for _ in nlp.pipe(f.read_text(encoding='utf-8') for f in files):\n"
    "    pass\n"
)


CEILING = (
    "import sys\n"
    "from pathlib import Path\n"
    "from kg.gazetteer import default\n"
    "from kg.model import Article\n"
    "from kg.nlp import load\n"
    "from kg.extract.extractor import parse_articles\n"
    "nlp, gazetteer = load(), default()\n"
    "files = sorted(Path(sys.argv[1]).glob('*.txt'))\n"
    "articles = (Article(f.name, f.read_text(encoding='utf-8'), '') for f in files)\n"
    "for _ in parse_articles(articles, nlp=nlp, gazetteer=gazetteer):\n"
    "    pass\n"
)
"""kg's spaCy work alone: the same model loaded as a build loads it, candidate sentences parsed and
entity windows recognised (:func:`kg.extract.extractor.parse_articles`), no rules, graphs or store.
What a build could reach if everything else it does cost nothing."""


OTHER_KG = (
    "import sys\n"
    "sys.meta_path[:] = [f for f in sys.meta_path\n"
    "                    if not getattr(f, '__module__', '').startswith('__editable__')]\n"
    "sys.path.insert(0, sys.argv.pop(1))\n"
    "from kg.cli import main\n"
    "main()\n"
)
"""``kg`` from the checkout named first on the command line (this virtualenv's editable install set aside)."""


def seed_sentences() -> list[str]:
    """The seed articles' sentences (after the metadata header), in order."""
    from kg.extract.reading import clean_text

    out = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        text = clean_text(path.read_text(encoding="utf-8"))
        out += [s.strip() for s in re.split(r"(?<=[.!?])\s+(?=[A-Z\"“])", text) if len(s.split()) > 3]
    return out


def make_corpus(folder: Path, n: int, *, background: float, sentences: int, seed: int = 1) -> int:
    """Write ``n`` synthetic articles; returns their word count."""
    rng = random.Random(seed)
    train = seed_sentences()
    folder.mkdir(parents=True, exist_ok=True)
    words = 0
    for i in range(n):
        body = [rng.choice(BACKGROUND) if rng.random() < background else rng.choice(train)
                for _ in range(sentences)]
        text = f"Date: 2024-{1 + i % 12:02d}-{1 + i % 28:02d}\n\n" + " ".join(body) + "\n"
        (folder / f"a{i:05d}.txt").write_text(text, encoding="utf-8")
        words += len(text.split())
    return words


CPU: dict[int, float] = {}
"""CPU seconds (user + system, with the children it waited for) of each finished command, by pid."""


def run(cmd: list[str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB, the process and the children it waited for) of a command.

    Its CPU seconds go into :data:`CPU` (under the command's pid, and under 0 for the last one).
    """
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - t
    if status != 0:
        raise SystemExit(f"{' '.join(cmd)} failed: {proc.stderr.read().decode()[-2000:]}")
    CPU[proc.pid] = CPU[0] = usage.ru_utime + usage.ru_stime
    return seconds, usage.ru_maxrss / 1024


def kg_build(corpus: Path, *extra: str, source: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS of ``kg build CORPUS`` into a new store.

    ``source``: run the ``kg`` package of that checkout (with this virtualenv's libraries)
    instead of the installed one.
    """
    store = Path(tempfile.mkdtemp(prefix="bench-store-"))
    shutil.rmtree(store)
    kg = [str(KG)] if source is None else [sys.executable, "-c", OTHER_KG, str(source)]
    try:
        return run([*kg, "build", str(corpus), "--store", str(store), "-q", *extra])
    finally:
        shutil.rmtree(store, ignore_errors=True)


def speed(n: int, sentences: int, backgrounds: list[float], rounds: int, against: Path | None = None,
          ceiling: bool = False) -> None:
    """Words/s of the baseline and both kg legs, ``rounds`` times each, legs in rotating order.

    The machine is shared and noisy: each round runs the three legs back to back (their order
    rotates from round to round), the ratios are taken within a round, and the median round is
    reported.  A second line gives the CPU seconds each leg used (user + system, workers
    included) and their ratio, which a loaded machine disturbs far less than wall time.  kg's
    caches (the gazetteer) are warmed by an untimed build first, as they are for every build
    after the first on a machine.  With ``against`` (another checkout), its two kg legs run in
    the same rounds and get rows of their own, so before and after share one machine state.
    With ``ceiling``, a leg running only kg's spaCy work (:data:`CEILING`) joins the rounds: the
    ratio a build would have if its rules, graphs, validation and store cost nothing.
    """
    from kg.nlp import pick_model

    model = pick_model()
    with tempfile.TemporaryDirectory() as tmp:
        warm = Path(tmp) / "warm"
        make_corpus(warm, 2, background=0.0, sentences=2)
        kg_build(warm)
        if against is not None:
            kg_build(warm, source=against)
    print(f"model {model}; {n} articles of {sentences} sentences; words/s of the whole process; "
          f"median of {rounds} round(s); load average {os.getloadavg()[0]:.1f}")
    print(f"{'background':>10} {'words':>8} {'nlp.pipe':>9} {'kg build':>9} {'ratio':>6} "
          f"{'--workers 2':>11} {'ratio':>6}")
    for bg in backgrounds:
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            words = make_corpus(corpus, n, background=bg, sentences=sentences)
            legs = {
                "base": lambda c=corpus: run([sys.executable, "-c", BASELINE, model, str(c)])[0],
                "one": lambda c=corpus: kg_build(c)[0],
                "two": lambda c=corpus: kg_build(c, "--workers", "2")[0],
            }
            if ceiling:
                legs["ceiling"] = lambda c=corpus: run([sys.executable, "-c", CEILING, str(c)])[0]
            if against is not None:
                legs["old one"] = lambda c=corpus: kg_build(c, source=against)[0]
                legs["old two"] = lambda c=corpus: kg_build(c, "--workers", "2", source=against)[0]
            names = list(legs)
            results: list[dict[str, float]] = []
            cpu: list[dict[str, float]] = []
            for r in range(rounds):
                order = names[r % len(names):] + names[:r % len(names)]
                results.append({})
                cpu.append({})
                for name in order:
                    results[-1][name] = legs[name]()
                    cpu[-1][name] = CPU[0]
            rows = [("", "one", "two")] + ([(str(against), "old one", "old two")] if against else [])
            for label, one, two in rows:
                ratio_one = statistics.median(x["base"] / x[one] for x in results)
                ratio_two = statistics.median(x["base"] / x[two] for x in results)
                med = {name: statistics.median(x[name] for x in results) for name in names}
                print(f"{bg:>10.0%} {words:>8} {words / med['base']:>9.0f} {words / med[one]:>9.0f} "
                      f"{ratio_one:>6.2f} {words / med[two]:>11.0f} {ratio_two:>6.2f}  {label}")
                cpu_one = statistics.median(x["base"] / x[one] for x in cpu)
                cpu_two = statistics.median(x["base"] / x[two] for x in cpu)
                print(f"{'':>10} {'CPU s':>8} {statistics.median(x['base'] for x in cpu):>9.1f} "
                      f"{statistics.median(x[one] for x in cpu):>9.1f} {cpu_one:>6.2f} "
                      f"{statistics.median(x[two] for x in cpu):>11.1f} {cpu_two:>6.2f}  {label}")
            if ceiling:
                med_c = statistics.median(x["ceiling"] for x in results)
                print(f"{'':>10} {'ceiling':>8} {'':>9} {words / med_c:>9.0f} "
                      f"{statistics.median(x['base'] / x['ceiling'] for x in results):>6.2f}  "
                      f"kg's spaCy work alone; CPU {statistics.median(x['ceiling'] for x in cpu):.1f} s, "
                      f"ratio {statistics.median(x['base'] / x['ceiling'] for x in cpu):.2f}")
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


def rss(sizes: list[int], sentences: int, background: float, against: Path | None = None) -> None:
    """Peak RSS of ``kg build`` (one process) at each corpus size, and the last over the first.

    With ``against`` (a checkout of another version), that version builds each corpus too,
    right after this one, so both are measured in one run.  Each version builds two articles
    first, untimed, so that the first measured build does not pay the gazetteer cache
    (building it from GeoNames takes about 60 MiB more than reading it back).
    """
    print(f"peak RSS of kg build (one process), articles of {sentences} sentences, "
          f"{background:.0%} background; load average {os.getloadavg()[0]:.2f}")
    legs = [("this", None)] + ([(str(against), against)] if against else [])
    with tempfile.TemporaryDirectory() as tmp:
        make_corpus(Path(tmp) / "warm", 2, background=0.0, sentences=2)
        for _, source in legs:
            kg_build(Path(tmp) / "warm", source=source)
    peaks: dict[str, list[float]] = {name: [] for name, _ in legs}
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            corpus = Path(tmp) / "corpus"
            words = make_corpus(corpus, n, background=background, sentences=sentences)
            for name, source in legs:
                seconds, peak = kg_build(corpus, source=source)
                peaks[name].append(peak)
                print(f"{n:>6} articles {words:>8} words  {seconds:7.1f} s  {words / seconds:7.0f} words/s  "
                      f"peak RSS {peak:6.0f} MiB  {name}  (load {os.getloadavg()[0]:.2f})", flush=True)
    for name, got in peaks.items():
        if len(got) > 1:
            print(f"{name}: peak RSS at {sizes[-1]} / at {sizes[0]} articles: {got[-1] / got[0]:.2f}x "
                  f"(+{got[-1] - got[0]:.0f} MiB)")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=300)
    ap.add_argument("--sentences", type=int, default=10)
    ap.add_argument("--background", type=float, nargs="*", default=[0.0, 0.5])
    ap.add_argument("--rounds", type=int, default=3, help="rounds of the three legs (median reported)")
    ap.add_argument("--rss", type=int, nargs="*", help="article counts for the memory runs (e.g. 1000 10000)")
    ap.add_argument("--against", type=Path, help="also measure this checkout's kg (same rounds)")
    ap.add_argument("--ceiling", action="store_true",
                    help="also run kg's spaCy work alone (no rules, graphs or store): the best a build could do")
    args = ap.parse_args()
    if args.rss:
        rss(args.rss, sentences=3, background=0.67, against=args.against)
    else:
        speed(args.articles, args.sentences, args.background, args.rounds, against=args.against,
              ceiling=args.ceiling)


if __name__ == "__main__":
    main()
