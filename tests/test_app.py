"""The page's logic, run headless with streamlit.testing's AppTest on real stores.

Each test gets its own data directory (PLACEWIRE_DATA) with a real SQLite store filled by
geodata's own loader, parser and store. AppTest cannot click inside the map's iframe, so the
marker-click tests replace streamlit_folium's st_folium with a stand-in that returns the click
the browser would send: the clicked feature, taken from the very map the page built.
"""
from __future__ import annotations

import csv
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
from geodata.store import Store
from components.ingest import ingest_files, ingest_paths
from components import reader as reader_module
from components.markup import md_escape

TIMEOUT = 180


@pytest.fixture
def data(data_dir, listen_on, monkeypatch):
    """An empty data directory for the page (PLACEWIRE_DATA), no admin secret, the server
    listening on localhost only (a laptop, as ./run.sh starts it)."""
    listen_on("localhost")
    monkeypatch.delenv("PLACEWIRE_EDITING", raising=False)
    st.cache_resource.clear()  # a fresh count of wrong admin secrets
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
    """What the reader component in the drawer was given: its text segments."""
    comp = next(e for e in at.get("bidi_component") if e.proto.component_name == "placewire.reader")
    return json.loads(comp.proto.json)


def drawer(at):
    """The reader's drawer (a dialog), or None when no article is open."""
    return next(iter(at.get("dialog")), None)


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
    assert [e.proto.url for e in at.get("link_button")] == [pagekit.SEED_ID]

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


def test_the_reader_opens_in_a_drawer_from_the_panel_and_the_list_and_closes_to_the_same_view(corpus, fake_map):
    fake_map.clicks.append(pagekit.ALEPPO)
    at = app().run()
    assert drawer(at) is None
    entries = panel_entries(at)
    maps_before = len(fake_map.maps)
    [b for b in at.main.button if b.key.startswith("read_")][2].click().run()  # the seed, from the panel
    assert drawer(at) is not None
    assert "".join(s["text"] for s in reader_data(at)["segments"]).startswith("Russia and its allies")
    # beside the map: the panel and the map are still drawn behind it, unchanged
    assert panel_entries(at) == entries and "Aleppo" in panel_head(at)
    assert len(fake_map.maps) > maps_before and place_names(fake_map.maps[-1]) == place_names(fake_map.maps[maps_before - 1])
    at.button(key="reader_close").click().run()
    assert drawer(at) is None and at.session_state["article"] is None
    assert at.session_state["place"] == pagekit.ALEPPO and panel_entries(at) == entries  # the same view
    assert "article" not in url_state(at)

    # from the sidebar's list, an undated article too
    at.button(key="undated_https://news.example/bulletin").click().run()
    assert drawer(at) is not None
    assert "".join(s["text"] for s in reader_data(at)["segments"]).startswith("Shelling in Aleppo and Saraqeb")
    meta = next(h.value for h in at.get("html") if "pw-reader-meta" in h.value)
    assert "date unknown" in meta and "none in its metadata, address or dateline" in meta
    at.button(key=f"open_{pagekit.SEED_ID}").click().run()
    meta = next(h.value for h in at.get("html") if "pw-reader-meta" in h.value)
    assert "2020-01-12" in meta and "from the article&#x27;s metadata" in meta


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


def test_the_timeline_steers_the_dates_and_resets(corpus, fake_map):
    from datetime import date

    at = app().run()
    chart = at.get("vega_lite_chart")[0]
    spec = json.loads(chart.proto.spec)
    assert spec["params"][0]["name"] == "range" and "value" not in spec["params"][0]  # no range chosen yet
    assert spec["encoding"]["x"]["scale"]["type"] == "utc" and "%Y" in spec["encoding"]["x"]["axis"]["labelExpr"]
    assert at.button(key="dates_reset").disabled
    # the date box moves the chart's selection
    at.date_input(key="dates").set_value((date(2020, 2, 1), date(2020, 2, 28))).run()
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    assert spec["params"][0]["value"]["x"] == [
        {"year": 2020, "month": 2, "date": 1, "utc": True}, {"year": 2020, "month": 2, "date": 29, "utc": True}]
    assert "Saraqib" not in place_names(fake_map.maps[-1])
    # "Whole span" gives every date back, and a fresh chart without a selection
    at.button(key="dates_reset").click().run()
    assert at.session_state["dates"] == (date(2020, 1, 12), date(2020, 3, 1))
    assert "value" not in json.loads(at.get("vega_lite_chart")[0].proto.spec)["params"][0]
    assert "Saraqib" in place_names(fake_map.maps[-1]) and "from" not in url_state(at)


