"""One round over the due sources, and the loop that repeats it (`follow run`).

A round reads each due source's listing (conditional GET), records its new and edited items,
then fetches each waiting item's page, extracts the article (trafilatura, through
geodata.articles), gives it the listing's own title, date and source, and ingests it (parse,
store, group with its syndicated copies). A source that fails is retried later with a doubling
backoff; the others go on. A round logs one line per source.
"""
from __future__ import annotations

import json
import logging
import shutil
import signal
import threading
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from geodata import stories
from geodata.articles import Article, load_bytes
from geodata.dialect import is_url
from geodata.exceptions import FetchError, GeodataError
from geodata.follow import listing, registry
from geodata.follow.fetch import Fetcher
from geodata.ingest import IngestReport, ingest

log = logging.getLogger("placewire.follow")

DEFAULT_EVERY = 15 * 60.0
MAX_SITEMAPS = 5  # of a sitemap index, read per round


@dataclass
class SourceRound:
    """What one source's round did (the log line, and the CLI's summary)."""

    url: str
    name: str
    status: str = "ok"  # ok | not modified | failed | skipped
    new: int = 0  # items first seen
    edited: int = 0
    stored: list[Article] = field(default_factory=list)
    copies: int = 0  # stored articles that are syndicated copies of a stored story
    item_errors: list[str] = field(default_factory=list)
    error: str = ""
    retry_in: float = 0.0

    def line(self) -> str:
        label = self.name or self.url
        if self.status == "failed":
            return f"{label}: FAILED ({self.error}); next try in {_duration(self.retry_in)}"
        parts = [self.status, f"{self.new} new", f"{self.edited} edited", f"{len(self.stored)} stored"]
        if self.copies:
            parts.append(f"{self.copies} syndicated cop{'y' if self.copies == 1 else 'ies'}")
        if self.item_errors:
            parts.append(f"{len(self.item_errors)} item error{'s' * (len(self.item_errors) != 1)}")
        return f"{label}: {', '.join(parts)}"


@dataclass
class RoundReport:
    started: datetime
    sources: list[SourceRound] = field(default_factory=list)
    warning: str = ""  # the round did not run (disk nearly full)

    @property
    def stored(self) -> list[Article]:
        return [a for s in self.sources for a in s.stored]


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    return f"{seconds / 60:.0f} min" if seconds >= 60 else f"{seconds:.0f} s"


def backoff(failures: int, settings) -> float:
    """Seconds before the next try after `failures` failures in a row: base, 2x, 4x... capped."""
    return min(settings.backoff_max, settings.backoff_base * 2 ** max(0, failures - 1))


def _disk_warning(store, min_free: int) -> str:
    """Why not to fetch this round: the disk that holds the store (a SQLite file's) is nearly full."""
    if is_url(str(store.path)):
        return ""  # a PostgreSQL server's disk is its own business
    folder = Path(store.path).resolve().parent
    free = shutil.disk_usage(folder).free
    if free >= min_free:
        return ""
    return (f"disk nearly full: {free / 1024 / 1024:.0f} MB free in {folder} (PLACEWIRE_FOLLOW_MIN_FREE_MB "
            f"is {min_free / 1024 / 1024:.0f}); nothing fetched this round")


def run_round(store, fetcher: Fetcher, *, every: float = DEFAULT_EVERY, now: datetime | None = None,
              stop: threading.Event | None = None) -> RoundReport:
    """Fetch every due source and its waiting items once; never raises for one source's trouble."""
    when = now or registry.now_utc()
    report = RoundReport(when)
    report.warning = _disk_warning(store, fetcher.settings.min_free_bytes)
    if report.warning:
        log.warning(report.warning)
        return report
    stories.group(store)  # articles a killed process stored but did not group
    for source in registry.due(store.conn, when):
        if stop is not None and stop.is_set():
            break
        result = SourceRound(source["url"], source["name"])
        try:
            _one_source(store, fetcher, source, result, every, when, stop)
        except (GeodataError, store.conn.Error, OSError) as exc:  # the store itself (a full disk...)
            result.status, result.error = "failed", f"store: {exc}"
            log.error("%s", result.line())
        else:
            (log.warning if result.status == "failed" else log.info)("%s", result.line())
        report.sources.append(result)
    return report


def _one_source(store, fetcher, source: dict, result: SourceRound, every: float, when: datetime, stop) -> None:
    url = source["url"]
    if not registry.is_due(source, when):
        result.status = "resumed"  # its listing was read; only items a killed round left remain
    else:
        _listing(store, fetcher, source, result, every, when)
    for item in registry.waiting(store.conn, url):
        if stop is not None and stop.is_set():
            break
        _one_item(store, fetcher, source, item, result, when)
    registry.counted(store, url, len(result.stored))


