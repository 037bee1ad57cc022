"""The polite HTTP client: every request the follower makes goes through `Fetcher.get`.

requests with urllib3's Retry (connection failures and 502/504 retried twice with backoff);
redirects followed by hand so that every hop is checked (http(s) only, public addresses unless
allowed, robots.txt); one host asked at most once every `delay` seconds (or its robots.txt
Crawl-delay); conditional GET with the validators of the last response; a read timeout, a
deadline for the whole response and a size cap, so no server can hold or flood the follower.
"""
from __future__ import annotations

import time
import urllib.robotparser
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError
from urllib3.util.retry import Retry

from geodata.exceptions import FetchError, RefusedURL
from geodata.follow.addresses import GuardedAdapter, check_host, check_url
from geodata.follow.settings import Settings

ROBOTS_TTL = 24 * 3600.0
MAX_CRAWL_DELAY = 60.0  # a robots.txt asking for more still gets a request a minute


@dataclass(frozen=True)
class Response:
    url: str  # after redirects
    status: int  # 200 (or another 2xx), or 304 when the source has not changed
    body: bytes
    content_type: str = ""
    etag: str = ""
    last_modified: str = ""


class RobotsRefused(FetchError):
    """robots.txt asks us not to fetch this URL."""

    transient = False


class Fetcher:
    def __init__(self, settings: Settings | None = None):
        self.settings = settings or Settings.from_env()
        self.session = requests.Session()
        self.session.trust_env = False  # no proxy from the environment: the address checks must see the peer
        adapter = GuardedAdapter(allow_local=self.settings.allow_local, max_retries=Retry(
            total=2, connect=2, read=0, status=2, other=0, redirect=0, backoff_factor=0.5,
            status_forcelist=(502, 504), allowed_methods=frozenset({"GET"}),
            respect_retry_after_header=False, raise_on_status=False,
        ))
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update({"User-Agent": self.settings.user_agent,
                                     "Accept-Encoding": "gzip, deflate"})
        self._last_request: dict[str, float] = {}
        self._robots: dict[str, tuple[float, urllib.robotparser.RobotFileParser | bool]] = {}
        self.requests = 0  # made so far (robots.txt included), for reports and benchmarks

    def close(self) -> None:
        self.session.close()

    def get(self, url: str, *, etag: str = "", last_modified: str = "") -> Response:
        """The body at `url` (following checked redirects), or status 304 when the validators
        still hold. FetchError (RefusedURL, RobotsRefused) says why not."""
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        for _ in range(self.settings.max_redirects + 1):
            check_url(url)
            check_host(url, self.settings.allow_local)
            if not self._robots_allow(url):
                raise RobotsRefused(f"robots.txt of {urlsplit(url).netloc} disallows {url}")
            response = self._request(url, headers)
            if response.is_redirect:
                target = urljoin(url, response.headers.get("Location", ""))
                response.close()
                try:
                    check_url(target)
                except RefusedURL as exc:
                    raise RefusedURL(f"redirected to {target[:200]}: {exc}") from None
                url = target
                continue
            return self._read(url, response)
        raise FetchError(f"more than {self.settings.max_redirects} redirects", transient=False)

    # -- one request ----------------------------------------------------------------------------

    def _request(self, url: str, headers: dict) -> requests.Response:
        host = urlsplit(url).netloc.lower()
        wait = self._last_request.get(host, -1e9) + self._delay(url) - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        self._last_request[host] = time.monotonic()
        self.requests += 1
        timeout = self.settings.timeout
        try:
            return self.session.get(url, headers=headers, timeout=(timeout, timeout), stream=True,
                                    allow_redirects=False)
        except requests.RequestException as exc:
            # urllib3 wraps a timeout or a refused connection in MaxRetryError when its retries end
            reason = getattr(exc.args[0], "reason", exc.args[0]) if exc.args else exc
            if isinstance(exc, requests.Timeout) or isinstance(reason, (ReadTimeoutError, ConnectTimeoutError)):
                raise FetchError(f"no answer within {timeout:g} s") from None
            if isinstance(reason, NewConnectionError):
                raise FetchError(f"cannot connect to {host} ({_short(reason).split(': ', 1)[-1]})") from None
            if isinstance(exc, requests.ConnectionError):
                raise FetchError(f"cannot connect to {host} ({_short(reason)})") from None
            raise FetchError(f"request failed ({_short(exc)})") from None

    def _read(self, url: str, response: requests.Response) -> Response:
        """The body, within the size cap and the deadline; an HTTP error as FetchError."""
        with response:
            status = response.status_code
            if status == 304:
                return Response(url, 304, b"", etag=response.headers.get("ETag", ""),
                                last_modified=response.headers.get("Last-Modified", ""))
            if not 200 <= status < 300:
                raise FetchError(f"HTTP {status} {response.reason or ''}".strip(),
                                 transient=status >= 500 or status in (408, 429),
                                 retry_after=_retry_after(response.headers.get("Retry-After")))
            cap = self.settings.max_bytes
            declared = response.headers.get("Content-Length", "")
            if declared.isdigit() and int(declared) > cap:
                raise FetchError(f"response of {_mb(int(declared))} is over the {_mb(cap)} limit", transient=False)
            deadline = time.monotonic() + self.settings.deadline
            chunks, size = [], 0
            try:
                for chunk in response.iter_content(64 * 1024):
                    size += len(chunk)
                    if size > cap:
                        raise FetchError(f"response is over the {_mb(cap)} limit; not read further", transient=False)
                    if time.monotonic() > deadline:
                        raise FetchError(f"response took over {self.settings.deadline:g} s; cut")
                    chunks.append(chunk)
            except requests.RequestException as exc:
                raise FetchError(f"reading the response failed ({_short(exc)})") from None
            return Response(url, status, b"".join(chunks), response.headers.get("Content-Type", ""),
                            response.headers.get("ETag", ""), response.headers.get("Last-Modified", ""))

    # -- robots.txt and the rate --------------------------------------------------------------

    def _robots_for(self, url: str) -> urllib.robotparser.RobotFileParser | bool:
        """The host's robots.txt rules (True: no rules, fetch anything; False: fetch nothing)."""
        parts = urlsplit(url)
        key = f"{parts.scheme}://{parts.netloc}".lower()
        cached = self._robots.get(key)
        if cached and time.monotonic() - cached[0] < ROBOTS_TTL:
            return cached[1]
        rules: urllib.robotparser.RobotFileParser | bool
        try:
            response = self._request(f"{key}/robots.txt", {})
            if response.is_redirect:  # a robots.txt that moved: not followed, read as "no rules"
                response.close()
                rules = True
            else:
                text = self._read(key, response).body.decode("utf-8", "replace")
                rules = urllib.robotparser.RobotFileParser()
                rules.parse(text.splitlines())
        except RefusedURL:
            raise
        except FetchError as exc:
            # RFC 9309: a robots.txt that is not there (4xx) allows all; a server error or no
            # answer means "assume everything is disallowed" until it can be read
            rules = not exc.transient and str(exc).startswith("HTTP 4")
        self._robots[key] = (time.monotonic(), rules)
        return rules

    def _robots_allow(self, url: str) -> bool:
        rules = self._robots_for(url)
        if isinstance(rules, bool):
            return rules
        return rules.can_fetch(self.settings.user_agent, url)

    def _delay(self, url: str) -> float:
        parts = urlsplit(url)
        cached = self._robots.get(f"{parts.scheme}://{parts.netloc}".lower())
        asked = 0.0
        if cached and not isinstance(cached[1], bool):
            asked = float(cached[1].crawl_delay(self.settings.user_agent) or 0)
        return max(self.settings.delay, min(asked, MAX_CRAWL_DELAY))


def _retry_after(value: str | None) -> float | None:
    if not value:
        return None
    if value.strip().isdigit():
        return float(value.strip())
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _short(value: object) -> str:
    text = " ".join(str(value).split())
    return text if len(text) <= 200 else text[:200] + "…"
