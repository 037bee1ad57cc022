"""Geocoders behind geopy's interface: our offline gazetteer, and Nominatim as an opt-in fallback.

`GazetteerGeocoder.geocode` returns geopy `Location`s like any geopy geocoder, so the resolver
talks to every source the same way. Candidates carry the place in `Location.raw`.
"""
from __future__ import annotations

import functools
import logging
import os
import time
import urllib.parse

from geopy.exc import GeopyError
from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from .exceptions import OnlineGeocoderUnavailable
from .gazetteer import Candidate, Gazetteer
from .model import Place
from .names import norm

log = logging.getLogger(__name__)


def candidate_to_location(c: Candidate) -> Location:
    p = c.place
    raw = {**p.to_dict(), "admin1_id": c.admin1_id, "primary": c.primary, "capital": c.capital}
    address = ", ".join(x for x in (p.name, p.admin1, p.country) if x)
    return Location(address, Point(p.lat, p.lon), raw)  # a Point: geopy then skips parsing


def raw_to_candidate(raw: dict) -> Candidate:
    """The candidate a `Location.raw` (or its cached copy) describes."""
    raw = dict(raw)
    admin1_id, primary, capital = raw.pop("admin1_id", ""), raw.pop("primary", True), raw.pop(
        "capital", False)
    return Candidate(Place(**raw), admin1_id, primary, capital)


class GazetteerGeocoder(Geocoder):
    """The offline gazetteer as a geopy geocoder. `calls` counts lookups (the cache's tests)."""

    def __init__(self, gazetteer: Gazetteer, **kwargs) -> None:
        super().__init__(**kwargs)
        self.gazetteer = gazetteer
        self.calls = 0

    def geocode(self, query: str, *, exactly_one: bool = True, loose: bool = False,
                demonym: bool = False, limit: int = 20):
        """Places named `query` (any spelling the index knows); `loose` also tries the
        transliteration skeleton. Best-known first (countries, then by population), at most
        `limit`: past the twentieth "Springfield" no context would pick one. With `demonym`,
        the query is a people's name and the answer its country ("Spanish" -> Spain)."""
        self.calls += 1
        key = norm(query)
        if demonym:
            found = tuple(c for c in (self.gazetteer.demonym(key),) if c)
        else:
            found = self.gazetteer.candidates(key)
        if not found and loose:
            found = self.gazetteer.loose_candidates(key)
        ranked = sorted(found, key=lambda c: (c.place.kind != "country", -c.place.population))
        ranked = ranked[:limit]
        locations = [candidate_to_location(c) for c in ranked]
        if exactly_one:
            return locations[0] if locations else None
        return locations


def online_configured() -> bool:
    """Whether the settings ask for an online geocoder (PLACEWIRE_GEOCODER=nominatim)."""
    return os.environ.get("PLACEWIRE_GEOCODER", "").lower() == "nominatim"


def online_fallback(adapter_factory=None, *, timeout: float = 5.0) -> OnlineGeocoder | None:
    """geopy's Nominatim behind geopy's RateLimiter (1 request/s) and a circuit breaker, when the
    setting PLACEWIRE_GEOCODER=nominatim asks for it; else None. Off by default: Placewire works
    offline. PLACEWIRE_NOMINATIM_URL points it at another Nominatim server (one's own).

    It is asked only for names the gazetteer lacks, every answer is cached, and the user agent
    names the tool, as Nominatim's usage policy asks. Tests pass an adapter serving recorded
    responses, or a server on 127.0.0.1.
    """
    if not online_configured():
        return None
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import Nominatim

    agent = os.environ.get("PLACEWIRE_USER_AGENT", "placewire/1.0 (offline-first geoparser)")
    server = {}
    if os.environ.get("PLACEWIRE_NOMINATIM_URL"):
        url = urllib.parse.urlsplit(os.environ["PLACEWIRE_NOMINATIM_URL"])
        server = {"scheme": url.scheme or "https", "domain": url.netloc + url.path.rstrip("/")}
    if adapter_factory is None:  # geopy's requests adapter, without its own two retries a request
        from geopy.adapters import RequestsAdapter

        adapter_factory = functools.partial(RequestsAdapter, max_retries=0)
    nominatim = Nominatim(user_agent=agent, timeout=timeout, adapter_factory=adapter_factory, **server)
    # no retries, no swallowed errors: the breaker below decides, and a failure is never taken
    # for "no such place"
    limited = RateLimiter(nominatim.geocode, min_delay_seconds=1.0, max_retries=0,
                          swallow_exceptions=False)
    return OnlineGeocoder(limited, name=f"Nominatim ({nominatim.domain})")


