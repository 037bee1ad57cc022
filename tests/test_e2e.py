"""End to end: `streamlit run app.py` driven by a real headless Chromium, offline.

The app starts on an empty data directory (so it ingests seeds/ itself), every request to a host
other than the app is refused (so a map that needs a CDN stays blank and the test fails). The
first test clicks the Aleppo marker, reads the seed's sentence in the panel, opens the reader,
selects a place from the text, reloads a copied link, and shows attack articles as plain text.
The map tests add a few dated articles (the page sees new data on its next run) and read the map
as an analyst would: names and geography drawn offline, clusters with summed counts that open on
a click, the city and the governorate of the same name each chosen, marker after marker, play and
the heat layer keeping the view. They save the screenshot the README shows (docs/screenshot.png).
"""
from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from playwright.sync_api import Page, expect, sync_playwright

import pagekit
from conftest import new_data_dir
from components.ingest import ingest_paths
from geodata.model import Article, Mention, Place
from geodata.store import Store

CHROMIUM = "/usr/bin/chromium"
MAP = 'iframe[title="streamlit_folium.st_folium"]'
SCREENSHOT = pagekit.REPO / "docs" / "screenshot.png"
IDLIB_CITY, SARAQIB = "gn:169389", "gn:164816"
# the governorate's id depends on the gazetteer's sources: found by name and kind in the map's layer
GOVERNORATE_OF = """(name) => placewire.placesNamed(name).filter((p) => p.kind === 'governorate or province')
    .map((p) => p.id)[0]"""
HOSTILE = Place("user:<b>checkpoint", '<img src=x onerror="window.__pwned=8">{{ 7*7 }} checkpoint', "city", "SY",
                36.55, 38.3)


@pytest.fixture(scope="module")
def server(index_dir, tmp_path_factory):
    """The app, started as users start it (listening on this machine only, as ./run.sh does),
    on an empty data directory."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run ./test.sh, which installs Debian's chromium")
    data = new_data_dir(tmp_path_factory.mktemp("e2e"), index_dir)
    with pagekit.serving(data, PLACEWIRE_ADMIN="", PLACEWIRE_EDITING="") as url:
        yield url, data


@pytest.fixture(scope="module")
def network_server(server):
    """The same app and store, listening on every interface as a container or a bare
    `streamlit run` does: a hosted copy."""
    with pagekit.serving(server[1], "0.0.0.0", PLACEWIRE_ADMIN="", PLACEWIRE_EDITING="") as url:
        yield url, server[1]


@pytest.fixture(scope="module")
def browser():
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--no-first-run"],
        )
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, server):
    """A fresh browser page that may reach the app and nothing else; refused requests are kept."""
    app_url, _ = server
    context = browser.new_context(viewport={"width": 1440, "height": 1200})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=app_url)
    refused: list[str] = []
    dialogs: list[str] = []

    def only_the_app(route):
        if route.request.url.startswith(app_url) or route.request.url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            refused.append(route.request.url)
            route.abort()

    context.route("**/*", only_the_app)
    pg = context.new_page()
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    pg.refused, pg.dialogs = refused, dialogs
    yield pg
    context.close()


def wait_for_map(page: Page, drawn: int = 1):
    """The map iframe with Leaflet, the base map and the places drawn from the app's own files."""
    page.wait_for_selector(MAP, state="attached", timeout=180_000)
    handle = page.query_selector(MAP)
    inner = handle.content_frame()
    inner.wait_for_function(f"window.placewire && placewire.drawn >= {drawn} && placewire.base.borders",
                            timeout=120_000)
    assert inner.evaluate("typeof L === 'object' && L.version") == "1.9.4"
    assert handle.bounding_box()["height"] > 300  # a blank map (assets missing) stays at height 0
    expect(page.frame_locator(MAP).locator(".leaflet-control-attribution")).to_contain_text("GeoNames")
    return handle, inner


def locate(inner, place_id: str) -> dict:
    """Where the place is drawn in the map's pixels, and whether alone or inside a cluster."""
    at = inner.evaluate("(pid) => placewire.locate(pid)", place_id)
    assert at, f"{place_id} is not in the map's layer"
    return at


