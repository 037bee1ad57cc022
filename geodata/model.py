"""The plain data that flows between the stages: articles, places, mentions.

A mention is a character span into the text it came from (as spaCy's Span is), never a copied
string alone: `surface` is always `text[start:end]`, and the sentence is a span too.

Places, candidates and mentions are immutable by convention, not `frozen=True`: the parser makes
tens of thousands a second, and a frozen dataclass takes six times as long to create. They hash
by value all the same.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# Kinds of place, coarse to fine. The page colours markers by these.
KINDS = ("continent", "country", "region", "admin1", "admin2", "city")
# How precisely a kind pins a point: the page shows it, so a country pin is not read as a town.
PRECISION = {
    "continent": "continent",
    "country": "country",
    "region": "region",
    "admin1": "province",
    "admin2": "district",
    "city": "exact",
}


# Where an article's publication date was read, most trusted first; "unknown": no date.
DATE_SOURCES = ("metadata", "url", "dateline", "unknown")


@dataclass(frozen=True)
class Article:
    """One news article. `id` is stable: the url if any, else a hash of the content."""

    id: str
    title: str
    text: str
    source: str = ""
    url: str = ""
    date: str | None = None  # ISO yyyy-mm-dd, or None when unknown (never invented)
    origin: str = ""  # the file (and row) it was read from
    date_source: str = ""  # where the date was read (DATE_SOURCES); "": given with the article

    @property
    def dated_by(self) -> str:
        """Where the date came from; a date given with the article (by code) is its metadata."""
        return self.date_source or ("metadata" if self.date else "unknown")


@dataclass(slots=True, unsafe_hash=True)
class Place:
    """A resolved place. `id` is "gn:<geonameid>" when GeoNames knows it, else a stable key."""

    id: str
    name: str
    kind: str
    country: str  # ISO 3166-1 alpha-2, "" for continents and seas
    lat: float
    lon: float
    geonameid: int | None = None
    admin1: str = ""
    population: int = 0

    @property
    def precision(self) -> str:
        return PRECISION.get(self.kind, "exact")

    def to_dict(self) -> dict:
        # by hand: dataclasses.asdict deep-copies, and this runs for every candidate
        return {"id": self.id, "name": self.name, "kind": self.kind, "country": self.country,
                "lat": self.lat, "lon": self.lon, "geonameid": self.geonameid,
                "admin1": self.admin1, "population": self.population}


@dataclass(slots=True, unsafe_hash=True)
class Mention:
    """A place name found in a text: span [start, end), its sentence span, and its resolution.

    `kind` is "toponym" or "demonym" ("Russian" -> Russia). `place` is None when the name was
    found but could not be resolved; `score` (0..1) says how sure the resolver was.
    `role` is what the sentence says of the place (geodata.roles: event, actor,
    origin/destination, dateline/source, background; None when not classified), `event_type`
    the kind of event when the role is event, and `trigger` the span of the words that decided.
    """

    start: int
    end: int
    surface: str
    sent_start: int
    sent_end: int
    kind: str = "toponym"
    norm: str = ""  # normalised name: the key of the cache and of users' corrections
    context: str = ""  # the document's dominant country code: the other half of that key
    place: Place | None = None
    score: float = 0.0
    candidates: tuple[str, ...] = field(default=(), compare=False)  # other place ids considered
    role: str | None = None
    event_type: str | None = None
    trigger: tuple[int, int] | None = None  # [start, end) into the text, like the name's span
