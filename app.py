"""Placewire: where the reporting is. A map of the places named in a corpus of news articles.

Reads the store that geodata writes (never parses text itself); on first start with an empty
store it ingests seeds/ through geodata. Top to bottom as the page looks: the sidebar (counts,
filters, timeline, add articles, export, corrections, admin), then the map with the panel beside
it, and the reader in a drawer over the right when an article is open.
Run: `streamlit run app.py` (PLACEWIRE_DATA moves the data directory; PLACEWIRE_STORE puts the
store elsewhere: another SQLite file, or a PostgreSQL database by its postgresql:// URL).
"""
from __future__ import annotations

import subprocess
from dataclasses import replace
from datetime import date

import streamlit as st

from components import (access, copies, correct, counts, export, filters, loaders, panel, playback, reader,
                        roles, share, sources, timeline, upload)
from components import map as placemap
from components.assets import install as install_assets
from components.assets import missing as missing_assets
from components.ingest import ingest_paths
from components.markup import md_escape
from geodata import paths
from geodata.queries import Filter
from geodata.store import Store

st.set_page_config(page_title="Placewire", page_icon="🗺️", layout="wide")
STORE = paths.store_location()
SEEDS = paths.PROJECT_DIR / "seeds"


def ensure_corpus() -> None:
    """An empty store is filled from seeds/ once, so the page opens on the seed corpus."""
    loaders.prepare(STORE)
    if loaders.totals(STORE, loaders.version(STORE))["articles"]:
        return
    with st.spinner("First start: reading the seed articles and resolving their places "
                    "(the gazetteer index is built once, in under a minute)…"):
        report = ingest_paths(STORE, [SEEDS])
    if report.problems:
        st.warning(md_escape(f"Seeds: {report.summary()}"))


def select_place(place_id: str) -> None:
    st.session_state["place"] = place_id
    st.session_state["panel_limit"] = panel.PAGE


def open_article(article_id: str) -> None:
    st.session_state["article"] = article_id


def step_range(direction: int, unit: str, span: tuple[date, date]) -> None:
    """The map's play control: the date range a week or a month on (or back)."""
    current = tuple(st.session_state.get("dates") or span)
    st.session_state["dates"] = playback.step(current if len(current) == 2 else span, span, unit, direction)
    st.session_state["play_unit"] = unit
    timeline.moved_elsewhere()


def more(key: str, step: int) -> None:
    st.session_state[key] = st.session_state.get(key, step) + step


ensure_corpus()
ver = loaders.version(STORE)
totals = loaders.totals(STORE, ver)
first, last = loaders.date_span(STORE, ver)
span = (date.fromisoformat(first), date.fromisoformat(last)) if first else None
all_sources = loaders.sources(STORE, ver)
share.restore(span, all_sources)
state = st.session_state
editable = access.can_edit()

# ---- sidebar: filters, timeline, add, export, corrections, admin -----------------------------
with st.sidebar:
    st.title("Placewire")
    counts.header(totals)
    followed, last_update = loaders.followed(STORE, ver)
    if followed:
        st.caption(sources.caption(followed, last_update))
    state["_has_events"] = totals["events"] > 0
    events_view = roles.switch(state["_has_events"])
    if events_view:
        roles.type_filter()
    unit = "events" if events_view else "mentions"
    filters.place_search(lambda q: loaders.search(STORE, ver, q), select_place)
    filters.narrowing(all_sources)
    filters.layers()
    flt = Filter(
        sources=tuple(state["sources"]), kinds=tuple(state["kinds"]), words=state["words"].strip(),
        include_demonyms=state["demonyms"], include_countries=state["countries"],
        every_copy=state["copies"],
        roles=("event",) if events_view else (),
        event_types=tuple(state["event_types"]) if events_view else (),
    )
    st.subheader("Timeline")
    chosen = timeline.date_range(*span) if span else None
    if chosen and chosen != span:
        flt = replace(flt, start=chosen[0].isoformat(), end=chosen[1].isoformat())
    place = loaders.place(STORE, ver, state["place"]) if state["place"] else None
    everywhen = replace(flt, start=None, end=None)
    if span:
        timeline.chart(
            loaders.daily(STORE, ver, everywhen),
            loaders.daily(STORE, ver, replace(everywhen, place_id=place["place_id"])) if place else [],
            place["name"] if place else None,
            span, chosen, unit,
        )
    in_filter = loaders.mention_count(STORE, ver, flt)
    counts.filter_line(loaders.breakdown(STORE, ver, flt), totals["mentions"])
    if place:
        of_place = loaders.mention_count(STORE, ver, replace(flt, place_id=place["place_id"]))
        share_pct = f"{100 * of_place / in_filter:.0f}%" if in_filter else "0%"
        st.caption(md_escape(f"{place['name']}: {of_place} of {in_filter} {unit} shown ({share_pct})"))
    shown = state.get("articles_shown", timeline.LIST_PAGE)
    timeline.article_list(
        loaders.articles(STORE, ver, flt, shown), loaders.article_counts(STORE, ver, flt), shown,
        open_article, lambda: more("articles_shown", timeline.LIST_PAGE),
    )
    with st.expander("Add articles", key="add_expander"):
        upload.show(STORE, editable=editable, on_added=st.cache_data.clear)
    with st.expander("Export this filter", key="export_expander"):
        export.show(STORE, flt, in_filter, totals["mentions"])
    fixes = loaders.correction_log(STORE, ver)
    with st.expander(f"Corrections ({len(fixes)})", key="corrections_expander"):
        correct.log(fixes, STORE, editable=editable, who=access.who(), on_undone=st.cache_data.clear)
    with st.expander("Followed sources", key="sources_expander"):
        sources.show(STORE, followed, editable=editable, on_changed=st.cache_data.clear)
    access.unlock()
