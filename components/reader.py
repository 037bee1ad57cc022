"""The reader: the full article with every resolved mention highlighted by kind.

The text is drawn by a small inline component (streamlit components v2) that builds the DOM
with text nodes only: article text is never parsed as HTML or Markdown. Each highlighted name is
a button; clicking it returns that place's id so the page selects it on the map.
"""
from __future__ import annotations

import streamlit as st
import streamlit.components.v2 as components_v2

from components.markup import KIND_COLOURS, KIND_LABELS, esc, safe_url

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
    st.html(
        f'<h3 style="margin-bottom:0">{esc(article["title"])}</h3>'
        f'<div style="color:#555">{esc(article["published"] or "date unknown")} · '
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
