"""The persistent resolution cache: one SQLite file in the data directory.

Two tables: what a geocoder answered for a name (so a second ingest asks it nothing), and which
place a name resolved to in a given context. A corrupt file is set aside and rebuilt with a
warning; the cache never stops an ingest.
"""
from __future__ import annotations

import json
import logging
import sqlite3
from pathlib import Path

log = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS geocodes (source TEXT, key TEXT, answer TEXT, PRIMARY KEY (source, key));
CREATE TABLE IF NOT EXISTS resolutions (key TEXT, context TEXT, place_id TEXT, score REAL,
                                        PRIMARY KEY (key, context));
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""


class ResolutionCache:
    """Name -> geocoder answer, and (name, context) -> place. Writes are batched: `flush()`."""

    def __init__(self, path: Path | None, index: str = "") -> None:
        """`index`: the fingerprint of the gazetteer index the answers come from. When the index
        has changed since (a user's places.csv, a GeoNames dump, an upgrade), the gazetteer's
        answers and every resolution are dropped: they would hide the new places. Answers of
        an online geocoder stay (asking again costs a second each)."""
        self.path = path
        self._geocodes: dict[tuple[str, str], list] = {}
        self._resolutions: dict[tuple[str, str], tuple[str | None, float]] = {}
        self._stored: dict[tuple[str, str], str] = {}  # geocoder answers on disk, JSON undecoded
        self._pending_g: list[tuple] = []
        self._pending_r: list[tuple] = []
        self._con = self._open(path) if path else None
        if self._con and index:
            self._follow(index)
        if self._con:
            # read once, whole: one query, rather than one a name (the cache is small beside
            # the store: a name and a few candidates a line)
            self._stored = {(src, key): answer for src, key, answer in
                            self._con.execute("SELECT source, key, answer FROM geocodes")}
            self._resolutions = {(key, ctx): (place, score) for key, ctx, place, score in
                                 self._con.execute("SELECT * FROM resolutions")}

    def _open(self, path: Path) -> sqlite3.Connection:
        try:
            con = sqlite3.connect(path, check_same_thread=False)
            # a cache: a crash may lose its last batch, never corrupt it (WAL), and it need not
            # wait for the disk on every commit
            con.execute("PRAGMA journal_mode = WAL")
            con.execute("PRAGMA synchronous = NORMAL")
            con.executescript(_SCHEMA)
            con.execute("SELECT count(*) FROM resolutions").fetchone()
            return con
        except sqlite3.DatabaseError as exc:
            broken = path.with_suffix(".corrupt")
            log.warning("resolution cache %s is corrupt (%s); moved to %s and rebuilt",
                        path, exc, broken)
            path.replace(broken)
            con = sqlite3.connect(path, check_same_thread=False)
            con.executescript(_SCHEMA)
            return con

    def _follow(self, index: str) -> None:
        row = self._con.execute("SELECT value FROM meta WHERE key = 'index'").fetchone()
        if row and row[0] == index:
            return
        with self._con:
            if row:
                log.info("the gazetteer index changed: its cached answers in %s are dropped", self.path)
            self._con.execute("DELETE FROM geocodes WHERE source LIKE 'gazetteer%'")
            self._con.execute("DELETE FROM resolutions")
            self._con.execute("INSERT OR REPLACE INTO meta VALUES ('index', ?)", (index,))

    def geocode(self, source: str, key: str):
        """The cached answer (a list of JSON-able candidates), or None when never asked."""
        hit = self._geocodes.get((source, key))
        if hit is None and (source, key) in self._stored:
            hit = self._geocodes[(source, key)] = json.loads(self._stored.pop((source, key)))
        return hit

    def put_geocode(self, source: str, key: str, answer: list) -> None:
        self._geocodes[(source, key)] = answer
        self._pending_g.append((source, key, json.dumps(answer)))

    def resolution(self, key: str, context: str):
        return self._resolutions.get((key, context))

    def put_resolution(self, key: str, context: str, place_id: str | None, score: float) -> None:
        self._resolutions[(key, context)] = (place_id, score)
        self._pending_r.append((key, context, place_id, score))
        if len(self._pending_r) >= 5000:
            self.flush()

    def flush(self) -> None:
        if not self._con or not (self._pending_g or self._pending_r):
            return
        with self._con:
            self._con.executemany("INSERT OR REPLACE INTO geocodes VALUES (?,?,?)", self._pending_g)
            self._con.executemany("INSERT OR REPLACE INTO resolutions VALUES (?,?,?,?)",
                                  self._pending_r)
        self._pending_g.clear()
        self._pending_r.clear()
