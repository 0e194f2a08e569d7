"""Reading inputs: saved pages (trafilatura + htmldate) and cached URLs against plain .txt files.

Writes N articles as .txt and as news pages (navigation, sidebar, footer), serves the pages on
127.0.0.1, and times ``kg.inputs.read_inputs`` on each form (no spaCy: reading only).
Baseline: the .txt files, in the same run.

    .venv/bin/python benchmarks/bench_inputs.py [N]
"""

from __future__ import annotations

import sys
import tempfile
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from kg import settings
from kg.inputs import read_inputs

HEAD = "Freight train links Chengdu and Lodz"
PARAS = ["A freight train left Chengdu for Lodz on Thursday.",
         "It crossed Kazakhstan and Belarus on the way."]


def page(i: int) -> str:
    body = "".join(f"<p>{p}</p>" for p in [*PARAS, f"This is report number {i}."])
    return (f'<!DOCTYPE html><html><head><title>{HEAD} - Rail Daily</title><link rel="canonical" '
            f'href="https://news.example.org/{i}.html"><meta property="og:site_name" content="Rail Daily">'
            '<meta property="article:published_time" content="2021-11-18T08:00:00+00:00"></head><body>'
            '<nav><a href="/">Home</a> | <a href="/world">World</a></nav>'
            f"<main><article><h1>{HEAD}</h1>{body}</article></main><aside><ul><li><a href='/m'>Markets</a>"
            "</li></ul></aside><footer>Copyright Rail Daily</footer></body></html>")


class Quiet(SimpleHTTPRequestHandler):
    count = 0

    def do_GET(self) -> None:  # noqa: N802
        Quiet.count += 1
        super().do_GET()

    def log_message(self, *args: object) -> None:
        pass


def timed(fn) -> tuple[float, object]:
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main(n: int = 200) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / "txt").mkdir()
        (root / "site").mkdir()
        settings.cache = str(root / "cache")
        for i in range(n):
            text = "\n\n".join([HEAD, *PARAS, f"This is report number {i}."])
            (root / "txt" / f"{i:04}.txt").write_text(text, encoding="utf-8")
            (root / "site" / f"{i:04}.html").write_text(page(i), encoding="utf-8")
        t_txt, a = timed(lambda: read_inputs([root / "txt"]))
        t_html, b = timed(lambda: read_inputs([root / "site"]))
        httpd = ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root / "site")))
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        try:
            urls = [f"http://127.0.0.1:{httpd.server_address[1]}/{i:04}.html" for i in range(n)]
            t_get, c = timed(lambda: read_inputs(urls))
            asked = Quiet.count
            t_cached, d = timed(lambda: read_inputs(urls))
            again = Quiet.count - asked
        finally:
            httpd.shutdown()
            httpd.server_close()
        assert len(a.articles) == len(b.articles) == len(c.articles) == len(d.articles) == n
        print(f"{n} articles: .txt {t_txt:.2f} s (baseline)")
        print(f"saved pages    {t_html:.2f} s  {t_html / t_txt:.1f}x  ({n / t_html:.0f} pages/s)")
        print(f"URLs, first    {t_get:.2f} s  {t_get / t_txt:.1f}x  ({asked} requests)")
        print(f"URLs, cached   {t_cached:.2f} s  {t_cached / t_txt:.1f}x  ({again} requests)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
