"""Syndicated copies: the same-story rule on the written test set, and grouping in a real store."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from geodata import queries, stories
from geodata.articles import clean_paragraphs
from geodata.model import Article
from geodata.store import Store

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "stories"))
from pairs import base_stories, pairs, variants  # noqa: E402


def stored_text(text: str) -> str:
    """The body as the loader stores it (site boilerplate the cleaner knows is gone)."""
    return "\n\n".join(clean_paragraphs(text))


def test_precision_and_recall_on_the_written_pairs():
    verdicts = [(p, stories.same_story(stories.fingerprint(stored_text(p.a)),
                                       stories.fingerprint(stored_text(p.b)))) for p in pairs()]
    copies = [p for p, _ in verdicts if p.same]
    found = [p for p, same in verdicts if same]
    true = [p for p in found if p.same]
    wrong = [p.name for p in found if not p.same]
    precision, recall = len(true) / len(found), len(true) / len(copies)
    assert len(copies) >= 100 and len(verdicts) - len(copies) >= 100
    assert precision >= 0.95, (precision, wrong)
    assert recall >= 0.9, (recall, [p.name for p, same in verdicts if p.same and not same])
    # the hardest non-copies (same town, same day) are kept apart
    assert not [name for name in wrong if "same town" in name]


def test_reporting_leaves_out_furniture():
    text = "Home | World | Syria\n\nShelling hit the town of Saraqib on Monday, residents said.\n\nRead more: Other news"
    assert stories.reporting(text) == ["Shelling hit the town of Saraqib on Monday, residents said."]
    assert stories.reporting("A headline only") == ["A headline only"]  # nothing else: taken whole


def article(aid: str, text: str, source: str = "") -> tuple[Article, list]:
    return Article(id=aid, title=aid, text=stored_text(text), source=source, url=aid), []


@pytest.fixture
def store(store_location):
    """A new store on each backend (SQLite, PostgreSQL: conftest.store_location)."""
    with Store(store_location) as s:
        yield s


def story_of(store, aid: str) -> str:
    return store.conn.execute("SELECT story_id FROM story_members WHERE article_id = :a", {"a": aid}).fetchone()[0]


def test_a_new_copy_joins_its_story_and_a_different_event_does_not(store):
    market, school = base_stories()[:2]  # same town, same day, different events
    copies = variants(market)
    store.add_many([article("wire", market["text"])])
    assert stories.group(store, ["wire"])[0].story_id == "wire"
    # several copies in one batch: they see each other and the stored original
    batch = [article(f"copy{i}", text) for i, text in enumerate(copies.values())]
    store.add_many(batch + [article("school", school["text"])])
    grouped = {g.article_id: g for g in stories.group(store, [a.id for a, _ in batch] + ["school"])}
    assert {grouped[f"copy{i}"].story_id for i in range(len(copies))} == {"wire"}
    assert grouped["school"].story_id == "school" and grouped["school"].match is None
    # grouping again changes nothing and adds no index rows
    keys = store.conn.execute("SELECT count(*) FROM story_keys").fetchone()[0]
    assert [g.story_id for g in stories.group(store, ["copy0", "school"])] == ["wire", "school"]
    assert store.conn.execute("SELECT count(*) FROM story_keys").fetchone()[0] == keys


def test_articles_stored_before_grouping_are_caught_up_and_a_deleted_one_leaves_its_story(store):
    market = base_stories()[0]
    copies = list(variants(market).values())
    store.add_many([article("a", market["text"]), article("b", copies[0]), article("c", copies[2])])
    assert stories.ungrouped(store.conn, 10) and len(stories.group(store)) == 3
    assert not stories.ungrouped(store.conn, 10)
    assert {story_of(store, x) for x in "abc"} == {"a"}
    store.delete("a")  # the story's first article goes; its copies stay one story
    assert store.conn.execute("SELECT count(*) FROM story_members WHERE article_id = 'a'").fetchone()[0] == 0
    store.add_many([article("d", copies[1])])
    assert stories.group(store, ["d"])[0].story_id == "a"


def test_short_texts_need_near_identity(store):
    # two short reports on different places that share their opening words
    store.add_many([article("s1", "Government forces shelled Saraqeb in Syria on Monday. In Aleppo, markets stayed open."),
                    article("s2", "Government forces shelled Idlib province on Tuesday. In Aleppo, residents reported calm streets.")])
    assert [g.story_id for g in stories.group(store)] == ["s1", "s2"]


def test_the_page_queries_count_a_story_once_unless_asked(store):
    market, school = base_stories()[:2]
    copies = variants(market)
    store.add_many([article("wire", market["text"], "Wire"), article("school", school["text"], "Wire")])
    stories.group(store, ["wire", "school"])  # as ingest does, batch by batch
    store.add_many([article("reprint", copies["another site's furniture"], "Reprint"),
                    article("trimmed", copies["trimmed ending"], "Echo")])
    stories.group(store, ["reprint", "trimmed"])
    listed = lambda flt: sorted(a["id"] for a in queries.articles(store.conn, flt))  # noqa: E731
    assert listed(queries.Filter()) == ["school", "wire"]
    assert listed(queries.Filter(every_copy=True)) == ["reprint", "school", "trimmed", "wire"]
    # filtered to one outlet, its copy stands for the story
    assert listed(queries.Filter(sources=("Reprint",))) == ["reprint"]
    assert [c["id"] for c in queries.copies(store.conn, ["wire"])["wire"]] == ["reprint", "trimmed"]
    assert "school" not in queries.copies(store.conn, ["school", "wire"])
    assert queries.totals(store.conn)["copies"] == 2


def test_forty_outlets_reprinting_one_story_stay_one_story(store):
    assert stories.COMMON < 40  # more copies than that: one story's shingles are no stock phrase
    market = base_stories()[0]
    texts = list(variants(market).values())
    store.add_many([article("wire", market["text"])])
    stories.group(store, ["wire"])
    for n in range(40):
        store.add_many([article(f"outlet{n}", texts[n % len(texts)] + f"\n\nOutlet {n} staff contributed to this report.")])
    grouped = stories.group(store, [f"outlet{n}" for n in range(40)])
    assert {g.story_id for g in grouped} == {"wire"}