class OnlineGeocoder:
    """An online geocode callable that fails fast when its server cannot be reached.

    After `trip_after` failures in a row (no network, refused, timed out, an error page) the
    circuit opens: nothing is asked for `cool_down` seconds, then one name is tried again. A
    failure raises OnlineGeocoderUnavailable, so the caller caches nothing; the names asked in
    vain are counted (`take_outage`), to be asked again on the next run.
    """

    def __init__(self, geocode, *, name: str = "the online geocoder", trip_after: int = 2,
                 cool_down: float = 300.0, clock=time.monotonic) -> None:
        self._geocode = geocode
        self.name = name
        self.trip_after = trip_after
        self.cool_down = cool_down
        self._clock = clock
        self.failures = 0  # in a row
        self.last_error = ""
        self.open_until = 0.0
        self.unanswered: set[str] = set()  # names asked in vain since the last take_outage()

    def __call__(self, query: str, **kwargs):
        if self.failures >= self.trip_after and self._clock() < self.open_until:
            self.unanswered.add(query)
            raise OnlineGeocoderUnavailable(f"{self.name} is not asked: {self.last_error}")
        try:
            found = self._geocode(query, **kwargs)
        except (GeopyError, OSError) as exc:
            self.failures += 1
            self.last_error = _root_cause(exc)
            self.unanswered.add(query)
            if self.failures >= self.trip_after:
                self.open_until = self._clock() + self.cool_down
                if self.failures == self.trip_after:  # said once per outage
                    log.warning("%s failed %d times in a row (%s): not asked again for %d minutes; "
                                "names only it knows stay unresolved", self.name, self.failures,
                                self.last_error, self.cool_down // 60)
            raise OnlineGeocoderUnavailable(f"{self.name} failed: {self.last_error}") from exc
        self.failures = 0
        return found

    def take_outage(self) -> tuple[int, str] | None:
        """(count, one line) for the names asked in vain since the last call; None if none."""
        if not self.unanswered:
            return None
        count = len(self.unanswered)
        self.unanswered = set()
        return count, (f"{self.name} could not be reached ({self.last_error}); {count} name"
                       f"{'s' * (count != 1)} left unresolved, asked again next time")


def _root_cause(exc: BaseException) -> str:
    """The first cause of an error, in a few words: "Connection refused", "timed out"."""
    while exc.__cause__ or exc.__context__:
        exc = exc.__cause__ or exc.__context__
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    return " ".join(str(exc).split())[:200] or type(exc).__name__


# Nominatim's address types, in our kinds
_NOMINATIM_KINDS = {
    "country": "country", "state": "admin1", "province": "admin1", "region": "admin1",
    "county": "admin2", "state_district": "admin2", "district": "admin2", "municipality": "admin2",
    "city": "city", "town": "city", "village": "city", "hamlet": "city", "suburb": "city",
    "neighbourhood": "city", "quarter": "city", "isolated_dwelling": "city",
}


def nominatim_place(loc: Location) -> dict:
    """A Nominatim answer (with address details) as the raw place dict candidates carry."""
    raw = loc.raw
    address = raw.get("address") or {}
    kind = _NOMINATIM_KINDS.get(raw.get("addresstype") or raw.get("type") or "", "region")
    name = raw.get("name") or loc.address.split(",")[0]
    return {"id": f"osm:{raw.get('osm_type', 'x')}:{raw.get('osm_id', name)}", "name": name,
            "kind": kind, "country": (address.get("country_code") or "").upper(),
            "lat": loc.latitude, "lon": loc.longitude, "geonameid": None,
            "admin1": address.get("state", ""), "population": 0, "admin1_id": "",
            "primary": True, "capital": False}
