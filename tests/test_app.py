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
from components import layers
from components import map as placemap
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
    """Stands in for st_folium: records each map drawn; an event comes back as the browser's would.

    The page's map script sends {"pw": {type, ..., seq, mount}} (a marker click or a play step)
    with a counter that grows on every event; streamlit-folium then calls the page's on_change
    callback and Streamlit reruns the script. A queued click is answered within the run (the page
    only sets the selected place); `step` goes the real way, the callback before the next run.
    """

    def __init__(self):
        self.maps: list[Drawn] = []
        self.clicks: list[str] = []
        self.seq = 0
        self.value = None

    def __call__(self, fig, key=None, on_change=None, feature_group_to_add=None, **kwargs):
        drawn = Drawn(fig, update_payload(feature_group_to_add))
        self.maps.append(drawn)
        # what the browser's event triggers: the callback before the rerun (see `step`)
        st.button("map event", key="fake_map_event", on_click=on_change)
        if self.clicks:
            place_id = self.clicks.pop(0)
            assert place_id in {f["pid"] for f in features(drawn)}, f"no marker for {place_id}"
            st.session_state[key] = self.event({"type": "select", "pid": place_id})
            on_change()
            st.rerun()
        return self.value

    def event(self, event: dict) -> dict:
        self.seq += 1
        self.value = {"pw": {**event, "seq": self.seq, "mount": "fake"}}
        return self.value

    def step(self, at, direction: int, unit: str) -> None:
        """The play control's step: the value set, the page's callback, then the rerun."""
        at.session_state["map"] = self.event({"type": "step", "dir": direction, "unit": unit})
        at.button(key="fake_map_event").click().run()


class Drawn:
    """One map as the page drew it: the folium map and the state its update script carries."""

    def __init__(self, fig, payload: str):
        self.fig, self.payload, self.state = fig, payload, json.loads(payload)


def update_payload(group) -> str:
    """The JSON in the `placewire.update(...)` call the page adds to the map's feature group."""
    return next(c for c in group._children.values() if type(c).__name__ == "_Update").state


def features(drawn: Drawn) -> list[dict]:
    """The places of the map's layer file, as the browser reads them."""
    return layer_places(drawn.state["layer"])


def layer_places(url: str) -> list[dict]:
    data = json.loads(layers.path_of(url).read_text(encoding="utf-8"))
    keys = ("pid", "lat", "lon", "mentions", "name", "style", "radius", "kind", "last")
    return [dict(zip(keys, row), style=data["styles"][row[5]], kind=data["kinds"][row[7]]) for row in data["places"]]


@pytest.fixture
def fake_map(monkeypatch):
    fake = FakeMap()
    monkeypatch.setattr("components.map.st_folium", fake)
    return fake


def app(**query) -> AppTest:
    """The page; unless asked otherwise, on "every place named" (the event view has its own
    tests, in test_app_roles.py)."""
    at = AppTest.from_file(str(pagekit.REPO / "app.py"), default_timeout=TIMEOUT)
    query.setdefault("show", "named")
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


def place_names(drawn: Drawn) -> set[str]:
    return {f["name"] for f in features(drawn)}


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
    # the real st_folium element: a map that loads the places of the filter from a static file
    args = json.loads(map_element(at).proto.json_args)
    state = script_state(args["feature_group"])
    counts = {(f["name"], f["kind"]): f["mentions"] for f in layer_places(state["layer"])}
    assert counts[("Aleppo", "town or city")] == 1 and counts[("Idlib", "governorate or province")] == 4
    assert state["layer"].startswith("/app/static/layers/places-") and "placewire.init(" in args["script"]
    (south, west), (north, east) = state["fit"]
    conn = sqlite3.connect(data / "placewire.sqlite")
    spots = conn.execute("SELECT lat, lon FROM places WHERE name IN ('Aleppo', 'Idlib')").fetchall()
    conn.close()
    assert len(spots) >= 2
    for lat, lon in spots:
        assert south <= lat <= north and west <= lon <= east
    assert north < 50  # the one "Moscow says" does not stretch the view to Russia
    # offline: Leaflet, its plugins, the base map and the data come from the app's own static files
    assert all(link.startswith(("/app/static/vendor/", "/app/static/placewire/"))
               for link in args["js_links"] + args["css_links"])
    assert "/app/static/vendor/natural-earth/world_50m.json" in args["script"]
    assert state["reference"].startswith("/app/static/layers/reference-")
    assert "GeoNames" in args["script"] and "CC BY 4.0" in args["script"] and "Natural Earth" in args["script"]
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
    # (the words that decided the mention's role are in bold: "<b class="pw-trigger">shelling</b>")
    assert any(pagekit.SEED_ALEPPO in re.sub(r'</?b[^>]*>', "", e) and ">Aleppo</mark>" in e for e in entries)
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
    idlib = next(f["pid"] for f in features(fake_map.maps[-1])
                 if f["name"] == "Idlib" and f["kind"] == "governorate or province")
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


