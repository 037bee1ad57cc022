"""The opt-in Nominatim fallback, through geopy, on recorded responses: never the network."""
from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from geopy.adapters import BaseSyncAdapter

from geodata.cache import ResolutionCache
from geodata.gazetteer import load_gazetteer
from geodata.geocoder import online_fallback
from geodata.parser import Geoparser

RECORDED = Path(__file__).parent / "fixtures" / "nominatim"
TEXT = "Shelling hit the village of Hbeit and Saraqib in Syria on Sunday."


class Recorded(BaseSyncAdapter):
    """A geopy adapter that answers from tests/fixtures/nominatim and logs each request."""

    requests: list[tuple[str, dict]] = []

    def get_json(self, url, *, timeout, headers):
        Recorded.requests.append((url, headers))
        query = parse_qs(urlparse(url).query)["q"][0].lower()
        path = RECORDED / f"{query}.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else []

    def get_text(self, url, *, timeout, headers):
        raise AssertionError("Nominatim answers JSON")


@pytest.fixture
def gazetteer(index_dir):
    return load_gazetteer(index_dir / "gazetteer.sqlite")


def test_off_by_default(monkeypatch, gazetteer):
    monkeypatch.delenv("PLACEWIRE_GEOCODER", raising=False)
    assert online_fallback() is None
    assert "Hbeit" not in {m.surface for m in Geoparser(gazetteer).parse(TEXT)}


def test_names_the_gazetteer_lacks_go_to_nominatim_once(monkeypatch, gazetteer, tmp_path):
    monkeypatch.setenv("PLACEWIRE_GEOCODER", "nominatim")
    Recorded.requests.clear()
    first = Geoparser(gazetteer, ResolutionCache(tmp_path / "cache.sqlite"),
                      online_fallback(adapter_factory=Recorded))
    found = {m.surface: m.place for m in first.parse(TEXT)}
    first.flush()
    village = found["Hbeit"]
    assert (village.kind, village.country, round(village.lat, 2)) == ("city", "SY", 35.47)
    # only the name the gazetteer lacks was sent, with the tool's own user agent
    assert len(Recorded.requests) == 1
    url, headers = Recorded.requests[0]
    assert "q=Hbeit" in url and "placewire" in headers["User-Agent"]
    assert found["Saraqib"].id.startswith("gn:")
    # the answer is cached: a second ingest asks nothing
    second = Geoparser(gazetteer, ResolutionCache(tmp_path / "cache.sqlite"),
                       online_fallback(adapter_factory=Recorded))
    assert "Hbeit" in {m.surface for m in second.parse(TEXT)}
    assert len(Recorded.requests) == 1
