"""geodata.queries on both backends, over one generated corpus: the page's every query answers the
same on SQLite and on PostgreSQL, the daily roll-up answers as the mentions do (after ingests,
deletes and corrections too, with syndicated copies counted once), and a few answers checked by hand.
"""
from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta

import pytest

from geodata import queries, stories
from geodata.model import Article, Mention, Place
from geodata.queries import Filter
from geodata.store import Store

PLACES = [
    Place("q:aleppo", "Aleppo", "city", "SY", 36.20, 37.16),
    Place("q:idlib", "Idlib", "admin1", "SY", 35.93, 36.63),
    Place("q:saraqib", "Saraqib", "city", "SY", 35.86, 36.80),
    Place("q:ariha", "Ariha", "city", "SY", 35.81, 36.61),
    Place("q:gaziantep", "Gaziantep", "city", "TR", 37.07, 37.38),
    Place("q:turkey", "Turkey", "country", "TR", 39.0, 35.0),
    Place("q:syria", "Syria", "country", "SY", 35.0, 38.0),
    Place("q:homs", "Homs", "admin1", "SY", 34.73, 36.71),
]
SOURCES = ("Wire A", "Wire B", "Local Desk")
DEMONYMS = {"q:turkey": "Turkish", "q:syria": "Syrian"}
ROLES = ("event", "event", "actor", "background")
EVENT_TYPES = ("strike/shelling", "clash", "protest")


def corpus(n: int = 120, seed: int = 13) -> list[tuple[Article, list[Mention]]]:
    """n articles over three years (some undated), each naming a few places, as the parser would."""
    rng = random.Random(seed)
    out = []
    for i in range(n):
        text, mentions = "", []
        for place in rng.choices(PLACES, weights=[8, 6, 4, 3, 2, 3, 2, 1], k=rng.randint(1, 6)):
            demonym = place.id in DEMONYMS and rng.random() < 0.4
            name = DEMONYMS[place.id] if demonym else place.name
            sentence = f"Reports from {name} said {rng.choice(['shelling', 'aid', 'talks'])} went on. "
            start = len(text) + len("Reports from ")
            resolved = rng.random() > 0.1  # some names stay unresolved
            role = rng.choice(ROLES)  # as geodata.roles would give it: some events, of some types
            mentions.append(Mention(start, start + len(name), name, len(text), len(text) + len(sentence) - 1,
                                    kind="demonym" if demonym else "toponym", norm=name.lower(), context="SY",
                                    place=place if resolved else None, score=round(rng.uniform(0.3, 1), 2),
                                    role=role, event_type=rng.choice(EVENT_TYPES) if role == "event" else None))
            text += sentence
        day = None if rng.random() < 0.1 else (date(2019, 1, 1) + timedelta(days=rng.randrange(3 * 365))).isoformat()
        source = rng.choice(SOURCES)
        url = f"https://news.example/{i}"
        out.append((Article(id=url, title=f"Report {i:03d}", text=text, source=source, url=url, date=day,
                            origin="test"), mentions))
    return out


FILTERS = [
    Filter(),
    Filter(include_demonyms=True, include_countries=True),
    Filter(start="2020-01-10", end="2020-02-05"),  # days
    Filter(start="2019-03-15", end="2021-02-14"),  # days, months, a year, months, days
    Filter(start="2020-02-01"),
    Filter(end="2020-01-31", include_demonyms=True),
    Filter(start="2019-02-01", end="2019-11-30", sources=("Wire B",)),
    Filter(sources=("Wire A", "Local Desk")),
    Filter(kinds=("city",)),
    Filter(kinds=("country",), include_countries=True, include_demonyms=True),
    Filter(place_id="q:idlib"),
    Filter(place_id="q:turkey", include_countries=True, include_demonyms=True, start="2020-01-15"),
    Filter(bbox=(35.5, 36.0, 36.5, 37.0)),
    Filter(words="shelling"),
    Filter(words='"went on" TALKS', sources=("Wire B",)),
    Filter(roles=("event",)),  # where things happened
    Filter(roles=("event",), include_demonyms=True, include_countries=True, start="2019-03-15", end="2021-02-14"),
    Filter(roles=("event",), place_id="q:aleppo", start="2020-02-01"),
    Filter(roles=("event",), event_types=("clash",)),
    Filter(roles=("actor",)),
    Filter(every_copy=True),
    Filter(every_copy=True, start="2019-03-15", end="2021-02-14", sources=("Wire A",)),
]
# Stories of several copies (story id -> its articles): the first stored names the story.
STORIES = {f"https://news.example/{s}": [f"https://news.example/{i}" for i in members]
           for s, members in ((7, (7, 20, 33, 46)), (50, (50, 51, 52)), (61, (61, 98)))}


