"""Roles in the store, its queries and exports, on real SQLite files: stored with each mention,
given to the mentions of a store written before roles, filtered, counted, exported."""
from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest

from geodata.export import EVENT_COLUMNS, export
from geodata.model import Article, Mention, Place
from geodata.queries import Filter, daily_counts, event_rows, mention_rows, place_counts, totals
from geodata.roles import assign
from geodata.store import Store

REPO = Path(__file__).resolve().parent.parent
SARAQIB = Place("test:saraqib", "Saraqib", "city", "SY", 35.86, 36.80, admin1="Idlib")
MOSCOW = Place("test:moscow", "Moscow", "city", "RU", 55.75, 37.62)
ARIHA = Place("test:ariha", "Ariha", "city", "SY", 35.81, 36.61, admin1="Idlib")
RUSSIA = Place("test:russia", "Russia", "country", "RU", 60.0, 100.0)
TEXT = ("Russian jets shelled Saraqib on Monday, killing five people.\n\n"
        "Talks in Moscow on Tuesday produced no deal.\n\n"
        "Moscow denied bombing Ariha.\n\n"
        "Protesters marched through Saraqib on Friday.")


def mentions_of(text: str, names: list[tuple[str, Place, str]]) -> list[Mention]:
    """Mentions of each name's n-th occurrence ("Saraqib#2"), sentences as paragraphs."""
    out = []
    for name, place, kind in names:
        surface, _, nth = name.partition("#")
        start = -1
        for _ in range(int(nth or 1)):
            start = text.index(surface, start + 1)
        a = text.rfind("\n\n", 0, start)
        a = a + 2 if a >= 0 else 0
        b = text.find("\n\n", start)
        b = b if b >= 0 else len(text)
        out.append(Mention(start, start + len(surface), surface, a, b, kind, surface.lower(), "SY",
                           place, 0.9))
    return out


NAMES = [("Russian", RUSSIA, "demonym"), ("Saraqib", SARAQIB, "toponym"), ("Moscow", MOSCOW, "toponym"),
         ("Moscow#2", MOSCOW, "toponym"), ("Ariha", ARIHA, "toponym"), ("Saraqib#2", SARAQIB, "toponym")]
ARTICLE = Article("https://news.example/1", "Saraqib shelled", TEXT, "Test Desk", "https://news.example/1",
                  "2020-02-03", "test")


@pytest.fixture
def store(store_location):
    """A store on each backend (SQLite, PostgreSQL) holding the article with its roles."""
    with Store(store_location) as s:
        s.add(ARTICLE, assign(TEXT, mentions_of(TEXT, NAMES)))
        yield s


def test_roles_are_stored_with_their_trigger_span(store):
    rows = store.conn.execute("SELECT surface, role, event_type, trigger_start, trigger_end FROM mentions"
                              " ORDER BY start").fetchall()
    got = [(r[0], r[1], r[2], TEXT[r[3]:r[4]] if r[3] is not None else None) for r in rows]
    assert got == [("Russian", "actor", None, "jets"),
                   ("Saraqib", "event", "strike/shelling", "shelled"),
                   ("Moscow", "background", None, "Talks"),
                   ("Moscow", "actor", None, "denied"),
                   ("Ariha", "background", None, "denied"),
                   ("Saraqib", "event", "protest", "marched")]


def test_filters_by_role_and_event_type(store):
    everything = Filter(include_demonyms=True, include_countries=True)
    events = mention_rows(store.conn, Filter(roles=("event",)))
    assert [(r["surface"], r["event_type"], r["trigger"]) for r in events] == [
        ("Saraqib", "strike/shelling", "shelled"), ("Saraqib", "protest", "marched")]
    row = events[0]  # the trigger as an offset into the sentence, for highlighting
    assert row["sentence"][row["trigger_offset"]:row["trigger_offset"] + row["trigger_length"]] == "shelled"
    protests = mention_rows(store.conn, Filter(roles=("event",), event_types=("protest",)))
    assert [r["surface"] for r in protests] == ["Saraqib"]
    assert {r["surface"] for r in mention_rows(store.conn, Filter(roles=("actor",), include_demonyms=True,
                                                                 include_countries=True))} == {"Russian", "Moscow"}
    assert len(mention_rows(store.conn, everything)) == 6


