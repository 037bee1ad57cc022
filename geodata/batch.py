"""The batch job: the geoparser mapped over partitions of articles on Dask, and its output loaded.

    python -m geodata batch IN... --out DIR [--scheduler ADDRESS] [--workers N]
    python -m geodata load DIR [--db STORE]

`parse_partition` is the pure function: a pandas DataFrame of articles (the store's article
columns) in, a DataFrame of their mentions out (the store's mention columns and the columns of
each mention's place), with no state but the read-only gazetteer index, opened once per worker
process from a file. Any engine that maps pandas over partitions calls it unchanged: Dask here,
Spark as a pandas UDF (docs/batch.md).

One task reads one partition (an input file, exactly as `ingest` reads it, or one row group of
a Parquet file), parses it and writes DIR/{articles,mentions,places,problems}/part-NNNNN.parquet,
so results stream to disk and no process holds more than a partition. `load` puts a batch's
output into a store through the Store interface, in the partitions' order and the ingest's
transactions: the store ends up as `ingest` of the same inputs would have left it.
"""
from __future__ import annotations

import json
import os
import socket
import time
from dataclasses import asdict, dataclass
from functools import lru_cache
from pathlib import Path
from typing import Iterable, Iterator

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from . import articles as loader
from . import schema
from .exceptions import GazetteerError
from .gazetteer import Gazetteer, current_index
from .geocoder import online_configured
from .model import Article, Mention, Place
from .parallel import default_workers
from .parser import Geoparser

_ARROW_TYPES = {"TEXT": pa.string(), "INTEGER": pa.int64(), "BIGINT": pa.int64(), "REAL": pa.float64()}


def _store_columns(table: str, leave_out: tuple[str, ...]) -> pa.Schema:
    """A store table's columns (geodata/schema.sql, read, not copied), as Parquet types; less
    what the store fills itself (keys it numbers, times it stamps)."""
    return pa.schema([(c.name, _ARROW_TYPES[c.type.upper()]) for c in schema.tables()[table].columns
                      if c.name not in leave_out])


# What a batch writes: the store's columns of articles, mentions (a corrected mention's status
# is the store's to set) and places.
ARTICLES = _store_columns("articles", ("added_at",))
MENTIONS = _store_columns("mentions", ("id",))
PLACES = _store_columns("places", ())
PROBLEMS = pa.schema([("origin", pa.string()), ("message", pa.string())])
# What parse_partition returns: a mention's columns, its place's (place_*), and `problem`, set on
# the one row of an article the parser failed on.
PARSED = pa.schema([*MENTIONS, *(pa.field(f"place_{f.name}", f.type) for f in PLACES if f.name != "id"),
                    ("problem", pa.string())])
TABLES = {"articles": ARTICLES, "mentions": MENTIONS, "places": PLACES, "problems": PROBLEMS}
SUMMARY = "batch.json"  # written last: a folder without it holds no finished batch
# The batch parses with the gazetteer alone: a worker never calls out (rate limits, one cache).
OFFLINE_ONLY = ("an online geocoder is set (PLACEWIRE_GEOCODER) but the batch job resolves with "
                "the offline gazetteer only: names the gazetteer lacks stay unresolved "
                "(`ingest` asks the online geocoder for them)")


# --------------------------------------------------------------------------- the pure function


@lru_cache(maxsize=2)
def _gazetteer(index: str, fingerprint: str) -> Gazetteer:
    """The read-only index, opened once per worker process, from the file the driver names."""
    if not Path(index).exists():
        raise GazetteerError(f"no gazetteer index at {index} on worker {socket.gethostname()}: "
                             "share the data directory with the workers, or build the same index "
                             "there (python -m geodata build-index)")
    gazetteer = Gazetteer(Path(index))
    if gazetteer.fingerprint != fingerprint:
        raise GazetteerError(f"the gazetteer index at {index} on worker {socket.gethostname()} "
                             "differs from the driver's (other GeoNames data or places.csv): "
                             "results would differ; rebuild it from the same sources")
    return gazetteer


