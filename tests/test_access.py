"""Who may edit: decided by what the server listens on or an explicit setting, never by what a
client writes; and wrong admin secrets throttled. The page-level checks are in test_app.py
(AppTest) and test_e2e.py (a real server and browser)."""
from __future__ import annotations

import pytest

from components.access import GuessLimiter, check_secret, is_loopback, open_to_all

# What a raw WebSocket client (or a browser resolving "localhost" elsewhere) may send
SPOOFED_HOSTS = ["localhost", "localhost:8501", "127.0.0.1", "[::1]", "[::1]:8501", "LOCALHOST"]


@pytest.mark.parametrize("address", [None, "", "0.0.0.0", "::", "192.0.2.7"])
@pytest.mark.parametrize("host", SPOOFED_HOSTS)
def test_a_server_on_the_network_stays_read_only_whatever_the_client_writes(address, host):
    headers = {"Host": host, "Origin": f"http://{host}"}
    assert not open_to_all(address, headers, None)


@pytest.mark.parametrize("address", ["localhost", "127.0.0.1", "127.0.0.2", "::1", "[::1]", "LocalHost"])
def test_a_server_on_loopback_only_is_open_to_its_own_machine(address):
    assert is_loopback(address)
    assert open_to_all(address, {"Host": "viewer.example", "Origin": "http://localhost:8501"}, None)
    assert open_to_all(address, {}, None)  # no browser at all (a script)


@pytest.mark.parametrize("headers", [
    {"X-Forwarded-For": "203.0.113.9"},
    {"Forwarded": "for=203.0.113.9;proto=https"},
    {"X-Real-IP": "203.0.113.9"},
    {"Origin": "https://placewire.example"},  # a page served elsewhere, passed on by a proxy
])
def test_a_request_through_a_proxy_on_this_machine_is_read_only(headers):
    assert not open_to_all("127.0.0.1", {"Host": "localhost:8501", **headers}, None)


def test_an_explicit_setting_opens_editing_and_nothing_else_does():
    assert open_to_all("0.0.0.0", {"Host": "viewer.example"}, "open")
    assert open_to_all("0.0.0.0", {}, "OPEN")
    for other in ("yes", "1", "true", "localhost", ""):
        assert not open_to_all("0.0.0.0", {}, other)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_wrong_secrets_wait_longer_each_time_in_a_session():
    clock = Clock()
    limiter, session = GuessLimiter(clock=clock), {}
    waits = []
    for _ in range(6):
        assert check_secret("guess", "s3cret", limiter, session) == "That is not the admin secret."
        waits.append(limiter.wait(session))
        # guessing again at once is refused without comparing, even with the right secret
        assert check_secret("s3cret", "s3cret", limiter, session).startswith("Too many wrong guesses")
        clock.now += waits[-1]
    assert waits == [1, 2, 4, 8, 16, 32]
    assert check_secret("s3cret", "s3cret", limiter, session) is None
    assert session == {}  # a right secret starts the count afresh


def test_wait_is_capped():
    clock = Clock()
    limiter, session = GuessLimiter(clock=clock, max_wait=300, limit=10**6), {}
    for _ in range(20):
        clock.now += limiter.wait(session)
        check_secret("guess", "s3cret", limiter, session)
    assert limiter.wait(session) == 300


def test_new_sessions_do_not_escape_the_servers_limit():
    """103 guesses in 30 s on one session was the attack; fresh sessions are free, so the server
    counts every wrong guess: past `limit` in `window`, everyone waits."""
    clock = Clock()
    limiter = GuessLimiter(limit=20, window=900, clock=clock)
    refused_at = None
    for attempt in range(103):
        session = {}  # a new session each time
        reply = check_secret(f"guess{attempt}", "s3cret", limiter, session)
        if reply.startswith("Too many"):
            refused_at = attempt
            break
        clock.now += 0.3
    assert refused_at == 20
    # even the right secret waits until the oldest guess leaves the window
    assert check_secret("s3cret", "s3cret", limiter, {}).startswith("Too many wrong guesses: try again in 894 s")
    clock.now += 900
    assert check_secret("s3cret", "s3cret", limiter, {}) is None
