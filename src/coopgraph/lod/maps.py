"""Maps without tiles: marker positions over the outlines of Germany and the Länder."""

from __future__ import annotations

import math
import re
from functools import lru_cache
from typing import Any

from .. import resources

_POINT = re.compile(r"^\s*(?:<[^>]*>\s*)?POINT\s*\(\s*(-?[\d.]+)\s+(-?[\d.]+)\s*\)\s*$", re.I)


def parse_point(wkt: str) -> tuple[float, float] | None:
    """(lon, lat) of a WKT ``POINT``, or None for any other geometry."""
    m = _POINT.match(wkt)
    return (float(m.group(1)), float(m.group(2))) if m else None


MAP_ASPECT = math.cos(math.radians(51.2))  # x = lon·cos(51.2°): Germany's middle latitude
GERMANY = (5.87, 47.27, 15.04, 55.06)  # lon/lat box: the extent of a map with one place


@lru_cache(maxsize=1)
def outline_box() -> tuple[float, float, float, float]:
    """The viewBox of laender.svg (Germany and the Länder, in the maps' projection)."""
    head = (resources.templates_dir() / "laender.svg").read_text(encoding="utf-8")[:400]
    m = re.search(r'viewBox="([-\d. ]+)"', head)
    assert m is not None
    x, y, w, h = (float(v) for v in m.group(1).split())
    return x, y, w, h


def svg_map(points: list[dict[str, Any]], width: int = 640, pad: int = 30) -> dict[str, Any]:
    """Marker positions for an inline SVG map: an equirectangular projection (x scaled by
    cos 51.2°), over the outlines of Germany and the Länder (laender.svg, one <image>), so it
    renders with no tiles and no network. One place is shown within Germany. Room is left on the
    right for the names."""
    lons = [p["lon"] for p in points]
    lats = [p["lat"] for p in points]
    if len(points) == 1:
        west, south, east, north = GERMANY
    else:
        west, south, east, north = min(lons), min(lats), max(lons), max(lats)
    x0, x1 = west * MAP_ASPECT, east * MAP_ASPECT
    span_x = max(x1 - x0, 0.05)
    span_y = max(north - south, 0.05)
    labelled = len(points) <= 80
    inner = width - 2 * pad - (150 if labelled else 0)
    scale = min(inner / span_x, 420 / span_y)
    height = int(span_y * scale + 2 * pad)
    left = pad + (inner - (x1 - x0) * scale) / 2
    cy = (north + south) / 2
    markers = [
        {
            **p,
            "x": round(left + (lon * MAP_ASPECT - x0) * scale, 1),
            "y": round(height / 2 - (p["lat"] - cy) * scale, 1),
        }
        for p, lon in zip(points, lons, strict=True)
    ]
    vx, vy, vw, vh = outline_box()
    outline = {
        "x": round(left + (vx - x0) * scale, 1),
        "y": round(height / 2 + (vy + cy) * scale, 1),
        "width": round(vw * scale, 1),
        "height": round(vh * scale, 1),
    }
    radius = 5 if labelled else 2.5
    areas = any(p.get("area") for p in points)
    return {"width": width, "height": height, "markers": markers, "labelled": labelled,
            "r": radius, "outline": outline, "areas": areas}  # fmt: skip