def answers(conn, flt: Filter, rollup: bool = True) -> dict:
    """Every query the page makes for one filter."""
    return {
        "places": queries.place_counts(conn, flt, rollup=rollup, types=True),
        "count": queries.mention_count(conn, flt, rollup=rollup),
        "breakdown": queries.mention_breakdown(conn, flt, rollup=rollup),
        "daily": queries.daily_counts(conn, flt, rollup=rollup),
        "rows": queries.mention_rows(conn, flt, limit=15),
        "articles": queries.articles(conn, flt),
        "article_counts": queries.article_counts(conn, flt, rollup=rollup),
    }


@pytest.fixture(scope="module")
def filled(tmp_path_factory, postgres):
    """The corpus in a SQLite store and in a PostgreSQL store, with a correction and a delete."""
    sqlite = str(tmp_path_factory.mktemp("q") / "store.sqlite")
    server_url = postgres.database()
    for location in (sqlite, server_url):
        with Store(location) as store:
            store.add_many(corpus())
            with store.transaction() as conn:  # syndicated copies, as geodata.stories groups them
                for story, members in STORIES.items():
                    conn.executemany("INSERT INTO story_members (article_id, member, story_id) VALUES (:a, :m, :s)",
                                     [{"a": a, "m": stories.member_key(a), "s": story} for a in members])
                stories.stand(conn, STORIES)
            ariha = store.conn.execute("SELECT id FROM mentions WHERE norm = 'ariha' ORDER BY id").fetchone()[0]
            store.correct(ariha, PLACES[2])  # every "Ariha" in SY is Saraqib now
            homs = store.conn.execute("SELECT id FROM mentions WHERE norm = 'homs' ORDER BY id").fetchone()[0]
            store.correct(homs, None)  # and "Homs" no place
            assert store.delete("https://news.example/7")  # a story's first publication: another stands for it
    yield {"sqlite": sqlite, "postgresql": server_url}
    postgres.drop(server_url)


@pytest.mark.parametrize("flt", FILTERS, ids=repr)
def test_both_backends_answer_alike(filled, flt):
    with queries.connect(filled["sqlite"]) as lite, queries.connect(filled["postgresql"]) as server:
        assert answers(lite, flt) == answers(server, flt)


@pytest.mark.parametrize("backend", ("sqlite", "postgresql"))
def test_the_rollup_answers_as_the_mentions_do(filled, backend):
    with queries.connect(filled[backend]) as conn:
        for flt in FILTERS:
            for flt in (flt, replace(flt, include_demonyms=not flt.include_demonyms)):
                assert answers(conn, flt, rollup=True) == answers(conn, flt, rollup=False), flt