def test_place_and_day_counts_count_events(store):
    by_place = {p["name"]: p for p in place_counts(store.conn, Filter(), types=True)}
    assert by_place["Saraqib"]["events"] == 2 and by_place["Moscow"]["events"] == 0
    assert by_place["Saraqib"]["event_types"] == {"protest": 1, "strike/shelling": 1}
    assert by_place["Saraqib"]["event_type"] in ("protest", "strike/shelling")
    assert by_place["Moscow"]["event_type"] is None
    # by type only where asked, and in the view of where things happened (its map's colours)
    assert all(p["event_types"] == {} for p in place_counts(store.conn, Filter()))
    only_events = place_counts(store.conn, Filter(roles=("event",)))
    assert [p["name"] for p in only_events] == ["Saraqib"]
    assert only_events[0]["event_types"] == {"protest": 1, "strike/shelling": 1}
    assert daily_counts(store.conn, Filter()) == [{"day": "2020-02-03", "mentions": 5, "events": 2}]
    assert totals(store.conn)["events"] == 2


def test_event_table_in_the_acled_manner(store):
    rows = event_rows(store.conn, Filter(include_demonyms=True))
    assert [r["actors"] for r in rows] == [["Russian"], []]
    table = list(csv.DictReader(io.StringIO(export(rows, "events"))))
    assert list(table[0]) == list(EVENT_COLUMNS)
    first = table[0]
    assert (first["event_date"], first["year"], first["event_type"], first["location"], first["actors"],
            first["geo_precision"], first["precision"], first["source"], first["trigger"]) == (
        "2020-02-03", "2020", "strike/shelling", "Saraqib", "Russian", "1", "exact", "Test Desk", "shelled")
    assert first["notes"] == "Russian jets shelled Saraqib on Monday, killing five people."
    mentions_csv = list(csv.DictReader(io.StringIO(export(mention_rows(store.conn, Filter()), "csv"))))
    assert {"role", "event_type", "trigger"} <= set(mentions_csv[0])


def test_a_store_from_before_roles_opens_and_its_mentions_get_roles(store_location):
    with Store(store_location) as s:
        s.add(ARTICLE, mentions_of(TEXT, [("Saraqib", SARAQIB, "toponym"), ("Ariha", ARIHA, "toponym")]))
        # as a store written before roles: no role columns (and so no index on them)
        s.conn.execute("DROP INDEX mentions_role")
        s.conn.execute("DROP TABLE place_event_types")  # its roll-up came with roles
        for column in ("role", "event_type", "trigger_start", "trigger_end"):
            s.conn.execute(f"ALTER TABLE mentions DROP COLUMN {column}")
        assert "role" not in s.conn.columns("mentions")
    with Store(store_location) as s:
        rows = s.conn.execute("SELECT surface, role, event_type FROM mentions ORDER BY start").fetchall()
        assert [tuple(r) for r in rows] == [("Saraqib", "event", "strike/shelling"), ("Ariha", "background", None)]
        assert s.counts()["articles"] == 1  # nothing stored was lost
        # the roll-ups moved with the roles: the event view reads them as it reads the mentions
        events = Filter(roles=("event",))
        assert [(p["name"], p["mentions"]) for p in place_counts(s.conn, events)] == [("Saraqib", 1)]
        assert place_counts(s.conn, events) == place_counts(s.conn, events, rollup=False)
        assert daily_counts(s.conn, events) == daily_counts(s.conn, events, rollup=False)
    with Store(store_location) as s:  # a second open finds nothing to do
        assert s.assign_roles() == 0


def test_cli_exports_the_event_table(data_dir, tmp_path):
    db = tmp_path / "cli.sqlite"
    with Store(db) as s:
        s.add(ARTICLE, assign(TEXT, mentions_of(TEXT, NAMES)))
    out = tmp_path / "events.csv"
    run = subprocess.run([sys.executable, "-m", "geodata", "export", "--format", "events", "--db", str(db),
                          "--out", str(out)], capture_output=True, text=True, cwd=REPO, check=True)
    assert "2 events written" in run.stderr
    table = list(csv.DictReader(out.open()))
    assert [(r["location"], r["event_type"]) for r in table] == [("Saraqib", "strike/shelling"),
                                                                  ("Saraqib", "protest")]
