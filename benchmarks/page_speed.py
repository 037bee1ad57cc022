"""Page speed on a generated corpus: the page as built next to the same page drawn the naive way.

    python benchmarks/page_speed.py [--repeats 3] [--articles 10000] [--places 2000] [--no-browser]

A store of 10,000 articles naming 2,000 places is generated once (benchmarks/corpus.py, fixed
seed) into a temporary PLACEWIRE_DATA. Then, each run in a fresh process, median over the runs:
- server: app.py run headless by streamlit.testing's AppTest: the first run of the script
  (store on disk, every cache cold: what the first visitor waits for, less the browser), a rerun
  (caches warm), and a marker click: the map's click handler selects the place, the script
  reruns and the panel shows that place's mentions (checked) - timed over several places;
- browser: `streamlit run app.py` and Debian's headless Chromium through Playwright: from
  opening the URL to the markers drawn in the map, and a real click on a marker to the panel
  showing the place; the bytes the page loaded (HTTP responses and WebSocket messages);
- page weight: the map component's payload (the folium HTML st_folium sends) and all of the
  script's elements.

The baseline is the same page with its map drawn the naive way: one folium CircleMarker per place
(same style, tooltip and popup) instead of the page's single GeoJson layer. It is made by swapping
that one function, `components.map.add_places`, in the worker process (`naive_places`); nothing
else changes.
"""
from __future__ import annotations

import argparse
import base64
import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # app modules from this checkout

from benchmarks.common import ROOT, emit, median, peak_rss_mb, run_worker, spread, table, write_results  # noqa: E402

SCRIPT = Path(__file__).resolve()
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
CLICKS = 5  # places clicked per run, from the most mentioned to the least
VARIANTS = ("ours", "naive")


# --------------------------------------------------------------------------- the naive map


def naive_places(variant: str) -> None:
    """For the baseline, make the page's places layer one CircleMarker per place.

    `components.map.add_places` (the seam the page keeps for this) is swapped, in this process
    only, for one that adds a folium CircleMarker per feature with the feature's own style,
    tooltip and popup, instead of one GeoJson layer filled from a pre-serialised payload.
    """
    import folium

    from components import map as placemap

    if variant == "ours" or getattr(placemap.add_places, "naive", False):  # once per process
        return

    def add_places(m: folium.Map, data: str) -> None:
        for feature in json.loads(data)["features"]:
            lon, lat = feature["geometry"]["coordinates"]
            props, style = feature["properties"], feature["properties"]["style"]
            folium.CircleMarker(
                [lat, lon], radius=style["radius"], color=style["color"], weight=style["weight"],
                fill=True, fill_color=style["fillColor"], fill_opacity=style["fillOpacity"],
                dash_array=style.get("dashArray"), tooltip=folium.Tooltip(props["tip"], sticky=True),
                popup=folium.Popup(props["popup"], max_width=340),
            ).add_to(m)

    add_places.naive = True
    placemap.add_places = add_places


# --------------------------------------------------------------------------- workers