# ---- counts -------------------------------------------------------------------------------


def number(pattern: str, text: str) -> int:
    return int(re.search(pattern, text).group(1))


def test_header_filter_line_panel_map_and_export_count_the_same(corpus, fake_map):
    from geodata import queries
    from geodata.queries import Filter

    store = corpus / "placewire.sqlite"
    conn = queries.connect(store)
    everything = len(queries.mention_rows(conn, Filter(include_demonyms=True, include_countries=True)))
    conn.close()
    at = app().run()
    header = at.sidebar.caption[0].value
    assert number(r"(\d+) place mentions", header) == everything  # what the CLI's export writes

    def line():
        return next(c.value for c in at.sidebar.caption if "Shown:" in c.value)

    def on_map():
        return sum(f["mentions"] for f in features(fake_map.maps[-1]))

    shown = number(r"Shown: (\d+) of", line())
    assert number(r"of (\d+) place mentions", line()) == everything
    assert shown == on_map() == len(list(csv.DictReader(io.StringIO(
        export_text(store, at.session_state["filter"], "csv")))))
    assert number(r"\((\d+) places in", line()) == len(features(fake_map.maps[-1]))
    countries = number(r"(\d+) on country pins", line())
    demonyms = number(r"(\d+) demonyms", line())
    assert shown + countries + demonyms == everything  # said in words: nothing else is left out
    assert "Hidden while their layers are off" in line()
    assert number(r"(\d+) of those shown are in articles of unknown date", line()) == 2  # the bulletin

    at.toggle(key="countries").set_value(True).run()
    assert number(r"Shown: (\d+) of", line()) == on_map() == shown + countries
    assert "on country pins" not in line()

    # the panel and the share line for a place agree with its marker
    fake_map.clicks.append(pagekit.ALEPPO)
    at.run()
    aleppo = next(f["mentions"] for f in features(fake_map.maps[-1]) if f["pid"] == pagekit.ALEPPO)
    assert number(r"(\d+) mentions? in the filter", panel_head(at)) == aleppo
    assert any(md_escape(f"Aleppo: {aleppo} of {shown + countries} mentions shown") in c.value
               for c in at.sidebar.caption)

    # a correction takes its mentions out of every count, and the header says so
    with Store(store) as s:
        s.correct(reader_mention(corpus, "Aleppo")["mention_id"], None, scope="mention")
    fresh = app().run()
    assert number(r"(\d+) place mentions", fresh.sidebar.caption[0].value) == everything - 1
    assert any("Not counted: 1 marked not a place by a correction." == c.value for c in fresh.sidebar.caption)


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
    from components.access import GuessLimiter

    now = [0.0]  # the throttle's clock, moved by hand: a slow script run must not let a guess through
    monkeypatch.setattr("components.access._limiter", lambda limiter=GuessLimiter(clock=lambda: now[0]): limiter)
    monkeypatch.setenv("PLACEWIRE_ADMIN", "s3cret")
    at = app(article=pagekit.SEED_ID).run()
    assert not at.sidebar.get("file_uploader")
    assert any("Read-only" in c.value for c in at.sidebar.caption)
    assert at.button(key="correct_save").disabled
    assert not any(b.key == "delete_article" for b in at.button)

    at.text_input(key="admin_secret").input("wrong")
    at.sidebar.get("form_submit_button")[0].click().run()
    assert any("not the admin secret" in e.value for e in at.sidebar.error)
    assert at.button(key="correct_save").disabled and not at.sidebar.get("file_uploader")

    # right after a wrong guess even the right secret is not compared: the session waits
    at.text_input(key="admin_secret").input("s3cret")
    at.sidebar.get("form_submit_button")[0].click().run()
    assert any("Too many wrong guesses: try again in 1 s" in e.value for e in at.sidebar.error)
    assert at.button(key="correct_save").disabled

    now[0] += 1  # the wait after one wrong guess
    at.text_input(key="admin_secret").input("s3cret")
    at.sidebar.get("form_submit_button")[0].click().run()
    assert not at.button(key="correct_save").disabled
    assert at.sidebar.get("file_uploader")
    assert any(b.key == "delete_article" for b in at.button)


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


@pytest.mark.parametrize("address", ["0.0.0.0", "::", "", "192.0.2.7"])
def test_listening_on_the_network_without_a_secret_is_read_only(corpus, listen_on, address):
    listen_on(address)
    at = app(article=pagekit.SEED_ID).run()
    assert not at.exception
    assert not at.sidebar.get("file_uploader") and at.button(key="correct_save").disabled
    assert not any(b.key == "delete_article" for b in at.main.button)
    assert any("this copy has no admin secret" in c.value for c in at.sidebar.caption)


