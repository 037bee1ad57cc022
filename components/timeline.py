"""The sidebar timeline: mentions per day, week, month or year, and the date range to steer by.

The chart shows the current filter over the whole span, so the chosen range is seen in context;
when a place is selected its share of each bar is coloured. Dragging across the chart sets the
date range (an Altair interval selection), the date box follows, a date typed in the box moves
the selection, and "Whole span" resets both. Bars are as wide as the span allows at the
sidebar's width (days, then weeks, months, years), and the axis names the year wherever it
starts and at its first tick. Articles of unknown date have no bar: they are counted and listed
apart, never dropped silently.

Dates on the chart are UTC days (a `utc` scale and date-only strings), so a browser in any time
zone sends back the days it shows.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Callable

import altair as alt
import streamlit as st

from components.markup import md_escape

LIST_PAGE = 20
MAX_BARS = 80  # more bars than this are slivers at the sidebar's width
UNITS = ("day", "week", "month", "year")
_UNIT_WORDS = {"day": "per day", "week": "per week", "month": "per month", "year": "per year"}
_SELECTION = "range"  # the chart's interval selection, as the event names it
# Axis labels: "12 Jan" for a day, "Mar" for a month's first day, "2020" for a year's; the year
# again under the first tick and under a day tick in January's first week (a year crossed).
_LABEL = (
    "[utcdate(datum.value) == 1 ? (utcmonth(datum.value) == 0 ? utcFormat(datum.value, '%Y')"
    " : utcFormat(datum.value, '%b')) : utcFormat(datum.value, '%d %b'),"
    " ((datum.index == 0 && !(utcdate(datum.value) == 1 && utcmonth(datum.value) == 0))"
    " || (utcmonth(datum.value) == 0 && utcdate(datum.value) > 1 && utcdate(datum.value) <= 7))"
    " ? utcFormat(datum.value, '%Y') : '']"
)


def unit_for(first: date, last: date) -> str:
    """The finest bar (day, week, month, year) that draws the span in at most MAX_BARS bars."""
    for unit in UNITS:
        if len(_periods(first, last, unit)) <= MAX_BARS:
            return unit
    return "year"


def period_start(d: date, unit: str) -> date:
    if unit == "week":
        return d - timedelta(days=d.weekday())  # weeks start on Monday
    if unit == "month":
        return d.replace(day=1)
    if unit == "year":
        return d.replace(month=1, day=1)
    return d


def _next(d: date, unit: str) -> date:
    """The first day of the period after the one starting on `d`."""
    if unit == "week":
        return d + timedelta(days=7)
    if unit == "month":
        return (d.replace(day=28) + timedelta(days=4)).replace(day=1)
    if unit == "year":
        return d.replace(year=d.year + 1)
    return d + timedelta(days=1)


def _periods(first: date, last: date, unit: str) -> list[date]:
    out, d = [], period_start(first, unit)
    while d <= last:
        out.append(d)
        d = _next(d, unit)
    return out


def bars(days: list[dict], place_days: list[dict], place_name: str | None, unit: str) -> list[dict]:
    """One record per period and group: start and (exclusive) end day, a label, the mentions.

    With a place selected the groups are its mentions and the other places'; else all places.
    """
    totals: dict[date, int] = {}
    for row in days:
        key = period_start(date.fromisoformat(row["day"]), unit)
        totals[key] = totals.get(key, 0) + row["mentions"]
    chosen: dict[date, int] = {}
    for row in place_days:
        key = period_start(date.fromisoformat(row["day"]), unit)
        chosen[key] = chosen.get(key, 0) + row["mentions"]
    other = "other places" if place_name else "all places"
    out = []
    for start, total in sorted(totals.items()):
        parts = [(place_name, chosen.get(start, 0)), (other, total - chosen.get(start, 0))] if place_name \
            else [(other, total)]
        for group, n in parts:
            if n:
                out.append({"start": start.isoformat(), "end": _next(start, unit).isoformat(),
                            "label": _period_label(start, unit), "group": group, "mentions": n})
    return out


def _period_label(start: date, unit: str) -> str:
    if unit == "week":
        return f"week of {start.day} {start:%b %Y}"
    if unit == "month":
        return f"{start:%B %Y}"
    if unit == "year":
        return str(start.year)
    return f"{start.day} {start:%b %Y}"


def ticks(first: date, last: date, unit: str) -> dict:
    """About five ticks on whole days, months or years, never finer than a day (a span of one
    day would otherwise get hourly ticks, each labelled with the same date)."""
    days = (last - first).days + 1
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if unit == "day" and days <= 10:
        return {"interval": "day", "step": max(1, -(-days // 5))}
    if unit == "day":
        return {"interval": "week", "step": max(1, -(-days // 35))}
    if unit in ("week", "month"):
        step = next((s for s in (1, 2, 3, 6, 12) if months / s <= 6), 12)
        return {"interval": "month", "step": step} if step < 12 else {"interval": "year", "step": 1}
    years = last.year - first.year + 1
    return {"interval": "year", "step": next((s for s in (1, 2, 5, 10, 20, 25, 50) if years / s <= 6), 100)}


def _utc(d: date) -> alt.DateTime:
    return alt.DateTime(year=d.year, month=d.month, date=d.day, utc=True)


def spec(records: list[dict], place_name: str | None, unit: str, span: tuple[date, date],
         chosen: tuple[date, date] | None, measure: str = "mentions") -> alt.Chart:
    """The chart: stacked bars of `measure` ("mentions", or "events" where the page shows where
    things happened), an interval selection over x (on the chosen range, if any)."""
    value = {"x": [_utc(chosen[0]), _utc(chosen[1] + timedelta(days=1))]} if chosen and chosen != span \
        else alt.Undefined
    brush = alt.selection_interval(name=_SELECTION, encodings=["x"], value=value,
                                   mark=alt.BrushConfig(fill="#1f77b4", fillOpacity=0.12, stroke="#1f77b4"))
    other = "other places" if place_name else "all places"
    groups = [place_name, other] if place_name else [other]
    domain = [_utc(span[0]), _utc(_next(period_start(span[1], unit), unit))]
    return alt.Chart(alt.Data(values=records)).mark_bar(stroke="white", strokeWidth=0.3).encode(
        x=alt.X("start:T", title=None, scale=alt.Scale(type="utc", domain=domain),
                axis=alt.Axis(labelExpr=_LABEL, tickCount=ticks(*span, unit), labelOverlap=True, labelFontSize=11,
                              grid=False, labelPadding=2)),
        x2="end:T",
        y=alt.Y("sum(mentions):Q", title=f"{measure} {_UNIT_WORDS[unit]}", axis=alt.Axis(tickCount=3, titleFontSize=11)),
        color=alt.Color("group:N", scale=alt.Scale(domain=groups, range=["#d62728", "#9aa5b1"][-len(groups):]),
                        legend=None),  # the caption says what red is: a legend would squeeze the bars
        opacity=alt.condition(brush, alt.value(1.0), alt.value(0.35)) if value is not alt.Undefined
        else alt.value(1.0),
        tooltip=[alt.Tooltip("label:N", title="when"), alt.Tooltip("group:N", title="places"),
                 alt.Tooltip("mentions:Q", title=measure)],
    ).add_params(brush).properties(height=120)


def _day(value) -> date:
    """A selection bound from the browser (epoch milliseconds, or an ISO string) as a UTC day."""
    if isinstance(value, (int, float)):
        return datetime.fromtimestamp(value / 1000, tz=timezone.utc).date()
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).date()


def dragged(span: tuple[date, date], selection: dict | None) -> tuple[date, date]:
    """The date range a drag on the chart selects: its first and last day, inside the span.
    An empty selection (a double-click on the chart clears it) is the whole span."""
    bounds = next(iter((selection or {}).values()), None)
    if not bounds or len(bounds) != 2:
        return span
    start = _day(min(bounds))
    end = _day(max(bounds) - 1) if isinstance(max(bounds), (int, float)) else _day(max(bounds))
    start, end = max(start, span[0]), min(max(end, start), span[1])
    return (start, end) if start <= span[1] and end >= span[0] else span


def _chart_key() -> str:
    return f"timeline_chart_{st.session_state.get('_timeline_round', 0)}"


def moved_elsewhere() -> None:
    """The range was set elsewhere (the date box, the reset, the map's play control): a fresh
    chart takes it as its selection, not the one the user last dragged."""
    st.session_state["_timeline_round"] = st.session_state.get("_timeline_round", 0) + 1


def _on_drag(span: tuple[date, date], key: str) -> None:
    """A drag on the chart `key`. A chart the range has since moved away from (the play control
    steps while the browser still shows the last chart) may still report its selection, or none:
    only the current chart's says what the user chose."""
    if key != _chart_key():
        return
    event = st.session_state.get(key) or {}
    selection = (event.get("selection") or {}).get(_SELECTION)
    st.session_state["dates"] = dragged(span, selection)


def _reset(span: tuple[date, date]) -> None:
    st.session_state["dates"] = span
    moved_elsewhere()


def date_range(first: date, last: date) -> tuple[date, date]:
    """The date box (session key "dates") and its reset; returns the chosen (start, end).

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
        "Dates", key="dates", min_value=first, max_value=last, format="YYYY-MM-DD", on_change=moved_elsewhere,
        help="Narrows the map, the panel and the article list; or drag across the chart below. "
             "Articles of unknown date are listed apart.",
    )
    if isinstance(chosen, date):
        return chosen, chosen
    if len(chosen) == 1:  # the user is between the two clicks of a range
        return chosen[0], chosen[0]
    return chosen[0], chosen[1]


def chart(days: list[dict], place_days: list[dict], place_name: str | None,
          span: tuple[date, date], chosen: tuple[date, date] | None, measure: str = "mentions") -> None:
    """Bars of `measure` (mentions, or events) per period over the whole span; drag across them
    to choose the dates."""
    if not days:
        st.caption(f"No dated {measure} in this filter.")
        return
    unit = unit_for(*span)
    key = _chart_key()
    st.altair_chart(spec(bars(days, place_days, place_name, unit), place_name, unit, span, chosen, measure),
                    width="stretch", key=key, on_select=lambda: _on_drag(span, key),
                    selection_mode=_SELECTION)
    share = f" (red: {place_name})" if place_name else ""
    st.caption(md_escape(f"{measure.capitalize()} {_UNIT_WORDS[unit]}{share}.") + " Drag across the bars to choose dates.")
    st.button("Whole span", key="dates_reset", icon=":material/restart_alt:", type="tertiary",
              on_click=_reset, args=(span,), disabled=chosen is None or chosen == span,
              help="Show every date again (a double-click on the chart clears a dragged range too)")


def _article_buttons(items: list[dict], on_open: Callable[[str], None], prefix: str) -> None:
    for a in items:
        meta = " · ".join(x for x in (a["published"] or "date unknown", a["source"]) if x)
        st.button(
            f"{md_escape(a['title'])}  \n{md_escape(meta)} · {a['mentions']} mention{'s' * (a['mentions'] != 1)}",
            key=f"{prefix}_{a['id']}", on_click=on_open, args=(a["id"],), type="tertiary",
        )


def article_list(items: list[dict], counts: dict[str, int], shown: int, on_open: Callable[[str], None],
                 on_more: Callable[[], None]) -> None:
    """The articles in the range (each opens the reader), and those of unknown date apart.

    `items` are the first `shown` of each (the store reads no more); `counts` how many there are.
    """
    dated = [a for a in items if a["published"]]
    undated = [a for a in items if not a["published"]]
    st.markdown(f"**Articles in range: {counts['dated']}**")
    _article_buttons(dated[:shown], on_open, "open")
    if counts["dated"] > shown:
        st.button(f"Show more ({counts['dated'] - shown} left)", key="articles_more", on_click=on_more)
    n = counts["undated"]
    with st.expander(f"Unknown date: {n} article{'s' * (n != 1)}", key="undated_expander"):
        if undated:
            st.caption("No publication date was found for these; they are not on the chart.")
        _article_buttons(undated[:shown], on_open, "undated")
