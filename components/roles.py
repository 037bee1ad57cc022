"""Where things happened: the switch between event mentions and every place named, the event
type filter, event colours (the map's legend, components.map), and each mention's role with the
words that decided it.

The roles come from the store (geodata.roles decided them at ingest); nothing here reads text.
"""
from __future__ import annotations

import streamlit as st

from components.markup import esc, excerpt_html
from geodata.roles import EVENT_TYPES

EVENTS, NAMED = "events", "named"
VIEWS = {EVENTS: "Where things happened", NAMED: "Every place named"}
# One colour per event type: the markers of the event view, the panel's badges, the legend.
EVENT_COLOURS = {
    "strike/shelling": "#d62728",
    "clash": "#ff7f0e",
    "capture/advance": "#9467bd",
    "casualties": "#8c564b",
    "displacement": "#1f77b4",
    "protest": "#e377c2",
    "aid/humanitarian": "#2ca02c",
    "agreement/ceasefire": "#17becf",
}
ROLE_LABELS = {
    "event": "something happened here",
    "actor": "actor (who acts or speaks)",
    "origin/destination": "origin or destination of a movement",
    "dateline/source": "dateline or source of the report",
    "background": "named in passing",
}


def event_colour(event_type: str | None) -> str:
    return EVENT_COLOURS.get(event_type or "", "#555555")


def switch(has_events: bool) -> bool:
    """The view switch (session key "show"); True when the page shows event mentions only.

    A store with no event mention (older, or no event reported) shows every place named."""
    if not has_events:
        st.session_state["show"] = NAMED
        st.caption("No sentence in this corpus says something happened at a place yet: "
                   "every place named is shown.")
        return False
    if st.session_state.get("show") not in VIEWS:
        st.session_state["show"] = EVENTS
    st.radio(
        "Show", list(VIEWS), key="show", format_func=VIEWS.get, horizontal=True,
        help="Where things happened: only the places where a sentence says something happened "
             "there (a strike, a clash, a capture, casualties, displacement, a protest, aid, a "
             "ceasefire), not where a name is only mentioned. Every place named: every mention.",
    )
    return st.session_state["show"] == EVENTS


def type_filter() -> None:
    """Which event types to show (session key "event_types"; none chosen: all)."""
    st.multiselect("Event types", EVENT_TYPES, key="event_types", placeholder="All event types",
                   help="Keep the events of these types only")


def badge_html(row: dict) -> str:
    """The role of a mention, and its event type, as a small coloured line."""
    role = row.get("role")
    if not role:
        return ""
    if role == "event":
        c = event_colour(row.get("event_type"))
        return (f'<span class="pw-role" style="color:{c}"><span style="display:inline-block;width:8px;'
                f'height:8px;border-radius:50%;background:{c};margin-right:4px"></span>'
                f'{esc(row.get("event_type") or "event")}</span>')
    return f'<span class="pw-role" style="color:#666">{esc(ROLE_LABELS.get(role, role))}</span>'


def excerpt(row: dict, width: int = 240) -> str:
    """A mention row's sentence with the name marked and the trigger in bold."""
    trigger = None
    if row.get("trigger_offset") is not None and row.get("trigger_length"):
        trigger = (row["trigger_offset"], row["trigger_length"])
    return excerpt_html(row["sentence"], row["offset"], row["end"] - row["start"], row["place_kind"],
                        width, trigger=trigger)
