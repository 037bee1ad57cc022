"""geodata.store on real SQLite files, and geodata.export of what it holds."""
from __future__ import annotations

import csv
import io
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from geodata.exceptions import StoreError
from geodata.export import COLUMNS, export, to_csv, to_geojson
from geodata.model import Article, Mention, Place
from geodata.queries import Filter, mention_rows
from geodata.store import Store

REPO = Path(__file__).resolve().parent.parent

IDLIB = Place("test:idlib", "Idlib", "admin1", "SY", 35.93, 36.63, geonameid=None, admin1="Idlib")
ALEPPO = Place("test:aleppo", "Aleppo", "city", "SY", 36.20, 37.16, admin1="Aleppo")
TURKEY = Place("test:turkey", "Turkey", "country", "TR", 39.0, 35.0)
ARIHA_SY = Place("test:ariha-sy", "Ariha", "city", "SY", 35.81, 36.61)


def mention(text: str, surface: str, place: Place | None, *, context: str = "SY", kind: str = "toponym",
            norm: str | None = None, score: float = 0.8) -> Mention:
    """A mention of the first `surface` in `text`, its sentence being its paragraph."""
    start = text.index(surface)
    sent_start = text.rfind("\n\n", 0, start) + 2 if "\n\n" in text[:start] else 0
    sent_end = text.find("\n\n", start) if "\n\n" in text[start:] else len(text)
    return Mention(start, start + len(surface), surface, sent_start, sent_end, kind=kind,
                   norm=norm or surface.lower(), context=context, place=place, score=score)


def article(n: int, text: str, date: str | None = "2020-01-12", url: str = "") -> Article:
    return Article(id=url or f"sha1:{n:040d}", title=f"Article {n}", text=text, source="Test Desk",
                   url=url, date=date, origin=f"test {n}")


SEED_TEXT = "Shelling hit Idlib province on Sunday.\n\nRockets fell on Aleppo city, Turkish officials said."


def seed_pair() -> tuple[Article, list[Mention]]:
    a = article(1, SEED_TEXT, url="https://news.example/2020/01/12/idlib")
    return a, [
        mention(SEED_TEXT, "Idlib", IDLIB),
        mention(SEED_TEXT, "Aleppo", ALEPPO),
        mention(SEED_TEXT, "Turkish", TURKEY, kind="demonym"),
    ]


@pytest.fixture
def store(tmp_path):
    with Store(tmp_path / "store.sqlite") as s:
        yield s


def count(store: Store, table: str) -> int:
    return store.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]


