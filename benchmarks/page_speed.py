"""Page speed in Chromium: this checkout's page next to the page of an earlier commit (the baseline).

    python benchmarks/page_speed.py [--repeats 5] [--baseline 19ee01b]
                                    [--stores generated-2000,generated-20000,real-10000]

What a person waits for, measured in Debian's headless Chromium through Playwright, each page
served by `streamlit run app.py` from its own checkout on the same store:
- open the URL to the markers drawn: the first visit after the server started (every cache cold)
  and a first visit to a warm server (a new browser context: nothing cached in the browser);
- a marker click to the panel showing that place (the place centred at zoom 14 beforehand, so it
  stands alone in both pages), and the bytes the WebSocket received for that click;
- a date range change in the sidebar to the map redrawn; and one step of the map's play control
  (this page only: the baseline has none).
The baseline is the given commit (default 19ee01b, main before the map work), extracted with
`git archive` into benchmarks/out/ and set up with its own `python -m components.assets` (its
npm packages, from its own lock file); both pages run on this checkout's Python environment.

Stores (built once into benchmarks/out/stores/, reused by later runs):
- generated-2000: 10,000 generated articles naming 2,000 places (benchmarks/corpus.py);
- generated-20000: 20,000 generated articles naming 20,000 places;
- real-10000: 10,000 articles of real text from ../shared/corpora, parsed by the geoparser.
Each round starts a fresh server for each page in turn (ours, then the baseline), so a slow
spell of a shared machine hits both; the tables quote the median and the range of the rounds.
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

from benchmarks.common import ROOT, SHARED, median, spread, table, write_results  # noqa: E402

OUT = ROOT / "benchmarks" / "out"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
MAP = 'iframe[title="streamlit_folium.st_folium"]'
STORES = {
    "generated-2000": "10,000 generated articles, 2,000 places",
    "generated-20000": "20,000 generated articles, 20,000 places",
    "real-10000": "10,000 articles of real text (shared corpora)",
}
VARIANTS = ("ours", "baseline")
TIMEOUT_MS = 240_000

# In the map's frame: the markers are drawn. This page counts the layers it drew; the baseline's
# markers are SVG paths that appear all at once when its one GeoJSON layer is added.
DRAWN = "() => (window.placewire ? placewire.drawn : document.querySelectorAll('path.leaflet-interactive').length > 0 ? 1 : 0)"
# Where a place is (this page knows its layer; the baseline's markers carry the id on their
# feature), and where it is drawn: in the map's pixels, and whether alone (not in a cluster).
PLACE = """(pid) => {
    if (window.placewire) { const p = placewire.place(pid); return p && [p.lat, p.lon]; }
    let hit = null;
    map.eachLayer((l) => { if (l.feature && l.feature.properties && l.feature.properties.pid === pid) hit = l; });
    return hit && [hit.getLatLng().lat, hit.getLatLng().lng];
}"""
WHERE = """(pid) => {
    if (window.placewire) return placewire.locate(pid);
    let hit = null;
    map.eachLayer((l) => { if (l.feature && l.feature.properties && l.feature.properties.pid === pid) hit = l; });
    if (!hit) return null;
    const p = map.latLngToContainerPoint(hit.getLatLng());
    return {x: p.x, y: p.y, alone: true};
}"""


# --------------------------------------------------------------------------- stores


def _index_into(data: Path) -> None:
    """Give a store's data folder a current gazetteer index (linked from where one exists)."""
    from geodata import gazetteer

    target = data / "gazetteer.sqlite"
    if target.exists():
        return
    for candidate in (ROOT / "data" / "gazetteer.sqlite", ROOT / ".pytest_cache" / "d" / "placewire-gazetteer" / "gazetteer.sqlite"):
        if gazetteer._index_state(candidate) is None:  # there, whole and current
            target.symlink_to(candidate.resolve())
            return
    gazetteer.build_index(target)


