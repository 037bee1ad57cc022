"""The store on a PostgreSQL server (`postgresql://user:password@host:5432/db`), through psycopg 3.

Same schema, SQL and transactions as the SQLite file (geodata.dialect renders the differences).
Writers take turns: every write transaction first takes one advisory lock, as SQLite's BEGIN
IMMEDIATE takes the file's write lock, so a feed follower, an upload and a correction never
interleave (a correction is seen by the next batch; the roll-up's counts add up). Readers never
wait: each statement reads the last committed state.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager
from typing import Iterable, Iterator

import psycopg
from psycopg.adapt import Loader

from geodata.database import Database, describe
from geodata.dialect import POSTGRES

WRITERS_LOCK = 7_013_402_915  # pg_advisory_xact_lock key of the store's write transactions
CONNECT_TIMEOUT_S = 10
STREAM_ROWS = 2000  # rows per round trip when streaming


class Row(tuple):
    """A result row read by position or by column name, like sqlite3.Row (dict(row) works)."""

    _index: dict[str, int] = {}

    def __getitem__(self, key):
        if isinstance(key, str):
            return tuple.__getitem__(self, self._index[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self._index)


def _row_factory(cursor: psycopg.Cursor):
    names = [c.name for c in cursor.description or ()]
    cls = type("Row", (Row,), {"_index": {n: i for i, n in enumerate(names)}})
    return cls


class _Number(Loader):
    """numeric (what sum() of integers gives) as int, or float if it has a fraction: as SQLite."""

    def load(self, data) -> int | float:
        text = bytes(data).decode()
        return int(text) if text.lstrip("-").isdigit() else float(text)


def _open(url: str, readonly: bool) -> psycopg.Connection:
    conn = psycopg.connect(url, autocommit=True, row_factory=_row_factory, connect_timeout=CONNECT_TIMEOUT_S)
    conn.adapters.register_loader("numeric", _Number)
    if readonly:
        conn.execute("SET default_transaction_read_only = on")
    return conn


class _Idle:
    """Open read-only connections kept for reuse (a new one costs ~10 ms; the page asks often)."""

    MAX = 8

    def __init__(self):
        self._lock = threading.Lock()
        self._idle: dict[str, list[psycopg.Connection]] = {}

    def take(self, url: str) -> psycopg.Connection:
        while True:
            with self._lock:
                conn = self._idle.get(url, []).pop() if self._idle.get(url) else None
            if conn is None:
                return _open(url, readonly=True)
            try:
                conn.execute("")  # alive? (a restarted server drops every connection)
                return conn
            except psycopg.Error:
                conn.close()

    def give(self, url: str, conn: psycopg.Connection) -> None:
        healthy = not conn.closed and conn.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
        with self._lock:
            idle = self._idle.setdefault(url, [])
            if healthy and len(idle) < self.MAX:
                idle.append(conn)
                return
        conn.close()


_READERS = _Idle()


class PostgresDatabase(Database):
    dialect = POSTGRES
    Error = psycopg.Error
    IntegrityError = psycopg.IntegrityError

    def __init__(self, url: str, readonly: bool = False):
        self.url, self.readonly = url, readonly
        self.location = describe(url)
        self.conn = _READERS.take(url) if readonly else _open(url, readonly=False)
        self._lock = threading.RLock()  # one transaction at a time on this connection

    def execute(self, sql: str, params=()):
        return self.conn.execute(self.dialect.sql(sql), params)

    def executemany(self, sql: str, rows: Iterable) -> None:
        with self.conn.cursor() as cur:
            cur.executemany(self.dialect.sql(sql), list(rows))

    def stream(self, sql: str, params=()) -> Iterator[Row]:
        with self.conn.cursor() as cur:
            yield from cur.stream(self.dialect.sql(sql), params, size=STREAM_ROWS)

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        with self._lock, self.conn.transaction():
            self.conn.execute("SELECT pg_advisory_xact_lock(%s)", (WRITERS_LOCK,))
            yield self

    def columns(self, table: str) -> list[str]:
        return [r[0] for r in self.conn.execute(
            "SELECT column_name FROM information_schema.columns"
            " WHERE table_schema = current_schema() AND table_name = %s ORDER BY ordinal_position",
            (table,),
        )]

    def close(self) -> None:
        if self.readonly:
            _READERS.give(self.url, self.conn)
        else:
            self.conn.close()