def test_open_creates_the_schema_in_wal_mode(tmp_path):
    path = tmp_path / "new" / "store.sqlite"
    with Store(path) as s:
        assert s.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        tables = {r[0] for r in s.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        assert {"articles", "places", "mentions", "place_names", "corrections"} <= tables
    assert path.exists()


def test_add_stores_article_mentions_places_and_spellings(store):
    a, ms = seed_pair()
    assert store.add(a, ms) is True
    row = dict(store.conn.execute("SELECT * FROM articles").fetchone())
    assert (row["id"], row["published"], row["text"], row["origin"]) == (a.id, "2020-01-12", SEED_TEXT, "test 1")
    rows = [dict(r) for r in store.conn.execute("SELECT * FROM mentions ORDER BY start")]
    assert [(r["surface"], r["place_id"], r["kind"], r["status"], r["day"], r["norm"], r["context"]) for r in rows] == [
        ("Idlib", "test:idlib", "toponym", "auto", "2020-01-12", "idlib", "SY"),
        ("Aleppo", "test:aleppo", "toponym", "auto", "2020-01-12", "aleppo", "SY"),
        ("Turkish", "test:turkey", "demonym", "auto", "2020-01-12", "turkish", "SY"),
    ]
    assert all(SEED_TEXT[r["start"]:r["end"]] == r["surface"] for r in rows)
    assert SEED_TEXT[rows[1]["sent_start"]:rows[1]["sent_end"]].startswith("Rockets fell on Aleppo")
    place = dict(store.conn.execute("SELECT * FROM places WHERE id = 'test:aleppo'").fetchone())
    assert (place["name"], place["kind"], place["country"], place["lat"], place["lon"]) == ("Aleppo", "city", "SY", 36.20, 37.16)
    names = set(store.conn.execute("SELECT place_id, name FROM place_names").fetchall())
    assert {tuple(n) for n in names} == {("test:idlib", "Idlib"), ("test:aleppo", "Aleppo"), ("test:turkey", "Turkish")}


def test_the_same_article_twice_adds_nothing(store):
    a, ms = seed_pair()
    assert store.add(a, ms) is True
    before = [count(store, t) for t in ("articles", "mentions", "places", "place_names")]
    assert store.add(a, ms) is False
    assert store.has(a.id)
    assert [count(store, t) for t in ("articles", "mentions", "places", "place_names")] == before == [1, 3, 3, 3]


def test_batch_reports_new_and_known_and_shares_places(store):
    a, ms = seed_pair()
    store.add(a, ms)
    text2 = "Aid reached Idlib and Ariha."
    b = article(2, text2, date=None)
    b_mentions = [mention(text2, "Idlib", IDLIB), mention(text2, "Ariha", ARIHA_SY)]
    unresolved = article(3, "Clashes near Kafr Nubl.")
    assert store.add_many([(a, ms), (b, b_mentions), (b, b_mentions),
                           (unresolved, [mention(unresolved.text, "Kafr Nubl", None)])]) == [False, True, False, True]
    assert count(store, "articles") == 3
    assert count(store, "mentions") == 3 + 2 + 1
    assert count(store, "places") == 4  # Idlib once, though two articles name it
    assert store.conn.execute("SELECT day FROM mentions WHERE article_id = ?", (b.id,)).fetchall()[0][0] is None
    assert store.counts() == {"articles": 3, "mentions": 6, "resolved": 5, "places": 4, "corrections": 0}


def test_a_failing_batch_adds_nothing_and_keeps_what_was_stored(store):
    a, ms = seed_pair()
    store.add(a, ms)
    good = article(2, "Aid reached Idlib.")
    broken = Article(id="sha1:broken", title="No text", text=None)  # NOT NULL in the store
    with pytest.raises(sqlite3.IntegrityError):
        store.add_many([(good, [mention(good.text, "Idlib", IDLIB)]), (broken, [])])
    assert not store.has(good.id)
    assert (count(store, "articles"), count(store, "mentions")) == (1, 3)
    assert store.add(good, [mention(good.text, "Idlib", IDLIB)]) is True  # the store still works


def test_delete_removes_the_article_and_its_mentions_only(store):
    a, ms = seed_pair()
    other = article(2, "Aid reached Idlib.")
    store.add_many([(a, ms), (other, [mention(other.text, "Idlib", IDLIB)])])
    assert store.delete(a.id) is True
    assert not store.has(a.id) and store.has(other.id)
    assert count(store, "mentions") == 1
    assert store.conn.execute("SELECT article_id FROM mentions").fetchone()[0] == other.id
    assert store.delete(a.id) is False
    assert store.add(a, ms) is True  # and it can come back


def test_data_survives_reopening(tmp_path):
    path = tmp_path / "store.sqlite"
    with Store(path) as s:
        s.add(*seed_pair())
    with Store(path) as s:
        assert s.counts()["mentions"] == 3
        assert s.add(*seed_pair()) is False


def test_a_file_that_is_not_a_store_is_a_clear_error(tmp_path):
    path = tmp_path / "notes.sqlite"
    path.write_text("these are my notes, not a database " * 100)
    with pytest.raises(StoreError, match=f"cannot open the store {path}: file is not a database"):
        Store(path)
    assert path.read_text().startswith("these are my notes")  # left as it was


# --- corrections -----------------------------------------------------------------------------

ARIHA_TEXT = "Shelling hit Ariha again."
ARIHA_WRONG = Place("test:ariha-ps", "Jericho", "city", "PS", 31.86, 35.46)  # Ariha is also Jericho


def ariha_article(n: int, context: str = "SY") -> tuple[Article, list[Mention]]:
    a = article(n, f"{ARIHA_TEXT} Report {n}.")
    return a, [mention(a.text, "Ariha", ARIHA_WRONG, context=context, score=0.4)]


def mention_state(store: Store, article_id: str) -> tuple:
    r = store.conn.execute("SELECT place_id, status, score FROM mentions WHERE article_id = ?", (article_id,)).fetchone()
    return tuple(r)


def test_correction_applies_to_every_mention_of_the_name_in_that_context(store):
    (a1, m1), (a2, m2), (other, m3) = ariha_article(1), ariha_article(2), ariha_article(3, context="PS")
    store.add_many([(a1, m1), (a2, m2), (other, m3)])
    first_id = store.conn.execute("SELECT id FROM mentions WHERE article_id = ?", (a1.id,)).fetchone()[0]
    assert store.correct(first_id, ARIHA_SY) == 2
    assert mention_state(store, a1.id) == mention_state(store, a2.id) == ("test:ariha-sy", "corrected", 1.0)
    assert mention_state(store, other.id) == ("test:ariha-ps", "auto", 0.4)  # other context untouched
    assert store.corrections() == {("ariha", "SY"): "test:ariha-sy"}
    assert ("test:ariha-sy", "Ariha") in {tuple(r) for r in store.conn.execute("SELECT * FROM place_names")}

    # A later ingest of the same name in the same context gets the user's place.
    a4, m4 = ariha_article(4)
    store.add(a4, m4)
    assert mention_state(store, a4.id) == ("test:ariha-sy", "corrected", 1.0)


def test_rejection_marks_not_a_place_now_and_later(store):
    (a1, m1), (a2, m2) = ariha_article(1), ariha_article(2)
    store.add_many([(a1, m1), (a2, m2)])
    first_id = store.conn.execute("SELECT id FROM mentions WHERE article_id = ?", (a1.id,)).fetchone()[0]
    assert store.correct(first_id, None) == 2
    assert mention_state(store, a1.id) == mention_state(store, a2.id) == (None, "rejected", 0.4)
    a3, m3 = ariha_article(3)
    store.add(a3, m3)
    assert mention_state(store, a3.id) == (None, "rejected", 0.4)
    assert store.corrections() == {("ariha", "SY"): None}
    # Changing one's mind replaces the correction.
    store.correct(first_id, ARIHA_SY)
    assert store.corrections() == {("ariha", "SY"): "test:ariha-sy"}
    assert {mention_state(store, a.id)[0] for a in (a1, a2, a3)} == {"test:ariha-sy"}


def test_correcting_an_unknown_mention_raises(store):
    with pytest.raises(StoreError, match="no mention 99"):
        store.correct(99, ARIHA_SY)
    assert store.corrections() == {}


# --- a process killed mid-ingest -------------------------------------------------------------

CHILD = r"""
import sys
from geodata.model import Article, Mention, Place
from geodata.store import Store

store, offset = Store(sys.argv[1]), int(sys.argv[2])
place = Place("test:aleppo", "Aleppo", "city", "SY", 36.2, 37.16)
for b in range(10_000):
    batch = []
    for i in range(100):
        n = offset + b * 100 + i
        k = 150 + n % 37  # each article has its own number of mentions, written in its title
        text = "Aleppo. " * k
        mentions = [Mention(8 * j, 8 * j + 6, "Aleppo", 8 * j, 8 * j + 7, norm="aleppo", context="SY",
                            place=place, score=0.9) for j in range(k)]
        batch.append((Article(id=f"a{n}", title=str(k), text=text, date="2020-01-12"), mentions))
    print("begin", b, flush=True)
    store.add_many(batch)
    print("committed", b, flush=True)
"""


def ingest_and_kill(path: Path, offset: int, fraction: float) -> bool:
    """Run a writer, SIGKILL it `fraction` of the way into its third batch; True if that batch never committed."""
    env = dict(os.environ, PYTHONPATH=str(REPO))
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), str(offset)],
                             stdout=subprocess.PIPE, text=True, env=env)
    began = duration = 0.0
    for line in child.stdout:
        word, batch = line.split()
        if word == "begin":
            began = time.perf_counter()
            if batch == "2":
                break
        else:
            duration = time.perf_counter() - began
    time.sleep(duration * fraction)
    child.send_signal(signal.SIGKILL)
    rest = child.stdout.read()
    child.wait()
    assert child.returncode == -signal.SIGKILL
    return "committed 2" not in rest


