"""Read-only queries over the store, for the page and the CLI's export.

Every function takes an open store connection (`connect`: a SQLite file or a PostgreSQL
database, geodata.database) and a `Filter`, and returns plain data (dicts, lists): no streamlit
here, so the page can cache the results and the CLI can reuse them. The SQL is written once, in
SQLite's form with :named parameters; geodata.dialect renders it for PostgreSQL.

One definition of what counts, for the header, the filter line, the panel, the map and both
exports: a mention counts when it is resolved and not rejected by a user's correction; the
filter then narrows it (dates, sources, words, kinds, place), and hides country pins and
demonyms unless asked for. `mention_breakdown` says how many each of those hides.

Every query the page makes is bounded: counts over long ranges come from the daily roll-up
(geodata.rollup) unless the filter searches the text; lists have a LIMIT and walk an index in
their order (the newest mentions of a place: mentions_place_newest).
"""
from __future__ import annotations

import shlex
from dataclasses import dataclass, replace
from typing import Iterable, Iterator

from rapidfuzz import fuzz, process

from geodata import database, stories
from geodata.database import Database
from geodata.rollup import COUNTED, COUNTRY_KINDS, IS_EVENT, STORY_COPIES, periods
from geodata.model import PRECISION
from geodata.names import norm, skeleton


@dataclass(frozen=True)
class Filter:
    """What the user narrowed the corpus to. Empty fields do not filter.

    Dates are ISO yyyy-mm-dd, inclusive; with either set, articles of unknown date drop out of the
    mention queries (the page lists them apart). `words` must all occur in the article's text
    ("quoted phrases" stay together). `bbox` is (south, west, north, east). Unless `every_copy`,
    the copies of one story (geodata.stories) count as one article: its first publication (among
    the chosen sources, if any: _copies). `roles` and `event_types` keep the mentions whose
    sentence gives them one of these roles or event types (geodata.roles).
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
    every_copy: bool = False  # False: a syndicated story counts once (see _copies)
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


def _article_where(flt: Filter, params: dict, dates: bool = True, day: str = "a.published",
                   source: str = "a.source", article_id: str | None = "a.id") -> list[str]:
    """Conditions on the article alias `a`: sources, words, (optionally) its date, one copy of a
    story. The roll-up has the day and source of its articles under other names (`day`,
    `source`), and counts a story's copies once already (`article_id` None)."""
    where = []
    if dates and flt.start:
        where.append(f"{day} >= :start")
        params["start"] = flt.start
    if dates and flt.end:
        where.append(f"{day} <= :end")
        params["end"] = flt.end
    if flt.sources:
        where.append(_in(source, flt.sources, "src", params))
    for i, word in enumerate(_words(flt.words)):
        params[f"w{i}"] = _like(word)
        where.append(f"a.text LIKE :w{i} ESCAPE '\\'")
    if not flt.every_copy and article_id is not None:
        where.append(f"{article_id} NOT IN ({_copies(flt, params)})")
    return where


def _copies(flt: Filter, params: dict) -> str:
    """The later copies of stories (rollup.STORY_COPIES: a story counts once, at its first
    publication, whatever the dates in view; every copy only when the filter asks), as the
    filter's outlets see them: with sources chosen, a story's first
    publication among those outlets stands for it (an outlet's reprint of a wire story is that
    outlet's report of it). Only stories with copies are ranked."""
    if not flt.sources:
        return STORY_COPIES
    return f"""SELECT ranked.id FROM (
            SELECT sm.article_id AS id, row_number() OVER (PARTITION BY sm.story_id ORDER BY {stories.FIRST}) AS n
            FROM story_members sm JOIN articles c ON c.id = sm.article_id
            WHERE sm.story_id IN (SELECT story_id FROM story_members WHERE copy = 1)
              AND {_in("c.source", flt.sources, "src", params)}
        ) ranked WHERE ranked.n > 1"""


