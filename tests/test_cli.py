"""`python -m geodata` run as a subprocess on real files, the real gazetteer and real SQLite stores.

`data_dir` (tests/conftest.py) is a fresh PLACEWIRE_DATA sharing the gazetteer index built once.
"""
from __future__ import annotations

import csv
import http.server
import io
import json
import os
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

from geodata.model import Place
from geodata.store import Store

REPO = Path(__file__).resolve().parent.parent
FIXTURES = REPO / "tests" / "fixtures"
BROKEN = FIXTURES / "broken"
SEED_URL = "https://www.themoscowtimes.com/2020/01/12/russian-led-air-strikes-suspended-in-idlib-after-ceasefire-a68869"
GOOD_FILES = [FIXTURES / n for n in ("article.txt", "article.md", "page.html", "articles.json",
                                     "articles.jsonl", "articles.csv", "feed.rss", "feed.atom")]
GOOD_ARTICLES = 1 + 1 + 1 + 2 + 3 + 3 + 2 + 2


def geodata(data_dir: Path, *args, check_rc: int | None = 0) -> subprocess.CompletedProcess:
    env = dict(os.environ, PLACEWIRE_DATA=str(data_dir), no_proxy="*", NO_PROXY="*")
    run = subprocess.run([sys.executable, "-m", "geodata", *map(str, args)], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=300)
    if check_rc is not None:
        assert run.returncode == check_rc, run.stdout + run.stderr
    return run


