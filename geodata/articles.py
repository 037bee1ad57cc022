"""Articles in: load news articles from files, folders, globs, uploads and URLs.

Every loader is a generator of `Article` and `Problem` items, so the CLI and the page's upload
share one code path and one bad file or row never stops the rest of a batch. Each article gets a
clean body (site boilerplate removed), a date that is read, never invented, and a stable id.
"""
from __future__ import annotations

import csv
import email.utils
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
from datetime import date, datetime
from pathlib import Path
from typing import Iterable, Iterator

import dateparser
import feedparser
import trafilatura
import yaml

from geodata.model import Article

MAX_BYTES = 20 * 1024 * 1024
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

    def __str__(self) -> str:
        return f"{self.origin}: {self.message}"


Item = Article | Problem


# ---------------------------------------------------------------------------------------------
# Entry points


def load(
    sources: Iterable[str | Path], *, max_bytes: int = MAX_BYTES, timeout: float = 30
) -> Iterator[Item]:
    """Articles and problems from paths, folders (recursively), glob patterns and http(s) URLs."""
    for source in files(sources):
        if isinstance(source, Problem):
            yield source
        elif isinstance(source, str):
            yield from load_url(source, max_bytes=max_bytes, timeout=timeout)
        else:
            yield from load_file(source, max_bytes=max_bytes)


def files(sources: Iterable[str | Path]) -> Iterator[Path | str | Problem]:
    """What `load` reads, in its order: each file (folders walked, patterns expanded), each URL
    (a str), and a Problem for what is not there. The batch job makes its partitions of these."""
    for source in sources:
        text = str(source)
        if re.match(r"https?://", text, re.I):
            yield text
            continue
        path = Path(text).expanduser()
        if path.is_dir():
            yield from _folder_files(path)
        elif path.is_file():
            yield path
        elif re.search(r"[*?[]", text):
            matches = sorted(glob.glob(str(path), recursive=True))
            if not matches:
                yield Problem(text, "no file matches this pattern")
            yield from files(matches)
        elif path.is_symlink():
            yield Problem(text, "broken link: its target does not exist")
        else:
            yield Problem(text, "no such file or folder")


def load_file(path: Path, *, max_bytes: int = MAX_BYTES) -> Iterator[Item]:
    """Articles and problems from one file; checks the size before reading it."""
    origin = str(path)
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
    origin = origin or name
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


def _folder_files(folder: Path) -> Iterator[Path | Problem]:
    """Every file under a folder, in name order, hidden files and folders left out."""
    for path in sorted(folder.rglob("*")):
        if any(part.startswith(".") for part in path.relative_to(folder).parts):
            continue
        if path.is_file():
            yield path
        elif path.is_symlink():
            yield Problem(str(path), "broken link: its target does not exist")


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
    return "binary data" if b"\x00" in data[:8192] else None


def _decode(data: bytes) -> tuple[str, str | None]:
    """Text from bytes: UTF-8 (BOM or not) or UTF-16 with a BOM, else Windows-1252 with a note."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), None
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
    """YAML that keeps dates as written, so an impossible one is reported, not a YAML crash."""


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
        try:
            loaded = yaml.load(match.group(1), Loader=_FrontMatterLoader)
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"line {mark.line + 2}: " if mark else ""  # +2: 0-based, after the opening ---
            reason = getattr(exc, "problem", None) or _one_line(exc)
            yield Problem(origin, f"front matter is not valid YAML ({where}{reason}); read without it")
        else:
            if isinstance(loaded, dict):
                meta = loaded
            else:
                yield Problem(origin, "front matter is not a set of 'field: value' lines; read without it")
    if markdown:
        text = _markdown_to_text(text)
    yield from _article(_fields(meta) | {"text": text}, origin, headline_first=True)


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
        "date": doc.date,
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
            "text": _html_to_text(body) if _looks_like_html(body) else body,
        }
        yield from _article(record, where)


def _load_json(text: str, origin: str) -> Iterator[Item]:
    """A JSON object (one article) or list of objects; a truncated list keeps its whole items."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        items = _complete_items(text)
        saved = f"; read the {len(items)} complete items before it" if items else ""
        yield Problem(origin, f"invalid or truncated JSON at line {exc.lineno} column {exc.colno} ({exc.msg}){saved}; the rest skipped")
        value = items
    if isinstance(value, dict):
        yield from _record(value, origin)
    elif isinstance(value, list):
        for number, record in enumerate(value, 1):
            yield from _record(record, f"{origin} item {number}")
    else:
        yield Problem(origin, "JSON is neither an article object nor a list of them; skipped")


