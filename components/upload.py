"""The sidebar's "Add articles": upload files in the CLI's formats, with progress and a report."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

import streamlit as st

from components.ingest import FileReport, ingest_files
from components.markup import md_escape

# The formats geodata.articles reads (the CLI's): text, Markdown, HTML, JSON, JSON lines, CSV, feeds.
TYPES = ["txt", "md", "markdown", "html", "htm", "json", "jsonl", "csv", "tsv", "xml", "rss", "atom"]


def show(store_path: Path, *, editable: bool, on_added: Callable[[], None]) -> None:
    """The uploader; after adding, a report line per file (problems listed under it)."""
    if not editable:
        st.caption("Read-only: adding articles needs the admin secret.")
        return
    round_ = st.session_state.setdefault("upload_round", 0)
    files = st.file_uploader("Article files", type=TYPES, accept_multiple_files=True, key=f"upload_{round_}")
    if st.button("Add to the map", disabled=not files, key="upload_go"):
        bar = st.progress(0.0, text="Reading…")

        def progress(done: int, name: str) -> None:
            bar.progress(done / len(files), text=f"Reading {name}…" if name else "Done")

        with st.spinner("Finding and resolving place names…"):
            reports = ingest_files(store_path, [(f.name, f.getvalue()) for f in files], progress)
        st.session_state["upload_reports"] = reports
        st.session_state["upload_round"] = round_ + 1  # a fresh, empty uploader
        on_added()
        st.rerun()
    for report in st.session_state.get("upload_reports", []):
        _report(report)


def _report(report: FileReport) -> None:
    line = md_escape(f"{report.name}: {report.summary()}")
    (st.warning if report.problems else st.success)(line)
    for problem in report.problems:
        st.text(problem)