def click_marker(page: Page, place_id: str) -> None:
    """A mouse click at the marker's centre, as a person clicks (markers may overlap)."""
    handle, inner = wait_for_map(page)
    handle.scroll_into_view_if_needed()
    at = locate(inner, place_id)
    assert at["alone"], f"{place_id} is inside a cluster at this zoom"
    box = handle.bounding_box()
    page.mouse.click(box["x"] + at["x"], box["y"] + at["y"])


def set_view(inner, lat: float, lon: float, zoom: int) -> None:
    inner.evaluate("([lat, lon, zoom]) => { map.setView([lat, lon], zoom, {animate: false}); }", [lat, lon, zoom])
    inner.wait_for_timeout(400)  # clusters and names are redrawn on moveend


def view_of(inner) -> list[float]:
    return inner.evaluate("[map.getCenter().lat, map.getCenter().lng, map.getZoom()]")


def settle(page: Page) -> None:
    """Wait until the script run the last action caused has finished (the status widget goes)."""
    page.wait_for_timeout(300)
    expect(page.locator("[data-testid=stStatusWidget]")).to_have_count(0, timeout=120_000)


def close_reader(page: Page, key: str | None = None) -> None:
    """The reader's drawer closed by its Close button (or by a key, "Escape"), once the page is
    idle: a run still drawing the drawer would open it again. Its rerun has run when the URL no
    longer names the article."""
    settle(page)
    if key:
        page.keyboard.press(key)
    else:
        page.get_by_test_id("stDialog").locator("[data-testid^=stBaseButton]", has_text="Close").click()
    expect(page.locator(".pw-reader")).to_have_count(0, timeout=30_000)
    page.wait_for_function("!new URL(location.href).searchParams.has('article')", timeout=30_000)
    settle(page)


def panel(page: Page):
    return page.locator(".pw-mention")


def panel_head(page: Page):
    return page.locator(".pw-panel-head")