def _complete_items(text: str) -> list:
    """The items of a JSON list read one by one up to the first broken one."""
    decoder = json.JSONDecoder()
    pos = len(text) - len(text.lstrip())
    if not text.startswith("[", pos):
        return []
    items, pos = [], pos + 1
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        try:
            item, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return items
        items.append(item)


def _load_jsonl(text: str, origin: str) -> Iterator[Item]:
    """One JSON object a line; a bad line is reported and the others read."""
    # split("\n"), not splitlines(): JSON strings may hold U+2028 or U+0085 raw, mid-line.
    for number, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        where = f"{origin} line {number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Problem(where, f"invalid JSON at column {exc.colno} ({exc.msg}); row skipped")
            continue
        yield from _record(record, where)


def _load_csv(text: str, origin: str, *, tab: bool, max_bytes: int) -> Iterator[Item]:
    """A table with a header row naming the fields (title, date, source, url, text)."""
    # Article bodies are longer than csv's default 128 KB field limit.
    csv.field_size_limit(max(csv.field_size_limit(), max_bytes))
    first_line = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = "\t" if tab else max(",;\t", key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        yield Problem(origin, "empty table; skipped")
        return
    except csv.Error as exc:
        yield Problem(origin, f"malformed header row ({exc}); skipped")
        return
    if not any(name in header for name in FIELDS["text"]):
        yield Problem(origin, f"no 'text' column (columns: {', '.join(header)}); skipped")
        return
    while True:
        line = reader.line_num + 1
        where = f"{origin} line {line}"
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield Problem(where, f"malformed CSV ({exc}); the rest of the file skipped")
            return
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            yield Problem(where, f"expected {len(header)} fields, found {len(row)}; row skipped")
            continue
        yield from _record(dict(zip(header, row)), where)


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
    if _looks_like_html(fields["text"]):
        fields["text"] = _html_to_text(fields["text"])
    yield from _article(fields, origin)


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


def _article(fields: dict, origin: str, *, headline_first: bool = False) -> Iterator[Item]:
    """Build the Article from raw fields; a bad date is a problem, the article still comes."""
    title = _one_line(fields.get("title") or "")
    paragraphs = clean_paragraphs(str(fields.get("text") or ""), title)
    if headline_first and not title and len(paragraphs) > 1 and _is_headline(paragraphs[0]):
        title = paragraphs.pop(0)
    if not paragraphs:
        yield Problem(origin, "no article text (empty, or only site boilerplate); skipped")
        return
    body = "\n\n".join(paragraphs)
    url = str(fields.get("url") or "").strip().split("#", 1)[0]
    try:
        published = find_date(fields.get("date"), url, body)
    except ValueError as exc:
        yield Problem(origin, f"{exc}; date left unknown")
        published = None
    yield Article(
        id=article_id(url, body),
        title=title or _excerpt(body),
        text=body,
        source=_one_line(str(fields.get("source") or "")),
        url=url,
        date=published,
        origin=origin,
    )


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
SUPPORT_SITE = re.compile(r"^Support (?:[A-Z0-9][\w.'’&-]*\s?){1,6}!$")
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
    return bool(re.search(r"<(p|div|br|span|a|b|i|em|strong|ul|li|h\d|article|html|body)\b[^>]*>", text, re.I))


def _html_to_text(html: str) -> str:
    """Plain text of an HTML fragment (a feed summary, a JSON body), one paragraph a block."""
    text = trafilatura.extract(html, favor_recall=True, include_comments=False)
    if not text:  # trafilatura drops very short fragments as non-content
        text = trafilatura.html2txt(f"<html><body>{html}</body></html>")
    return text.replace("\n", "\n\n")


def _markdown_to_text(text: str) -> str:
    """Plain text of Markdown: link and emphasis markup out, the words kept."""
    text = re.sub(r"!\[([^\]]*)\]\([^)]*\)", r"\1", text)  # images: keep the alt text
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)  # links: keep the link text
    text = re.sub(r"^[ \t]{0,3}(#{1,6}|>+)[ \t]*", "", text, flags=re.M)  # heading / quote marks
    text = re.sub(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?![\w*])", r"\1", text)
    return re.sub(r"`([^`]*)`", r"\1", text)