def store(name: str) -> Path:
    """The data folder of a benchmark store, built once (a store is written whole or not at all)."""
    data = OUT / "stores" / name
    db = data / "placewire.sqlite"
    if (data / "done").exists():
        return data
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir(parents=True)
    _index_into(data)
    print(f"  building store {name} ({STORES[name]}), once", file=sys.stderr, flush=True)
    env = {**os.environ, "PLACEWIRE_DATA": str(data)}
    kind, _, size = name.partition("-")
    code = (f"from benchmarks.corpus import generate; print(generate(__import__('pathlib').Path({str(db)!r}), "
            f"{max(10_000, int(size))}, {int(size)}))" if kind == "generated" else
            f"from benchmarks.corpus import real; print(real(__import__('pathlib').Path({str(db)!r}), "
            f"__import__('pathlib').Path({str(SHARED / 'corpora')!r}), {int(size)}))")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
    (data / "done").write_text("")
    return data


def counts(data: Path) -> dict:
    from geodata.store import Store

    with Store(data / "placewire.sqlite") as s:
        return s.counts()


# --------------------------------------------------------------------------- the two pages


def baseline_checkout(commit: str) -> Path:
    """The baseline commit's files in benchmarks/out/, with its own map assets installed."""
    target = OUT / f"baseline-{commit}"
    if (target / "static" / "vendor" / ".package-lock.sha256").exists():
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    archive = subprocess.run(["git", "archive", "--format=tar", commit], cwd=ROOT, check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    print(f"  installing the baseline's map assets (npm, its own lock file) in {target}", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "components.assets"], cwd=target, check=True)
    return target


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(checkout: Path, data: Path):
    """`streamlit run app.py` of a checkout on a free local port, on the store in `data`."""
    port = _free_port()
    log = tempfile.TemporaryFile()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false"],
        cwd=checkout, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "PLACEWIRE_DATA": str(data), "PLACEWIRE_ADMIN": "",
             "STREAMLIT_SERVER_SHOW_EMAIL_PROMPT": "false", "PYTHONPATH": str(checkout)},
    )
    try:
        url = f"http://127.0.0.1:{port}"
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/_stcore/health", timeout=2)
                break
            except OSError:
                if time.time() > deadline or proc.poll() is not None:
                    log.seek(0)
                    raise SystemExit(f"streamlit run app.py did not come up in {checkout}:\n{log.read()[-3000:].decode()}")
                time.sleep(0.2)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


# --------------------------------------------------------------------------- in the browser