def _in(column: str, values: Iterable[str], name: str, params: dict) -> str:
    """`column IN (:name0, :name1, ...)`, the values put in `params`."""
    marks = []
    for i, value in enumerate(values):
        params[f"{name}{i}"] = value
        marks.append(f":{name}{i}")
    return f"{column} IN ({', '.join(marks)})"


def _mention_where(flt: Filter, params: dict, dates: bool = True) -> str:
    """The WHERE clause over mentions `m` joined to articles `a` and places `p`. Dates are read
    off the mention's copy of its article's (so an index on the mention's place and day serves)."""
    return " AND ".join(_article_where(flt, params, dates, day="m.day", article_id="m.article_id")
                        + [_counted_where(flt, params)])


def _counted_where(flt: Filter, params: dict) -> str:
    """The conditions on a mention `m` and its place `p` alone (its article's are apart)."""
    where = [COUNTED]
    if not flt.include_demonyms:
        where.append("m.kind != 'demonym'")
    for column, values, name in (("m.role", flt.roles, "role"), ("m.event_type", flt.event_types, "etype")):
        if values:
            where.append(_in(column, values, name, params))
    return " AND ".join(where + _chosen(flt, params, "m.place_id") + _place_where(flt, params))


def _chosen(flt: Filter, params: dict, place_id: str) -> list[str]:
    """The one place chosen, if any (`place_id`: the column holding it)."""
    if not flt.place_id:
        return []
    params["place_id"] = flt.place_id
    return [f"{place_id} = :place_id"]


def _place_where(flt: Filter, params: dict, kind: str = "p.kind") -> list[str]:
    """Conditions on the place `p` itself: its kind (in column `kind`), the map box."""
    where = []
    if flt.kinds:
        where.append(_in(kind, flt.kinds, "kind", params))
    if not flt.include_countries:
        where.append(f"{kind} NOT IN {COUNTRY_KINDS!r}")
    if flt.bbox:
        params.update(zip(("south", "west", "north", "east"), flt.bbox))
        where.append("p.lat BETWEEN :south AND :north AND p.lon BETWEEN :west AND :east")
    return where


def _rolled_up(flt: Filter, rollup: bool) -> bool:
    """Whether the roll-ups can answer: they hold every dimension of a filter but the words, the
    roles other than events and the event types, and count each story once at its first
    publication (not every copy, nor the first among some outlets: _copies)."""
    return (rollup and not _words(flt.words) and not flt.every_copy and not flt.sources
            and flt.roles in ((), ("event",)) and not flt.event_types)


def _by_kind(flt: Filter) -> bool:
    """Whether kind_days can answer (totals over places): no place chosen, no map box."""
    return not flt.place_id and not flt.bbox


def _days(flt: Filter, params: dict, alias: str) -> list[str]:
    """A roll-up's day and source conditions (table `alias`): as the articles' in the filter."""
    where = _article_where(flt, params, day=f"{alias}.day", source=f"{alias}.source", article_id=None)
    if flt.start or flt.end:
        where.append(f"{alias}.day != ''")  # unknown dates ('') drop out of a date range
    return where


def _sources(flt: Filter, params: dict) -> str:
    """place_periods' source condition: every source together (''), or the chosen ones'."""
    return _in("r.source", flt.sources, "src", params) if flt.sources else "r.source = ''"


def _day_span(flt: Filter) -> tuple[str, str]:
    """The filter's dates as a range of day periods (unbounded: every known day)."""
    return flt.start or "0001-01-01", flt.end or "9999-12-31"


