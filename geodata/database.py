"""A connection to the store, whichever backend holds it: the seam between its SQL and a driver.

`connect(location)` opens a SQLite file (a path, the default) or a PostgreSQL database (a
`postgresql://` URL, geodata.postgres). Both give one small interface, in the store's SQL
(geodata.dialect translates it): execute / executemany / stream, rows readable by position and
by name (`row[0]`, `row["id"]`, `dict(row)`), and write transactions that take turns with every
other writer of the store. (What changed since a read is the store's own data_version row.)
"""
from __future__ import annotations

import re
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Iterable, Iterator
from urllib.parse import urlsplit, urlunsplit

from geodata.dialect import SQLITE, Dialect, is_url
from geodata.paths import read_only_uri


class Database:
    """The interface both backends implement (SQLiteDatabase here, PostgresDatabase apart)."""

    dialect: Dialect
    location: str  # for messages: the path, or the URL without its password
    Error: type[Exception] = Exception  # the driver's base error
    IntegrityError: type[Exception] = Exception

    def execute(self, sql: str, params=()):
        """Run one statement; returns a cursor (iterate it, fetchone, fetchall, rowcount)."""
        raise NotImplementedError

    def executemany(self, sql: str, rows: Iterable) -> None:
        raise NotImplementedError

    def stream(self, sql: str, params=()) -> Iterator:
        """The rows of a query, fetched as they are read (an export never holds them all)."""
        raise NotImplementedError

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """A write transaction: committed at the end, rolled back on any error, one writer at a time."""
        raise NotImplementedError

    def columns(self, table: str) -> list[str]:
        """The columns `table` has now ([] when there is no such table), for migrations."""
        raise NotImplementedError

    def indexes(self) -> set[str]:
        """The names of the indexes there are now, for migrations."""
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class SQLiteDatabase(Database):
    """One SQLite file in WAL mode: readers go on while one writer writes."""

    dialect = SQLITE
    Error = sqlite3.Error
    IntegrityError = sqlite3.IntegrityError

    def __init__(self, path: str | Path, readonly: bool = False):
        self.path = Path(path)
        self.location = str(path)
        if readonly:  # the page's reads: never a write through this connection
            self.conn = sqlite3.connect(read_only_uri(path), uri=True, check_same_thread=False)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # Autocommit mode: transactions are explicit (see transaction), never implicit.
            self.conn = sqlite3.connect(self.path, isolation_level=None, check_same_thread=False)
            self.conn.execute("PRAGMA busy_timeout = 30000")  # another writer's turn: wait
            self.conn.execute("PRAGMA journal_mode = WAL")
            self.conn.execute("PRAGMA synchronous = NORMAL")  # WAL keeps it crash-safe
            self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.row_factory = sqlite3.Row
        self._lock = threading.Lock()  # one writer at a time on this shared connection

    def execute(self, sql: str, params=()):
        return self.conn.execute(sql, params)

    def executemany(self, sql: str, rows: Iterable) -> None:
        self.conn.executemany(sql, rows)

    def stream(self, sql: str, params=()) -> Iterator[sqlite3.Row]:
        yield from self.conn.execute(sql, params)

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """BEGIN IMMEDIATE ... COMMIT: the write lock from the start, so writers never deadlock."""
        with self._lock:
            self.conn.execute("BEGIN IMMEDIATE")
            try:
                yield self
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            self.conn.execute("COMMIT")

    def columns(self, table: str) -> list[str]:
        return [r[1] for r in self.conn.execute("SELECT * FROM pragma_table_info(?)", (table,))]

    def indexes(self) -> set[str]:
        return {r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'index'")}

    def close(self) -> None:
        self.conn.close()


def connect(location: str | Path, *, readonly: bool = False) -> Database:
    """The store at `location`: a PostgreSQL URL, else a SQLite file's path."""
    if is_url(str(location)):
        from geodata.postgres import PostgresDatabase  # psycopg loads only for a server

        return PostgresDatabase(str(location), readonly=readonly)
    return SQLiteDatabase(location, readonly=readonly)


# A URL's query parameters that hold a secret (libpq takes `?password=` as it takes user:pw@)
_SECRET_PARAMS = re.compile(r"(^|&)((?:ssl)?password)=[^&]*", re.IGNORECASE)


def describe(location: str | Path) -> str:
    """The location as it may be shown, logged or kept: a URL's password (user:password@ or a
    password= parameter) is replaced by ***."""
    location = str(location)
    if not is_url(location):
        return location
    parts = urlsplit(location)
    netloc = parts.netloc
    if parts.password is not None:
        userinfo, _, host = netloc.rpartition("@")
        netloc = f"{userinfo.partition(':')[0]}:***@{host}"
    return urlunsplit(parts._replace(netloc=netloc, query=_SECRET_PARAMS.sub(r"\1\2=***", parts.query)))