class Visit:
    """One page in a new browser context, counting the bytes its WebSocket receives."""

    def __init__(self, browser, url: str):
        self.context = browser.new_context(viewport={"width": 1440, "height": 1000})
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.ws = 0
        cdp = self.context.new_cdp_session(self.page)
        cdp.send("Network.enable")
        cdp.on("Network.webSocketFrameReceived", self._frame)
        started = time.perf_counter()
        self.page.goto(url)
        self.page.wait_for_selector(MAP, state="attached", timeout=TIMEOUT_MS)
        self.frame().wait_for_function(f"({DRAWN})() >= 1", timeout=TIMEOUT_MS)
        self.ready_s = time.perf_counter() - started

    def _frame(self, event) -> None:
        frame = event["response"]
        self.ws += len(base64.b64decode(frame["payloadData"])) if frame["opcode"] == 2 else len(frame["payloadData"].encode())

    def frame(self):
        return self.page.query_selector(MAP).content_frame()

    def settle(self) -> None:
        """Until the script run the last action caused has finished (the status widget goes)."""
        self.page.wait_for_timeout(300)
        self.page.locator("[data-testid=stStatusWidget]").wait_for(state="detached", timeout=TIMEOUT_MS)

    def click(self, place_id: str, name: str) -> tuple[float, int] | None:
        """Centre the place at zoom 14, then click it: seconds to the panel naming it, WS bytes."""
        inner = self.frame()
        spot = inner.evaluate(PLACE, place_id)
        if not spot:
            return None
        inner.evaluate("([lat, lon]) => { map.setView([lat, lon], 14, {animate: false}); }", spot)
        self.page.wait_for_timeout(600)
        at = inner.evaluate(WHERE, place_id)
        if not at or not at["alone"]:
            return None  # not drawn, or sharing its spot with another place: not a fair click
        box = self.page.query_selector(MAP).bounding_box()
        before = self.ws
        started = time.perf_counter()
        self.page.mouse.click(box["x"] + at["x"], box["y"] + at["y"])
        self.page.wait_for_function("(name) => { const h = document.querySelector('.pw-panel-head');"
                                    " return h && h.innerText.includes(name); }", arg=name, timeout=TIMEOUT_MS)
        seconds = time.perf_counter() - started
        self.settle()
        self.page.wait_for_timeout(500)
        return seconds, self.ws - before

    def _redrawn(self, action) -> float:
        """Seconds from `action` to the map drawn anew (this page: one more layer drawn; the
        baseline: a new map frame with its markers)."""
        inner = self.frame()
        before = inner.evaluate(f"() => {{ window.__benchOld = true; return ({DRAWN})(); }}")
        started = time.perf_counter()
        action()
        deadline = time.time() + TIMEOUT_MS / 1000
        problem = None
        while time.time() < deadline:
            try:
                done = self.frame().evaluate(
                    f"(before) => window.__benchOld ? (window.placewire && placewire.drawn > before)"
                    f" : ({DRAWN})() >= 1", before)
            except Exception as exc:  # the frame is being replaced
                done, problem = False, exc
            if done:
                return time.perf_counter() - started
            self.page.wait_for_timeout(20)
        self.page.screenshot(path=str(OUT / "page-speed-failure.png"))
        raise SystemExit(f"the map was not redrawn within {TIMEOUT_MS / 1000:.0f} s at {self.page.url}"
                         f" (screenshot: {OUT / 'page-speed-failure.png'}); last problem: {problem}; errors: {self.errors}")

    def change_dates(self) -> float:
        """Type a new start month into the sidebar's date range; to the map redrawn."""
        month = self.page.get_by_role("spinbutton", name="month, Dates start date")
        current = int(month.get_attribute("aria-valuenow"))

        def type_month():  # the field commits its value when it loses the focus
            month.click()
            month.press_sequentially(f"{current % 12 + 1:02d}")
            self.page.locator("h1").first.click()
        seconds = self._redrawn(type_month)
        self.settle()
        return seconds

    def play_step(self) -> float | None:
        """A step of the map's play control from one week to the next (the first step goes from
        the whole span to its first week); to the map redrawn. None: the page has no player."""
        inner = self.frame()
        if not inner.evaluate("() => !!document.querySelector('.pw-player')"):
            return None
        forward = inner.get_by_role("button", name="▶|")
        self._redrawn(forward.click)
        self.settle()
        seconds = self._redrawn(forward.click)
        self.settle()
        return seconds

    def close(self) -> None:
        self.context.close()


