"""A local news site for the follower's tests: a real HTTP server on 127.0.0.1 (a free port)
whose feeds, sitemaps and pages the test changes between rounds, and which logs every request.

Article texts are the written stories of tests/fixtures/stories (long enough for trafilatura to
take them for articles), wrapped in a page with navigation and a footer to strip.
"""
from __future__ import annotations

import html
import sys
import threading
import time
from dataclasses import dataclass, field
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "stories"))
from pairs import base_stories, variants  # noqa: E402

STORIES = {s["id"]: s for s in base_stories()}


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "text/html; charset=utf-8"
    headers: dict = field(default_factory=dict)
    delay: float = 0.0  # seconds before answering (a timeout)
    etag: str = ""  # answered 304 when the request's If-None-Match matches
    last_modified: str = ""  # answered 304 when If-Modified-Since matches
    stream: Callable[[], object] | None = None  # yields chunks, sent without Content-Length


class Site:
    """The server and its routes; `requests` lists every path asked for, in order."""

    def __init__(self):
        self.routes: dict[str, Route] = {}
        self.requests: list[str] = []
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"

            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                with site.lock:
                    site.requests.append(self.path)
                    route = site.routes.get(self.path)
                if route is None:
                    return self._send(404, b"not found", "text/plain")
                if route.delay:
                    time.sleep(route.delay)
                if (route.etag and self.headers.get("If-None-Match") == route.etag) or (
                        route.last_modified and self.headers.get("If-Modified-Since") == route.last_modified):
                    return self._send(304, b"", route.content_type, route)
                if route.stream is not None:
                    self.send_response(route.status)
                    self.send_header("Content-Type", route.content_type)
                    self.end_headers()
                    try:
                        for chunk in route.stream():
                            self.wfile.write(chunk)
                    except (BrokenPipeError, ConnectionResetError):
                        pass  # the client stopped reading: what the size cap is for
                    return
                self._send(route.status, route.body, route.content_type, route)

            def _send(self, status, body, content_type, route=None):
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                if route is not None:
                    for name, value in route.headers.items():
                        self.send_header(name, value)
                    if route.etag:
                        self.send_header("ETag", route.etag)
                    if route.last_modified:
                        self.send_header("Last-Modified", route.last_modified)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Site:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def count(self, path: str) -> int:
        with self.lock:
            return self.requests.count(path)


def page(title: str, text: str) -> bytes:
    """An article page as news sites write them: navigation, the article, related links, footer."""
    paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n") if p.strip())
    return f"""<!doctype html><html><head><title>{html.escape(title)} | Levant Wire</title>
<meta property="og:site_name" content="Levant Wire"></head><body>
<nav><a href="/">Home</a> <a href="/category/world">World</a> <a href="/category/syria">Syria</a></nav>
<main><article><h1>{html.escape(title)}</h1>{paragraphs}</article></main>
<aside><h2>Related</h2><ul><li><a href="/other">Other news</a></li></ul></aside>
<footer><p>Copyright 2020 Levant Wire. All rights reserved.</p></footer></body></html>""".encode()


def story_text(story_id: str) -> str:
    return "\n\n".join(STORIES[story_id]["paragraphs"])


def copy_text(story_id: str, kind: str) -> str:
    """A syndicated copy of a written story (tests/fixtures/stories/pairs.py's variations)."""
    return variants(STORIES[story_id])[kind]


@dataclass(frozen=True)
class FeedItem:
    path: str  # the article page's path on the site
    title: str
    date: str  # RFC 822, as RSS writes it
    content: str = ""  # full text in content:encoded (what the follower falls back to)


def rss(site_url: str, title: str, items: list[FeedItem]) -> bytes:
    entries = "".join(
        f"<item><title>{html.escape(i.title)}</title><link>{site_url}{i.path}</link>"
        f"<guid>{site_url}{i.path}</guid><pubDate>{i.date}</pubDate>"
        f"<description>{html.escape(i.title)}: the story in brief.</description>"
        + (f"<content:encoded><![CDATA[{''.join(f'<p>{html.escape(p)}</p>' for p in i.content.split(chr(10) * 2))}]]></content:encoded>"
           if i.content else "") + "</item>"
        for i in items)
    return (f'<?xml version="1.0" encoding="utf-8"?><rss version="2.0" '
            f'xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>{html.escape(title)}</title>'
            f"<link>{site_url}/</link><description>news</description>{entries}</channel></rss>").encode()


def news_sitemap(site_url: str, items: list[tuple[str, str, str]]) -> bytes:
    """A Google News sitemap of (path, title, ISO date)."""
    urls = "".join(
        f"<url><loc>{site_url}{path}</loc><news:news><news:publication><news:name>Sitemap Daily</news:name>"
        f"<news:language>en</news:language></news:publication><news:publication_date>{date}</news:publication_date>"
        f"<news:title>{html.escape(title)}</news:title></news:news></url>"
        for path, title, date in items)
    return (b'<?xml version="1.0" encoding="UTF-8"?>'
            b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + urls.encode() + b"</urlset>")


def links_page(items: list[tuple[str, str]]) -> bytes:
    """A section front: links to articles among navigation, a PDF and the home page."""
    links = "".join(f'<li><a href="{path}">{html.escape(title)}</a></li>' for path, title in items)
    return f"""<!doctype html><html><head><title>Syria - The Links Gazette</title></head><body>
<nav><a href="/">Home</a> <a href="/category/world">World</a> <a href="/tag/syria">Syria</a></nav>
<h1>Syria</h1><ul>{links}</ul><p><a href="/report.pdf">Annual report (PDF)</a>
<a href="mailto:desk@example.org">Write to us</a></p></body></html>""".encode()


def http_date(when) -> str:
    return format_datetime(when, usegmt=True)
