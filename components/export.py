"""Download the current filter's mentions as CSV or GeoJSON, and its events as an ACLED-style
table (the CLI's export formats).

The file is built only when a button is clicked (a callable), so big filters cost nothing on
ordinary reruns.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from geodata import export, queries
from geodata.queries import Filter

_MIME = {"csv": "text/csv", "geojson": "application/geo+json", "events": "text/csv"}
_LABELS = {"csv": "CSV", "geojson": "GeoJSON", "events": "Events (ACLED-style CSV)"}
_FILES = {"csv": "placewire-mentions.csv", "geojson": "placewire-mentions.geojson",
          "events": "placewire-events.csv"}


def export_text(store_path: Path, flt: Filter, fmt: str) -> str:
    """Every mention in the filter (every place, not only the selected one) in `fmt`; for
    "events", the filter's event mentions as an ACLED-style event table."""
    conn = queries.connect(store_path)
    try:
        rows = (queries.event_rows if fmt == "events" else queries.mention_rows)(conn, flt)
        return export.export(rows, fmt)
    finally:
        conn.close()


def show(store_path: Path, flt: Filter, count: int) -> None:
    st.caption(f"{count} mention{'s' * (count != 1)} in the current filter")
    cols = st.columns(2)
    for col, fmt in zip(cols, ("csv", "geojson")):
        _button(col, store_path, flt, fmt, count == 0)
    _button(st, store_path, flt, "events", count == 0,
            "One row per place where a sentence says something happened: date, place, "
            "precision, event type, actors, the sentence, the source")


def _button(where, store_path: Path, flt: Filter, fmt: str, disabled: bool, help: str | None = None) -> None:
    where.download_button(
        _LABELS[fmt],
        data=lambda: export_text(store_path, flt, fmt),
        file_name=_FILES[fmt],
        mime=_MIME[fmt],
        key=f"export_{fmt}",
        on_click="ignore",
        disabled=disabled,
        help=help,
    )
