"""`python -m geodata gazetteer add CC`: a country's GeoNames dump, downloaded from a real HTTP
server on 127.0.0.1 (a small generated dump in GeoNames' own format), checked, and indexed."""
from __future__ import annotations

import hashlib
import http.server
import io
import os
import subprocess
import sys
import threading
import zipfile
from pathlib import Path

import pytest

from geodata import geonames_download
from geodata.cache import ResolutionCache
from geodata.exceptions import DownloadError
from geodata.gazetteer import load_gazetteer
from geodata.parser import Geoparser

from conftest import REPO


def _geoname(gid, name, alternates, lat, lon, fclass, fcode, cc, admin1, population=0):
    """One line of a GeoNames dump: its 19 tab-separated columns."""
    return "\t".join([str(gid), name, name, ",".join(alternates), str(lat), str(lon), fclass,
                      fcode, cc, "", admin1, "", "", "", str(population), "", "300",
                      "Asia/Damascus", "2024-01-01"]) + "\n"


# A small Syrian dump: a governorate whose GeoNames point and id differ from the state table's,
# a village, a neighbourhood, a river and a wadi that cities500 lacks, and a well (left out).
DUMP = "".join([
    _geoname(169387, "Idlib", ["Idlib Governorate", "Muhafazat Idlib"], 35.75, 36.63, "A",
             "ADM1", "SY", "12"),
    _geoname(9911001, "Hbeit", ["Hobeit", "Hubayt"], 35.5831, 36.6344, "P", "PPL", "SY", "12",
             2500),
    _geoname(9911002, "Bustan al-Qasr", [], 36.1931, 37.1425, "P", "PPLX", "SY", "09"),
    _geoname(9911003, "Nahr al Khabur", ["Nahr al-Khabur"], 35.14, 40.43, "H", "STM", "SY", "00"),
    _geoname(9911004, "Bir Zaytuni", [], 35.5, 36.5, "H", "WLL", "SY", "12"),
])
# alternateNames: id, geonameid, language, name, flags; a link and a postal code are no names
ALTERNATES = "".join([
    "1\t9911003\ten\tKhabur\t1\t\t\t\t\t\n",
    "2\t9911003\ten\tKhabur River\t\t\t\t\t\t\n",
    "3\t9911003\tlink\thttps://en.wikipedia.org/wiki/Khabur\t\t\t\t\t\t\n",
    "4\t9911001\tpost\t12345\t\t\t\t\t\t\n",
])


