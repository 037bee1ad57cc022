"""geodata.corrections through geodata.store on both backends (a real SQLite file, a real
PostgreSQL server: each test taking `store` runs on both): scopes, preview, log, undo.

"Byte for byte" is checked by comparing every column of every stored mention (and the rules
table) before a correction and after its undo.
"""
from __future__ import annotations

import sqlite3

import pytest

from geodata import corrections
from geodata.exceptions import CorrectionError
from geodata.model import Article, Mention, Place
from geodata.store import Store
from test_store import article, mention

IDLIB_GOV = Place("test:idlib-gov", "Idlib", "admin1", "SY", 35.83, 36.67)
IDLIB_CITY = Place("test:idlib-city", "Idlib", "city", "SY", 35.93, 36.63)
SYRIA = Place("test:sy", "Syria", "country", "SY", 35.0, 38.5)

A_TEXT = "Shelling hit Idlib province on Sunday.\n\nIn the city of Idlib, markets shut."
B_TEXT = "Aid reached Idlib on Monday."
C_TEXT = "Idlib talks were held in Ankara."  # another context: Turkish reporting


def nth(text: str, surface: str, n: int, place: Place, *, context: str = "SY", score: float) -> Mention:
    """The n-th mention of `surface` in `text` (its paragraph as its sentence)."""
    start = -1
    for _ in range(n + 1):
        start = text.index(surface, start + 1)
    sent_start = text.rfind("\n\n", 0, start) + 2 if "\n\n" in text[:start] else 0
    sent_end = text.find("\n\n", start) if "\n\n" in text[start:] else len(text)
    return Mention(start, start + len(surface), surface, sent_start, sent_end, norm=surface.lower(),
                   context=context, place=place, score=score)


def idlib_articles() -> list[tuple[Article, list[Mention]]]:
    """Article A names Idlib twice, B once, both in Syrian context; C once in Turkish context.
    The parser put every one on the governorate."""
    a, b, c = article(1, A_TEXT), article(2, B_TEXT, date="2020-01-13"), article(3, C_TEXT, date=None)
    return [(a, [nth(A_TEXT, "Idlib", 0, IDLIB_GOV, score=0.7), nth(A_TEXT, "Idlib", 1, IDLIB_GOV, score=0.6)]),
            (b, [nth(B_TEXT, "Idlib", 0, IDLIB_GOV, score=0.65)]),
            (c, [nth(C_TEXT, "Idlib", 0, IDLIB_GOV, context="TR", score=0.5)])]


@pytest.fixture
def store(store_location):
    with Store(store_location) as s:
        s.add_many(idlib_articles())
        yield s


def snapshot(store: Store) -> list[tuple]:
    """Every stored mention, every column, and the rules: what an undo must give back exactly."""
    mentions = [tuple(r) for r in store.conn.execute("SELECT * FROM mentions ORDER BY id")]
    rules = [tuple(r) for r in store.conn.execute("SELECT * FROM corrections ORDER BY name, context")]
    return mentions + rules


def mention_id(store: Store, article_n: int, nth: int = 0) -> int:
    ids = [r[0] for r in store.conn.execute(
        "SELECT id FROM mentions WHERE article_id = ? ORDER BY start", (f"sha1:{article_n:040d}",))]
    return ids[nth]


def resolutions(store: Store) -> dict[int, tuple]:
    return {r[0]: tuple(r[1:]) for r in store.conn.execute("SELECT id, place_id, status, score FROM mentions")}


def test_the_fixture_holds_what_the_tests_assume(store):
    rows = store.conn.execute("SELECT article_id, start, surface, norm, context FROM mentions ORDER BY id").fetchall()
    assert [(r[2], r[3], r[4]) for r in rows] == [("Idlib", "idlib", "SY")] * 3 + [("Idlib", "idlib", "TR")]
    assert A_TEXT[rows[1][1]:rows[1][1] + 5] == "Idlib"  # "the city of Idlib"


@pytest.mark.parametrize(
    ("scope", "expected"),
    [("mention", {(1, 0)}), ("article", {(1, 0), (1, 1)}), ("name", {(1, 0), (1, 1), (2, 0)})],
)
@pytest.mark.parametrize("to_place", [IDLIB_CITY, None], ids=["another-place", "not-a-place"])
def test_each_scope_changes_exactly_its_mentions_and_its_undo_restores_them(store, scope, expected, to_place):
    expected_ids = {mention_id(store, n, k) for n, k in expected}
    before, before_res = snapshot(store), resolutions(store)
    picked = mention_id(store, 1, 0)

    plan = corrections.preview(store.conn, picked, scope, to_place.id if to_place else None)
    assert {r["mention_id"] for r in plan.rows} == expected_ids
    assert (plan.mentions, plan.articles) == (len(expected_ids), len({n for n, _ in expected}))
    assert all(r["surface"] == "Idlib" and r["place_name"] == "Idlib" and r["title"] for r in plan.rows)
    assert snapshot(store) == before  # a preview changes nothing

    done = store.correct(picked, to_place, scope=scope, who="admin")
    assert (done.changed, done.articles) == (plan.mentions, plan.articles)
    after = resolutions(store)
    for mid, res in after.items():
        if mid in expected_ids:
            assert res == (("test:idlib-city", "corrected", 1.0) if to_place else (None, "rejected", before_res[mid][2]))
        else:
            assert res == before_res[mid]  # untouched, the other context's too
    assert bool(store.corrections()) == (scope == "name")

    assert store.undo_correction(done.id, who="local") == len(expected_ids)
    assert snapshot(store) == before  # byte for byte: every column of every mention, and the rules


