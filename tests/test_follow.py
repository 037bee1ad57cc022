"""Following sources against a real local HTTP server (127.0.0.1): rounds that change, the
polite fetcher's guards, a killed run that resumes, and the command line. No test leaves the
machine: every URL is the local server's, and addresses elsewhere are refused before any
connection is made.
"""
from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

import followkit as kit
from geodata.exceptions import FetchError, RefusedURL
from geodata.follow import registry, rounds
from geodata.follow.addresses import GuardedAdapter
from geodata.follow.fetch import Fetcher, RobotsRefused
from geodata.follow.settings import Settings
from geodata.store import Store

T0 = datetime(2020, 1, 20, 8, 0, tzinfo=timezone.utc)
FAST = Settings(user_agent="PlacewireTest/1.0", delay=0, timeout=1, deadline=5, max_bytes=1024 * 1024,
                min_free_bytes=0, allow_local=True)
ROBOTS = b"User-agent: *\nDisallow: /private/\n"


def articles(store) -> dict[str, tuple]:
    """Every stored article: id -> (title, source, published, first words of the text)."""
    return {r[0]: (r[1], r[2], r[3], r[4][:60]) for r in store.conn.execute(
        "SELECT id, title, source, published, text FROM articles")}


def state(store, url: str) -> dict:
    return next(s for s in registry.sources(store.conn) if s["url"] == url)


def fifty_megabytes():
    chunk = b"<rss>" + b"x" * (1024 * 1024 - 5)
    for _ in range(50):
        yield chunk