def test_layer_toggles_country_pins_demonyms_heat_and_names(corpus, fake_map):
    at = app().run()
    assert not place_names(fake_map.maps[-1]) & {"Syria", "Russia", "Turkey"}  # country pins off
    assert fake_map.maps[-1].state["heat"] is False and fake_map.maps[-1].state["labels"] is True

    at.toggle(key="countries").set_value(True).run()
    syria = next(f for f in features(fake_map.maps[-1]) if f["name"] == "Syria")
    assert syria["style"]["dashArray"] and syria["style"]["fillOpacity"] < 0.5  # a country's pin looks vague
    at.toggle(key="demonyms").set_value(True).run()
    assert next(f for f in features(fake_map.maps[-1]) if f["name"] == "Syria")["mentions"] > syria["mentions"]

    at.toggle(key="heat").set_value(True).run()
    at.toggle(key="labels").set_value(False).run()
    assert fake_map.maps[-1].state["heat"] is True and fake_map.maps[-1].state["labels"] is False
    assert url_state(at)["heat"] == ["1"] and url_state(at)["labels"] == ["0"]


def test_clicks_toggles_and_dates_send_a_small_update_and_keep_the_map(corpus):
    """The map element's script is the same after every action (so the browser keeps the map and
    the reader's view), the places travel as a file, and only a small update changes."""
    from datetime import date

    at = app().run()
    first = json.loads(map_element(at).proto.json_args)
    at.session_state["place"] = pagekit.ALEPPO  # what the map's click handler does
    at.run()
    clicked = json.loads(map_element(at).proto.json_args)
    at.toggle(key="heat").set_value(True).run()
    heat = json.loads(map_element(at).proto.json_args)
    at.date_input(key="dates").set_value((date(2020, 2, 1), date(2020, 2, 28))).run()
    dated = json.loads(map_element(at).proto.json_args)
    assert first["script"] == clicked["script"] == heat["script"] == dated["script"]
    assert script_state(clicked["feature_group"])["selected"]["id"] == pagekit.ALEPPO
    assert script_state(heat["feature_group"])["heat"] is True
    assert script_state(dated["feature_group"])["layer"] != script_state(heat["feature_group"])["layer"]
    for args in (first, clicked, heat, dated):
        text = json.dumps(args)
        assert len(text) < 12_000 and "Saraqib" not in text  # the places are in the file only


def test_markers_are_coloured_by_the_recency_of_their_latest_mention(corpus, fake_map):
    from datetime import date

    at = app().run()  # the whole span, 2020-01-12 to 2020-03-01
    towns = {f["name"]: f for f in features(fake_map.maps[-1]) if f["kind"] == "town or city"}
    colours = [colour for _, colour, _ in placemap.RECENCY]
    # Saraqeb is named on the span's last day; Aleppo last on 2020-02-05, 25 days before
    assert towns["Saraqib"]["last"] == "2020-03-01" and towns["Saraqib"]["style"]["fillColor"] == colours[0]
    assert towns["Aleppo"]["last"] == "2020-02-05" and towns["Aleppo"]["style"]["fillColor"] == colours[1]
    assert "dashArray" not in towns["Aleppo"]["style"]  # a town is drawn solid, an area dashed
    assert all(f["style"]["dashArray"] for f in features(fake_map.maps[-1]) if f["kind"] != "town or city")
    # counted back from the range's end: in January, Aleppo's 2020-01-20 is that range's latest week
    at.date_input(key="dates").set_value((date(2020, 1, 12), date(2020, 1, 25))).run()
    towns = {f["name"]: f for f in features(fake_map.maps[-1]) if f["kind"] == "town or city"}
    assert towns["Aleppo"]["last"] == "2020-01-20" and towns["Aleppo"]["style"]["fillColor"] == colours[0]
    assert fake_map.maps[-1].state["range"]["end"] == "2020-01-25"


