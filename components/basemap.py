"""The map's base layer: country outlines that work offline, and the tile source setting.

Tiles from the internet fail offline and leave a grey map, so the default base is the country
outlines that the PyPI package countryinfo ships (GeoJSON per country). A tile server can be
set with PLACEWIRE_TILES (environment or Streamlit secret): a URL template such as
https://tile.openstreetmap.org/{z}/{x}/{y}.png, credited with PLACEWIRE_TILES_ATTRIBUTION.
"""
from __future__ import annotations

import json
import os
from functools import lru_cache
from importlib import resources

import streamlit as st

# Credit for the data on the map (GeoNames is CC BY 4.0 and must be credited where it shows).
ATTRIBUTION = (
    'Places: <a href="https://www.geonames.org/" target="_blank" rel="noopener">GeoNames</a> '
    '(<a href="https://creativecommons.org/licenses/by/4.0/" target="_blank" rel="noopener">CC BY 4.0</a>)'
    " · outlines: countryinfo"
)

_OUTLINE_STYLE = {"color": "#8a8a8a", "weight": 1, "fillColor": "#f2efe9", "fillOpacity": 1}


@lru_cache(maxsize=1)
def country_outlines() -> dict:
    """Every country's outline as one FeatureCollection, coordinates rounded to about 1 km.

    Rounding halves the payload the browser receives on each map mount; at the zooms where
    outlines matter the difference is invisible.
    """
    features = []
    for entry in sorted(resources.files("countryinfo").joinpath("data").iterdir(), key=lambda p: p.name):
        if not entry.name.endswith(".json"):
            continue
        info = json.loads(entry.read_text(encoding="utf-8"))
        for feature in (info.get("geoJSON") or {}).get("features", []):
            geometry = feature.get("geometry")
            if not geometry:
                continue
            features.append({
                "type": "Feature",
                "properties": {"style": _OUTLINE_STYLE},
                "geometry": {"type": geometry["type"], "coordinates": _rounded(geometry["coordinates"])},
            })
    return {"type": "FeatureCollection", "features": features}


def _rounded(coords):
    if coords and isinstance(coords[0], (int, float)):
        return [round(coords[0], 2), round(coords[1], 2)]
    return [_rounded(c) for c in coords]


def _setting(name: str) -> str:
    value = os.environ.get(name)
    if value:
        return value
    try:
        return str(st.secrets.get(name, "") or "")
    except Exception:  # no secrets file: settings come from the environment only
        return ""


def tiles() -> tuple[str, str] | None:
    """(url template, attribution) of the configured tile server, or None (offline outlines)."""
    url = _setting("PLACEWIRE_TILES")
    if not url:
        return None
    return url, _setting("PLACEWIRE_TILES_ATTRIBUTION") or "Map tiles: see PLACEWIRE_TILES"
