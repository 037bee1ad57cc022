"""The map: one marker per place, sized by mentions, coloured by kind, precision visible.

Places are drawn as ONE GeoJson layer whose features carry their own style, tooltip and popup
(streamlit-folium pays per folium object: 2,000 CircleMarkers cost seconds, one layer a fraction).
Every string put on the map is escaped first: popups and tooltips are HTML.
Only clicks rerun the script (`returned_objects`); the click counter makes a second click on the
same marker count too (streamlit-folium issue 316). The selected place's ring goes through
`feature_group_to_add`, so selecting does not remount the map and the user's view is kept.
"""
from __future__ import annotations

import html
import json
import math
import re
from typing import Callable

import folium
import streamlit as st
from branca.element import MacroElement
from folium.plugins import HeatMap
from jinja2 import Template
from streamlit_folium import st_folium

from components import assets, basemap
from components.markup import KIND_LABELS, colour, esc, excerpt_html

HEIGHT = 560
_TEMPLATE_OPENER = re.compile(r"\{(?=[{%#])")
_SEA = "<style>.leaflet-container { background: #d6e6f0; }</style>"
# Fill and dash per precision: exact towns solid; areas (their centre point) paler and dashed.
_PRECISION_STYLE = {
    "exact": (0.75, None),
    "district": (0.35, "5 3"),
    "province": (0.15, "6 4"),
    "region": (0.08, "2 4"),
    "country": (0.05, "2 4"),
    "continent": (0.05, "2 4"),
}
_ON_EACH_FEATURE = folium.JsCode(
    """
    function (feature, layer) {
        // tip and popup are HTML built server-side from escaped text; the popup's tip sits on
        // the marker's top edge so the marker stays clickable while its popup is open
        layer.setStyle(feature.properties.style);
        layer.bindTooltip(feature.properties.tip, {sticky: true});
        layer.bindPopup(feature.properties.popup,
                        {maxWidth: 340, offset: L.point(0, 7 - feature.properties.style.radius)});
    }
    """
)


def radius(count: int, most: int) -> float:
    """Marker radius in pixels: area grows with the count, 5 px to 25 px."""
    return round(5 + 20 * math.sqrt(count / most), 1) if most else 5.0


def _popup(place: dict, excerpts: list[dict]) -> str:
    parts = [
        f"<b>{esc(place['name'])}</b> <small>({esc(KIND_LABELS.get(place['kind'], place['kind']))}, "
        f"{esc(place['precision'])})</small><br>"
        f"{place['mentions']} mention{'s' * (place['mentions'] != 1)} in {place['articles']} "
        f"article{'s' * (place['articles'] != 1)}"
    ]
    for row in excerpts:
        text = excerpt_html(row["sentence"], row["offset"], row["end"] - row["start"], row["place_kind"], 200)
        parts.append(
            f'<p style="margin:6px 0 0">“{text}”<br><small><i>{esc(row["title"])}</i>, '
            f"{esc(row['published'] or 'date unknown')}</small></p>"
        )
    return "".join(parts)


def features(places: list[dict], excerpts: dict[str, list[dict]]) -> dict:
    """The places as a GeoJSON FeatureCollection with per-feature style, tooltip and popup.

    Bigger markers come first so smaller ones are drawn on top and stay clickable.
    """
    most = max((p["mentions"] for p in places), default=0)
    out = []
    for p in sorted(places, key=lambda p: (-p["mentions"], p["place_id"])):
        fill, dash = _PRECISION_STYLE.get(p["precision"], (0.75, None))
        style = {
            "radius": radius(p["mentions"], most),
            "color": colour(p["kind"]),
            "weight": 2,
            "fill": True,
            "fillColor": colour(p["kind"]),
            "fillOpacity": fill,
        }
        if dash:
            style["dashArray"] = dash
        out.append({
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [p["lon"], p["lat"]]},
            "properties": {
                "pid": esc(p["place_id"]),  # read back from the click; unescaped there
                "style": style,
                "tip": f"{esc(p['name'])} · {p['mentions']}",
                "popup": _popup(p, excerpts.get(p["place_id"], [])),
            },
        })
    return {"type": "FeatureCollection", "features": out}