def parse_partition(frame: pd.DataFrame, index: str, fingerprint: str) -> pd.DataFrame:
    """Mentions of a partition of articles (columns id, text, published at least), one row
    each in the PARSED schema; an article the parser fails on gives one row with `problem`."""
    parser = Geoparser(_gazetteer(index, fingerprint))  # a fresh, in-memory resolution cache
    # through Arrow: missing values become None whatever the frame's dtypes (Spark's, Dask's)
    columns = pa.Table.from_pandas(frame[["id", "published", "text"]], preserve_index=False).to_pydict()
    rows = {name: [] for name in PARSED.names}
    for article_id, day, outcome in zip(columns["id"], columns["published"],
                                        parser.parse_batch(columns["text"])):
        if isinstance(outcome, str):
            _add_row(rows, {"article_id": article_id, "day": day, "problem": outcome})
            continue
        for m in outcome:
            _add_row(rows, _mention_columns(article_id, day, m))
    return pa.Table.from_pydict(rows, schema=PARSED).to_pandas(types_mapper=pd.ArrowDtype)


def parse_frames(frames: Iterable[pd.DataFrame], index: str, fingerprint: str) -> Iterator[pd.DataFrame]:
    """`parse_partition` over a stream of frames: the shape Spark's mapInPandas calls."""
    for frame in frames:
        yield parse_partition(frame, index, fingerprint)


def _add_row(rows: dict[str, list], values: dict) -> None:
    for name, column in rows.items():
        column.append(values.get(name))


def _mention_columns(article_id: str, day: str | None, m: Mention) -> dict:
    p = m.place
    values = {"article_id": article_id, "start": m.start, "end": m.end, "surface": m.surface,
              "sent_start": m.sent_start, "sent_end": m.sent_end, "norm": m.norm,
              "context": m.context, "kind": m.kind, "place_id": p.id if p else None,
              "score": m.score, "status": "auto", "day": day, "role": m.role,
              "event_type": m.event_type, "trigger_start": m.trigger[0] if m.trigger else None,
              "trigger_end": m.trigger[1] if m.trigger else None}
    if p is not None:
        values.update(place_geonameid=p.geonameid, place_name=p.name, place_kind=p.kind,
                      place_country=p.country, place_admin1=p.admin1, place_lat=p.lat,
                      place_lon=p.lon, place_population=p.population)
    return values


# --------------------------------------------------------------------------- one task


@dataclass(frozen=True)
class Partition:
    """One task's input: a file (or URL) as `ingest` reads it, or a Parquet file's row group."""

    number: int
    source: str
    row_group: int | None = None

    def items(self, max_bytes: int) -> Iterator:
        if self.row_group is not None:
            return loader.load_parquet(self.source, self.source, [self.row_group])
        if "://" in self.source:
            return loader.load_url(self.source, max_bytes=max_bytes)
        return loader.load_file(Path(self.source), max_bytes=max_bytes)


def partitions(inputs: Iterable[str | Path]) -> tuple[list[Partition], list[loader.Problem]]:
    """The partitions of the inputs, in `ingest`'s order, and what is not there at all."""
    parts, missing = [], []
    for source in loader.files(inputs):
        if isinstance(source, loader.Problem):
            missing.append(source)
        elif isinstance(source, Path) and source.suffix.lower() in loader.PARQUET_EXTS:
            try:
                groups = range(pq.ParquetFile(source).num_row_groups)
            except (pa.ArrowException, OSError):
                groups = [None]  # unreadable: its task says so, as `ingest` would
            parts += [Partition(len(parts) + i, str(source), g) for i, g in enumerate(groups)]
        else:
            parts.append(Partition(len(parts), str(source)))
    return parts, missing


