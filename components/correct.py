"""Correct a pin: mark a mention as not a place, or pick another place for it.

The correction goes through geodata.store (Store.correct): it is kept by normalised name and
context and applies to every mention of the same name in the same context, now and in later
ingests. Candidates come from the gazetteer: every place known under the name (and its
transliteration variants), or under another name the user types.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import streamlit as st

from components.loaders import gazetteer_places
from components.markup import KIND_LABELS, md_escape
from geodata.model import Place
from geodata.store import Store

NOT_A_PLACE = "Not a place"
OTHER_PLACE = "Another place"


def _label(p: Place) -> str:
    where = ", ".join(x for x in (p.admin1, p.country) if x)
    return f"{p.name} ({KIND_LABELS.get(p.kind, p.kind)}{', ' + where if where else ''}; {p.lat:.2f}, {p.lon:.2f})"


def show(store_path: Path, article: dict, *, editable: bool, on_corrected: Callable[[], None]) -> None:
    """The correction form for the mentions of one article."""
    mentions = [m for m in article["mentions"] if m.get("status") != "rejected"]
    if not mentions:
        st.caption("No place names were found in this article.")
        return
    chosen = st.selectbox(
        "Name in the text", mentions, key="correct_mention",
        format_func=lambda m: f"{m['surface']} (character {m['start']}) → "
                              f"{m['place_name'] or 'unresolved'}",
    )
    action = st.radio("It is", (NOT_A_PLACE, OTHER_PLACE), key="correct_action", horizontal=True)
    place = None
    if action == OTHER_PLACE:
        other = st.text_input("Look up another name (optional)", key="correct_lookup",
                              placeholder=chosen["surface"])
        options = [p for p in gazetteer_places(other.strip() or chosen["surface"])[:30]
                   if p.id != chosen["place_id"]]
        if not options:
            st.caption("The gazetteer knows no other place by that name; type another spelling.")
            return
        place = st.selectbox("Place", options, key="correct_place", format_func=_label)
    if not editable:
        st.caption("Read-only: corrections need the admin secret.")
    if st.button("Save correction", key="correct_save", disabled=not editable):
        with Store(store_path) as store:
            changed = store.correct(chosen["mention_id"], place)
        target = "not a place" if place is None else _label(place)
        st.session_state["correct_done"] = md_escape(
            f"“{chosen['surface']}” is now {target}: {changed} mention{'s' * (changed != 1)} changed "
            "(every article with the same name in the same context)."
        )
        on_corrected()
        st.rerun()
    if st.session_state.get("correct_done"):
        st.success(st.session_state.pop("correct_done"))
