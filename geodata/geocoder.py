"""Geocoders behind geopy's interface: our offline gazetteer, and Nominatim as an opt-in fallback.

`GazetteerGeocoder.geocode` returns geopy `Location`s like any geopy geocoder, so the resolver
talks to every source the same way. Candidates carry the place in `Location.raw`.
"""
from __future__ import annotations

import os

from geopy.geocoders.base import Geocoder
from geopy.location import Location
from geopy.point import Point

from .gazetteer import Candidate, Gazetteer
from .model import Place
from .names import norm


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


def online_fallback(adapter_factory=None):
    """geopy's Nominatim behind geopy's RateLimiter (1 request/s), when the setting
    PLACEWIRE_GEOCODER=nominatim asks for it; else None. Off by default: Placewire works offline.

    It is asked only for names the gazetteer lacks, every answer is cached, and the user agent
    names the tool, as Nominatim's usage policy asks. Tests pass an adapter serving recorded
    responses.
    """
    if os.environ.get("PLACEWIRE_GEOCODER", "").lower() != "nominatim":
        return None
    from geopy.extra.rate_limiter import RateLimiter
    from geopy.geocoders import Nominatim

    agent = os.environ.get("PLACEWIRE_USER_AGENT", "placewire/1.0 (offline-first geoparser)")
    nominatim = Nominatim(user_agent=agent, timeout=10, adapter_factory=adapter_factory)
    return RateLimiter(nominatim.geocode, min_delay_seconds=1.0, max_retries=1,
                       swallow_exceptions=True, return_value_on_exception=None)


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