def _place_periods(flt: Filter, params: dict, days: bool = False, table: str = "place_periods",
                   places: bool = True) -> str:
    """FROM and WHERE over place_periods `r` (the meaning of _mention_where): the fewest rows
    covering the date range (rollup.periods), or its days (`days`; a source's rows are days
    only). Each range is read where it lies: for every place, in the table's (period, place)
    order; for a chosen place, in its own index. `table`: place_event_types, of the same shape.
    `places` False: the conditions on the places themselves are left to the caller, who joins
    the places anyway (checked once a place, not once a row)."""
    if days or flt.sources:
        lo, hi = _day_span(flt)
        ranges = [("day", "" if not (flt.start or flt.end) else lo, hi)]
    else:
        ranges = periods(flt.start, flt.end)
    spans = []
    for i, (grain, lo, hi) in enumerate(ranges):
        params[f"lo{i}"], params[f"hi{i}"] = lo, hi
        spans.append(f"SELECT '{grain}' AS grain, :lo{i} AS lo, :hi{i} AS hi")
    spans = " UNION ALL ".join(spans or ["SELECT '' AS grain, '' AS lo, '' AS hi WHERE FALSE"])
    on = "ON r.grain = g.grain AND r.period BETWEEN g.lo AND g.hi"
    where = [_sources(flt, params)] + (_place_where(flt, params) if places or flt.place_id else [])
    if flt.place_id:
        where += _chosen(flt, params, "p.id")
        return (f"FROM places p CROSS JOIN ({spans}) AS g JOIN {table} r INDEXED BY {table}_place"
                f" {on} AND r.place_id = p.id WHERE {' AND '.join(where)}")
    if len(where) > 1:
        where[1:] = [f"r.place_id IN (SELECT p.id FROM places p WHERE {' AND '.join(where[1:])})"]
    return f"FROM ({spans}) AS g JOIN {table} r {on} WHERE {' AND '.join(where)}"


def _kind_days(flt: Filter, params: dict) -> str:
    """FROM and WHERE over kind_days `r`: totals over every place of the kinds in the filter."""
    where = _place_where(flt, params, kind="r.kind") + _days(flt, params, "r")
    return f"FROM kind_days r WHERE {' AND '.join(where or ['TRUE'])}"


def _rollup_counts(flt: Filter) -> tuple[str, str]:
    """The roll-ups' columns for (mentions, articles) in the filter: with demonyms or without, of
    every mention or of the events only."""
    if flt.roles:  # ("event",): _rolled_up
        return ("r.events + r.event_demonyms", "r.event_articles_any") if flt.include_demonyms \
            else ("r.events", "r.event_articles")
    return ("r.mentions + r.demonyms", "r.articles_any") if flt.include_demonyms else ("r.mentions", "r.articles")


def _rollup_events(flt: Filter) -> str:
    """The roll-ups' column of event mentions in the filter (with demonyms or without)."""
    return "r.events + r.event_demonyms" if flt.include_demonyms else "r.events"


def _rollup_span(flt: Filter) -> tuple[str, str]:
    """place_periods' first and last day columns for the filter: with demonyms or without, of
    every mention or of the events only."""
    event = "_event" if flt.roles else ""
    any_ = "_any" if flt.include_demonyms else ""
    return f"r.first{event}{any_}", f"r.last{event}{any_}"


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

# Newest first, unknown dates last; the order of the index mentions_place_newest, so a place's
# first mentions are read off it, not sorted from all of them. (mentions.day is the article's date.)
_NEWEST_FIRST = "m.day DESC NULLS LAST, m.article_id, m.start"


def _row(r) -> dict:
    row = dict(r)
    row["precision"] = PRECISION.get(row["place_kind"], "exact")
    return row


def mention_rows(conn: Database, flt: Filter, limit: int | None = None) -> list[dict]:
    """Every counted mention in the filter (up to `limit`), newest first, with its sentence,
    article and place.

    `offset` is where the name starts inside `sentence`, so callers can highlight it.
    """
    params: dict = {}
    sql = f"SELECT {_ROW_COLUMNS} {_FROM} WHERE {_mention_where(flt, params)} ORDER BY {_NEWEST_FIRST}"
    if limit is not None:
        sql += " LIMIT :limit"
        params["limit"] = limit
    return [_row(r) for r in conn.execute(sql, params)]