# ---------------------------------------------------------------------------------------------
# Dates: metadata, else the URL path, else a full date written in the text; never invented

MONTH = (
    r"(?P<month>January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
)
DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
YEAR_NUMBER = r"(?P<year>(?:19|20)\d\d)"
YEAR = re.compile(r"\b(?:19|20)\d\d\b")
# Written dates; the first two end at their year (`\Z`: `_text_dates` ends the search there).
TEXT_DATES = (
    re.compile(rf"\b{DAY}\s+(?:of\s+)?{MONTH},?\s+{YEAR_NUMBER}\b\Z"),  # 12 January 2020
    re.compile(rf"\b{MONTH}\s+{DAY},?\s+{YEAR_NUMBER}\b\Z"),  # January 12, 2020
    re.compile(r"\b(?P<year>(?:19|20)\d\d)-(?P<month>[01]\d)-(?P<day>[0-3]\d)\b"),  # 2020-01-12
)
URL_DATE = re.compile(r"/(?P<year>(?:19|20)\d\d)[/-](?P<month>[01]?\d)[/-](?P<day>[0-3]?\d)(?:[/\-_.]|$)")
ISO_START = re.compile(r"^\s*(?P<year>\d{4})[-/](?P<month>\d{1,2})[-/](?P<day>\d{1,2})(?!\d)")
MONTHS = {m.lower(): i for i, m in enumerate(
    "jan feb mar apr may jun jul aug sep oct nov dec".split(), 1)}
# Only absolute dates: a relative one ("yesterday") would be read against today, i.e. invented.
DATEPARSER_SETTINGS = {"PARSERS": ["timestamp", "custom-formats", "absolute-time"], "STRICT_PARSING": True}


def find_date(value: object, url: str = "", text: str = "") -> str | None:
    """The publication date, ISO yyyy-mm-dd: from metadata, else the URL, else the text.

    Raises ValueError when the metadata gives a date that is impossible or unreadable: the
    caller reports it and keeps the date unknown rather than guessing from elsewhere.
    """
    if value not in (None, ""):
        return parse_date(value)
    matches = itertools.chain([URL_DATE.search(urllib.parse.urlsplit(url).path)], _text_dates(text))
    # A day still to come is an event the text announces, not when it was published.
    today = date.today().isoformat()
    return next((d for d in map(_valid, filter(None, matches)) if d and d <= today), None)


def _text_dates(text: str) -> Iterator[re.Match]:
    """The full dates written in a text, in order. Every one holds a year, so the patterns run
    only around the years found (running them over the whole text was the slow part)."""
    for year in YEAR.finditer(text):
        ending = (p.search(text, max(0, year.start() - 40), year.end()) for p in TEXT_DATES[:2])
        yield from sorted(filter(None, ending), key=lambda m: m.start())
        yield TEXT_DATES[2].match(text, year.start())


def parse_date(value: object) -> str:
    """An ISO date from a metadata value (ISO, RFC 822, '12 January 2020', date objects)."""
    if isinstance(value, datetime | date):
        return value.strftime("%Y-%m-%d")
    text = _one_line(value)
    match = ISO_START.match(text)
    if match:
        return _checked(int(match["year"]), int(match["month"]), int(match["day"]), text)
    parsed = email.utils.parsedate_tz(text)  # RFC 822, as feeds write them; not range-checked
    if parsed:
        return _checked(parsed[0], parsed[1], parsed[2], text)
    for pattern in TEXT_DATES[:2]:
        match = pattern.fullmatch(text)
        if match:
            return _checked(int(match["year"]), MONTHS[match["month"][:3].lower()], int(match["day"]), text)
    found = dateparser.parse(text, settings=DATEPARSER_SETTINGS)
    if found is None:
        raise ValueError(f"unreadable date {text!r}")
    return found.strftime("%Y-%m-%d")


def _checked(year: int, month: int, day: int, written: str) -> str:
    try:
        return date(year, month, day).isoformat()
    except ValueError as exc:
        raise ValueError(f"impossible date {written!r} ({exc})") from None


def _valid(match: re.Match) -> str | None:
    """The ISO date a regex match names, or None when no such day exists."""
    month = match["month"]
    number = int(month) if month.isdigit() else MONTHS[month[:3].lower()]
    try:
        return date(int(match["year"]), number, int(match["day"])).isoformat()
    except ValueError:
        return None