def top_places(db: Path, n: int) -> list[tuple[str, str]]:
    """(id, name) of n places spread from the most to the least mentioned."""
    import sqlite3

    with contextlib.closing(sqlite3.connect(db)) as con:
        ranked = con.execute("SELECT p.id, p.name FROM mentions m JOIN places p ON p.id = m.place_id "
                             "GROUP BY p.id ORDER BY count(*) DESC, p.id").fetchall()
    step = max(1, len(ranked) // n)
    return ranked[::step][:n]


def _panel_names(at) -> str:
    """The text of every HTML element the script drew (the panel's head names the place)."""
    return " ".join(getattr(el.proto, "body", "") for el in at.get("html"))


def _proto_bytes(node) -> int:
    """Serialized size of every element and block the script drew (what it sends the browser)."""
    proto = getattr(node, "proto", None)
    own = proto.ByteSize() if hasattr(proto, "ByteSize") else 0
    children = getattr(node, "children", None)
    return own + sum(_proto_bytes(c) for c in (children.values() if isinstance(children, dict) else []))


def worker_server(variant: str) -> dict:
    """AppTest: first run, rerun, then clicks; the sizes of what the script sends."""
    from streamlit.testing.v1 import AppTest

    from geodata import paths

    naive_places(variant)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=900)
    t = time.perf_counter()
    at.run()
    first = time.perf_counter() - t
    if at.exception:
        raise SystemExit(f"app.py raised: {at.exception[0].message}")
    t = time.perf_counter()
    at.run()
    rerun = time.perf_counter() - t
    maps = [el for el in at.get("component_instance") if "st_folium" in el.proto.component_name]
    if not maps:
        raise SystemExit("no st_folium map on the page")
    map_bytes = len(maps[0].proto.json_args.encode())
    page_bytes = _proto_bytes(at._tree)
    clicks = []
    for place_id, name in top_places(paths.store_path(), CLICKS):
        # What the map's click handler does (select_place), then the rerun the click causes.
        at.session_state["place"] = place_id
        t = time.perf_counter()
        at.run()
        clicks.append(time.perf_counter() - t)
        if name not in _panel_names(at):
            raise SystemExit(f"after clicking {name} ({place_id}) the panel does not show it")
    return {"first_s": first, "rerun_s": rerun, "click_s": median(clicks), "map_bytes": map_bytes,
            "page_bytes": page_bytes, "rss_mb": peak_rss_mb()}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(variant: str):
    """`streamlit run app.py` on a free local port (the naive variant through a wrapper script)."""
    port = _free_port()
    script = ROOT / "app.py"
    wrapper_dir = None
    if variant != "ours":
        # Streamlit serves static/ beside the main script: the wrapper sits in a folder linking it.
        wrapper_dir = Path(tempfile.mkdtemp(prefix="placewire-naive-"))
        (wrapper_dir / "static").symlink_to(ROOT / "static")
        script = wrapper_dir / "app.py"
        script.write_text(
            "import runpy, sys\n"
            f"sys.path[:0] = [{str(ROOT)!r}]\n"
            "from benchmarks.page_speed import naive_places\n"
            f"naive_places({variant!r})\n"
            f"runpy.run_path({str(ROOT / 'app.py')!r}, run_name='__main__')\n"
        )
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(script), "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        env={**os.environ, "STREAMLIT_SERVER_SHOW_EMAIL_PROMPT": "false"},
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 60
        while True:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    raise SystemExit("streamlit run app.py did not come up")
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        if wrapper_dir:
            shutil.rmtree(wrapper_dir, ignore_errors=True)


def _visit(browser, url: str) -> dict:
    """Open the page in a new context (empty browser cache); time it to the markers drawn.

    Counts, through Chromium's DevTools protocol (no round trip per request, so the timing is
    untouched), the bytes received over HTTP (bodies as transferred, with headers) and over the
    WebSocket, which carries the script's output, the map among it.
    """
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    loaded = {"http": 0, "ws": 0, "requests": 0}
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")

    def on_finished(event):
        loaded["http"] += event["encodedDataLength"]
        loaded["requests"] += 1

    def on_frame(event):
        frame = event["response"]
        size = len(base64.b64decode(frame["payloadData"])) if frame["opcode"] == 2 else len(frame["payloadData"].encode())
        loaded["ws"] += size

    cdp.on("Network.loadingFinished", on_finished)
    cdp.on("Network.webSocketFrameReceived", on_frame)
    t = time.perf_counter()
    page.goto(url)
    frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    try:
        frame.locator("path.leaflet-interactive").first.wait_for(state="visible", timeout=180_000)
    except Exception as exc:
        shot = Path(tempfile.gettempdir()) / "placewire-page-speed-failure.png"
        page.screenshot(path=str(shot), full_page=True)
        raise SystemExit(f"no marker drawn within 180 s ({exc.__class__.__name__}); screenshot: {shot}\n"
                         f"page text: {page.inner_text('body')[:2000]}") from None
    ready = time.perf_counter() - t
    # Lazily loaded chunks and fonts come after the map: count until nothing more comes for 3 s.
    seen = -1
    while seen != loaded["requests"]:
        seen = loaded["requests"]
        page.wait_for_timeout(3000)
    markers = frame.locator("path.leaflet-interactive").count()
    # `loaded` keeps counting while the page lives (a click's bytes are the difference).
    return {"ready_s": ready, "markers": markers, "page": page, "context": context, "loaded": loaded}


