"""Read-only queries over the store, for the page and the CLI's export.

Every function takes an open store connection (`connect`: a SQLite file or a PostgreSQL
database, geodata.database) and a `Filter`, and returns plain data (dicts, lists): no streamlit
here, so the page can cache the results and the CLI can reuse them. The SQL is written once, in
SQLite's form with :named parameters; geodata.dialect renders it for PostgreSQL.
A mention counts when it is resolved and not rejected by a user's correction.
"""
from __future__ import annotations

import shlex
from dataclasses import dataclass, replace
from typing import Iterable

from rapidfuzz import fuzz, process

from geodata import database
from geodata.database import Database
from geodata.model import PRECISION
from geodata.names import norm, skeleton

# Kinds of place drawn as country pins: a point mid-country misleads, so the page can hide them.
COUNTRY_KINDS = ("country", "continent")


@dataclass(frozen=True)
class Filter:
    """What the user narrowed the corpus to. Empty fields do not filter.

    Dates are ISO yyyy-mm-dd, inclusive; with either set, articles of unknown date drop out of the
    mention queries (the page lists them apart). `words` must all occur in the article's text
    ("quoted phrases" stay together). `bbox` is (south, west, north, east). `roles` and
    `event_types` keep the mentions whose sentence gives them one of these roles or event types.
    """

    start: str | None = None
    end: str | None = None
    place_id: str | None = None
    sources: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    words: str = ""
    include_demonyms: bool = False
    include_countries: bool = False
    bbox: tuple[float, float, float, float] | None = None
    roles: tuple[str, ...] = ()  # mention roles (geodata.roles): ("event",) is "where things happened"
    event_types: tuple[str, ...] = ()


def connect(location, readonly: bool = True) -> Database:
    """A connection to the store (a path or a postgresql:// URL); read-only unless asked (the
    page never writes through it). Close it when done (or use it in a `with`)."""
    return database.connect(location, readonly=readonly)


def _words(text: str) -> list[str]:
    try:
        parts = shlex.split(text)
    except ValueError:  # an unbalanced quote: take the words as they are
        parts = text.split()
    return [p for p in parts if p.strip()]


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _article_where(flt: Filter, params: dict, dates: bool = True) -> list[str]:
    """Conditions on the article alias `a`: sources, words and (optionally) its date."""
    where = []
    if dates and flt.start:
        where.append("a.published >= :start")
        params["start"] = flt.start
    if dates and flt.end:
        where.append("a.published <= :end")
        params["end"] = flt.end
    if flt.sources:
        names = []
        for i, source in enumerate(flt.sources):
            params[f"src{i}"] = source
            names.append(f":src{i}")
        where.append(f"a.source IN ({', '.join(names)})")
    for i, word in enumerate(_words(flt.words)):
        params[f"w{i}"] = _like(word)
        where.append(f"a.text LIKE :w{i} ESCAPE '\\'")
    return where


def _in_list(values, key: str, params: dict) -> str:
    """Named parameters :key0, :key1... for an IN list (set in `params`)."""
    for i, value in enumerate(values):
        params[f"{key}{i}"] = value
    return ", ".join(f":{key}{i}" for i in range(len(values)))


def _mention_where(flt: Filter, params: dict, dates: bool = True) -> str:
    """The WHERE clause over mentions `m` joined to articles `a` and places `p`."""
    where = ["m.place_id IS NOT NULL", "m.status != 'rejected'"]
    where += _article_where(flt, params, dates)
    if flt.place_id:
        where.append("m.place_id = :place_id")
        params["place_id"] = flt.place_id
    for column, values, key in (("p.kind", flt.kinds, "kind"), ("m.role", flt.roles, "role"),
                                ("m.event_type", flt.event_types, "etype")):
        if values:
            where.append(f"{column} IN ({_in_list(values, key, params)})")
    if not flt.include_demonyms:
        where.append("m.kind != 'demonym'")
    if not flt.include_countries:
        where.append(f"p.kind NOT IN {COUNTRY_KINDS!r}")
    if flt.bbox:
        params.update(zip(("south", "west", "north", "east"), flt.bbox))
        where.append("p.lat BETWEEN :south AND :north AND p.lon BETWEEN :west AND :east")
    return " AND ".join(where)


