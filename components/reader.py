"""The reader: the full article with every resolved mention highlighted by kind, in a drawer.

It opens where the user is looking: a dialog drawn over the right of the page, beside the map,
whether the article was opened from the panel or from the sidebar's list; closing it (its X,
Escape, or "Close") leaves the page as it was, map view and panel included.
The text is drawn by a small inline component (streamlit components v2) that builds the DOM
with text nodes only: article text is never parsed as HTML or Markdown. Each highlighted name is
a button; clicking it returns that place's id so the page selects it on the map.
"""
from __future__ import annotations

from typing import Callable

import streamlit as st
import streamlit.components.v2 as components_v2

from components.markup import KIND_COLOURS, KIND_LABELS, esc, safe_url

DRAWER_WIDTH = 620  # px at first; the user can drag its edge
# Where the publication date came from (geodata.articles), as the reader says it.
DATE_SOURCES = {
    "metadata": "from the article's metadata",
    "url": "from its web address",
    "dateline": "from its dateline at the top",
    None: "source not recorded (stored before Placewire kept it)",
}

_CSS = """
.pw-reader { white-space: pre-wrap; line-height: 1.65; font-size: 1rem; max-height: 640px;
             overflow-y: auto; padding-right: 8px; }
.pw-name { font: inherit; border: 0; border-bottom: 2px solid var(--c); background: var(--bg);
           padding: 0 2px; margin: 0; cursor: pointer; border-radius: 2px; color: inherit; }
.pw-name:hover { filter: brightness(0.9); }
.pw-name.pw-demonym { border-bottom-style: dotted; }
.pw-name.pw-selected { outline: 2px solid #111; }
"""
_JS = """
export default function ({ data, parentElement, setTriggerValue }) {
    parentElement.querySelectorAll(".pw-reader").forEach((old) => old.remove());
    const root = document.createElement("div");
    root.className = "pw-reader";
    for (const seg of data.segments) {
        if (!seg.place) {
            root.appendChild(document.createTextNode(seg.text));
            continue;
        }
        const name = document.createElement("button");
        name.type = "button";
        name.className = "pw-name" + (seg.demonym ? " pw-demonym" : "")
            + (seg.place === data.selected ? " pw-selected" : "");
        name.textContent = seg.text;
        name.title = seg.label;
        name.dataset.place = seg.place;
        name.style.setProperty("--c", seg.colour);
        name.style.setProperty("--bg", seg.colour + "33");
        name.addEventListener("click", () => setTriggerValue("place", seg.place));
        root.appendChild(name);
    }
    parentElement.appendChild(root);
    return () => root.remove();
}
"""
_TEXT = components_v2.component("placewire.reader", css=_CSS, js=_JS)


def segments(text: str, mentions: list[dict]) -> list[dict]:
    """The text cut into plain runs and resolved mentions, in order (overlaps keep the first)."""
    out, pos = [], 0
    for m in mentions:
        if not m.get("place_id") or m.get("status") == "rejected" or m["start"] < pos:
            continue
        if m["start"] > pos:
            out.append({"text": text[pos:m["start"]]})
        kind = m.get("place_kind") or ""
        out.append({
            "text": text[m["start"]:m["end"]],
            "place": m["place_id"],
            "colour": KIND_COLOURS.get(kind, "#555555"),
            "demonym": m.get("mention_kind") == "demonym",
            "label": f"{m.get('place_name') or ''} ({KIND_LABELS.get(kind, kind)}"
                     f"{', ' + m['country'] if m.get('country') else ''}) - click to show on the map",
        })
        pos = m["end"]
    if pos < len(text):
        out.append({"text": text[pos:]})
    return out


def show(article: dict, *, selected: str | None) -> str | None:
    """Draw the article; return the place id of a clicked name (None when none was clicked)."""
    url = safe_url(article.get("url"))
    when = (f'{esc(article["published"])} <small>({esc(DATE_SOURCES.get(article.get("date_source"), ""))})</small>'
            if article["published"] else "date unknown <small>(none in its metadata, address or dateline)</small>")
    st.html(
        f'<h3 style="margin:0">{esc(article["title"])}</h3>'
        f'<div class="pw-reader-meta" style="color:#555">{when} · '
        f'{esc(article["source"] or "unknown source")}</div>'
    )
    if url:
        st.link_button("Original article ↗", url)
    elif article.get("url"):
        st.caption("The original link is not an http(s) address and is not shown as a link.")
    result = _TEXT(
        data={"segments": segments(article["text"], article["mentions"]), "selected": selected},
        key="reader_text",
        on_place_change=lambda: None,
    )
    return result.place if result and result.place else None


def in_drawer(body: Callable[[], None], on_close: Callable[[], None]) -> None:
    """Run `body` inside the reader's drawer, over the right of the page beside the map."""
    st.dialog("Reader", icon=":material/article:", width=DRAWER_WIDTH, position="right",
              on_dismiss=on_close)(body)()