def _click_marker(page, name_timeout_ms: int = 120_000) -> float:
    """Click the biggest marker at its centre; time until the panel names a place."""
    frame = page.frame_locator('iframe[title="streamlit_folium.st_folium"]')
    box = frame.locator("path.leaflet-interactive").first.bounding_box()
    t = time.perf_counter()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.locator(".pw-panel-head").first.wait_for(state="visible", timeout=name_timeout_ms)
    return time.perf_counter() - t


def worker_browser(variant: str) -> dict:
    """A fresh server: the first visit (server caches cold), a second visit, then a marker click."""
    from playwright.sync_api import sync_playwright

    with streamlit_server(variant) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            cold = _visit(browser, url)
            cold["context"].close()
            warm = _visit(browser, url)
            # The naive markers carry no place id back (st_folium reports GeoJson features only),
            # so a real click selects nothing there: the click is timed on the page as built.
            before = warm["loaded"]["ws"]
            click = _click_marker(warm["page"]) if variant == "ours" else None
            click_ws = warm["loaded"]["ws"] - before if click is not None else None
            warm["context"].close()
        finally:
            browser.close()
    return {"cold_s": cold["ready_s"], "warm_s": warm["ready_s"], "click_s": click, "click_ws_bytes": click_ws,
            "markers": warm["markers"],
            "http_bytes": cold["loaded"]["http"], "ws_bytes": cold["loaded"]["ws"]}


def worker_generate(articles: int, places: int) -> dict:
    from benchmarks.corpus import generate
    from geodata import paths

    t = time.perf_counter()
    counts = generate(paths.store_path(), articles, places)
    return {**counts, "s": time.perf_counter() - t}