def test_rounds_keep_the_store_exact(data_dir):
    with kit.Site() as site, Store(data_dir / "placewire.sqlite") as store:
        u = site.url
        a1 = kit.FeedItem("/a/maarat-market.html", "Air strikes on Maarat al-Numan market kill 14", "Mon, 20 Jan 2020 09:00:00 GMT")
        a2 = kit.FeedItem("/a/saraqib-convoy.html", "Turkish convoy enters Saraqib", "Mon, 20 Jan 2020 10:00:00 GMT")
        a3 = kit.FeedItem("/private/aleppo-power.html", "Aleppo without power", "Sat, 18 Jan 2020 10:00:00 GMT",
                          content=kit.story_text("aleppo-power"))  # robots.txt disallows the page
        site.routes.update({
            "/robots.txt": kit.Route(ROBOTS, content_type="text/plain"),
            "/a/feed.xml": kit.Route(kit.rss(u, "Levant Wire", [a1, a2, a3]), content_type="application/rss+xml", etag='"a-1"'),
            a1.path: kit.Route(kit.page(a1.title, kit.story_text("maarat-market"))),
            a2.path: kit.Route(kit.page(a2.title, kit.story_text("saraqib-convoy"))),
            "/b/sitemap.xml": kit.Route(kit.news_sitemap(u, [("/b/afrin.html", "Car bomb in Afrin", "2020-01-19"),
                                                             ("/b/deir.html", "Oil protests in Deir ez-Zor", "2020-01-20T07:00:00Z")]),
                                        content_type="application/xml", last_modified="Mon, 20 Jan 2020 07:00:00 GMT"),
            "/b/afrin.html": kit.Route(kit.page("Car bomb in Afrin", kit.story_text("afrin-car-bomb"))),
            "/b/deir.html": kit.Route(kit.page("Oil protests", kit.story_text("deir-ezzor-oil"))),
            "/c/syria": kit.Route(kit.links_page([("/c/2020/01/20/un-convoy", "UN convoy crosses at Bab al-Hawa"),
                                                  ("/c/2020/01/20/maarat-school", "School shelled in Maarat al-Numan")])),
            "/c/2020/01/20/un-convoy": kit.Route(kit.page("UN convoy crosses", kit.story_text("un-statement-aid"))),
            "/c/2020/01/20/maarat-school": kit.Route(kit.page("School shelled", kit.story_text("maarat-school"))),
            "/d/feed.xml": kit.Route(b"server error", status=500, content_type="text/plain"),
            "/e/feed.xml": kit.Route(kit.rss(u, "Slow", []), delay=1.6, content_type="application/rss+xml"),
            "/f/feed.xml": kit.Route(b'<?xml version="1.0"?>\n<rss version="2.0"><channel><<<garbage', content_type="application/rss+xml"),
            "/g/feed.xml": kit.Route(stream=fifty_megabytes, content_type="application/rss+xml"),
            "/h/feed.xml": kit.Route(status=302, headers={"Location": "file:///etc/passwd"}),
        })
        for path, name in (("/a/feed.xml", "Levant Wire"), ("/b/sitemap.xml", "Sitemap Daily"), ("/c/syria", "Links Gazette"),
                           ("/d/feed.xml", "Reprint Post"), ("/e/feed.xml", "Slow Times"), ("/f/feed.xml", "Broken Feed"),
                           ("/g/feed.xml", "Huge Feed"), ("/h/feed.xml", "Sneaky Feed")):
            assert registry.add(store, u + path, name)
        assert not registry.add(store, u + "/a/feed.xml")  # followed already
        fetcher = Fetcher(FAST)

        # -- round 1: three good sources, five failing ones that do not stop the others
        report = rounds.run_round(store, fetcher, now=T0)
        assert len(report.sources) == 8
        stored = articles(store)
        assert set(stored) == {u + p for p in (a1.path, a2.path, a3.path, "/b/afrin.html", "/b/deir.html",
                                               "/c/2020/01/20/un-convoy", "/c/2020/01/20/maarat-school")}
        # the listing's own title, date and source, not the page's
        assert stored[u + a1.path][:3] == (a1.title, "Levant Wire", "2020-01-20")
        assert stored[u + "/b/afrin.html"][:3] == ("Car bomb in Afrin", "Sitemap Daily", "2020-01-19")
        assert stored[u + "/c/2020/01/20/maarat-school"][1:3] == ("Links Gazette", "2020-01-20")  # date from the URL
        assert stored[u + a1.path][3].startswith("Air strikes on a crowded market")  # full text, no navigation
        assert site.count(a3.path) == 0 and stored[u + a3.path][3].startswith("Large parts of Aleppo")  # robots.txt
        assert not any(p.startswith(("/category", "/tag", "/report.pdf")) for p in site.requests)
        errors = {s["name"]: s["last_error"] for s in registry.sources(store.conn)}
        assert errors["Reprint Post"] == "HTTP 500 Internal Server Error"
        assert "no answer within 1 s" in errors["Slow Times"]
        assert errors["Broken Feed"].startswith("malformed feed (line 2")
        assert "over the 1.0 MB limit" in errors["Huge Feed"]
        assert errors["Sneaky Feed"].startswith("redirected to file:///etc/passwd: only http and https")
        assert not any(errors[n] for n in ("Levant Wire", "Sitemap Daily", "Links Gazette"))
        assert state(store, u + "/a/feed.xml")["new_items"] == 3 and state(store, u + "/a/feed.xml")["kind"] == "feed"
        assert state(store, u + "/b/sitemap.xml")["kind"] == "sitemap" and state(store, u + "/c/syria")["kind"] == "links"
        assert state(store, u + "/d/feed.xml")["next_due"] == registry.stamp(T0 + timedelta(seconds=FAST.backoff_base))
        assert registry.due(store.conn, T0 + timedelta(minutes=1)) == []  # nothing due before its time

        # -- round 2: a new item and an edited one; 304s; the failed sources recovered or backed off
        a2b = kit.FeedItem(a2.path, "Turkish convoy enters Saraqib, sets up post", a2.date)
        a4 = kit.FeedItem("/a/camps-flood.html", "Floods hit camps near Atmeh", "Thu, 23 Jan 2020 09:00:00 GMT")
        d1 = kit.FeedItem("/d/market-strike.html", "Dozens dead or hurt as jets hit Idlib market", "Mon, 20 Jan 2020 12:00:00 GMT")
        site.routes.update({
            "/a/feed.xml": kit.Route(kit.rss(u, "Levant Wire", [a4, a1, a2b, a3]), content_type="application/rss+xml", etag='"a-2"'),
            a2.path: kit.Route(kit.page(a2b.title, kit.story_text("saraqib-convoy").replace("about 30", "about 40"))),
            a4.path: kit.Route(kit.page(a4.title, kit.story_text("idlib-camps-flood"))),
            "/d/feed.xml": kit.Route(kit.rss(u, "Reprint Post", [d1]), content_type="application/rss+xml"),
            d1.path: kit.Route(kit.page(d1.title, kit.copy_text("maarat-market", "another site's furniture"))),
            "/e/feed.xml": kit.Route(kit.rss(u, "Slow", [kit.FeedItem("/e/bulletin.html", "Observatory bulletin", "Tue, 21 Jan 2020 18:00:00 GMT")]),
                                     content_type="application/rss+xml"),
            "/e/bulletin.html": kit.Route(kit.page("Observatory bulletin", kit.story_text("sohr-bulletin-1"))),
        })
        report = rounds.run_round(store, fetcher, now=T0 + timedelta(minutes=16))
        by_name = {s.name: s for s in report.sources}
        assert by_name["Levant Wire"].new == 1 and by_name["Levant Wire"].edited == 1
        assert by_name["Sitemap Daily"].status == "not modified"
        assert by_name["Links Gazette"].new == 0 and by_name["Reprint Post"].copies == 1
        stored = articles(store)
        assert len(stored) == 10 and {u + a4.path, u + d1.path, u + "/e/bulletin.html"} <= set(stored)
        assert stored[u + a2.path][0] == a2b.title  # the edit replaced the article, not added one
        assert "about 40" in store.conn.execute("SELECT text FROM articles WHERE id = :i", {"i": u + a2.path}).fetchone()[0]
        assert state(store, u + "/f/feed.xml")["failures"] == 2  # backoff doubled: next in 10 minutes
        assert state(store, u + "/f/feed.xml")["next_due"] == registry.stamp(T0 + timedelta(minutes=26))
        story = dict(store.conn.execute("SELECT article_id, story_id FROM story_members").fetchall())
        assert story[u + d1.path] == story[u + a1.path] == u + a1.path  # the reprint joins the wire story
        assert story[u + "/c/2020/01/20/maarat-school"] != story[u + a1.path]  # same town and day, other event

        # -- round 3: nothing changed; nothing fetched twice
        report = rounds.run_round(store, fetcher, now=T0 + timedelta(minutes=32))
        assert {s.name: s.status for s in report.sources}["Levant Wire"] == "not modified"
        assert len(articles(store)) == 10
        pages = [p for p in site.requests if p.endswith(".html") or "/2020/" in p]
        assert all(site.count(p) == 1 for p in pages if p != a2.path) and site.count(a2.path) == 2
        assert site.count("/robots.txt") == 1  # read once per host, then cached