def iter_mention_rows(conn: Database, flt: Filter) -> Iterator[dict]:
    """mention_rows, one at a time as the store sends them: an export of millions holds none."""
    params: dict = {}
    sql = f"SELECT {_ROW_COLUMNS} {_FROM} WHERE {_mention_where(flt, params)} ORDER BY {_NEWEST_FIRST}"
    return (_row(r) for r in conn.stream(sql, params))


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


def mention_count(conn: Database, flt: Filter, rollup: bool = True) -> int:
    """How many counted mentions the filter holds (from the roll-up unless `rollup` is False)."""
    params: dict = {}
    if _rolled_up(flt, rollup):
        mentions, _ = _rollup_counts(flt)
        rows = _kind_days(flt, params) if _by_kind(flt) else _place_periods(flt, params)
        sql = f"SELECT coalesce(sum({mentions}), 0) {rows}"
    else:
        sql = f"SELECT count(*) {_FROM} WHERE {_mention_where(flt, params)}"
    return conn.execute(sql, params).fetchone()[0]


def place_counts(conn: Database, flt: Filter, rollup: bool = True, types: bool | None = None) -> list[dict]:
    """One row per place with its mentions and articles in the filter, most mentioned first
    (from the roll-up unless `rollup` is False or the filter searches the text).

    `events` counts the mentions that say something happened there (geodata.roles). `types`
    (default: in the view of where things happened, whose map is coloured by them) counts those
    by type too: `event_types` ({type: count}, commonest first) and `event_type`, the commonest
    (None without events, or when not counted).
    """
    params: dict = {}
    rolled = _rolled_up(flt, rollup)
    where = ["TRUE"]
    if rolled:
        mentions, articles = _rollup_counts(flt)
        first, last = _rollup_span(flt)
        counted = f"""
            SELECT r.place_id, sum({mentions}) AS mentions, sum({articles}) AS articles,
                   min({first}) AS first, max({last}) AS last, sum({_rollup_events(flt)}) AS events
            {_place_periods(flt, params, places=False)} GROUP BY r.place_id HAVING sum({mentions}) > 0
        """
        if not flt.place_id:
            where += _place_where(flt, params)
    else:
        counted = f"""
            SELECT m.place_id, count(*) AS mentions, count(DISTINCT m.article_id) AS articles,
                   min(m.day) AS first, max(m.day) AS last, sum({IS_EVENT}) AS events
            {_FROM} WHERE {_mention_where(flt, params)} GROUP BY m.place_id
        """
    sql = f"""
        SELECT p.id AS place_id, p.name, p.kind, p.country, p.lat, p.lon,
               t.mentions, t.articles, t.first, t.last, t.events
        FROM ({counted}) AS t JOIN places p ON p.id = t.place_id WHERE {' AND '.join(where)}
        ORDER BY t.mentions DESC, p.name, p.id
    """
    by_type = _event_types(conn, flt, rolled) if (types is None and "event" in flt.roles) or types else {}
    cursor = conn.execute(sql, params)
    names = [d[0] for d in cursor.description]  # a dict a row, built from plain tuples: 8,000 rows in ms
    rows = []
    for values in cursor:
        row = dict(zip(names, values))
        row["precision"] = PRECISION.get(row["kind"], "exact")
        row["event_types"] = by_type.get(row["place_id"], {})
        row["event_type"] = next(iter(row["event_types"]), None)
        rows.append(row)
    return rows


