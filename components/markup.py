"""Safe text for the page: escaping, highlighted excerpts, checked links, kind colours.

Article text, titles, sources and URLs are untrusted. Everything that reaches HTML (the panel,
the reader) goes through `esc`; everything that reaches a Streamlit label (which
renders Markdown) goes through `md_escape`; links go through `safe_url`.
"""
from __future__ import annotations

import html
import re
from urllib.parse import urlsplit

# One colour per kind of place (the reader's highlights and the panel's excerpts).
KIND_COLOURS = {
    "city": "#d62728",
    "admin2": "#ff7f0e",
    "admin1": "#9467bd",
    "region": "#2ca02c",
    "country": "#1f77b4",
    "continent": "#7f7f7f",
}
KIND_LABELS = {
    "city": "town or city",
    "admin2": "district",
    "admin1": "governorate or province",
    "region": "region",
    "country": "country",
    "continent": "continent",
}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=])")


def esc(value: object) -> str:
    """HTML-escaped text, quotes included (safe in element content and attribute values)."""
    return html.escape("" if value is None else str(value), quote=True)


def md_escape(value: object) -> str:
    """Text that Streamlit's Markdown labels show literally (no links, images, emphasis, icons)."""
    return _MD_SPECIAL.sub(r"\\\1", " ".join(str(value or "").split()))


def safe_url(url: object) -> str:
    """The URL if it is an absolute http(s) link, else "" (no javascript:, data:, relative)."""
    text = str(url or "").strip()
    try:
        parts = urlsplit(text)
    except ValueError:
        return ""
    if parts.scheme.lower() in ("http", "https") and parts.netloc and not any(c in text for c in "\"'<> \t\n"):
        return text
    return ""


def colour(kind: str | None) -> str:
    return KIND_COLOURS.get(kind or "", "#555555")


def excerpt_html(sentence: str, offset: int, length: int, kind: str | None, width: int = 240,
                 trigger: tuple[int, int] | None = None) -> str:
    """The sentence as escaped HTML with the name at [offset, offset+length) marked, and the
    words that decided its role, `trigger` (offset, length), in bold: "shelling hit <mark>".

    Long sentences are cut around the name so panel entries stay short.
    """
    sentence = sentence or ""
    offset = max(0, min(offset, len(sentence)))
    end = min(len(sentence), offset + max(0, length))
    start, stop = 0, len(sentence)
    if stop > width:
        start = max(0, offset - width // 2)
        stop = min(len(sentence), start + width)
        start = max(0, stop - width)
    name = (f"<mark style=\"background:{colour(kind)}33;border-bottom:2px solid {colour(kind)};"
            f"padding:0 1px\">{esc(sentence[offset:end])}</mark>")
    marks = [(offset, end, name)]
    if trigger:
        a, b = trigger[0], trigger[0] + trigger[1]
        if start <= a < b <= stop and (b <= offset or a >= end):  # inside the cut, beside the name
            marks.append((a, b, f'<b class="pw-trigger">{esc(sentence[a:b])}</b>'))
    marks.sort()
    parts, pos = ["…" if start > 0 else ""], start
    for a, b, marked in marks:
        text = sentence[pos:a]
        parts += [esc(text.lstrip() if pos == start else text), marked]
        pos = b
    parts.append(esc(sentence[pos:stop].rstrip()) + ("…" if stop < len(sentence) else ""))
    return "".join(parts)

