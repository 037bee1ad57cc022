"""Mention rows out as CSV or GeoJSON text: the CLI's export and the page's filtered download,
and the event mentions as an ACLED-style event table (CSV).

Rows are the dicts of geodata.queries.mention_rows (one per mention, with its article and place)
or, for the event table, of geodata.queries.event_rows.
"""
from __future__ import annotations

import csv
import io
import json
from typing import Iterable

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


def _columns(rows: list[dict]) -> list[str]:
    extra = [key for row in rows for key in row if key not in COLUMNS]
    return list(COLUMNS) + list(dict.fromkeys(extra))


def to_csv(rows: Iterable[dict]) -> str:
    """CSV text with a header row, one line per mention."""
    rows = list(rows)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=_columns(rows), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def to_geojson(rows: Iterable[dict]) -> str:
    """A GeoJSON FeatureCollection: one Point per mention (lon, lat), the rest as properties.

    A mention with no coordinates gets a null geometry, as RFC 7946 allows, so none is lost.
    """
    features = []
    for row in rows:
        lat, lon = row.get("lat"), row.get("lon")
        geometry = None if lat is None or lon is None else {"type": "Point", "coordinates": [lon, lat]}
        properties = {k: v for k, v in row.items() if k not in ("lat", "lon")}
        features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def event_table(rows: Iterable[dict]) -> list[dict]:
    """Event mention rows (geodata.queries.event_rows) as ACLED-style event records."""
    out = []
    for row in rows:
        published = row.get("published")
        out.append({
            "event_id": row["mention_id"], "event_date": published,
            "year": published[:4] if published else None, "event_type": row["event_type"],
            "actors": "; ".join(row.get("actors") or ()), "country": row["country"],
            "admin1": row.get("admin1", ""), "location": row["place_name"],
            "latitude": row["lat"], "longitude": row["lon"],
            "geo_precision": _GEO_PRECISION.get(row["precision"], 3),
            "precision": row["precision"], "source": row["source"], "source_url": row["url"],
            "title": row["title"], "notes": row["sentence"], "trigger": row["trigger"],
            "place_id": row["place_id"], "article_id": row["article_id"],
        })
    return out


def to_events_csv(rows: Iterable[dict]) -> str:
    """The ACLED-style event table of event mention rows, as CSV text."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=EVENT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(event_table(rows))
    return out.getvalue()


def export(rows: Iterable[dict], fmt: str) -> str:
    """Rows as text in `fmt`: "csv" or "geojson" (mention rows), "events" (event rows)."""
    if fmt == "csv":
        return to_csv(rows)
    if fmt == "geojson":
        return to_geojson(rows)
    if fmt == "events":
        return to_events_csv(rows)
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