def test_click_read_share_and_attack(page: Page, server):
    app_url, data = server
    page.goto(app_url)
    wait_for_map(page)

    # click Aleppo: the panel shows the seed's sentence naming it, the name highlighted
    click_marker(page, pagekit.ALEPPO)
    expect(panel_head(page)).to_contain_text("Aleppo", timeout=30_000)
    expect(panel(page).first).to_contain_text(pagekit.SEED_ALEPPO)
    expect(panel(page).first.locator("mark")).to_have_text("Aleppo")

    # Read: the reader shows the whole article, every resolved name highlighted
    page.get_by_role("button", name="Read", exact=True).first.click()
    reader = page.locator(".pw-reader")
    expect(reader).to_contain_text("Russia and its allies halted air strikes", timeout=30_000)
    names = reader.locator("button.pw-name")
    assert {"Idlib", "Aleppo"} <= set(names.all_inner_texts())
    expect(page.get_by_role("link", name="Original article")).to_have_attribute("href", pagekit.SEED_ID)

    # a name in the text selects its place on the map and in the panel
    reader.locator("button.pw-name", has_text="Idlib").first.click()
    expect(panel_head(page)).to_contain_text("Idlib", timeout=30_000)
    # the same Aleppo marker again (the reader's drawer closed first): the panel follows the click
    close_reader(page)
    click_marker(page, pagekit.ALEPPO)
    expect(panel_head(page)).to_contain_text("Aleppo", timeout=30_000)

    # Copy link (the reader's own, with the article open), open it in a new tab: same place,
    # article and map view
    page.get_by_role("button", name="Read", exact=True).first.click()
    expect(reader).to_contain_text("Russia and its allies halted air strikes", timeout=30_000)
    settle(page)
    page.get_by_test_id("stDialog").get_by_role("button", name="Copy link").click()
    field = page.get_by_test_id("stDialog").locator(".pw-share input")
    expect(field).to_be_visible()
    link = field.input_value()
    assert page.evaluate("navigator.clipboard.readText()") == link
    params = parse_qs(urlsplit(link).query)
    assert params["place"] == [pagekit.ALEPPO] and params["article"] == [pagekit.SEED_ID]
    _, inner = wait_for_map(page)
    view = inner.evaluate("[map.getCenter().lat, map.getCenter().lng, map.getZoom()]")

    other = page.context.new_page()
    other.goto(link)
    expect(panel_head(other)).to_contain_text("Aleppo", timeout=60_000)
    expect(other.locator(".pw-reader")).to_contain_text("Russia and its allies halted air strikes", timeout=60_000)
    _, inner = wait_for_map(other)
    again = inner.evaluate("[map.getCenter().lat, map.getCenter().lng, map.getZoom()]")
    assert again[2] == view[2] and abs(again[0] - view[0]) < 0.01 and abs(again[1] - view[1]) < 0.01
    other.close()

    # attacks: one uploaded through the page (the loader's path), one stored raw
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PLACEWIRE_DATA", str(data))  # the parser's cache goes to the app's data directory
        pagekit.store_raw(data / "placewire.sqlite", pagekit.ATTACK)
    close_reader(page)  # the sidebar is live again
    page.get_by_text("Add articles").click()
    upload = dict(pagekit.ATTACK, url="https://attack.example/upload", title=pagekit.ATTACK["title"] + " 2")
    page.get_by_test_id("stExpander").filter(has_text="Add articles").locator("input[type=file]").set_input_files(
        files=[{"name": "attack.json", "mimeType": "application/json", "buffer": json.dumps(upload).encode()}])
    expect(page.get_by_role("button", name="Remove attack.json")).to_be_visible()
    settle(page)
    page.get_by_role("button", name="Add to the map").click()
    expect(page.get_by_text("attack.json: 1 article added")).to_be_visible(timeout=120_000)

    page.goto(f"{app_url}/?article={quote(pagekit.ATTACK_ID, safe='')}")
    wait_for_map(page)
    reader = page.locator(".pw-reader")
    expect(reader).to_contain_text("Shelling hit Aleppo <script>window.__pwned=3</script> and <img src=x",
                                   timeout=60_000)
    expect(reader).to_contain_text("[click](javascript:window.__pwned=5) **bold** <b>tag</b> {% raw %} {{ 6*7 }}")
    expect(page.locator("h3", has_text="Attack **bold**")).to_contain_text(
        "<script>window.__pwned=1</script>Attack **bold** [x](javascript:alert(1)) :red[big]")
    close_reader(page)
    click_marker(page, pagekit.ALEPPO)
    expect(panel(page).filter(has_text="<script>window.__pwned=1</script>").first).to_be_visible(timeout=30_000)
    # a place whose name is markup (a user's own place): on the map, in its tooltip, as text
    with Store(data / "placewire.sqlite") as store:
        text = "Clashes near the checkpoint."
        store.add(Article(id="https://attack.example/place", title="A hostile place", text=text, date="2020-01-14"),
                  [Mention(13, 27, "the checkpoint", 0, len(text), norm="the checkpoint", place=HOSTILE)])
    page.goto(f"{app_url}/?place={quote(HOSTILE.id, safe='')}")
    handle, inner = wait_for_map(page)
    expect(panel_head(page)).to_contain_text(HOSTILE.name, timeout=60_000)
    set_view(inner, HOSTILE.lat, HOSTILE.lon + 0.6, 9)  # the marker left of the middle: its name fits
    at, box = locate(inner, HOSTILE.id), handle.bounding_box()
    page.mouse.move(box["x"] + at["x"], box["y"] + at["y"])
    expect(page.frame_locator(MAP).locator(".leaflet-tooltip")).to_contain_text(HOSTILE.name)
    expect(page.frame_locator(MAP).locator(".pw-label", has_text=HOSTILE.name)).to_be_visible()
    # the uploaded one, in the sidebar's list, as literal text
    expect(page.locator("section[data-testid=stSidebar]")).to_contain_text(upload["title"])
    # nothing ran: no flag in the page or the map, no dialog, no javascript: link, no injected tags
    _, inner = wait_for_map(page)
    assert page.evaluate("window.__pwned") is None and inner.evaluate("window.__pwned") is None
    assert not page.dialogs
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("img[src='x']").count() == 0 and inner.locator("img[src='x']").count() == 0
    # and the app never reached past itself: Leaflet, the base map and the data are its own
    assert not page.refused, page.refused
    with Store(data / "placewire.sqlite") as store:  # the tests after this one read the map as an analyst
        for article_id in (pagekit.ATTACK_ID, upload["url"], "https://attack.example/place"):
            assert store.delete(article_id)