def _zip(member: str, text: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(member, text)
        z.writestr("readme.txt", "GeoNames test dump\n")
    return buf.getvalue()


def _damaged(data: bytes) -> bytes:
    """The zip with a byte of its first member's compressed data flipped (CRC fails)."""
    data = bytearray(data)
    data[40] ^= 0xFF
    return bytes(data)


@pytest.fixture(scope="module")
def server():
    """A real HTTP server on 127.0.0.1 serving GeoNames' layout: /CC.zip, /alternatenames/CC.zip,
    plus a truncated download (Content-Length larger than the body) and a damaged zip."""
    files = {
        "/SY.zip": _zip("SY.txt", DUMP),
        "/alternatenames/SY.zip": _zip("SY.txt", ALTERNATES),
        "/IQ.zip": _zip("IQ.txt", DUMP),  # Syrian places under Iraq's name
        "/damaged/SY.zip": _damaged(_zip("SY.txt", DUMP * 20)),
        "/noalternates/SY.zip": _zip("SY.txt", DUMP),  # its alternate names: 404
    }

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's name)
            if self.path == "/truncated/SY.zip":
                body = files["/SY.zip"]
                self.send_response(200)
                self.send_header("Content-Length", str(len(body) + 1000))
                self.end_headers()
                self.wfile.write(body[: len(body) // 2])
                self.close_connection = True
                return
            body = files.get(self.path)
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/", files
    httpd.shutdown()
    httpd.server_close()


def test_gazetteer_add_downloads_checks_and_indexes_a_country(server, data_dir):
    url, _ = server
    (data_dir / "gazetteer.sqlite").unlink()  # the shared index must not be rebuilt in place
    run = subprocess.run([sys.executable, "-m", "geodata", "gazetteer", "add", "sy", "--url", url],
                         cwd=REPO, env=dict(os.environ, PLACEWIRE_DATA=str(data_dir)),
                         capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr
    assert "SY: 5 places" in run.stdout and "SY: 4 alternate names" in run.stdout
    assert "SY.zip" in run.stderr and "100%" in run.stderr  # the download's progress bar
    assert "rebuilt" in run.stdout
    assert (data_dir / "geonames" / "SY.txt").read_text(encoding="utf-8") == DUMP

    gaz = load_gazetteer()
    parser = Geoparser(gaz, ResolutionCache(None))
    ms = {m.surface: m.place for m in parser.parse(
        "Shelling hit Hbeit and Bustan al-Qasr, and families fled along the Khabur, in "
        "Syria's Idlib province.")}
    assert ms["Hbeit"].geonameid == 9911001 and ms["Hbeit"].admin1 == "Idlib"
    assert ms["Bustan al-Qasr"].geonameid == 9911002
    assert ms["Khabur"].geonameid == 9911003 and ms["Khabur"].kind == "region"
    # GeoNames' own point and id for the governorate, merged into the state table's one
    idlib = ms["Idlib"]
    assert idlib.kind == "admin1" and idlib.geonameid == 169387
    assert (idlib.lat, idlib.lon) == (35.75, 36.63)
    assert len([c for c in gaz.candidates("idlib") if c.place.kind == "admin1"]) == 1
    # a well is left out; a link or postal code of alternateNames is no name
    assert "bir zaytuni" not in gaz.keys and "12345" not in gaz.keys

    listed = subprocess.run([sys.executable, "-m", "geodata", "gazetteer", "list"], cwd=REPO,
                            env=dict(os.environ, PLACEWIRE_DATA=str(data_dir)),
                            capture_output=True, text=True, timeout=60, check=True)
    assert listed.stdout.startswith("SY\t")


@pytest.mark.parametrize("path,problem", [
    ("truncated/", "incomplete"),
    ("damaged/", "damaged"),
    ("missing/", "404"),
])
def test_a_bad_download_is_refused_and_nothing_is_installed(server, data_dir, path, problem):
    url, _ = server
    with pytest.raises(DownloadError, match=problem):
        geonames_download.add_country("SY", base_url=url + path, progress=False)
    assert not (data_dir / "geonames" / "SY.txt").exists()
    assert not list((data_dir / "geonames").glob(".*"))  # no partial file left behind


def test_a_country_is_added_whole_or_not_at_all(server, data_dir):
    """The dump is good, its alternate names fail: the country stays as it was before."""
    url, _ = server
    before = DUMP.splitlines(keepends=True)[0]
    dump = data_dir / "geonames" / "SY.txt"
    dump.parent.mkdir()
    dump.write_text(before, encoding="utf-8")  # added before, from an older dump
    with pytest.raises(DownloadError, match="404"):
        geonames_download.add_country("SY", base_url=url + "noalternates/", progress=False)
    assert dump.read_text(encoding="utf-8") == before
    assert not (data_dir / "geonames" / "alternatenames").exists()
    assert not list((data_dir / "geonames").glob(".*"))


def test_another_countrys_dump_is_refused(server, data_dir):
    url, _ = server
    with pytest.raises(DownloadError, match="not IQ"):
        geonames_download.add_country("IQ", base_url=url, progress=False)


def test_a_file_the_user_brings_is_checked_and_installed_without_the_network(server, data_dir,
                                                                             tmp_path):
    _, files = server
    bundle = tmp_path / "SY.zip"
    bundle.write_bytes(files["/SY.zip"])
    digest = hashlib.sha256(bundle.read_bytes()).hexdigest()
    with pytest.raises(DownloadError, match="SHA-256"):
        geonames_download.add_country("SY", file=bundle, sha256="0" * 64)
    added = geonames_download.add_country("SY", file=bundle, sha256=digest,
                                          base_url="http://192.0.2.1/never/")
    assert added.places == 5 and added.alternate_names is None
    assert Path(added.dump).read_text(encoding="utf-8") == DUMP
    assert geonames_download.remove_country("SY") and not added.dump.exists()
    with pytest.raises(DownloadError, match="no ISO 3166"):
        geonames_download.add_country("Syria", file=bundle)
