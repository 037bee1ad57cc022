"""Articles in: load news articles from files, folders, globs, uploads and URLs.

Every loader is a generator of `Article` and `Problem` items, so the CLI and the page's upload
share one code path and one bad file or row never stops the rest of a batch. Each article gets a
clean body (site boilerplate removed), a date that is read, never invented (from the metadata, the
URL or the dateline at the top, never from the body; `Article.date_source` says which), and a
stable id.
"""
from __future__ import annotations

import csv
import email.utils
import functools
import glob
import hashlib
import io
import itertools
import json
import re
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
import xml.sax
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Iterable, Iterator

import dateparser
import feedparser
import htmldate
import lxml.etree
import lxml.html
import trafilatura
import yaml

from geodata.model import Article

# Bounds on what one input may cost (README, "Limits"). Past them an input is a Problem, never a
# stalled or crashed batch; every step below them runs in time linear in its input.
MAX_BYTES = 20 * 1024 * 1024  # one file or download
MAX_TEXT_CHARS = 1_000_000  # one article's body: ~150,000 words, a book; news runs 500-5,000
MAX_FRONT_MATTER = 64 * 1024  # YAML front matter: a few fields, never this much
MAX_FRONT_MATTER_DEPTH = 20  # brackets inside brackets in it
MAX_DATE_CHARS = 100  # a written date; dateparser's time grows with its input
MAX_TITLE_CHARS = 500  # a headline; the rest is cut
MAX_URL_CHARS = 2_000  # browsers' and servers' practical URL limit; a longer one is ignored
MAX_PROBLEMS_PER_FILE = 100  # listed for one file; the rest are counted in one line
EARLIEST_DATE = "1800-01-01"  # publication dates before this are not a news archive's
USER_AGENT = "Placewire/1.0 (offline geoparser; article loader)"

TEXT_EXTS = {".txt", ".text", ".md", ".markdown"}
HTML_EXTS = {".html", ".htm", ".xhtml"}
FEED_EXTS = {".rss", ".atom"}
JSON_EXTS = {".json"}
JSONL_EXTS = {".jsonl", ".ndjson"}
CSV_EXTS = {".csv", ".tsv"}
PARQUET_EXTS = {".parquet"}
SNIFF_EXTS = {".xml", ""}  # feed, page or JSON: decided by looking at the content
SUPPORTED = sorted(TEXT_EXTS | HTML_EXTS | FEED_EXTS | JSON_EXTS | JSONL_EXTS | CSV_EXTS
                   | PARQUET_EXTS | {".xml"})

# Field names accepted in front matter, JSON and CSV, first wins.
FIELDS = {
    "title": ("title", "headline"),
    "date": ("date", "published", "pubdate", "published_at", "datepublished"),
    "source": ("source", "sitename", "publisher"),
    "url": ("url", "link"),
    "text": ("text", "body", "content"),
}

# Magic numbers of binary formats people drop into article folders by mistake.
MAGIC = {
    b"%PDF": "a PDF",
    b"PK\x03\x04": "a ZIP archive (or .docx/.xlsx)",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"\x1f\x8b": "a gzip archive",
    b"SQLite format 3": "an SQLite database",
}


@dataclass(frozen=True)
class Problem:
    """Something in the input that could not be read as given: where, and what went wrong."""

    origin: str  # the file or URL, and the row ("news.csv line 4")
    message: str

    def __post_init__(self) -> None:  # printable and storable whatever the input held
        object.__setattr__(self, "origin", _printable(self.origin))
        object.__setattr__(self, "message", _printable(self.message))

    def __str__(self) -> str:
        return f"{self.origin}: {self.message}"


Item = Article | Problem


# ---------------------------------------------------------------------------------------------
# Entry points


def load(
    sources: Iterable[str | Path], *, max_bytes: int = MAX_BYTES, timeout: float = 30,
    follow_links: bool = False,
) -> Iterator[Item]:
    """Articles and problems from paths, folders (recursively), glob patterns and http(s) URLs;
    links as `files` says."""
    for source in files(sources, follow_links=follow_links):
        if isinstance(source, Problem):
            yield source
        elif isinstance(source, str):
            yield from load_url(source, max_bytes=max_bytes, timeout=timeout)
        else:
            yield from load_file(source, max_bytes=max_bytes)


def files(sources: Iterable[str | Path], *, follow_links: bool = False) -> Iterator[Path | str | Problem]:
    """What `load` reads, in its order: each file (folders walked, patterns expanded), each URL
    (a str), and a Problem for what is not there. The batch job makes its partitions of these.

    Inside a folder (or a glob's folder) a symbolic link is read only when its target lies
    under that folder too, unless `follow_links`: a link must not carry /etc/passwd into the
    store. A file named itself is read wherever it points.
    """
    for source in sources:
        text = str(source)
        if re.match(r"https?://", text, re.I):
            yield text
            continue
        path = Path(text).expanduser()
        if path.is_dir():
            yield from _folder_files(path, follow_links)
        elif path.is_file():
            yield path
        elif re.search(r"[*?[]", text):
            matches = sorted(glob.glob(str(path), recursive=True))
            if not matches:
                yield Problem(text, "no file matches this pattern")
            root = _glob_root(path)
            for match in map(Path, matches):
                if match.is_dir():
                    yield from _folder_files(match, follow_links, root)
                else:
                    yield _under(match, root, follow_links)
        elif path.is_symlink():
            yield Problem(text, "broken link: its target does not exist")
        else:
            yield Problem(text, "no such file or folder")


def load_file(path: Path, *, max_bytes: int = MAX_BYTES) -> Iterator[Item]:
    """Articles and problems from one file; checks the size before reading it."""
    origin = _printable(str(path))
    try:
        size = path.stat().st_size
        if size > max_bytes:
            yield Problem(origin, f"file is {_mb(size)}, over the {_mb(max_bytes)} limit; skipped")
            return
        data = path.read_bytes()
    except OSError as exc:
        yield Problem(origin, f"cannot read the file: {exc.strerror or exc}")
        return
    yield from load_bytes(path.name, data, origin=origin, max_bytes=max_bytes)