_FROM = """
    FROM mentions m
    JOIN articles a ON a.id = m.article_id
    JOIN places p ON p.id = m.place_id
"""

_ROW_COLUMNS = """
    a.id AS article_id, a.title, a.source, a.url, a.published,
    m.start, m.end, m.surface,
    substr(a.text, m.sent_start + 1, m.sent_end - m.sent_start) AS sentence,
    m.start - m.sent_start AS offset,
    p.id AS place_id, p.name AS place_name, p.kind AS place_kind, m.kind AS mention_kind,
    p.country, p.admin1, p.lat, p.lon, m.score, m.id AS mention_id,
    m.role, m.event_type,
    substr(a.text, m.trigger_start + 1, m.trigger_end - m.trigger_start) AS "trigger",
    m.trigger_start - m.sent_start AS trigger_offset, m.trigger_end - m.trigger_start AS trigger_length
"""

_NEWEST_FIRST = "a.published IS NULL, a.published DESC, a.id, m.start"


def _row(r) -> dict:
    row = dict(r)
    row["precision"] = PRECISION.get(row["place_kind"], "exact")
    return row


def mention_rows(conn: Database, flt: Filter, limit: int | None = None) -> list[dict]:
    """Every counted mention in the filter, newest first, with its sentence, article and place.

    `offset` is where the name starts inside `sentence`, so callers can highlight it.
    """
    params: dict = {}
    sql = f"SELECT {_ROW_COLUMNS} {_FROM} WHERE {_mention_where(flt, params)} ORDER BY {_NEWEST_FIRST}"
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = limit
    return [_row(r) for r in conn.execute(sql, params)]


def event_rows(conn: Database, flt: Filter) -> list[dict]:
    """The event mentions of the filter (as `mention_rows`), each with `actors`: the names its
    sentence gives the actor role ("Russian", "Damascus"), in text order."""
    flt = replace(flt, roles=("event",))
    rows = mention_rows(conn, flt)
    params: dict = {}
    actors: dict[int, list[str]] = {}
    for r in conn.execute(f"""
            SELECT m.id AS mention_id, x.surface {_FROM}
            JOIN mentions x ON x.article_id = m.article_id AND x.sent_start = m.sent_start
                AND x.role = 'actor' AND x.status != 'rejected'
            WHERE {_mention_where(flt, params)} ORDER BY m.id, x.start""", params):
        names = actors.setdefault(r["mention_id"], [])
        if r["surface"] not in names:
            names.append(r["surface"])
    for row in rows:
        row["actors"] = actors.get(row["mention_id"], [])
    return rows


def mention_count(conn: Database, flt: Filter) -> int:
    """How many counted mentions the filter holds."""
    params: dict = {}
    return conn.execute(f"SELECT count(*) {_FROM} WHERE {_mention_where(flt, params)}", params).fetchone()[0]


def place_counts(conn: Database, flt: Filter) -> list[dict]:
    """One row per place with its mentions and articles in the filter, most mentioned first.

    `events` counts the mentions that say something happened there, `event_types` them by
    type ({type: count}), and `event_type` is the commonest type (None without events)."""
    params: dict = {}
    where = _mention_where(flt, params)
    sql = f"""
        SELECT p.id AS place_id, p.name, p.kind, p.country, p.lat, p.lon,
               count(*) AS mentions, count(DISTINCT m.article_id) AS articles,
               min(a.published) AS first, max(a.published) AS last,
               sum(CASE WHEN m.role = 'event' THEN 1 ELSE 0 END) AS events
        {_FROM} WHERE {where}
        GROUP BY p.id ORDER BY mentions DESC, p.name, p.id
    """
    types: dict[str, dict[str, int]] = {}
    for r in conn.execute(f"""
            SELECT m.place_id, m.event_type, count(*) AS n {_FROM}
            WHERE {where} AND m.role = 'event' AND m.event_type IS NOT NULL
            GROUP BY m.place_id, m.event_type ORDER BY m.place_id, n DESC, m.event_type""", params):
        types.setdefault(r["place_id"], {})[r["event_type"]] = r["n"]
    rows = []
    for r in conn.execute(sql, params):
        row = dict(r)
        row["precision"] = PRECISION.get(row["kind"], "exact")
        row["event_types"] = types.get(row["place_id"], {})
        row["event_type"] = next(iter(row["event_types"]), None)
        rows.append(row)
    return rows


