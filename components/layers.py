"""The map's data as static files: written once, fetched by the browser by URL, never resent.

A place layer (one per filter) or the reference labels would otherwise travel inside the map
component's arguments, and so again over the WebSocket on every rerun, clicks included. Here each
is written once to static/layers/ (served by Streamlit at /app/static/layers/), named by the
digest of its content: a name always means the same bytes, so browsers may cache it, two
sessions share it, and nothing is ever stale. The folder keeps the newest files, at most `KEEP`
of them and `BUDGET` bytes (a 20,000-place layer is about 1.5 MB).
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
BUDGET = 200 * 1024 * 1024  # bytes kept, whatever their number


def static_url() -> str:
    """Where Streamlit serves ./static, under the server's base path if one is set."""
    prefix = st.get_option("server.baseUrlPath").strip("/")
    return f"{'/' + prefix if prefix else ''}/app/static"


def publish(kind: str, data: dict) -> str:
    """Write `data` as static/layers/<kind>-<digest>.json unless it is there; return its URL."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    name = f"{kind}-{hashlib.sha256(text).hexdigest()[:20]}.json"
    path = FOLDER / name
    try:
        os.utime(path)  # there already, and in use: the newest are kept
    except FileNotFoundError:  # not there, or pruned by another session a moment ago
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
    """Remove the oldest files past KEEP files or BUDGET bytes. Other sessions (and servers
    sharing the folder) prune too: a file gone in between is skipped."""
    files = []
    for path in FOLDER.glob("*.json"):
        try:
            stat = path.stat()
        except FileNotFoundError:
            continue
        files.append((stat.st_mtime, stat.st_size, path))
    kept = 0
    for n, (_, size, path) in enumerate(sorted(files, key=lambda f: f[0], reverse=True)):
        kept += size
        if n >= KEEP or (n and kept > BUDGET):  # the newest file stays, whatever its size
            path.unlink(missing_ok=True)
