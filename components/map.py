"""The map: places clustered with summed counts, coloured by how recent their latest mention is,
named where names fit, on an offline base map; a click or a play step never resends its data.

The browser draws (static/placewire/placemap.js); this module decides what is drawn and how:
- The map element (folium + streamlit-folium) is the same on every rerun: Leaflet, the plugins,
  the page's script and `placewire.init(map, config)`. streamlit-folium therefore never remounts
  it, and the reader's pan and zoom survive every click, toggle, date change and play step.
- What changes travels in `feature_group_to_add`, a few hundred bytes: `placewire.update(state)`
  with the URL of the filter's place layer (a static file written once, components.layers), the
  selected place and the toggles. A click re-sends kilobytes, not the map.
- The browser answers through the component's value, {"pw": {...}}: a marker click
  ({"type": "select", "pid"}) or a play step ({"type": "step", "dir", "unit"}).
How one place looks is decided in one function, `marker_style`.
"""
from __future__ import annotations

import json
import math
import re
from datetime import date
from functools import lru_cache
from typing import Callable

import folium
import streamlit as st
from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template
from streamlit_folium import st_folium

from components import assets, basemap, layers, playback
from components.markup import KIND_LABELS
from components.roles import EVENT_COLOURS, event_colour
from geodata.model import KINDS, PRECISION

HEIGHT = 600
_TEMPLATE_OPENER = re.compile(r"\{(?=[{%#])")

# How recent a place's latest mention is, counted back from the end of the date range:
# (up to this many days, colour, legend label). Hot is now, grey is long ago.
RECENCY = (
    (7, "#c2185b", "last week"),
    (30, "#e8590c", "1–4 weeks"),
    (91, "#f59f00", "1–3 months"),
    (365, "#7d8fb3", "3–12 months"),
    (None, "#a3a3a3", "older"),
)
UNDATED = ("#e0e0e0", "no date")
# Areas are drawn at their centre point: paler and dashed, so a governorate's centre is not
# read as a town (fill opacity, dash pattern).
_AREA = (0.3, "5 3")
_EXACT = (0.85, None)


def radius(count: int, most: int) -> float:
    """Marker radius in pixels: area grows with the count, 5 px to 25 px."""
    return round(5 + 20 * math.sqrt(count / most), 1) if most else 5.0


def recency(last: str | None, end: date | None) -> tuple[str, str]:
    """(colour, label) for a place whose latest mention in the range is `last` (ISO date)."""
    if not last or end is None:
        return UNDATED
    age = (end - date.fromisoformat(last)).days
    return next((colour, label) for days, colour, label in RECENCY if days is None or age < days)


def marker_style(place: dict, most: int, end: date | None, by_event: bool = False) -> dict:
    """How one place is drawn (Leaflet path options plus "radius"): size by mentions in the
    filter, colour by the recency of its latest mention (`by_event`: by the commonest type of
    event reported there), pale and dashed when it is an area. The one place to change for new
    kinds of marker."""
    colour = event_colour(place.get("event_type")) if by_event else recency(place.get("last"), end)[0]
    fill, dash = _EXACT if PRECISION.get(place["kind"], "exact") == "exact" else _AREA
    style = {
        "radius": radius(place["mentions"], most),
        "color": _darker(colour),
        "weight": 1.5 if dash is None else 2,
        "fillColor": colour,
        "fillOpacity": fill,
    }
    if dash:
        style["dashArray"] = dash
    return style


@lru_cache(maxsize=64)
def _darker(colour: str, by: float = 0.35) -> str:
    r, g, b = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return "#" + "".join(f"{round(c * (1 - by)):02x}" for c in (r, g, b))


def layer(places: list[dict], end: date | None, by_event: bool = False) -> dict:
    """The place layer the browser loads: what each place needs to be drawn, named and clicked.

    {"kinds": [label...], "styles": [path options...], "places": [[id, lat, lon, mentions, name,
    style, radius, kind, last]...]}, biggest first (so smaller markers are drawn on top). Styles are
    shared, so 20,000 places cost a few dozen style objects. No excerpts: the panel fetches the
    clicked place's own.
    """
    most = max((p["mentions"] for p in places), default=0)
    styles: dict[tuple, int] = {}
    rows = []
    for p in sorted(places, key=lambda p: (-p["mentions"], p["place_id"])):
        style = marker_style(p, most, end, by_event)
        size = style.pop("radius")
        rows.append([p["place_id"], round(p["lat"], 5), round(p["lon"], 5), p["mentions"], p["name"],
                     styles.setdefault(tuple(sorted(style.items())), len(styles)), size,
                     KINDS.index(p["kind"]) if p["kind"] in KINDS else 0, p.get("last")])
    return {
        "kinds": [KIND_LABELS.get(k, k) for k in KINDS],
        "styles": [dict(k) for k in styles],
        "places": rows,
    }


def legend() -> dict:
    """What the map's legend says (placemap.js draws it): colours, then how to read the rest."""
    return {
        "title": "Latest mention, before",
        "colours": [[colour, label] for _, colour, label in RECENCY] + [list(UNDATED)],
        "notes": ["Size: mentions · dashed: an area (its centre) · disc: places nearby, summed"],
    }


def event_legend() -> dict:
    """The legend of the view of where things happened: a colour per event type."""
    return {
        "title": "Commonest event there, up to",
        "colours": [[colour, label] for label, colour in EVENT_COLOURS.items()],
        "notes": ["Colour: the commonest event there · size: event mentions · dashed: an area "
                  "(its centre) · disc: places nearby, summed"],
    }