def daily_counts(conn: Database, flt: Filter) -> list[dict]:
    """Mentions per publication day in the filter: [{"day", "mentions", "events"}], oldest first
    (`events`: the mentions that say something happened there).

    Mentions of articles with unknown dates have no day and are not in it.
    """
    params: dict = {}
    sql = f"""
        SELECT a.published AS day, count(*) AS mentions,
               sum(CASE WHEN m.role = 'event' THEN 1 ELSE 0 END) AS events
        {_FROM} WHERE {_mention_where(flt, params)} AND a.published IS NOT NULL
        GROUP BY a.published ORDER BY a.published
    """
    return [dict(r) for r in conn.execute(sql, params)]


def articles(conn: Database, flt: Filter) -> list[dict]:
    """The articles in the filter, newest first, then those of unknown date (matched without dates).

    An article is in when its source, words and date match and, if the filter names a place or
    kinds, it mentions one of them; `mentions` counts its mentions in the filter. Articles of
    unknown date ignore the date range: the page lists them apart rather than dropping them.
    """
    out = []
    for dated in (True, False):
        params: dict = {}
        where = _article_where(flt, params, dates=dated)
        where.append("a.published IS NOT NULL" if dated else "a.published IS NULL")
        mention_params: dict = {}
        counted = _mention_where(flt, mention_params, dates=dated)
        params.update(mention_params)
        must_mention = bool(flt.place_id or flt.kinds or flt.roles or flt.event_types)
        sql = f"""
            SELECT a.id, a.title, a.source, a.url, a.published,
                   (SELECT count(*) FROM mentions m JOIN places p ON p.id = m.place_id
                    WHERE m.article_id = a.id AND {counted}) AS mentions
            FROM articles a WHERE {' AND '.join(where)}
            ORDER BY a.published DESC, a.title, a.id
        """
        rows = [dict(r) for r in conn.execute(sql, params)]
        out += [r for r in rows if r["mentions"] or not must_mention]
    return out


def article(conn: Database, article_id: str) -> dict | None:
    """One article with its text and every mention found in it (resolved or not), in text order."""
    r = conn.execute(
        "SELECT id, title, source, url, published, text, origin FROM articles WHERE id = :id",
        {"id": article_id},
    ).fetchone()
    if r is None:
        return None
    out = dict(r)
    out["mentions"] = [
        dict(m)
        for m in conn.execute(
            """
            SELECT m.id AS mention_id, m.start, m.end, m.surface, m.norm, m.context,
                   m.kind AS mention_kind, m.status, m.score, m.place_id,
                   p.name AS place_name, p.kind AS place_kind, p.country, p.lat, p.lon
            FROM mentions m LEFT JOIN places p ON p.id = m.place_id
            WHERE m.article_id = :id ORDER BY m.start
            """,
            {"id": article_id},
        )
    ]
    return out


def place(conn: Database, place_id: str) -> dict | None:
    """One place by id, with its precision, or None."""
    r = conn.execute(
        "SELECT id AS place_id, name, kind, country, admin1, lat, lon FROM places WHERE id = :id",
        {"id": place_id},
    ).fetchone()
    if r is None:
        return None
    out = dict(r)
    out["precision"] = PRECISION.get(out["kind"], "exact")
    return out