def test_a_hosted_copy_is_read_only_whatever_address_the_browser_uses(browser, server, network_server):
    """Listening on the network with no admin secret, nobody may edit, even through "localhost"
    (the Host header, which any client writes, decides nothing); listening on this machine
    only, the page is editable under any name that reaches it."""
    for (app_url, _), host, read_only in (
        (network_server, "127.0.0.1", True), (network_server, "localhost", True),
        (server, "viewer.localhost", False),  # Chromium sends *.localhost to this machine
    ):
        context = browser.new_context(viewport={"width": 1440, "height": 1200})
        pg = context.new_page()
        pg.goto(app_url.replace("127.0.0.1", host))
        wait_for_map(pg)
        pg.get_by_text("Add articles").click()
        uploader = pg.locator('[data-testid="stFileUploader"]')
        if read_only:
            expect(pg.get_by_text("this copy has no admin secret")).to_be_visible(timeout=30_000)
            expect(pg.get_by_text("adding articles needs the admin secret")).to_be_visible()
            assert uploader.count() == 0
        else:
            expect(uploader).to_be_visible(timeout=30_000)
        context.close()


@pytest.fixture(scope="module")
def dated(server, tmp_path_factory):
    """The seeds plus a few articles from January to March 2020, added while the app runs."""
    app_url, data = server
    extra = pagekit.write_jsonl(tmp_path_factory.mktemp("dated") / "dated.jsonl", pagekit.CORPUS)
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PLACEWIRE_DATA", str(data))
        ingest_paths(data / "placewire.sqlite", [pagekit.REPO / "seeds", extra])
    return app_url


def test_the_map_reads_at_a_glance_and_every_place_can_be_chosen(page: Page, dated):
    page.goto(dated)
    handle, inner = wait_for_map(page)
    frame = page.frame_locator(MAP)
    # names with no tile server: the places of the store, and towns for reference, none overlapping
    expect(frame.locator(".pw-label-place", has_text="Aleppo")).to_be_visible(timeout=30_000)
    assert frame.locator(".pw-label-town").count() >= 3
    # the labels shown, measured at one instant (the map lays them out again as it moves)
    boxes = inner.evaluate("""() => [...document.querySelectorAll('.pw-label')]
        .map((e) => e.getBoundingClientRect()).filter((r) => r.width > 0 && r.height > 0)
        .map((r) => ({x: r.x, y: r.y, width: r.width, height: r.height}))""")
    assert len(boxes) >= 4
    assert not any(a["x"] < b["x"] + b["width"] and b["x"] < a["x"] + a["width"] and a["y"] < b["y"] + b["height"]
                   and b["y"] < a["y"] + a["height"] for i, a in enumerate(boxes) for b in boxes[i + 1:])
    # geography drawn from Natural Earth: the coast in view, and the Euphrates where it runs
    drawn = "(name) => placewire.base[name].getLayers().filter((l) => l._parts && l._parts.length).length"
    assert inner.evaluate(drawn, "land") > 0 and inner.evaluate(drawn, "borders") > 0
    set_view(inner, 35.95, 39.0, 8)  # Raqqa, on the Euphrates
    assert inner.evaluate(drawn, "rivers") > 0

    # README screenshot: the Idlib and Aleppo fronts, Aleppo chosen
    set_view(inner, 36.05, 36.9, 8)
    click_marker(page, pagekit.ALEPPO)
    expect(panel_head(page)).to_contain_text("Aleppo", timeout=30_000)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.mouse.move(5, 5)  # no hover tooltip in the picture
    page.wait_for_timeout(800)
    page.screenshot(path=str(SCREENSHOT), clip={"x": 0, "y": 0, "width": 1440, "height": 860})

    # a low zoom: Idlib (city and governorate) and Saraqib form one cluster, their mentions summed
    IDLIB_GOVERNORATE = inner.evaluate(GOVERNORATE_OF, "Idlib")
    assert IDLIB_GOVERNORATE and IDLIB_GOVERNORATE != IDLIB_CITY
    set_view(inner, 35.9, 36.7, 7)
    spots = {pid: locate(inner, pid) for pid in (IDLIB_CITY, IDLIB_GOVERNORATE, SARAQIB)}
    assert all(at["clustered"] for at in spots.values())
    assert len({(round(at["x"]), round(at["y"])) for at in spots.values()}) == 1  # one disc
    at = spots[SARAQIB]
    counts = inner.evaluate("(ids) => ids.map((id) => placewire.place(id).mentions)", list(spots))
    together = inner.evaluate("([x, y]) => document.elementFromPoint(x, y).closest('.pw-cluster').innerText",
                              [at["x"], at["y"]])
    members = inner.evaluate("([x, y]) => placewire.clusterAt(x, y)", [at["x"], at["y"]])
    assert set(spots) <= set(members["ids"]) and int(together) == members["mentions"] >= sum(counts)
    # a click on the cluster zooms in until its places stand apart
    box = handle.bounding_box()
    page.mouse.click(box["x"] + at["x"], box["y"] + at["y"])
    inner.wait_for_function("map.getZoom() > 7", timeout=20_000)
    inner.wait_for_timeout(600)
    assert all(locate(inner, pid)["alone"] for pid in spots)

    # marker after marker, nothing to close in between: the panel follows every click; the city
    # and the governorate of the same name, 10 km apart, each fill it
    for pid, head in ((SARAQIB, "Saraqib"), (IDLIB_CITY, "town or city"), (IDLIB_GOVERNORATE, "governorate"),
                      (SARAQIB, "Saraqib"), (IDLIB_CITY, "town or city")):
        click_marker(page, pid)
        expect(panel_head(page)).to_contain_text(head, timeout=30_000)
        if pid != SARAQIB:
            expect(panel_head(page)).to_contain_text("Idlib")
    assert not page.refused, page.refused


