"""The store: articles, their mentions and places, and users' corrections.

One Store class over either backend (geodata.database): a SQLite file (a path, the default) or
a PostgreSQL database (a postgresql:// URL). The SQL is written once; geodata.dialect renders
what differs. Writes only: every change is one transaction, so a process killed mid-ingest
leaves whole articles or none, and bumps the data version in that same transaction
(`data_version`, read by geodata.queries.data_version: the page's caches last exactly as long as
the data). The page's read queries live in geodata.queries, over `Store.conn`;
corrections are written through geodata.corrections (scopes, log, undo), in this store's
transactions.
"""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from itertools import groupby
from pathlib import Path
from typing import Iterable, Iterator

from geodata import corrections as _corrections
from geodata import rollup, schema, stories
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
# The articles whose counts a correction can change (rollup.recounted): those naming the corrected
# name in its context (every scope stays inside them), and those an undone correction changed.
_NAMED_IN = "SELECT article_id FROM mentions WHERE norm = :norm AND context = :context"
_CHANGED_BY = "SELECT article_id FROM correction_changes WHERE correction_id = :correction"


class Store:
    """The store at `location`: a SQLite file's path, or a `postgresql://` URL.

    Opening creates the schema, or adds what an older store lacks (geodata.schema). `conn` is
    open for readers (geodata.queries): rows read by position or by name.
    """

    def __init__(self, location: str | Path):
        self.location = describe(location)
        self.path = self.location  # the name callers have long used (never holding a password)
        try:
            self.conn: Database = connect(location)
        except Exception as exc:  # the driver's own error: no such server, no access, no directory
            raise StoreError(f"cannot open the store {self.location}: {exc}") from exc
        try:
            with self.conn.transaction() as db:
                before = db.columns("articles")
                missing = schema.ensure(db) & {r.table for r in rollup.ROLLUPS}
                if missing:  # a store from before them: they are counted once
                    rollup.rebuild(db, missing)
                # a new store (or one from before the counter) gets its token once
                db.execute("INSERT INTO data_version (id, token, version) VALUES ('store', ?, 0)"
                           " ON CONFLICT (id) DO NOTHING", (uuid.uuid4().hex,))
                older = before and "date_source" not in before  # from before dates kept their source
                if older:
                    _date_sources(db)
                if _corrections.migrate(db) or older:
                    self._changed(db)
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

    @contextmanager
    def transaction(self) -> Iterator[Database]:
        """A write transaction for modules with tables of their own (geodata.stories,
        geodata.follow); it bumps the data version like every other write."""
        with self._transaction() as db:
            yield db
            self._changed(db)

    # --- articles ------------------------------------------------------------------------------

    def has(self, article_id: str) -> bool:
        """Whether an article with this id is stored (so callers can skip parsing it)."""
        return self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None

    def add(self, article: Article, mentions: Iterable[Mention]) -> bool:
        """Store one article with its mentions; False (and nothing added) if its id is stored."""
        return self.add_many([(article, list(mentions))])[0]

    def add_many(self, items: Iterable[tuple[Article, Iterable[Mention]]]) -> list[bool]:
        """Store a batch in one transaction; per item, whether it was new.

        Users' "every mention" corrections apply to the new mentions (geodata.corrections),
        every spelling a place was found under is recorded in place_names, and a mention without
        a role gets one from the article's text.
        """
        items = [(article, _with_roles(article, list(mentions))) for article, mentions in items]
        added: list[bool] = []
        places: dict[str, Place] = {}
        mention_rows, name_rows = [], set()
        with self._transaction() as conn:
            for article, mentions in items:
                cursor = conn.execute(
                    # ON CONFLICT, not OR IGNORE: only a known id is skipped; bad rows still fail.
                    "INSERT INTO articles (id, title, source, url, published, date_source, text, origin)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING",
                    (article.id, article.title, article.source, article.url, article.date,
                     article.dated_by, article.text, article.origin),
                )
                added.append(cursor.rowcount == 1)
                if not added[-1]:
                    continue
                for mention in mentions:
                    mention_rows.append(_mention_row(article, mention))
                    if mention.place is not None:
                        places[mention.place.id] = mention.place
                        name_rows.add((mention.place.id, mention.surface))
            _upsert_places(conn, places.values())
            conn.executemany(_MENTION_INSERT, mention_rows)
            conn.executemany(_NAME_INSERT, sorted(name_rows))
            new = [a.id for (a, _), fresh in zip(items, added) if fresh]
            _corrections.apply_rules(conn, new)
            rollup.add(conn, new)  # after the rules: the counts are of the corrected mentions
            if any(added):
                self._changed(conn)
        return added

    def delete(self, article_id: str) -> bool:
        """Remove an article and its mentions; False if there was none. Places stay (shared)."""
        with self._transaction() as conn:
            story = conn.execute("SELECT story_id FROM story_members WHERE article_id = ?", (article_id,)).fetchone()
            with rollup.recounted(conn, ":id", {"id": article_id}):
                conn.execute("DELETE FROM mentions WHERE article_id = ?", (article_id,))
                deleted = conn.execute("DELETE FROM articles WHERE id = ?", (article_id,)).rowcount == 1
            if story is not None:  # its membership went with it: another copy may stand for the story now
                stories.stand(conn, [story[0]])
            if deleted:
                self._changed(conn)
            return deleted

    def assign_roles(self, batch: int = 500) -> int:
        """Give every mention stored without a role its role, read from the stored text (a store
        from before roles); returns how many. One transaction for all, the roll-ups counted anew
        at its end: a stopped run leaves the store as it was, and one pass over the roll-ups
        costs far less than moving each batch's counts (on 2 million mentions, minutes against
        hours). Texts are read `batch` articles at a time."""
        from geodata.roles import classifier

        done, after = 0, ""
        with self._transaction() as conn:
            while True:
                # every article once, in id order (walking mentions for role IS NULL would read
                # them all again for each batch)
                ids = [r[0] for r in conn.execute(
                    "SELECT id FROM articles WHERE id > :after ORDER BY id LIMIT :n", {"after": after, "n": batch})]
                if not ids:
                    break
                after = ids[-1]
                marks = {f"a{i}": a for i, a in enumerate(ids)}
                among = ", ".join(":" + k for k in marks)
                texts = dict(conn.execute(f"SELECT id, text FROM articles WHERE id IN ({among})", marks).fetchall())
                updates = []
                for article_id, group in groupby(conn.execute(
                        f'SELECT id, article_id, start, "end", sent_start, sent_end, kind FROM mentions'
                        f" WHERE role IS NULL AND article_id IN ({among}) ORDER BY article_id, start",
                        marks).fetchall(), key=lambda r: r["article_id"]):
                    group = list(group)
                    mentions = [Mention(r["start"], r["end"], "", r["sent_start"], r["sent_end"], r["kind"])
                                for r in group]
                    roles = classifier().classify(texts[article_id], mentions)
                    updates += [(role.role, role.event_type, *(role.trigger or (None, None)), r["id"])
                                for r, role in zip(group, roles)]
                conn.executemany("UPDATE mentions SET role = ?, event_type = ?, trigger_start = ?, trigger_end = ?"
                                 " WHERE id = ?", updates)
                done += len(updates)
            if done:
                rollup.rebuild(conn)
                self._changed(conn)
        return done

    # --- corrections (geodata.corrections) --------------------------------------------------------

    def correct(self, mention_id: int, place: Place | None, scope: str = "name",
                who: str = "local") -> _corrections.Correction:
        """A user's fix of one mention: it is `place` (None: not a place at all), for the mentions
        in `scope` ("mention", "article", or "name": every mention of the name in this context,
        now and in later ingests). Logged, and undone exactly by `undo_correction`."""
        with self._transaction() as conn:
            if place is not None:
                _upsert_places(conn, [place])
            mention = conn.execute("SELECT norm, context FROM mentions WHERE id = :id", {"id": mention_id}).fetchone()
            # every scope changes mentions of this name in this context only: their articles recounted
            key = {"norm": mention[0], "context": mention[1]} if mention else {"norm": None, "context": None}
            with rollup.recounted(conn, _NAMED_IN, key):
                done = _corrections.apply(conn, mention_id, scope, place.id if place else None, who)
            self._changed(conn)
            return done

    def undo_correction(self, correction_id: int, who: str = "local") -> int:
        """Undo a logged correction; how many mentions got their previous resolution back."""
        with self._transaction() as conn:
            with rollup.recounted(conn, _CHANGED_BY, {"correction": correction_id}):
                restored = _corrections.undo(conn, correction_id, who)
            self._changed(conn)
            return restored

    def corrections(self) -> dict[tuple[str, str], str | None]:
        """Every "every mention" rule: (norm, context) -> place id, or None for "not a place"."""
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


