#!/usr/bin/env python3
"""Builds the demo district's map (issue 23): crates/demo/data/district_map.geojson.

临江区 is fictional, so its boundaries are made up — but from the demo's own geography, so that
what the demo shows on the map agrees with its org tree and its cases:

- the street centres and community counts come from crates/demo/src/names.rs (STREETS), and each
  community's point is computed exactly as crates/demo/src/district.rs does (`community_offset`,
  villages spread 1.8× further out);
- a case lies within ±0.004° lat / ±0.005° lon of its community (crates/demo/src/cases.rs,
  `coordinates`), so every community contributes a small grid over that box, each sample labelled
  with its street (where boxes of two streets overlap, the nearer community's street wins);
- the streets are the union of the Voronoi cells of those labelled samples, clipped to an
  irregular district outline (the buffered union of all the boxes), simplified as a coverage so
  neighbouring streets keep sharing their edges, coordinates rounded to 6 decimals.

Checks before writing: every community point lies in its own street; reports the share of
simulated case points that do. Needs shapely >= 2.1 (`pip install shapely`).

    python3 scripts/gen_district_map.py [--out crates/demo/data/district_map.geojson]
"""

import argparse
import json
import math
import os
import random
import re
import sys

import shapely
from shapely.geometry import MultiPoint, Point, box, mapping
from shapely.ops import unary_union

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LAT_JITTER, LON_JITTER = 0.004, 0.005  # cases.rs `coordinates`
GRID = 7  # samples per side of a community's case box


def read_streets():
    src = open(os.path.join(ROOT, "crates/demo/src/names.rs"), encoding="utf-8").read()
    code = re.search(r'pub const DISTRICT_CODE: &str = "(\d+)";', src).group(1)
    name = re.search(r'pub const DISTRICT_NAME: &str = "([^"]+)";', src).group(1)
    body = re.search(r"pub const STREETS[^=]*=\s*&\[(.*?)\];", src, re.S).group(1)
    rows = re.findall(r'\("([^"]+)",\s*(\d+),\s*([\d.]+),\s*([\d.]+)\)', body)
    towns_urban = int(re.search(r"pub const TOWN_URBAN_COMMUNITIES: usize = (\d+);", src).group(1))
    return code, name, [(n, int(c), float(a), float(o)) for n, c, a, o in rows], towns_urban