def test_answers_checked_by_hand(filled):
    with queries.connect(filled["postgresql"]) as conn:
        places = {p["place_id"]: p for p in queries.place_counts(conn, Filter())}
        assert "q:turkey" not in places and "q:syria" not in places  # countries hidden by default
        assert "q:ariha" not in places and "q:homs" not in places  # corrected away
        raw = conn.execute(
            "SELECT count(*), count(DISTINCT m.article_id), min(a.published) FROM mentions m"
            " JOIN articles a ON a.id = m.article_id WHERE m.place_id = 'q:saraqib' AND m.kind = 'toponym'"
            " AND m.article_id NOT IN (SELECT article_id FROM story_members WHERE copy = 1)"  # a story once
        ).fetchone()
        assert (places["q:saraqib"]["mentions"], places["q:saraqib"]["articles"], places["q:saraqib"]["first"]) == tuple(raw)
        days = queries.daily_counts(conn, Filter(start="2020-02-01", end="2020-04-10"))
        assert days and all("2020-02-01" <= d["day"] <= "2020-04-10" for d in days)
        assert queries.mention_count(conn, Filter(place_id="q:homs")) == 0
        assert not queries.articles(conn, Filter(place_id="q:homs"))
        # each story stands for itself once, also when its first publication was deleted
        stand = conn.execute("SELECT story_id, sum(1 - copy) FROM story_members GROUP BY story_id").fetchall()
        assert sorted(tuple(r) for r in stand) == sorted((story, 1) for story in STORIES)
        assert queries.totals(conn)["copies"] == (4 - 1 - 1) + (3 - 1) + (2 - 1)  # one of the first story deleted


@pytest.mark.parametrize("backend", ["sqlite", "postgresql"])
def test_the_totals_count_every_mention_and_every_copy(filled, backend):
    """The store's totals (from the roll-up and the copies read apart) are the mentions' own
    counts, after corrections, rejections, deletions and copies."""
    with queries.connect(filled[backend]) as conn:
        raw = conn.execute(
            """SELECT count(*),
                      sum(CASE WHEN place_id IS NOT NULL AND status != 'rejected' THEN 1 ELSE 0 END),
                      sum(CASE WHEN place_id IS NOT NULL AND status != 'rejected' AND role = 'event' THEN 1 ELSE 0 END),
                      sum(CASE WHEN place_id IS NULL AND status != 'rejected' THEN 1 ELSE 0 END),
                      sum(CASE WHEN status = 'rejected' THEN 1 ELSE 0 END)
               FROM mentions""").fetchone()
        totals = queries.totals(conn)
        assert (totals["found"], totals["mentions"], totals["events"], totals["unresolved"], totals["rejected"]) \
            == tuple(raw)
        assert totals["rejected"] and totals["copies"] and totals["unresolved"]


def test_a_place_that_changes_kind_moves_its_counts(store_location):
    """A gazetteer rebuilt (or a user's place) can make a city a district: the totals per kind
    (kind_days) follow, so the timeline's kinds filter still answers as the mentions do."""
    town = Place("q:town", "Kafr Town", "city", "SY", 35.9, 36.6)
    pairs = corpus(6)
    with Store(store_location) as store:
        store.add_many(pairs)
        later = Article(id="later", title="Later", text="Clashes in Kafr Town.", date="2020-03-01")
        store.add(later, [Mention(11, 20, "Kafr Town", 0, 21, norm="kafr town", context="SY", place=town)])
        again = Article(id="again", title="Again", text="Kafr Town again.", date="2020-03-02")
        store.add(again, [Mention(0, 9, "Kafr Town", 0, 16, norm="kafr town", context="SY",
                                  place=replace(town, kind="admin2"))])
        assert store.conn.execute("SELECT kind FROM places WHERE id = 'q:town'").fetchone()[0] == "admin2"
        for kinds in (("city",), ("admin2",)):
            flt = Filter(kinds=kinds, start="2020-03-01")
            assert queries.daily_counts(store.conn, flt) == queries.daily_counts(store.conn, flt, rollup=False)
            assert queries.mention_count(store.conn, flt) == queries.mention_count(store.conn, flt, rollup=False)
        assert queries.mention_count(store.conn, Filter(kinds=("admin2",), start="2020-03-01")) == 2