def test_play_steps_the_range_and_the_heat_layer_keeps_the_view(page: Page, dated):
    page.goto(dated)
    handle, inner = wait_for_map(page)
    frame = page.frame_locator(MAP)
    set_view(inner, 36.0, 36.9, 9)
    view = view_of(inner)
    assert inner.evaluate("placewire.place('gn:164816') !== null")  # Saraqib, named from January 20

    # one step forward: the first week of the span, on the map, in its control and the sidebar
    frame.get_by_role("button", name="▶|").click()
    expect(frame.locator(".pw-range")).to_have_text("2020-01-12 – 2020-01-18", timeout=30_000)
    inner.wait_for_function("placewire.drawn >= 2 && placewire.place('gn:164816') === null", timeout=30_000)
    page.wait_for_url("**to=2020-01-18**", timeout=30_000)  # the page's date range (and its link)
    assert view_of(inner) == view  # the reader's view stays
    # play: the range moves on by itself, week by week, until paused
    frame.get_by_role("button", name="▶ Play").click()
    expect(frame.locator(".pw-range")).to_have_text("2020-01-26 – 2020-02-01", timeout=60_000)
    frame.get_by_role("button", name="❚❚ Pause").click()
    settle(page)
    shown = frame.locator(".pw-range").inner_text()
    page.wait_for_timeout(2500)
    assert frame.locator(".pw-range").inner_text() == shown  # paused
    assert view_of(inner) == view

    # the heat layer, on and off: the view stays (the map is never rebuilt)
    set_view(inner, 36.1, 37.0, 10)
    view = view_of(inner)
    page.get_by_text("Heat layer").click()
    inner.wait_for_function("document.querySelector('canvas.leaflet-heatmap-layer') !== null", timeout=30_000)
    settle(page)
    assert view_of(inner) == view
    page.get_by_text("Heat layer").click()
    inner.wait_for_function("document.querySelector('canvas.leaflet-heatmap-layer') === null", timeout=30_000)
    settle(page)
    assert view_of(inner) == view


# ---- issue 9: the timeline, the reader where the user looks, corrections with undo -------------


def sidebar(page: Page):
    return page.locator("section[data-testid=stSidebar]")


def drawer(page: Page):
    return page.get_by_test_id("stDialog")


def on_map(page: Page, ids: set[str], drawn: int = 1) -> set[str]:
    """Which of these places the map shows, once it has drawn `drawn` layers since it mounted."""
    _, inner = wait_for_map(page, drawn)
    return set(inner.evaluate("(ids) => ids.filter((id) => placewire.place(id) !== null)", sorted(ids)))


