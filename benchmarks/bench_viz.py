"""Writing and opening a 2,000-place network in headless Chromium, against a 50-place one, in one run.

``synthetic(n)`` is importable (the browser tests draw its 2,000-place page).
"""

from __future__ import annotations

import random
import tempfile
import time
from pathlib import Path

import networkx as nx

from kg.viz import write_html

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


COUNTRIES = ("CN", "KZ", "RU", "BY", "PL", "DE", "UZ", "TR")


def synthetic(n: int, edges_per_node: int = 3, seed: int = 1) -> nx.DiGraph:
    """A random route network of ``n`` places between Spain and Japan, ``edges_per_node`` legs each.

    Every tenth place has an alias (``Alias-i``), every fifth leg crosses two countries, legs
    carry evidence dated in 2023-2024, so search, crossings and the date filter have work to do.
    """
    rnd = random.Random(seed)
    g = nx.DiGraph()
    for i in range(n):
        g.add_node(f"p{i}", label=f"Place {i}", type=rnd.choice(["City", "Port"]),
                   country=rnd.choice(COUNTRIES),
                   lat=rnd.uniform(20, 60), lon=rnd.uniform(-10, 130),
                   aliases={f"Alias-{i}"} if i % 10 == 0 else set())
    for i in range(n):
        for k in range(edges_per_node):
            j = rnd.randrange(n)
            if j != i:
                date = f"{rnd.choice((2023, 2024))}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
                crosses = tuple(rnd.sample(COUNTRIES, 2)) if k == 0 and i % 5 == 0 else ()
                g.add_edge(f"p{i}", f"p{j}", trains={"t"}, documents={"d"}, n_trains=1, n_documents=1,
                           km=None,
                           crossings={crosses: {"t"}}, crosses=list(crosses),
                           evidence=[{"document": "d.txt", "sentence": f"A train ran from {i} to {j}.",
                                      "train": "t", "date": date}])
    return g


def main() -> None:
    from playwright.sync_api import sync_playwright

    tmp = Path(tempfile.mkdtemp())
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        for n in (50, 2000):
            g = synthetic(n)
            t = time.perf_counter()
            path = write_html(tmp / f"g{n}.html", graph=g)
            write_s = time.perf_counter() - t
            page = browser.new_page()
            t = time.perf_counter()
            page.goto(path.as_uri())
            page.wait_for_function("window.kgNetwork !== undefined", timeout=60000)
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
            open_s = time.perf_counter() - t
            t = time.perf_counter()
            page.mouse.move(400, 400)
            page.mouse.wheel(0, -300)
            page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
            interact_s = time.perf_counter() - t
            rows.append((n, g.number_of_edges(), write_s, open_s, interact_s, path.stat().st_size))
            page.close()
        browser.close()
    base = rows[0]
    print(f"{'places':>7} {'legs':>6} {'write s':>8} {'open s':>7} {'zoom s':>7} {'MB':>6}  open x 50-place page")
    for n, e, w, o, i, size in rows:
        print(f"{n:7} {e:6} {w:8.2f} {o:7.2f} {i:7.3f} {size / 2**20:6.2f}  {o / base[3]:.1f}")


if __name__ == "__main__":
    main()
