"""The page's event view ("where things happened"), run headless with AppTest on a real store:
the default once roles exist, the switch to every place named, markers coloured by event type
with their legend, the panel's roles and triggers, the event-type filter, the timeline's unit,
the event export."""
from __future__ import annotations

import csv
import io
import json
import re

import pagekit
from components.export import export_text
from components.roles import EVENT_COLOURS
from test_app import (  # noqa: F401 (corpus, data, fake_map: fixtures)
    TIMEOUT, corpus, data, fake_map, features, panel_entries, panel_head, url_state)
from streamlit.testing.v1 import AppTest

SARAQEB = "gn:164816"  # Saraqib, spelt "Saraqeb" in the corpus


def page(**query) -> AppTest:
    at = AppTest.from_file(str(pagekit.REPO / "app.py"), default_timeout=TIMEOUT)
    for key, value in query.items():
        at.query_params[key] = value
    return at


def drawn_places(drawn) -> dict[str, dict]:
    """{place name: its marker} of a map the page drew (the layer file the browser loads)."""
    return {f["name"]: f for f in features(drawn)}


def test_the_event_view_is_the_default_and_the_switch_shows_every_place_named(corpus, fake_map):
    at = page().run()
    assert not at.exception
    assert at.radio(key="show").value == "events"
    drawn = fake_map.maps[-1]
    events = drawn_places(drawn)
    # Aleppo: the seed's shelling and the undated bulletin's; not "In Aleppo, markets stayed open"
    assert events["Aleppo"]["mentions"] == 2
    assert events["Aleppo"]["style"]["fillColor"] == EVENT_COLOURS["strike/shelling"]
    legend = drawn.state["legend"]  # the map's legend: a colour per event type
    assert [label for _, label in legend["colours"]] == list(EVENT_COLOURS)
    assert drawn.state["unit"] == "event"
    assert any("Click a circle to read the sentences that say so" in c.value for c in at.main.caption)

    at.radio(key="show").set_value("named").run()
    drawn = fake_map.maps[-1]
    named = drawn_places(drawn)
    assert named["Aleppo"]["mentions"] == 4 and set(events) < set(named)
    assert url_state(at)["show"] == ["named"]
    assert drawn.state["legend"] is None and drawn.state["unit"] == "mention"  # the recency legend


def test_the_panel_shows_each_role_and_bolds_the_trigger(corpus, fake_map):
    at = page().run()
    fake_map.clicks.append(pagekit.ALEPPO)
    at.run()
    assert "2 events in the filter" in panel_head(at)
    entries = panel_entries(at)
    assert len(entries) == 2
    assert all("strike/shelling" in e and 'class="pw-role"' in e for e in entries)
    assert any('<b class="pw-trigger">shelling</b>' in e and ">Aleppo</mark>" in e for e in entries)
    assert any('<b class="pw-trigger">Shelling</b>' in e for e in entries)  # the undated bulletin

    # every place named: the same place's other sentences, each with its role
    at.radio(key="show").set_value("named").run()
    entries = panel_entries(at)
    assert len(entries) == 4
    assert sum("named in passing" in e for e in entries) == 2  # "In Aleppo, markets stayed open."


def test_event_types_filter_the_map_and_travel_in_the_url(corpus, fake_map):
    at = page().run()
    at.multiselect(key="event_types").set_value(["aid/humanitarian"]).run()
    aid = drawn_places(fake_map.maps[-1])
    assert set(aid) == {"Idlib"}  # "Aid convoys reached Idlib province."
    assert aid["Idlib"]["style"]["fillColor"] == EVENT_COLOURS["aid/humanitarian"]
    assert url_state(at)["etype"] == ["aid/humanitarian"]
    assert at.session_state["filter"].event_types == ("aid/humanitarian",)

    again = page(etype=["aid/humanitarian"]).run()
    assert again.multiselect(key="event_types").value == ["aid/humanitarian"]
    assert set(drawn_places(fake_map.maps[-1])) == {"Idlib"}


def test_the_timeline_counts_events(corpus, fake_map):
    at = page().run()
    spec = json.dumps([json.loads(c.proto.spec) for c in at.get("vega_lite_chart")])
    assert re.search(r'"title": "events per (day|week|month|year)"', spec)
    at.radio(key="show").set_value("named").run()
    spec = json.dumps([json.loads(c.proto.spec) for c in at.get("vega_lite_chart")])
    assert re.search(r'"title": "mentions per (day|week|month|year)"', spec)


def test_the_event_table_holds_the_filters_events(corpus, fake_map):
    at = page().run()
    labels = {b.label for b in at.sidebar.get("download_button")}
    assert "Events (ACLED-style CSV)" in labels
    flt = at.session_state["filter"]
    rows = list(csv.DictReader(io.StringIO(export_text(corpus / "placewire.sqlite", flt, "events"))))
    assert rows and all(r["event_type"] for r in rows)
    saraqeb = [r for r in rows if r["place_id"] == SARAQEB and r["event_date"]]
    assert [(r["event_date"], r["event_type"], r["trigger"], r["geo_precision"]) for r in saraqeb] == [
        ("2020-01-20", "strike/shelling", "shelled", "1")]
    assert saraqeb[0]["notes"] == "Government forces shelled Saraqeb in Syria on Monday."
    assert saraqeb[0]["source"] == "Wire A"