def test_sigkill_mid_ingest_leaves_whole_batches_only(tmp_path):
    """Kill the writer at points through a batch: after each, no article is half there."""
    path = tmp_path / "store.sqlite"
    inside = 0
    for round_, fraction in enumerate((0.05, 0.3, 0.5, 0.7, 0.95)):
        inside += ingest_and_kill(path, round_ * 100_000, fraction)
        with Store(path) as s:
            assert s.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            articles = s.conn.execute(
                "SELECT a.title, count(m.id) FROM articles a LEFT JOIN mentions m ON m.article_id = a.id GROUP BY a.id"
            ).fetchall()
            assert len(articles) >= 200 * (round_ + 1) and len(articles) % 100 == 0  # whole batches only
            assert all(int(title) == n for title, n in articles)  # every article with all its mentions
            orphans = s.conn.execute("SELECT count(*) FROM mentions WHERE article_id NOT IN (SELECT id FROM articles)")
            assert orphans.fetchone()[0] == 0
    assert inside >= 3  # most kills landed inside a transaction, not between two
    with Store(path) as s:  # and the store takes the next ingest as usual
        text = "Shelling hit Idlib."
        assert s.add(article(1, text), [mention(text, "Idlib", IDLIB)]) is True


# --- export ----------------------------------------------------------------------------------


