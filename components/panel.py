"""The panel beside the map: every mention of the selected place in the filter, newest first.

Each entry shows date, source, the mention's role (its event type for an event), title and the
sentence with the name highlighted and the words that decided the role in bold (escaped HTML),
and a "Read" button that opens the article in the reader.
"""
from __future__ import annotations

from typing import Callable

import streamlit as st

from components.copies import also_in_html
from components.markup import KIND_LABELS, esc
from components.roles import badge_html, excerpt

PAGE = 25  # entries shown at first, and added by "Show more"


def show(
    place: dict | None,
    rows: list[dict],
    total: int,
    *,
    on_read: Callable[[str], None],
    on_more: Callable[[], None],
    copies: dict[str, list[dict]] | None = None,
    events: bool = False,
) -> None:
    """Draw the panel for `place` (None: a hint to click a marker). `rows` are the first mentions;
    `copies` the syndicated copies of their articles, named under each excerpt ("also in");
    `events`: the page shows event mentions only."""
    if place is None:
        st.info("Click a marker to read the sentences that name the place.")
        return
    st.html(
        f'<div class="pw-panel-head"><b style="font-size:1.15rem">{esc(place["name"])}</b> '
        f'<span style="color:#666">{esc(KIND_LABELS.get(place["kind"], place["kind"]))}'
        f'{", " + esc(place["country"]) if place.get("country") else ""} · precision: '
        f'{esc(place["precision"])}</span><br>{total} {"event" if events else "mention"}'
        f'{"s" * (total != 1)} in the filter</div>'
    )
    if not rows:
        st.caption("No sentence in the current filter says something happened here; "
                   "“Every place named” shows the sentences that name it." if events else
                   "No mention of this place in the current filter.")
    with st.container(height=470, border=False, key="panel_list"):
        for row in rows:
            st.html(
                f'<div class="pw-mention" data-mention="{row["mention_id"]}">'
                f'<small style="color:#555">{esc(row["published"] or "date unknown")} · '
                f'{esc(row["source"] or "unknown source")}</small> {badge_html(row)}<br>'
                f'<b>{esc(row["title"])}</b><br>'
                f'“{excerpt(row)}”'
                f'{also_in_html((copies or {}).get(row["article_id"], []))}</div>'
            )
            st.button(
                "Read", key=f"read_{row['mention_id']}", on_click=on_read, args=(row["article_id"],),
                help="Open the article in the reader, beside the map",
            )
        if total > len(rows):
            st.button(f"Show more ({total - len(rows)} left)", key="panel_more", on_click=on_more)