def run_partition(part: Partition, out: str, index: str, fingerprint: str,
                  max_bytes: int = loader.MAX_BYTES) -> dict:
    """Read, parse and write one partition; returns its counts, problems and timings."""
    started, cpu = time.perf_counter(), time.process_time()
    kept: list[Article] = []
    problems: list[loader.Problem] = []
    seen, copies = set(), 0
    for item in part.items(max_bytes):
        if isinstance(item, loader.Problem):
            problems.append(item)
        elif item.id in seen:
            copies += 1  # a copy within the partition: `load` counts it present, unparsed
        else:
            seen.add(item.id)
            kept.append(item)
    read = time.perf_counter()
    frame = pa.Table.from_pylist([_article_columns(a) for a in kept], schema=ARTICLES)
    parsed = pa.Table.from_pandas(
        parse_partition(frame.to_pandas(types_mapper=pd.ArrowDtype), index, fingerprint),
        schema=PARSED, preserve_index=False)
    parse = time.perf_counter()
    failed = dict(zip(*(parsed.filter(parsed["problem"].is_valid())[c].to_pylist()
                        for c in ("article_id", "problem"))))
    by_id = {a.id: a for a in kept}
    problems += [loader.Problem(by_id[i].origin, message) for i, message in failed.items()]
    stored = [a for a in kept if a.id not in failed]
    mentions = parsed.filter(parsed["problem"].is_null())
    places = _places(mentions)
    name = f"part-{part.number:05d}.parquet"
    written = []
    for table, data in (("problems", pa.Table.from_pylist([asdict(p) for p in problems],
                                                          schema=PROBLEMS)),
                        ("places", places),
                        ("mentions", mentions.select(MENTIONS.names).cast(MENTIONS)),
                        ("articles", pa.Table.from_pylist([_article_columns(a) for a in stored],
                                                          schema=ARTICLES))):
        path = Path(out) / table / name
        pq.write_table(data, path.with_suffix(".tmp"))
        written.append(path)
    # in place only when all four are written, the articles last: `load` reads a partition
    # whose articles are there, so a task killed halfway (and run again) is never half read
    for path in written:
        os.replace(path.with_suffix(".tmp"), path)
    return {"number": part.number, "articles": len(stored), "copies": copies,
            "mentions": mentions.num_rows, "problems": [asdict(p) for p in problems],
            "read_s": read - started, "parse_s": parse - read,
            "write_s": time.perf_counter() - parse, "cpu_s": time.process_time() - cpu,
            "pid": os.getpid(), "host": socket.gethostname()}


def _article_columns(a: Article) -> dict:
    return {"id": a.id, "title": a.title, "source": a.source, "url": a.url, "published": a.date,
            "date_source": a.dated_by, "text": a.text, "origin": a.origin}


def _places(mentions: pa.Table) -> pa.Table:
    """The distinct places the mentions resolved to, in the store's place columns."""
    rows: dict[str, dict] = {}
    for row in mentions.filter(mentions["place_id"].is_valid()).select(
            ["place_id", *(f"place_{n}" for n in PLACES.names[1:])]).to_pylist():
        rows.setdefault(row["place_id"], {"id": row["place_id"], **{
            n: row[f"place_{n}"] for n in PLACES.names[1:]}})
    return pa.Table.from_pylist(list(rows.values()), schema=PLACES)


# --------------------------------------------------------------------------- the job


@dataclass
class BatchReport:
    partitions: int = 0
    articles: int = 0
    copies: int = 0
    mentions: int = 0
    problems: list[loader.Problem] | None = None
    tasks: list[dict] | None = None  # each partition's counts and timings, in order
    wall_s: float = 0.0
    startup_s: float = 0.0  # of wall_s: until the cluster was ready


