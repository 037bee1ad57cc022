"""The page counts a syndicated story once (map, timeline, panel, export), names its copies
("also in"), lists them in the reader, counts every copy on request, and shows the followed
sources; AppTest on a real store filled by geodata's own loader, parser, store and follower
registry."""
from __future__ import annotations

import csv
import html
import io
import re
import sqlite3
from dataclasses import replace
from datetime import datetime, timezone

import pytest
from streamlit.testing.v1 import AppTest

import followkit as kit
import pagekit
from components.export import export_text
from components.ingest import ingest_files, ingest_paths
from geodata import queries
from geodata.follow import registry
from geodata.store import Store

WIRE = "https://wire.example/2020/01/20/market"
RECORDS = [
    {"title": "Air strikes on Maarat al-Numan market kill 14", "source": "Levant Wire", "url": WIRE,
     "date": "2020-01-20", "text": kit.story_text("maarat-market")},
    {"title": "Jets hit Idlib market, dozens dead or hurt", "source": "Reprint Post", "date": "2020-01-21",
     "url": "https://reprint.example/idlib-market", "text": kit.copy_text("maarat-market", "another site's furniture")},
    {"title": "Market strike in Maarat al-Numan", "source": "Daily Echo", "date": "2020-01-20",
     "url": "https://echo.example/market", "text": kit.copy_text("maarat-market", "trimmed ending")},
    {"title": "School shelled in Maarat al-Numan", "source": "Levant Wire", "date": "2020-01-20",
     "url": "https://wire.example/2020/01/20/school", "text": kit.story_text("maarat-school")},
]
COPIES = ("https://reprint.example/idlib-market", "https://echo.example/market")


@pytest.fixture
def corpus(data_dir, tmp_path, listen_on, monkeypatch):
    """The seeds, a wire story with two copies and another event in the same town, two followed
    sources; the page served as on a laptop (editing open without a secret)."""
    listen_on("localhost")
    monkeypatch.delenv("PLACEWIRE_EDITING", raising=False)
    store = data_dir / "placewire.sqlite"
    ingest_paths(store, [pagekit.REPO / "seeds"])
    jsonl = pagekit.write_jsonl(tmp_path / "wire.jsonl", RECORDS)
    [report] = ingest_files(store, [(jsonl.name, jsonl.read_bytes())])
    assert report.added == 4 and report.result.copies == 2
    with Store(store) as s:
        registry.add(s, "https://wire.example/feed.xml", "Levant Wire")
        registry.add(s, "https://broken.example/feed.xml", "Broken Feed")
        now = datetime.now(timezone.utc)
        registry.fetched(s, "https://wire.example/feed.xml", now, 900, kind="feed")
        registry.failed(s, "https://broken.example/feed.xml", now, "HTTP 500 Internal Server Error", 300)
    return data_dir


def maarat(data_dir) -> str:
    with sqlite3.connect(data_dir / "placewire.sqlite") as conn:
        return conn.execute("SELECT place_id FROM mentions WHERE article_id = ? AND surface LIKE 'Maarat%'",
                            (WIRE,)).fetchone()[0]


def app(**query) -> AppTest:
    at = AppTest.from_file(str(pagekit.REPO / "app.py"), default_timeout=180)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def panel_entries(at) -> list[str]:
    return [h.value for h in at.html if 'class="pw-mention"' in h.value]


def test_a_syndicated_story_counts_once_and_names_its_copies(corpus):
    place = maarat(corpus)
    at = app(place=place).run()
    assert not at.exception
    assert any("5 articles (3 stories)" in c.value for c in at.sidebar.caption), [c.value for c in at.sidebar.caption]
    flt = at.session_state["filter"]
    assert flt.every_copy is False
    conn = queries.connect(corpus / "placewire.sqlite")
    # the map's counts: the wire story once, plus the other event in the same town
    counts = {p["place_id"]: p for p in queries.place_counts(conn, flt)}
    every = {p["place_id"]: p for p in queries.place_counts(conn, replace(flt, every_copy=True))}
    assert counts[place]["articles"] == 2 and every[place]["articles"] == 4
    # the timeline: the reprint of the next day adds no bar
    assert "2020-01-21" not in {d["day"] for d in queries.daily_counts(conn, flt)}
    assert "2020-01-21" in {d["day"] for d in queries.daily_counts(conn, replace(flt, every_copy=True))}
    # the panel: the wire's excerpt once, naming the copies' outlets
    entries = panel_entries(at)
    assert entries and all("Reprint Post" not in e.split("also in")[0] for e in entries)
    wire = [e for e in entries if "Air strikes on Maarat al-Numan market kill 14" in e]
    assert wire and all("also in: Daily Echo, Reprint Post" in html.unescape(e) for e in wire)
    assert not [e for e in entries if "School shelled" in e and "also in" in e]
    # the export: the copies' mentions are not in it
    rows = list(csv.DictReader(io.StringIO(export_text(corpus / "placewire.sqlite", flt, "csv"))))
    assert rows and not {r["article_id"] for r in rows} & set(COPIES)
    # a filter to the reprint's outlet shows the reprint: a copy counts when its first is filtered out
    only = replace(flt, sources=("Reprint Post",))
    assert {r["article_id"] for r in queries.mention_rows(conn, only)} == {COPIES[0]}
    conn.close()


