"""The store's schema: geodata/schema.sql, created or brought up to date on open, on either backend.

schema.sql is the one place a table, column or index is declared, in SQLite's SQL. `ensure`
creates what is missing: a new table, a new index, and a column that an older store lacks (ALTER
TABLE ... ADD COLUMN, so a store written before the column existed opens and keeps its data).
geodata.dialect renders each statement for the backend (types, defaults, quoted names, NULLs
order in indexes).

Rules for schema.sql, so both backends read it: CREATE TABLE IF NOT EXISTS with one column per
line (`name TYPE constraints`, types INTEGER, REAL or TEXT); a column added later is nullable or
has a constant DEFAULT (SQLite cannot add a NOT NULL column without one); indexes as CREATE
INDEX IF NOT EXISTS; statements end with ';'.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from geodata.database import Database
from geodata.dialect import Dialect

SCHEMA = Path(__file__).with_name("schema.sql")

_CONSTRAINT = re.compile(r"^(PRIMARY\s+KEY|UNIQUE|FOREIGN\s+KEY|CHECK|CONSTRAINT)\b", re.I)
_TABLE = re.compile(r"^CREATE\s+TABLE\s+IF\s+NOT\s+EXISTS\s+(\w+)\s*\((.*)\)\s*([\w\s]*)$", re.I | re.S)
_INDEX = re.compile(r"^(CREATE\s+(?:UNIQUE\s+)?INDEX\s+IF\s+NOT\s+EXISTS\s+(\w+)\s+ON\s+\w+\s*)\((.*?)\)(.*)$",
                    re.I | re.S)


@dataclass(frozen=True)
class Column:
    name: str
    type: str
    rest: str  # constraints: NOT NULL, DEFAULT ..., REFERENCES ..., PRIMARY KEY

    def render(self, dialect: Dialect) -> str:
        rest = self.rest
        key = self.type.upper() == "INTEGER" and rest.upper().startswith("PRIMARY KEY")
        if key:
            rest = rest[len("PRIMARY KEY"):].strip()
        for sqlite_form, own in dialect.defaults.items():
            rest = rest.replace(sqlite_form, own)
        return " ".join(filter(None, (dialect.ident(self.name), dialect.column_type(self.type, key), rest)))


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[Column, ...]
    constraints: tuple[str, ...]
    suffix: str  # e.g. WITHOUT ROWID

    def render(self, dialect: Dialect) -> str:
        parts = [c.render(dialect) for c in self.columns] + list(self.constraints)
        suffix = "" if self.suffix.upper() in dialect.drop_suffixes else self.suffix
        return f"CREATE TABLE IF NOT EXISTS {self.name} (\n    " + ",\n    ".join(parts) + f"\n) {suffix}".rstrip()


def _strip_comments(sql: str) -> str:
    return re.sub(r"--[^\n]*", "", sql)


def _split(text: str, sep: str) -> list[str]:
    """Split at `sep` outside parentheses and quotes."""
    parts, depth, quote, current = [], 0, None, []
    for ch in text:
        if quote:
            quote = None if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append("".join(current).strip())
            current = []
            continue
        current.append(ch)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def _table(match: re.Match) -> Table:
    columns, constraints = [], []
    for part in _split(match.group(2), ","):
        part = " ".join(part.split())
        if _CONSTRAINT.match(part):
            constraints.append(part)
            continue
        name, type_, *rest = part.split(" ", 2)
        columns.append(Column(name.strip('"'), type_, rest[0] if rest else ""))
    return Table(match.group(1), tuple(columns), tuple(constraints), match.group(3).strip())


def _index(match: re.Match, dialect: Dialect) -> str:
    asc, desc = dialect.index_nulls
    columns = []
    for col in _split(match.group(3), ","):
        words = col.split()
        words[0] = dialect.ident(words[0].strip('"'))
        columns.append(" ".join(words) + (desc if words[-1].upper() == "DESC" else asc))
    return f"{match.group(1)}({', '.join(columns)}){match.group(4)}"


@lru_cache(maxsize=4)
def statements(dialect: Dialect) -> tuple[tuple[Table | str | None, str], ...]:
    """schema.sql as (what it declares, statement in this dialect), in file order: a Table, an
    index's name, or None for any other statement."""
    out = []
    for stmt in _split(_strip_comments(SCHEMA.read_text()), ";"):
        stmt = stmt.strip()
        if table := _TABLE.match(stmt):
            parsed = _table(table)
            out.append((parsed, parsed.render(dialect)))
        elif index := _INDEX.match(stmt):
            out.append((index.group(2), _index(index, dialect)))
        else:
            out.append((None, stmt))
    return tuple(out)


def tables() -> dict[str, Table]:
    """Every table schema.sql declares, by name (what the store should hold)."""
    from geodata.dialect import SQLITE

    return {t.name: t for t, _ in statements(SQLITE) if isinstance(t, Table)}


def ensure(db: Database) -> set[str]:
    """Create what is missing (tables, columns, indexes), in the open transaction; returns the
    tables that did not exist before (so the caller can fill one that is derived from others)."""
    created, indexes = set(), db.indexes()
    for declared, sql in statements(db.dialect):
        if isinstance(declared, Table):
            have = db.columns(declared.name)
            if not have:
                db.execute(sql)
                created.add(declared.name)
            for column in declared.columns if have else ():
                if column.name not in have:
                    db.execute(f"ALTER TABLE {declared.name} ADD COLUMN {column.render(db.dialect)}")
        elif declared is None or declared not in indexes:
            # (an index is made only when missing: PostgreSQL would lock its table to find it there)
            db.execute(sql)
    return created
