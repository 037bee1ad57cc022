"""The store: articles, their mentions and places, and users' corrections.

One Store class over either backend (geodata.database): a SQLite file (a path, the default) or
a PostgreSQL database (a postgresql:// URL). The SQL is written once; geodata.dialect renders
what differs. Writes only: every change is one transaction, so a process killed mid-ingest
leaves whole articles or none, and bumps the data version in that same transaction
(`data_version`, read by geodata.queries.data_version: the page's caches last exactly as long as
the data). The page's read queries live in geodata.queries, over `Store.conn`.
"""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from datetime import datetime, timezone
from itertools import groupby
from pathlib import Path
from typing import Iterable, Iterator

from geodata import schema
from geodata.database import Database, connect, describe
from geodata.exceptions import StoreError
from geodata.model import Article, Mention, Place

_PLACE_UPSERT = """
    INSERT INTO places (id, geonameid, name, kind, country, admin1, lat, lon, population)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (id) DO UPDATE SET geonameid = excluded.geonameid, name = excluded.name,
        kind = excluded.kind, country = excluded.country, admin1 = excluded.admin1,
        lat = excluded.lat, lon = excluded.lon, population = excluded.population
"""
_MENTION_INSERT = """
    INSERT INTO mentions (article_id, start, "end", surface, sent_start, sent_end, norm, context,
                          kind, place_id, score, status, day, role, event_type, trigger_start,
                          trigger_end)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
"""
_NAME_INSERT = "INSERT INTO place_names (place_id, name) VALUES (?, ?) ON CONFLICT DO NOTHING"


class Store:
    """The store at `location`: a SQLite file's path, or a `postgresql://` URL.

    Opening creates the schema, or adds what an older store lacks (geodata.schema). `conn` is
    open for readers (geodata.queries): rows read by position or by name.
    """

    def __init__(self, location: str | Path):
        self.location = describe(location)
        self.path = location  # the name callers have long used
        try:
            self.conn: Database = connect(location)
        except Exception as exc:  # the driver's own error: no such server, no access, no directory
            raise StoreError(f"cannot open the store {self.location}: {exc}") from exc
        try:
            with self.conn.transaction() as db:
                schema.ensure(db)
                # a new store (or one from before the counter) gets its token once
                db.execute("INSERT INTO data_version (id, token, version) VALUES ('store', ?, 0)"
                           " ON CONFLICT (id) DO NOTHING", (uuid.uuid4().hex,))
        except Exception as exc:  # e.g. a file that is not a database
            self.conn.close()
            raise StoreError(f"cannot open the store {self.location}: {exc}") from exc
        # a store written before mention roles: its mentions get them now, from the stored text
        if self.conn.execute("SELECT 1 FROM mentions WHERE role IS NULL LIMIT 1").fetchone():
            self.assign_roles()

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _transaction(self) -> Iterator[Database]:
        """One write transaction, rolled back on any error; writers take turns (see database)."""
        with self.conn.transaction() as db:
            yield db

    @staticmethod
    def _changed(db: Database) -> None:
        """Every write that changes the data calls this inside its transaction: the page's caches
        key on the counter, so they last exactly as long as the data (and no longer)."""
        db.execute("UPDATE data_version SET version = version + 1 WHERE id = 'store'")

    # --- articles ------------------------------------------------------------------------------

    def has(self, article_id: str) -> bool:
        """Whether an article with this id is stored (so callers can skip parsing it)."""
        return self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None

    def add(self, article: Article, mentions: Iterable[Mention]) -> bool:
        """Store one article with its mentions; False (and nothing added) if its id is stored."""
        return self.add_many([(article, list(mentions))])[0]

    def add_many(self, items: Iterable[tuple[Article, Iterable[Mention]]]) -> list[bool]:
        """Store a batch in one transaction; per item, whether it was new.

        Users' corrections apply to the new mentions (same normalised name and context), every
        spelling a place was found under is recorded in place_names, and a mention without a role
        gets one from the article's text.
        """
        items = [(article, _with_roles(article, list(mentions))) for article, mentions in items]
        added: list[bool] = []
        places: dict[str, Place] = {}
        mention_rows, name_rows = [], set()
        with self._transaction() as conn:
            corrections = self.corrections()
            for article, mentions in items:
                cursor = conn.execute(
                    # ON CONFLICT, not OR IGNORE: only a known id is skipped; bad rows still fail.
                    "INSERT INTO articles (id, title, source, url, published, text, origin)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                    (article.id, article.title, article.source, article.url, article.date,
                     article.text, article.origin),
                )
                added.append(cursor.rowcount == 1)
                if not added[-1]:
                    continue
                for mention in mentions:
                    place_id, status, score = _resolution(mention, corrections)
                    mention_rows.append(_mention_row(article, mention, place_id, status, score))
                    if mention.place is not None and place_id == mention.place.id:
                        places[place_id] = mention.place
                    if place_id is not None:
                        name_rows.add((place_id, mention.surface))
            conn.executemany(_PLACE_UPSERT, [_place_row(p) for p in places.values()])
            conn.executemany(_MENTION_INSERT, mention_rows)
            conn.executemany(_NAME_INSERT, sorted(name_rows))
            if any(added):
                self._changed(conn)
        return added

    def delete(self, article_id: str) -> bool:
        """Remove an article and its mentions; False if there was none. Places stay (shared)."""
        with self._transaction() as conn:
            conn.execute("DELETE FROM mentions WHERE article_id = ?", (article_id,))
            deleted = conn.execute("DELETE FROM articles WHERE id = ?", (article_id,)).rowcount == 1
            if deleted:
                self._changed(conn)
            return deleted

    def assign_roles(self) -> int:
        """Give every mention stored without a role its role, read from the stored text (a store
        from before roles); returns how many. One transaction per article."""
        from geodata.roles import classifier

        rows = self.conn.execute(
            'SELECT id, article_id, start, "end", sent_start, sent_end, kind FROM mentions'
            " WHERE role IS NULL ORDER BY article_id, start").fetchall()
        for article_id, group in groupby(rows, key=lambda r: r["article_id"]):
            group = list(group)
            text = self.conn.execute("SELECT text FROM articles WHERE id = ?", (article_id,)).fetchone()[0]
            mentions = [Mention(r["start"], r["end"], "", r["sent_start"], r["sent_end"], r["kind"])
                        for r in group]
            roles = classifier().classify(text, mentions)
            with self._transaction() as conn:
                conn.executemany(
                    "UPDATE mentions SET role = ?, event_type = ?, trigger_start = ?, trigger_end = ?"
                    " WHERE id = ?",
                    [(role.role, role.event_type, *(role.trigger or (None, None)), r["id"])
                     for r, role in zip(group, roles)])
        return len(rows)

    # --- corrections ---------------------------------------------------------------------------

    def correct(self, mention_id: int, place: Place | None) -> int:
        """A user's fix: this name in this context is `place` (None: not a place at all).

        Kept in corrections by (norm, context) and applied at once to every stored mention with
        the same norm and context; later ingests apply it too. Returns how many mentions changed.
        """
        with self._transaction() as conn:
            row = conn.execute("SELECT norm, context FROM mentions WHERE id = ?", (mention_id,)).fetchone()
            if row is None:
                raise StoreError(f"no mention {mention_id} in {self.location}")
            key = (row["norm"], row["context"])
            place_id = None
            if place is not None:
                conn.execute(_PLACE_UPSERT, _place_row(place))
                place_id = place.id
            conn.execute(
                "INSERT INTO corrections (name, context, place_id) VALUES (?, ?, ?)"
                " ON CONFLICT (name, context) DO UPDATE SET place_id = excluded.place_id,"
                " created_at = ?",
                (*key, place_id, _now()),
            )
            status, score = _corrected(place_id)
            changed = conn.execute(
                "UPDATE mentions SET place_id = ?, status = ?, score = coalesce(?, score)"
                " WHERE norm = ? AND context = ?",
                (place_id, status, score, *key),
            ).rowcount
            if place_id is not None:
                conn.execute(
                    "INSERT INTO place_names (place_id, name)"
                    " SELECT DISTINCT place_id, surface FROM mentions WHERE norm = ? AND context = ?"
                    " ON CONFLICT DO NOTHING",
                    key,
                )
            self._changed(conn)
        return changed

    def corrections(self) -> dict[tuple[str, str], str | None]:
        """Every correction: (norm, context) -> place id, or None for "not a place"."""
        return {(r[0], r[1]): r[2] for r in self.conn.execute("SELECT name, context, place_id FROM corrections")}

    # --- figures -------------------------------------------------------------------------------

    def counts(self) -> dict[str, int]:
        """How much the store holds: articles, mentions, resolved mentions, places, corrections."""
        row = self.conn.execute(
            """SELECT (SELECT count(*) FROM articles), (SELECT count(*) FROM mentions),
                      (SELECT count(*) FROM mentions WHERE place_id IS NOT NULL),
                      (SELECT count(DISTINCT place_id) FROM mentions), (SELECT count(*) FROM corrections)"""
        ).fetchone()
        return dict(zip(("articles", "mentions", "resolved", "places", "corrections"), row))