def load_bytes(
    name: str,
    data: bytes,
    *,
    origin: str = "",
    url: str = "",
    content_type: str = "",
    max_bytes: int = MAX_BYTES,
) -> Iterator[Item]:
    """Articles and problems from a file's name and content: the page's upload calls this.

    `name` picks the format by its extension (content sniffed for .xml or none); `url` is where
    the bytes were fetched from, if anywhere.
    """
    origin = _printable(origin or name)
    yield from _capped(_load_bytes(name, data, origin, url, content_type, max_bytes), origin)


def _capped(items: Iterator[Item], origin: str) -> Iterator[Item]:
    """The items of one file, its problems listed up to MAX_PROBLEMS_PER_FILE, then counted."""
    problems = 0
    for item in items:
        if isinstance(item, Problem):
            problems += 1
            if problems > MAX_PROBLEMS_PER_FILE:
                continue
        yield item
    if problems > MAX_PROBLEMS_PER_FILE:
        yield Problem(origin, f"{problems - MAX_PROBLEMS_PER_FILE} more problems in this file, not listed")


def _load_bytes(name: str, data: bytes, origin: str, url: str, content_type: str,
                max_bytes: int) -> Iterator[Item]:
    if len(data) > max_bytes:
        yield Problem(origin, f"file is {_mb(len(data))}, over the {_mb(max_bytes)} limit; skipped")
        return
    if not data.strip():
        yield Problem(origin, "empty file; skipped")
        return
    if Path(name).suffix.lower() in PARQUET_EXTS:  # binary, but a table of articles
        yield from load_parquet(io.BytesIO(data), origin)
        return
    binary = _binary_kind(data)
    if binary:
        yield Problem(origin, f"not a text file (looks like {binary}); skipped")
        return
    kind = _format(name, data, content_type)
    if kind is None:
        ext = Path(name).suffix.lower() or "(none)"
        yield Problem(origin, f"unsupported file type {ext}; supported: {' '.join(SUPPORTED)}")
        return
    if kind == "html":
        yield from _load_html(data, origin, url)
        return
    if kind == "feed":
        yield from _load_feed(data, origin)
        return
    text, note = _decode(data)
    if note:
        yield Problem(origin, note)
    if kind == "text":
        yield from _load_text(text, origin, markdown=Path(name).suffix.lower() in {".md", ".markdown"})
    elif kind == "json":
        yield from _load_json(text, origin)
    elif kind == "jsonl":
        yield from _load_jsonl(text, origin)
    else:
        yield from _load_csv(text, origin, tab=name.lower().endswith(".tsv"), max_bytes=max_bytes)


def load_url(url: str, *, max_bytes: int = MAX_BYTES, timeout: float = 30) -> Iterator[Item]:
    """Articles and problems from an article page or a feed on the web."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            data = response.read(max_bytes + 1)
            final_url = response.geturl()
            content_type = response.headers.get("Content-Type", "")
    except urllib.error.HTTPError as exc:
        yield Problem(url, f"cannot fetch: HTTP {exc.code} {exc.reason}")
        return
    except (urllib.error.URLError, OSError) as exc:
        yield Problem(url, f"cannot fetch: {getattr(exc, 'reason', exc)}")
        return
    name = Path(urllib.parse.urlsplit(final_url).path).name
    yield from load_bytes(
        name, data, origin=url, url=final_url, content_type=content_type, max_bytes=max_bytes
    )


def _folder_files(folder: Path, follow_links: bool = False,
                  root: Path | None = None) -> Iterator[Path | Problem]:
    """Every file under a folder, in name order, hidden files and folders left out; links only
    to files under `root` (the folder itself by default), unless `follow_links`."""
    root = root or folder
    for path in sorted(folder.rglob("*")):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        if path.is_symlink() and not path.exists():
            yield Problem(str(path), "broken link: its target does not exist")
        elif path.is_file():
            yield _under(path, root, follow_links)
        elif path.is_symlink():  # a linked folder (rglob does not enter them)
            outside = _outside(path, root)
            if outside and not follow_links:
                yield Problem(str(path), f"a link to the folder {outside}, outside {root}; skipped "
                                         "(the CLI's --follow-links reads it)")
            elif outside:
                yield from _folder_files(path, follow_links, path)


def _under(path: Path, root: Path, follow_links: bool) -> Path | Problem:
    """A file found under `root`, or a Problem when it is a link out of `root`."""
    outside = None if follow_links else _outside(path, root)
    if outside:
        return Problem(str(path), f"a link to {outside}, outside {root}; skipped "
                                  "(the CLI's --follow-links reads it)")
    return path


def _outside(path: Path, root: Path) -> Path | None:
    """Where `path` really is, when that is not under `root` (a link out); else None."""
    target = path.resolve()
    return None if target.is_relative_to(root.resolve()) else target


def _glob_root(pattern: Path) -> Path:
    """The folder a glob pattern searches: its path up to the first wildcard."""
    parts = list(itertools.takewhile(lambda part: not re.search(r"[*?[]", part), pattern.parts))
    return Path(*parts) if parts else Path(".")


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB" if size >= 1024 * 1024 else f"{size / 1024:.1f} KB"


# ---------------------------------------------------------------------------------------------
# Bytes to text, and which format


def _binary_kind(data: bytes) -> str | None:
    """What binary format the bytes look like, or None for text."""
    for magic, kind in MAGIC.items():
        if data.startswith(magic):
            return kind
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text has NULs but is text
        return None
    # binary files are full of NULs; a text with a stray one is still text (its NULs are dropped)
    sample = data[:8192]
    return "binary data" if sample.count(b"\x00") > max(1, len(sample) // 100) else None


def _decode(data: bytes) -> tuple[str, str | None]:
    """Text from bytes: UTF-8 (BOM or not) or UTF-16 with a BOM, else Windows-1252 with a note."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), None
        except UnicodeDecodeError as exc:  # a lone surrogate, or an odd number of bytes
            note = f"not valid UTF-16 ({exc.reason} at byte {exc.start}); read with \ufffd for what cannot be read"
            return data.decode("utf-16", errors="replace"), note
    try:
        return data.decode("utf-8-sig"), None
    except UnicodeDecodeError as exc:
        where = f"byte 0x{data[exc.start]:02x} at offset {exc.start}"
    # cp1252 leaves five bytes undefined; latin-1 maps every byte, so one of them always works.
    for codec, label in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        return text, f"not valid UTF-8 ({where}); read as {label}, check its accents"
    raise AssertionError("latin-1 decodes any bytes")


