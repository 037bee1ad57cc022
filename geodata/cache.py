"""The persistent resolution cache: one SQLite file in the data directory.

Two tables: what a geocoder answered for a name (so a second ingest asks it nothing), and which
place a name resolved to in a given context. Entries are looked up on disk by key and only
the most recent are kept in memory, so memory stays flat however large the cache grows (read
whole, it took 826 MB at 200,000 articles). A resolution is a pure function of its key (the
name, its context, how it was read), so whether an entry is there changes how fast, never what,
a text resolves to: worker processes may each cache on their own and agree. A corrupt file is
set aside and rebuilt with a warning; the cache never stops an ingest.
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
# Bumped when the resolutions' keys change meaning: entries of another version are dropped.
# 2: the key says how the name was read (loose spellings, demonyms), so that a hit is exact.
FORMAT = "2"


class Recent:
    """A bounded memory of recent entries: two generations, the older dropped whole when the
    newer fills (cheaper per lookup than an LRU's bookkeeping). Values must not be None."""

    def __init__(self, size: int) -> None:
        self.size = size
        self._new: dict = {}
        self._old: dict = {}

    def __len__(self) -> int:
        return len(self._new) + len(self._old)

    def get(self, key):
        value = self._new.get(key)
        if value is None:
            value = self._old.get(key)
            if value is not None:
                self.put(key, value)
        return value

    def put(self, key, value) -> None:
        if len(self._new) >= self.size:
            self._old, self._new = self._new, {}
        self._new[key] = value


class ResolutionCache:
    """Name -> geocoder answer, and (name, context) -> place. Writes are batched: `flush()`.

    `read_only`: a worker process's view. It looks entries up in the file but never writes it;
    what it adds waits in `take_pending()` for the one process that writes (`merge`, `flush`).
    """

    def __init__(self, path: Path | None, index: str = "", *, read_only: bool = False,
                 memory: int = 20_000) -> None:
        """`index`: the fingerprint of the gazetteer index the answers come from. When the index
        has changed since (a user's places.csv, a GeoNames dump, an upgrade), the gazetteer's
        answers and every resolution are dropped: they would hide the new places. Answers of
        an online geocoder stay (asking again costs a second each). `memory`: how many recent
        entries of each table stay in memory."""
        self.path = path
        self.read_only = read_only
        self._geocodes = Recent(memory)
        self._resolutions = Recent(memory)
        self._pending_g: list[tuple] = []
        self._pending_r: list[tuple] = []
        if path is None:
            self._con = None
        elif read_only:
            self._con = sqlite3.connect(path, check_same_thread=False)
        else:
            self._con = self._open(path)
            if index:
                self._follow(f"{index}/{FORMAT}")

    def _open(self, path: Path) -> sqlite3.Connection:
        try:
            con = sqlite3.connect(path, check_same_thread=False)
            # a cache: a crash may lose its last batch, never corrupt it (WAL), and it need not
            # wait for the disk on every commit
            con.execute("PRAGMA journal_mode = WAL")
            con.execute("PRAGMA synchronous = NORMAL")
            con.executescript(_SCHEMA)
            con.execute("SELECT count(*) FROM meta").fetchone()
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

    def _lookup(self, sql: str, key: tuple):
        if self._con is None:
            return None
        try:
            return self._con.execute(sql, key).fetchone()
        except sqlite3.DatabaseError as exc:  # damaged under our feet: answer from scratch
            log.warning("resolution cache %s unreadable (%s); resolving without it", self.path, exc)
            self._con = None
            return None

    def geocode(self, source: str, key: str):
        """The cached answer (a list of JSON-able candidates), or None when never asked."""
        hit = self._geocodes.get((source, key))
        if hit is None:
            row = self._lookup("SELECT answer FROM geocodes WHERE source = ? AND key = ?", (source, key))
            if row is not None:
                hit = json.loads(row[0])
                self._geocodes.put((source, key), hit)
        return hit

    def put_geocode(self, source: str, key: str, answer: list) -> None:
        self._geocodes.put((source, key), answer)
        self._pending_g.append((source, key, json.dumps(answer)))

    def resolution(self, key: str, context: str):
        hit = self._resolutions.get((key, context))
        if hit is None:
            row = self._lookup("SELECT place_id, score FROM resolutions WHERE key = ? AND context = ?",
                               (key, context))
            if row is not None:
                hit = tuple(row)
                self._resolutions.put((key, context), hit)
        return hit

    def put_resolution(self, key: str, context: str, place_id: str | None, score: float) -> None:
        self._resolutions.put((key, context), (place_id, score))
        self._pending_r.append((key, context, place_id, score))
        if len(self._pending_r) >= 5000 and not self.read_only:
            self.flush()

    def take_pending(self) -> tuple[list, list]:
        """What was added since the last call (a worker's, for the writing process to `merge`)."""
        pending = self._pending_g, self._pending_r
        self._pending_g, self._pending_r = [], []
        return pending

    def merge(self, pending: tuple[list, list]) -> None:
        """Entries another process resolved, to be written with the next flush."""
        self._pending_g += pending[0]
        self._pending_r += pending[1]

    def flush(self) -> None:
        if self.read_only or not self._con or not (self._pending_g or self._pending_r):
            return
        try:
            with self._con:
                self._con.executemany("INSERT OR REPLACE INTO geocodes VALUES (?,?,?)",
                                      self._pending_g)
                self._con.executemany("INSERT OR REPLACE INTO resolutions VALUES (?,?,?,?)",
                                      self._pending_r)
        except sqlite3.DatabaseError as exc:  # damaged under our feet: go on without it
            log.warning("resolution cache %s unwritable (%s); resolving without it", self.path, exc)
            self._con = None
        self._pending_g.clear()
        self._pending_r.clear()