def top_places(data: Path, n: int) -> list[tuple[str, str]]:
    """(id, name) of n places spread from the most to the least mentioned (a unique name each)."""
    import sqlite3

    with contextlib.closing(sqlite3.connect(data / "placewire.sqlite")) as con:
        ranked = con.execute(
            "SELECT p.id, p.name FROM mentions m JOIN places p ON p.id = m.place_id"
            " WHERE m.status != 'rejected' AND m.kind != 'demonym' AND p.kind NOT IN ('country', 'continent')"
            " GROUP BY p.id HAVING (SELECT count(*) FROM places q WHERE q.name = p.name) = 1"
            " ORDER BY count(*) DESC, p.id").fetchall()
    step = max(1, len(ranked) // (3 * n))  # the upper part of the ranking: places people click
    return ranked[::step][:n]


def run_round(browser, checkout: Path, data: Path, places: list[tuple[str, str]]) -> dict:
    """A fresh server: the first visit, a second visit, clicks, a date change; play in a third."""
    with server(checkout, data) as url:
        cold = Visit(browser, url)
        cold.close()
        warm = Visit(browser, url)
        warm.settle()
        clicks = [c for c in (warm.click(pid, name) for pid, name in places) if c]
        dates = warm.change_dates()
        warm.close()
        player = Visit(browser, url)  # the whole span again, as a person starts playing
        player.settle()
        step = player.play_step()
        player.close()
    return {"cold_s": cold.ready_s, "warm_s": warm.ready_s, "click_s": median([c[0] for c in clicks]) if clicks else None,
            "click_ws_kb": median([c[1] / 1000 for c in clicks]) if clicks else None, "clicked": len(clicks),
            "dates_s": dates, "step_s": step}


# --------------------------------------------------------------------------- the parent


ROWS = [
    ("open the URL to markers drawn, first visit after the server started (caches cold), s", "cold_s", "{:.2f}", ""),
    ("open the URL to markers drawn, first visit of a browser (server warm), s", "warm_s", "{:.2f}", "≤ 3 (2,000 places), ≤ 5 (20,000)"),
    ("marker click to the panel showing that place, s (median of the clicks)", "click_s", "{:.2f}", "≤ 0.5 (2,000 places)"),
    ("WebSocket bytes received per click, KB", "click_ws_kb", "{:.0f}", "≤ 100"),
    ("date range change to the map redrawn, s", "dates_s", "{:.2f}", "≤ 1"),
    ("one play step to the map redrawn, s", "step_s", "{:.2f}", "≤ 1"),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repeats", type=int, default=5, help="rounds, each with a fresh server per page (default 5)")
    ap.add_argument("--baseline", default="19ee01b", help="the commit whose page is the baseline (default 19ee01b)")
    ap.add_argument("--stores", default=",".join(STORES), help=f"comma-separated, of: {', '.join(STORES)}")
    ap.add_argument("--clicks", type=int, default=5, help="places clicked per round (default 5)")
    args = ap.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: run ./test.sh once (it installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    names = [s for s in args.stores.split(",") if s]
    unknown = set(names) - set(STORES)
    if unknown:
        sys.exit(f"unknown store(s): {', '.join(sorted(unknown))}; choose from {', '.join(STORES)}")
    checkouts = {"ours": ROOT, "baseline": baseline_checkout(args.baseline)}
    results: dict[str, dict[str, list[dict]]] = {}
    sizes = {}
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            for name in names:
                data = store(name)
                sizes[name] = counts(data)
                places = top_places(data, args.clicks)
                results[name] = {v: [] for v in VARIANTS}
                for i in range(args.repeats):
                    for variant in VARIANTS:
                        print(f"  {name}, {variant}: round {i + 1}/{args.repeats}", file=sys.stderr, flush=True)
                        results[name][variant].append(run_round(browser, checkouts[variant], data, places))
                        print(f"    {json.dumps(results[name][variant][-1])}", file=sys.stderr, flush=True)
        finally:
            browser.close()

    def col(name: str, variant: str, key: str, fmt: str) -> str:
        values = [r[key] for r in results[name][variant] if r[key] is not None]
        return spread(values, fmt) if values else "-"

    body = []
    for name in names:
        c = sizes[name]
        rows = [[label, col(name, "ours", key, fmt), col(name, "baseline", key, fmt), target]
                for label, key, fmt, target in ROWS]
        clicked = [r["clicked"] for v in VARIANTS for r in results[name][v]]
        body.append(
            f"## {STORES[name]}\n\nStore: {c['articles']} articles, {c['mentions']} mentions, {c['places']} places. "
            f"{args.repeats} rounds, median (min-max); {min(clicked)}-{max(clicked)} places clicked per round.\n\n"
            + table(["measure", "this page", f"baseline ({args.baseline})", "target (issue 8)"], rows)
        )
    flags = " ".join(f for f in (f"--repeats {args.repeats}" if args.repeats != 5 else "",
                                 f"--baseline {args.baseline}" if args.baseline != "19ee01b" else "",
                                 f"--stores {args.stores}" if names != list(STORES) else "") if f)
    write_results("page_speed", "Page speed in Chromium, this page and the baseline side by side",
                  f"python benchmarks/page_speed.py {flags}".strip(), "\n\n".join(body) + "\n")


if __name__ == "__main__":
    main()