def communities(district_code, streets, towns_urban):
    """(street code, street name, lat, lon) of every community, as district.rs places them."""
    out, g = [], 0
    for i, (street, count, lat, lon) in enumerate(streets):
        scode = f"{district_code}{i + 1:03d}"
        town = street.endswith("镇")
        for j in range(count):
            a = (g * 37 % 23) - 11.0
            b = (g * 53 % 19) - 9.0
            dlat, dlon = a * 0.0011, b * 0.0014
            spread = 1.8 if (town and j >= towns_urban) else 1.0
            out.append((scode, street, round(lat + dlat * spread, 6), round(lon + dlon * spread, 6)))
            g += 1
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=os.path.join(ROOT, "crates/demo/data/district_map.geojson"))
    ap.add_argument("--tolerance", type=float, default=0.0006, help="coverage simplification, degrees")
    args = ap.parse_args()

    dcode, dname, streets, towns_urban = read_streets()
    comms = communities(dcode, streets, towns_urban)
    names = {f"{dcode}{i + 1:03d}": s[0] for i, s in enumerate(streets)}

    # Labelled samples: community points, and a grid over each community's case box.
    samples = []
    for scode, _, lat, lon in comms:
        samples.append((lon, lat, scode))
        for gi in range(GRID):
            for gj in range(GRID):
                y = lat - LAT_JITTER + 2 * LAT_JITTER * gi / (GRID - 1)
                x = lon - LON_JITTER + 2 * LON_JITTER * gj / (GRID - 1)
                # The nearest community among those whose box holds the sample names its street.
                best, label = None, scode
                for s2, _, la2, lo2 in comms:
                    dy, dx = (y - la2) / LAT_JITTER, (x - lo2) / LON_JITTER
                    if abs(dy) <= 1 and abs(dx) <= 1:
                        d = dx * dx + dy * dy
                        if best is None or d < best:
                            best, label = d, s2
                samples.append((x, y, label))
    # One label per position (a community point can coincide with a grid sample).
    uniq = {}
    for x, y, s in samples:
        uniq.setdefault((round(x, 7), round(y, 7)), s)
    pts = [Point(x, y) for (x, y) in uniq]
    labels = list(uniq.values())

    boxes = [box(lo - LON_JITTER, la - LAT_JITTER, lo + LON_JITTER, la + LAT_JITTER) for _, _, la, lo in comms]
    # An irregular outline: the boxes' union, grown and shrunk back so its edges round off.
    # A concave hull joins the towns that stand apart into one district.
    union = unary_union(boxes)
    hull = shapely.concave_hull(union, ratio=0.45)
    outline = unary_union([union, hull]).buffer(0.012, quad_segs=4).buffer(-0.008, quad_segs=4)
    if outline.geom_type != "Polygon":
        outline = max(outline.geoms, key=lambda g: g.area)
    outline = shapely.Polygon(outline.exterior)  # no holes in a district

    env = outline.envelope.buffer(0.05)
    cells = shapely.voronoi_polygons(MultiPoint(pts), extend_to=env)
    by_street = {code: [] for code in names}
    tree = shapely.STRtree(pts)
    for cell in cells.geoms:
        idx = tree.query(cell, predicate="contains")
        if len(idx) == 0:
            continue
        by_street[labels[int(idx[0])]].append(cell)
    polys = []
    codes = list(names)
    for code in codes:
        g = unary_union(by_street[code]).intersection(outline).buffer(0)
        polys.append(g)
    # Simplify as a coverage: shared edges stay shared, no gaps or overlaps appear.
    simple = shapely.coverage_simplify(polys, tolerance=args.tolerance)
    simple = [shapely.set_precision(g, 1e-6) for g in simple]
    outline_s = shapely.set_precision(unary_union(simple), 1e-6)

    regions = dict(zip(codes, simple))
    # Check: every community point in its own street.
    wrong = [(s, la, lo) for s, _, la, lo in comms if not regions[s].contains(Point(lo, la))]
    if wrong:
        sys.exit(f"community points outside their street: {wrong[:5]} ({len(wrong)})")
    rng = random.Random(2026)
    n, ok = 20000, 0
    for _ in range(n):
        s, _, la, lo = comms[rng.randrange(len(comms))]
        p = Point(lo + rng.uniform(-LON_JITTER, LON_JITTER), la + rng.uniform(-LAT_JITTER, LAT_JITTER))
        ok += regions[s].contains(p)
    print(f"simulated case points inside their own street: {ok / n:.2%}", file=sys.stderr)

    def geom(g):
        m = mapping(g)
        def rnd(c):
            if isinstance(c, (list, tuple)) and c and isinstance(c[0], (int, float)):
                return [round(c[0], 6), round(c[1], 6)]
            return [rnd(x) for x in c]
        return {"type": m["type"], "coordinates": rnd(m["coordinates"])}

    features = [{
        "type": "Feature",
        "properties": {"code": dcode, "name": dname, "level": "district"},
        "geometry": geom(outline_s),
    }]
    for code in codes:
        features.append({
            "type": "Feature",
            "properties": {"code": code, "name": names[code], "level": "street"},
            "geometry": geom(regions[code]),
        })
    fc = {"type": "FeatureCollection", "name": f"{dname}（演示）镇街边界", "features": features}
    text = json.dumps(fc, ensure_ascii=False, separators=(",", ":"))
    with open(args.out, "w", encoding="utf-8") as f:
        f.write(text + "\n")
    print(f"wrote {args.out}: {len(features)} features, {len(text) / 1024:.0f} KiB", file=sys.stderr)


if __name__ == "__main__":
    main()
