"""One place per real place: a curated entry that GeoNames has too becomes the GeoNames place.

The merge is tested on a small index built by the real builder (so it runs in a second), and the
curated tables are checked against the real index the suite builds once.
"""
from __future__ import annotations

import csv
import json
import sqlite3

import pytest

from geodata import gazetteer
from geodata.cache import ResolutionCache
from geodata.gazetteer import Gazetteer, _Builder, _add_place_table, load_gazetteer
from geodata.parser import Geoparser

DARAT_IZZAH = "gn:170857"  # GeoNames' Dārat ‘Izzah, Aleppo governorate


def small_index(tmp_path, rows: list[dict], prefix: str) -> tuple[Gazetteer, dict]:
    """An index holding two GeoNames towns and a district, plus a curated table of `rows`."""
    b = _Builder(tmp_path / "index.building")
    b.add_place(DARAT_IZZAH, "Dārat ‘Izzah", "city", "SY", 36.28247, 36.85216, 170857,
                alternates=["Darat Azza", "Daret Azza", "Darat `Izzah"])  # as GeoNames has them
    b.add_place("gn:1", "Kafr Naha", "city", "SY", 36.2150, 36.9450, 1)
    b.add_place("state:SY-X", "Darat Izza District", "admin2", "SY", 36.2800, 36.8500)
    table = tmp_path / f"{prefix}.csv"
    with open(table, "w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=["name", "aliases", "kind", "country", "admin1", "lat", "lon",
                                               "geonameid", "population"])
        writer.writeheader()
        writer.writerows(rows)
    _add_place_table(b, table, prefix)
    merged = dict(b.merged)
    b.write(tmp_path / "index.sqlite", "test")
    return Gazetteer(tmp_path / "index.sqlite"), merged


def row(name, aliases="", lat=36.2833, lon=36.8500, kind="city", cc="SY"):
    return {"name": name, "aliases": aliases, "kind": kind, "country": cc, "admin1": "", "lat": lat,
            "lon": lon, "geonameid": "", "population": ""}


def ids(g: Gazetteer, name: str) -> set[str]:
    return {c.place.id for c in g.candidates(gazetteer.norm(name))}


def test_an_index_in_a_folder_named_with_question_mark_and_hash_is_read(index_dir, tmp_path):
    folder = tmp_path / "maps?v=2#syria"
    folder.mkdir()
    path = folder / "gazetteer.sqlite"
    path.symlink_to(index_dir / "gazetteer.sqlite")
    assert gazetteer._index_state(path) is None  # whole and current, not "damaged"
    assert gazetteer.current_index(path) == (path, Gazetteer(path).fingerprint)
    assert "aleppo" in Gazetteer(path).keys
    assert "Aleppo" in [p.name for p in gazetteer.reference_towns(1_000_000, path)]


def test_a_curated_twin_of_a_geonames_town_becomes_it(tmp_path):
    g, merged = small_index(tmp_path, [
        row("Darat Izza", "Darat Azza|Daret Azza"),  # 200 m off, a spelling GeoNames has: the same town
        row("Kafr Nahha", lat=36.2170, lon=36.9470),  # 300 m off, same consonants: the same town
        row("Daret Azza", lat=36.45, lon=36.85),  # named alike, 19 km away: another place
        row("Darat Izza", kind="admin2"),  # a district is not its town
        row("Kafr Nahaa", lat=36.30, lon=36.95),  # same consonants, 9 km off: another place
    ], "pw")
    assert merged == {"pw:SY:darat-izza": DARAT_IZZAH, "pw:SY:kafr-nahha": "gn:1"}
    assert ids(g, "Darat Izza") == {DARAT_IZZAH, "pw:SY:darat-izza"}  # the town and the district
    assert ids(g, "Daret Azza") == {DARAT_IZZAH, "pw:SY:daret-azza"}  # the town and its far namesake
    assert [c.place.kind for c in g.candidates("darat izza") if c.place.id == "pw:SY:darat-izza"] == ["admin2"]
    town = next(c.place for c in g.candidates("darat izza") if c.place.id == DARAT_IZZAH)
    assert (town.name, town.lat, town.geonameid) == ("Dārat ‘Izzah", 36.28247, 170857)  # GeoNames' entry
    assert ids(g, "Kafr Nahha") == {"gn:1"}
    assert ids(g, "Kafr Nahaa") == {"pw:SY:kafr-nahaa"}


def test_a_users_twin_keeps_the_geonames_id_and_wins_its_fields(tmp_path):
    g, merged = small_index(tmp_path, [row("Darat Izza", "Daret Azza", lat=36.2840, lon=36.8510)], "user")
    assert merged == {"user:SY:darat-izza": DARAT_IZZAH}
    [c] = g.candidates("darat izza")
    assert (c.place.id, c.place.name, c.place.lat, c.place.geonameid) == (DARAT_IZZAH, "Darat Izza", 36.284, 170857)
    assert ids(g, "Dārat ‘Izzah") == ids(g, "Daret Azza") == {DARAT_IZZAH}


def test_no_curated_place_duplicates_geonames(index_dir):
    """The check over the curated tables: a place of geodata/data/places.csv that GeoNames has
    belongs in aliases.csv (the builder would merge it, and list it here)."""
    con = sqlite3.connect(index_dir / "gazetteer.sqlite")
    merged = json.loads(con.execute("SELECT value FROM meta WHERE key = 'merged'").fetchone()[0])
    con.close()
    assert {k: v for k, v in merged.items() if k.startswith("pw:")} == {}


@pytest.mark.parametrize("spelling", ["Daret Azza", "Darat Izza", "Darat Azza"])
def test_every_spelling_of_darat_izza_is_one_place(index_dir, spelling):
    parser = Geoparser(load_gazetteer(index_dir / "gazetteer.sqlite"), ResolutionCache(None))
    [m] = [m for m in parser.parse(f"Shelling hit {spelling}, west of Aleppo, on Sunday.") if m.surface == spelling]
    assert m.place.id == DARAT_IZZAH