def _format(name: str, data: bytes, content_type: str) -> str | None:
    """The loader for these bytes: by extension, else by content type and content."""
    ext = Path(name).suffix.lower()
    for exts, kind in (
        (TEXT_EXTS, "text"), (HTML_EXTS, "html"), (FEED_EXTS, "feed"),
        (JSON_EXTS, "json"), (JSONL_EXTS, "jsonl"), (CSV_EXTS, "csv"),
    ):
        if ext in exts:
            return kind
    if ext not in SNIFF_EXTS and not content_type:
        return None
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    content_type = content_type.lower()
    if re.search(rb"<(rss|feed|rdf:rdf)[\s>]", head) or re.search(r"rss|atom", content_type):
        return "feed"
    if re.search(rb"<(!doctype html|html|body|article)[\s>]", head) or "html" in content_type:
        return "html"
    if head.startswith((b"{", b"[")) or "json" in content_type:
        return "json"
    if content_type.startswith("text/plain"):
        return "text"
    return None


# ---------------------------------------------------------------------------------------------
# The formats


class _FrontMatterLoader(yaml.SafeLoader):
    """YAML that keeps dates as written, so an impossible one is reported, not a YAML crash, and
    refuses aliases: metadata never needs them, and nested ones expand exponentially (a 401-byte
    "billion laughs" of 9**9 items)."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in front matter", self.peek_event().start_mark)
        return super().compose_node(parent, index)


_FrontMatterLoader.yaml_implicit_resolvers = {
    key: [r for r in resolvers if r[0] != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
FRONT_MATTER = re.compile(r"\A---[ \t]*\r?\n(.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)


def _load_text(text: str, origin: str, *, markdown: bool) -> Iterator[Item]:
    """A .txt/.md article, with optional YAML front matter (title, date, source, url)."""
    meta: dict = {}
    match = FRONT_MATTER.match(text)
    if match:
        text = text[match.end():]
        loaded, problem = _front_matter(match.group(1))
        if problem:
            yield Problem(origin, f"front matter {problem}; read without it")
        elif isinstance(loaded, dict):
            meta = loaded
        else:
            yield Problem(origin, "front matter is not a set of 'field: value' lines; read without it")
    if markdown:
        text = _markdown_to_text(text)
    yield from _article(_fields(meta) | {"text": text}, origin, headline_first=True)


def _front_matter(block: str) -> tuple[object, str | None]:
    """The YAML front matter's value, or what is wrong with it."""
    if len(block) > MAX_FRONT_MATTER:
        return None, f"is over {_mb(MAX_FRONT_MATTER)}"
    # PyYAML's scanner slows with each open bracket (seconds at a few thousand) before its
    # composer gives up at Python's recursion limit: deep flow nesting is refused unread
    depth = deepest = 0
    for bracket in re.findall(r"[\[\]{}]", block):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    if deepest > MAX_FRONT_MATTER_DEPTH:
        return None, f"is nested over {MAX_FRONT_MATTER_DEPTH} levels deep"
    try:
        return yaml.load(block, Loader=_FrontMatterLoader), None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 2}: " if mark else ""  # +2: 0-based, after the opening ---
        reason = getattr(exc, "problem", None) or _one_line(exc)
        return None, f"is not valid YAML ({where}{reason})"
    except RecursionError:
        return None, "is nested too deeply"
    except ValueError:  # an integer of over 4,300 digits (Python's limit for int())
        return None, "holds a number too long to read"


def _load_html(data: bytes, origin: str, url: str) -> Iterator[Item]:
    """A web page: trafilatura finds the main text and the metadata (title, date, site, url)."""
    doc = trafilatura.bare_extraction(
        data, url=url or None, with_metadata=True, include_comments=False, include_tables=False
    )
    if doc is None or not (doc.text or "").strip():
        yield Problem(origin, "no article text found in the page; skipped")
        return
    record = {
        "title": doc.title,
        "date": html_metadata_date(data),
        "source": doc.sitename or doc.hostname,
        "url": doc.url or url,
        # trafilatura puts one paragraph a line; the store keeps paragraphs apart by a blank line.
        "text": doc.text.replace("\n", "\n\n"),
    }
    yield from _article(record, origin)


def _load_feed(data: bytes, origin: str) -> Iterator[Item]:
    """An RSS or Atom feed: one article per entry, its content (or summary) stripped of HTML."""
    feed = feedparser.parse(data)
    if not feed.entries:
        reason = _one_line(feed.get("bozo_exception", "")) or "it has no entries"
        yield Problem(origin, f"not a readable RSS/Atom feed ({reason}); skipped")
        return
    error = feed.get("bozo_exception")
    if isinstance(error, xml.sax.SAXParseException):  # other bozo flags are benign encoding notes
        yield Problem(origin, f"malformed or truncated feed (line {error.getLineNumber()}: {error.getMessage()}); read the entries found")
    source = feed.feed.get("title", "")
    for number, entry in enumerate(feed.entries, 1):
        where = f"{origin} entry {number}"
        contents = [c.get("value", "") for c in entry.get("content", [])]
        body = next((c for c in contents if c.strip()), "") or entry.get("summary", "")
        record = {
            "title": entry.get("title", ""),
            "date": entry.get("published") or entry.get("updated") or "",
            "source": source,
            "url": entry.get("link", ""),
            "text": body,
        }
        yield from _article(record, where, html=True)


