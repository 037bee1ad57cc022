"""The opt-in Nominatim fallback, through geopy, on recorded responses: never the network."""
from __future__ import annotations

import json
import os
import socket
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest
from geopy.adapters import BaseSyncAdapter

from geodata.cache import ResolutionCache
from geodata.gazetteer import load_gazetteer
from geodata.geocoder import online_fallback
from geodata.parser import Geoparser

REPO = Path(__file__).resolve().parent.parent
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


# --- without a network: a server on 127.0.0.1 that refuses, or never answers -------------------

# Names the gazetteer lacks, each in its own article: the online geocoder would be asked for each.
OUTAGE_TEXTS = [
    "Shelling hit the village of Hbeit and Saraqib in Syria on Sunday.",
    "Fighters entered the village of Qarrusta near Hama.",
    "Residents fled the town of Zambura and the village of Marwadiyeh.",
    "Aid reached the village of Eskawina in Idlib.",
]
UNKNOWN = 5  # Hbeit, Qarrusta, Zambura, Marwadiyeh, Eskawina


@pytest.fixture
def silent_server():
    """A server on 127.0.0.1 that accepts connections and never answers (a proxy that hangs);
    yields its URL and the connections it took."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    taken: list[socket.socket] = []

    def serve():
        while True:
            try:
                taken.append(sock.accept()[0])
            except OSError:
                return

    threading.Thread(target=serve, daemon=True).start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", taken
    sock.close()
    for conn in taken:
        conn.close()


@pytest.fixture
def refused_url():
    """An address on 127.0.0.1 where nothing listens: every connection is refused."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_an_unanswering_geocoder_trips_the_breaker_and_no_failure_is_cached(
        monkeypatch, gazetteer, tmp_path, silent_server, caplog):
    url, taken = silent_server
    monkeypatch.setenv("PLACEWIRE_GEOCODER", "nominatim")
    monkeypatch.setenv("PLACEWIRE_NOMINATIM_URL", url)
    monkeypatch.setenv("no_proxy", "*")
    cache = tmp_path / "cache.sqlite"
    parser = Geoparser(gazetteer, ResolutionCache(cache), online_fallback(timeout=0.5))
    found = [m.surface for text in OUTAGE_TEXTS for m in parser.parse(text)]
    parser.flush()
    assert "Saraqib" in found and "Hbeit" not in found  # the gazetteer's names still resolve
    assert len(taken) == 2  # two names asked, then the circuit opened: the rest not asked at all
    warnings = [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]
    assert warnings == [f"Nominatim ({url[7:]}) failed 2 times in a row (timed out): not asked "
                        "again for 5 minutes; names only it knows stay unresolved"]
    assert parser.online_outage() == (UNKNOWN, f"Nominatim ({url[7:]}) could not be reached (timed "
                                               f"out); {UNKNOWN} names left unresolved, asked again next time")
    assert parser.online_outage() is None  # counted once
    # nothing of the outage is cached: neither an answer nor a resolution of the names it lacks
    with sqlite3.connect(cache) as conn:
        assert conn.execute("SELECT count(*) FROM geocodes WHERE source = 'nominatim'").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM resolutions WHERE key = 'hbeit'").fetchone()[0] == 0

    # the network is back: the same names are asked, and found
    Recorded.requests.clear()
    back = Geoparser(gazetteer, ResolutionCache(cache), online_fallback(adapter_factory=Recorded))
    assert "Hbeit" in {m.surface for m in back.parse(OUTAGE_TEXTS[0])}
    assert len(Recorded.requests) == 1


def test_the_breaker_tries_again_after_its_cool_down():
    from geopy.exc import GeocoderUnavailable

    from geodata.exceptions import OnlineGeocoderUnavailable
    from geodata.geocoder import OnlineGeocoder

    now = [0.0]
    answers = [GeocoderUnavailable("down"), GeocoderUnavailable("down"), "Hbeit, Idlib"]
    asked = []

    def geocode(query, **kwargs):
        asked.append(query)
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer

    online = OnlineGeocoder(geocode, trip_after=2, cool_down=300, clock=lambda: now[0])
    for name in ("a", "b", "c", "d"):
        with pytest.raises(OnlineGeocoderUnavailable):
            online(name)
    assert asked == ["a", "b"]  # c and d: circuit open, not asked
    now[0] = 301
    assert online("e") == "Hbeit, Idlib" and asked == ["a", "b", "e"]
    assert online.failures == 0
    assert online.take_outage()[0] == 4  # a to d: left unresolved


def test_the_cli_without_a_network_says_so_in_one_line_and_counts_what_it_left(data_dir, refused_url, tmp_path):
    articles = tmp_path / "outage.jsonl"
    articles.write_text("".join(json.dumps({"text": t}) + "\n" for t in OUTAGE_TEXTS * 30))  # 120 lines, 4 texts
    env = dict(os.environ, PLACEWIRE_DATA=str(data_dir), PLACEWIRE_GEOCODER="nominatim",
               PLACEWIRE_NOMINATIM_URL=refused_url, no_proxy="*", NO_PROXY="*")
    run = subprocess.run([sys.executable, "-m", "geodata", "ingest", articles, "--quiet", "--workers", "1"], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 2, run.stdout + run.stderr  # something was left: not a clean exit
    assert "Traceback" not in run.stderr
    stderr = [line for line in run.stderr.splitlines() if line.strip()]
    assert len(stderr) == 1 and "failed 2 times in a row" in stderr[0] and "Connection refused" in stderr[0]
    assert f"(0 unresolved; {UNKNOWN} names the online geocoder could not be asked)" in run.stdout
    assert f"  online geocoder: Nominatim ({refused_url[7:]}) could not be reached" in run.stdout
    assert run.stdout.startswith("articles: 4 added, 116 already present")
