"""What a fetched source lists: its items (article URLs with the listing's own metadata).

Three kinds, told apart by the content, not the URL: an RSS/Atom feed (feedparser), a sitemap
or news sitemap (lxml, entities and network off), or any other HTML page, read as a page of
links to articles on its own site (lxml; courlan's filters drop navigation pages).
"""
from __future__ import annotations

import hashlib
import re
import xml.sax
from dataclasses import dataclass, field
from urllib.parse import urldefrag, urljoin, urlsplit

import courlan
import feedparser
import lxml.etree
import lxml.html

from geodata.articles import parse_date

SITEMAP_NS = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS_NS = "{http://www.google.com/schemas/sitemap-news/0.9}"
NOT_ARTICLES = re.compile(r"\.(jpe?g|png|gif|webp|svg|pdf|zip|mp[34]|css|js|xml|rss|atom|json|ico)$", re.I)
MAX_ITEMS = 500  # per listing: a page of ten thousand links is not a news source


@dataclass(frozen=True)
class Entry:
    url: str
    title: str = ""
    published: str | None = None  # ISO yyyy-mm-dd, from the listing
    summary: str = ""  # the listing's own text of the item (HTML or text), if any
    fingerprint: str = ""  # changes when the listing's entry is edited


@dataclass
class Listing:
    kind: str  # feed | sitemap | links
    name: str = ""  # the feed's title, for a source added without a name
    entries: list[Entry] = field(default_factory=list)
    sitemaps: list[str] = field(default_factory=list)  # a sitemap index's sitemaps
    problem: str = ""  # read with a caveat (a malformed feed whose first entries were read)


class NotAListing(ValueError):
    """The body is not a feed, sitemap or page of links (the message says what is wrong)."""


def read(body: bytes, url: str, content_type: str = "") -> Listing:
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if re.search(rb"<(urlset|sitemapindex)[\s>]", head):
        return _sitemap(body, url)
    if re.search(rb"<(rss|feed|rdf:rdf)[\s>]", head) or re.search(r"(rss|atom)\+xml", content_type):
        return _feed(body, url)
    if re.search(rb"<(!doctype html|html|head|body)[\s>]", head) or "html" in content_type.lower():
        return _links(body, url)
    if head.startswith(b"<?xml"):
        return _feed(body, url)  # XML of another root: feedparser says what is wrong with it
    raise NotAListing("neither a feed, a sitemap nor an HTML page")


def _fingerprint(*parts: object) -> str:
    return hashlib.sha1("\x1f".join(str(p or "") for p in parts).encode("utf-8")).hexdigest()[:16]


def _date(value: object) -> str | None:
    try:
        return parse_date(value) if value else None
    except ValueError:
        return None  # an unreadable listing date: the article page may give one


def _feed(body: bytes, url: str) -> Listing:
    feed = feedparser.parse(body)
    error = feed.get("bozo_exception")
    if not feed.entries:
        if error is not None:
            raise NotAListing(f"malformed feed ({_describe(error)})")
        return Listing("feed", feed.feed.get("title", ""))
    problem = f"malformed feed ({_describe(error)}); read the entries found" if isinstance(
        error, xml.sax.SAXParseException) else ""
    entries = []
    for entry in feed.entries[:MAX_ITEMS]:
        link = entry.get("link", "")
        if not link:
            continue
        contents = [c.get("value", "") for c in entry.get("content", [])]
        summary = next((c for c in contents if c.strip()), "") or entry.get("summary", "")
        updated = dict.get(entry, "updated", "")  # not entry.get: feedparser maps it to published
        published = entry.get("published") or updated
        entries.append(Entry(
            url=_absolute(link, url), title=" ".join(entry.get("title", "").split()),
            published=_date(published), summary=summary,
            fingerprint=_fingerprint(entry.get("title"), updated or published, summary),
        ))
    return Listing("feed", feed.feed.get("title", ""), entries, problem=problem)


def _describe(error: object) -> str:
    if isinstance(error, xml.sax.SAXParseException):
        return f"line {error.getLineNumber()}: {error.getMessage()}"
    return " ".join(str(error).split())[:200] or type(error).__name__


def _sitemap(body: bytes, url: str) -> Listing:
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
    try:
        root = lxml.etree.fromstring(body, parser)
    except lxml.etree.XMLSyntaxError as exc:
        raise NotAListing(f"malformed sitemap ({exc})") from None
    if root.tag == f"{SITEMAP_NS}sitemapindex":
        locs = [(s.findtext(f"{SITEMAP_NS}loc") or "").strip() for s in root.iter(f"{SITEMAP_NS}sitemap")]
        return Listing("sitemap", sitemaps=[_absolute(loc, url) for loc in locs if loc][:50])
    entries = []
    for node in list(root.iter(f"{SITEMAP_NS}url"))[:MAX_ITEMS]:
        loc = (node.findtext(f"{SITEMAP_NS}loc") or "").strip()
        if not loc:
            continue
        title = " ".join((node.findtext(f"{NEWS_NS}news/{NEWS_NS}title") or "").split())
        date = node.findtext(f"{NEWS_NS}news/{NEWS_NS}publication_date") or node.findtext(f"{SITEMAP_NS}lastmod")
        entries.append(Entry(_absolute(loc, url), title, _date((date or "").strip()),
                             fingerprint=_fingerprint(title, node.findtext(f"{SITEMAP_NS}lastmod"), date)))
    return Listing("sitemap", entries=entries)


def _links(body: bytes, url: str) -> Listing:
    """Links from a page to other pages of its own site that look like articles."""
    try:
        doc = lxml.html.fromstring(body)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise NotAListing(f"unreadable HTML ({exc})") from None
    host = _site(url)
    page = urldefrag(url)[0]
    seen, entries = set(), []
    for anchor in doc.iter("a"):
        href = (anchor.get("href") or "").strip()
        target = urldefrag(urljoin(url, href))[0] if href else ""
        parts = urlsplit(target)
        if (parts.scheme not in ("http", "https") or _site(target) != host or target in seen
                or target == page or parts.path in ("", "/") or NOT_ARTICLES.search(parts.path)
                or courlan.is_navigation_page(target) or courlan.is_not_crawlable(target)):
            continue
        seen.add(target)
        title = " ".join(anchor.text_content().split())
        entries.append(Entry(target, title, fingerprint=_fingerprint(title)))
        if len(entries) >= MAX_ITEMS:
            break
    title = " ".join((doc.findtext(".//title") or "").split())
    return Listing("links", title, entries)


def _site(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def _absolute(link: str, base: str) -> str:
    return urldefrag(urljoin(base, link.strip()))[0]
