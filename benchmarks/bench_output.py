"""Printing listings: kg's table layout against rich drawing the same table, and the output formats.

Baseline (same run): rich's Table for the same rows, and ``json.dumps`` of the flat records for
the SPARQL results JSON. Usage: ``python benchmarks/bench_output.py [ROWS]`` (default 5,000).
"""

from __future__ import annotations

import json
import statistics
import sys
import time

from rdflib import Literal, URIRef

from kg import tables
from kg.results import solutions_json, table_text
from kg.tables import Column, render, to_csv


def best(fn, runs: int = 3) -> float:
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def main(rows: int) -> None:
    records = [{"place": f"https://w3id.org/freight-kg/id/geonames/{i}", "trains": i,
                "label": "Ürümqi" if i % 2 else "Horgos", "aliases": ["Khorgos", "Khorgas port"]}
               for i in range(rows)]
    cols = [Column("place"), Column("label"), Column("trains", justify="right"), Column("aliases")]
    headers = [c.key for c in cols]
    cells = [[c.text(r) for c in cols] for r in records]
    rich = best(lambda: tables._rich(headers, cells, cols, 10_000), runs=1)
    ours = best(lambda: render(records, cols))
    print(f"{rows:,} rows: rich Table {rich:.2f} s (baseline); kg layout {ours:.3f} s = {ours / rich:.3f}x")
    csv_t = best(lambda: to_csv(records))
    print(f"to_csv {csv_t:.3f} s = {csv_t / rich:.3f}x of rich")
    columns = ["place", "label", "trains"]
    terms = [[URIRef(r["place"]), Literal(r["label"]), Literal(r["trains"])] for r in records]
    values = [[r["place"], r["label"], r["trains"]] for r in records]
    flat = best(lambda: json.dumps([dict(zip(columns, v, strict=True)) for v in values], indent=2))
    std = best(lambda: solutions_json(columns, terms))
    tab = best(lambda: table_text(columns, values, terms))
    print(f"records JSON {flat:.3f} s (baseline); SPARQL results JSON {std:.3f} s = {std / flat:.2f}x; "
          f"query table {tab:.3f} s = {tab / flat:.2f}x")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5_000)
