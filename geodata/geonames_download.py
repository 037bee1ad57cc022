"""`gazetteer add CC`: a country's GeoNames dump and alternate names, into the data directory.

GeoNames publishes every country as `export/dump/CC.zip` (all its features: villages,
neighbourhoods, rivers, hills...) and its names in every language as
`export/dump/alternatenames/CC.zip`. cities500 keeps only places of 500 people or more, so the
villages and districts a war's reporting names are mostly missing; this brings them in. The
files go to `geonames/CC.txt` and `geonames/alternatenames/CC.txt` in the data directory, where
the index builder reads them, and the index is rebuilt.

A download is checked twice: its length against the server's Content-Length, and every member
of the zip against its CRC-32 (`ZipFile.testzip`); a user's own file (`--file`) gets the zip
check, and `--sha256` checks either against a digest the user has. Nothing half-written is left:
files are written beside their target and renamed into place.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import re
import shutil
import tempfile
import urllib.error
import urllib.request
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from tqdm import tqdm

from . import paths
from .exceptions import DownloadError

DEFAULT_BASE_URL = "https://download.geonames.org/export/dump/"
_COUNTRY = re.compile(r"^[A-Z]{2}$")
_CHUNK = 1 << 16
# a GeoNames "geoname" line: 19 tab-separated columns (geonameid ... modification date)
_DUMP_COLUMNS = 19
# an alternateNames line: id, geonameid, language, name, then flags (8 to 10 columns)
_ALTERNATE_COLUMNS = 4


@dataclass
class Added:
    """What `add_country` put in place."""

    country: str
    dump: Path
    places: int  # lines of the country dump
    alternate_names: Path | None
    names: int  # lines of the alternate names (0 when none were added)


def dump_path(cc: str) -> Path:
    return paths.geonames_dumps_dir() / f"{cc}.txt"


def alternate_names_path(cc: str) -> Path:
    """Where a country's alternate names live: beside the dumps, as on GeoNames' server."""
    return paths.geonames_dumps_dir() / "alternatenames" / f"{cc}.txt"


def added_countries() -> list[str]:
    """The countries whose dumps the data directory holds."""
    return sorted(p.stem for p in paths.geonames_dumps_dir().glob("*.txt") if _COUNTRY.match(p.stem))


def country_code(text: str) -> str:
    cc = text.strip().upper()
    if not _COUNTRY.match(cc):
        raise DownloadError(f"{text!r} is no ISO 3166 country code (two letters, e.g. SY)")
    return cc


def add_country(cc: str, file: Path | None = None, alternate_names: Path | None = None,
                base_url: str = DEFAULT_BASE_URL, sha256: str | None = None,
                with_alternate_names: bool = True, progress: bool = True) -> Added:
    """Put country `cc`'s GeoNames dump (and alternate names) in the data directory.

    `file`: the dump the user brings (GeoNames' CC.zip, or its CC.txt) instead of a download;
    its alternate names then come from `alternate_names`, if given. Without `file`, both are
    downloaded from `base_url`. Raises DownloadError, naming the file or URL and the problem.
    The caller rebuilds the index (`gazetteer.build_index`).
    """
    cc = country_code(cc)
    folder = paths.geonames_dumps_dir()
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=folder, prefix=".download-") as tmp:
        if file is not None:
            dump_src = _local(Path(file), sha256)
        else:
            dump_src = _download(urljoin(base_url, f"{cc}.zip"), Path(tmp) / f"{cc}.zip",
                                 sha256, progress)
        # both files are checked in the temporary folder first, then put in place together: a
        # failure anywhere (the names' download, a full disk) leaves the country as it was
        staged = [(Path(tmp) / f"{cc}.txt", dump_path(cc))]
        places = _install(dump_src, f"{cc}.txt", staged[0][0], _DUMP_COLUMNS, cc)
        names, alt_path = 0, None
        alt_src = None
        if alternate_names is not None:
            alt_src = _local(Path(alternate_names), None)
        elif file is None and with_alternate_names:
            alt_src = _download(urljoin(base_url, f"alternatenames/{cc}.zip"),
                                Path(tmp) / f"alternatenames-{cc}.zip", None, progress)
        if alt_src is not None:
            alt_path = alternate_names_path(cc)
            staged.append((Path(tmp) / f"alternatenames-{cc}.txt", alt_path))
            names = _install(alt_src, f"{cc}.txt", staged[1][0], _ALTERNATE_COLUMNS, None)
        _put_in_place(staged, Path(tmp))
    return Added(cc, dump_path(cc), places, alt_path, names)


def _put_in_place(staged: list[tuple[Path, Path]], tmp: Path) -> None:
    """Rename each checked file onto its target, all or none: a target's previous file waits in
    `tmp` until every rename is done, and is put back if one fails."""
    done: list[tuple[Path, Path | None]] = []  # (target, its previous file)
    try:
        for new, target in staged:
            target.parent.mkdir(parents=True, exist_ok=True)
            previous = None
            if target.exists():
                previous = tmp / f"previous-{len(done)}"
                target.replace(previous)
            done.append((target, previous))
            new.replace(target)
    except OSError as exc:
        for target, previous in reversed(done):
            if previous is not None:
                previous.replace(target)
            else:
                target.unlink(missing_ok=True)
        raise DownloadError(f"{target}: could not be put in place ({exc.strerror or exc}); "
                            "nothing was changed") from exc


def remove_country(cc: str) -> bool:
    """Remove a country's dump and alternate names; True when there was one."""
    cc = country_code(cc)
    found = False
    for path in (dump_path(cc), alternate_names_path(cc)):
        if path.exists():
            path.unlink()
            found = True
    return found


def _local(path: Path, sha256: str | None) -> Path:
    if not path.is_file():
        raise DownloadError(f"{path}: no such file")
    if sha256:
        _check_digest(path, sha256, str(path))
    return path


def _download(url: str, dest: Path, sha256: str | None, progress: bool) -> Path:
    """Fetch `url` into `dest` with a progress bar; check its length (and digest)."""
    if urlsplit(url).scheme not in ("http", "https"):
        raise DownloadError(f"{url}: only http and https downloads are allowed")
    try:
        response = urllib.request.urlopen(url, timeout=60)  # noqa: S310 (scheme checked above)
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"{url}: the server answered {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(f"{url}: could not connect ({reason}); offline, bring the file "
                            "with --file") from exc
    with response:
        length = response.headers.get("Content-Length")
        expected = int(length) if length and length.isdigit() else None
        got = 0
        with open(dest, "wb") as out, tqdm(total=expected, unit="B", unit_scale=True,
                                           desc=Path(urlsplit(url).path).name,
                                           disable=not progress) as bar:
            while True:
                try:
                    chunk = response.read(_CHUNK)
                except (OSError, http.client.HTTPException) as exc:
                    raise DownloadError(f"{url}: the download broke off after {got} bytes "
                                        f"({exc})") from exc
                if not chunk:
                    break
                out.write(chunk)
                got += len(chunk)
                bar.update(len(chunk))
    if expected is not None and got != expected:
        raise DownloadError(f"{url}: got {got} bytes of {expected}; the download is incomplete")
    if sha256:
        _check_digest(dest, sha256, url)
    return dest