def _upsert_places(conn: Database, places: Iterable[Place]) -> None:
    """Store places, new or updated. A place whose kind changes (a rebuilt gazetteer, a user's
    own) moves its articles' counts between kinds in the roll-ups."""
    places = list(places)
    marks = {f"p{i}": p.id for i, p in enumerate(places)}
    stored: dict[str, str] = {}
    if marks:
        stored = dict(conn.execute(
            f"SELECT id, kind FROM places WHERE id IN ({', '.join(':' + k for k in marks)})", marks).fetchall())
    moved = {k: p.id for k, p in zip(marks, places) if stored.get(p.id, p.kind) != p.kind}
    rows = [_place_row(p) for p in places]
    if not moved:
        conn.executemany(_PLACE_UPSERT, rows)
        return
    touched = f"SELECT article_id FROM mentions WHERE place_id IN ({', '.join(':' + k for k in moved)})"
    with rollup.recounted(conn, touched, moved):
        conn.executemany(_PLACE_UPSERT, rows)


def _date_sources(db: Database) -> None:
    """Where an older store's dates came from, where that can still be told: the URL or the
    dateline gives the same date again. Any other date stays "not recorded" (NULL): it came from
    the metadata or, before dates were read from the top only, from the body."""
    from geodata.articles import find_date  # heavy imports, needed once per older store

    db.execute("UPDATE articles SET date_source = 'unknown' WHERE published IS NULL")
    for article_id, url, text, published in db.execute(
            "SELECT id, url, text, published FROM articles WHERE published IS NOT NULL").fetchall():
        found, source = find_date(None, url, text)
        if found == published:
            db.execute("UPDATE articles SET date_source = ? WHERE id = ?", (source, article_id))


def _with_roles(article: Article, mentions: list[Mention]) -> list[Mention]:
    """The mentions with their roles: the parser gives them; mentions from elsewhere (a batch's
    files, another parser) get them here, from the article's text (geodata.roles)."""
    if not any(m.role is None for m in mentions):
        return mentions
    from geodata.roles import assign

    return assign(article.text, mentions)



def _norm(m: Mention) -> str:
    # A parser that leaves norm empty still gets a usable correction key.
    return m.norm or m.surface.casefold()


def _mention_row(article: Article, m: Mention) -> tuple:
    return (article.id, m.start, m.end, m.surface, m.sent_start, m.sent_end, _norm(m), m.context,
            m.kind, m.place.id if m.place else None, m.score, "auto", article.date, m.role, m.event_type,
            *(m.trigger or (None, None)))


def _place_row(p: Place) -> tuple:
    return (p.id, p.geonameid, p.name, p.kind, p.country, p.admin1, p.lat, p.lon, p.population)