@pytest.fixture
def rows(store):
    a, ms = seed_pair()
    b = article(2, "Aid reached Ariha, officials said \"today\".", date=None)
    store.add_many([(a, ms), (b, [mention(b.text, "Ariha", ARIHA_SY)])])
    return mention_rows(store.conn, Filter(include_demonyms=True, include_countries=True))


def test_csv_export_reads_back(rows):
    text = to_csv(rows)
    back = list(csv.DictReader(io.StringIO(text)))
    assert len(back) == len(rows) == 4
    assert list(back[0])[: len(COLUMNS)] == list(COLUMNS)
    by_surface = {r["surface"]: r for r in back}
    assert by_surface["Aleppo"]["sentence"] == "Rockets fell on Aleppo city, Turkish officials said."
    assert (by_surface["Aleppo"]["place_name"], float(by_surface["Aleppo"]["lat"])) == ("Aleppo", 36.20)
    assert by_surface["Turkish"]["mention_kind"] == "demonym"
    assert by_surface["Ariha"]["published"] == ""  # unknown date stays empty
    assert by_surface["Ariha"]["sentence"] == 'Aid reached Ariha, officials said "today".'
    assert export(rows, "csv") == text


def test_geojson_export_reads_back(rows):
    data = json.loads(to_geojson(rows))
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 4
    aleppo = next(f for f in data["features"] if f["properties"]["surface"] == "Aleppo")
    assert aleppo["geometry"] == {"type": "Point", "coordinates": [37.16, 36.20]}  # lon, lat
    assert "lat" not in aleppo["properties"] and "lon" not in aleppo["properties"]
    assert aleppo["properties"]["place_id"] == "test:aleppo"
    assert aleppo["properties"]["article_id"] == "https://news.example/2020/01/12/idlib"
    assert json.loads(export(rows, "geojson")) == data


def test_geojson_keeps_a_row_without_coordinates():
    row = {"article_id": "a", "surface": "Kafr Nubl", "lat": None, "lon": None}
    (feature,) = json.loads(to_geojson([row]))["features"]
    assert feature == {"type": "Feature", "geometry": None, "properties": {"article_id": "a", "surface": "Kafr Nubl"}}


def test_unknown_export_format():
    with pytest.raises(ValueError, match="unknown export format 'kml'; use one of csv, geojson"):
        export([], "kml")
