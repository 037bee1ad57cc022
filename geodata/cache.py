"""The persistent resolution cache: one SQLite file in the data directory.

Two tables: what a geocoder answered for a name (so a second ingest asks it nothing), and which
place a name resolved to in a given context. Entries are looked up on disk by key and only
the most recent are kept in memory, so memory stays flat however large the cache grows (read
whole, it took 826 MB at 200,000 articles). A resolution is a pure function of its key (the
name, its context, how it was read), so whether an entry is there changes how fast, never what,
a text resolves to: worker processes may each cache on their own and agree. The cache never
stops an ingest: a damaged file is set aside and started afresh, a damaged entry asked again,
and a file that cannot be opened or written (a read-only data directory, a full disk) leaves
the run without it; each with one warning.
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
# 3: the gazetteer's answers and the resolutions are stored under the index they came from.
FORMAT = "3"


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


# SQLite's primary result codes that mean the file itself is damaged (not that it cannot be
# opened or written, which a new file would not mend)
_DAMAGE = {sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB}


def _damaged(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is None:  # no code (an error of the sqlite3 module itself): judge by the message
        return "malformed" in str(exc) or "not a database" in str(exc)
    return code & 0xFF in _DAMAGE


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
        an online geocoder stay (asking again costs a second each). The gazetteer's answers and
        the resolutions are also stored under the index's fingerprint, so that none is ever
        read under another index: not by a worker (which never drops), nor by a process opened
        after another one, still running on the old index, wrote it. `memory`: how many recent
        entries of each table stay in memory."""
        self.path = path
        self.read_only = read_only
        self._geocodes = Recent(memory)
        self._resolutions = Recent(memory)
        self._pending_g: list[tuple] = []
        self._pending_r: list[tuple] = []
        self._index = f"{index}/{FORMAT}" if index else ""
        self._tag = index[:16]  # the index an entry was made under, stored with it
        self._con = None
        if path is not None and read_only:
            self._con = sqlite3.connect(path, check_same_thread=False)
        elif path is not None:
            try:
                self._con = self._open(path)
            except sqlite3.Error as exc:
                self._recover(exc)

    def _open(self, path: Path) -> sqlite3.Connection:
        con = sqlite3.connect(path, check_same_thread=False)
        try:
            # a cache: a crash may lose its last batch, never corrupt it (WAL), and it need not
            # wait for the disk on every commit
            con.execute("PRAGMA journal_mode = WAL")
            con.execute("PRAGMA synchronous = NORMAL")
            con.executescript(_SCHEMA)
            for table in ("meta", "geocodes", "resolutions"):  # each table's first pages
                con.execute(f"SELECT * FROM {table} LIMIT 1").fetchall()
            if self._index:
                self._follow(con, self._index)
        except BaseException:
            con.close()
            raise
        return con

    def _recover(self, exc: sqlite3.Error) -> None:
        """After an error of the file: a damaged one is moved to .corrupt and a new one started;
        one that cannot be opened, written or moved is done without (nothing cached)."""
        if self._con is not None:
            self._con.close()
            self._con = None
        if self.read_only:
            log.warning("resolution cache %s unreadable (%s); resolving without it", self.path, exc)
            return
        if _damaged(exc):
            broken = self.path.with_suffix(".corrupt")
            try:
                self.path.replace(broken)
                for suffix in ("-wal", "-shm"):  # the old file's journal must not meet the new
                    self.path.with_name(self.path.name + suffix).unlink(missing_ok=True)
                self._con = self._open(self.path)
            except (OSError, sqlite3.Error) as error:
                exc = error
            else:
                log.warning("resolution cache %s is damaged (%s); moved to %s, and a new one started "
                            "(names are looked up again)", self.path, _one_line(exc), broken)
                return
        log.warning("resolution cache %s cannot be used (%s); this run goes on without it "
                    "(nothing is cached)", self.path, _one_line(exc))

    def _follow(self, con: sqlite3.Connection, index: str) -> None:
        row = con.execute("SELECT value FROM meta WHERE key = 'index'").fetchone()
        if row and row[0] == index:
            return
        with con:
            if row:
                log.info("the gazetteer index changed: its cached answers in %s are dropped", self.path)
            con.execute("DELETE FROM geocodes WHERE source LIKE 'gazetteer%'")
            con.execute("DELETE FROM resolutions")
            con.execute("INSERT OR REPLACE INTO meta VALUES ('index', ?)", (index,))

    def _lookup(self, sql: str, key: tuple):
        if self._con is None:
            return None
        try:
            return self._con.execute(sql, key).fetchone()
        except sqlite3.Error as exc:  # damaged under our feet
            self._recover(exc)
            return None

    def geocode(self, source: str, key: str):
        """The cached answer (a list of JSON-able candidates), or None when never asked."""
        hit = self._geocodes.get((source, key))
        if hit is None:
            row = self._lookup("SELECT answer FROM geocodes WHERE source = ? AND key = ?",
                               (self._source(source), key))
            if row is not None:
                try:
                    hit = json.loads(row[0])
                    if not (isinstance(hit, list) and all(isinstance(c, dict) for c in hit)):
                        raise ValueError("not a list of candidates")
                except (ValueError, TypeError, RecursionError) as exc:
                    log.warning("resolution cache %s: the answer kept for %r is damaged (%s); asked again",
                                self.path, key, exc)
                    return None
                self._geocodes.put((source, key), hit)
        return hit

    def put_geocode(self, source: str, key: str, answer: list) -> None:
        self._geocodes.put((source, key), answer)
        self._pending_g.append((self._source(source), key, json.dumps(answer)))

    def resolution(self, key: str, context: str):
        hit = self._resolutions.get((key, context))
        if hit is None:
            row = self._lookup("SELECT place_id, score FROM resolutions WHERE key = ? AND context = ?",
                               (key, self._context(context)))
            if row is not None:
                hit = tuple(row)
                self._resolutions.put((key, context), hit)
        return hit

    def put_resolution(self, key: str, context: str, place_id: str | None, score: float) -> None:
        self._resolutions.put((key, context), (place_id, score))
        self._pending_r.append((key, self._context(context), place_id, score))
        if len(self._pending_r) >= 5000 and not self.read_only:
            self.flush()

    def _source(self, source: str) -> str:
        """A geocoder's name on disk: the gazetteer's with its index (gazetteer-exact@1f3a...);
        an online geocoder's answers hold under any index."""
        return f"{source}@{self._tag}" if self._tag and source.startswith("gazetteer") else source

    def _context(self, context: str) -> str:
        """A resolution's context on disk: with the index it was resolved under."""
        return f"{self._tag}/{context}" if self._tag else context

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
        except sqlite3.Error as exc:  # damaged, or a full disk, a file made read-only meanwhile
            self._recover(exc)  # what was pending is lost: a cache, looked up again next time
        self._pending_g.clear()
        self._pending_r.clear()


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())