def test_dragging_on_the_timeline_narrows_the_map(page: Page, server, dated):
    from geodata import queries
    from geodata.queries import Filter

    _, data = server
    conn = queries.connect(data / "placewire.sqlite")
    first, last = queries.date_span(conn)
    shown = Filter(roles=("event",))  # the page's default view: where things happened
    everywhere = {p["place_id"] for p in queries.place_counts(conn, shown)}
    page.goto(dated)
    _, inner = wait_for_map(page)
    assert on_map(page, everywhere) == everywhere
    chart = sidebar(page).get_by_test_id("stVegaLiteChart").first
    chart.scroll_into_view_if_needed()
    expect(chart.locator("canvas, svg").first).to_be_visible(timeout=30_000)

    def drag() -> None:
        box = chart.bounding_box()
        y = box["y"] + box["height"] * 0.45
        page.mouse.move(box["x"] + box["width"] * 0.55, y)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.8, y, steps=10)
        page.mouse.up()
        settle(page)
        page.wait_for_function("new URL(location.href).searchParams.has('from')", timeout=30_000)

    drawn = inner.evaluate("placewire.drawn")
    drag()
    params = parse_qs(urlsplit(page.url).query)
    start, end = params["from"][0], params["to"][0]
    expected = {p["place_id"] for p in queries.place_counts(conn, replace(shown, start=start, end=end))}
    assert first < start <= end < last  # a range inside the span, from the drag
    # the date box follows the drag, and the map shows exactly the places of that range
    box_dates = sidebar(page).locator("[data-testid=stDateInput] input[type=date]")
    expect(box_dates.first).to_have_value(start)
    expect(box_dates.nth(1)).to_have_value(end)
    assert on_map(page, everywhere, drawn + 1) == expected and expected < everywhere

    # a double-click on the chart clears the range: every date again
    box = chart.bounding_box()
    drawn = inner.evaluate("placewire.drawn")
    page.mouse.dblclick(box["x"] + box["width"] * 0.95, box["y"] + box["height"] * 0.45)
    settle(page)
    page.wait_for_function("!new URL(location.href).searchParams.has('from')", timeout=30_000)
    expect(box_dates.first).to_have_value(first)
    assert on_map(page, everywhere, drawn + 1) == everywhere
    # and so does "Whole span", after another drag
    drag()
    drawn = inner.evaluate("placewire.drawn")
    sidebar(page).get_by_role("button", name="Whole span").click()
    settle(page)
    page.wait_for_function("!new URL(location.href).searchParams.has('from')", timeout=30_000)
    assert on_map(page, everywhere, drawn + 1) == everywhere
    conn.close()


def test_an_article_opens_in_view_from_the_panel_and_the_list(page: Page, server, dated):
    app_url, _ = server
    page.goto(app_url)
    click_marker(page, pagekit.ALEPPO)
    expect(panel_head(page)).to_contain_text("Aleppo", timeout=30_000)
    page.mouse.wheel(0, 400)  # the user has scrolled a little
    page.get_by_role("button", name="Read", exact=True).first.click()
    reader = page.locator(".pw-reader")
    expect(reader).to_be_in_viewport(timeout=30_000)
    expect(reader).to_contain_text("Aleppo")
    page.screenshot(path=str(SCREENSHOT.parent / "reader-drawer.png"))
    drawer(page).locator("[data-testid^=stBaseButton]", has_text="Close").click()  # not the X
    expect(reader).to_have_count(0, timeout=30_000)
    expect(panel_head(page)).to_contain_text("Aleppo")  # the same view: place and panel kept

    # from the sidebar's list, far down it
    item = sidebar(page).get_by_role("button").filter(has_text=pagekit.SEED_TITLE).first
    item.scroll_into_view_if_needed()
    item.click()
    expect(reader).to_be_in_viewport(timeout=30_000)
    expect(reader).to_contain_text("Russia and its allies halted air strikes")
    expect(drawer(page)).to_contain_text("from the article's metadata")
    close_reader(page, "Escape")  # dismissing the drawer closes the article too
    expect(reader).to_have_count(0)  # and it stays closed


def snapshot(store: Path) -> list[tuple]:
    import sqlite3

    with sqlite3.connect(store) as conn:
        return conn.execute("SELECT * FROM mentions ORDER BY id").fetchall()


def choose(page: Page, label: str, option: str) -> None:
    """Pick an option of a Streamlit selectbox in the drawer by its text: typed into the box, as
    a user narrows a long list, then taken with Enter (a list redrawn mid-click cannot miss)."""
    box = drawer(page).get_by_label(label)
    box.click()
    page.keyboard.type(option)
    expect(page.get_by_role("option").filter(has_text=option).first).to_be_visible(timeout=30_000)
    page.keyboard.press("Enter")
    settle(page)
    expect(box).to_have_value(re.compile(re.escape(option)))


