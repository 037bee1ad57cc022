"""The roll-ups of counted mentions: per place and period (place_periods), per day and place kind
(kind_days). geodata.queries reads them instead of the mentions whenever it can.

place_periods holds, per place, every source together by day, month and year, and each source by
day; `periods` cuts a date range into the fewest of those rows (whole years, whole months, the
days at either end), and the rows of one place lie together, so a year's map reads a row or
a few per place, with no sort. kind_days holds the totals over places, per day, place kind and
source, in day order: the timeline and the counts.

The store keeps both exact, in the transaction of every write that changes mentions, one
article at a time: an article's whole contribution comes out before its mentions change and goes
back in after (`recounted`), which keeps the distinct-article counts right. An article has one
day and one source, so summing a place's rows over disjoint periods and sources counts each of
its articles once. Each counts the event mentions too (geodata.roles: where something happened),
and place_event_types them per event type. A write that changes mentions (their place, status or
role), an article's date or
source, a place's kind, or which copy stands for a story (geodata.stories.stand: a story's later
copies are not counted here) must go through `recounted` (or `add`, for new articles).
"""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, Iterator, Sequence

from geodata.database import Database

# A mention counts when it is resolved and not rejected by a user: the one definition, shared
# with geodata.queries (over mentions `m`).
COUNTED = "m.place_id IS NOT NULL AND m.status != 'rejected'"
_TOPONYM = "CASE WHEN m.kind = 'demonym' THEN 0 ELSE 1 END"
# Kinds of place drawn as country pins: a point mid-country misleads, so the page can hide them.
COUNTRY_KINDS = ("country", "continent")
# A mention `m` that says something happened at its place (geodata.roles), as 1 or 0.
IS_EVENT = "CASE WHEN m.role = 'event' THEN 1 ELSE 0 END"
# The articles that are a later copy of a story (geodata.stories): a story counts once, at its
# first publication; shared with geodata.queries.
STORY_COPIES = "SELECT article_id FROM story_members WHERE copy = 1"
_STORY_ONCE = f"m.article_id NOT IN ({STORY_COPIES})"
# An article's counted mentions per place `t` (as toponyms, as demonyms; and of those, the
# events), with the article `a` and the place `p`: what every roll-up row sums (no
# count(DISTINCT) needed for articles).
_PAIRS = f"""
    FROM (SELECT m.article_id, m.place_id, sum({_TOPONYM}) AS mentions, sum(1 - {_TOPONYM}) AS demonyms,
                 sum({_TOPONYM} * {IS_EVENT}) AS events, sum((1 - {_TOPONYM}) * {IS_EVENT}) AS event_demonyms
          FROM mentions m WHERE m.article_id IN ({{articles}}) AND {COUNTED} AND {_STORY_ONCE}
          GROUP BY m.article_id, m.place_id) AS t
    JOIN articles a ON a.id = t.article_id JOIN places p ON p.id = t.place_id
"""
# The same per event type `t.event_type`, event mentions only.
_TYPED_PAIRS = f"""
    FROM (SELECT m.article_id, m.place_id, m.event_type, sum({_TOPONYM}) AS mentions,
                 sum(1 - {_TOPONYM}) AS demonyms
          FROM mentions m WHERE m.article_id IN ({{articles}}) AND {COUNTED} AND {_STORY_ONCE}
            AND m.role = 'event' AND m.event_type IS NOT NULL
          GROUP BY m.article_id, m.place_id, m.event_type) AS t
    JOIN articles a ON a.id = t.article_id JOIN places p ON p.id = t.place_id
"""
_MENTIONS = {"mentions": "sum(t.mentions)", "demonyms": "sum(t.demonyms)"}
_EVENTS = {"events": "sum(t.events)", "event_demonyms": "sum(t.event_demonyms)"}
_IN_COUNTRIES = {f"country_{m}": f"sum(CASE WHEN p.kind IN {COUNTRY_KINDS!r} THEN t.{m} ELSE 0 END)"
                 for m in ("mentions", "demonyms", "events", "event_demonyms")}


@dataclass(frozen=True)
class Rollup:
    table: str
    keys: dict[str, str]  # column -> expression over _PAIRS' t, a and p, and views v (or a 'literal')
    measures: dict[str, str]  # column -> aggregate
    views: str = ""  # rows `v` each mention is counted once per (a subquery), with a condition
    where: str = "TRUE"
    spans: bool = False  # keeps each row's first and last day (_SPANS)
    pairs: str = _PAIRS  # what it sums: per article and place (or per event type too)