def test_an_explicit_setting_opens_editing_on_the_network(corpus, listen_on, monkeypatch):
    listen_on("0.0.0.0")
    monkeypatch.setenv("PLACEWIRE_EDITING", "open")
    at = app(article=pagekit.SEED_ID).run()
    assert at.sidebar.get("file_uploader") and not at.button(key="correct_save").disabled


def mentions_snapshot(store) -> list[tuple]:
    """Every stored mention, every column: what an undo must give back byte for byte."""
    with sqlite3.connect(store) as conn:
        return conn.execute("SELECT * FROM mentions ORDER BY id").fetchall()


def preview_ids(at) -> list[int]:
    """The mentions the correction form's preview lists (their ids)."""
    return [int(i) for h in at.get("html") for i in re.findall(r'class="pw-preview" data-mention="(\d+)"', h.value)]


def test_a_correction_previews_its_scope_then_saves_logs_and_undoes(corpus):
    store = corpus / "placewire.sqlite"
    before = mentions_snapshot(store)
    aleppo = reader_mention(corpus, "Aleppo")
    with sqlite3.connect(store) as conn:
        same = [r[0] for r in conn.execute("SELECT id FROM mentions WHERE norm = 'aleppo' AND context = ?",
                                           (aleppo["context"],))]
    assert len(same) == 4  # the seed's and three other articles' (all about Syria)

    at = app(article=pagekit.SEED_ID).run()
    at.selectbox(key="correct_mention").set_value(aleppo)
    at.radio(key="correct_action").set_value("Not a place").run()
    assert at.radio(key="correct_scope").options == [
        "this mention only (1 mention)", "every “Aleppo” in this article (1 mention)",
        "every “Aleppo” in articles about Syria, now and in later ingests (4 mentions)"]
    assert at.radio(key="correct_scope").value == "mention"  # the narrowest is the default
    assert preview_ids(at) == [aleppo["mention_id"]]
    at.radio(key="correct_scope").set_value("name").run()
    assert any("Saving changes **4 mentions in 4 articles**" in m.value for m in at.get("markdown"))
    assert sorted(preview_ids(at)) == sorted(same)
    assert mentions_snapshot(store) == before  # the preview changed nothing

    at.button(key="correct_save").click().run()
    assert any("not a place" in s.value and "4 mentions in 4 articles" in s.value for s in at.get("success"))
    with sqlite3.connect(store) as conn:
        changed = {r[0] for r in conn.execute("SELECT id FROM mentions WHERE status = 'rejected'")}
    assert changed == set(same)
    assert any("4 marked not a place by a correction" in c.value for c in at.sidebar.caption)
    assert any(e.label == "Corrections (1)" for e in at.sidebar.expander)
    entry = next(m.value for m in at.sidebar.markdown if "Aleppo" in m.value and "local" in m.value)
    assert md_escape("“Aleppo”: Aleppo (town or city) → not a place") in entry
    assert md_escape("every “Aleppo” in articles about Syria, now and in later ingests; 4 mentions in 4 articles") in entry
    fresh = app().run()  # a new session: the correction is in the store, not in the session
    assert "Aleppo" not in fresh_names(fresh) and "Idlib" in fresh_names(fresh)

    undo = next(b for b in at.sidebar.button if b.key.startswith("undo_"))
    undo.click().run()
    assert mentions_snapshot(store) == before  # byte for byte
    assert any("back as before" in s.value for s in at.sidebar.success)
    assert any("Undone" in m.value for m in at.sidebar.markdown)


