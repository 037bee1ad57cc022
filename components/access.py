"""Who may change the store from the page.

Editing is open to whoever reaches the page only when the server listens on this machine's
loopback addresses alone (`server.address` localhost, 127.0.0.1 or ::1, as `./run.sh` starts
it), or when the setting PLACEWIRE_EDITING=open says so. A server listening on the network (a
container, Community Cloud, a bare `streamlit run`, which listens on every interface) is
read-only until an admin secret is configured (PLACEWIRE_ADMIN, a Streamlit secret or
environment variable) and entered; whoever enters it may edit for the rest of their session.

Nothing the browser sends can open editing: what it writes (Host, Origin, forwarding headers)
may only close it, as when a reverse proxy on this machine passes a visitor's request on.
Wrong secrets are throttled, per session and for the whole server (`GuessLimiter`).
"""
from __future__ import annotations

import hmac
import ipaddress
import os
import socket
import threading
import time
from collections import deque
from functools import lru_cache
from urllib.parse import urlsplit

import streamlit as st


def setting(name: str) -> str | None:
    """A setting from the environment, else from Streamlit's secrets; None when unset."""
    value = os.environ.get(name)
    if not value:
        try:
            value = st.secrets.get(name)
        except Exception:  # no secrets.toml at all: same as unset
            value = None
    return str(value) if value else None


def admin_secret() -> str | None:
    """The configured admin secret, or None when there is none."""
    return setting("PLACEWIRE_ADMIN")


@lru_cache(maxsize=16)
def is_loopback(host: str) -> bool:
    """Whether a server address or host name means this machine only (127.0.0.0/8, ::1)."""
    host = host.strip().strip("[]").lower()
    if not host:
        return False  # Streamlit's default: every interface
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    if host == "localhost" or host.endswith(".localhost"):  # RFC 6761: always this machine
        return True
    try:
        found = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(found) and all(ipaddress.ip_address(a.split("%")[0]).is_loopback for a in found)


_PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-forwarded-host", "x-real-ip")


def through_a_proxy(headers: dict) -> bool:
    """Whether the request says it came through a proxy, or from a page served elsewhere.
    Headers can be forged, so this only ever closes editing, never opens it."""
    lower = {str(k).lower(): str(v) for k, v in (headers or {}).items()}
    if any(lower.get(h) for h in _PROXY_HEADERS):
        return True
    origin = lower.get("origin")
    return bool(origin) and not is_loopback(urlsplit(origin).hostname or "")


def open_to_all(address: str | None, headers: dict, editing: str | None) -> bool:
    """Whether anyone who reaches the page may edit without a secret: the server listens on
    loopback only (or the setting says "open"), and the request came straight from a browser
    on this machine."""
    if (editing or "").lower() == "open":
        return True
    return is_loopback(address or "") and not through_a_proxy(headers)


def _open_here() -> bool:
    return open_to_all(st.get_option("server.address"), dict(st.context.headers or {}),
                       setting("PLACEWIRE_EDITING"))


def can_edit() -> bool:
    if admin_secret() is None:
        return _open_here()
    return st.session_state.get("admin_ok") is True


class GuessLimiter:
    """Throttles wrong admin secrets. A session waits 2**(n-1) seconds after its n-th wrong
    guess in a row (1, 2, 4... up to `max_wait`); and once the server has seen `limit` wrong
    guesses within `window` seconds, from any sessions, every session waits until the oldest
    leaves the window (new sessions cost nothing, so this is the bound that holds: 20 per
    15 minutes is under 2,000 guesses a day). The price: guessing can keep the admin out for
    a while; a long random secret is what keeps guessers out for good."""

    def __init__(self, limit: int = 20, window: float = 900.0, max_wait: float = 300.0,
                 clock=time.monotonic) -> None:
        self.limit, self.window, self.max_wait = limit, window, max_wait
        self._clock = clock
        self._failures: deque[float] = deque()
        self._lock = threading.Lock()

    def wait(self, session: dict) -> float:
        """Seconds before this session may guess again (0: now)."""
        now = self._clock()
        with self._lock:
            while self._failures and self._failures[0] <= now - self.window:
                self._failures.popleft()
            server = self._failures[0] + self.window - now if len(self._failures) >= self.limit else 0.0
        return max(server, session.get("until", 0.0) - now, 0.0)

    def failed(self, session: dict) -> None:
        now = self._clock()
        with self._lock:
            self._failures.append(now)
        session["fails"] = session.get("fails", 0) + 1
        session["until"] = now + min(2.0 ** (session["fails"] - 1), self.max_wait)

    @staticmethod
    def succeeded(session: dict) -> None:
        session.clear()


@st.cache_resource
def _limiter() -> GuessLimiter:
    """One per server process: its count spans every session."""
    return GuessLimiter()


def check_secret(given: str, secret: str, limiter: GuessLimiter, session: dict) -> str | None:
    """None when `given` is the secret; else what to tell the user. While the session must wait,
    nothing is compared."""
    wait = limiter.wait(session)
    if wait > 0:
        return f"Too many wrong guesses: try again in {wait:.0f} s."
    if hmac.compare_digest(given.encode(), secret.encode()):  # constant time
        limiter.succeeded(session)
        return None
    limiter.failed(session)
    return "That is not the admin secret."
def who() -> str:
    """Who is editing, for the corrections log: "admin" (unlocked with the secret) or "local"
    (a laptop, where editing is open without one)."""
    return "admin" if admin_secret() is not None and can_edit() else "local"


def unlock() -> None:
    """The sidebar control that unlocks editing with the secret (shown only when one is set)."""
    secret = admin_secret()
    if secret is None:
        if not _open_here():
            why = ("it was reached through a proxy or from another site"
                   if is_loopback(st.get_option("server.address") or "") else
                   "it listens on the network; started with `./run.sh`, it listens on this "
                   "machine only and editing is on")
            st.caption(f"Read-only: this copy has no admin secret, so nobody can add, correct or "
                       f"delete here ({why}).")
        return
    if st.session_state.get("admin_ok"):
        st.caption("Editing unlocked for this session.")
        return
    session = st.session_state.setdefault("admin_guesses", {})
    with st.form("admin_form", border=False):
        given = st.text_input("Admin secret", type="password", key="admin_secret")
        if st.form_submit_button("Unlock editing"):
            refused = check_secret(given, secret, _limiter(), session)
            if refused is None:
                st.session_state["admin_ok"] = True
                st.rerun()
            st.error(refused)
    st.caption("Read-only: adding, correcting and deleting need the admin secret.")