def _load_json(text: str, origin: str) -> Iterator[Item]:
    """A JSON object (one article) or list of objects, read item by item (memory for one item
    at a time); a broken or truncated list keeps the whole items before the break."""
    pos = len(text) - len(text.lstrip())
    if not text.startswith("[", pos):
        try:
            value = _JSON.decode(text)
        except (ValueError, RecursionError) as exc:
            yield Problem(origin, f"{_json_problem(exc, 'invalid JSON')}; skipped")
            return
        if isinstance(value, dict):
            yield from _record(value, origin)
        else:
            yield Problem(origin, "JSON is neither an article object nor a list of them; skipped")
        return
    items, count = _json_items(text, pos), 0
    while True:
        try:
            value = next(items)
        except StopIteration:
            return
        except (ValueError, RecursionError) as exc:  # only the decoding's: records are read below
            saved = f"; read the {count} complete items before it" if count else ""
            yield Problem(origin, f"{_json_problem(exc, 'invalid or truncated JSON')}{saved}; the rest skipped")
            return
        count += 1
        yield from _record(value, f"{origin} item {count}")


class _BoundedDecoder(json.JSONDecoder):
    """json's decoder, with integers of over 100 digits kept as written: int() refuses those of
    over 4,300 digits (ValueError), and no article field is such a number."""

    def __init__(self) -> None:
        super().__init__(parse_int=lambda digits: int(digits) if len(digits) <= 100 else digits)


_JSON = _BoundedDecoder()


def _json_items(text: str, pos: int) -> Iterator:
    """The items of the JSON list that opens at text[pos], decoded one at a time."""
    pos = _skip_space(text, pos + 1)
    if text.startswith("]", pos):
        pos += 1
    else:
        while True:
            item, pos = _JSON.raw_decode(text, pos)
            yield item
            pos = _skip_space(text, pos)
            if text.startswith("]", pos):
                pos += 1
                break
            if not text.startswith(",", pos):
                raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)
            pos = _skip_space(text, pos + 1)
    if _skip_space(text, pos) != len(text):
        raise json.JSONDecodeError("Extra data", text, _skip_space(text, pos))


_SPACE = re.compile(r"[ \t\r\n]*")


def _skip_space(text: str, pos: int) -> int:
    return _SPACE.match(text, pos).end()


def _json_problem(exc: Exception, what: str) -> str:
    if isinstance(exc, RecursionError):
        return "JSON nested too deeply (over about 1,000 levels)"
    if isinstance(exc, json.JSONDecodeError):
        return f"{what} at line {exc.lineno} column {exc.colno} ({exc.msg})"
    return f"{what} ({_clip(str(exc))})"


def _load_jsonl(text: str, origin: str) -> Iterator[Item]:
    """One JSON object a line; a bad line is reported and the others read."""
    # split("\n"), not splitlines(): JSON strings may hold U+2028 or U+0085 raw, mid-line.
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        where = f"{origin} line {number}"
        try:
            record = _JSON.decode(line)
        except json.JSONDecodeError as exc:
            yield Problem(where, f"invalid JSON at column {exc.colno} ({exc.msg}); row skipped")
            continue
        except (ValueError, RecursionError) as exc:
            yield Problem(where, f"{_json_problem(exc, 'invalid JSON')}; row skipped")
            continue
        yield from _record(record, where)


