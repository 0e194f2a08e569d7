"""Time and peak memory of extracting one long article, at two lengths: both should grow linearly.

    python benchmarks/bench_long.py [CHARS]   (default 250000; the second run is twice as long)

Each length runs in its own process so that peak RSS is its own.  Prints seconds, peak RSS and
the ratios of the long run to the short one (linear: about 2.0 for time; memory grows less,
because the model's own memory is shared by both).
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

PARAGRAPH = ("A freight train carrying 50 containers of auto parts left Chongqing for Duisburg on Monday, "
             "crossing Kazakhstan at Alashankou. The logistics park handled more containers this year. ") * 8


def one(chars: int) -> dict[str, float]:
    from kg import nlp as nlp_mod
    from kg.extract import extract_articles, read_article
    from kg.gazetteer import default

    nlp, gz = nlp_mod.load(), default()
    path = Path(f"/tmp/kg-bench-long-{chars}.txt")
    text = (PARAGRAPH + "\n\n") * (chars // (len(PARAGRAPH) + 2) + 1)
    path.write_text(text[:chars], encoding="utf-8")
    started = time.perf_counter()
    [article] = extract_articles([read_article(path)], nlp=nlp, gazetteer=gz)
    seconds = time.perf_counter() - started
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"chars": chars, "seconds": round(seconds, 2), "peak_rss_mb": round(rss), "routes": len(article.routes)}


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--one":
        print(json.dumps(one(int(sys.argv[2]))))
        return
    base = int(sys.argv[1]) if len(sys.argv) > 1 else 250_000
    rows = []
    for chars in (base, 2 * base):
        out = subprocess.run([sys.executable, __file__, "--one", str(chars)], capture_output=True, text=True, check=True)
        rows.append(json.loads(out.stdout.strip().splitlines()[-1]))
        print(rows[-1])
    print(f"time ratio {rows[1]['seconds'] / rows[0]['seconds']:.2f} for 2x the text; "
          f"peak RSS ratio {rows[1]['peak_rss_mb'] / rows[0]['peak_rss_mb']:.2f}")


if __name__ == "__main__":
    main()
