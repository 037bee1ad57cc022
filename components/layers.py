"""The map's data as static files: written once, fetched by the browser by URL, never resent.

A place layer (one per filter) or the reference labels would otherwise travel inside the map
component's arguments, and so again over the WebSocket on every rerun, clicks included. Here each
is written once to static/layers/ (served by Streamlit at /app/static/layers/), named by the
digest of its content: a name always means the same bytes, so browsers may cache it, two
sessions share it, and nothing is ever stale. The folder keeps the newest `KEEP` files.
"""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

import streamlit as st

FOLDER = Path(__file__).resolve().parent.parent / "static" / "layers"
KEEP = 400  # files kept; older ones are removed when a new one is written


def static_url() -> str:
    """Where Streamlit serves ./static, under the server's base path if one is set."""
    prefix = st.get_option("server.baseUrlPath").strip("/")
    return f"{'/' + prefix if prefix else ''}/app/static"


def publish(kind: str, data: dict) -> str:
    """Write `data` as static/layers/<kind>-<digest>.json unless it is there; return its URL."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    name = f"{kind}-{hashlib.sha256(text).hexdigest()[:20]}.json"
    path = FOLDER / name
    if path.exists():
        os.utime(path)  # in use: the newest are kept
    else:
        FOLDER.mkdir(parents=True, exist_ok=True)
        # written aside, then renamed: a browser never reads half a file
        with tempfile.NamedTemporaryFile(dir=FOLDER, prefix=".", suffix=".tmp", delete=False) as tmp:
            tmp.write(text)
        os.chmod(tmp.name, 0o644)
        os.replace(tmp.name, path)
        _prune()
    return f"{static_url()}/layers/{name}"


def path_of(url: str) -> Path:
    """The file behind a URL `publish` returned."""
    return FOLDER / url.rsplit("/", 1)[-1]


def _prune() -> None:
    files = sorted(FOLDER.glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in files[KEEP:]:
        old.unlink(missing_ok=True)
