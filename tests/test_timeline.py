"""The timeline's pieces that need no page: bar widths, bars, the axis, and what a drag selects.

The drag itself runs in the browser test (tests/test_e2e.py); the page's date box and reset in
tests/test_app.py.
"""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from components import timeline

SPAN = (date(2019, 12, 20), date(2020, 3, 10))


@pytest.mark.parametrize(("first", "last", "unit"), [
    (date(2020, 1, 1), date(2020, 1, 31), "day"),
    (date(2020, 1, 1), date(2020, 3, 20), "day"),  # 80 days: 80 bars
    (date(2020, 1, 1), date(2020, 12, 31), "week"),
    (date(2019, 1, 1), date(2021, 12, 31), "month"),
    (date(1923, 5, 2), date(2020, 1, 12), "year"),  # the span a body date once made
])
def test_bars_widen_as_the_span_grows(first, last, unit):
    assert timeline.unit_for(first, last) == unit


@pytest.mark.parametrize(("first", "last", "unit", "expected"), [
    (date(2020, 1, 12), date(2020, 1, 12), "day", {"interval": "day", "step": 1}),  # one day: no hourly ticks
    (date(2020, 1, 12), date(2020, 1, 21), "day", {"interval": "day", "step": 2}),
    (date(2020, 1, 12), date(2020, 3, 1), "day", {"interval": "week", "step": 2}),
    (date(2020, 1, 1), date(2020, 12, 31), "week", {"interval": "month", "step": 2}),
    (date(2019, 1, 1), date(2021, 12, 31), "month", {"interval": "month", "step": 6}),
    (date(2015, 1, 1), date(2021, 12, 31), "month", {"interval": "year", "step": 1}),
    (date(1923, 5, 2), date(2020, 1, 12), "year", {"interval": "year", "step": 20}),
])
def test_about_five_ticks_on_whole_days_months_or_years(first, last, unit, expected):
    assert timeline.ticks(first, last, unit) == expected


def test_bars_sum_each_period_and_split_the_selected_place():
    days = [{"day": "2019-12-30", "mentions": 2}, {"day": "2020-01-05", "mentions": 3},
            {"day": "2020-01-06", "mentions": 4}]
    place = [{"day": "2020-01-05", "mentions": 1}]
    assert timeline.bars(days, place, "Aleppo", "week") == [
        {"start": "2019-12-30", "end": "2020-01-06", "label": "week of 30 Dec 2019", "group": "Aleppo", "mentions": 1},
        {"start": "2019-12-30", "end": "2020-01-06", "label": "week of 30 Dec 2019", "group": "other places",
         "mentions": 4},
        {"start": "2020-01-06", "end": "2020-01-13", "label": "week of 6 Jan 2020", "group": "other places",
         "mentions": 4},
    ]
    assert [(b["start"], b["end"], b["mentions"]) for b in timeline.bars(days, [], None, "month")] == [
        ("2019-12-01", "2020-01-01", 2), ("2020-01-01", "2020-02-01", 7)]


def ms(d: date) -> float:
    return datetime(d.year, d.month, d.day, tzinfo=timezone.utc).timestamp() * 1000


@pytest.mark.parametrize(("selection", "expected"), [
    ({"start": [ms(date(2020, 1, 6)), ms(date(2020, 2, 3))]}, (date(2020, 1, 6), date(2020, 2, 2))),
    ({"start": [ms(date(2020, 2, 3)) + 5e6, ms(date(2020, 1, 6)) + 5e6]}, (date(2020, 1, 6), date(2020, 2, 3))),
    ({"start": [ms(date(2019, 1, 1)), ms(date(2021, 1, 1))]}, SPAN),  # held inside the span
    ({"start": ["2020-01-06T00:00:00.000Z", "2020-01-20T00:00:00.000Z"]}, (date(2020, 1, 6), date(2020, 1, 20))),
    ({}, SPAN),  # a double-click clears the selection: every date again
    (None, SPAN),
])
def test_a_drag_selects_the_days_under_it(selection, expected):
    assert timeline.dragged(SPAN, selection) == expected


def test_the_chart_shows_years_and_the_chosen_range():
    records = timeline.bars([{"day": "2019-12-30", "mentions": 2}, {"day": "2020-02-05", "mentions": 1}], [], None, "week")
    whole = timeline.spec(records, None, "week", SPAN, SPAN).to_dict()
    assert "value" not in whole["params"][0] and whole["encoding"]["opacity"] == {"value": 1.0}
    label = whole["encoding"]["x"]["axis"]["labelExpr"]
    assert "utcFormat(datum.value, '%Y')" in label and "datum.index == 0" in label  # the year is named
    assert whole["encoding"]["x"]["scale"]["domain"] == [
        {"year": 2019, "month": 12, "date": 20, "utc": True}, {"year": 2020, "month": 3, "date": 16, "utc": True}]
    chosen = timeline.spec(records, None, "week", SPAN, (date(2020, 1, 6), date(2020, 1, 19))).to_dict()
    assert chosen["params"][0]["value"] == {"x": [{"year": 2020, "month": 1, "date": 6, "utc": True},
                                                  {"year": 2020, "month": 1, "date": 20, "utc": True}]}
    assert chosen["encoding"]["opacity"]["condition"]["param"] == "range"  # bars outside it pale