def _now() -> str:
    """UTC time as the schema's defaults write it (yyyy-mm-dd hh:mm:ss), on either backend."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _with_roles(article: Article, mentions: list[Mention]) -> list[Mention]:
    """The mentions with their roles: the parser gives them; mentions from elsewhere (a batch's
    files, another parser) get them here, from the article's text (geodata.roles)."""
    if not any(m.role is None for m in mentions):
        return mentions
    from geodata.roles import assign

    return assign(article.text, mentions)


def _corrected(place_id: str | None) -> tuple[str, float | None]:
    """Status and score of a corrected mention: a user's pin is certain; a rejection keeps its score."""
    return ("corrected", 1.0) if place_id is not None else ("rejected", None)


def _norm(m: Mention) -> str:
    # A parser that leaves norm empty still gets a usable correction key.
    return m.norm or m.surface.casefold()


def _resolution(m: Mention, corrections: dict) -> tuple[str | None, str, float]:
    """(place id, status, score) of a new mention: the parser's, unless a user corrected it."""
    key = (_norm(m), m.context)
    if key not in corrections:
        return (m.place.id if m.place else None), "auto", m.score
    status, score = _corrected(corrections[key])
    return corrections[key], status, m.score if score is None else score


def _mention_row(article: Article, m: Mention, place_id: str | None, status: str, score: float) -> tuple:
    return (article.id, m.start, m.end, m.surface, m.sent_start, m.sent_end, _norm(m), m.context,
            m.kind, place_id, score, status, article.date, m.role, m.event_type,
            *(m.trigger or (None, None)))


def _place_row(p: Place) -> tuple:
    return (p.id, p.geonameid, p.name, p.kind, p.country, p.admin1, p.lat, p.lon, p.population)