@pytest.mark.parametrize(("scope", "applies"), [("mention", False), ("article", False), ("name", True)])
def test_only_every_mention_corrections_apply_to_later_ingests(store, scope, applies):
    later = article(9, "Fighting near Idlib again.", date="2020-02-01")
    done = store.correct(mention_id(store, 1), IDLIB_CITY, scope=scope)
    store.add(later, [mention(later.text, "Idlib", IDLIB_GOV, score=0.55)])
    new = store.conn.execute("SELECT id, place_id, status, score FROM mentions WHERE article_id = ?",
                             (later.id,)).fetchone()
    assert tuple(new[1:]) == (("test:idlib-city", "corrected", 1.0) if applies else ("test:idlib-gov", "auto", 0.55))
    entry = corrections.log(store.conn)[0]
    assert (entry["changed"], entry["articles"]) == ((4, 3) if applies else (done.changed, done.articles))
    # the undo of the rule gives the later mention back what the parser said
    store.undo_correction(done.id)
    assert tuple(store.conn.execute("SELECT place_id, status, score FROM mentions WHERE id = ?",
                                    (new[0],)).fetchone()) == ("test:idlib-gov", "auto", 0.55)
    assert store.corrections() == {}


def test_not_a_place_for_every_mention_holds_for_later_ingests_and_keeps_scores(store):
    store.correct(mention_id(store, 2), None, scope="name")
    later = article(9, "Fighting near Idlib again.")
    store.add(later, [mention(later.text, "Idlib", IDLIB_GOV, score=0.55)])
    assert tuple(store.conn.execute("SELECT place_id, status, score FROM mentions WHERE article_id = ?",
                              (later.id,)).fetchone()) == (None, "rejected", 0.55)
    assert store.corrections() == {("idlib", "SY"): None}


def test_the_log_says_who_when_what_and_from_to(store):
    first = store.correct(mention_id(store, 1, 1), IDLIB_CITY, scope="mention", who="admin")
    second = store.correct(mention_id(store, 3), None, scope="name", who="local")
    store.undo_correction(first.id, who="local")
    newest, oldest = corrections.log(store.conn)
    assert (newest["id"], newest["who"], newest["scope"], newest["surface"], newest["context"]) == (
        second.id, "local", "name", "Idlib", "TR")
    assert (newest["from_name"], newest["to_place"], newest["changed"], newest["articles"]) == ("Idlib", None, 1, 1)
    assert newest["undone_at"] is None
    assert (oldest["who"], oldest["scope"], oldest["from_kind"], oldest["to_name"], oldest["to_kind"]) == (
        "admin", "mention", "admin1", "Idlib", "city")
    assert oldest["article_title"] == "Article 1" and oldest["undone_by"] == "local"
    assert oldest["made_at"] <= oldest["undone_at"] and len(oldest["made_at"]) == 19


def test_corrections_are_undone_newest_first(store):
    rule = store.correct(mention_id(store, 1), IDLIB_CITY, scope="name")
    before_rule = snapshot(store)
    single = store.correct(mention_id(store, 2), None, scope="mention")
    with pytest.raises(CorrectionError, match=f"before the later correction {single.id} "):
        store.undo_correction(rule.id)
    assert store.undo_correction(single.id) == 1
    assert snapshot(store) == before_rule
    with pytest.raises(CorrectionError, match="undone already"):
        store.undo_correction(single.id)
    store.undo_correction(rule.id)
    assert store.corrections() == {}


def test_changing_ones_mind_replaces_the_rule_and_its_undo_brings_the_first_back(store):
    first = store.correct(mention_id(store, 1), IDLIB_CITY, scope="name")
    rule = snapshot(store)
    second = store.correct(mention_id(store, 2), None, scope="name")
    assert store.corrections() == {("idlib", "SY"): None}
    store.undo_correction(second.id)
    assert snapshot(store) == rule  # the first rule back as it was, its time and log id too
    assert store.conn.execute("SELECT correction_id FROM corrections").fetchone()[0] == first.id


def test_a_deleted_article_is_skipped_by_the_undo(store):
    done = store.correct(mention_id(store, 1), IDLIB_CITY, scope="name")
    store.delete("sha1:" + "2".zfill(40))
    assert store.undo_correction(done.id) == 2  # A's two; B is gone