def payload(collection: dict) -> str:
    """The collection as JSON text that is safe inside a script and inside a Jinja template.

    No "<" at all (no "</script>"), ASCII only, and no "{{", "{%" or "{#": branca compiles
    rendered scripts as Jinja templates, so article text like "{{ ... }}" would be evaluated.
    In compact JSON such a brace can only sit inside a string, where \\u007b means the same.
    Serialised once per filter (the caller caches it): folium would otherwise re-encode
    megabytes of popups on each of the several renders streamlit-folium does per rerun.
    """
    text = json.dumps(collection, ensure_ascii=True, separators=(",", ":")).replace("<", "\\u003c")
    return _TEMPLATE_OPENER.sub(r"\\u007b", text)


class _LayerData(MacroElement):
    """Adds pre-serialised GeoJSON (see `payload`) to a GeoJson layer in the browser.

    streamlit-folium takes each element's script from its template directly; `render` adds
    nothing to the folium figure, which would compile the megabytes of data as a Jinja
    template on every rerun (a third of a second for 2,000 places).
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this.layer.get_name() }}.addData({{ this.payload }});
        {% endmacro %}
        """
    )

    def __init__(self, layer: folium.GeoJson, data: str):
        super().__init__()
        self.layer, self.payload = layer, data

    def render(self, **kwargs) -> None:
        return None


def add_places(m: folium.Map, data: str) -> None:
    """The places layer: one GeoJson layer filled in the browser from `data` (see `payload`)."""
    layer = folium.GeoJson(
        {"type": "FeatureCollection", "features": []},
        name="places",
        marker=folium.CircleMarker(),
        on_each_feature=_ON_EACH_FEATURE,
        control=False,
    ).add_to(m)
    _LayerData(layer, data).add_to(m)


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


def _base(view: tuple[float, float, int] | None, fit: list[list[float]] | None) -> folium.Map:
    prefix = st.get_option("server.baseUrlPath").strip("/")
    assets.use_local_assets(f"{'/' + prefix if prefix else ''}/app/static/vendor")
    tiles = basemap.tiles()
    m = folium.Map(
        location=[view[0], view[1]] if view else [20, 0],
        zoom_start=view[2] if view else 2,
        tiles=None,
        control_scale=True,
        prefer_canvas=False,
    )
    m.options["max_zoom"] = 18  # tiles=None leaves no maxZoom, which some plugins need
    m.get_root().header.add_child(folium.Element(_SEA))
    if tiles:
        folium.TileLayer(tiles[0], attr=f"{tiles[1]} · {basemap.ATTRIBUTION}", max_zoom=18).add_to(m)
    folium.GeoJson(
        basemap.country_outlines(),
        name="countries",
        interactive=False,
        attribution=None if tiles else basemap.ATTRIBUTION,
        control=False,
    ).add_to(m)
    if view is None and fit is not None:
        m.fit_bounds(fit, padding=(40, 40), max_zoom=8)
    return m


def draw(
    data: str,
    *,
    on_click: Callable[[str], None],
    heat: list[list[float]] | None = None,
    view: tuple[float, float, int] | None = None,
    selected: dict | None = None,
    fit: list[list[float]] | None = None,
) -> None:
    """Draw the map of `data` (see `payload`); a marker click calls `on_click(place_id)` first.

    `view` (lat, lon, zoom) wins over fitting `fit` bounds. `heat` is [[lat, lon, weight]].
    """
    m = _base(view, fit)
    add_places(m, data)
    if heat:
        HeatMap(heat, name="heat", min_opacity=0.3, radius=22, blur=18, control=False).add_to(m)
    ring = folium.FeatureGroup(name="selected", control=False)
    if selected:
        folium.CircleMarker(
            [selected["lat"], selected["lon"]], radius=30, color="#111111", weight=3,
            fill=False, interactive=False,
        ).add_to(ring)
    out = st_folium(
        m,
        key="map",
        height=HEIGHT,
        use_container_width=True,
        returned_objects=["last_active_drawing", "last_object_clicked_count"],
        feature_group_to_add=ring,
        on_change=lambda: _clicked(on_click),
    )
    if not (out or {}).get("last_object_clicked_count"):
        # a freshly mounted map (new content) counts clicks from zero again
        st.session_state["_map_clicks"] = 0


def _clicked(on_click: Callable[[str], None]) -> None:
    """Runs before the rerun a map event causes: a moved click counter is a marker click.

    The counter moves on every click, so a second click on the same marker counts too.
    """
    out = st.session_state.get("map") or {}
    count = out.get("last_object_clicked_count") or 0
    seen = st.session_state.get("_map_clicks") or 0
    st.session_state["_map_clicks"] = count
    if count == seen:
        return
    feature = out.get("last_active_drawing") or {}
    pid = (feature.get("properties") or {}).get("pid")
    if isinstance(pid, str):
        on_click(html.unescape(pid))
