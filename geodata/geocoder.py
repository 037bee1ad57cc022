"""Geocoders behind geopy's interface: our offline gazetteer, and Nominatim as an opt-in fallback.

`GazetteerGeocoder.geocode` returns geopy `Location`s like any geopy geocoder, so the resolver
talks to every source the same way. Candidates carry the place in `Location.raw`.
"""
from __future__ import annotations

import os

from geopy.geocoders.base import Geocoder
from geopy.location import Location

from .gazetteer import Candidate, Gazetteer
from .model import Place
from .names import norm


def candidate_to_location(c: Candidate) -> Location:
    p = c.place
    raw = {**p.to_dict(), "admin1_id": c.admin1_id, "primary": c.primary, "capital": c.capital}
    address = ", ".join(x for x in (p.name, p.admin1, p.country) if x)
    return Location(address, (p.lat, p.lon, 0.0), raw)


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
                demonym: bool = False, limit: int = 40):
        """Places named `query` (any spelling the index knows); `loose` also tries the
        transliteration skeleton. Best-known first (countries, then by population), at most
        `limit`: past the fortieth "Springfield" no context would pick one. With `demonym`,
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


def online_fallback() -> Geocoder | None:
    """geopy's Nominatim behind a 1 request/s RateLimiter, when PLACEWIRE_GEOCODER=nominatim.

    Off by default: Placewire works offline. The user agent names the tool, as Nominatim's
    usage policy asks.
    """
    if os.environ.get("PLACEWIRE_GEOCODER", "").lower() != "nominatim":
        return None
    from geopy.geocoders import Nominatim

    agent = os.environ.get("PLACEWIRE_USER_AGENT", "placewire/1.0 (offline geoparser)")
    return Nominatim(user_agent=agent, timeout=10)