def test_this_mention_only_moves_that_one_idlib(corpus):
    """The issue's case: correcting one "Idlib" to the city must not move the others."""
    store = corpus / "placewire.sqlite"
    before = {r[0]: r for r in mentions_snapshot(store)}
    idlib = reader_mention(corpus, "Idlib")
    at = app(article=pagekit.SEED_ID).run()
    at.selectbox(key="correct_mention").set_value(idlib).run()
    options = at.selectbox(key="correct_place").options
    city = next(i for i, label in enumerate(options) if label.startswith("Idlib (town or city"))
    at.selectbox(key="correct_place").select_index(city).run()
    assert preview_ids(at) == [idlib["mention_id"]]
    at.button(key="correct_save").click().run()
    after = {r[0]: r for r in mentions_snapshot(store)}
    assert [mid for mid in after if after[mid] != before[mid]] == [idlib["mention_id"]]
    with sqlite3.connect(store) as conn:
        assert conn.execute("SELECT place_id, status FROM mentions WHERE id = ?",
                            (idlib["mention_id"],)).fetchone() == ("gn:169389", "corrected")
        assert conn.execute("SELECT count(*) FROM corrections").fetchone()[0] == 0  # no rule for later


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
    dateline = b"Clashes near Saraqeb\n\nALEPPO, Syria, 3 March 2020 (Reuters) - Clashes were reported near Saraqeb."
    body = b"Hama remembered\n\nSurvivors in Aleppo remembered the massacre that began on 2 February 1982 in Hama."
    at.sidebar.get("file_uploader")[0].set_value([("good.json", good, "application/json"),
                                                  ("broken.json", b"{not json", "application/json"),
                                                  ("dateline.txt", dateline, "text/plain"),
                                                  ("body.txt", body, "text/plain")])
    at.run()
    at.button(key="upload_go").click().run()
    for _ in range(120):  # the ingest runs in a worker thread; the page polls it
        if "upload_job" not in at.session_state:
            break
        time.sleep(0.5)
        at.run()
    at.run()
    reports = [e.value for e in at.sidebar.success] + [e.value for e in at.sidebar.warning]
    assert md_escape("good.json: 1 article added, 2 place mentions, dates: 1 from metadata") in reports, reports
    # where each file's date came from: never from a date in the body
    for name, dated in (("dateline.txt", "1 from a dateline"), ("body.txt", "1 unknown")):
        assert any(r.startswith(md_escape(f"{name}: 1 article added")) and r.endswith(md_escape(f"dates: {dated}"))
                   for r in reports), reports
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
    assert not at.get("link_button")
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


# ---- on a PostgreSQL server ---------------------------------------------------------------


def test_the_page_runs_unchanged_on_postgresql(data, postgres, monkeypatch, fake_map, tmp_path):
    """PLACEWIRE_STORE names a database on a PostgreSQL server: the same page, the same journey."""
    from datetime import date

    from geodata import queries

    url = postgres.database()
    monkeypatch.setenv("PLACEWIRE_STORE", url)
    at = app().run()  # first start: the seeds go into the server
    assert not at.exception
    assert {"Aleppo", "Idlib"} <= place_names(fake_map.maps[-1])
    assert not (data / "placewire.sqlite").exists()  # nothing went to the data directory's file

    extra = pagekit.write_jsonl(tmp_path / "extra.jsonl", pagekit.CORPUS)
    [report] = ingest_files(url, [(extra.name, extra.read_bytes())])  # another writer, meanwhile
    assert report.added == len(pagekit.CORPUS)
    fake_map.clicks.append(pagekit.ALEPPO)
    at.run()  # the store's version moved: the page shows the new articles
    assert "Aleppo" in panel_head(at)
    dates = [re.search(r"(\d{4}-\d\d-\d\d|date unknown)", e).group(1) for e in panel_entries(at)]
    assert dates == ["2020-02-05", "2020-01-20", "2020-01-12", "date unknown"]

    at.date_input(key="dates").set_value((date(2020, 2, 1), date(2020, 2, 28))).run()
    assert "Saraqib" not in place_names(fake_map.maps[-1])
    labels = [b.label for b in at.sidebar.button if b.key.startswith("open_")]
    assert len(labels) == 1 and "Ceasefire talks in February" in labels[0]
    assert any(e.label == "Unknown date: 1 article" for e in at.sidebar.expander)
    at.text_input(key="search").input("Saraqeb").run()
    at.button(key="pick_gn:164816").click().run()
    assert at.session_state["place"] == "gn:164816"
    assert not panel_entries(at)  # Saraqeb is named in January, March and undated: not in February

    rows = list(csv.DictReader(io.StringIO(export_text(url, at.session_state["filter"], "csv"))))
    assert {r["title"] for r in rows} == {"Ceasefire talks in February"}

    with queries.connect(url) as conn:
        seed = queries.article(conn, pagekit.SEED_ID)
    aleppo = next(m for m in seed["mentions"] if m["surface"] == "Aleppo")
    at = app(article=pagekit.SEED_ID).run()
    at.selectbox(key="correct_mention").set_value(aleppo)
    at.radio(key="correct_action").set_value("Not a place").run()
    at.radio(key="correct_scope").set_value("name").run()  # every "Aleppo" in articles about Syria
    at.button(key="correct_save").click().run()
    assert any("not a place" in s.value for s in at.get("success"))
    with queries.connect(url) as conn:
        statuses = {r[0] for r in conn.execute("SELECT status FROM mentions WHERE norm = 'aleppo' AND context = 'SY'")}
    assert statuses == {"rejected"}
    assert "Aleppo" not in place_names(fake_map.maps[-1]) and not at.exception
