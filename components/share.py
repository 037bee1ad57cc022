"""The page's state in its URL: opening a copied link restores the same view.

`restore` runs once per session: it reads the query parameters (untrusted, so each is checked)
into the widgets' session keys. `publish` runs at the end of every run and writes those keys
back to the URL. The map's view is not sent to the server while the user pans (that would rerun
the page); the "Copy link" control reads it from the map in the browser and adds it to the link.

URL keys: place, article, from, to, source (repeated), kind (repeated), q, countries, demonyms,
heat, labels (0 when off), copies, show ("named": every place named, not only where things
happened), etype (repeated event types), lat, lon, zoom.
"""
from __future__ import annotations

from datetime import date

import streamlit as st
import streamlit.components.v2 as components_v2

from geodata.model import KINDS
from geodata.roles import EVENT_TYPES

_FLAGS = ("countries", "demonyms", "heat", "copies")

_COPY_JS = """
export default function ({ parentElement }) {
    parentElement.querySelectorAll(".pw-share").forEach((old) => old.remove());
    const box = document.createElement("div");
    box.className = "pw-share";
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = "Copy link";
    button.title = "Copy a link to this view: place, article, dates, filters and map position";
    const field = document.createElement("input");
    field.readOnly = true;
    field.hidden = true;
    field.setAttribute("aria-label", "Link to this view");
    function link() {
        const url = new URL(window.location.href);
        const frame = document.querySelector('iframe[title="streamlit_folium.st_folium"]');
        try {
            const map = frame && frame.contentWindow && frame.contentWindow.map;
            if (map) {
                const c = map.getCenter();
                url.searchParams.set("lat", c.lat.toFixed(4));
                url.searchParams.set("lon", c.lng.toFixed(4));
                url.searchParams.set("zoom", String(map.getZoom()));
            }
        } catch (e) { /* map not drawn yet: the link still carries the rest of the state */ }
        return url.toString();
    }
    button.addEventListener("click", async () => {
        field.value = link();
        field.hidden = false;
        field.select();
        try {
            await navigator.clipboard.writeText(field.value);
            button.textContent = "Link copied";
        } catch (e) {
            button.textContent = "Copy the selected link";
        }
    });
    box.append(button, field);
    parentElement.appendChild(box);
    return () => box.remove();
}
"""
_COPY_CSS = """
.pw-share { display: flex; gap: 8px; align-items: center; }
.pw-share button { border: 1px solid #bbb; border-radius: 6px; background: white; padding: 4px 12px;
                   cursor: pointer; font: inherit; white-space: nowrap; }
.pw-share input { flex: 1; font: inherit; font-size: 0.85rem; padding: 3px 6px; min-width: 0; }
"""
_COPY = components_v2.component("placewire.copy_link", js=_COPY_JS, css=_COPY_CSS)


def _date(value: str | None, first: date, last: date) -> date | None:
    try:
        d = date.fromisoformat(value or "")
    except ValueError:
        return None
    return min(max(d, first), last)


def _float(value: str | None, low: float, high: float) -> float | None:
    try:
        x = float(value or "")
    except ValueError:
        return None
    return x if low <= x <= high else None


def restore(span: tuple[date, date] | None, all_sources: list[str]) -> None:
    """Once per session: put the URL's state (or the defaults) into the session keys."""
    if st.session_state.get("_restored"):
        return
    qp = st.query_params
    state = st.session_state
    state["place"] = qp.get("place") or None
    state["article"] = qp.get("article") or None
    if span:
        first, last = span
        start = _date(qp.get("from"), first, last) or first
        end = _date(qp.get("to"), first, last) or last
        state["dates"] = (start, end) if start <= end else (first, last)
    state["sources"] = [s for s in qp.get_all("source") if s in all_sources]
    state["kinds"] = [k for k in qp.get_all("kind") if k in KINDS]
    state["words"] = (qp.get("q") or "")[:200]
    for flag in _FLAGS:
        state[flag] = qp.get(flag) == "1"
    state["labels"] = qp.get("labels") != "0"  # on unless the link turned them off
    state["show"] = "named" if qp.get("show") == "named" else None  # None: the page's default
    state["event_types"] = [t for t in qp.get_all("etype") if t in EVENT_TYPES]
    lat, lon = _float(qp.get("lat"), -90, 90), _float(qp.get("lon"), -540, 540)
    zoom = _float(qp.get("zoom"), 0, 18)
    state["view"] = (lat, lon, int(zoom)) if None not in (lat, lon, zoom) else None
    state["_restored"] = True


def view_for(flt) -> tuple[float, float, int] | None:
    """The restored map view while the filter is the one it was shared with, else None (fit)."""
    state = st.session_state
    if state.get("view") is None:
        return None
    if "_view_filter" not in state:
        state["_view_filter"] = flt
    if state["_view_filter"] != flt:
        state["view"] = None
    return state["view"]


def publish(span: tuple[date, date] | None) -> None:
    """Write the current session state into the URL (defaults are left out to keep it short)."""
    state = st.session_state
    params: dict[str, str | list[str]] = {}
    for key in ("place", "article"):
        if state.get(key):
            params[key] = state[key]
    dates = state.get("dates")
    if span and dates and len(dates) == 2 and tuple(dates) != tuple(span):
        params["from"], params["to"] = dates[0].isoformat(), dates[1].isoformat()
    if state.get("sources"):
        params["source"] = list(state["sources"])
    if state.get("kinds"):
        params["kind"] = list(state["kinds"])
    if state.get("words"):
        params["q"] = state["words"]
    for flag in _FLAGS:
        if state.get(flag):
            params[flag] = "1"
    if not state.get("labels", True):
        params["labels"] = "0"
    if state.get("show") == "named" and state.get("_has_events"):
        params["show"] = "named"
    if state.get("event_types") and state.get("show") == "events":
        params["etype"] = list(state["event_types"])
    if state.get("view"):
        params["lat"], params["lon"], params["zoom"] = (str(v) for v in state["view"])
    if params != st.query_params.to_dict() or any(isinstance(v, list) for v in params.values()):
        st.query_params.from_dict(params)


def copy_link(key: str = "copy_link") -> None:
    """The "Copy link" control: the URL of this view, map position included (one per `key`:
    the page has one, and the reader's drawer one, since the page under the drawer is inert)."""
    _COPY(key=key, height="content")
