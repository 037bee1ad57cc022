"""The followed sources and the items they listed, kept in the store (follow_sources, follow_items).

An item is written as pending the moment its listing is read, and marked stored only after its
article is in the store, so a process killed anywhere between resumes with nothing lost; an
item once stored is never fetched again, unless its listing entry changes (an edit).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from geodata.exceptions import RefusedURL
from geodata.follow.addresses import check_url
from geodata.follow.listing import Entry

WAITING = ("pending", "edited")  # states of items still to fetch


def now_utc() -> datetime:
    return datetime.now(timezone.utc)


def stamp(when: datetime) -> str:
    """ISO 8601 UTC to the second: sorts as text on every backend."""
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_stamp(text: str | None) -> datetime | None:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc) if text else None


@dataclass(frozen=True)
class Item:
    url: str
    source_url: str
    title: str
    published: str | None
    summary: str
    state: str
    attempts: int


# -- sources --------------------------------------------------------------------------------


def add(store, url: str, name: str = "", when: datetime | None = None) -> bool:
    """Follow `url`; False when it is followed already (its name is then updated if given)."""
    url = check_url(url)
    with store.transaction() as conn:
        if conn.execute("SELECT 1 FROM follow_sources WHERE url = :u", {"u": url}).fetchone():
            if name:
                conn.execute("UPDATE follow_sources SET name = :n WHERE url = :u", {"n": name, "u": url})
            return False
        conn.execute("INSERT INTO follow_sources (url, name, added_at) VALUES (:u, :n, :t)",
                     {"u": url, "n": name.strip(), "t": stamp(when or now_utc())})
    return True


def remove(store, key: str) -> str | None:
    """Stop following the source with this URL or name; its stored articles stay. Returns the
    URL removed, or None. Items it listed that were never stored are forgotten."""
    with store.transaction() as conn:
        row = conn.execute("SELECT url FROM follow_sources WHERE url = :k OR name = :k ORDER BY url",
                           {"k": key.strip()}).fetchone()
        if row is None:
            return None
        conn.execute("DELETE FROM follow_items WHERE source_url = :u AND state != 'stored'", {"u": row[0]})
        conn.execute("DELETE FROM follow_sources WHERE url = :u", {"u": row[0]})
    return row[0]


def sources(conn) -> list[dict]:
    """Every followed source with its state, by name then URL; `waiting` counts its items still
    to fetch."""
    rows = conn.execute(
        """SELECT s.url, s.name, s.kind, s.added_at, s.last_fetched, s.last_ok, s.last_error,
                  s.failures, s.next_due, s.new_items, s.total_items,
                  (SELECT count(*) FROM follow_items i
                   WHERE i.source_url = s.url AND i.state IN ('pending', 'edited')) AS waiting
           FROM follow_sources s ORDER BY s.name = '', s.name, s.url""").fetchall()
    return [dict(zip(("url", "name", "kind", "added_at", "last_fetched", "last_ok", "last_error",
                      "failures", "next_due", "new_items", "total_items", "waiting"), r)) for r in rows]


def last_update(conn) -> str | None:
    """When a source was last read successfully (the page's "updated N minutes ago")."""
    row = conn.execute("SELECT max(last_ok) FROM follow_sources").fetchone()
    return row[0] if row else None


def is_due(source: dict, when: datetime) -> bool:
    """Whether the source's listing is to be read now: never read, or its next time has come."""
    return not source["next_due"] or source["next_due"] <= stamp(when)


def due(conn, when: datetime) -> list[dict]:
    """Sources with work now: their listing is due, or items are waiting (a killed round's)."""
    return [s for s in sources(conn) if is_due(s, when) or s["waiting"]]


def validators(conn, url: str) -> tuple[str, str]:
    row = conn.execute("SELECT etag, last_modified FROM follow_sources WHERE url = :u", {"u": url}).fetchone()
    return (row[0], row[1]) if row else ("", "")


def fetched(store, url: str, when: datetime, every: float, *, kind: str = "", name: str = "",
            etag: str | None = None, last_modified: str | None = None) -> None:
    """The source was read (200 or 304): errors reset, next read after `every` seconds."""
    with store.transaction() as conn:
        conn.execute(
            """UPDATE follow_sources SET last_fetched = :t, last_ok = :t, last_error = '', failures = 0,
                   next_due = :due, kind = CASE WHEN :kind = '' THEN kind ELSE :kind END,
                   name = CASE WHEN name = '' THEN :name ELSE name END,
                   etag = coalesce(:etag, etag), last_modified = coalesce(:lm, last_modified)
               WHERE url = :u""",
            {"t": stamp(when), "due": stamp(when + timedelta(seconds=every)), "kind": kind,
             "name": name, "etag": etag, "lm": last_modified, "u": url})


def failed(store, url: str, when: datetime, error: str, backoff: float) -> None:
    """The source could not be read: the error kept, the next try `backoff` seconds away."""
    with store.transaction() as conn:
        conn.execute(
            """UPDATE follow_sources SET last_fetched = :t, last_error = :e, failures = failures + 1,
                   next_due = :due WHERE url = :u""",
            {"t": stamp(when), "e": error[:500], "due": stamp(when + timedelta(seconds=backoff)), "u": url})


def failures(conn, url: str) -> int:
    row = conn.execute("SELECT failures FROM follow_sources WHERE url = :u", {"u": url}).fetchone()
    return row[0] if row else 0


def counted(store, url: str, stored: int) -> None:
    """Articles stored from this source in its round (`new_items`) and since it was added."""
    with store.transaction() as conn:
        conn.execute("UPDATE follow_sources SET new_items = :n, total_items = total_items + :n WHERE url = :u",
                     {"n": stored, "u": url})


# -- items ----------------------------------------------------------------------------------


def listed(store, source_url: str, entries: list[Entry], when: datetime) -> tuple[int, int]:
    """Record a listing's entries: new ones pending, edited stored ones to fetch again.
    Returns (new, edited)."""
    new = edited = 0
    with store.transaction() as conn:
        for entry in entries:
            try:
                check_url(entry.url)
            except RefusedURL:
                continue  # a javascript: or mailto: link in a feed is no article
            row = conn.execute("SELECT state, fingerprint FROM follow_items WHERE url = :u",
                               {"u": entry.url}).fetchone()
            values = {"u": entry.url, "s": source_url, "ti": entry.title, "p": entry.published,
                      "su": entry.summary, "f": entry.fingerprint, "t": stamp(when)}
            if row is None:
                conn.execute(
                    """INSERT INTO follow_items (url, source_url, title, published, summary, fingerprint, seen_at)
                       VALUES (:u, :s, :ti, :p, :su, :f, :t)""", values)
                new += 1
            elif row[0] == "stored" and entry.fingerprint and row[1] != entry.fingerprint:
                conn.execute(
                    """UPDATE follow_items SET state = 'edited', title = :ti, published = :p, summary = :su,
                           fingerprint = :f, attempts = 0, error = '' WHERE url = :u""", values)
                edited += 1
    return new, edited


def waiting(conn, source_url: str) -> list[Item]:
    """The source's items still to fetch, oldest first (a killed round's leftovers too)."""
    rows = conn.execute(
        """SELECT url, source_url, title, published, summary, state, attempts FROM follow_items
           WHERE source_url = :s AND state IN ('pending', 'edited') ORDER BY seen_at, url""",
        {"s": source_url}).fetchall()
    return [Item(*r) for r in rows]


def done(store, url: str, state: str, when: datetime, error: str = "") -> None:
    """An item's end: 'stored', or 'failed' (given up, with the reason)."""
    with store.transaction() as conn:
        conn.execute("UPDATE follow_items SET state = :st, error = :e, done_at = :t WHERE url = :u",
                     {"st": state, "e": error[:500], "t": stamp(when), "u": url})


def retry_later(store, url: str, error: str) -> int:
    """A failed attempt at an item that may succeed later; returns its attempts so far."""
    with store.transaction() as conn:
        conn.execute("UPDATE follow_items SET attempts = attempts + 1, error = :e WHERE url = :u",
                     {"e": error[:500], "u": url})
        return conn.execute("SELECT attempts FROM follow_items WHERE url = :u", {"u": url}).fetchone()[0]