def test_periods_cover_a_date_range_exactly_with_few_rows():
    """rollup.periods: the years, months and days it gives hold every day of the range, once."""
    from geodata.rollup import periods

    def days(ranges):
        out = []
        for grain, lo, hi in ranges:
            first = date.fromisoformat(lo if grain == "day" else f"{lo}-01" if grain == "month" else f"{lo}-01-01")
            last = date.fromisoformat(hi if grain == "day" else f"{hi}-01" if grain == "month" else f"{hi}-12-01")
            if grain != "day":  # to the end of the last month
                last = (last.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
            out += [first + timedelta(days=k) for k in range((last - first).days + 1)]
        return out

    rng = random.Random(5)
    for _ in range(500):
        first = date(2018, 1, 1) + timedelta(days=rng.randrange(1500))
        last = first + timedelta(days=rng.randrange(-3, 1200))
        ranges = periods(first.isoformat(), last.isoformat())
        assert sorted(days(ranges)) == [first + timedelta(days=k) for k in range((last - first).days + 1)]
        assert len(ranges) <= 5
    assert periods("2019-01-01", "2021-12-31") == [("year", "2019", "2021")]
    assert periods(None, None) == [("year", "0000", "9999"), ("day", "", "")]  # with unknown dates
    assert ("day", "", "") not in periods("2019-01-01", None) + periods(None, "2019-01-01")


def test_the_article_list_of_a_place_is_the_same_read_either_way(filled, monkeypatch):
    """From the place's articles (few), or from the newest articles, checking each (many)."""
    with queries.connect(filled["postgresql"]) as conn:
        for flt in [f for f in FILTERS if f.place_id] + [Filter(place_id="q:aleppo", start="2019-06-01")]:
            few = queries.articles(conn, flt, limit=7)
            monkeypatch.setattr(queries, "FEW_ARTICLES", 0)
            assert queries.articles(conn, flt, limit=7) == few and few
            monkeypatch.undo()


def test_first_and_last_days_follow_a_deletion(store_location):
    """Deleting the article of a place's last day moves its last day back (a month's and a
    year's rows keep their first and last day, worked out again from the days after a removal)."""
    flt = Filter(start="2019-01-01", end="2021-12-31")  # whole years: the year rows answer

    def aleppo(rollup=True):
        return next(p for p in queries.place_counts(store.conn, flt, rollup=rollup) if p["place_id"] == "q:aleppo")

    with Store(store_location) as store:
        store.add_many(corpus(40))
        before = aleppo()
        for _ in range(3):  # the last three days, one after another
            last = aleppo()["last"]
            for (article_id,) in store.conn.execute(
                    "SELECT DISTINCT article_id FROM mentions WHERE place_id = 'q:aleppo' AND day = ?", (last,)).fetchall():
                store.delete(article_id)
            assert aleppo() == aleppo(rollup=False) and aleppo()["last"] < last
        assert aleppo()["first"] == before["first"]


def test_a_removal_works_out_first_and_last_days_from_the_places_own_rows(tmp_path):
    """After a removal, a year's first and last days are read from its place's day rows (the
    place's index), not from every place's days of that year, and all of them in one reading:
    that cost grew with the store and took a fifth of an ingest whose articles were syndicated
    copies."""
    from geodata import rollup

    with Store(str(tmp_path / "store.sqlite")) as store:
        store.add_many(corpus(20))
        sql = rollup._respanned(rollup.ROLLUPS[0], ":a0")
        plan = [row[3] for row in store.conn.execute("EXPLAIN QUERY PLAN " + sql, {"a0": "x"})]
    reads = [step for step in plan if step.startswith("SEARCH d ")]
    assert len(reads) == 1
    assert all("place_id=? AND source=? AND grain=?" in step for step in reads), reads


def test_a_store_from_before_a_roll_up_counts_it_once_on_open(store_location):
    """An older store lacks the newest roll-up (article_views): opening it counts every article
    into it, and the counts it answers are the mentions'."""
    flt = Filter(roles=("event",), start="2019-03-15", end="2021-02-14")
    with Store(store_location) as store:
        store.add_many(corpus(40))
        with store.conn.transaction() as db:
            db.execute("DROP TABLE article_views")
    with Store(store_location) as store:
        assert store.conn.execute("SELECT count(*) FROM article_views").fetchone()[0] > 0
        assert queries.article_counts(store.conn, flt) == queries.article_counts(store.conn, flt, rollup=False)
        assert queries.article_counts(store.conn, flt)["dated"] > 0
