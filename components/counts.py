"""How many mentions the page counts, in words: the sidebar's header and its filter line.

One definition (geodata.queries): a mention counts when it is resolved and not rejected. The
header counts the whole store (what the CLI's export writes); the filter line counts what the
map, the panel and the page's export show, and says in words what the filter leaves out on
purpose: country pins and demonyms while their layers are off, and the undated articles that the
timeline cannot draw.
"""
from __future__ import annotations

import streamlit as st


def _n(count: int, word: str, plural: str | None = None) -> str:
    return f"{count} {word if count == 1 else plural or word + 's'}"


def header(totals: dict) -> None:
    """The store in one line: articles, place mentions, places; and what is not counted."""
    articles = _n(totals["articles"], "article")
    if totals["copies"]:
        articles += f" ({_n(totals['articles'] - totals['copies'], 'story', 'stories')})"
    parts = [articles, _n(totals["mentions"], "place mention"), _n(totals["places"], "place")]
    if totals.get("events"):
        parts.append(_n(totals["events"], "event mention"))
    st.caption(" · ".join(parts),
               help="A story is counted once however many outlets ran it: its syndicated copies "
                    "are counted only with 'Count every copy'.")
    aside = []
    if totals["unresolved"]:
        aside.append(f"{_n(totals['unresolved'], 'name')} found but not placed")
    if totals["rejected"]:
        aside.append(f"{totals['rejected']} marked not a place by a correction")
    if aside:
        st.caption(f"Not counted: {'; '.join(aside)}.")


def filter_line(breakdown: dict, total: int) -> None:
    """What the filter shows, out of the store's place mentions, and what it hides on purpose."""
    b = breakdown
    words = [f"**Shown: {b['mentions']} of {_n(total, 'place mention')}** "
             f"({_n(b['places'], 'place')} in {_n(b['articles'], 'article')}): on the map, in the "
             "panel and in the export."]
    hidden = []
    if b["copies"]:
        words.append(f"{b['copies']} in syndicated copies, whose story is counted once.")
    if b["other_roles"]:
        words.append(f"{b['other_roles']} where the sentence reports no event of the types shown "
                     "(“Every place named” shows them).")
    if b["countries"]:
        hidden.append(f"{b['countries']} on country pins")
    if b["demonyms"]:
        hidden.append(f"{_n(b['demonyms'], 'demonym')} (Syrian, Russian…)")
    if hidden:
        words.append(f"Hidden while their layers are off: {' and '.join(hidden)}.")
    rest = total - b["mentions"] - b["copies"] - b["other_roles"] - b["countries"] - b["demonyms"]
    if rest > 0:
        words.append(f"{rest} outside the dates, sources, words or kinds chosen.")
    if b["undated"]:
        words.append(f"{b['undated']} of those shown are in articles of unknown date, which have no "
                     "bar on the timeline.")
    st.caption(" ".join(words), help="A place mention is a name found in an article and placed on "
                "the map, unless a correction marked it as not a place.")