@pytest.mark.parametrize("scope", ["mention", "article", "name"])
def test_a_correction_changes_exactly_its_scope_and_its_undo_restores_the_store(page: Page, server, dated, scope):
    import sqlite3

    app_url, data = server
    store = data / "placewire.sqlite"
    with sqlite3.connect(store) as conn:
        idlib = conn.execute("SELECT id, start, context FROM mentions WHERE article_id = ? AND norm = 'idlib' "
                             "ORDER BY start", (pagekit.SEED_ID,)).fetchall()
        everywhere = [r[0] for r in conn.execute("SELECT id FROM mentions WHERE norm = 'idlib' AND context = ?",
                                                 (idlib[0][2],))]
    expected = {"mention": {idlib[0][0]}, "article": {r[0] for r in idlib}, "name": set(everywhere)}[scope]
    assert len(expected) == {"mention": 1, "article": len(idlib), "name": len(everywhere)}[scope]
    assert 1 < len(idlib) < len(everywhere)  # three different reaches
    before = snapshot(store)

    page.goto(f"{app_url}/?article={quote(pagekit.SEED_ID, safe='')}")
    expect(page.locator(".pw-reader")).to_be_in_viewport(timeout=120_000)
    wait_for_map(page)  # the map's first report reruns the page: let it, before opening a list
    settle(page)
    drawer(page).get_by_text("Correct a pin").click()
    settle(page)
    choose(page, "Name in the text", f"Idlib (character {idlib[0][1]})")
    drawer(page).get_by_text("Not a place", exact=True).click()
    settle(page)
    label = {"mention": "this mention only", "article": "every “Idlib” in this article",
             "name": "every “Idlib” in articles about Syria"}[scope]
    drawer(page).get_by_text(label).click()
    settle(page)
    expect(drawer(page)).to_contain_text(f"Saving changes {len(expected)} mention")
    assert len(drawer(page).locator(".pw-preview").all()) == len(expected)
    drawer(page).get_by_role("button", name="Save correction").click()
    expect(drawer(page)).to_contain_text("is now not a place", timeout=30_000)

    after = {r[0]: r for r in snapshot(store)}
    was = {r[0]: r for r in before}
    assert {mid for mid in after if after[mid] != was[mid]} == expected  # exactly its scope
    assert all(after[mid][10:13] == (None, was[mid][11], "rejected") for mid in expected)  # place, score, status

    drawer(page).locator("[data-testid^=stBaseButton]", has_text="Close").click()  # not the X
    expect(drawer(page)).to_have_count(0, timeout=30_000)
    sidebar(page).get_by_text("Corrections (", exact=False).click()
    log = sidebar(page).get_by_test_id("stExpanderDetails").filter(has_text="Undo")
    expect(log).to_contain_text("“Idlib”: Idlib", timeout=30_000)
    log.get_by_role("button", name="Undo").first.click()
    expect(sidebar(page)).to_contain_text("back as before", timeout=30_000)
    assert snapshot(store) == before  # byte for byte


# ---- the map's script alone (static/placewire/placemap.js), on layers the test hands it -------

PLACEMAP = "http://placemap.test/"
STATIC = pagekit.REPO / "static"
# The page's scripts as components.assets serves them; `fetch` answers from window.layers (a
# layer held back until window.release[url]() is called), so the test decides what arrives when.
PLACEMAP_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<link rel="stylesheet" href="vendor/leaflet/leaflet.css">
<script src="vendor/leaflet/leaflet.js"></script>
<script src="vendor/leaflet.markercluster/leaflet.markercluster.js"></script>
<script src="vendor/leaflet.heat/leaflet-heat.js"></script>
<script src="placewire/placemap.js"></script></head>
<body style="margin:0"><div id="map" style="width:900px;height:600px"></div><script>
window.layers = {}; window.held = {}; window.release = {};
window.fetch = (url) => (window.held[url] || Promise.resolve())
  .then(() => ({ ok: true, json: () => Promise.resolve(window.layers[url]) }));
