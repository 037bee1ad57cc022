"""Syndicated copies on the page: "also in: outlet, outlet…" under an excerpt, and the list of
copies in the reader. A story's copies come from geodata.queries.copies (plain data)."""
from __future__ import annotations

from typing import Callable

import streamlit as st

from components.markup import esc, md_escape

SHOWN = 5  # outlets named before "and N more"


def outlets(copies: list[dict]) -> list[str]:
    """The copies' outlets, each once, in the order they published."""
    return list(dict.fromkeys(c["source"] or "unknown source" for c in copies))


def also_in_html(copies: list[dict]) -> str:
    """'also in: A, B and 3 more' as escaped HTML ('' without copies)."""
    names = outlets(copies)
    if not names:
        return ""
    text = ", ".join(names[:SHOWN])
    if len(names) > SHOWN:
        text += f" and {len(names) - SHOWN} more"
    return f'<div class="pw-also" style="color:#555;font-size:0.85rem">also in: {esc(text)}</div>'


def reader_list(copies: list[dict], on_open: Callable[[str], None]) -> None:
    """The story's other copies, each opening in the reader."""
    if not copies:
        return
    with st.expander(f"This story also appeared {len(copies)} more time{'s' * (len(copies) != 1)} "
                     f"({', '.join(outlets(copies)[:SHOWN])})", key="copies_expander"):
        st.caption("Syndicated copies: the same text, maybe with another headline, trimmed or "
                   "extended. The map counts the story once unless “Count every copy” is on.")
        for c in copies:
            meta = " · ".join(x for x in (c["published"] or "date unknown", c["source"] or "unknown source") if x)
            st.button(f"{md_escape(c['title'])}  \n{md_escape(meta)}", key=f"copy_{c['id']}",
                      on_click=on_open, args=(c["id"],), type="tertiary")
