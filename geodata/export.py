"""Mention rows out as CSV or GeoJSON text: the CLI's export and the page's filtered download.

Rows are the dicts of geodata.queries.mention_rows (one per mention, with its article and place).
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
)
FORMATS = ("csv", "geojson")


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


def export(rows: Iterable[dict], fmt: str) -> str:
    """Rows as text in `fmt` ("csv" or "geojson")."""
    if fmt == "csv":
        return to_csv(rows)
    if fmt == "geojson":
        return to_geojson(rows)
    raise ValueError(f"unknown export format {fmt!r}; use one of {', '.join(FORMATS)}")