# The first and last day with the place named as a toponym, and either way: merged as articles
# come in; computed again from the day rows after a removal (a minimum cannot be taken back).
_SPANS = {
    "first": ("min", "CASE WHEN t.mentions > 0 THEN a.published END"),
    "last": ("max", "CASE WHEN t.mentions > 0 THEN a.published END"),
    "first_any": ("min", "a.published"),
    "last_any": ("max", "a.published"),
    "first_event": ("min", "CASE WHEN t.events > 0 THEN a.published END"),
    "last_event": ("max", "CASE WHEN t.events > 0 THEN a.published END"),
    "first_event_any": ("min", "CASE WHEN t.events + t.event_demonyms > 0 THEN a.published END"),
    "last_event_any": ("max", "CASE WHEN t.events + t.event_demonyms > 0 THEN a.published END"),
}
_SPAN_OF_DAYS = {"first": ("min", "d.mentions > 0"), "last": ("max", "d.mentions > 0"),
                 "first_any": ("min", "d.mentions + d.demonyms > 0"), "last_any": ("max", "d.mentions + d.demonyms > 0"),
                 "first_event": ("min", "d.events > 0"), "last_event": ("max", "d.events > 0"),
                 "first_event_any": ("min", "d.events + d.event_demonyms > 0"),
                 "last_event_any": ("max", "d.events + d.event_demonyms > 0")}


# The rows of place_periods a mention counts in: every source together by day, month and year,
# its own source by day (an empty source only together: no filter picks it).
_VIEWS = " UNION ALL ".join(
    f"SELECT '{grain}' AS grain, {own} AS own" for grain, own in (("day", 0), ("month", 0), ("year", 0), ("day", 1)))
_PERIOD = ("CASE v.grain WHEN 'day' THEN coalesce(a.published, '') WHEN 'month' THEN substr(a.published, 1, 7)"
           " ELSE substr(a.published, 1, 4) END")

_TOGETHER = " UNION ALL ".join(f"SELECT '{grain}' AS grain" for grain in ("day", "month", "year"))

ROLLUPS = (
    Rollup(
        "place_periods",
        {"source": "CASE WHEN v.own = 1 THEN a.source ELSE '' END", "grain": "v.grain", "period": _PERIOD,
         "place_id": "t.place_id"},
        {**_MENTIONS, **_EVENTS,
         "articles": "sum(CASE WHEN t.mentions > 0 THEN 1 ELSE 0 END)", "articles_any": "count(*)",
         "event_articles": "sum(CASE WHEN t.events > 0 THEN 1 ELSE 0 END)",
         "event_articles_any": "sum(CASE WHEN t.events + t.event_demonyms > 0 THEN 1 ELSE 0 END)"},
        views=f"CROSS JOIN ({_VIEWS}) AS v",
        where="(v.grain = 'day' OR a.published IS NOT NULL) AND (v.own = 0 OR a.source != '')",
        spans=True,
    ),
    Rollup("kind_days", {"day": "coalesce(a.published, '')", "kind": "p.kind", "source": "a.source"},
           {**_MENTIONS, **_EVENTS}),
    # Each article's counted mentions by what the layer toggles and the views keep: how many
    # articles a filter holds, without reading every article's mentions.
    Rollup("article_views", {"day": "coalesce(a.published, '')", "article_id": "t.article_id"},
           {**_MENTIONS, **_EVENTS, **_IN_COUNTRIES}),
    # Event mentions per place, type and period (every source together): the map's colour by
    # the commonest event type, and the counts per type.
    Rollup(
        "place_event_types",
        {"source": "''", "grain": "v.grain", "period": _PERIOD, "place_id": "t.place_id",
         "event_type": "t.event_type"},
        _MENTIONS,
        views=f"CROSS JOIN ({_TOGETHER}) AS v",
        where="(v.grain = 'day' OR a.published IS NOT NULL)",
        pairs=_TYPED_PAIRS,
    ),
)

def _contribution(r: Rollup, articles: str) -> str:
    """Add (:sign 1) or take out (:sign -1) the articles' counts, row by row of the roll-up."""
    spans = _SPANS if r.spans else {}
    columns = ", ".join([*r.keys, *r.measures, *spans])
    values = [*r.keys.values(), *(f":sign * {m}" for m in r.measures.values()),
              *(f"{agg}({expression})" for agg, expression in spans.values())]
    updates = [f"{m} = {r.table}.{m} + excluded.{m}" for m in r.measures]
    for column, (agg, _) in spans.items():  # merged when adding; left for _respanned when taking out
        better = "<" if agg == "min" else ">"
        updates.append(f"{column} = CASE WHEN :sign < 0 OR excluded.{column} IS NULL THEN {r.table}.{column}"
                       f" WHEN {r.table}.{column} IS NULL OR excluded.{column} {better} {r.table}.{column}"
                       f" THEN excluded.{column} ELSE {r.table}.{column} END")
    return f"""
        INSERT INTO {r.table} ({columns})
        SELECT {', '.join(values)}
        {r.pairs.format(articles=articles)} {r.views}
        WHERE {r.where}
        GROUP BY {', '.join(e for e in r.keys.values() if not e.startswith("'"))}
        ON CONFLICT ({', '.join(r.keys)}) DO UPDATE SET {', '.join(updates)}
    """


def _touched(r: Rollup, articles: str) -> str:
    """The rows the articles count in."""
    return (f"({', '.join(r.keys)}) IN (SELECT {', '.join(r.keys.values())}"
            f" {r.pairs.format(articles=articles)} {r.views} WHERE {r.where})")