def _event_types(conn: Database, flt: Filter, rolled: bool) -> dict[str, dict[str, int]]:
    """Per place, its event mentions in the filter by type, commonest first (`rolled`: from the
    roll-up place_event_types; of every place: the caller's rows say which places count)."""
    params: dict = {}
    if rolled:  # summed here: a dict sums a year's 20,000 rows faster than GROUP BY's sort
        n = "r.mentions + r.demonyms" if flt.include_demonyms else "r.mentions"
        sql = f"""SELECT r.place_id, r.event_type, {n} AS n
                  {_place_periods(flt, params, table="place_event_types", places=False)}"""
    else:
        sql = f"""SELECT m.place_id, m.event_type, count(*) AS n {_FROM}
                  WHERE {_mention_where(flt, params)} AND m.role = 'event' AND m.event_type IS NOT NULL
                  GROUP BY m.place_id, m.event_type"""
    summed: dict[str, dict[str, int]] = {}
    for place_id, event_type, n in conn.execute(sql, params):
        by_type = summed.setdefault(place_id, {})
        by_type[event_type] = by_type.get(event_type, 0) + n
    return {place_id: dict(sorted(((t, n) for t, n in by_type.items() if n > 0), key=lambda tn: (-tn[1], tn[0])))
            for place_id, by_type in summed.items()}


def daily_counts(conn: Database, flt: Filter, rollup: bool = True) -> list[dict]:
    """Mentions per publication day in the filter: [{"day", "mentions", "events"}], oldest first
    (`events`: of those, the mentions where something happened; in the view of where things
    happened the filter keeps those only).

    Mentions of articles with unknown dates have no day and are not in it. From the roll-up
    unless `rollup` is False or the filter searches the text.
    """
    params: dict = {}
    if _rolled_up(flt, rollup):
        mentions, _ = _rollup_counts(flt)
        if _by_kind(flt):
            rows, day = _kind_days(flt, params), "r.day"
        else:
            rows, day = _place_periods(flt, params, days=True), "r.period"
        sql = f"""
            SELECT {day} AS day, sum({mentions}) AS mentions, sum({_rollup_events(flt)}) AS events
            {rows} AND {day} != '' GROUP BY {day} HAVING sum({mentions}) > 0 ORDER BY {day}
        """
    else:
        sql = f"""
            SELECT m.day AS day, count(*) AS mentions, sum({IS_EVENT}) AS events
            {_FROM} WHERE {_mention_where(flt, params)} AND m.day IS NOT NULL
            GROUP BY m.day ORDER BY m.day
        """
    return [dict(r) for r in conn.execute(sql, params)]


# Up to this many articles naming the chosen place, the article list starts from them (read off
# the place's index); past it, from the newest articles, checking each (20 are soon found).
FEW_ARTICLES = 2000


def _by_view(flt: Filter, rollup: bool) -> bool:
    """Whether article_views can count the filter's articles: a roll-up's filter, over every
    place (no place, kinds or map box chosen)."""
    return _rolled_up(flt, rollup) and not (flt.place_id or flt.kinds or flt.bbox)


def _article_views(flt: Filter, params: dict, dated: bool | None = None) -> str:
    """How many articles have a counted mention in the filter, from article_views: dated ones,
    undated ones, or (None) those the dates keep."""
    kept = ("events", "event_demonyms") if flt.roles else ("mentions", "demonyms")
    kept = kept if flt.include_demonyms else kept[:1]
    n = " + ".join(f"r.{c}" if flt.include_countries else f"r.{c} - r.country_{c}" for c in kept)
    where = _days(flt, params, "r") + ([] if dated is None else [f"r.day {'!=' if dated else '='} ''"])
    return f"SELECT count(*) FROM article_views r WHERE {' AND '.join(where + [f'{n} > 0'])}"


def _articles_where(flt: Filter, params: dict, dated: bool, few: bool = False) -> str:
    """Articles in the filter, dated or not. An article is in when its source, words and date
    match and, if the filter names a place, kinds, roles or event types, it mentions one of them. Articles of
    unknown date ignore the date range: the page lists them apart rather than dropping them.
    `few`: the chosen place is named in few articles (take them, rather than check each)."""
    where = _article_where(flt, params, dates=dated)
    where.append("a.published IS NOT NULL" if dated else "a.published IS NULL")
    mentioned = f"FROM mentions m JOIN places p ON p.id = m.place_id WHERE {_counted_where(flt, params)}"
    if few:
        where.append(f"a.id IN (SELECT m.article_id {mentioned})")
    elif flt.place_id or flt.kinds or flt.roles or flt.event_types:
        where.append(f"EXISTS (SELECT 1 {mentioned} AND m.article_id = a.id)")
    return " AND ".join(where)


