"""The page's logic, run headless with streamlit.testing's AppTest on real stores.

Each test gets its own data directory (PLACEWIRE_DATA) with a real SQLite store filled by
geodata's own loader, parser and store. AppTest cannot click inside the map's iframe, so the
marker-click tests replace streamlit_folium's st_folium with a stand-in that returns the click
the browser would send: the clicked feature, taken from the very map the page built.
"""
from __future__ import annotations

import csv
import html
import io
import json
import re
import sqlite3
import time

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

import pagekit
from components.export import export_text
from components.ingest import ingest_files, ingest_paths
from components import reader as reader_module
from components.markup import md_escape

TIMEOUT = 180


@pytest.fixture
def data(data_dir):
    """An empty data directory for the page (PLACEWIRE_DATA), no admin secret (a laptop)."""
    return data_dir


@pytest.fixture
def corpus(data, tmp_path):
    """The seeds plus a few dated articles and an undated one, ingested through geodata."""
    ingest_paths(data / "placewire.sqlite", [pagekit.REPO / "seeds"])
    extra = pagekit.write_jsonl(tmp_path / "extra.jsonl", pagekit.CORPUS)
    [report] = ingest_files(data / "placewire.sqlite", [(extra.name, extra.read_bytes())])
    assert report.added == len(pagekit.CORPUS), report
    return data


class FakeMap:
    """Stands in for st_folium: records each map; a queued click comes back as the browser's would.

    The browser sends the clicked GeoJSON feature and a click counter that grows on every click;
    streamlit-folium then calls the page's on_change callback and Streamlit reruns the script.
    """

    def __init__(self):
        self.maps = []
        self.clicks: list[str] = []
        self.count = 0
        self.value = None

    def __call__(self, fig, key=None, on_change=None, **kwargs):
        self.maps.append(fig)
        if self.clicks:
            place_id = self.clicks.pop(0)
            feature = next(f for f in features(fig) if html.unescape(f["properties"]["pid"]) == place_id)
            self.count += 2  # Leaflet fires the click on the marker and on its layer
            self.value = {"last_active_drawing": feature, "last_object_clicked_count": self.count}
            st.session_state[key] = self.value
            on_change()
            st.rerun()
        return self.value


def features(fig) -> list[dict]:
    """The place features of a folium map the page built (the JSON the browser receives)."""
    data = next(c for c in fig._children.values() if type(c).__name__ == "_LayerData")
    assert getattr(data.layer, "layer_name", None) == "places"
    return json.loads(data.payload)["features"]


@pytest.fixture
def fake_map(monkeypatch):
    fake = FakeMap()
    monkeypatch.setattr("components.map.st_folium", fake)
    return fake