def bounds(places: list[dict], bulk: float = 0.85) -> list[list[float]] | None:
    """[[south, west], [north, east]] around the places that hold the bulk of the mentions.

    Places far from the mention-weighted median are left out, farthest first, while together
    they hold under 1 - `bulk` of the mentions: one "Moscow says" in a corpus about Idlib
    should not zoom the map out to half a continent. None when there are no places.
    """
    if not places:
        return None
    total = sum(p["mentions"] for p in places)
    centre = (_weighted_median(places, "lat"), _weighted_median(places, "lon"))
    by_distance = sorted(places, key=lambda p: -math.dist(centre, (p["lat"], p["lon"])))
    dropped = 0
    while len(by_distance) > 1 and dropped + by_distance[0]["mentions"] <= (1 - bulk) * total:
        dropped += by_distance.pop(0)["mentions"]
    lats = [p["lat"] for p in by_distance]
    lons = [p["lon"] for p in by_distance]
    return [[min(lats), min(lons)], [max(lats), max(lons)]]


def _weighted_median(places: list[dict], key: str) -> float:
    ordered = sorted(places, key=lambda p: p[key])
    half, acc = sum(p["mentions"] for p in ordered) / 2, 0
    for p in ordered:
        acc += p["mentions"]
        if acc >= half:
            return p[key]
    return ordered[-1][key]


def payload(data: dict) -> str:
    """`data` as JSON text that is safe inside a script and inside a Jinja template.

    No "<" at all (no "</script>"), ASCII only, and no "{{", "{%" or "{#": branca compiles
    rendered scripts as Jinja templates, so a name like "{{ ... }}" would be evaluated. In
    compact JSON such a brace can only sit inside a string, where \\u007b means the same.
    """
    text = json.dumps(data, ensure_ascii=True, separators=(",", ":"), sort_keys=True).replace("<", "\\u003c")
    return _TEMPLATE_OPENER.sub(r"\\u007b", text)


class _Init(JSCSSMixin, MacroElement):
    """The page's map script and its plugins, and `placewire.init(map, config)`: the same on
    every rerun, so the map is never remounted."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        placewire.init({{ this._parent.get_name() }}, {{ this.config }});
        {% endmacro %}
        """
    )

    def __init__(self, config: dict, static_url: str):
        super().__init__()
        self.config = payload(config)
        self.default_js, self.default_css = assets.map_scripts(static_url)


class _Update(MacroElement):
    """`placewire.update(state)`: what changed since the last rerun (see the module docstring)."""

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        placewire.update({{ this.state }});
        {% endmacro %}
        """
    )

    def __init__(self, state: dict):
        super().__init__()
        self.state = payload(state)


def _map() -> folium.Map:
    static = layers.static_url()
    assets.use_local_assets(static)
    tiles = basemap.tiles()
    m = folium.Map(location=[20, 0], zoom_start=2, tiles=None, control_scale=True, prefer_canvas=False)
    m.options["max_zoom"] = 18  # tiles=None leaves no maxZoom, which clustering needs
    if tiles:
        folium.TileLayer(tiles[0], attr=f"{tiles[1]} · {basemap.ATTRIBUTION}", max_zoom=18).add_to(m)
    config = {
        "base": None if tiles else assets.base_map_urls(static),
        "attribution": None if tiles else basemap.ATTRIBUTION,
        "legend": legend(),
    }
    _Init(config, static).add_to(m)
    return m


def draw(
    layer_url: str,
    *,
    reference_url: str | None,
    on_select: Callable[[str], None],
    on_step: Callable[[int, str], None],
    selected: dict | None = None,
    heat: bool = False,
    labels: bool = True,
    view: tuple[float, float, int] | None = None,
    fit: list[list[float]] | None = None,
    period: dict | None = None,
    events: bool = False,
) -> None:
    """Draw the map of the place layer at `layer_url` (see `layer`); `events`: a layer of event
    mentions, coloured by event type (its legend and "events" in the tooltips).

    `view` (lat, lon, zoom) wins over fitting `fit` bounds; either applies when the map is first
    drawn only (afterwards the reader's own view stays). `period` is the play control's range:
    {"start", "end", "unit", "at_end"}. A marker click calls `on_select(place_id)`, a play step
    `on_step(direction, unit)`, before the rerun they cause.
    """
    state = {
        "layer": layer_url,
        "reference": reference_url,
        "selected": {"id": selected["place_id"], "lat": selected["lat"], "lon": selected["lon"]} if selected else None,
        "heat": heat,
        "labels": labels,
        "view": list(view) if view else None,
        "fit": fit,
        "range": period,
        "legend": event_legend() if events else None,
        "unit": "event" if events else "mention",
    }
    update = folium.FeatureGroup(name="placewire", control=False)
    _Update(state).add_to(update)
    st_folium(
        _map(),
        key="map",
        height=HEIGHT,
        use_container_width=True,
        returned_objects=[],  # streamlit-folium reports nothing itself; the page's script does
        feature_group_to_add=update,
        on_change=lambda: _event(on_select, on_step),
    )


def _event(on_select: Callable[[str], None], on_step: Callable[[int, str], None]) -> None:
    """Runs before the rerun a map event causes. Each event carries the mount it came from and
    a counter, so a repeated click on the same marker counts and an old value never replays."""
    event = (st.session_state.get("map") or {}).get("pw")
    if not isinstance(event, dict):
        return
    key = (event.get("mount"), event.get("seq"))
    if key == st.session_state.get("_map_event"):
        return
    st.session_state["_map_event"] = key
    if event.get("type") == "select" and isinstance(event.get("pid"), str):
        on_select(event["pid"])
    elif event.get("type") == "step" and event.get("dir") in (1, -1) and event.get("unit") in playback.UNITS:
        on_step(event["dir"], event["unit"])
