"""Shared fixtures: the real gazetteer index, built once per machine, fresh data folders, and
stores on both backends (a SQLite file; a database on a throw-away PostgreSQL server)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"


@pytest.fixture(scope="session")
def index_dir(request) -> Path:
    """A data folder holding the real gazetteer index, built once into pytest's cache (geodata
    rebuilds it there if a source changed)."""
    folder = Path(request.config.cache.mkdir("placewire-gazetteer"))
    subprocess.run([sys.executable, "-c", "from geodata.gazetteer import load_gazetteer; "
                    "load_gazetteer()"], env=dict(os.environ, PLACEWIRE_DATA=str(folder)),
                   cwd=REPO, check=True, timeout=600)
    return folder


def new_data_dir(parent: Path, index: Path) -> Path:
    """An empty data folder in `parent` that shares the built index by symlink."""
    data = parent / "data"
    data.mkdir()
    (data / "gazetteer.sqlite").symlink_to(index / "gazetteer.sqlite")
    return data


@pytest.fixture
def data_dir(tmp_path, index_dir, monkeypatch) -> Path:
    """A fresh PLACEWIRE_DATA for one test (no admin secret: a laptop)."""
    data = new_data_dir(tmp_path, index_dir)
    monkeypatch.setenv("PLACEWIRE_DATA", str(data))
    monkeypatch.delenv("PLACEWIRE_ADMIN", raising=False)
    return data


@pytest.fixture(scope="session")
def postgres():
    """A throw-away PostgreSQL server for the session (tests/pgserver.py), stopped at the end.

    Without PostgreSQL installed the PostgreSQL half of the store tests is skipped, saying so;
    ./test.sh installs it and sets PLACEWIRE_REQUIRE_POSTGRES, so there a missing server fails.
    """
    import pgserver

    if pgserver.bin_dir() is None:
        reason = "PostgreSQL is not installed (./test.sh installs Debian's postgresql)"
        if os.environ.get("PLACEWIRE_REQUIRE_POSTGRES"):
            pytest.fail(reason)
        pytest.skip(reason)
    server = pgserver.TemporaryPostgres()
    try:
        server.start()
        yield server
    finally:
        server.stop()


BACKENDS = ("sqlite", "postgresql")


@pytest.fixture(params=BACKENDS)
def store_location(request, tmp_path) -> str:
    """A new, empty store's location on each backend: a SQLite file's path, a PostgreSQL URL."""
    if request.param == "sqlite":
        yield str(tmp_path / "store.sqlite")
        return
    server = request.getfixturevalue("postgres")
    url = server.database()
    yield url
    server.drop(url)


@pytest.fixture
def listen_on():
    """Sets the server's `server.address`, as `--server.address` does (AppTest runs in-process):
    the page opens editing without a secret only on a laptop's localhost (components.access)."""
    from streamlit import config

    before = config.get_option("server.address")
    yield lambda address: config.set_option("server.address", address)
    config.set_option("server.address", before)
