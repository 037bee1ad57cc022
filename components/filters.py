"""The sidebar filters: place search (any spelling), source, kind, words, and map layers.

Widgets keep their values under fixed session keys (see components.share, which puts them in
the URL); `show` returns nothing but the chosen place from a search, if one was clicked.
"""
from __future__ import annotations

from typing import Callable

import streamlit as st

from components.markup import KIND_LABELS, md_escape
from geodata.model import KINDS

KIND_CHOICES = tuple(k for k in reversed(KINDS))  # towns first


def place_search(find: Callable[[str], list[dict]], on_pick: Callable[[str], None]) -> None:
    """A search box over every spelling the store knows; each hit selects its place."""
    q = st.text_input("Find a place", key="search", placeholder="Halab, Ma'arrat an-Nu'man, Saraqeb…",
                      help="Any spelling or transliteration the corpus or gazetteer knows")
    if not q.strip():
        return
    hits = find(q)
    if not hits:
        st.caption("No place by that name in the store.")
    for hit in hits:
        label = f"{hit['name']} ({KIND_LABELS.get(hit['kind'], hit['kind'])}{', ' + hit['country'] if hit['country'] else ''})"
        if hit["matched"] != hit["name"]:
            label += f" as “{hit['matched']}”"
        st.button(
            f"{md_escape(label)} · {hit['mentions']}", key=f"pick_{hit['place_id']}",
            on_click=on_pick, args=(hit["place_id"],), type="tertiary",
        )


def narrowing(all_sources: list[str]) -> None:
    """Source, kind of place and words in the text (session keys sources, kinds, words)."""
    st.multiselect("Sources", all_sources, key="sources", placeholder="All sources")
    st.multiselect(
        "Kinds of place", KIND_CHOICES, key="kinds", placeholder="All kinds",
        format_func=lambda k: KIND_LABELS.get(k, k),
    )
    st.text_input("Words in the text", key="words", placeholder='ceasefire "air strikes"',
                  help='Articles containing all these words; "quotes" keep a phrase together')


def layers() -> None:
    """Map layer toggles and how copies count (session keys countries, demonyms, heat, labels,
    copies)."""
    st.toggle("Country pins", key="countries",
              help="A pin in the middle of a country misleads, so country mentions are hidden unless asked for")
    st.toggle("Demonyms (Russian, Turkish…)", key="demonyms",
              help="Adjectives of nationality, pinned on their country (shown with country pins on)")
    st.toggle("Heat layer", key="heat")
    st.toggle("Names on the map", key="labels",
              help="The places' names, and towns, countries and governorates for reference, where they fit")
    st.toggle("Count every copy", key="copies",
              help="A story reprinted by several outlets (syndicated copies) counts once on the map, "
                   "the timeline and the export; on, every copy counts")
