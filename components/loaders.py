"""Cached reads of the store for the page, keyed on the store's location and data version.

Every loader takes the store's location (a SQLite file's path or a PostgreSQL URL) and its
`version()`: the store's token and the counter that every write bumps in its own transaction
(geodata.store). A write by the CLI or another session shows on the next rerun, while reruns of an
unchanged store cost nothing, whatever else touches it (a read-write connection that closes
removes a SQLite file's WAL and changes no data). Results are plain data from geodata.queries;
the map's layers are static files (components.layers).
"""
from __future__ import annotations

from contextlib import closing
from dataclasses import replace
from datetime import date

import streamlit as st

from components import basemap, layers
from components import map as placemap
from geodata import queries
from geodata.gazetteer import reference_towns
from geodata.model import Place
from geodata.names import norm
from geodata.paths import index_path
from geodata.queries import Filter
from geodata.store import Store


@st.cache_resource(show_spinner=False)
def prepare(path: str) -> bool:
    """Open the store once per server process: creates its schema, or adds what an older store
    lacks, before the first read."""
    Store(path).close()
    return True


def version(path: str) -> tuple[str, int]:
    """What changes when, and only when, the store's data changes: one cheap query a rerun."""
    with _conn(path) as conn:
        return queries.data_version(conn)


def _conn(path: str):
    return closing(queries.connect(path))


@st.cache_data(max_entries=32, show_spinner=False)
def totals(path: str, ver: tuple) -> dict:
    with _conn(path) as conn:
        return queries.totals(conn)


@st.cache_data(max_entries=8, show_spinner=False)
def sources(path: str, ver: tuple) -> list[str]:
    with _conn(path) as conn:
        return queries.sources(conn)


@st.cache_data(max_entries=8, show_spinner=False)
def date_span(path: str, ver: tuple) -> tuple[str | None, str | None]:
    with _conn(path) as conn:
        return queries.date_span(conn)


@st.cache_data(max_entries=32, show_spinner=False)
def places(path: str, ver: tuple, flt: Filter) -> list[dict]:
    """Places with their counts in the filter (the selected place does not narrow the map)."""
    with _conn(path) as conn:
        return queries.place_counts(conn, replace(flt, place_id=None))


@st.cache_data(max_entries=32, show_spinner=False)
def daily(path: str, ver: tuple, flt: Filter) -> list[dict]:
    with _conn(path) as conn:
        return queries.daily_counts(conn, flt)


@st.cache_data(max_entries=32, show_spinner=False)
def articles(path: str, ver: tuple, flt: Filter, limit: int | None = None) -> list[dict]:
    with _conn(path) as conn:
        return queries.articles(conn, flt, limit=limit)


@st.cache_data(max_entries=32, show_spinner=False)
def article_counts(path: str, ver: tuple, flt: Filter) -> dict[str, int]:
    with _conn(path) as conn:
        return queries.article_counts(conn, flt)


@st.cache_data(max_entries=64, show_spinner=False)
def mentions(path: str, ver: tuple, flt: Filter, limit: int | None = None) -> list[dict]:
    with _conn(path) as conn:
        return queries.mention_rows(conn, flt, limit=limit)


@st.cache_data(max_entries=64, show_spinner=False)
def mention_count(path: str, ver: tuple, flt: Filter) -> int:
    with _conn(path) as conn:
        return queries.mention_count(conn, flt)


@st.cache_data(max_entries=32, show_spinner=False)
def breakdown(path: str, ver: tuple, flt: Filter) -> dict:
    """The filter's counted mentions and what its layer toggles hide (the filter line)."""
    with _conn(path) as conn:
        return queries.mention_breakdown(conn, replace(flt, place_id=None))


@st.cache_data(max_entries=16, show_spinner=False)
def correction_log(path: str, ver: tuple) -> list[dict]:
    """Every correction, newest first, each with its line of text (geodata.corrections)."""
    from geodata import corrections

    with _conn(path) as conn:
        return [entry | {"context_words": corrections.context_words(conn, entry["context"])}
                for entry in corrections.log(conn)]


@st.cache_data(max_entries=32, show_spinner=False)
def article(path: str, ver: tuple, article_id: str) -> dict | None:
    with _conn(path) as conn:
        return queries.article(conn, article_id)


@st.cache_data(max_entries=64, show_spinner=False)
def place(path: str, ver: tuple, place_id: str) -> dict | None:
    with _conn(path) as conn:
        return queries.place(conn, place_id)


def gazetteer_places(name: str) -> list[Place]:
    """Places the gazetteer knows under `name` or a transliteration variant, best known first."""
    from geodata.parser import get_parser  # the gazetteer index loads on first use only

    gazetteer = get_parser().gazetteer
    key = norm(name)
    found = {c.place.id: c.place for c in (*gazetteer.candidates(key), *gazetteer.loose_candidates(key))}
    return sorted(found.values(), key=lambda p: (-p.population, p.name))


@st.cache_data(max_entries=64, show_spinner="Looking up the name…")
def search(path: str, ver: tuple, q: str) -> list[dict]:
    """Places in the store by any spelling: the store's own, plus the gazetteer's alternate names."""
    aliases = [p.id for p in gazetteer_places(q)]
    with _conn(path) as conn:
        return queries.search_places(conn, q, aliases=aliases)


def place_layer(path: str, ver: tuple, flt: Filter, end: date | None) -> str:
    """URL of the map's place layer for the filter; recency is counted back from `end`."""
    return _published(_place_layer, path, ver, flt, end)


def reference_layer() -> str:
    """URL of the base map's reference names: countries, and towns from the gazetteer index."""
    index = index_path()
    return _published(_reference_layer, str(index), index.stat().st_mtime_ns if index.exists() else 0)


def _published(build, *args) -> str:
    """The URL `build(*args)` cached, its file written again if it has gone since (pruned)."""
    url = build(*args)
    if not layers.path_of(url).exists():
        build.clear()
        url = build(*args)
    return url


@st.cache_data(max_entries=64, show_spinner=False)
def _place_layer(path: str, ver: tuple, flt: Filter, end: date | None) -> str:
    return layers.publish("places", placemap.layer(places(path, ver, flt), end, by_event="event" in flt.roles))


@st.cache_data(max_entries=2, show_spinner=False)
def _reference_layer(index: str, built: int) -> str:
    towns = reference_towns(basemap.TOWN_POPULATION, index)
    return layers.publish("reference", basemap.reference_labels(towns))


@st.cache_data(max_entries=16, show_spinner=False)
def copies(path: str, ver: tuple, article_ids: tuple[str, ...]) -> dict[str, list[dict]]:
    """The syndicated copies of each of these articles (geodata.queries.copies)."""
    with _conn(path) as conn:
        return queries.copies(conn, article_ids)


@st.cache_data(max_entries=8, show_spinner=False)
def followed(path: str, ver: tuple) -> tuple[list[dict], str | None]:
    """The followed sources with their state, and when one was last read successfully."""
    from geodata.follow import registry

    with _conn(path) as conn:
        return registry.sources(conn), registry.last_update(conn)
