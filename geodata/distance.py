"""Distance on the map, for the parser's sense of "near": equirectangular km, which is close
enough at the few hundred km where nearness matters, and cheap enough to run for every candidate."""
from __future__ import annotations

import math


def distance_km(lat: float, lon: float, a: float, b: float) -> float:
    """Distance in km between (lat, lon) and (a, b)."""
    return 111.2 * math.hypot((lon - b) * math.cos(math.radians((a + lat) / 2)), lat - a)


def nearest_km(lat: float, lon: float, points) -> float:
    """Distance in km from (lat, lon) to the nearest of `points`, (lat, lon) pairs."""
    return 111.2 * min(math.hypot((lon - b) * math.cos(math.radians((a + lat) / 2)), lat - a)
                       for a, b in points)
