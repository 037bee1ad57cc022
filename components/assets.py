"""The map's JavaScript and CSS, served by the app itself so the map draws with no internet.

st_folium loads Leaflet and its plugins from public CDNs by default; offline that leaves a blank
map and no error. Setup installs the files from the npm registry (package.json, package-lock.json)
into static/vendor/, which Streamlit serves at /app/static/ (enableStaticServing in
.streamlit/config.toml), and `use_local_assets()` points folium at them. The files are never
committed: `python -m components.assets` installs them, and does nothing when they are current.
"""
from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

import folium
from folium.plugins import HeatMap

ROOT = Path(__file__).resolve().parent.parent
VENDOR = ROOT / "static" / "vendor"
STAMP = VENDOR / ".package-lock.sha256"

# What the page needs from each npm package: source in node_modules -> target in static/vendor.
FILES = {
    "leaflet/dist/leaflet.js": "leaflet/leaflet.js",
    "leaflet/dist/leaflet.css": "leaflet/leaflet.css",
    "leaflet/dist/images": "leaflet/images",
    "jquery/dist/jquery.min.js": "jquery/jquery.min.js",
    "leaflet.heat/dist/leaflet-heat.js": "leaflet.heat/leaflet-heat.js",
}


def _lock_digest() -> str:
    return hashlib.sha256((ROOT / "package-lock.json").read_bytes()).hexdigest()


def missing() -> list[str]:
    """The vendor files that are not installed (empty when the map can draw offline)."""
    return [target for target in FILES.values() if not (VENDOR / target).exists()]


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
    STAMP.write_text(_lock_digest())
    return True


def use_local_assets(base_url: str = "/app/static/vendor") -> None:
    """Point folium's maps and the heat plugin at the app's own copies of their JS and CSS.

    Bootstrap and awesome-markers are dropped: the page draws circle markers and plain popups.
    jQuery stays because folium's popups call `$(...)`.
    """
    folium.Map.default_js = [
        ("leaflet", f"{base_url}/leaflet/leaflet.js"),
        ("jquery", f"{base_url}/jquery/jquery.min.js"),
    ]
    folium.Map.default_css = [("leaflet_css", f"{base_url}/leaflet/leaflet.css")]
    HeatMap.default_js = [("leaflet-heat.js", f"{base_url}/leaflet.heat/leaflet-heat.js")]


if __name__ == "__main__":
    try:
        changed = install(force="--force" in sys.argv[1:])
    except (RuntimeError, subprocess.CalledProcessError) as exc:
        sys.exit(f"map assets not installed: {exc}")
    print(f"map assets {'installed into' if changed else 'already current in'} {VENDOR}")
