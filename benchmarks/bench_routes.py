"""routes_from (and trains_through) at ~1M quads: a revision's query text against this tree's, same run.

Usage: python benchmarks/bench_routes.py STORE [--rev REV] [--names routes_from,trains_through] [--runs N]

STORE is a store kept by ``bench_store.py 20000 --keep STORE``.  Its summary graph is rebuilt
first with this tree's kg/summary.py when it lacks this tree's train facts (``kgo:documentName``;
the old texts do not read them, so both run on the same store).  Each query is timed through
kg's store (``GraphStore.query``, rows read as rdflib terms), unbound and bound (the first port's
label in lower case, as bench_store.py binds it), old and new runs interleaved, p50 of ``--runs``
(5); the sorted rows of both texts, and of the new text through ``substitute`` (what a SPARQL
server is sent), are checked equal.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

from kg.sparql import to_term
from kg.store import open_store, substitute

ROOT = Path(__file__).resolve().parent.parent


def _rows(st, text: str, terms: dict) -> tuple[list[tuple[str, ...]], float]:  # type: ignore[no-untyped-def]
    t = time.perf_counter()
    rows = [tuple("" if v is None else v.n3() for v in row) for row in st.query(text, terms)]
    return rows, time.perf_counter() - t


def main() -> None:
    args = sys.argv[1:]
    opts = {args[i]: args[i + 1] for i in range(len(args) - 1) if args[i].startswith("--")}
    store = next(a for i, a in enumerate(args)
                 if not a.startswith("--") and (i == 0 or not args[i - 1].startswith("--")))
    rev, runs = opts.get("--rev", "main"), int(opts.get("--runs", "5"))
    names = opts.get("--names", "routes_from").split(",")
    with open_store(store) as st:
        if not st.query("ASK { ?t <https://w3id.org/freight-kg/ontology#documentName> ?n }").askAnswer:
            t = time.perf_counter()
            st.rebuild_summary()
            print(f"summary rebuilt with this tree's kg/summary.py in {time.perf_counter() - t:.1f} s")
    with open_store(store, read_only=True) as st:
        first = "SELECT ?l WHERE { ?p a kgo:Port ; skos:prefLabel ?l } ORDER BY ?l LIMIT 1"
        port = str(next(iter(st.query(first)))[0])
        print(f"load average {os.getloadavg()[0]:.2f} (1 min) at the start; rev {rev} vs this tree, "
              f"p50 of {runs}")
        print(f"{'query':16} {'bindings':24} {'rows':>7} {'old ms':>9} {'new ms':>9} {'x':>6}")
        for name in names:
            old = subprocess.run(["git", "-C", str(ROOT), "show", f"{rev}:queries/{name}.rq"],
                                 capture_output=True, text=True, check=True).stdout
            new = (ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8")
            for bindings in ({}, {"place": port.lower()}):
                terms = {k: to_term(v) for k, v in bindings.items()}
                times: dict[str, list[float]] = {"old": [], "new": []}
                answers: dict[str, list[tuple[str, ...]]] = {}
                for _ in range(runs):
                    for label, text in (("old", old), ("new", new)):
                        rows, seconds = _rows(st, text, terms)
                        times[label].append(seconds)
                        answers[label] = rows
                assert sorted(answers["old"]) == sorted(answers["new"]), f"{name} {bindings}: rows differ"
                sent = _rows(st, substitute(new, terms), {})[0]  # the text a server is sent
                assert sorted(sent) == sorted(answers["new"]), f"{name} {bindings}: substitute"
                o, n = (statistics.median(times[k]) * 1000 for k in ("old", "new"))
                shown = ", ".join(f"{k}={v}" for k, v in bindings.items()) or "(none)"
                print(f"{name:16} {shown:24} {len(answers['new']):7} {o:9.1f} {n:9.1f} {o / n:6.1f}")
        print(f"load average {os.getloadavg()[0]:.2f} (1 min) at the end")


if __name__ == "__main__":
    main()