def _load_csv(text: str, origin: str, *, tab: bool, max_bytes: int) -> Iterator[Item]:
    """A table with a header row naming the fields (title, date, source, url, text)."""
    # Article bodies are longer than csv's default 128 KB field limit.
    csv.field_size_limit(max(csv.field_size_limit(), max_bytes))
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = "\t" if tab else max(",;\t", key=first_line.count)
    lines = io.StringIO(text, newline="").readlines()  # as csv reads them: \n, \r\n or \r
    reader = csv.reader(lines, delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        yield Problem(origin, "empty table; skipped")
        return
    except csv.Error as exc:
        yield Problem(origin, f"malformed header row ({exc}); skipped")
        return
    if not any(name in header for name in FIELDS["text"]):
        yield Problem(origin, f"no 'text' column (columns: {', '.join(_clip(h, 40) for h in header[:20])}); skipped")
        return
    offset = header_lines = reader.line_num  # a bad row is skipped, and reading starts again after it
    quoting = csv.QUOTE_MINIMAL
    while offset < len(lines):
        reader = csv.reader(itertools.islice(lines, offset, None), delimiter=delimiter, quoting=quoting)
        restart = None
        while restart is None:
            line = offset + reader.line_num + 1
            where = f"{origin} line {line}"
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Problem(where, f"malformed CSV ({exc}); row skipped")
                restart = max(offset + reader.line_num, line)
                continue
            if (quoting != csv.QUOTE_NONE and offset + reader.line_num == len(lines)
                    and _runs_off_the_end(lines[line - 1:], delimiter)):
                # csv reads an unclosed quote to the end of the file: every row after it would
                # be one article's body. Read again after it; when that runs off the end too,
                # the rest is read a line a row, quotes as they are (else each stray quote would
                # cost another pass over the rest: quadratic)
                restart = line
                if offset > header_lines:
                    quoting = csv.QUOTE_NONE
                yield Problem(where, "a quoted field opened on this row never closes; row skipped, "
                                     "the lines after it read as rows"
                                     + (", quotes as they are" if quoting == csv.QUOTE_NONE else ""))
                continue
            if not any(cell.strip() for cell in row):
                continue
            if len(row) != len(header):
                yield Problem(where, f"expected {len(header)} fields, found {len(row)}; row skipped")
                continue
            yield from _record(dict(zip(header, row)), where)
        offset = restart


def _runs_off_the_end(lines: list[str], delimiter: str) -> bool:
    """Whether the CSV row opening these lines holds a quote that never closes."""
    try:
        for _ in csv.reader(lines, delimiter=delimiter, strict=True):
            pass
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def load_parquet(source, origin: str, row_groups: Iterable[int] | None = None) -> Iterator[Item]:
    """A Parquet table, one article a row, its columns named as JSON's and CSV's fields.

    `source`: a path or a binary file. `row_groups`: only these (the batch job reads one a
    task); rows are numbered from the file's first all the same, so origins match `load`'s.
    """
    import pyarrow
    import pyarrow.parquet as pq

    try:
        table = pq.ParquetFile(source)
    except (pyarrow.ArrowException, OSError) as exc:
        yield Problem(origin, f"not a readable Parquet file ({_one_line(exc)}); skipped")
        return
    sizes = [table.metadata.row_group(g).num_rows for g in range(table.num_row_groups)]
    for group in range(table.num_row_groups) if row_groups is None else row_groups:
        try:
            rows = table.read_row_group(group).to_pylist()
        except (pyarrow.ArrowException, OSError) as exc:
            yield Problem(f"{origin} row group {group}", f"unreadable ({_one_line(exc)}); skipped")
            continue
        for number, record in enumerate(rows, sum(sizes[:group]) + 1):
            yield from _record(record, f"{origin} row {number}")


def _record(record: object, origin: str) -> Iterator[Item]:
    """An article from one JSON/CSV record."""
    if not isinstance(record, dict):
        yield Problem(origin, f"expected an object with a 'text' field, found {type(record).__name__}; row skipped")
        return
    fields = _fields(record)
    if not isinstance(fields.get("text"), str) or not fields["text"].strip():
        yield Problem(origin, "no 'text' field (or it is empty); row skipped")
        return
    yield from _article(fields, origin, html=True)


def _fields(record: dict) -> dict:
    """title/date/source/url/text from a record, under any accepted name or letter case."""
    lower = {str(k).strip().lower(): v for k, v in record.items()}
    out = {}
    for field, names in FIELDS.items():
        value = next((lower[n] for n in names if lower.get(n) not in (None, "")), None)
        if value is not None:
            out[field] = value
    return out


# ---------------------------------------------------------------------------------------------
# One article: clean body, date, identity


def _article(fields: dict, origin: str, *, headline_first: bool = False, html: bool = False) -> Iterator[Item]:
    """Build the Article from raw fields; a bad date is a problem, the article still comes.

    `html`: the body may be an HTML fragment (a JSON or CSV field, a feed entry's content).
    """
    fields, problems = _bounded(fields)
    for problem in problems:
        yield Problem(origin, problem)
    text = fields.get("text") or ""
    if len(text) > MAX_TEXT_CHARS:
        yield Problem(origin, f"article text of {len(text):,} characters, over the {MAX_TEXT_CHARS:,} "
                              "one article may have; skipped (split it into articles)")
        return
    if html and _looks_like_html(text):
        text = _html_to_text(text)
    title = _one_line(fields.get("title") or "")
    paragraphs = clean_paragraphs(text, title)
    if headline_first and not title and len(paragraphs) > 1 and _is_headline(paragraphs[0]) \
            and not is_date_line(paragraphs[0]):
        title = paragraphs.pop(0)
    if not paragraphs:
        yield Problem(origin, "no article text (empty, or only site boilerplate); skipped")
        return
    body = "\n\n".join(paragraphs)
    url = str(fields.get("url") or "").strip().split("#", 1)[0]
    try:
        published, date_source = find_date(fields.get("date"), url, body)
        published = _plausible(published)
    except ValueError as exc:
        yield Problem(origin, f"{exc}; date left unknown")
        published, date_source = None, "unknown"
    yield Article(
        id=article_id(url, body),
        title=title or _excerpt(next((p for p in paragraphs if not is_date_line(p)), body)),
        text=body,
        source=_one_line(fields.get("source") or ""),
        url=url,
        date=published,
        origin=origin,
        date_source=date_source,
    )


def _bounded(fields: dict) -> tuple[dict, list[str]]:
    """The fields as text within their bounds, and what had to be changed to get there: a list
    or object where text belongs is dropped; characters that are not valid Unicode (lone
    surrogates, which no file can store) become U+FFFD; an overlong title is cut, an overlong
    url dropped."""
    out, problems = {}, []
    for name, value in fields.items():
        if value is None:  # a field the format has and this article leaves empty
            continue
        if name == "date" and isinstance(value, date):
            out[name] = value
            continue
        if isinstance(value, (list, dict)):
            problems.append(f"the {name} is not text (found a JSON/YAML {type(value).__name__}); ignored")
            continue
        value = value if isinstance(value, str) else str(value)
        if _SURROGATE.search(value):
            problems.append(f"the {name} holds characters that are not valid Unicode (lone surrogates); "
                            "replaced with \ufffd")
            value = _SURROGATE.sub("\ufffd", value)
        if "\x00" in value:  # a byte of damage, no character: SQLite and the page stop at it
            problems.append(f"the {name} holds NUL characters; removed")
            value = value.replace("\x00", "")
        if name in ("title", "source") and len(value) > MAX_TITLE_CHARS:
            problems.append(f"the {name} is over {MAX_TITLE_CHARS} characters; cut")
            value = _one_line(value[:MAX_TITLE_CHARS]) + "…"
        if name == "url" and len(value) > MAX_URL_CHARS:
            problems.append(f"the url is over {MAX_URL_CHARS:,} characters; ignored")
            continue
        out[name] = value
    return out, problems


_SURROGATE = re.compile("[\ud800-\udfff]")  # in a str, only unpaired ones are left


def _printable(text: str) -> str:
    """Text any file, terminal or database can hold: a file name's undecodable bytes (which
    Python keeps as lone surrogates) and other lone surrogates become U+FFFD."""
    if not _SURROGATE.search(text):
        return text
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    except UnicodeEncodeError:
        return _SURROGATE.sub("\ufffd", text)


def _plausible(published: str | None) -> str | None:
    """A publication date, unless it lies in the future or before any news archive."""
    if published is None:
        return None
    if published > (date.today() + timedelta(days=1)).isoformat():  # a day's slack: time zones
        raise ValueError(f"date {published} lies in the future")
    if published < EARLIEST_DATE:
        raise ValueError(f"date {published} is before {EARLIEST_DATE[:4]}, too early for a news article")
    return published


def article_id(url: str, text: str) -> str:
    """The stable identity of an article: its URL, else a hash of its clean text."""
    return url or "sha1:" + hashlib.sha1(text.encode("utf-8")).hexdigest()


def _is_headline(paragraph: str) -> bool:
    """A first line that reads as a headline: one short line, not a sentence."""
    return "\n" not in paragraph and len(paragraph) <= 200 and not paragraph.endswith((".", "!", "?", ":", '"', "”"))


def _excerpt(text: str, size: int = 90) -> str:
    first = text.split("\n", 1)[0]
    return first if len(first) <= size else first[:size].rsplit(" ", 1)[0] + "…"


def _one_line(value: object) -> str:
    return " ".join(str(value).split())


def _clip(text: str, size: int = 60) -> str:
    """A value short enough to quote in a message."""
    return text if len(text) <= size else text[:size] + "…"


# ---------------------------------------------------------------------------------------------
# Body cleaning: site boilerplate out, paragraphs kept

# Whole lines that are site furniture, not reporting (compared case-insensitively).
BOILERPLATE_LINE = re.compile(
    r"""^(
        support\ (us|our\ \w+|independent\ journalism)!?
      | read\ more | read\ more\ (here|about\ .{1,80}) | continue\ reading | read\ the\ full\ (story|article)
      | related(\ (articles|stories|coverage))? | more\ on\ this\ story | advertisement | sponsored( content)?
      | share(\ this)?(\ (article|story))? | share\ on\ \w+ | (click\ here\ to\ )?subscribe(\ now)?
      | sign\ up\ (for|to)\ our\ newsletter.* | skip\ to\ (main\ )?content
      | not\ ready\ to\ support\ today\?? | remind\ me\ later\.? | pa[iy]ments?\ methods?
      | (photo|image|picture|credit|photo\ credit)s?\ ?(:|by)\ .{1,80}  # "Photo: Jane Doe / AFP"
      | (©|\(c\)|copyright\ (©|\(c\)|\d{4})).{0,120}
    )[\s.!:]*$""",
    re.I | re.X,
)
# "Support The Moscow Times!": an appeal naming the site, in title case (a sentence is not).
# (`*+`: a word is never split between two repetitions, which made the pattern exponential)
SUPPORT_SITE = re.compile(r"^Support (?:[A-Z0-9][\w.'’&-]*+\s?){1,6}!$")
# A photo credit: "Baderkhan Ahmad / AP / TASS" - short parts split by slashes, ending in an agency.
CREDIT_PART = re.compile(r"^[\w.'’\- ]{1,40}$")
AGENCY = re.compile(
    r"^([A-Z]{2,6}(-[A-Z]{2,6})?|Reuters|Getty Images|Shutterstock|Anadolu( Agency)?|Xinhua|Sputnik|Handout|Pool)$"
)
# Donation and membership appeals: they start with a line like this...
APPEAL_START = re.compile(r"\b(we|i) have a (small )?favou?r to ask\b|^\W*before you (go|move on)\b", re.I)
# ...and run to the last of these lines close below it.
APPEAL_LINE = re.compile(
    r"thank you|remind me later|not ready to support|support (us|today)|donat|contribut|pa[iy]ment|subscri", re.I
)
APPEAL_REACH = 15  # lines below the start that may still belong to the appeal
# No-break and other odd spaces as plain spaces, so search and the parser see one kind of space.
SPACES = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]")  # a regex: str.translate is slower


