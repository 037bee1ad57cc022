"""Scale: ingest on worker processes, the batch job on a real Dask LocalCluster, `load`, and the
resolution cache's bounded memory.

Real parts throughout: the real gazetteer index, real SQLite stores, real worker processes (the
ingest's fork server) and a real LocalCluster of two worker processes. The sample is real text
(the shared corpora's, through benchmarks/realtext.py) in every format the batch job reads,
with the awkward cases: a broken line, a copy of an article, an unreadable Parquet file, a
missing path.
"""
from __future__ import annotations

import csv
import importlib.util
import json
import multiprocessing
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from benchmarks import realtext
from geodata import batch, parallel
from geodata.__main__ import main as cli
from geodata.articles import load
from geodata.cache import ResolutionCache
from geodata.export import export
from geodata.ingest import ingest
from geodata.parser import get_parser
from geodata.queries import Filter, mention_rows
from geodata.store import Store
from conftest import new_data_dir

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def inputs(tmp_path_factory) -> list[Path]:
    """90 real-text articles in JSONL, CSV (three dated by their URLs) and Parquet (two row
    groups), with a broken JSON line, a copy of an article in another file, an unreadable Parquet
    file and a missing path."""
    folder = tmp_path_factory.mktemp("inputs")
    rows = list(realtext.articles(90))
    with open(folder / "a.jsonl", "w", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows[:40])
    with open(folder / "b.jsonl", "w", encoding="utf-8") as f:
        f.writelines(json.dumps(r) + "\n" for r in rows[40:55])
        f.write('{"title": "broken", "text": \n')
        f.writelines(json.dumps(r) + "\n" for r in [*rows[55:70], rows[3]])  # a copy of a's 4th
    with open(folder / "c.csv", "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=[*rows[0], "url"])
        writer.writeheader()
        writer.writerows(rows[70:77])
        # dated by their addresses: the store says so, after a batch as after an ingest
        writer.writerows(dict(r, date="", url=f"https://news.example/2020/01/{12 + i}/story-{i}")
                         for i, r in enumerate(rows[77:80]))
    pq.write_table(pa.Table.from_pylist(rows[80:90]), folder / "d.parquet", row_group_size=6)
    (folder / "e.parquet").write_bytes(b"PAR1 this is no parquet file")
    return [folder / n for n in ("a.jsonl", "b.jsonl", "c.csv", "d.parquet", "e.parquet",
                                 "missing.jsonl")]


def exported(store: Store) -> str:
    """What `python -m geodata export --format csv` writes for the store."""
    return export(mention_rows(store.conn, Filter(include_demonyms=True, include_countries=True)), "csv")


def test_two_workers_store_what_one_stores_in_the_same_transactions(inputs, data_dir, monkeypatch):
    transactions: list[list[str]] = []
    add_many = Store.add_many

    def recorded(self, items):
        items = list(items)
        transactions.append([article.id for article, _ in items])
        return add_many(self, items)

    monkeypatch.setattr(Store, "add_many", recorded)
    get_parser.cache_clear()
    runs = {}
    # two workers first, with an empty resolution cache; then one, with the cache they left
    for workers in (2, 1):
        with Store(data_dir / f"w{workers}.sqlite") as store:
            store.add(next(iter(load(inputs[:1]))), [])  # an article stored before
            transactions.clear()
            report = ingest(load(inputs), store, batch=7, workers=workers)
            runs[workers] = (report, *stored(store), [t for t in transactions if t])
        if workers == 2:  # the writer never parsed: the workers did
            assert get_parser.cache_info().currsize == 0
    (two, *stored2), (one, *stored1) = runs[2], runs[1]
    assert stored2 == stored1
    assert (two.added, two.present, two.mentions, two.places) == (
        one.added, one.present, one.mentions, one.places)
    assert [str(p) for p in two.problems] == [str(p) for p in one.problems]
    assert (one.added, one.present) == (89, 2)  # the one stored before, the copy of the 4th
    assert one.mentions > 89 * 8
    assert [len(t) for t in stored1[-1]] == [7] * 12 + [5]
    problems = "\n".join(map(str, one.problems))
    assert "b.jsonl line 16: invalid JSON" in problems
    assert "e.parquet: not a readable Parquet file" in problems
    assert "missing.jsonl: no such file or folder" in problems
    origins = [row[-1] for row in stored1[1]]  # the articles' origin column
    assert any(o.endswith("d.parquet row 7") for o in origins)  # the second row group's first


def test_the_cli_ingests_on_all_cores_by_default(inputs, data_dir, capsys):
    assert cli(["ingest", *map(str, inputs), "--quiet"]) == 2  # 2: problems met, the rest stored
    assert capsys.readouterr().out.startswith("articles: 90 added, 1 already present\n")
    with pytest.raises(SystemExit):
        cli(["ingest", "--workers", "0", str(inputs[0])])
    assert "must be 1 or more" in capsys.readouterr().err


def test_workers_start_where_the_os_has_no_affinity_or_fork_server(monkeypatch):
    assert parallel.start_context().get_start_method() == "forkserver"  # this machine has both
    # macOS and Windows: no sched_getaffinity; Windows: no fork server either
    monkeypatch.delattr(os, "sched_getaffinity", raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 7)
    monkeypatch.setattr(multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    assert parallel.default_workers() == batch.default_workers() == 7
    assert parallel.start_context().get_start_method() == "spawn"


@pytest.fixture(scope="module")
def serial(inputs, index_dir, tmp_path_factory) -> tuple:
    """The serial ingest of the inputs: its report, and what the store then holds."""
    data = new_data_dir(tmp_path_factory.mktemp("serial"), index_dir)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("PLACEWIRE_DATA", str(data))
        get_parser.cache_clear()  # the process's parser: over this data directory's cache
        with Store(data / "serial.sqlite") as store:
            report = ingest(load(inputs), store, workers=1)
            return report, stored(store)


@pytest.fixture(scope="module")
def batch_run(inputs, index_dir, tmp_path_factory) -> tuple[Path, subprocess.CompletedProcess]:
    """`python -m geodata batch` of the inputs, as a user runs it, on a LocalCluster of 2 processes."""
    folder = tmp_path_factory.mktemp("batch")
    data, out = new_data_dir(folder, index_dir), folder / "out"
    run = subprocess.run([sys.executable, "-m", "geodata", "batch", *map(str, inputs), "--out",
                          str(out), "--workers", "2"], cwd=REPO, capture_output=True, text=True,
                         env=dict(os.environ, PLACEWIRE_DATA=str(data)), timeout=600)
    return out, run


def stored(store: Store) -> tuple:
    """What a store holds, in an order both backends give alike."""
    return (exported(store),
            *([tuple(r) for r in store.conn.execute(f"SELECT {columns} FROM {table} ORDER BY {key}")]
              for table, columns, key in (
                  ("articles", "id, title, source, url, published, date_source, text, origin", "id"),
                  ("places", "*", "id"), ("place_names", "*", "place_id, name"))))


def test_a_dask_batch_writes_the_stores_columns_and_every_problem(inputs, batch_run, serial):
    out, run = batch_run
    assert run.returncode == 2, run.stderr  # problems met, the rest parsed
    assert run.stdout.startswith("articles:   91 parsed (0 copies within a partition left out)\n")
    assert "partitions: 6 in" in run.stdout  # d.parquet: one a row group
    listed = sorted(line.strip() for line in run.stdout.splitlines()[5:])
    assert listed == sorted(map(str, serial[0].problems)) and len(listed) == 3
    summary = json.loads((out / batch.SUMMARY).read_text())
    assert [p["row_group"] for p in summary["partitions"]] == [None, None, None, 0, 1, None]
    assert len({t["pid"] for t in summary["tasks"]}) == 2  # both workers took tasks
    for name, schema in batch.TABLES.items():
        assert pq.read_schema(out / name / "part-00000.parquet").names == schema.names
    # the roles are read in the tasks, beside the names: `load` does not classify them again
    roles = pa.concat_tables([pq.read_table(p) for p in (out / "mentions").glob("part-*.parquet")])["role"]
    assert roles.null_count == 0 and "event" in roles.to_pylist()
    assert "url" in pa.concat_tables([pq.read_table(p) for p in (out / "articles").glob(
        "part-*.parquet")])["date_source"].to_pylist()
    with pytest.raises(FileExistsError):
        batch.run(inputs, out)


def test_a_batch_says_it_is_offline_when_an_online_geocoder_is_set(tmp_path, monkeypatch, capsys):
    out = tmp_path
    (out / batch.SUMMARY).write_text("{}")  # a finished batch's folder: the run stops at once
    monkeypatch.setenv("PLACEWIRE_GEOCODER", "nominatim")
    assert cli(["batch", str(out), "--out", str(out), "--quiet"]) == 1  # the folder is taken
    assert "the batch job resolves with the offline gazetteer only" in capsys.readouterr().err
    monkeypatch.delenv("PLACEWIRE_GEOCODER")
    assert cli(["batch", str(out), "--out", str(out), "--quiet"]) == 1
    assert "offline gazetteer" not in capsys.readouterr().err


def test_a_batch_is_read_in_its_partitions_order_past_part_99999(tmp_path):
    for table in ("articles", "problems"):
        (tmp_path / table).mkdir()
    numbers = [2, 10, 99999, 100000, 100001]
    for n in reversed(numbers):
        pq.write_table(pa.Table.from_pylist([{"origin": f"f{n}", "message": "bad"}], schema=batch.PROBLEMS),
                       tmp_path / "problems" / f"part-{n:05d}.parquet")
        pq.write_table(batch.ARTICLES.empty_table(), tmp_path / "articles" / f"part-{n:05d}.parquet")
    (tmp_path / batch.SUMMARY).write_text(json.dumps({"problems": []}))
    loaded = batch.Loaded(tmp_path)
    assert [p.name for p in loaded.parts] == [f"part-{n:05d}.parquet" for n in numbers]
    assert [p.origin for p in loaded.problems()] == [f"f{n}" for n in numbers]


def test_load_stores_what_ingest_stores_on_either_backend(batch_run, serial, store_location,
                                                          data_dir, capsys, monkeypatch):
    out, _ = batch_run
    from geodata import roles

    monkeypatch.setattr(roles, "classifier", None)  # the batch's roles are stored as they are
    assert cli(["load", str(out), "--db", store_location, "--quiet"]) == 0
    assert capsys.readouterr().out.startswith("articles: 90 added, 1 already present")
    with Store(store_location) as store:
        assert stored(store) == serial[1]
    assert cli(["load", str(out), "--db", store_location, "--quiet"]) == 0  # again: nothing new
    assert capsys.readouterr().out.startswith("articles: 0 added, 91 already present")
    assert cli(["load", str(data_dir), "--db", store_location]) == 1
    assert "holds no finished batch output" in capsys.readouterr().err


def test_the_partition_function_is_plain_pandas(data_dir):
    """What a Spark pandas UDF gets: an object-dtype frame; what it returns: the PARSED columns."""
    from geodata.gazetteer import current_index

    index, fingerprint = current_index()
    frame = pd.DataFrame({"id": ["a", "b"], "published": ["2020-01-12", None], "text": [
        "Shelling hit Saraqib and Maarat al-Numan in Idlib province.", "Nothing here."]},
        dtype=object)
    parsed = batch.parse_partition(frame, str(index), fingerprint)
    assert list(parsed.columns) == batch.PARSED.names
    assert list(parsed["surface"]) == ["Saraqib", "Maarat al-Numan", "Idlib"]
    assert set(parsed["article_id"]) == {"a"} and set(parsed["day"]) == {"2020-01-12"}
    assert parsed["problem"].isna().all() and parsed["place_country"].eq("SY").all()
    with pytest.raises(Exception, match="differs from the driver's"):
        batch.parse_partition(frame, str(index), "another index")


SPARK_SKIP = ("pyspark is not installed: it is a 456 MB download (a source package) with a Java "
              "runtime to start, so the suite leaves it out; `pip install -r requirements-spark.txt` "
              "and this test runs the same partition function on a local Spark session")


@pytest.mark.skipif(importlib.util.find_spec("pyspark") is None, reason=SPARK_SKIP)
def test_the_partition_function_runs_on_spark_as_a_pandas_udf(data_dir, monkeypatch):
    from functools import partial

    from pyspark.sql import SparkSession
    from pyspark.sql.pandas.types import from_arrow_schema

    from geodata.gazetteer import current_index

    monkeypatch.setenv("PYSPARK_PYTHON", sys.executable)  # Spark's Python workers: this venv's
    index, fingerprint = current_index()
    frame = pd.DataFrame([{"id": f"a{i}", "published": r["date"], "text": r["text"]}
                          for i, r in enumerate(realtext.articles(12))])
    spark = (SparkSession.builder.master("local[2]").appName("placewire-test")
             .config("spark.ui.enabled", "false").getOrCreate())
    try:
        on_spark = spark.createDataFrame(frame).repartition(2).mapInPandas(
            partial(batch.parse_frames, index=str(index), fingerprint=fingerprint),
            schema=from_arrow_schema(batch.PARSED)).toPandas()
    finally:
        spark.stop()
    here = batch.parse_partition(frame, str(index), fingerprint)

    def rows(df: pd.DataFrame) -> list[tuple]:
        return sorted(tuple(None if pd.isna(v) else v for v in row) for row in df.itertuples(index=False))

    assert len(here) > 12 * 8 and rows(on_spark) == rows(here)


def test_the_resolution_cache_reads_the_disk_and_keeps_little_in_memory(tmp_path):
    path = tmp_path / "cache.sqlite"
    cache = ResolutionCache(path, "index", memory=100)
    for i in range(1000):
        cache.put_resolution(f"name{i}", "ctx", f"gn:{i}", float(i))
        cache.put_geocode("gazetteer-exact", f"name{i}", [{"id": f"gn:{i}"}])
    cache.flush()
    again = ResolutionCache(path, "index", memory=100)
    assert all(again.resolution(f"name{i}", "ctx") == (f"gn:{i}", float(i)) for i in range(1000))
    assert all(again.geocode("gazetteer-exact", f"name{i}") == [{"id": f"gn:{i}"}] for i in range(1000))
    assert len(again._resolutions) <= 200 and len(again._geocodes) <= 200
    reader = ResolutionCache(path, "index", read_only=True)  # a worker, on the same index
    reader.put_resolution("new", "ctx", "gn:1", 1.0)
    reader.flush()  # a worker's never writes: what it learnt goes to the writer
    assert ResolutionCache(path, "index").resolution("new", "ctx") is None
    again.merge(reader.take_pending())
    again.flush()
    assert ResolutionCache(path, "index").resolution("new", "ctx") == ("gn:1", 1.0)
