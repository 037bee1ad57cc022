"""Where "the Turkish border" is: a point on the border two countries share.

A border is a long line, so the point chosen is the stretch of it nearest to where the document
is (its other places): for an article about Idlib, the Syria–Turkey border near Bab al-Hawa, not
its midpoint 200 km east. Outlines come from the countryinfo package.
"""
from __future__ import annotations

import ast
import json
import math
from functools import lru_cache
from importlib import resources
from pathlib import Path


@lru_cache(maxsize=64)
def outline(cc: str) -> tuple[tuple[float, float], ...]:
    """Every (lat, lon) vertex of a country's outline, or () when countryinfo has none."""
    folder = Path(str(resources.files("countryinfo").joinpath("data")))
    for path in folder.glob("*.json"):
        text = path.read_text(encoding="utf-8")
        if f'"{cc}"' not in text:  # most files: no need to parse them
            continue
        data = json.loads(text)
        if (data.get("ISO") or {}).get("alpha2") != cc:
            continue
        geo = data.get("geoJSON") or {}
        if isinstance(geo, str):
            geo = ast.literal_eval(geo)
        points = []
        for feature in geo.get("features", []):
            geom = feature.get("geometry") or {}
            polys = geom.get("coordinates", [])
            if geom.get("type") == "Polygon":
                polys = [polys]
            for poly in polys:
                for ring in poly:
                    points.extend((lat, lon) for lon, lat in ring)
        return tuple(points)
    return ()


def border_point(cc_a: str, cc_b: str, near: tuple[float, float] | None):
    """A point of the A–B border (vertices of A within ~30 km of B), nearest to `near`
    (else the border's middle); None when the two share no border in the outlines."""
    shared = _shared(cc_a, cc_b)
    if not shared:
        return None
    if near is None:
        near = (sum(p[0] for p in shared) / len(shared), sum(p[1] for p in shared) / len(shared))
    scale = math.cos(math.radians(near[0]))
    return min(shared, key=lambda p: (p[0] - near[0]) ** 2 + ((p[1] - near[1]) * scale) ** 2)


@lru_cache(maxsize=256)
def _shared(cc_a: str, cc_b: str) -> tuple[tuple[float, float], ...]:
    """The vertices of A's outline within ~30 km of B's."""
    a, b = outline(cc_a), outline(cc_b)
    return tuple(p for p in a if b and min((p[0] - q[0]) ** 2 + (p[1] - q[1]) ** 2 for q in b) < 0.09)