def test_count_every_copy_and_the_reader_lists_the_copies(corpus):
    place = maarat(corpus)
    at = app(place=place, article=WIRE).run()
    assert not at.exception
    expander = next(e for e in at.get("dialog")[0].expander if "This story also appeared 2 more times" in e.label)
    assert {b.label.split("  \n")[0] for b in expander.button} == {
        "Jets hit Idlib market, dozens dead or hurt", "Market strike in Maarat al\\-Numan"}
    once = len(panel_entries(at))
    at.toggle(key="copies").set_value(True).run()
    assert at.session_state["filter"].every_copy is True
    assert len(panel_entries(at)) > once
    assert at.query_params["copies"] == ["1"] or at.query_params["copies"] == "1"
    # a copy opens from the reader's list
    next(b for b in expander.button if b.label.startswith("Jets hit")).click().run()
    assert at.session_state["article"] == COPIES[0]


def test_the_followed_sources_and_their_state(corpus, monkeypatch):
    at = app().run()
    assert any(re.fullmatch(r"Following 2 sources · updated (just now|\d+ minutes? ago) · 1 failing", c.value)
               for c in at.sidebar.caption)
    shown = [h.value for h in at.sidebar.html if "pw-source" in h.value]
    assert len(shown) == 1 and shown[0].index("Broken Feed") < shown[0].index("Levant Wire")
    broken, wire = shown[0].split('<div class="pw-source"')[1:]
    assert re.search(r"HTTP 500 Internal Server Error · next try (in [1-5] min|now)", broken)
    assert "not read yet" in broken and "feed" in wire and "#b42318" not in wire
    assert re.search(r"fetched (just now|\d+ minutes? ago) · 0 new in its last round", wire)
    # the admin (a laptop, no secret) adds and removes sources as the CLI does
    at.sidebar.text_input(key="follow_url").input("https://new.example/rss")
    at.sidebar.text_input(key="follow_name").input("New Outlet")
    at.sidebar.button[[b.label for b in at.sidebar.button].index("Follow")].click().run()
    assert not at.exception
    with Store(corpus / "placewire.sqlite") as s:
        assert [x["name"] for x in registry.sources(s.conn)] == ["Broken Feed", "Levant Wire", "New Outlet"]
    at.sidebar.text_input(key="follow_url").input("file:///etc/passwd")
    at.sidebar.button[[b.label for b in at.sidebar.button].index("Follow")].click().run()
    assert any("only http and https" in e.value for e in at.sidebar.error)
    at.sidebar.selectbox(key="follow_remove").set_value("https://broken.example/feed.xml").run()
    at.sidebar.button(key="follow_remove_button").click().run()
    with Store(corpus / "placewire.sqlite") as s:
        assert [x["name"] for x in registry.sources(s.conn)] == ["Levant Wire", "New Outlet"]
    # a hosted, read-only copy shows the state, not the controls
    monkeypatch.setenv("PLACEWIRE_ADMIN", "secret")
    ro = app().run()
    assert [h for h in ro.sidebar.html if "pw-source" in h.value]
    assert not [t for t in ro.sidebar.text_input if t.key == "follow_url"]


def test_the_cli_export_counts_once_unless_asked(corpus):
    import os
    import subprocess
    import sys

    def export(*extra):
        out = subprocess.run([sys.executable, "-m", "geodata", "export", "--format", "csv", *extra],
                             cwd=pagekit.REPO, env=dict(os.environ, PLACEWIRE_DATA=str(corpus)),
                             capture_output=True, text=True, check=True).stdout
        return {r["article_id"] for r in csv.DictReader(io.StringIO(out))}

    once, every = export(), export("--every-copy")
    assert WIRE in once and not once & set(COPIES)
    assert every == once | set(COPIES)