def run(inputs: Iterable[str | Path], out: Path, *, scheduler: str | None = None,
        workers: int | None = None, max_bytes: int = loader.MAX_BYTES,
        progress=lambda done, total: None) -> BatchReport:
    """Parse every input on Dask into Parquet under `out`: on the cluster at `scheduler`, else
    on a LocalCluster of `workers` processes (default: one per core)."""
    from distributed import Client, LocalCluster, as_completed

    out = Path(out)
    if (out / SUMMARY).exists() or any(next((out / t).glob("part-*"), None) for t in TABLES):
        raise FileExistsError(f"{out} already holds a batch's output: choose another folder or remove it")
    for table in TABLES:
        (out / table).mkdir(parents=True, exist_ok=True)
    index, fingerprint = current_index()
    parts, problems = partitions(inputs)
    started = time.perf_counter()
    cluster = None if scheduler else LocalCluster(
        n_workers=workers or default_workers(), threads_per_worker=1, processes=True,
        dashboard_address=None)
    results: dict[int, dict] = {}
    try:
        with Client(scheduler or cluster) as client:
            ready = time.perf_counter()
            futures = client.map(run_partition, parts, out=str(out.resolve()), index=str(index),
                                 fingerprint=fingerprint, max_bytes=max_bytes, pure=False)
            number = {f.key: p.number for f, p in zip(futures, parts)}
            for future in as_completed(futures):
                try:
                    results[number[future.key]] = future.result()
                except Exception as exc:  # noqa: BLE001: a failed task costs its partition only
                    part = parts[number[future.key]]
                    results[part.number] = {"number": part.number, "articles": 0, "copies": 0,
                                            "mentions": 0, "failed": True, "problems": [{
                                                "origin": part.source, "message":
                                                f"the batch task failed ({exc!r}); partition skipped"}]}
                progress(len(results), len(parts))
    finally:
        if cluster is not None:
            cluster.close()
    tasks = [results[p.number] for p in parts]
    report = BatchReport(partitions=len(parts), tasks=tasks, wall_s=time.perf_counter() - started,
                         startup_s=ready - started,
                         problems=problems + [loader.Problem(**p) for t in tasks for p in t["problems"]])
    for t in tasks:
        report.articles += t["articles"]
        report.copies += t["copies"]
        report.mentions += t["mentions"]
    summary = json.dumps({
        "partitions": [asdict(p) for p in parts], "index_fingerprint": fingerprint,
        "wall_s": report.wall_s, "startup_s": report.startup_s, "problems": [asdict(p) for p in problems],
        "tasks": [{k: v for k, v in t.items() if k != "problems"} for t in tasks]}, indent=1)
    # its presence says the batch is finished: whole or not there, never half written
    (out / f"{SUMMARY}.tmp").write_text(summary, encoding="utf-8")
    os.replace(out / f"{SUMMARY}.tmp", out / SUMMARY)
    return report


def offline_notice() -> str | None:
    """What to tell the user before a batch when the settings ask for an online geocoder."""
    return OFFLINE_ONLY if online_configured() else None


# --------------------------------------------------------------------------- load


class Loaded:
    """The ingest's parsing, for articles a batch already parsed: their mentions, read back."""

    def __init__(self, folder: Path) -> None:
        summary = Path(folder) / SUMMARY
        if not summary.exists():
            raise FileNotFoundError(f"{folder} holds no finished batch output (no {SUMMARY}): "
                                    "run `python -m geodata batch ... --out` first")
        self.folder = Path(folder)
        self.parts = _parts(self.folder / "articles")
        self._mentions: dict[str, list[Mention]] = {}

    def articles(self) -> Iterator[Article]:
        """Every article of the batch, in the inputs' order (each partition's mentions ready)."""
        for path in self.parts:
            places = {r["id"]: Place(**r) for r in _read(self.folder / "places" / path.name)}
            self._mentions = {}
            for r in _read(self.folder / "mentions" / path.name):
                self._mentions.setdefault(r["article_id"], []).append(Mention(
                    r["start"], r["end"], r["surface"], r["sent_start"], r["sent_end"], r["kind"],
                    r["norm"], r["context"], places.get(r["place_id"]), r["score"], role=r["role"],
                    event_type=r["event_type"], trigger=None if r["trigger_start"] is None
                    else (r["trigger_start"], r["trigger_end"])))
            for r in _read(path):
                yield Article(id=r["id"], title=r["title"], text=r["text"], source=r["source"],
                              url=r["url"], date=r["published"], date_source=r["date_source"],
                              origin=r["origin"])

    def problems(self) -> list[loader.Problem]:
        """What the batch met: missing inputs, then each partition's problems, in order."""
        summary = json.loads((self.folder / SUMMARY).read_text(encoding="utf-8"))
        found = [loader.Problem(**p) for p in summary["problems"]]
        for path in _parts(self.folder / "problems"):
            found += [loader.Problem(**r) for r in _read(path)]
        return found

    def map(self, jobs: Iterable[tuple]) -> Iterator[tuple]:
        for item, parse in jobs:
            yield item, self._mentions.get(item.id, []) if parse else None

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass


def _parts(folder: Path) -> list[Path]:
    """A table's part files in their partitions' order (by number: part-100000 after part-99999)."""
    return sorted(folder.glob("part-*.parquet"), key=lambda p: (len(p.name), p.name))


def _read(path: Path) -> list[dict]:
    return pq.read_table(path).to_pylist()
