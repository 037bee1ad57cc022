"""The sidebar timeline: mentions per day (per week for long spans), the date range, the articles.

The chart shows the current filter over the whole span, so the chosen range is seen in context;
when a place is selected its share of each bar is coloured. Articles of unknown date have no
bar: they are counted and listed apart, never dropped silently.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Callable

import altair as alt
import pandas as pd
import streamlit as st

from components.markup import md_escape

WEEKLY_AFTER_DAYS = 120  # longer spans are drawn per week: daily bars would be slivers
LIST_PAGE = 20


def _period(day: str, weekly: bool) -> str:
    d = date.fromisoformat(day)
    return (d - timedelta(days=d.weekday())).isoformat() if weekly else day


def chart(days: list[dict], place_days: list[dict], place_name: str | None,
          selected: tuple[date, date] | None, unit: str = "mentions") -> None:
    """Bars of mentions (or, `unit` "events", event mentions) per day or week; the selected
    place's share coloured; the range shaded."""
    if not days:
        st.caption(f"No dated {unit} in this filter.")
        return
    span = (date.fromisoformat(days[-1]["day"]) - date.fromisoformat(days[0]["day"])).days
    weekly = span > WEEKLY_AFTER_DAYS
    totals: dict[str, int] = {}
    for row in days:
        key = _period(row["day"], weekly)
        totals[key] = totals.get(key, 0) + row["mentions"]
    chosen: dict[str, int] = {}
    for row in place_days:
        key = _period(row["day"], weekly)
        chosen[key] = chosen.get(key, 0) + row["mentions"]
    other = "other places" if place_name else "all places"
    records = [{"period": k, "group": other, "mentions": v - chosen.get(k, 0)} for k, v in totals.items()]
    if place_name:
        records += [{"period": k, "group": place_name, "mentions": v} for k, v in chosen.items()]
    frame = pd.DataFrame(records)
    frame["period"] = pd.to_datetime(frame["period"])
    groups = [place_name, other] if place_name else [other]
    bars = alt.Chart(frame).mark_bar().encode(
        x=alt.X("period:T", title=None,
                axis=alt.Axis(format="%b %d", tickCount="week" if weekly else "day", labelOverlap=True)),
        y=alt.Y("sum(mentions):Q", title=f"{unit}/week" if weekly else f"{unit}/day"),
        color=alt.Color("group:N", scale=alt.Scale(domain=groups, range=["#d62728", "#9aa5b1"][-len(groups):]),
                        legend=alt.Legend(orient="bottom", title=None)),
        tooltip=[alt.Tooltip("period:T", title="week of" if weekly else "day"), "group:N",
                 alt.Tooltip("mentions:Q", title=unit)],
    )
    layers = [bars]
    if selected:
        shade = pd.DataFrame([{"start": pd.Timestamp(selected[0]), "end": pd.Timestamp(selected[1])}])
        layers.insert(0, alt.Chart(shade).mark_rect(opacity=0.12, color="#1f77b4").encode(x="start:T", x2="end:T"))
    st.altair_chart(alt.layer(*layers).properties(height=170), width="stretch")


def date_range(first: date, last: date) -> tuple[date, date]:
    """The date range control (session key "dates"); returns the chosen (start, end).

    When the store's span changes (articles added or deleted), a range that covered the whole
    span grows with it, and any range is kept inside the new span.
    """
    state = st.session_state
    old, dates = state.get("_span"), tuple(state.get("dates") or (first, last))
    if old and old != (first, last) and dates == old:
        dates = (first, last)
    start, end = (min(max(d, first), last) for d in (dates[0], dates[-1]))
    state["dates"], state["_span"] = (start, end), (first, last)
    chosen = st.date_input(
        "Dates", key="dates", min_value=first, max_value=last, format="YYYY-MM-DD",
        help="Narrows the map, the panel and the article list. Articles of unknown date are listed apart.",
    )
    if isinstance(chosen, date):
        return chosen, chosen
    if len(chosen) == 1:  # the user is between the two clicks of a range
        return chosen[0], chosen[0]
    return chosen[0], chosen[1]


def _article_buttons(items: list[dict], on_open: Callable[[str], None], prefix: str) -> None:
    for a in items:
        meta = " · ".join(x for x in (a["published"] or "date unknown", a["source"]) if x)
        st.button(
            f"{md_escape(a['title'])}  \n{md_escape(meta)} · {a['mentions']} mention{'s' * (a['mentions'] != 1)}",
            key=f"{prefix}_{a['id']}", on_click=on_open, args=(a["id"],), type="tertiary",
        )


def article_list(items: list[dict], shown: int, on_open: Callable[[str], None],
                 on_more: Callable[[], None]) -> None:
    """The articles in the range (each opens the reader), and those of unknown date apart."""
    dated = [a for a in items if a["published"]]
    undated = [a for a in items if not a["published"]]
    st.markdown(f"**Articles in range: {len(dated)}**")
    _article_buttons(dated[:shown], on_open, "open")
    if len(dated) > shown:
        st.button(f"Show more ({len(dated) - shown} left)", key="articles_more", on_click=on_more)
    with st.expander(f"Unknown date: {len(undated)} article{'s' * (len(undated) != 1)}", key="undated_expander"):
        if undated:
            st.caption("No publication date was found for these; they are not on the chart.")
        _article_buttons(undated[:shown], on_open, "undated")