def db(data_dir: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(data_dir / "placewire.sqlite")
    conn.row_factory = sqlite3.Row
    return conn


def test_ingest_every_format_then_again_adds_nothing(data_dir):
    first = geodata(data_dir, "ingest", REPO / "seeds", *GOOD_FILES)
    assert first.stdout.startswith(f"articles: {GOOD_ARTICLES + 1} added, 0 already present\n")
    # where the dates came from: front matter, JSON/CSV fields, feeds and the page's meta tag; one
    # URL path; the Markdown's "Published 3 March 2020" line; the CSV row and the JSON line that
    # have none (a date in the body does not count)
    assert "\ndates:    12 from metadata, 1 from the URL, 1 from a dateline, 2 unknown\n" in first.stdout
    assert "problems" not in first.stdout
    assert "ingest:" in first.stderr and "articles" in first.stderr  # the progress bar
    conn = db(data_dir)
    stored = {r["id"]: dict(r) for r in conn.execute("SELECT * FROM articles")}
    assert len(stored) == GOOD_ARTICLES + 1
    seed = stored[SEED_URL]
    assert (seed["title"], seed["source"], seed["published"]) == (
        "Russian-Led Air Strikes Suspended in Idlib After Ceasefire", "The Moscow Times", "2020-01-12")
    assert seed["text"].startswith("Russia and its allies halted air strikes")
    mentions = [dict(r) for r in conn.execute("SELECT * FROM mentions")]
    assert f"mentions: {len(mentions)} added" in first.stdout
    assert len(mentions) > GOOD_ARTICLES  # every article names a place, the seed many
    for m in mentions:
        text = stored[m["article_id"]]["text"]
        assert text[m["start"]:m["end"]] == m["surface"]
        assert m["sent_start"] <= m["start"] < m["end"] <= m["sent_end"]
        assert m["day"] == stored[m["article_id"]]["published"]
    seed_names = {m["surface"] for m in mentions if m["article_id"] == SEED_URL}
    assert {"Idlib", "Aleppo", "Syria", "Turkey"} <= seed_names
    counts = [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("articles", "mentions", "places")]

    again = geodata(data_dir, "ingest", REPO / "seeds", *GOOD_FILES)
    assert again.stdout.startswith(f"articles: 0 added, {GOOD_ARTICLES + 1} already present\nmentions: 0 added")
    assert [conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in ("articles", "mentions", "places")] == counts


def test_broken_files_listed_rest_stored_nothing_lost(data_dir):
    geodata(data_dir, "ingest", REPO / "seeds")
    run = geodata(data_dir, "ingest", BROKEN, FIXTURES / "feed.rss", data_dir / "missing.txt", check_rc=2)
    lines = run.stdout.splitlines()
    assert lines[0] == "articles: 13 added, 0 already present"
    assert "problems: 20 (skipped or read with a caveat)" in lines
    listed = lines[lines.index("problems: 20 (skipped or read with a caveat)") + 1:]
    for expected in (
        f"  {BROKEN}/empty.txt: empty file; skipped",
        f"  {BROKEN}/image.txt: not a text file (looks like a PNG image); skipped",
        f"  {BROKEN}/rows.csv line 3: expected 5 fields, found 6; row skipped",
        f"  {BROKEN}/rows.jsonl line 2: invalid JSON at column 82 (Expecting ',' delimiter); row skipped",
        f"  {BROKEN}/rows.jsonl line 5: impossible date '2020-13-45' (month must be in 1..12); date left unknown",
        f"  {BROKEN}/latin.txt: not valid UTF-8 (byte 0xe9 at offset 3); read as Windows-1252, check its accents",
        f"  {data_dir}/missing.txt: no such file or folder",
    ):
        assert expected in listed
    conn = db(data_dir)
    titles = {r[0] for r in conn.execute("SELECT title FROM articles")}
    assert "Russian-Led Air Strikes Suspended in Idlib After Ceasefire" in titles  # stored before: kept
    assert {"Good First Row", "Good Last Row", "Last Good CSV Row", "Bakery Hit in Khan Sheikhoun"} <= titles
    assert conn.execute("SELECT published FROM articles WHERE title = 'Row With Impossible Date'").fetchone()[0] is None


def test_size_limit_option(data_dir):
    run = geodata(data_dir, "ingest", FIXTURES / "page.html", FIXTURES / "article.txt", "--max-mb", "0.001", check_rc=2)
    assert run.stdout.startswith("articles: 1 added")  # article.txt is under 1 KB
    assert f"  {FIXTURES}/page.html: file is 1.6 KB, over the 1.0 KB limit; skipped" in run.stdout


def test_db_option_and_stats_and_delete(data_dir, tmp_path):
    other = tmp_path / "elsewhere" / "corpus.sqlite"
    geodata(data_dir, "ingest", REPO / "seeds", FIXTURES / "articles.jsonl", "--db", other)
    assert not (data_dir / "placewire.sqlite").exists()
    stats = geodata(data_dir, "stats", "--db", other).stdout.splitlines()
    assert stats[0] == "articles: 4"
    mentions_before = int(stats[1].split(": ")[1])
    assert geodata(data_dir, "delete", SEED_URL, "--db", other).stdout == f"deleted {SEED_URL}\n"
    stats = geodata(data_dir, "stats", "--db", other).stdout.splitlines()
    assert stats[0] == "articles: 3"
    assert int(stats[1].split(": ")[1]) < mentions_before
    gone = geodata(data_dir, "delete", SEED_URL, "--db", other, check_rc=1)
    assert gone.stderr == f"no article {SEED_URL} in {other}\n"


def test_every_command_on_postgresql_gives_what_it_gives_on_sqlite(data_dir, postgres, tmp_path):
    """PLACEWIRE_STORE or --db names a PostgreSQL database: the same commands, the same output."""
    url = postgres.database()
    files = [REPO / "seeds", FIXTURES / "articles.jsonl"]
    lite = tmp_path / "same.sqlite"
    out = {}
    for store in (url, lite):
        run = geodata(data_dir, "ingest", *files, "--db", store)
        out[store] = [run.stdout.replace(str(store), "STORE"), geodata(data_dir, "stats", "--db", store).stdout]
        out[store].append(geodata(data_dir, "export", "--format", "csv", "--db", store).stdout)
    assert out[url] == out[lite]
    assert out[url][1].startswith("articles: 4\n") and len(out[url][2].splitlines()) > 20
    assert not (data_dir / "placewire.sqlite").exists()
    # the environment variable instead of --db; the password never printed
    env_run = subprocess.run([sys.executable, "-m", "geodata", "delete", SEED_URL], cwd=REPO, capture_output=True,
                             text=True, timeout=120, env=dict(os.environ, PLACEWIRE_DATA=str(data_dir),
                                                              PLACEWIRE_STORE=url))
    assert env_run.returncode == 0 and env_run.stdout == f"deleted {SEED_URL}\n"
    assert geodata(data_dir, "stats", "--db", url).stdout.startswith("articles: 3\n")
    secret = url.replace("postgres@", "postgres:s3cret@")
    run = geodata(data_dir, "ingest", FIXTURES / "article.txt", "--db", secret, check_rc=None)
    assert "s3cret" not in run.stdout + run.stderr  # (trust auth: a password is not even asked)
    assert "postgres:***@" in run.stdout


def test_export_csv_and_geojson(data_dir):
    geodata(data_dir, "ingest", REPO / "seeds", FIXTURES / "articles.json")
    conn = db(data_dir)
    resolved = conn.execute("SELECT count(*) FROM mentions WHERE place_id IS NOT NULL AND status != 'rejected'").fetchone()[0]
    assert resolved > 10

    out = data_dir / "mentions.csv"
    run = geodata(data_dir, "export", "--format", "csv", "--out", out)
    assert run.stderr == f"{resolved} mentions written to {out}\n"
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert len(rows) == resolved
    aleppo = next(r for r in rows if r["surface"] == "Aleppo" and r["article_id"] == SEED_URL)
    assert "Aleppo city" in aleppo["sentence"]
    assert abs(float(aleppo["lat"]) - 36.2) < 0.2 and abs(float(aleppo["lon"]) - 37.16) < 0.2
    assert {r["mention_kind"] for r in rows} == {"toponym", "demonym"}

    collection = json.loads(geodata(data_dir, "export", "--format", "geojson").stdout)
    assert collection["type"] == "FeatureCollection"
    assert len(collection["features"]) == resolved
    for feature in collection["features"]:
        lon, lat = feature["geometry"]["coordinates"]
        assert -180 <= lon <= 180 and -90 <= lat <= 90
        assert feature["properties"]["published"] in ("2020-01-12", "2020-02-10", "2020-02-12")


def test_ingest_applies_stored_corrections_to_new_mentions_and_the_cli_lists_and_undoes_them(data_dir):
    geodata(data_dir, "ingest", REPO / "seeds")
    with Store(data_dir / "placewire.sqlite") as store:
        mention_id, norm, context = store.conn.execute(
            "SELECT id, norm, context FROM mentions WHERE article_id = ? AND surface = 'Aleppo'", (SEED_URL,)
        ).fetchone()
        camp = Place("user:aleppo-east", "East Aleppo (user pin)", "city", "SY", 36.21, 37.19)
        done = store.correct(mention_id, camp, scope="name", who="admin")
        assert done.changed == 1
    geodata(data_dir, "ingest", FIXTURES / "articles.jsonl")
    conn = db(data_dir)
    aleppo = "SELECT m.place_id, m.status FROM mentions m WHERE m.norm = ? AND m.context = ?"
    later = conn.execute(aleppo + " AND m.article_id != ?", (norm, context, SEED_URL)).fetchall()
    assert len(later) >= 2  # "Aleppo" in two of the new articles, same context
    assert {tuple(r) for r in later} == {("user:aleppo-east", "corrected")}

    listed = geodata(data_dir, "corrections", "list").stdout
    assert listed.startswith(f"#{done.id}  ")
    assert "admin: “Aleppo” Aleppo (city, gn:170063) → East Aleppo (user pin) (city, user:aleppo-east)" in listed
    assert f"every “Aleppo” in articles about Syria, now and in later ingests; {1 + len(later)} mentions in 3 articles" in listed
    undone = geodata(data_dir, "corrections", "undo", str(done.id))
    assert undone.stdout == f"undone correction {done.id}: {1 + len(later)} mentions back to their resolution before it\n"
    assert {tuple(r) for r in conn.execute(aleppo, (norm, context))} == {("gn:170063", "auto")}
    assert "[undone " in geodata(data_dir, "corrections", "list").stdout
    again = geodata(data_dir, "corrections", "undo", str(done.id), check_rc=1)
    assert "cannot undo: correction" in again.stderr and "undone already" in again.stderr


class FeedHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's name)
        body = (FIXTURES / "feed.atom").read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "application/atom+xml")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_ingest_a_feed_url(data_dir):
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FeedHandler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        run = geodata(data_dir, "ingest", f"http://127.0.0.1:{httpd.server_address[1]}/feed")
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert run.stdout.startswith("articles: 2 added")
    ids = {r[0] for r in db(data_dir).execute("SELECT id FROM articles")}
    assert ids == {"https://aleppo-notes.example/airport-reopens", "https://aleppo-notes.example/m5-opens"}


def test_cli_lists_every_command_and_never_imports_the_page(data_dir):
    usage = geodata(data_dir, "--help").stdout
    for command in ("ingest", "export", "delete", "stats", "corrections", "parse", "eval"):
        assert command in usage
    probe = ("import sys, geodata.__main__, geodata.parser; "
             "print(sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'folium', 'streamlit_folium')))")
    run = subprocess.run([sys.executable, "-c", probe], cwd=REPO, capture_output=True, text=True, check=True)
    assert run.stdout == "[]\n"