# --------------------------------------------------------------------------- the parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=3, help="fresh-process runs per measurement (default 3)")
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--places", type=int, default=2_000)
    ap.add_argument("--no-browser", action="store_true", help="server-side (AppTest) measurements only")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        kind, _, variant = args.worker.partition("-")
        if kind == "generate":
            return emit(worker_generate(args.articles, args.places))
        return emit({"server": worker_server, "browser": worker_browser}[kind](variant))

    browser = not args.no_browser
    if browser and not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: run ./test.sh once (it installs Debian's chromium), or pass --no-browser")
    n = args.repeats
    data = Path(tempfile.mkdtemp(prefix="placewire-page-"))
    env = {"PLACEWIRE_DATA": str(data)}
    results: dict[str, dict[str, list[dict]]] = {v: {"server": [], "browser": []} for v in VARIANTS}
    try:
        print(f"  generating {args.articles} articles naming {args.places} places", file=sys.stderr, flush=True)
        counts = run_worker(SCRIPT, "generate", "--articles", str(args.articles), "--places", str(args.places), env=env)
        kinds = ["server"] + (["browser"] if browser else [])
        for i in range(n):
            for variant in VARIANTS:
                for kind in kinds:
                    print(f"  {kind}, {variant}: run {i + 1}/{n}", file=sys.stderr, flush=True)
                    results[variant][kind].append(run_worker(SCRIPT, f"{kind}-{variant}", env=env))
    finally:
        shutil.rmtree(data, ignore_errors=True)

    def col(variant: str, kind: str, key: str, fmt: str = "{:.2f}", scale: float = 1) -> str:
        values = [r[key] * scale for r in results[variant][kind] if r[key] is not None]
        return spread(values, fmt) if values else "-"

    def ratio(kind: str, key: str) -> str:
        ours, naive = ([r[key] for r in results[v][kind] if r[key] is not None] for v in VARIANTS)
        return f"{median(naive) / median(ours):.0f}x faster" if ours and naive else ""

    rows = [
        ["server: first run of app.py, fresh process, caches cold, s", col("ours", "server", "first_s"),
         col("naive", "server", "first_s"), ratio("server", "first_s")],
        ["server: rerun, caches warm, s", col("ours", "server", "rerun_s"), col("naive", "server", "rerun_s"),
         ratio("server", "rerun_s")],
        [f"server: marker click to panel updated (median of {CLICKS} places), s", col("ours", "server", "click_s"),
         col("naive", "server", "click_s"), ratio("server", "click_s")],
    ]
    if browser:
        rows += [
            ["browser: open URL to markers drawn, first visit (server cold), s", col("ours", "browser", "cold_s"),
             col("naive", "browser", "cold_s"), ratio("browser", "cold_s")],
            ["browser: open URL to markers drawn, next visit, s", col("ours", "browser", "warm_s"),
             col("naive", "browser", "warm_s"), ratio("browser", "warm_s")],
            ["browser: click a marker to the panel showing it, s", col("ours", "browser", "click_s"),
             "(its markers carry no place id)", ""],
            ["browser: bytes received over the WebSocket for that click, MB",
             col("ours", "browser", "click_ws_bytes", "{:.2f}", 1e-6), "", ""],
            ["browser: bytes received over HTTP (Streamlit's JS and fonts, map assets), MB",
             col("ours", "browser", "http_bytes", "{:.1f}", 1e-6), col("naive", "browser", "http_bytes", "{:.1f}", 1e-6), ""],
            ["browser: bytes received over the WebSocket (the page's data), MB",
             col("ours", "browser", "ws_bytes", "{:.1f}", 1e-6), col("naive", "browser", "ws_bytes", "{:.1f}", 1e-6), ""],
            ["browser: markers drawn", col("ours", "browser", "markers", "{:.0f}"),
             col("naive", "browser", "markers", "{:.0f}"), ""],
        ]
    rows += [
        ["page weight: the map component's payload (folium HTML), MB", col("ours", "server", "map_bytes", "{:.2f}", 1e-6),
         col("naive", "server", "map_bytes", "{:.2f}", 1e-6), ""],
        ["page weight: every element the script draws (serialized), MB", col("ours", "server", "page_bytes", "{:.2f}", 1e-6),
         col("naive", "server", "page_bytes", "{:.2f}", 1e-6), ""],
        ["server: peak resident memory of the AppTest process, MB", col("ours", "server", "rss_mb", "{:.0f}"),
         col("naive", "server", "rss_mb", "{:.0f}"), ""],
    ]
    body = (
        f"Generated store: {counts['articles']} articles, {counts['mentions']} mentions, {counts['places']} places "
        f"(written in {counts['s']:.1f} s). {n} fresh-process runs each: median (min-max).\n\n"
        + table(["measure", "Placewire page (one GeoJson layer)", "naive page (one CircleMarker per place)", "ratio"], rows)
        + "\n\nThe naive page is the same app.py with the map's places layer swapped for one folium "
        "CircleMarker per place (same style, tooltip and popup). Server times are AppTest runs of the "
        "whole script; a click is what the map's click handler does (select the place) and the rerun "
        "it causes, and the panel is checked to name the place.\n"
    )
    flags = " ".join(f for f in (f"--repeats {n}" if n != 3 else "", "--no-browser" if not browser else "") if f)
    write_results("page_speed", "Page speed, 10,000 articles and 2,000 places",
                  f"python benchmarks/page_speed.py {flags}".strip(), body)


if __name__ == "__main__":
    main()