def _place_names(conn: Database) -> list[tuple[str, str]]:
    """(place_id, spelling) for every spelling known: gazetteer variants, names, text surfaces."""
    return conn.execute(
        """
        SELECT place_id, name FROM place_names
        UNION SELECT id, name FROM places
        UNION SELECT DISTINCT place_id, surface FROM mentions
              WHERE place_id IS NOT NULL AND status != 'rejected'
        """
    ).fetchall()


def search_places(conn: Database, q: str, limit: int = 8, aliases: Iterable[str] = ()) -> list[dict]:
    """Places whose name, in any spelling the store knows, matches `q`; best first.

    Matching ignores case, accents, apostrophes and al-/el- articles (geodata.names.norm); a
    consonant skeleton catches transliteration variants (Saraqeb / Saraqib) and rapidfuzz
    catches small typos. `aliases` are place ids known elsewhere under `q` (the gazetteer's
    alternate names: Halab -> Aleppo); those in the store count as matches too. Each result
    says which spelling matched.
    """
    key = norm(q)
    if not key:
        return []
    skel = skeleton(key)
    best: dict[str, tuple[float, str]] = {pid: (97.0, q.strip()) for pid in aliases}
    spellings: dict[str, list[tuple[str, str]]] = {}
    for place_id, name in _place_names(conn):
        spellings.setdefault(norm(name), []).append((place_id, name))

    def offer(k: str, score: float) -> None:
        for place_id, name in spellings[k]:
            if score > best.get(place_id, (-1.0, ""))[0]:
                best[place_id] = (score, name)

    for k in spellings:
        if k == key:
            offer(k, 100.0)
        elif k.startswith(key) or skeleton(k) == skel:
            offer(k, 95.0)
        elif len(key) >= 3 and key in k:
            offer(k, 90.0)
    for k, score, _ in process.extract(key, list(spellings), scorer=fuzz.ratio, limit=limit * 3):
        if score >= 80:
            offer(k, score * 0.89)  # fuzzy matches rank below every exact or prefix match

    if not best:
        return []
    ids = sorted(best, key=lambda pid: -best[pid][0])[: limit * 3]
    marks = ", ".join(f":p{i}" for i in range(len(ids)))
    params = {f"p{i}": pid for i, pid in enumerate(ids)}
    rows = {
        r["place_id"]: dict(r)
        for r in conn.execute(
            f"""
            SELECT p.id AS place_id, p.name, p.kind, p.country,
                   (SELECT count(*) FROM mentions m
                    WHERE m.place_id = p.id AND m.status != 'rejected') AS mentions
            FROM places p WHERE p.id IN ({marks})
            """,
            params,
        )
    }
    found = [rows[pid] | {"matched": best[pid][1], "score": best[pid][0]} for pid in ids if pid in rows]
    found.sort(key=lambda r: (-r["score"], -r["mentions"], r["name"]))
    return found[:limit]


def sources(conn: Database) -> list[str]:
    """Every article source in the store, sorted."""
    return [r[0] for r in conn.execute("SELECT DISTINCT source FROM articles WHERE source != '' ORDER BY source")]


def date_span(conn: Database) -> tuple[str | None, str | None]:
    """The first and last known publication dates in the store."""
    r = conn.execute("SELECT min(published), max(published) FROM articles").fetchone()
    return r[0], r[1]


def totals(conn: Database) -> dict:
    """How much the store holds: articles, undated articles, mentions, places, event mentions."""
    r = conn.execute(
        """
        SELECT (SELECT count(*) FROM articles) AS articles,
               (SELECT count(*) FROM articles WHERE published IS NULL) AS undated,
               (SELECT count(*) FROM mentions) AS mentions,
               (SELECT count(*) FROM places) AS places,
               (SELECT count(*) FROM mentions WHERE role = 'event') AS events
        """
    ).fetchone()
    return dict(r)


def data_version(conn: Database) -> tuple[str, int]:
    """(token, counter) of the store: it changes with every write, and only then (see store.py)."""
    row = conn.execute("SELECT token, version FROM data_version WHERE id = 'store'").fetchone()
    return row[0], row[1]
