"""How politely and how hard the follower fetches: every knob, from the environment.

| variable | default | what |
| --- | --- | --- |
| PLACEWIRE_USER_AGENT | Placewire/1.0 (+...) | the User-Agent sent, and matched against robots.txt |
| PLACEWIRE_FOLLOW_DELAY | 2 | seconds between two requests to one host (robots.txt's Crawl-delay wins if longer) |
| PLACEWIRE_FOLLOW_TIMEOUT | 20 | seconds to connect, and to wait for each read |
| PLACEWIRE_FOLLOW_DEADLINE | 60 | seconds one response may take in all (a slow drip is cut) |
| PLACEWIRE_FOLLOW_MAX_MB | 10 | the largest response read, in MB |
| PLACEWIRE_FOLLOW_MIN_FREE_MB | 200 | below this free space in the data directory a round fetches nothing |
| PLACEWIRE_FOLLOW_ALLOW_LOCAL | (off) | 1: private and loopback addresses may be fetched (tests, an intranet) |
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field

DEFAULT_AGENT = "Placewire/1.0 (news geoparser following the feeds its user chose; set PLACEWIRE_USER_AGENT to add a contact)"


def _number(name: str, default: float) -> float:
    raw = os.environ.get(name, "").strip()
    try:
        return float(raw) if raw else default
    except ValueError:
        raise ValueError(f"{name}={raw!r} is not a number") from None


@dataclass(frozen=True)
class Settings:
    user_agent: str = DEFAULT_AGENT
    delay: float = 2.0
    timeout: float = 20.0
    deadline: float = 60.0
    max_bytes: int = 10 * 1024 * 1024
    min_free_bytes: int = 200 * 1024 * 1024
    allow_local: bool = False
    max_redirects: int = 5
    backoff_base: float = 300.0  # seconds after the first failure; doubled for each next one
    backoff_max: float = 24 * 3600.0
    item_attempts: int = 3  # an article page failing this often is given up
    extra_headers: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls) -> Settings:
        return cls(
            user_agent=os.environ.get("PLACEWIRE_USER_AGENT", "").strip() or DEFAULT_AGENT,
            delay=_number("PLACEWIRE_FOLLOW_DELAY", 2.0),
            timeout=_number("PLACEWIRE_FOLLOW_TIMEOUT", 20.0),
            deadline=_number("PLACEWIRE_FOLLOW_DEADLINE", 60.0),
            max_bytes=int(_number("PLACEWIRE_FOLLOW_MAX_MB", 10) * 1024 * 1024),
            min_free_bytes=int(_number("PLACEWIRE_FOLLOW_MIN_FREE_MB", 200) * 1024 * 1024),
            allow_local=os.environ.get("PLACEWIRE_FOLLOW_ALLOW_LOCAL", "").strip().lower() in ("1", "true", "yes"),
        )
