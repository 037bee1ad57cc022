"""End to end, in Debian's Chromium: a syndicated story counts once on the real page, names its
copies, and counts every copy when asked; the followed sources' state shows. The store is
filled through geodata (seeds, a wire story, two copies, another event in the same town), then
`streamlit run app.py` serves it. Saves docs/copies.png."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from playwright.sync_api import expect, sync_playwright

import pagekit
from conftest import new_data_dir
from test_e2e import CHROMIUM
from test_page_stories import RECORDS, WIRE

SCREENSHOT = pagekit.REPO / "docs" / "copies.png"


@pytest.fixture(scope="module")
def app_url(index_dir, tmp_path_factory):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run ./test.sh, which installs Debian's chromium")
    data = new_data_dir(tmp_path_factory.mktemp("e2e-stories"), index_dir)
    jsonl = pagekit.write_jsonl(data / "wire.jsonl", RECORDS)
    env = dict(os.environ, PLACEWIRE_DATA=str(data), PLACEWIRE_ADMIN="")
    script = ("import sys; from pathlib import Path; from components.ingest import ingest_paths; "
              "from geodata.follow import registry; from geodata.store import Store; from geodata import paths; "
              "from datetime import datetime, timezone; "
              "ingest_paths(paths.store_path(), [Path('seeds'), Path(sys.argv[1])]); "
              "s = Store(paths.store_path()); registry.add(s, 'https://wire.example/feed.xml', 'Levant Wire'); "
              "registry.fetched(s, 'https://wire.example/feed.xml', datetime.now(timezone.utc), 900, kind='feed'); s.close()")
    subprocess.run([sys.executable, "-c", script, str(jsonl)], cwd=pagekit.REPO, env=env, check=True, timeout=300)
    with pagekit.serving(data, PLACEWIRE_ADMIN="") as url:
        yield url, data


def test_copies_count_once_in_the_browser(app_url):
    url, data = app_url
    import sqlite3

    with sqlite3.connect(data / "placewire.sqlite") as conn:
        place = conn.execute("SELECT place_id FROM mentions WHERE article_id = ? AND surface LIKE 'Maarat%'",
                             (WIRE,)).fetchone()[0]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_context(viewport={"width": 1440, "height": 1100}).new_page()
        page.goto(f"{url}/?place={quote(place)}&article={quote(WIRE, safe='')}")
        sidebar = page.locator("section[data-testid=stSidebar]")
        expect(sidebar).to_contain_text("5 articles (3 stories)", timeout=120_000)
        expect(sidebar).to_contain_text("Following 1 source · updated")
        entries = page.locator(".pw-mention")
        expect(entries.filter(has_text="Air strikes on Maarat al-Numan market kill 14").first).to_contain_text(
            "also in: Daily Echo, Reprint Post", timeout=60_000)
        assert entries.filter(has_text="Jets hit Idlib market").count() == 0
        expect(sidebar).not_to_contain_text("Jets hit Idlib market")  # the article list: the story once
        expect(page.get_by_text("This story also appeared 2 more times")).to_be_visible()
        once = entries.count()
        page.mouse.move(5, 5)
        SCREENSHOT.parent.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOT), full_page=True)
        # every copy counted: the reprint's excerpt and its article come back (the reader's
        # drawer closed first: while it is open the rest of the page is inert)
        page.keyboard.press("Escape")
        page.wait_for_function("!new URL(location.href).searchParams.has('article')", timeout=30_000)
        sidebar.get_by_text("Count every copy", exact=True).click()
        expect(entries.filter(has_text="Jets hit Idlib market").first).to_be_visible(timeout=60_000)
        assert entries.count() > once
        expect(sidebar).to_contain_text("Jets hit Idlib market")
        browser.close()