def articles(conn: Database, flt: Filter, limit: int | None = None) -> list[dict]:
    """The articles in the filter, newest first (at most `limit`), then those of unknown date
    (at most `limit` too); `mentions` counts each one's mentions in the filter.

    Only the articles returned are counted (the page shows 20 of thousands).
    """
    few = bool(flt.place_id) and sum(article_counts(conn, flt).values()) <= FEW_ARTICLES
    out = []
    for dated in (True, False):
        params: dict = {}
        where = _articles_where(flt, params, dated, few)
        page = f"SELECT a.id, a.title, a.source, a.url, a.published FROM articles a WHERE {where} ORDER BY a.published DESC, a.title, a.id"
        if limit is not None:
            page += " LIMIT :limit"
            params["limit"] = limit
        sql = f"""
            SELECT a.*, (SELECT count(*) FROM mentions m JOIN places p ON p.id = m.place_id
                         WHERE m.article_id = a.id AND {_counted_where(flt, params)}) AS mentions
            FROM ({page}) AS a ORDER BY a.published DESC, a.title, a.id
        """
        out += [dict(r) for r in conn.execute(sql, params)]
    return out


def article_counts(conn: Database, flt: Filter, rollup: bool = True) -> dict[str, int]:
    """How many articles `articles` would give without a limit: {"dated", "undated"}.

    For one place, from the roll-up (its articles per day add up: an article has one day).
    """
    out = {}
    for dated, key in ((True, "dated"), (False, "undated")):
        params: dict = {}
        if flt.place_id and _rolled_up(flt, rollup):
            _, articles = _rollup_counts(flt)
            undated = replace(flt, start=None, end=None)
            rows = _place_periods(flt if dated else undated, params)
            sql = f"SELECT coalesce(sum({articles}), 0) {rows} AND r.period {'!=' if dated else '='} ''"
        elif (flt.kinds or flt.roles or flt.event_types) and _by_view(flt, rollup):
            sql = _article_views(flt if dated else replace(flt, start=None, end=None), params, dated)
        else:
            sql = f"SELECT count(*) FROM articles a WHERE {_articles_where(flt, params, dated)}"
        out[key] = conn.execute(sql, params).fetchone()[0]
    return out