def app(**query) -> AppTest:
    at = AppTest.from_file(str(pagekit.REPO / "app.py"), default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def url_state(at) -> dict[str, list[str]]:
    """The page's query parameters, each as a list of values."""
    return {k: v if isinstance(v, list) else [v] for k, v in at.query_params.items()}


def panel_entries(at) -> list[str]:
    return [h.value for h in at.html if 'class="pw-mention"' in h.value]


def panel_head(at) -> str:
    return next(h.value for h in at.html if "pw-panel-head" in h.value)


def place_names(fig) -> set[str]:
    return {re.sub(r" · \d+$", "", html.unescape(f["properties"]["tip"])) for f in features(fig)}


def reader_data(at) -> dict:
    comp = next(e for e in at.main if getattr(e, "type", "") == "bidi_component"
                and e.proto.component_name == "placewire.reader")
    return json.loads(comp.proto.json)


def map_element(at):
    return next(e for e in at.main if getattr(e, "type", "") == "component_instance")


# ---- first start --------------------------------------------------------------------------


def test_first_start_ingests_the_seeds_and_opens_on_idlib_and_aleppo(data):
    at = app().run()
    assert not at.exception
    assert (data / "placewire.sqlite").exists()
    # the real st_folium element: its generated map holds the places and fits Idlib and Aleppo
    args = json.loads(map_element(at).proto.json_args)
    assert {"Aleppo · 1", "Idlib · 4"} <= script_tips(args["script"])
    assert "addData(" in args["script"] and "feature_group" in args["feature_group"]
    south, west, north, east = map(float, re.search(
        r"fitBounds\(\s*\[\[([\d.-]+),\s*([\d.-]+)\],\s*\[([\d.-]+),\s*([\d.-]+)\]\]", args["script"]).groups())
    conn = sqlite3.connect(data / "placewire.sqlite")
    spots = conn.execute("SELECT lat, lon FROM places WHERE name IN ('Aleppo', 'Idlib')").fetchall()
    conn.close()
    assert len(spots) >= 2
    for lat, lon in spots:
        assert south <= lat <= north and west <= lon <= east
    assert north < 50  # the one "Moscow says" does not stretch the view to Russia
    # offline: Leaflet comes from the app's own static files, never a CDN
    assert all(link.startswith("/app/static/vendor/") for link in args["js_links"] + args["css_links"])
    assert any("GeoNames" in s and "CC BY 4.0" in s for s in [args["script"]])
    assert any(md_escape(pagekit.SEED_TITLE) in b.label for b in at.sidebar.button)


# ---- clicks -------------------------------------------------------------------------------


def test_a_click_updates_the_panel_every_time_even_on_the_same_marker(corpus, fake_map):
    at = app().run()
    assert not panel_entries(at)
    fake_map.clicks.append(pagekit.ALEPPO)
    at.run()
    assert "Aleppo" in panel_head(at)
    entries = panel_entries(at)
    assert len(entries) == 4  # seed, two dated articles, the undated bulletin: no date filter
    assert any(pagekit.SEED_ALEPPO in e and ">Aleppo</mark>" in e for e in entries)
    dates = [re.search(r"(\d{4}-\d\d-\d\d|date unknown)", e).group(1) for e in entries]
    assert dates == ["2020-02-05", "2020-01-20", "2020-01-12", "date unknown"]  # newest first

    # another place selected elsewhere (the search), then the same Aleppo marker again
    at.text_input(key="search").input("Saraqeb").run()
    at.button(key="pick_gn:164816").click().run()
    assert "Saraqib" in panel_head(at)
    fake_map.clicks.append(pagekit.ALEPPO)
    at.run()
    assert "Aleppo" in panel_head(at)
    # and another marker
    idlib = next(html.unescape(f["properties"]["pid"]) for f in features(fake_map.maps[-1])
                 if f["properties"]["tip"].startswith("Idlib") and "state" in f["properties"]["pid"])
    fake_map.clicks.append(idlib)
    at.run()
    assert "Idlib" in panel_head(at) and "governorate" in panel_head(at)
    assert at.session_state["place"] == idlib


def test_read_opens_the_article_and_a_name_in_it_selects_its_place(corpus, fake_map, monkeypatch):
    fake_map.clicks.append(pagekit.ALEPPO)
    at = app().run()
    reads = [b for b in at.main.button if b.key.startswith("read_")]
    assert [b.label for b in reads] == ["Read"] * 4
    reads[2].click().run()  # newest first: the seed is the third
    assert at.session_state["article"] == pagekit.SEED_ID
    data = reader_data(at)
    text = "".join(s["text"] for s in data["segments"])
    assert text.startswith("Russia and its allies halted air strikes")
    names = {s["text"] for s in data["segments"] if s.get("place")}
    assert {"Idlib", "Aleppo"} <= names
    assert [e.proto.url for e in at.main.get("link_button")] == [pagekit.SEED_ID]

    # clicking "Idlib" in the text: the browser sends its place id once, as a trigger value
    idlib = next(s["place"] for s in data["segments"] if s.get("text") == "Idlib")
    mount = reader_module._TEXT
    sent = [idlib]

    def click_once(**kwargs):
        mount(**kwargs)
        return type("Result", (), {"place": sent.pop() if sent else None})()

    monkeypatch.setattr(reader_module, "_TEXT", click_once)
    at.run()
    assert at.session_state["place"] == idlib
    assert "Idlib" in panel_head(at)


# ---- filters ------------------------------------------------------------------------------


def test_the_date_range_filters_map_panel_and_article_list(corpus, fake_map):
    from datetime import date

    at = app().run()
    assert {"Aleppo", "Saraqib", "Idlib"} <= place_names(fake_map.maps[-1])
    at.date_input(key="dates").set_value((date(2020, 2, 1), date(2020, 2, 28))).run()
    names = place_names(fake_map.maps[-1])
    assert "Aleppo" in names and "Saraqib" not in names  # Saraqeb is named in January and March only
    labels = [b.label for b in at.sidebar.button if b.key.startswith("open_")]
    assert len(labels) == 1 and "Ceasefire talks in February" in labels[0]
    assert any(e.label == "Unknown date: 1 article" for e in at.sidebar.expander)
    assert any("Undated bulletin" in b.label for b in at.sidebar.button if b.key.startswith("undated_"))
    fake_map.clicks.append(pagekit.ALEPPO)
    at.run()
    entries = panel_entries(at)
    assert len(entries) == 1 and "2020-02-05" in entries[0]
    assert url_state(at)["from"] == ["2020-02-01"] and url_state(at)["to"] == ["2020-02-28"]


def test_search_finds_a_place_by_any_spelling(corpus):
    at = app().run()
    # the text says Saraqeb, GeoNames says Saraqib; Halab is Aleppo's Arabic name (GeoNames alternate)
    for spelling, place in (("SARAQEB", "gn:164816"), ("Sarāqib", "gn:164816"), ("saraqib", "gn:164816"),
                            ("Halab", pagekit.ALEPPO), ("Aleppo", pagekit.ALEPPO)):
        at.text_input(key="search").input(spelling).run()
        assert any(b.key == f"pick_{place}" for b in at.sidebar.button), spelling
    at.text_input(key="search").input("Nowhere-at-all").run()
    assert not any(b.key.startswith("pick_") for b in at.sidebar.button)
    at.text_input(key="search").input("Saraqeb").run()
    at.button(key="pick_gn:164816").click().run()
    assert at.session_state["place"] == "gn:164816"
    assert len(panel_entries(at)) == 3  # January, March and the undated bulletin


def test_source_and_words_filters(corpus, fake_map):
    at = app().run()
    at.multiselect(key="sources").set_value(["Wire A"]).run()
    assert place_names(fake_map.maps[-1]) >= {"Saraqib", "Aleppo", "Idlib"}
    labels = [b.label for b in at.sidebar.button if b.key.startswith("open_")]
    assert len(labels) == 2
    at.text_input(key="words").input("convoys").run()
    labels = [b.label for b in at.sidebar.button if b.key.startswith("open_")]
    assert len(labels) == 1 and "March report" in labels[0]
    assert "Aleppo" not in place_names(fake_map.maps[-1])


def test_layer_toggles_country_pins_demonyms_and_heat(corpus, fake_map):
    from folium.plugins import HeatMap

    at = app().run()
    assert not place_names(fake_map.maps[-1]) & {"Syria", "Russia", "Turkey"}  # country pins off
    assert not any(isinstance(c, HeatMap) for c in fake_map.maps[-1]._children.values())

    at.toggle(key="countries").set_value(True).run()
    syria = next(f["properties"] for f in features(fake_map.maps[-1]) if f["properties"]["tip"].startswith("Syria ·"))
    assert syria["style"]["dashArray"] and syria["style"]["fillOpacity"] < 0.1  # a country's pin looks vague
    toponyms = int(syria["tip"].rsplit(" · ", 1)[1])
    at.toggle(key="demonyms").set_value(True).run()
    syria = next(f["properties"] for f in features(fake_map.maps[-1]) if f["properties"]["tip"].startswith("Syria ·"))
    assert int(syria["tip"].rsplit(" · ", 1)[1]) > toponyms  # "Syrian" now counts for Syria

    at.toggle(key="heat").set_value(True).run()
    heat = [c for c in fake_map.maps[-1]._children.values() if isinstance(c, HeatMap)]
    assert len(heat) == 1 and all(src.startswith("/app/static/vendor/") for _, src in heat[0].default_js)


# ---- share --------------------------------------------------------------------------------


def test_the_url_carries_the_state_and_restores_it(corpus, fake_map):
    at = app().run()
    fake_map.clicks.append(pagekit.ALEPPO)
    at.run()
    at.toggle(key="countries").set_value(True).run()
    at.text_input(key="words").input("Aleppo").run()
    at.multiselect(key="kinds").set_value(["city", "country"]).run()
    [b for b in at.main.button if b.key.startswith("read_")][0].click().run()
    shared = url_state(at)
    assert shared["place"] == [pagekit.ALEPPO] and shared["countries"] == ["1"]
    assert shared["kind"] == ["city", "country"] and shared["q"] == ["Aleppo"] and shared["article"]

    # a colleague opens the copied link (with a map view the Copy control added)
    again = app(**{k: v if len(v) > 1 else v[0] for k, v in shared.items()}, lat="36.1", lon="37.0", zoom="9")
    again.run()
    assert again.session_state["place"] == pagekit.ALEPPO
    assert again.session_state["article"] == shared["article"][0]
    assert again.session_state["kinds"] == ["city", "country"] and again.session_state["countries"] is True
    assert again.session_state["words"] == "Aleppo"
    assert "Aleppo" in panel_head(again)
    assert reader_data(again)["segments"]
    shown = fake_map.maps[-1]
    assert list(shown.location) == [36.1, 37.0] and shown.options["zoom"] == 9
    assert not any(type(c).__name__ == "FitBounds" for c in shown._children.values())


def test_bad_url_parameters_are_ignored(corpus):
    at = app(place="<script>", **{"from": "2020-13-45"}, zoom="x", kind="bogus", source="nope").run()
    assert not at.exception
    assert at.session_state["kinds"] == [] and at.session_state["sources"] == []
    assert at.session_state["view"] is None


# ---- editing: read-only mode, corrections, upload --------------------------------------------


def test_read_only_without_the_admin_secret(corpus, monkeypatch):
    monkeypatch.setenv("PLACEWIRE_ADMIN", "s3cret")
    at = app(article=pagekit.SEED_ID).run()
    assert not at.sidebar.get("file_uploader")
    assert any("Read-only" in c.value for c in at.sidebar.caption)
    assert at.button(key="correct_save").disabled
    assert not any(b.key == "delete_article" for b in at.main.button)

    at.text_input(key="admin_secret").input("wrong")
    at.sidebar.get("form_submit_button")[0].click().run()
    assert any("not the admin secret" in e.value for e in at.sidebar.error)
    assert at.button(key="correct_save").disabled and not at.sidebar.get("file_uploader")

    at.text_input(key="admin_secret").input("s3cret")
    at.sidebar.get("form_submit_button")[0].click().run()
    assert not at.button(key="correct_save").disabled
    assert at.sidebar.get("file_uploader")
    assert any(b.key == "delete_article" for b in at.main.button)


def test_the_admin_secret_can_come_from_streamlit_secrets(corpus):
    at = app(article=pagekit.SEED_ID)
    at.secrets["PLACEWIRE_ADMIN"] = "from-secrets"
    at.run()
    assert at.button(key="correct_save").disabled and not at.sidebar.get("file_uploader")
    at.text_input(key="admin_secret").input("from-secrets")
    at.sidebar.get("form_submit_button")[0].click().run()
    assert not at.button(key="correct_save").disabled


def test_without_a_secret_configured_editing_is_on(corpus):
    at = app(article=pagekit.SEED_ID).run()
    assert at.sidebar.get("file_uploader") and not at.button(key="correct_save").disabled
    assert not any(e.key == "admin_secret" for e in at.sidebar.text_input)


def test_a_correction_persists_and_applies_to_the_same_name(corpus):
    at = app(article=pagekit.SEED_ID).run()
    at.selectbox(key="correct_mention").set_value(reader_mention(corpus, "Aleppo"))
    at.radio(key="correct_action").set_value("Not a place").run()
    at.button(key="correct_save").click().run()
    assert any("not a place" in s.value for s in at.main.success)
    with sqlite3.connect(corpus / "placewire.sqlite") as conn:
        statuses = {r[0] for r in conn.execute("SELECT status FROM mentions WHERE norm = 'aleppo' AND context = 'SY'")}
        assert conn.execute("SELECT place_id FROM corrections WHERE name = 'aleppo'").fetchone() == (None,)
    assert statuses == {"rejected"}  # the seed's Aleppo and the other articles' alike
    fresh = app().run()  # a new session: the correction is in the store, not in the session
    assert "Aleppo" not in fresh_names(fresh) and "Idlib" in fresh_names(fresh)

    # pick another candidate: "Idlib" becomes the city, for every mention in the same context
    at.selectbox(key="correct_mention").set_value(reader_mention(corpus, "Idlib")).run()
    at.radio(key="correct_action").set_value("Another place").run()
    options = at.selectbox(key="correct_place").options
    city = next(i for i, label in enumerate(options) if label.startswith("Idlib (town or city"))
    at.selectbox(key="correct_place").select_index(city).run()
    at.button(key="correct_save").click().run()
    with sqlite3.connect(corpus / "placewire.sqlite") as conn:
        places = {r[0] for r in conn.execute("SELECT place_id FROM mentions WHERE norm = 'idlib' AND context = 'SY'")}
    assert places == {"gn:169389"}


def reader_mention(data, surface: str) -> dict:
    """The page's own mention dict for the first `surface` in the seed (the selectbox's options)."""
    from geodata import queries

    conn = queries.connect(data / "placewire.sqlite")
    try:
        article = queries.article(conn, pagekit.SEED_ID)
    finally:
        conn.close()
    return next(m for m in article["mentions"] if m["surface"] == surface)


def script_tips(script: str) -> set[str]:
    """The tooltips of the place markers in a generated map script (unescaped)."""
    data = json.loads(re.search(r"\.addData\((\{.*\})\);", script).group(1))
    return {html.unescape(f["properties"]["tip"]) for f in data["features"]}


def fresh_names(at) -> set[str]:
    script = json.loads(map_element(at).proto.json_args)["script"]
    return {tip.rsplit(" · ", 1)[0] for tip in script_tips(script)}


def test_upload_reports_each_file_and_adds_the_good_ones(corpus, tmp_path):
    at = app().run()
    good = json.dumps({"title": "Uploaded", "date": "2020-04-02", "source": "Up",
                       "text": "Clashes were reported in Saraqeb and Aleppo."}).encode()
    at.sidebar.get("file_uploader")[0].set_value([("good.json", good, "application/json"),
                                                  ("broken.json", b"{not json", "application/json")])
    at.run()
    at.button(key="upload_go").click().run()
    for _ in range(120):  # the ingest runs in a worker thread; the page polls it
        if "upload_job" not in at.session_state:
            break
        time.sleep(0.5)
        at.run()
    at.run()
    reports = [e.value for e in at.sidebar.success] + [e.value for e in at.sidebar.warning]
    assert any(r.startswith(md_escape("good.json: 1 article added")) for r in reports), reports
    assert any(r.startswith(md_escape("broken.json: 0 articles added")) and "problem" in r for r in reports)
    assert any("broken.json" in t.value for t in at.sidebar.text)
    assert any("Uploaded" in b.label for b in at.sidebar.button if b.key.startswith("open_"))


# ---- export -------------------------------------------------------------------------------


def test_export_holds_exactly_the_current_filter(corpus):
    from datetime import date

    at = app().run()
    at.date_input(key="dates").set_value((date(2020, 1, 15), date(2020, 3, 31))).run()
    at.multiselect(key="sources").set_value(["Wire A"]).run()
    labels = {b.label for b in at.sidebar.get("download_button")}
    assert labels == {"CSV", "GeoJSON"}
    flt = at.session_state["filter"]
    rows = list(csv.DictReader(io.StringIO(export_text(corpus / "placewire.sqlite", flt, "csv"))))
    assert rows and {r["source"] for r in rows} == {"Wire A"}
    assert all("2020-01-15" <= r["published"] <= "2020-03-31" for r in rows)
    assert {r["title"] for r in rows} == {"Shelling near Saraqeb", "March report"}
    sentences = {r["sentence"] for r in rows if r["surface"] == "Saraqeb"}
    assert sentences == {"Government forces shelled Saraqeb in Syria on Monday.", "Saraqeb remained contested."}
    geo = json.loads(export_text(corpus / "placewire.sqlite", flt, "geojson"))
    assert len(geo["features"]) == len(rows)
    assert all(f["geometry"]["type"] == "Point" for f in geo["features"])


# ---- safety -------------------------------------------------------------------------------


def test_an_attack_article_is_shown_as_text_everywhere(corpus, fake_map, tmp_path):
    pagekit.store_raw(corpus / "placewire.sqlite", pagekit.ATTACK)
    fake_map.clicks.append(pagekit.ALEPPO)
    at = app(article=pagekit.ATTACK_ID).run()

    # HTML: map popups and tooltips, panel, reader header
    props = [f["properties"] for f in features(fake_map.maps[-1])]
    bodies = [p["popup"] for p in props] + [p["tip"] for p in props] + [h.value for h in at.html]
    assert any("&lt;script&gt;window.__pwned=1&lt;/script&gt;" in b for b in bodies)
    assert any("&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;" in b for b in bodies)
    assert any("{{ 7*7 }}" in p["popup"] for p in props)  # Jinja syntax stays text, never evaluated
    assert not any("49" in p["popup"] for p in props)
    for body in bodies:
        lowered = body.lower()
        assert "<script" not in lowered and "<img" not in lowered and "href=\"javascript" not in lowered
    # no link to a javascript: URL
    assert not at.main.get("link_button")
    # Markdown labels: every special character escaped, so nothing renders as a link or emphasis
    label = next(b.label for b in at.sidebar.button if "Attack" in b.label)
    assert r"\*\*bold\*\*" in label and r"\[x\]\(javascript\:alert\(1\)\)" in label and r"\:red\[big\]" in label
    # the reader gets the text as data and builds text nodes from it (checked in the browser test)
    text = "".join(s["text"] for s in reader_data(at)["segments"])
    assert "<script>window.__pwned=3</script>" in text
