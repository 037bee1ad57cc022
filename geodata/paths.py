"""Where Placewire keeps its files: one data directory, moved with PLACEWIRE_DATA.

The CLI and the page both call `data_dir()` and `store_location()`, so they always read and
write the same store.
"""
from __future__ import annotations

import os
from pathlib import Path

PROJECT_DIR = Path(__file__).resolve().parent.parent


def data_dir() -> Path:
    """The data directory (created on first use): $PLACEWIRE_DATA, else ./data in the project."""
    path = Path(os.environ.get("PLACEWIRE_DATA") or PROJECT_DIR / "data").expanduser()
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_path() -> Path:
    """The default store of articles, mentions and places: a SQLite file in the data directory."""
    return data_dir() / "placewire.sqlite"


def store_location() -> str:
    """The store the CLI and the page use: $PLACEWIRE_STORE (a SQLite file's path or a
    postgresql:// URL), else the data directory's SQLite file."""
    return os.environ.get("PLACEWIRE_STORE") or str(store_path())


def cache_path() -> Path:
    """The persistent resolution cache (kept apart so a corrupt cache never touches the store)."""
    return data_dir() / "cache.sqlite"


def index_path() -> Path:
    """The compact gazetteer index, built from the PyPI GeoNames packages when missing or stale."""
    return data_dir() / "gazetteer.sqlite"


def user_places_path() -> Path:
    """The user's own places and aliases (CSV), merged into the index and winning over it."""
    return data_dir() / "places.csv"


def geonames_dumps_dir() -> Path:
    """Folder for GeoNames country dumps (e.g. SY.txt) the user adds; they win over PyPI data."""
    return data_dir() / "geonames"


def read_only_uri(path: str | Path) -> str:
    """A SQLite URI that opens the file at `path` read-only (connect with uri=True), the path
    percent-encoded so that a ? or # in a folder's name stays part of the path."""
    return f"{Path(path).absolute().as_uri()}?mode=ro"