state["filter"] = flt  # what the page shows, for the export and for tests
view = share.view_for(flt)  # a shared map view holds while the filter is the shared one
share.publish(span)  # the URL follows the state now, before the slower map is drawn

# ---- main: map and panel --------------------------------------------------------------------
top = st.columns([4, 2], vertical_alignment="bottom")
top[0].caption(
    "Circles: places where, say the filtered articles, something happened (a strike, a clash, a "
    "capture…), sized by event mentions, coloured by the commonest kind of event. "
    "Numbered discs: nearby places together (click to zoom in). Click a circle to read the sentences "
    "that say so; ▶ Play steps the dates week by week." if events_view else
    "Circles: places named in the filtered articles, sized by mentions, coloured by their latest one. "
    "Numbered discs: nearby places together (click to zoom in). Click a circle to read its sentences; "
    "▶ Play steps the dates week by week."
)
with top[1]:
    share.copy_link()
if missing_assets():
    # a host that runs no setup script (Streamlit Community Cloud): install them now, once
    try:
        with st.spinner("Installing the map's JavaScript from the npm registry (once)…"):
            install_assets()
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        st.error(f"The map's JavaScript is not installed, so the map cannot draw ({exc}). "
                 "Run `python -m components.assets` (or ./run.sh), then reload.")
left, right = st.columns([5, 3])
with left:
    placemap.draw(
        loaders.place_layer(STORE, ver, flt, chosen[1] if chosen else None),
        reference_url=loaders.reference_layer(),
        on_select=select_place,
        on_step=lambda direction, unit: step_range(direction, unit, span),
        selected=place,
        heat=state["heat"],
        labels=state["labels"],
        view=view,
        fit=placemap.bounds(loaders.places(STORE, ver, flt)),
        period={"start": chosen[0].isoformat(), "end": chosen[1].isoformat(), "unit": state.get("play_unit", "week"),
                "at_end": playback.at_end(chosen, span)} if chosen else None,
        events=events_view,
    )
with right:
    limit = state.get("panel_limit", panel.PAGE)
    for_place = replace(flt, place_id=place["place_id"]) if place else None
    rows = loaders.mentions(STORE, ver, for_place, limit) if place else []
    panel.show(
        place,
        rows,
        loaders.mention_count(STORE, ver, for_place) if place else 0,
        on_read=open_article,
        on_more=lambda: more("panel_limit", panel.PAGE),
        copies=loaders.copies(STORE, ver, tuple(r["article_id"] for r in rows)),
        events=events_view,
    )

# ---- reader: a drawer beside the map ---------------------------------------------------------
art = loaders.article(STORE, ver, state["article"]) if state["article"] else None
if state["article"] and art is None:
    st.warning("That article is not in the store (deleted, or the link is from another corpus).")


def read() -> None:
    """The reader's drawer: the text, its copies, its corrections, delete, close."""
    clicked = reader.show(art, selected=state["place"])
    copies.reader_list(loaders.copies(STORE, ver, (art["id"],)).get(art["id"], []), open_article)
    if clicked:
        select_place(clicked)
        st.rerun()
    share.copy_link(key="copy_link_reader")
    with st.expander("Correct a pin", key="correct_expander"):
        correct.show(STORE, art, editable=editable, who=access.who(), on_corrected=st.cache_data.clear)
    left, right = st.columns(2)
    if editable:
        with left.popover("Delete this article"):
            st.write("Removes the article and its mentions from the store.")
            if st.button("Delete for good", key="delete_article", type="primary"):
                with Store(STORE) as store:
                    store.delete(art["id"])
                open_article(None)
                st.cache_data.clear()
                st.rerun()
    if right.button("Close", key="reader_close", width="stretch"):
        open_article(None)
        st.rerun()


if art:
    reader.in_drawer(read, on_close=lambda: open_article(None))