def _listing(store, fetcher, source: dict, result: SourceRound, every: float, when: datetime) -> None:
    """Read the source's listing and record its new and edited items (or the failure)."""
    url = source["url"]
    etag, modified = registry.validators(store.conn, url)
    try:
        response = fetcher.get(url, etag=etag, last_modified=modified)
        if response.status == 304:
            result.status = "not modified"
            registry.fetched(store, url, when, every)
        else:
            found = listing.read(response.body, response.url, response.content_type)
            entries = found.entries + _nested_sitemaps(fetcher, found, result)
            result.new, result.edited = registry.listed(store, url, entries, when)
            registry.fetched(store, url, when, every, kind=found.kind, name=found.name,
                             etag=response.etag, last_modified=response.last_modified)
            if found.problem:
                result.item_errors.append(found.problem)
    except (FetchError, listing.NotAListing) as exc:
        result.status, result.error = "failed", str(exc)
        failures = registry.failures(store.conn, url) + 1
        result.retry_in = max(backoff(failures, fetcher.settings), getattr(exc, "retry_after", None) or 0)
        registry.failed(store, url, when, result.error, result.retry_in)
        # items listed before keep waiting: a source whose listing fails may still serve pages


def _nested_sitemaps(fetcher: Fetcher, found: listing.Listing, result: SourceRound) -> list[listing.Entry]:
    entries = []
    for sitemap in found.sitemaps[:MAX_SITEMAPS]:
        try:
            response = fetcher.get(sitemap)
            entries += listing.read(response.body, response.url, response.content_type).entries
        except (FetchError, listing.NotAListing) as exc:
            result.item_errors.append(f"{sitemap}: {exc}")
    return entries


def _one_item(store, fetcher, source: dict, item: registry.Item, result: SourceRound, when: datetime) -> None:
    """Fetch, extract and ingest one item; mark it stored, or failed, or leave it for later."""
    if item.state == "pending" and store.has(item.url):
        registry.done(store, item.url, "stored", when)  # stored by a run killed before marking it
        return
    try:
        response = fetcher.get(item.url)
        article, problem = _article(response.body, response.url, response.content_type, item, source)
    except FetchError as exc:
        if exc.transient and registry.retry_later(store, item.url, str(exc)) < fetcher.settings.item_attempts:
            result.item_errors.append(f"{item.url}: {exc} (will retry)")
            return
        article, problem = _from_listing(item, source), str(exc)
    if article is None:
        registry.done(store, item.url, "failed", when, problem)
        result.item_errors.append(f"{item.url}: {problem}")
        return
    if item.state == "edited":
        store.delete(item.url)  # the new version replaces it (its story is found again)
    report = ingest([article], store, report=IngestReport(), catch_up=False)
    result.copies += report.copies
    if report.added:
        result.stored.append(article)
    registry.done(store, item.url, "stored", when, problem or "")


def _article(body: bytes, url: str, content_type: str, item: registry.Item, source: dict):
    """(Article, note) from an item's page, with the listing's metadata; (None, why) without text."""
    name = PurePosixPath(urlsplit(url).path).name
    if "html" in content_type.lower() and not name.endswith((".html", ".htm")):
        name = "page.html"
    found = list(load_bytes(name, body, origin=item.url, url=url, content_type=content_type))
    article = next((a for a in found if isinstance(a, Article)), None)
    problems = "; ".join(p.message for p in found if not isinstance(p, Article))
    if article is None:
        fallback = _from_listing(item, source)
        return fallback, (f"page unreadable ({problems}); the listing's text stored" if fallback else problems)
    return _with_listing_metadata(article, item, source), ""


def _from_listing(item: registry.Item, source: dict) -> Article | None:
    """The article as the listing gives it (a feed's full content), when its page cannot be had."""
    if len(item.summary.split()) < 50:
        return None  # a teaser is no article
    record = json.dumps({"title": item.title, "text": item.summary, "url": item.url})
    found = [a for a in load_bytes("item.json", record.encode(), origin=item.url) if isinstance(a, Article)]
    return _with_listing_metadata(found[0], item, source) if found else None


def _with_listing_metadata(article: Article, item: registry.Item, source: dict) -> Article:
    return replace(
        article, id=item.url, url=item.url, title=item.title or article.title,
        date=item.published or article.date, source=source["name"] or article.source,
        origin=source["url"],
    )


# -- the loop ---------------------------------------------------------------------------------


def run(store, fetcher: Fetcher, *, every: float = DEFAULT_EVERY, once: bool = False,
        on_round=lambda report: None) -> None:
    """Rounds until stopped (SIGTERM or Ctrl-C ends it after the item in hand), or one round."""
    stop = threading.Event()
    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, lambda *_: stop.set())
    try:
        while not stop.is_set():
            on_round(run_round(store, fetcher, every=every, stop=stop))
            if once:
                return
            stop.wait(_until_next(store, every))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _until_next(store, every: float) -> float:
    """Seconds to the next due source (a backoff may end before `every`), at least 5."""
    dues = [registry.parse_stamp(s["next_due"]) for s in registry.sources(store.conn) if s["next_due"]]
    if not dues:
        return every
    return max(5.0, min(every, (min(dues) - registry.now_utc()).total_seconds()))