def _emptied(r: Rollup, articles: str) -> str:
    """Rows a removal brought to nothing."""
    return f"DELETE FROM {r.table} WHERE mentions = 0 AND demonyms = 0 AND {_touched(r, articles)}"


def _respanned(r: Rollup, articles: str) -> str:
    """First and last days after a removal, from the day rows inside each row's period (a day's
    own row; a month's or year's days: they sort between 'yyyy-mm' and 'yyyy-mm-99'), all of
    them in one reading of those rows."""
    # d by its place's index: the primary key's (source, grain, period) range would read every
    # place's days of the period (a year's: a third of the table) for each row.
    columns = ", ".join(_SPAN_OF_DAYS)
    spans = ", ".join(f"{agg}(CASE WHEN {condition} THEN d.period END)" for agg, condition in _SPAN_OF_DAYS.values())
    return f"""UPDATE {r.table} SET ({columns}) = (
                   SELECT {spans} FROM {r.table} d INDEXED BY {r.table}_place
                   WHERE d.place_id = {r.table}.place_id AND d.source = {r.table}.source AND d.grain = 'day'
                   AND d.period BETWEEN {r.table}.period AND {r.table}.period || '-99' AND d.period != '')
               WHERE {_touched(r, articles)}"""


_CHUNK = 5000  # article ids per statement (both backends allow far more parameters)


def _apply(db: Database, articles: str, params: dict, sign: int, rollups: Sequence[Rollup] = ROLLUPS) -> None:
    for r in rollups:
        db.execute(_contribution(r, articles), {**params, "sign": sign})
        if sign < 0:
            db.execute(_emptied(r, articles), params)
            if r.spans:
                db.execute(_respanned(r, articles), params)


def add(db: Database, article_ids: Sequence[str]) -> None:
    """Count new articles in (their mentions are stored, in this transaction)."""
    ids = list(article_ids)
    for at in range(0, len(ids), _CHUNK):
        chunk = ids[at:at + _CHUNK]
        params = {f"a{i}": article_id for i, article_id in enumerate(chunk)}
        _apply(db, ", ".join(f":{name}" for name in params), params, +1)


@contextmanager
def recounted(db: Database, articles: str, params: dict) -> Iterator[None]:
    """Around a change to some articles' mentions: their counts out before, back in after.

    `articles` is SQL giving the ids of the articles touched (a subquery, or one `:param`),
    the same before and after the change.
    """
    _apply(db, articles, params, -1)
    yield
    _apply(db, articles, params, +1)


def rebuild(db: Database, tables: Iterable[str] | None = None) -> None:
    """Count every stored article anew into these roll-ups (None: all of them): a store from
    before them, or a repair."""
    chosen = [r for r in ROLLUPS if tables is None or r.table in tables]
    for r in chosen:
        db.execute(f"DELETE FROM {r.table}")
    _apply(db, "SELECT id FROM articles", {}, +1, chosen)


# --- reading place_periods -------------------------------------------------------------------

UNKNOWN = ("day", "", "")  # the day rows of articles of unknown date


def periods(start: str | None, end: str | None) -> list[tuple[str, str, str]]:
    """The days from `start` to `end` (ISO dates, inclusive; None: unbounded) as the fewest
    place_periods rows: (grain, first period, last period) ranges of whole years, whole months,
    and days at either end. Unknown dates belong only to an unbounded range."""
    if not start and not end:
        return [("year", "0000", "9999"), UNKNOWN]
    first = date.fromisoformat(start) if start else date.min
    last = date.fromisoformat(end) if end else date.max
    whole_from = first if first.day == 1 else _next_month(first)  # the first whole month
    month_end = last == date.max or (last + timedelta(days=1)).day == 1
    whole_to = last if month_end else last.replace(day=1) - timedelta(days=1)  # the last whole month's end
    if whole_from > whole_to:  # no whole month in the range
        return [("day", first.isoformat(), last.isoformat())] if first <= last else []
    out = []
    if first < whole_from:
        out.append(("day", first.isoformat(), (whole_from - timedelta(days=1)).isoformat()))
    years = (whole_from.year + (whole_from.month != 1), whole_to.year - (whole_to.month != 12))
    if years[0] <= years[1]:
        out.append(("year", f"{years[0]:04d}", f"{years[1]:04d}"))
        if whole_from.year < years[0]:
            out.append(("month", _month(whole_from), f"{whole_from.year:04d}-12"))
        if whole_to.year > years[1]:
            out.append(("month", f"{whole_to.year:04d}-01", _month(whole_to)))
    else:
        out.append(("month", _month(whole_from), _month(whole_to)))
    if whole_to < last:
        out.append(("day", (whole_to + timedelta(days=1)).isoformat(), last.isoformat()))
    return out


def _month(d: date) -> str:
    return d.isoformat()[:7]


def _next_month(d: date) -> date:
    return date(d.year + d.month // 12, d.month % 12 + 1, 1)