def clean_paragraphs(text: str, title: str = "") -> list[str]:
    """The body's paragraphs with site boilerplate removed (appeals, credits, link furniture).

    Paragraphs are blocks separated by blank lines; line breaks inside one are kept.
    """
    text = SPACES.sub(" ", unicodedata.normalize("NFC", text))
    lines = [line.rstrip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    lines = _drop_appeals(lines)
    lines = ["" if _is_boilerplate(line) else line for line in lines]
    lines = _drop_title(lines, title)
    paragraphs, current = [], []
    for line in lines + [""]:
        if line.strip():
            current.append(line.strip())
        elif current:
            paragraphs.append("\n".join(current))
            current = []
    return paragraphs


def _drop_appeals(lines: list[str]) -> list[str]:
    """Cut each donation appeal: its start line through the last appeal line close below."""
    low = "\n".join(lines).lower()
    if "favo" not in low and "before you" not in low:
        return lines  # the common case, found without running the pattern on every line
    out, i = [], 0
    while i < len(lines):
        if not APPEAL_START.search(lines[i]):
            out.append(lines[i])
            i += 1
            continue
        end = i
        for j in range(i + 1, min(len(lines), i + 1 + APPEAL_REACH)):
            if APPEAL_LINE.search(lines[j]):
                end = j
        i = end + 1
    return out


def _is_boilerplate(line: str) -> bool:
    stripped = line.strip()
    if not stripped:
        return False
    if BOILERPLATE_LINE.match(stripped) or SUPPORT_SITE.match(stripped):
        return True
    if len(stripped) > 100 or "/" not in stripped:  # a credit is short and has its slashes
        return False
    parts = [p.strip() for p in stripped.split("/")]
    return 2 <= len(parts) <= 5 and all(CREDIT_PART.match(p) for p in parts) and bool(AGENCY.match(parts[-1]))


def _drop_title(lines: list[str], title: str) -> list[str]:
    """Remove the title where it is repeated among the first lines of the body."""
    key = _title_key(title)
    if not key:
        return lines
    out, seen = list(lines), 0
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        # a line much longer than the title cannot be it (and keying it is the slow part)
        if len(line) <= 2 * len(title) + 10 and _title_key(line) == key:
            out[i] = ""
            break
        seen += 1
        if seen >= 3:
            break
    return out


def _title_key(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def _looks_like_html(text: str) -> bool:
    # [^<>]: a tag ends before the next one opens, so no search runs past it (linear time)
    return bool(re.search(r"<(p|div|br|span|a|b|i|em|strong|ul|li|h\d|article|html|body)\b[^<>]*>", text, re.I))


def _html_to_text(html: str) -> str:
    """Plain text of an HTML fragment (a feed summary, a JSON body), one paragraph a block."""
    # wrapped: a fragment's leading text outside any tag (a feed's "ALEPPO, March 3 (Reuters) -"
    # before its first <br>) is otherwise dropped
    text = trafilatura.extract(f"<html><body><div>{html}</div></body></html>", favor_recall=True,
                               include_comments=False)
    if not text:  # trafilatura drops very short fragments as non-content
        text = trafilatura.html2txt(f"<html><body>{html}</body></html>")
    return text.replace("\n", "\n\n")


# Markdown's inline markup. Each part between delimiters excludes the delimiter, so a search from
# one opening stops at the next delimiter: linear time on any input ("**a " * 8000 took 7.5 s
# with `.+?`, "[" * 100000 minutes).
MD_IMAGE = re.compile(r"!\[([^\[\]]*)\]\([^()\s]*\)")
MD_LINK = re.compile(r"\[([^\[\]]+)\]\([^()\s]*\)")
MD_BLOCK_MARK = re.compile(r"^[ \t]{0,3}(#{1,6}|>+)[ \t]*", re.M)
MD_STRONG = re.compile(r"\*\*(?=[^\s*])([^*\n]*?)(?<=[^\s*])\*\*|__(?=[^\s_])([^_\n]*?)(?<=[^\s_])__")
MD_EMPHASIS = re.compile(r"(?<![\w*])\*(?=[^\s*])([^*\n]*?)(?<=[^\s*])\*(?![\w*])")
MD_CODE = re.compile(r"`([^`]*)`")


def _markdown_to_text(text: str) -> str:
    """Plain text of Markdown: link and emphasis markup out, the words kept."""
    text = MD_IMAGE.sub(r"\1", text)  # images: keep the alt text
    text = MD_LINK.sub(r"\1", text)  # links: keep the link text
    text = MD_BLOCK_MARK.sub("", text)  # heading / quote marks
    text = MD_STRONG.sub(lambda m: m[1] if m[1] is not None else m[2], text)
    text = MD_EMPHASIS.sub(r"\1", text)
    return MD_CODE.sub(r"\1", text)


# ---------------------------------------------------------------------------------------------
# Dates: metadata, else the URL path, else the dateline or byline at the top; never the body.
# A date in the body ("the massacre that began on 2 February 1982", an obituary's birth date)
# is something the article talks about, not when it was published.

MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
YEAR_NUMBER = r"(?P<year>(?:19|20)\d\d)"
# Written dates: "12 January 2020", "January 12, 2020", "2020-01-12". At the top of an article the
# year may be missing ("ALEPPO, Syria, March 3 (Reuters) -").
TEXT_DATES = (
    re.compile(rf"\b{DAY}\s+(?:of\s+)?{MONTH}(?:,?\s+{YEAR_NUMBER})?\b"),
    re.compile(rf"\b{MONTH}\s+{DAY}\b(?:,?\s+{YEAR_NUMBER}\b)?"),
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b"),
)
URL_DATE = re.compile(r"/(?P<year>(?:19|20)\d\d)[/-](?P<month>[01]?\d)[/-](?P<day>[0-3]?\d)(?:[/\-_.]|$)")
URL_YEAR = re.compile(r"/(?P<year>(?:19|20)\d\d)(?:[/-](?P<month>[01]?\d))?(?=[/\-_.]|$)")
ISO_START = re.compile(r"^\s*(?P<year>\d{4})[-/](?P<month>\d{1,2})[-/](?P<day>\d{1,2})(?!\d)")
MONTHS = {m.lower(): i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
# Only absolute dates: a relative one ("yesterday") would be read against today, i.e. invented.
DATEPARSER_SETTINGS = {"PARSERS": ["timestamp", "custom-formats", "absolute-time"], "STRICT_PARSING": True}

# The dateline/byline zone: the first lines at the top of the body.
ZONE_LINES, ZONE_CHARS = 4, 400
# "Published", "Last updated on", "Date:" right before a date make it the publication date.
LABEL = re.compile(
    r"(?:^|\s)(?:(?:first\s+|last\s+)?(?:published|posted|updated|filed|issued|released)|dated?)"
    r"(?:\s+(?:on|at))?\s*:?\s*$", re.I)
WEEKDAY = re.compile(r",?\s*\b(?:mon|tues?|wed(?:nes)?|thu(?:rs?)?|fri|sat(?:ur)?|sun)(?:day)?\.?,?\s*$", re.I)
TIME = re.compile(r"^[\s,]*(?:at\s+)?\d{1,2}[:.]\d\d(?:\s*[aApP]\.?[mM]\.?)?(?:\s*[A-Z]{2,4}\b)?")
# A sentence ends before a capital: the lead of a date starts after the last one (not after an
# initial or a title such as "L.B." or "Ms.": the two letters before the stop are lower case).
SENTENCE_END = re.compile(r"(?<=[a-z0-9\"'”’)][a-z0-9\"'”’)])[.!?]+[\"'”’)]*\s+")
# Words that make a capitalised run a sentence about an event, not a byline or a dateline.
EVENT_WORDS = frozenset(
    "on in since until till from before after during born died dies killed married founded began "
    "ended of at as for to was were is".split())
# Lower-case words and marks a byline may hold: "By Jane Doe and Omar Ali | Reuters".
BYLINE_JOINERS = frozenset("by and & de van von der da al el bin ibn am pm".split())


def find_date(value: object, url: str = "", text: str = "") -> tuple[str | None, str]:
    """(ISO yyyy-mm-dd or None, where it came from): metadata, else the URL, else the dateline.

    The dateline or byline zone is the text's first lines: a date there opens a line, follows a
    label ("Published 12 January 2020"), a byline ("By Jane Doe, Staff Writer March 3, 2009") or a
    dateline ("ALEPPO, Syria, March 3 (Reuters) -"). A date anywhere else is not the publication
    date. Raises ValueError when the metadata gives a date that is impossible or unreadable: the
    caller reports it and keeps the date unknown rather than guessing from elsewhere.
    """
    if value not in (None, ""):
        return parse_date(value), "metadata"
    today = date.today().isoformat()
    path = urllib.parse.urlsplit(url).path
    match = URL_DATE.search(path)
    found = _valid(match) if match else None
    if found and found <= today:  # a day still to come is an event announced, not a publication
        return found, "url"
    found = dateline_date(text, URL_YEAR.search(path))
    if found and found <= today:
        return found, "dateline"
    return None, "unknown"


def dateline_date(text: str, url_year: re.Match | None = None) -> str | None:
    """The first date written in the dateline or byline zone at the top of `text`, ISO, or None.

    A date without its year ("March 3") takes the year of the URL's path (/2020/ or /2020/03/)
    when there is one, and is left unread otherwise: any other year would be a guess.
    """
    lines = [line for line in text.split("\n", ZONE_LINES * 3)[: ZONE_LINES * 3] if line.strip()]
    zone = "\n".join(lines[:ZONE_LINES])[:ZONE_CHARS]
    for match in sorted((m for p in TEXT_DATES for m in p.finditer(zone)), key=lambda m: m.start()):
        if not _in_dateline(zone, match):
            continue
        if match["year"] is None:
            if url_year is None or (url_year["month"] and int(url_year["month"]) != MONTHS[match["month"][:3].lower()]):
                continue
            found = _valid(match, int(url_year["year"]))
        else:
            found = _valid(match)
        if found:
            return found
    return None


def _in_dateline(zone: str, match: re.Match) -> bool:
    """Whether a date found in the zone is a dateline's or byline's, judged by the words around it."""
    line_start = zone.rfind("\n", 0, match.start()) + 1
    ends = [m.end() for m in SENTENCE_END.finditer(zone, line_start, match.start())]
    lead = zone[ends[-1] if ends else line_start:match.start()]
    lead = WEEKDAY.sub("", lead).rstrip(" ,;:|·•/–—-(\t")
    labelled = LABEL.search(lead)
    if labelled:
        lead = lead[:labelled.start()].rstrip(" ,;:|·•/–—-(\t")
    if not all(_byline_word(word) for word in lead.split()):
        return False
    if labelled:
        return True
    # unlabelled: the line must not go on as a sentence ("March 5, 2009, at Cedar Manor")
    after = TIME.sub("", zone[match.end():match.end() + 40]).lstrip(" ,:;–—-\t")
    return not after[:1].islower() or after.split(" ", 1)[0] in BYLINE_JOINERS


def _byline_word(word: str) -> bool:
    """A word a byline or dateline is made of: a name, an agency, an email, a joiner, a mark."""
    core = word.strip(",;:()[]\"'“”‘’")
    if not core or not any(c.isalnum() for c in core):
        return True
    if core.lower() in EVENT_WORDS:
        return False
    return core[0].isupper() or "@" in core or core.lower() in BYLINE_JOINERS or bool(TIME.match(core))


def is_date_line(line: str) -> bool:
    """Whether a line is nothing but a (labelled) date, as "Published 12 January 2020" is."""
    for match in (m for p in TEXT_DATES for m in p.finditer(line)):
        rest = LABEL.sub("", WEEKDAY.sub("", line[:match.start()]).rstrip())
        rest += TIME.sub("", line[match.end():])
        if not re.search(r"[^\W\d_]", rest):
            return True
    return False


def html_metadata_date(data: bytes) -> str | None:
    """The publication date a web page's markup declares (meta tags, JSON-LD, itemprop), or None.

    htmldate reads the markup only: the page's head and its structured data, never its text
    (its text search would take any date in the body). Returns an ISO date.
    """
    try:
        tree = lxml.html.fromstring(data)
    except (lxml.etree.ParserError, ValueError):
        return None
    keep = tree.xpath("//head/meta | //script[@type='application/ld+json']"
                      " | //*[@itemprop='datePublished' or @itemprop='dateCreated']")
    if not keep:
        return None
    markup = "<html><head>" + "".join(lxml.html.tostring(e, encoding="unicode") for e in keep)
    # url="" keeps htmldate from the canonical link's path: the URL is a source of its own
    return htmldate.find_date(markup + "</head><body></body></html>", url="", extensive_search=False,
                              original_date=True, max_date=date.today().isoformat())


def parse_date(value: object) -> str:
    """An ISO date from a metadata value (ISO, RFC 822, '12 January 2020', date objects)."""
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    text = _one_line(value)
    if len(text) > MAX_DATE_CHARS:  # dateparser's time grows with the text: 100 s on 220 KB
        raise ValueError(f"unreadable date {_clip(text)!r} (over {MAX_DATE_CHARS} characters)")
    match = ISO_START.match(text)
    if match:
        return _checked(int(match["year"]), int(match["month"]), int(match["day"]), text)
    parsed = email.utils.parsedate_tz(text)  # RFC 822, as feeds write them; not range-checked
    if parsed:
        return _checked(parsed[0], parsed[1], parsed[2], text)
    for pattern in TEXT_DATES[:2]:
        match = pattern.fullmatch(text)
        if match and match["year"]:
            return _checked(int(match["year"]), MONTHS[match["month"][:3].lower()], int(match["day"]), text)
    found = _dateparser(text) if DATE_CHARS.fullmatch(text) else None
    if found is None:
        raise ValueError(f"unreadable date {text!r}")
    return found


# What dateparser is given: a written date has letters, digits and a little punctuation, no
# backslashes, brackets or quotes. Each unreadable value costs it milliseconds (it tries ~200
# languages), so values that cannot be dates are refused unread and repeated ones asked once.
DATE_CHARS = re.compile(r"[\w\s,.:/+()'’-]+")


@functools.lru_cache(maxsize=4096)
def _dateparser(text: str) -> str | None:
    found = dateparser.parse(text, settings=DATEPARSER_SETTINGS)
    return found.strftime("%Y-%m-%d") if found else None


def _checked(year: int, month: int, day: int, written: str) -> str:
    try:
        return date(year, month, day).isoformat()
    except ValueError as exc:
        raise ValueError(f"impossible date {written!r} ({exc})") from None


def _valid(match: re.Match, year: int | None = None) -> str | None:
    """The ISO date a regex match names (in `year` when it names none), or None if no such day."""
    month = match["month"]
    number = int(month) if month.isdigit() else MONTHS[month[:3].lower()]
    try:
        return date(year or int(match["year"]), number, int(match["day"])).isoformat()
    except ValueError:
        return None