def article(conn: Database, article_id: str) -> dict | None:
    """One article with its text and every mention found in it (resolved or not), in text order."""
    r = conn.execute(
        "SELECT id, title, source, url, published, date_source, text, origin FROM articles WHERE id = :id",
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
    """(place_id, spelling) for every spelling known: the places' names and every surface a place
    was found under (the store records each in place_names as it stores the mention)."""
    return conn.execute("SELECT place_id, name FROM place_names UNION SELECT id, name FROM places").fetchall()


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
                   (SELECT coalesce(sum(r.mentions + r.demonyms), 0) FROM place_periods r
                    WHERE r.place_id = p.id AND r.source = ''
                    AND (r.grain = 'year' OR r.grain = 'day' AND r.period = '')) AS mentions
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
    """How much the store holds: articles (and undated ones, and syndicated copies: articles that
    are not their story's first publication), place names found, and of those the counted
    mentions (resolved, not rejected, every copy), unresolved and rejected ones; places counted;
    the counted mentions where something happened (events)."""
    # Never by reading the mentions (seconds at 2 million, more from a cold disk): the counted
    # ones are the roll-up's (kind_days: every story once) and the later copies' (read apart);
    # the unresolved (place_id NULL) and the rejected (few, in mentions_corrected) off indexes.
    copies = f"FROM mentions m INDEXED BY mentions_article WHERE m.article_id IN ({STORY_COPIES}) AND {COUNTED}"
    r = conn.execute(
        f"""
        SELECT (SELECT count(*) FROM articles) AS articles,
               (SELECT count(*) FROM articles WHERE published IS NULL) AS undated,
               (SELECT count(*) FROM story_members WHERE copy = 1) AS copies,
               (SELECT count(*) FROM places p WHERE EXISTS (
                    SELECT 1 FROM mentions m WHERE m.place_id = p.id AND m.status != 'rejected')) AS places,
               (SELECT coalesce(sum(mentions + demonyms), 0) FROM kind_days)
                   + (SELECT count(*) {copies}) AS mentions,
               (SELECT coalesce(sum(events + event_demonyms), 0) FROM kind_days)
                   + (SELECT count(*) {copies} AND m.role = 'event') AS events,
               (SELECT count(*) FROM mentions WHERE place_id IS NULL AND status != 'rejected') AS unresolved,
               (SELECT count(*) FROM mentions WHERE status != 'auto' AND status = 'rejected') AS rejected
        """
    ).fetchone()
    out = dict(r)
    out["found"] = out["mentions"] + out["unresolved"] + out["rejected"]
    return out


def copies(conn: Database, article_ids: Iterable[str]) -> dict[str, list[dict]]:
    """For each article, the other articles of its story (its syndicated copies, whatever the
    filter), first published first. Articles without copies are left out."""
    ids = list(dict.fromkeys(article_ids))
    out: dict[str, list[dict]] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        params = {f"i{n}": aid for n, aid in enumerate(chunk)}
        rows = conn.execute(
            f"""SELECT sm.article_id AS of, c.id, c.title, c.source, c.url, c.published
                FROM story_members sm
                JOIN story_members o ON o.story_id = sm.story_id AND o.article_id <> sm.article_id
                JOIN articles c ON c.id = o.article_id
                WHERE sm.article_id IN ({', '.join(f':{k}' for k in params)})
                ORDER BY c.published IS NULL, c.published, c.id <> o.story_id, c.added_at, c.id""",
            params,
        )
        for r in rows:
            row = dict(r)
            out.setdefault(row.pop("of"), []).append(row)
    return out


def data_version(conn: Database) -> tuple[str, int]:
    """(token, counter) of the store: it changes with every write, and only then (see store.py)."""
    row = conn.execute("SELECT token, version FROM data_version WHERE id = 'store'").fetchone()
    return row[0], row[1]


def mention_breakdown(conn: Database, flt: Filter, rollup: bool = True) -> dict:
    """The filter's counted mentions, and what the layer toggles hide from it.

    `mentions`, `places`, `articles`: what the map, the panel and the export show. `undated`: of
    those, the mentions in articles of unknown date (no bar on the timeline). `copies`,
    `other_roles`, `countries` and `demonyms`: mentions the filter holds but hides because a
    story's copies count once, their sentence gives them another role or event type than the
    view keeps (where things happened), or country pins or demonyms are off (in that order: a
    demonym in a copy is a copy's; a demonym of a country counts as a demonym). From the
    roll-ups where they can answer (the copies, left out of them, are counted apart).
    """
    params: dict = {}
    every_layer = replace(flt, include_countries=True, include_demonyms=True, every_copy=True, roles=(),
                          event_types=())
    out = {"mentions": 0, "undated": 0, "copies": 0, "other_roles": 0, "countries": 0, "demonyms": 0}
    if _rolled_up(flt, rollup):
        _rolled_breakdown(conn, flt, every_layer, out)
        return out
    kept = " AND ".join(_in(column, values, name, params) for column, values, name in (
        ("m.role", flt.roles, "role"), ("m.event_type", flt.event_types, "etype")) if values) or "TRUE"
    sql = f"""
        SELECT m.article_id IN ({_copies(flt, params)}) AS copy, coalesce({kept}, FALSE) AS kept,
               m.kind = 'demonym' AS demonym, p.kind IN {COUNTRY_KINDS!r} AS country,
               count(*) AS n, sum(CASE WHEN a.published IS NULL THEN 1 ELSE 0 END) AS undated
        {_FROM} WHERE {_mention_where(every_layer, params)}
        GROUP BY 1, 2, 3, 4
    """
    for copy, kept, demonym, country, n, undated in conn.execute(sql, params).fetchall():
        _sort_out(out, flt, bool(copy), bool(kept), bool(demonym), bool(country), n, undated)
    params = {}
    r = conn.execute(f"SELECT count(DISTINCT m.place_id), count(DISTINCT m.article_id) {_FROM} "
                     f"WHERE {_mention_where(flt, params)}", params).fetchone()
    out["places"], out["articles"] = r[0], r[1]
    return out


def _sort_out(out: dict, flt: Filter, copy: bool, kept: bool, demonym: bool, country: bool, n: int,
              undated: int) -> None:
    """Count `n` mentions (`undated` of them in undated articles) where the filter puts them."""
    if copy and not flt.every_copy:
        out["copies"] += n
    elif not kept:
        out["other_roles"] += n
    elif demonym and not flt.include_demonyms:
        out["demonyms"] += n
    elif country and not flt.include_countries:
        out["countries"] += n
    else:
        out["mentions"] += n
        out["undated"] += undated


def _rolled_breakdown(conn: Database, flt: Filter, every_layer: Filter, out: dict) -> None:
    """mention_breakdown from the roll-ups: their toponyms and demonyms, events and the rest, by
    whether the place is a country; the later copies' mentions (not in them) read apart."""
    params: dict = {}
    if _by_kind(flt):
        rows, kind, undated = _kind_days(every_layer, params), "r.kind", "r.day = ''"
    else:
        rows = _place_periods(every_layer, params)
        kind, undated = "(SELECT p.kind FROM places p WHERE p.id = r.place_id)", "r.period = ''"
    measures = ("r.mentions", "r.demonyms", "r.events", "r.event_demonyms")
    sql = f"""SELECT {kind} IN {COUNTRY_KINDS!r} AS country,
                     {', '.join(f'sum({m}), sum(CASE WHEN {undated} THEN {m} ELSE 0 END)' for m in measures)}
              {rows} GROUP BY 1"""
    events_only = "event" in flt.roles
    for country, *sums in conn.execute(sql, params).fetchall():
        (toponyms, undated_t), (demonyms, undated_d), (events, undated_e), (event_demonyms, undated_ed) = \
            zip(sums[0::2], sums[1::2])
        for demonym, every, every_undated, kept, kept_undated in (
                (False, toponyms, undated_t, events, undated_e),
                (True, demonyms, undated_d, event_demonyms, undated_ed)):
            if not events_only:
                kept, kept_undated = every, every_undated
            _sort_out(out, flt, False, True, demonym, bool(country), kept, kept_undated)
            _sort_out(out, flt, False, False, demonym, bool(country), every - kept, 0)
    params = {}
    out["copies"] = conn.execute(
        f"SELECT count(*) {_FROM} WHERE m.article_id IN ({STORY_COPIES}) AND {_mention_where(every_layer, params)}",
        params).fetchone()[0]
    params = {}
    mentions, _ = _rollup_counts(flt)
    out["places"] = conn.execute(
        f"SELECT count(*) FROM (SELECT r.place_id {_place_periods(flt, params)} GROUP BY r.place_id"
        f" HAVING sum({mentions}) > 0) AS t", params).fetchone()[0]
    params = {}
    if _by_view(flt, True):
        sql = _article_views(flt, params)
    else:
        where = _article_where(flt, params) + [  # (copies left out by _article_where)
            f"EXISTS (SELECT 1 FROM mentions m JOIN places p ON p.id = m.place_id"
            f" WHERE m.article_id = a.id AND {_counted_where(flt, params)})"]
        sql = f"SELECT count(*) FROM articles a WHERE {' AND '.join(where)}"
    out["articles"] = conn.execute(sql, params).fetchone()[0]
