"""The followed sources (geodata.follow) on the page: when the corpus was last updated, each
source's state, and for the admin, adding and removing sources (the CLI's `follow add/remove`).
The page never fetches: `python -m geodata follow run` does, as a service beside it."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Callable

import streamlit as st

from components.markup import esc, md_escape
from geodata.exceptions import RefusedURL
from geodata.follow import registry
from geodata.store import Store


def ago(stamp: str | None, now: datetime | None = None) -> str:
    """'just now', '12 minutes ago', '3 hours ago', '2 days ago' (or 'never')."""
    when = registry.parse_stamp(stamp)
    if when is None:
        return "never"
    minutes = int(((now or datetime.now(timezone.utc)) - when).total_seconds() // 60)
    if minutes < 1:
        return "just now"
    for size, unit in ((1440, "day"), (60, "hour"), (1, "minute")):
        if minutes >= size:
            n = minutes // size
            return f"{n} {unit}{'s' * (n != 1)} ago"
    return "just now"


def caption(sources: list[dict], last_ok: str | None) -> str:
    """'Following 3 sources · updated 12 minutes ago' ('' when nothing is followed)."""
    if not sources:
        return ""
    failing = sum(1 for s in sources if s["last_error"])
    text = f"Following {len(sources)} source{'s' * (len(sources) != 1)} · updated {ago(last_ok)}"
    return text + (f" · {failing} failing" if failing else "")


def source_html(s: dict) -> str:
    """One source's state as escaped HTML: name and kind, when fetched and what it brought, its
    last error and next try (the URL shows on hover)."""
    kind = s["kind"] or "not read yet"
    facts = [f"fetched {ago(s['last_fetched'])}", f"{s['new_items']} new in its last round",
             f"{s['total_items']} in all"]
    if s["waiting"]:
        facts.append(f"{s['waiting']} waiting")
    html = (f'<div class="pw-source" title="{esc(s["url"])}" style="margin-bottom:0.5rem;line-height:1.35">'
            f'<b>{esc(s["name"] or s["url"])}</b> <span style="color:#666">{esc(kind)}</span><br>'
            f'<small style="color:#444">{esc(" · ".join(facts))}</small>')
    if s["last_error"]:
        retry = registry.parse_stamp(s["next_due"])
        wait = f" · next try {_until(retry)}" if retry else ""
        html += f'<br><small style="color:#b42318">{esc(s["last_error"] + wait)}</small>'
    return html + "</div>"


def _until(when: datetime) -> str:
    minutes = int((when - datetime.now(timezone.utc)).total_seconds() // 60)
    if minutes < 1:
        return "now"
    return f"in {minutes} min" if minutes < 120 else f"in {minutes // 60} h"


def show(store_path: Path, sources: list[dict], *, editable: bool, on_changed: Callable[[], None]) -> None:
    """Each source's state, and for the admin the add/remove controls."""
    if sources:
        st.html("".join(source_html(s) for s in sources))
    else:
        st.caption("No source followed yet. The follower (`python -m geodata follow run`) keeps "
                   "feeds, news sitemaps and pages of links up to date.")
    if not editable:
        return
    with st.form("follow_add", border=False, clear_on_submit=True):
        url = st.text_input("Follow a feed, news sitemap or page of links", key="follow_url",
                            placeholder="https://example.org/feed.xml")
        name = st.text_input("Outlet name (optional)", key="follow_name")
        if st.form_submit_button("Follow") and url.strip():
            try:
                with Store(store_path) as store:
                    created = registry.add(store, url, name)
            except RefusedURL as exc:
                st.error(md_escape(f"Cannot follow {url}: {exc}"))
            else:
                st.success(md_escape(f"{'Following' if created else 'Already following'} {url.strip()}; "
                                     "the follower reads it in its next round."))
                on_changed()
    if sources:
        choice = st.selectbox("Stop following", [s["url"] for s in sources], index=None, key="follow_remove",
                              format_func=lambda u: next(s["name"] or u for s in sources if s["url"] == u))
        if st.button("Stop following", key="follow_remove_button", disabled=choice is None):
            with Store(store_path) as store:
                registry.remove(store, choice)
            on_changed()
            st.rerun()