def test_a_full_disk_skips_the_round_and_the_next_goes_on(data_dir):
    with kit.Site() as site, Store(data_dir / "placewire.sqlite") as store:
        item = kit.FeedItem("/x.html", "Shelling in Aleppo", "Sat, 18 Jan 2020 10:00:00 GMT")
        site.routes.update({"/feed.xml": kit.Route(kit.rss(site.url, "Wire", [item])),
                            item.path: kit.Route(kit.page(item.title, kit.story_text("aleppo-rockets")))})
        registry.add(store, site.url + "/feed.xml")
        full = Settings(**{**FAST.__dict__, "min_free_bytes": 10 ** 18})
        report = rounds.run_round(store, Fetcher(full), now=T0)
        assert report.warning.startswith("disk nearly full") and site.requests == [] and not articles(store)
        report = rounds.run_round(store, Fetcher(FAST), now=T0)
        assert not report.warning and list(articles(store)) == [site.url + item.path]


# -- the fetcher's guards -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def site():
    with kit.Site() as s:
        s.routes.update({
            "/robots.txt": kit.Route(ROBOTS + b"Crawl-delay: 1\n", content_type="text/plain"),
            "/ok": kit.Route(b"hello", content_type="text/plain"),
            "/private/x": kit.Route(b"secret"),
            "/big": kit.Route(b"x" * (2 * 1024 * 1024)),
            "/to-file": kit.Route(status=301, headers={"Location": "file:///etc/passwd"}),
            "/to-ok": kit.Route(status=302, headers={"Location": "/ok"}),
            "/loop": kit.Route(status=302, headers={"Location": "/loop"}),
        })
        yield s


