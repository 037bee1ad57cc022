"""End to end: `streamlit run app.py` driven by a real headless Chromium, offline.

The app starts on an empty data directory (so it ingests seeds/ itself), every request to a host
other than the app is refused (so a map that needs a CDN stays blank and the test fails), and the
test clicks the Aleppo marker, reads the seed's sentence in the panel, opens the reader, selects a
place from the text, reloads a copied link, and shows attack articles as plain text. It saves the
screenshot the README shows (docs/screenshot.png).
"""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from playwright.sync_api import Page, expect, sync_playwright

import pagekit
from conftest import new_data_dir

CHROMIUM = "/usr/bin/chromium"
MAP = 'iframe[title="streamlit_folium.st_folium"]'
SCREENSHOT = pagekit.REPO / "docs" / "screenshot.png"
# Where a marker is drawn, in the map iframe's pixels: found through Leaflet by the place id the
# page put on the feature (the same id a click sends back).
MARKER_AT = """(pid) => {
    let hit = null;
    window.map.eachLayer((l) => { if (l.feature && l.feature.properties.pid === pid) hit = l; });
    if (!hit) return null;
    const p = window.map.latLngToContainerPoint(hit.getLatLng());
    return {x: p.x, y: p.y};
}"""


@pytest.fixture(scope="module")
def server(index_dir, tmp_path_factory):
    """The app, started as users start it, on an empty data directory."""
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: run ./test.sh, which installs Debian's chromium")
    data = new_data_dir(tmp_path_factory.mktemp("e2e"), index_dir)
    with pagekit.serving(data, PLACEWIRE_ADMIN="") as url:
        yield url, data


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


def wait_for_map(page: Page):
    """The map iframe with Leaflet drawn from the app's own files: outlines and markers."""
    page.wait_for_selector(MAP, state="attached", timeout=180_000)
    frame = page.frame_locator(MAP)
    expect(frame.locator("path.leaflet-interactive").first).to_be_visible(timeout=60_000)
    handle = page.query_selector(MAP)
    inner = handle.content_frame()
    assert inner.evaluate("typeof L === 'object' && L.version") == "1.9.4"
    assert inner.evaluate("document.querySelectorAll('.leaflet-overlay-pane path').length") > 100  # outlines
    assert handle.bounding_box()["height"] > 300  # a blank map (assets missing) stays at height 0
    expect(frame.locator(".leaflet-control-attribution")).to_contain_text("GeoNames")
    return handle, inner


def click_marker(page: Page, place_id: str) -> None:
    """A mouse click at the marker's centre (markers overlap, so an element click may miss)."""
    handle, inner = wait_for_map(page)
    handle.scroll_into_view_if_needed()
    point = inner.evaluate(MARKER_AT, place_id)
    assert point, f"no marker for {place_id} on the map"
    box = handle.bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def settle(page: Page) -> None:
    """Wait until the script run the last action caused has finished (the status widget goes)."""
    page.wait_for_timeout(300)
    expect(page.locator("[data-testid=stStatusWidget]")).to_have_count(0, timeout=120_000)


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
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.mouse.move(5, 5)  # no hover tooltip in the picture
    page.wait_for_timeout(500)
    page.screenshot(path=str(SCREENSHOT))

    # a name in the text selects its place on the map and in the panel
    reader.locator("button.pw-name", has_text="Idlib").first.click()
    expect(panel_head(page)).to_contain_text("Idlib", timeout=30_000)
    # the same Aleppo marker again: the panel follows the click
    click_marker(page, pagekit.ALEPPO)
    expect(panel_head(page)).to_contain_text("Aleppo", timeout=30_000)

    # Copy link, open it in a new tab: same place, article and map view
    settle(page)
    page.get_by_role("button", name="Copy link").click()
    field = page.locator(".pw-share input")
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
    expect(other.locator(".pw-reader")).to_contain_text("Russia and its allies halted air strikes")
    _, inner = wait_for_map(other)
    again = inner.evaluate("[map.getCenter().lat, map.getCenter().lng, map.getZoom()]")
    assert again[2] == view[2] and abs(again[0] - view[0]) < 0.01 and abs(again[1] - view[1]) < 0.01
    other.close()

    # attacks: one uploaded through the page (the loader's path), one stored raw
    with pytest.MonkeyPatch.context() as env:
        env.setenv("PLACEWIRE_DATA", str(data))  # the parser's cache goes to the app's data directory
        pagekit.store_raw(data / "placewire.sqlite", pagekit.ATTACK)
    settle(page)
    page.get_by_text("Add articles").click()
    upload = dict(pagekit.ATTACK, url="https://attack.example/upload", title=pagekit.ATTACK["title"] + " 2")
    page.locator("input[type=file]").set_input_files(
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
    click_marker(page, pagekit.ALEPPO)
    expect(panel(page).filter(has_text="<script>window.__pwned=1</script>").first).to_be_visible(timeout=30_000)
    expect(page.frame_locator(MAP).locator(".leaflet-popup-content")).to_contain_text(
        "<script>window.__pwned=1</script>Attack **bold** [x](javascript:alert(1)) :red[big] {{ 7*7 }}")
    # the uploaded one, in the sidebar's list, as literal text
    expect(page.locator("section[data-testid=stSidebar]")).to_contain_text(upload["title"])
    # nothing ran: no flag in the page or the map, no dialog, no javascript: link, no injected tags
    _, inner = wait_for_map(page)
    assert page.evaluate("window.__pwned") is None and inner.evaluate("window.__pwned") is None
    assert not page.dialogs
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("img[src='x']").count() == 0 and inner.locator("img[src='x']").count() == 0
    # and the app never reached past itself: Leaflet, jQuery and outlines are its own
    assert not page.refused, page.refused


def test_a_hosted_copy_is_read_only_by_default(browser, server):
    """Reached through any address but localhost, with no admin secret set, nobody may edit."""
    app_url, _ = server
    for host, read_only in (("viewer.localhost", True), ("localhost", False)):
        # Chromium sends *.localhost to this machine, with that name in the Host header
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