window.hold = (url) => { window.held[url] = new Promise((r) => { window.release[url] = r; }); };
window.map = L.map("map", { maxZoom: 18 }).setView([36, 37], 6);  // folium sets maxZoom too
placewire.init(map, { legend: { title: "Latest", colours: [["#d7301f", "new"], ["#2b8cbe", "old"]], notes: [] } });
</script></body></html>"""
RED = {"color": "#7f0000", "fillColor": "#d7301f", "fillOpacity": 0.8, "weight": 1}
BLUE = {"color": "#08306b", "fillColor": "#2b8cbe", "fillOpacity": 0.8, "weight": 1}


def place_row(pid: str, lat: float, lon: float, style: int) -> list:
    """A place as components.map.layer writes it: id, lat, lon, mentions, name, style, radius, kind, last."""
    return [pid, lat, lon, 3, pid, style, 6, 0, None]


@pytest.fixture
def placemap(browser):
    """A page with the map's script alone, and no network at all."""
    if not (STATIC / "vendor" / "leaflet.markercluster").exists():
        pytest.fail("static/vendor is missing: run python -m components.assets (./test.sh does)")
    context = browser.new_context(viewport={"width": 900, "height": 600})

    def serve(route):
        path = route.request.url.removeprefix(PLACEMAP).split("?")[0]
        if path == "":
            route.fulfill(body=PLACEMAP_PAGE, content_type="text/html")
        elif (STATIC / path).is_file() and ".." not in path:
            route.fulfill(path=STATIC / path)
        else:
            route.abort()

    context.route("**/*", lambda route: serve(route) if route.request.url.startswith(PLACEMAP) else route.abort())
    pg = context.new_page()
    pg.goto(PLACEMAP)
    pg.wait_for_function("window.placewire && placewire.drawn === 0")
    yield pg
    context.close()


def test_a_marker_kept_across_layers_takes_the_new_layers_colour(placemap):
    # each file numbers its own styles: style 0 is red in one and blue in the next
    placemap.evaluate("""([a, b]) => { layers['a.json'] = a; layers['b.json'] = b; }""", [
        {"kinds": ["town"], "styles": [RED, BLUE], "places": [place_row("kept", 36.2, 37.1, 0),
                                                              place_row("other", 35.9, 36.6, 1)]},
        {"kinds": ["town"], "styles": [BLUE, RED], "places": [place_row("kept", 36.2, 37.1, 0),
                                                              place_row("other", 35.9, 36.6, 0)]},
    ])
    colours = "() => ['kept', 'other'].map((id) => placewire.place(id).colour)"
    placemap.evaluate("placewire.update({layer: 'a.json', labels: true})")
    placemap.wait_for_function("placewire.drawn === 1")
    assert placemap.evaluate(colours) == [RED["fillColor"], BLUE["fillColor"]]
    placemap.evaluate("placewire.update({layer: 'b.json', labels: true})")
    placemap.wait_for_function("placewire.drawn === 2")
    assert placemap.evaluate(colours) == [BLUE["fillColor"], BLUE["fillColor"]]


def test_a_new_layer_stops_the_drawing_of_the_last_one(placemap):
    big = {"kinds": ["town"], "styles": [RED], "places": [
        place_row(f"big{i}", 30 + (i // 200) * 0.05, 30 + (i % 200) * 0.05, 0) for i in range(40_000)]}
    small = {"kinds": ["town"], "styles": [BLUE], "places": [
        place_row(f"small{i}", 36 + i * 0.3, 37, 0) for i in range(3)]}
    placemap.evaluate("([big, small]) => { layers['big.json'] = big; layers['small.json'] = small; }", [big, small])
    # the next filter comes while the 40,000 markers are going in
    assert placemap.evaluate("""async () => {
        placewire.update({layer: 'big.json'});
        while (placewire.markerCount() === 0) await new Promise((r) => setTimeout(r, 0));
        const drawn = placewire.drawn;
        placewire.update({layer: 'small.json'});
        return drawn;
    }""") == 0
    placemap.wait_for_function("placewire.drawn >= 1")
    # what is left of the big layer would have gone in by now: none of it may
    placemap.wait_for_timeout(4000)
    assert placemap.evaluate("[placewire.drawn, placewire.markerCount()]") == [1, 3]
    assert placemap.evaluate("placewire.place('big7')") is None

    # back to the drawn layer while another is still loading: the drawn one stays
    placemap.evaluate("hold('big.json'); placewire.update({layer: 'big.json'}); placewire.update({layer: 'small.json'})")
    placemap.wait_for_function("placewire.drawn === 2")
    placemap.evaluate("release['big.json']()")
    placemap.wait_for_timeout(500)
    assert placemap.evaluate("[placewire.drawn, placewire.markerCount()]") == [2, 3]
