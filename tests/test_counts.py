"""One definition of a counted mention, on both backends: the store's totals, the filter's
breakdown (what the layers hide) and the rows the map and the export show agree."""
from __future__ import annotations

import pytest

from geodata import queries
from geodata.queries import Filter
from geodata.store import Store
from test_store import ALEPPO, IDLIB, TURKEY, article, mention

TEXT = "Shelling hit Idlib and Aleppo.\n\nTurkish officials met in Turkey.\n\nClashes near Kafr Nubl."


@pytest.fixture
def store(store_location):
    with Store(store_location) as s:
        a = article(1, TEXT)
        s.add_many([
            (a, [mention(TEXT, "Idlib", IDLIB), mention(TEXT, "Aleppo", ALEPPO),
                 mention(TEXT, "Turkish", TURKEY, kind="demonym"), mention(TEXT, "Turkey", TURKEY),
                 mention(TEXT, "Kafr Nubl", None)]),
            (article(2, "Aid reached Aleppo.", date=None), [mention("Aid reached Aleppo.", "Aleppo", ALEPPO)]),
        ])
        yield s


def test_totals_and_the_filter_line_count_the_same_mentions(store):
    every = Filter(include_demonyms=True, include_countries=True)
    totals = queries.totals(store.conn)
    assert (totals["articles"], totals["undated"], totals["found"]) == (2, 1, 6)
    assert (totals["mentions"], totals["unresolved"], totals["rejected"], totals["places"]) == (5, 1, 0, 3)
    assert totals["mentions"] == len(queries.mention_rows(store.conn, every))  # what the CLI exports

    shown = queries.mention_breakdown(store.conn, Filter())
    assert shown == {"mentions": 3, "undated": 1, "copies": 0, "other_roles": 0, "countries": 1, "demonyms": 1,
                     "places": 2, "articles": 2}
    assert shown["mentions"] == queries.mention_count(store.conn, Filter()) == len(queries.mention_rows(store.conn, Filter()))
    assert sum(p["mentions"] for p in queries.place_counts(store.conn, Filter())) == shown["mentions"]
    assert queries.mention_breakdown(store.conn, every) == {
        "mentions": 5, "undated": 1, "copies": 0, "other_roles": 0, "countries": 0, "demonyms": 0, "places": 3,
        "articles": 2}
    # where things happened: "Turkish" (an actor) and "Turkey" (background) are left out as such,
    # before the layers' toggles would hide them
    events = queries.mention_breakdown(store.conn, Filter(roles=("event",)))
    assert events == {"mentions": 3, "undated": 1, "copies": 0, "other_roles": 2, "countries": 0, "demonyms": 0,
                      "places": 2, "articles": 2}
    assert events["mentions"] == queries.mention_count(store.conn, Filter(roles=("event",)))
    # countries on, demonyms off: a demonym of a country stays hidden, as a demonym
    assert queries.mention_breakdown(store.conn, Filter(include_countries=True))["demonyms"] == 1

    # a rejection leaves every count, and the totals say where it went
    rejected = store.conn.execute("SELECT id FROM mentions WHERE surface = 'Idlib'").fetchone()[0]
    store.correct(rejected, None, scope="mention")
    totals = queries.totals(store.conn)
    assert (totals["mentions"], totals["rejected"], totals["found"]) == (4, 1, 6)
    assert queries.mention_breakdown(store.conn, Filter())["mentions"] == 2