def test_local_addresses_are_refused_unless_allowed(site):
    strict = Fetcher(Settings(**{**FAST.__dict__, "allow_local": False}))
    for url in (site.url + "/ok", site.url.replace("127.0.0.1", "localhost") + "/ok", "http://[::1]/", "http://10.1.2.3/"):
        with pytest.raises(RefusedURL, match="private or local address"):
            strict.get(url)
    for url in ("file:///etc/passwd", "ftp://example.org/x", "javascript:alert(1)", "/relative"):
        with pytest.raises(RefusedURL, match="only http and https"):
            strict.get(url)
    assert site.requests == []
    # the connection itself is checked too (a name that resolves elsewhere at connect time)
    session = requests.Session()
    session.mount("http://", GuardedAdapter(allow_local=False))
    with pytest.raises(RefusedURL, match="connected to a private or local address"):
        session.get(site.url + "/ok", timeout=2)
    assert Fetcher(FAST).get(site.url + "/ok").body == b"hello"


def test_redirects_size_cap_robots_and_rate(site):
    fetcher = Fetcher(FAST)
    assert fetcher.get(site.url + "/to-ok").url == site.url + "/ok"
    with pytest.raises(RefusedURL, match="redirected to file:///etc/passwd"):
        fetcher.get(site.url + "/to-file")
    with pytest.raises(FetchError, match="more than 5 redirects"):
        fetcher.get(site.url + "/loop")
    with pytest.raises(FetchError, match="2.0 MB is over the 1.0 MB limit"):
        fetcher.get(site.url + "/big")
    with pytest.raises(RobotsRefused):
        fetcher.get(site.url + "/private/x")
    assert "/private/x" not in site.requests
    started = time.monotonic()
    for _ in range(3):
        fetcher.get(site.url + "/ok")
    assert time.monotonic() - started >= 2  # robots.txt's Crawl-delay: 1 s between two requests
    assert fetcher.session.headers["User-Agent"] == "PlacewireTest/1.0"


# -- a killed run resumes ---------------------------------------------------------------------


def geodata(data_dir, *args, **kwargs) -> subprocess.Popen:
    env = dict(os.environ, PLACEWIRE_DATA=str(data_dir), PLACEWIRE_FOLLOW_ALLOW_LOCAL="1",
               PLACEWIRE_FOLLOW_DELAY="0", PLACEWIRE_FOLLOW_TIMEOUT="5", PLACEWIRE_FOLLOW_MIN_FREE_MB="0")
    return subprocess.Popen([sys.executable, "-m", "geodata", *args], cwd=kit.Path(__file__).parent.parent,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kwargs)


def test_a_killed_run_resumes_without_loss_or_duplicates(data_dir):
    ids = ["maarat-market", "saraqib-convoy", "aleppo-power", "afrin-car-bomb", "deir-ezzor-oil", "un-statement-aid"]
    with kit.Site() as site:
        items = [kit.FeedItem(f"/k/{i}.html", kit.STORIES[i]["id"].replace("-", " ").title(),
                              "Mon, 20 Jan 2020 09:00:00 GMT") for i in ids]
        site.routes["/feed.xml"] = kit.Route(kit.rss(site.url, "Wire", items))
        for item, story in zip(items, ids):
            site.routes[item.path] = kit.Route(kit.page(item.title, kit.story_text(story)), delay=0.5)
        assert geodata(data_dir, "follow", "add", site.url + "/feed.xml", "--name", "Wire").wait(60) == 0
        run = geodata(data_dir, "follow", "run", "--once")
        db = data_dir / "placewire.sqlite"
        deadline = time.monotonic() + 120
        while _count(db) < 2:
            assert run.poll() is None and time.monotonic() < deadline, run.stderr.read() if run.poll() else "too slow"
            time.sleep(0.05)
        run.send_signal(signal.SIGKILL)
        run.wait(10)
        before = {r for r in _ids(db)}
        assert 2 <= len(before) < len(ids)
        again = geodata(data_dir, "follow", "run", "--once")
        out, err = again.communicate(timeout=120)
        assert again.returncode == 0, err
        assert sorted(_ids(db)) == sorted(site.url + i.path for i in items)  # all, once each
        for item in items:
            if site.url + item.path in before:
                assert site.count(item.path) == 1  # stored before the kill: never fetched again
            assert site.count(item.path) <= 2  # only the page in hand when killed may be fetched again
        assert site.count("/feed.xml") == 1  # the rerun resumed the items; the feed was not due
        assert "round: 1 sources read" in out and "Wire: resumed" in err  # what changed, and the log line


