"""Mention rows out as CSV or GeoJSON: the CLI's export and the page's filtered download; and
the event mentions as an ACLED-style event table (CSV).

Rows are the dicts of geodata.queries (one per mention, with its article and place; for the
event table, geodata.queries.event_rows). `write` streams them into a text file as they come
(geodata.queries.iter_mention_rows), so an export of millions of mentions never holds them all;
`export` gives the text of a few.
"""
from __future__ import annotations

import csv
import io
import itertools
import json
from typing import Iterable, Iterator, TextIO

# The columns every export leads with, in this order; any other keys of the rows follow.
COLUMNS = (
    "article_id", "title", "source", "url", "published", "start", "end", "surface", "sentence",
    "place_id", "place_name", "place_kind", "mention_kind", "country", "lat", "lon", "score",
    "role", "event_type", "trigger",
)
FORMATS = ("csv", "geojson", "events")
# The event table, in the manner of ACLED's: one row per place where a sentence says something
# happened, with the sentence as the notes. geo_precision as ACLED codes it: 1 the town itself,
# 2 a district (part of a region), 3 a province, region or country.
EVENT_COLUMNS = (
    "event_id", "event_date", "year", "event_type", "actors", "country", "admin1", "location",
    "latitude", "longitude", "geo_precision", "precision", "source", "source_url", "title",
    "notes", "trigger", "place_id", "article_id",
)
_GEO_PRECISION = {"exact": 1, "district": 2}


def write_csv(rows: Iterable[dict], out: TextIO) -> int:
    """CSV with a header row, one line per mention; returns the count. The columns are COLUMNS,
    then the first row's other keys (the rows of one query all have the same)."""
    rows = iter(rows)
    first = list(itertools.islice(rows, 1))
    extra = [key for row in first for key in row if key not in COLUMNS]
    writer = csv.DictWriter(out, fieldnames=[*COLUMNS, *extra], lineterminator="\n")
    writer.writeheader()
    n = 0
    for row in itertools.chain(first, rows):
        writer.writerow(row)
        n += 1
    return n


def _feature(row: dict) -> dict:
    lat, lon = row.get("lat"), row.get("lon")
    geometry = None if lat is None or lon is None else {"type": "Point", "coordinates": [lon, lat]}
    properties = {k: v for k, v in row.items() if k not in ("lat", "lon")}
    return {"type": "Feature", "geometry": geometry, "properties": properties}


def write_geojson(rows: Iterable[dict], out: TextIO) -> int:
    """A GeoJSON FeatureCollection: one Point per mention (lon, lat), the rest as properties;
    returns the count. The text is json.dumps of the whole collection, written feature by feature.

    A mention with no coordinates gets a null geometry, as RFC 7946 allows, so none is lost.
    """
    out.write('{"type": "FeatureCollection", "features": [')
    n = 0
    for row in rows:
        out.write((", " if n else "") + json.dumps(_feature(row), ensure_ascii=False))
        n += 1
    out.write("]}")
    return n


def write(rows: Iterable[dict], fmt: str, out: TextIO) -> int:
    """Rows into `out` in `fmt` ("csv", "geojson"; "events" for event rows), as they come;
    returns how many."""
    if fmt == "csv":
        return write_csv(rows, out)
    if fmt == "geojson":
        return write_geojson(rows, out)
    if fmt == "events":
        return write_events(rows, out)
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")


def event_table(rows: Iterable[dict]) -> Iterator[dict]:
    """Event mention rows (geodata.queries.event_rows) as ACLED-style event records."""
    for row in rows:
        published = row.get("published")
        yield {
            "event_id": row["mention_id"], "event_date": published,
            "year": published[:4] if published else None, "event_type": row["event_type"],
            "actors": "; ".join(row.get("actors") or ()), "country": row["country"],
            "admin1": row.get("admin1", ""), "location": row["place_name"],
            "latitude": row["lat"], "longitude": row["lon"],
            "geo_precision": _GEO_PRECISION.get(row["precision"], 3),
            "precision": row["precision"], "source": row["source"], "source_url": row["url"],
            "title": row["title"], "notes": row["sentence"], "trigger": row["trigger"],
            "place_id": row["place_id"], "article_id": row["article_id"],
        }


def write_events(rows: Iterable[dict], out: TextIO) -> int:
    """The ACLED-style event table of event mention rows, as CSV; returns the count."""
    writer = csv.DictWriter(out, fieldnames=EVENT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    n = 0
    for record in event_table(rows):
        writer.writerow(record)
        n += 1
    return n


def export(rows: Iterable[dict], fmt: str) -> str:
    """Rows as text in `fmt`: "csv" or "geojson" (mention rows), "events" (event rows)."""
    out = io.StringIO()
    write(rows, fmt, out)
    return out.getvalue()


def to_csv(rows: Iterable[dict]) -> str:
    return export(rows, "csv")


def to_geojson(rows: Iterable[dict]) -> str:
    return export(rows, "geojson")
