"""The sidebar's "Add articles": upload files in the CLI's formats, with progress and a report.

The ingest runs in a background thread, not in the script: any rerun (a map event, another
widget) stops a running script, and must not stop an ingest halfway. A small fragment polls the
job, shows its progress, and reruns the page when it is done.
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Callable

import streamlit as st

from components.ingest import FileReport, ingest_files
from components.markup import md_escape

# The formats geodata.articles reads (the CLI's): text, Markdown, HTML, JSON, JSON lines, CSV, feeds.
TYPES = ["txt", "md", "markdown", "html", "htm", "json", "jsonl", "csv", "tsv", "xml", "rss", "atom"]


@st.cache_resource
def _worker() -> ThreadPoolExecutor:
    """One ingest at a time per server: SQLite takes one writer anyway."""
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="placewire-ingest")


def _start(store_path: Path, uploader_key: str) -> None:
    """Button callback: hand the uploaded files to the worker and empty the uploader."""
    files = [(f.name, f.getvalue()) for f in st.session_state.get(uploader_key) or []]
    if not files:
        return
    progress = {"done": 0, "total": len(files), "name": files[0][0]}

    def report(done: int, name: str) -> None:
        progress.update(done=done, name=name)

    future: Future = _worker().submit(ingest_files, store_path, files, report)
    st.session_state["upload_job"] = (future, progress)
    st.session_state["upload_reports"] = []
    st.session_state["upload_round"] = st.session_state.get("upload_round", 0) + 1


@st.fragment(run_every=0.5)
def _follow(on_added: Callable[[], None]) -> None:
    """While the job runs: its progress. When done: keep the reports and rerun the page."""
    future, progress = st.session_state["upload_job"]
    if not future.done():
        with st.spinner("Finding and resolving place names…"):
            st.progress(progress["done"] / progress["total"], text=md_escape(f"Reading {progress['name']}"))
        return
    del st.session_state["upload_job"]
    try:
        st.session_state["upload_reports"] = future.result()
    except Exception as exc:  # the store could not be opened or written: say so, keep the page
        st.session_state["upload_error"] = f"Nothing was added: {exc}"
    on_added()
    st.rerun()


def show(store_path: Path, *, editable: bool, on_added: Callable[[], None]) -> None:
    """The uploader; a running ingest's progress; then a report line per file, problems under it."""
    if not editable:
        st.caption("Read-only: adding articles needs the admin secret.")
        return
    if "upload_job" in st.session_state:
        _follow(on_added)
        return
    key = f"upload_{st.session_state.get('upload_round', 0)}"
    files = st.file_uploader("Article files", type=TYPES, accept_multiple_files=True, key=key)
    st.button("Add to the map", disabled=not files, key="upload_go", on_click=_start, args=(store_path, key))
    if st.session_state.get("upload_error"):
        st.error(md_escape(st.session_state.pop("upload_error")))
    for report in st.session_state.get("upload_reports", []):
        _report(report)


def _report(report: FileReport) -> None:
    line = md_escape(f"{report.name}: {report.summary()}")
    (st.warning if report.problems else st.success)(line)
    for problem in report.problems:
        st.text(problem)
