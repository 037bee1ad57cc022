"""Download the current filter's mentions as CSV or GeoJSON, and its events as an ACLED-style
table (the CLI's export formats).

The file is built only when a button is clicked (a callable), so big filters cost nothing on
ordinary reruns. Rows stream from the store into a temporary file, never into a list: the
finished file's bytes are all that is held (Streamlit serves a download from memory; the CLI's
export streams to disk end to end).
"""
from __future__ import annotations

import io
import tempfile

import streamlit as st

from geodata import export, queries
from geodata.queries import Filter

_MIME = {"csv": "text/csv", "geojson": "application/geo+json", "events": "text/csv"}
_LABELS = {"csv": "CSV", "geojson": "GeoJSON", "events": "Events (ACLED-style CSV)"}
_FILES = {"csv": "placewire-mentions.csv", "geojson": "placewire-mentions.geojson",
          "events": "placewire-events.csv"}


def export_bytes(store_path: str, flt: Filter, fmt: str) -> bytes:
    """Every mention in the filter (every place, not only the selected one) in `fmt`, UTF-8; for
    "events", the filter's event mentions as an ACLED-style event table."""
    with tempfile.TemporaryFile() as out, queries.connect(store_path) as conn:
        text = io.TextIOWrapper(out, encoding="utf-8", newline="")
        rows = queries.event_rows(conn, flt) if fmt == "events" else queries.iter_mention_rows(conn, flt)
        export.write(rows, fmt, text)
        text.flush()
        text.detach()  # the wrapper goes; the file stays open
        out.seek(0)
        return out.read()


def export_text(store_path: str, flt: Filter, fmt: str) -> str:
    return export_bytes(store_path, flt, fmt).decode("utf-8")


def show(store_path: str, flt: Filter, count: int, total: int) -> None:
    st.caption(f"The {count} place mention{'s' * (count != 1)} shown (the filter line above). "
               f"`python -m geodata export` writes all {total} in the store.")
    cols = st.columns(2)
    for col, fmt in zip(cols, ("csv", "geojson")):
        _button(col, store_path, flt, fmt, count == 0)
    _button(st, store_path, flt, "events", count == 0,
            "One row per place where a sentence says something happened: date, place, "
            "precision, event type, actors, the sentence, the source")


def _button(where, store_path: str, flt: Filter, fmt: str, disabled: bool, help: str | None = None) -> None:
    where.download_button(
        _LABELS[fmt],
        data=lambda: export_bytes(store_path, flt, fmt),
        file_name=_FILES[fmt],
        mime=_MIME[fmt],
        key=f"export_{fmt}",
        on_click="ignore",
        disabled=disabled,
        help=help,
    )