def test_bad_requests_are_clear_errors(store):
    with pytest.raises(CorrectionError, match="no mention 99"):
        store.correct(99, IDLIB_CITY)
    with pytest.raises(CorrectionError, match="unknown scope 'everywhere'"):
        store.correct(mention_id(store, 1), IDLIB_CITY, scope="everywhere")
    with pytest.raises(CorrectionError, match="unknown author 'bot'"):
        store.correct(mention_id(store, 1), IDLIB_CITY, who="bot")
    with pytest.raises(CorrectionError, match="no correction 42"):
        store.undo_correction(42)
    assert corrections.log(store.conn) == [] and store.corrections() == {}


def test_context_in_words(store):
    assert corrections.context_words(store.conn, "SY") == "in articles about Syria"
    store.add(article(8, "Syria."), [mention("Syria.", "Syria", SYRIA)])
    assert corrections.context_words(store.conn, "SY") == "in articles about Syria"  # from the places table
    assert corrections.context_words(store.conn, "") == "in articles with no main country"


# --- a store from before the log ---------------------------------------------------------------

OLD_SCHEMA = """
CREATE TABLE articles (id TEXT PRIMARY KEY, title TEXT NOT NULL, source TEXT NOT NULL DEFAULT '',
    url TEXT NOT NULL DEFAULT '', published TEXT, text TEXT NOT NULL, origin TEXT NOT NULL DEFAULT '',
    added_at TEXT NOT NULL DEFAULT (datetime('now')));
CREATE TABLE places (id TEXT PRIMARY KEY, geonameid INTEGER, name TEXT NOT NULL, kind TEXT NOT NULL,
    country TEXT NOT NULL DEFAULT '', admin1 TEXT NOT NULL DEFAULT '', lat REAL NOT NULL, lon REAL NOT NULL,
    population INTEGER NOT NULL DEFAULT 0);
CREATE TABLE mentions (id INTEGER PRIMARY KEY, article_id TEXT NOT NULL REFERENCES articles (id) ON DELETE CASCADE,
    start INTEGER NOT NULL, end INTEGER NOT NULL, surface TEXT NOT NULL, sent_start INTEGER NOT NULL,
    sent_end INTEGER NOT NULL, norm TEXT NOT NULL, context TEXT NOT NULL DEFAULT '',
    kind TEXT NOT NULL DEFAULT 'toponym', place_id TEXT REFERENCES places (id), score REAL NOT NULL DEFAULT 0,
    status TEXT NOT NULL DEFAULT 'auto', day TEXT);
CREATE TABLE place_names (place_id TEXT NOT NULL REFERENCES places (id), name TEXT NOT NULL,
    PRIMARY KEY (place_id, name));
CREATE TABLE corrections (name TEXT NOT NULL, context TEXT NOT NULL, place_id TEXT,
    created_at TEXT NOT NULL DEFAULT (datetime('now')), PRIMARY KEY (name, context));
INSERT INTO places VALUES ('test:idlib-city', NULL, 'Idlib', 'city', 'SY', '', 35.93, 36.63, 0);
INSERT INTO articles (id, title, url, published, text) VALUES
    ('https://x.example/2020/01/12/a', 'From its URL', 'https://x.example/2020/01/12/a', '2020-01-12', 'Idlib.'),
    ('b', 'From its byline', '', '2009-03-30', 'Drumming. BY JANE DOE STAFF WRITER March 30, 2009 Richmond'),
    ('c', 'From its metadata (or once from its body)', '', '1982-02-02', 'The massacre began on 2 February 1982.'),
    ('d', 'Undated', '', NULL, 'Idlib.');
INSERT INTO mentions (article_id, start, end, surface, sent_start, sent_end, norm, context, place_id, score, status)
    VALUES ('d', 0, 5, 'Idlib', 0, 6, 'idlib', 'SY', 'test:idlib-city', 1.0, 'corrected');
INSERT INTO corrections VALUES ('idlib', 'SY', 'test:idlib-city', '2026-01-05 10:00:00');
"""


def test_a_store_from_before_opens_with_its_dates_sources_and_rules_logged(tmp_path):
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as conn:
        conn.executescript(OLD_SCHEMA)
    with Store(path) as store:
        sources = dict(store.conn.execute("SELECT id, date_source FROM articles").fetchall())
        assert sources == {"https://x.example/2020/01/12/a": "url", "b": "dateline", "c": None, "d": "unknown"}
        [entry] = corrections.log(store.conn)
        assert (entry["who"], entry["scope"], entry["name"], entry["to_place"], entry["made_at"]) == (
            corrections.UNLOGGED, "name", "idlib", "test:idlib-city", "2026-01-05 10:00:00")
        with pytest.raises(CorrectionError, match="before corrections were logged"):
            store.undo_correction(entry["id"])
        # the old rule still applies to new articles, and its log id is its entry's
        later = article(9, "Fighting near Idlib.")
        store.add(later, [mention(later.text, "Idlib", IDLIB_GOV)])
        assert tuple(store.conn.execute("SELECT place_id, status FROM mentions WHERE article_id = ?",
                                  (later.id,)).fetchone()) == ("test:idlib-city", "corrected")
    with Store(path) as store:  # opening again changes nothing
        assert len(corrections.log(store.conn)) == 1