def test_play_steps_the_dates_week_by_week_and_the_map_follows(corpus, fake_map):
    from datetime import date

    at = app().run()
    assert fake_map.maps[-1].state["range"] == {"start": "2020-01-12", "end": "2020-03-01", "unit": "week",
                                                "at_end": True}
    fake_map.step(at, 1, "week")  # the first step plays from the span's first week
    assert at.session_state["dates"] == (date(2020, 1, 12), date(2020, 1, 18))
    week1 = fake_map.maps[-1]
    assert week1.state["range"] == {"start": "2020-01-12", "end": "2020-01-18", "unit": "week", "at_end": False}
    assert "Aleppo" in place_names(week1) and "Saraqib" not in place_names(week1)  # Saraqeb: from Jan 20
    fake_map.step(at, 1, "week")
    week2 = fake_map.maps[-1]
    assert week2.state["range"]["start"] == "2020-01-19" and week2.state["range"]["end"] == "2020-01-25"
    assert "Saraqib" in place_names(week2) and week2.state["layer"] != week1.state["layer"]
    labels = [b.label for b in at.sidebar.button if b.key.startswith("open_")]
    assert len(labels) == 1 and "Shelling near Saraqeb" in labels[0]  # the article list follows too
    fake_map.step(at, 1, "month")  # a week-long range moves by a month
    assert at.session_state["dates"] == (date(2020, 2, 19), date(2020, 2, 25))
    assert fake_map.maps[-1].state["range"]["unit"] == "month"
    fake_map.step(at, 1, "month")
    fake_map.step(at, 1, "month")
    assert at.session_state["dates"][1] == date(2020, 3, 1)  # never past the span
    assert fake_map.maps[-1].state["range"]["at_end"] is True
    assert url_state(at)["to"] == ["2020-03-01"]


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
    assert fake_map.maps[-1].state["view"] == [36.1, 37.0, 9]  # wins over fitting the places


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


def script_state(feature_group: str) -> dict:
    """The state of the `placewire.update(...)` call in a map element's feature group script."""
    return json.loads(re.search(r"placewire\.update\((\{.*\})\);", feature_group).group(1))


def fresh_names(at) -> set[str]:
    args = json.loads(map_element(at).proto.json_args)
    return {f["name"] for f in layer_places(script_state(args["feature_group"])["layer"])}


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
    assert labels == {"CSV", "GeoJSON", "Events (ACLED-style CSV)"}
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

    # HTML: panel, reader header
    bodies = [h.value for h in at.html]
    assert any("&lt;script&gt;window.__pwned=1&lt;/script&gt;" in b for b in bodies)
    assert any("&lt;img src=x onerror=&quot;window.__pwned=2&quot;&gt;" in b for b in bodies)
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


def test_a_hostile_place_name_travels_as_data_and_never_as_markup(corpus, fake_map):
    """A place's name (from a user's correction or places.csv) reaches the map as JSON data,
    which the browser only ever writes as text; the update script stays inert."""
    from geodata.model import Place
    from geodata.store import Store

    evil = Place("user:<b>x</b>", '<img src=x onerror="window.__pwned=7">{{ 7*7 }}', "city", "SY", 36.05, 36.7)
    with Store(corpus / "placewire.sqlite") as store:
        mention_id = store.conn.execute("SELECT id FROM mentions WHERE surface = 'Saraqeb' LIMIT 1").fetchone()[0]
        store.correct(mention_id, evil)
    fake_map.clicks.append(evil.id)
    at = app().run()
    assert evil.name in place_names(fake_map.maps[-1])
    assert at.session_state["place"] == evil.id
    # selected, its id sits in the update script: no "<" (no </script>) and no Jinja braces
    payload = fake_map.maps[-1].payload
    assert json.loads(payload)["selected"]["id"] == evil.id
    assert "<" not in payload and "{{" not in payload and "{%" not in payload


def test_play_steps_whole_months_and_stays_inside_the_span():
    from datetime import date

    from components.playback import at_end, step

    span = (date(2020, 1, 12), date(2020, 6, 3))
    months = [span]
    for _ in range(6):
        months.append(step(months[-1], span, "month", 1))
    assert months[1:] == [(date(2020, 1, 12), date(2020, 1, 31)), (date(2020, 2, 1), date(2020, 2, 29)),
                          (date(2020, 3, 1), date(2020, 3, 31)), (date(2020, 4, 1), date(2020, 4, 30)),
                          (date(2020, 5, 1), date(2020, 5, 31)), (date(2020, 6, 1), date(2020, 6, 3))]
    assert at_end(months[-1], span) and not at_end(months[-2], span)
    assert step(months[-1], span, "month", 1) == months[-1]  # nothing past the end
    assert step(months[-1], span, "month", -1) == months[-2]  # and back, whole months
    assert step(span, span, "week", -1) == (date(2020, 5, 28), date(2020, 6, 3))  # back from the whole span
    two = (date(2020, 2, 1), date(2020, 3, 31))  # a two-month range moves as two whole months
    assert step(two, span, "month", 1) == (date(2020, 3, 1), date(2020, 4, 30))
    assert step((date(2020, 1, 12), date(2020, 1, 18)), span, "week", -1) == (date(2020, 1, 12), date(2020, 1, 18))