def _count(db) -> int:
    try:
        with sqlite3.connect(db) as conn:
            return conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    except sqlite3.Error:
        return 0


def _ids(db) -> list[str]:
    with sqlite3.connect(db) as conn:
        return [r[0] for r in conn.execute("SELECT id FROM articles")]


def test_the_command_line_adds_lists_and_removes(data_dir):
    def cli(*args):
        proc = geodata(data_dir, "follow", *args)
        out, err = proc.communicate(timeout=60)
        return proc.returncode, out + err

    assert cli("add", "https://news.example/feed.xml", "--name", "Example News") == (
        0, "following https://news.example/feed.xml as 'Example News'\nit is read at the next `python -m geodata follow run`\n")
    assert cli("add", "file:///etc/passwd")[0] == 1
    code, out = cli("list")
    assert code == 0 and "Example News  https://news.example/feed.xml" in out and "not read yet" in out
    assert cli("remove", "Example News")[0] == 0
    assert "no sources followed yet" in cli("list")[1]
    assert cli("remove", "Example News")[0] == 1
    code, out = cli("run", "--every", "5s")
    assert code == 2 and "at most once a minute" in out


def test_the_registry_on_each_backend(store_location):
    from geodata.follow.listing import Entry

    with Store(store_location) as store:
        url = "https://news.example/feed.xml"
        assert registry.add(store, url, "News") and not registry.add(store, url)
        assert [s["url"] for s in registry.due(store.conn, T0)] == [url]
        entries = [Entry("https://news.example/a", "A", "2020-01-20", fingerprint="1"),
                   Entry("https://news.example/b", "B", None, fingerprint="1"),
                   Entry("javascript:alert(1)", "bad")]
        assert registry.listed(store, url, entries, T0) == (2, 0)
        assert registry.listed(store, url, entries, T0) == (0, 0)  # seen: not new again
        assert [i.url for i in registry.waiting(store.conn, url)] == ["https://news.example/a", "https://news.example/b"]
        registry.done(store, "https://news.example/a", "stored", T0)
        assert registry.listed(store, url, [Entry("https://news.example/a", "A2", None, fingerprint="2")], T0) == (0, 1)
        assert [(i.url, i.state, i.title) for i in registry.waiting(store.conn, url)] == [
            ("https://news.example/a", "edited", "A2"), ("https://news.example/b", "pending", "B")]
        assert registry.retry_later(store, "https://news.example/b", "timeout") == 1
        registry.fetched(store, url, T0, 900, kind="feed", name="ignored: it has a name", etag='"x"')
        assert registry.validators(store.conn, url) == ('"x"', "")
        registry.failed(store, url, T0 + timedelta(minutes=15), "HTTP 500", 300)
        registry.counted(store, url, 3)
        [source] = registry.sources(store.conn)
        assert (source["name"], source["kind"], source["failures"], source["last_error"], source["new_items"],
                source["waiting"]) == ("News", "feed", 1, "HTTP 500", 3, 2)
        assert source["next_due"] == registry.stamp(T0 + timedelta(minutes=20))
        assert registry.last_update(store.conn) == registry.stamp(T0)
        assert registry.remove(store, "News") == url and registry.sources(store.conn) == []