def _check_digest(path: Path, sha256: str, name: str) -> None:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(_CHUNK), b""):
            h.update(chunk)
    if h.hexdigest() != sha256.strip().lower():
        raise DownloadError(f"{name}: SHA-256 {h.hexdigest()} is not the expected {sha256}")


def _install(src: Path, member: str, dest: Path, columns: int, cc: str | None) -> int:
    """Copy the tab-separated `member` of a zip (or a plain text file) to `dest`, checking the
    zip's CRCs and the lines' shape; returns the line count."""
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.part")
    try:
        if zipfile.is_zipfile(src):
            with zipfile.ZipFile(src) as z:
                bad = z.testzip()
                if bad is not None:
                    raise DownloadError(f"{src}: the zip is damaged ({bad} fails its CRC check)")
                if member not in z.namelist():
                    raise DownloadError(f"{src}: no {member} inside (it holds "
                                        f"{', '.join(z.namelist()) or 'nothing'})")
                with z.open(member) as f, open(tmp, "wb") as out:
                    shutil.copyfileobj(f, out)
        else:
            shutil.copyfile(src, tmp)
        count = _check_lines(tmp, src, columns, cc)
        tmp.replace(dest)
        return count
    except (zipfile.BadZipFile, zlib.error) as exc:
        raise DownloadError(f"{src}: the zip is damaged ({exc})") from exc
    finally:
        tmp.unlink(missing_ok=True)


def _check_lines(path: Path, src: Path, columns: int, cc: str | None) -> int:
    """Count the lines, refusing a file that is not GeoNames' format (or another country's)."""
    count = 0
    with open(path, encoding="utf-8", errors="strict") as f:
        try:
            for n, line in enumerate(f, 1):
                if not line.strip():
                    continue
                cols = line.rstrip("\n").split("\t")
                if len(cols) < columns or not cols[0].isdigit():
                    raise DownloadError(f"{src}: line {n} is not in GeoNames' format "
                                        f"({len(cols)} tab-separated columns)")
                if cc and cols[8] != cc:
                    raise DownloadError(f"{src}: line {n} is a place in {cols[8]!r}, not {cc}")
                count += 1
        except UnicodeDecodeError as exc:
            raise DownloadError(f"{src}: not UTF-8 text ({exc})") from exc
    if not count:
        raise DownloadError(f"{src}: holds no places")
    return count
