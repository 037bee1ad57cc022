"""Download the current filter's mentions as CSV or GeoJSON (the CLI's export formats).

The file is built only when a button is clicked (a callable), so big filters cost nothing on
ordinary reruns.
"""
from __future__ import annotations

from pathlib import Path

import streamlit as st

from geodata import export, queries
from geodata.queries import Filter

_MIME = {"csv": "text/csv", "geojson": "application/geo+json"}


def export_text(store_path: Path, flt: Filter, fmt: str) -> str:
    """Every mention in the filter (every place, not only the selected one) in `fmt`."""
    conn = queries.connect(store_path)
    try:
        return export.export(queries.mention_rows(conn, flt), fmt)
    finally:
        conn.close()


def show(store_path: Path, flt: Filter, count: int, total: int) -> None:
    st.caption(f"The {count} place mention{'s' * (count != 1)} shown (the filter line above). "
               f"`python -m geodata export` writes all {total} in the store.")
    cols = st.columns(2)
    for col, fmt in zip(cols, export.FORMATS):
        col.download_button(
            fmt.upper() if fmt == "csv" else "GeoJSON",
            data=lambda fmt=fmt: export_text(store_path, flt, fmt),
            file_name=f"placewire-mentions.{fmt}",
            mime=_MIME[fmt],
            key=f"export_{fmt}",
            on_click="ignore",
            disabled=count == 0,
        )
