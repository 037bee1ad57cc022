"""The store's queries at scale: the page's reads at 2 million mentions, on SQLite and PostgreSQL,
with and without the daily roll-up, beside the baseline (main before this work, on SQLite).

    python benchmarks/scale_queries.py [--articles 244000] [--places 8000] [--rounds 3] [--repeats 7]
                                       [--no-postgres] [--no-page]

The store: benchmarks/corpus.py's generated articles (fixed seed, Zipf-distributed places, three
years of dates, about 8.2 mentions an article: 244,000 articles give 2 million mentions), written
through geodata.store.Store (the ingest's writes, roll-up included) into a SQLite file, kept in
benchmarks/out/ for the next run. The same rows are copied into a PostgreSQL database on a
throw-away server started here (tests/pgserver.py, default durability settings) with COPY; the
baseline reads a copy of the SQLite file reduced to main's schema (no roll-up, main's indexes)
with main's geodata.queries (a `git archive` of BASELINE).

Each variant runs in a fresh process per round (rounds interleave the variants, so a slow spell
of this shared machine slows all of them): every query once to warm the caches, then `repeats`
times; the table quotes the median over all rounds' repeats, in milliseconds. The page: app.py
through streamlit.testing's AppTest in a fresh process, its first run with every cache cold and
a marker click (select the most mentioned place, rerun) on the same stores.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # app modules from this checkout

from benchmarks.common import ROOT, emit, median, run_worker, table, write_results  # noqa: E402

SCRIPT = Path(__file__).resolve()
OUT = ROOT / "benchmarks" / "out" / "scale"
BASELINE = "19ee01b"  # main before this work: one SQLite file, no roll-up
SLOW_S = 3.0
TABLES = ("articles", "places", "mentions", "place_names", "corrections", "place_periods", "kind_days")

# What the page asks, as (label, query name): the worker knows how to ask each variant.
QUERIES = [
    ("map, all time", "map_all"),
    ("map, one year", "map_year"),
    ("map, one month", "map_month"),
    ("map, one year, where things happened (the page's default view; the baseline has no roles)", "map_year_events"),
    ("map, one year, a box of a third of it", "map_box"),
    ("excerpts of one place (the panel's first 25, most mentioned place)", "excerpts"),
    ("timeline, all time", "timeline"),
    ("timeline, all time, where things happened", "timeline_events"),
    ("mentions in the filter (sidebar count), all time", "count"),
    ("sidebar article list, first 20, all time", "articles"),
    ("sidebar article list after a click: the place's first 20 and their count", "articles_place"),
]
VARIANTS = {  # name: (label, store, code, roll-up)
    "baseline": ("baseline: main, SQLite", "baseline", "baseline", False),
    "sqlite-raw": ("SQLite, no roll-up", "sqlite", "ours", False),
    "sqlite": ("SQLite, roll-up", "sqlite", "ours", True),
    "pg-raw": ("PostgreSQL, no roll-up", "pg", "ours", False),
    "pg": ("PostgreSQL, roll-up", "pg", "ours", True),
}


# --------------------------------------------------------------------------- workers


def worker_build(db: str, articles: int, places: int) -> dict:
    from benchmarks.corpus import generate

    t = time.perf_counter()
    counts = generate(Path(db), articles, places)
    return {**counts, "s": time.perf_counter() - t}


def _asks(queries, rollup: bool, ours: bool, span: tuple[str, str], top: str) -> dict:
    """Each page query as a call of this variant's geodata.queries (main's lacks the newer
    arguments: it has no roll-up and lists every article, counting them as it goes)."""
    Filter = queries.Filter
    first = span[0]
    year = Filter(start=first, end=f"{int(first[:4]) + 1}{first[4:]}")
    month = Filter(start=first, end=f"{first[:8]}28")
    box = (32.3, 35.7, 34.0, 42.3)  # the corpus's south third
    kw = {"rollup": rollup} if ours else {}
    limit = {"limit": 20} if ours else {}
    place = Filter(place_id=top)

    def events(flt):  # where things happened: the page's default view (main has no roles)
        return dataclasses.replace(flt, roles=("event",)) if ours else flt

    def articles_place(c):
        listed = queries.articles(c, place, **limit)
        return listed, queries.article_counts(c, place, rollup=rollup) if ours else len(listed)

    return {
        "map_all": lambda c: queries.place_counts(c, Filter(), **kw),
        "map_year": lambda c: queries.place_counts(c, year, **kw),
        "map_month": lambda c: queries.place_counts(c, month, **kw),
        "map_year_events": lambda c: queries.place_counts(c, events(year), **kw),
        "map_box": lambda c: queries.place_counts(c, Filter(start=year.start, end=year.end, bbox=box), **kw),
        "excerpts": lambda c: queries.mention_rows(c, place, limit=25),
        "timeline": lambda c: queries.daily_counts(c, Filter(), **kw),
        "timeline_events": lambda c: queries.daily_counts(c, events(Filter()), **kw),
        "count": lambda c: queries.mention_count(c, Filter(), **kw),
        "articles": lambda c: queries.articles(c, Filter(), **limit),
        "articles_place": articles_place,
    }


def worker_queries(location: str, code: str, rollup: bool, repeats: int, only: str) -> dict:
    """Time every query: once to warm up, then `repeats` times (ms); a query slower than SLOW_S
    (the baseline's) is timed once more only."""
    if code != str(ROOT):
        sys.path.insert(0, code)  # main's geodata, from its archive
        for name in [m for m in sys.modules if m == "geodata" or m.startswith("geodata.")]:
            del sys.modules[name]
    from geodata import queries

    ours = hasattr(queries, "article_counts")
    conn = queries.connect(location)
    span = tuple(queries.date_span(conn))
    top = conn.execute("SELECT place_id FROM mentions GROUP BY place_id ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    out = {}
    for name, ask in _asks(queries, rollup, ours, span, top).items():
        if only and name not in only.split(","):
            continue
        t = time.perf_counter()
        result = ask(conn)
        times, cpu = [], []
        for _ in range(repeats if time.perf_counter() - t < SLOW_S else 1):
            t, c = time.perf_counter(), time.process_time()
            again = ask(conn)
            times.append((time.perf_counter() - t) * 1000)
            cpu.append((time.process_time() - c) * 1000)
        assert again == result
        out[name] = {"ms": times, "cpu_ms": cpu, "rows": len(result) if hasattr(result, "__len__") else result}
    conn.close()
    return out


def worker_export(location: str, code: str, out: str) -> dict:
    """`python -m geodata export --format csv` of the whole store, in this process: time, peak memory."""
    if code != str(ROOT):
        sys.path.insert(0, code)
        for name in [m for m in sys.modules if m == "geodata" or m.startswith("geodata.")]:
            del sys.modules[name]
    from benchmarks.common import peak_rss_mb
    from geodata.__main__ import main as cli

    before = peak_rss_mb()
    t = time.perf_counter()
    cli(["export", "--format", "csv", "--out", out, "--db", location])
    took = time.perf_counter() - t
    size = Path(out).stat().st_size
    Path(out).unlink()
    return {"s": took, "rss_mb": peak_rss_mb(), "start_rss_mb": before, "mb": size / 1e6}


def worker_page(data: str, code: str) -> dict:
    """app.py in AppTest: first run (caches cold), then a click on the most mentioned place."""
    os.chdir(code)
    sys.path.insert(0, code)
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(Path(code) / "app.py"), default_timeout=1800)
    t = time.perf_counter()
    at.run()
    first = time.perf_counter() - t
    if at.exception:
        raise SystemExit(f"app.py raised: {at.exception[0].message}")
    from geodata import paths, queries

    location = os.environ.get("PLACEWIRE_STORE") or str(paths.store_path())
    with queries.connect(location) as conn:
        top = conn.execute("SELECT place_id FROM mentions GROUP BY place_id ORDER BY count(*) DESC LIMIT 1").fetchone()[0]
    at.session_state["place"] = top  # what the map's click handler does
    t = time.perf_counter()
    at.run()
    click = time.perf_counter() - t
    if at.exception:
        raise SystemExit(f"app.py raised after the click: {at.exception[0].message}")
    return {"first_s": first, "click_s": click}


# --------------------------------------------------------------------------- the stores


def build_sqlite(args) -> tuple[Path, dict]:
    """The generated store, built once through Store and kept in benchmarks/out/."""
    OUT.mkdir(parents=True, exist_ok=True)
    db = OUT / f"store-{args.articles}-{args.places}.sqlite"
    if db.exists():
        from geodata.store import Store

        Store(db).close()  # a store an older checkout built: brought up to this schema
        return db, {}
    print(f"  building {db.name} through geodata.store.Store (a few minutes)", file=sys.stderr, flush=True)
    part = db.with_name(db.name + ".part")
    for leftover in OUT.glob(part.name + "*"):
        leftover.unlink()
    built = run_worker(SCRIPT, "build", str(part), str(args.articles), str(args.places), timeout=7200)
    with sqlite3.connect(part) as con:
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    part.replace(db)
    return db, built


def baseline_code(work: Path) -> Path:
    """main's code at BASELINE (geodata/ and the page), with this checkout's installed assets."""
    code = work / "baseline"
    code.mkdir()
    archive = subprocess.run(["git", "archive", BASELINE], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(code)], input=archive, check=True)
    (code / "static").mkdir(exist_ok=True)
    (code / "static" / "vendor").symlink_to(ROOT / "static" / "vendor")
    return code


def baseline_store(db: Path, data: Path) -> Path:
    """The store reduced to main's schema: no roll-up, main's index on (place, day)."""
    target = data / "placewire.sqlite"
    shutil.copy(db, target)
    with sqlite3.connect(target) as con:
        con.execute("DROP TABLE place_periods")
        con.execute("DROP TABLE kind_days")
        con.execute("DROP TABLE place_event_types")
        con.execute("DROP INDEX mentions_place_newest")
        con.execute("CREATE INDEX mentions_place ON mentions (place_id, day)")
        con.execute("ANALYZE")
    return target


def copy_to_postgres(db: Path, url: str) -> float:
    """The SQLite store's rows into a new PostgreSQL store (schema by Store), by COPY."""
    import psycopg

    from geodata.store import Store

    Store(url).close()
    t = time.perf_counter()
    lite = sqlite3.connect(db)
    with psycopg.connect(url, autocommit=True) as conn:
        for name in TABLES:
            columns = [r[1] for r in lite.execute(f"PRAGMA table_info({name})")]
            quoted = ", ".join(f'"{c}"' for c in columns)
            with conn.cursor().copy(f"COPY {name} ({quoted}) FROM STDIN") as copy:
                for row in lite.execute(f"SELECT {', '.join(columns)} FROM {name}"):
                    copy.write_row(row)
        conn.execute("SELECT setval(pg_get_serial_sequence('mentions', 'id'), (SELECT max(id) FROM mentions))")
        conn.execute("VACUUM ANALYZE")
    return time.perf_counter() - t


# --------------------------------------------------------------------------- the parent


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=244_000, help="articles generated (default: 2 million mentions)")
    ap.add_argument("--places", type=int, default=8_000)
    ap.add_argument("--rounds", type=int, default=3, help="fresh processes per variant")
    ap.add_argument("--repeats", type=int, default=7, help="timed runs of each query per process")
    ap.add_argument("--only", default="", help="comma-separated query names (default: all)")
    ap.add_argument("--no-postgres", action="store_true")
    ap.add_argument("--no-page", action="store_true", help="skip the page's first run and click")
    ap.add_argument("--no-export", action="store_true", help="skip the CLI's export of the whole store")
    ap.add_argument("--worker", nargs="*", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        kind, *rest = args.worker
        if kind == "build":
            return emit(worker_build(rest[0], int(rest[1]), int(rest[2])))
        if kind == "export":
            return emit(worker_export(*rest))
        if kind == "queries":
            location, code, rollup = rest
            return emit(worker_queries(location, code, rollup == "1", args.repeats, args.only))
        return emit(worker_page(*rest))

    load = [os.getloadavg()]
    db, built = build_sqlite(args)
    work = Path(tempfile.mkdtemp(prefix="placewire-scale-"))
    server = None
    try:
        code = {"ours": ROOT, "baseline": baseline_code(work)}
        base_data = work / "baseline-data"
        base_data.mkdir()
        stores = {"sqlite": str(db), "baseline": str(baseline_store(db, base_data))}
        variants = [v for v in VARIANTS if not (args.no_postgres and v.startswith("pg"))]
        copy_s = None
        if not args.no_postgres:
            sys.path.insert(0, str(ROOT / "tests"))
            import pgserver

            server = pgserver.TemporaryPostgres(durable=True)
            server.start()
            stores["pg"] = server.database()
            print("  copying the store into PostgreSQL", file=sys.stderr, flush=True)
            copy_s = copy_to_postgres(db, stores["pg"])
        with sqlite3.connect(db) as con:
            mentions, articles, places, rollup_rows = con.execute(
                "SELECT (SELECT count(*) FROM mentions), (SELECT count(*) FROM articles),"
                " (SELECT count(*) FROM places), (SELECT count(*) FROM place_periods)").fetchone()

        results: dict[str, list[dict]] = {v: [] for v in variants}
        for i in range(args.rounds):
            for v in variants:
                _, store, which, rollup = VARIANTS[v]
                print(f"  queries, {v}: round {i + 1}/{args.rounds}", file=sys.stderr, flush=True)
                results[v].append(run_worker(SCRIPT, "queries", stores[store], str(code[which]), "1" if rollup else "0",
                                             "--repeats", str(args.repeats), "--only", args.only, timeout=7200))
        page: dict[str, list[dict]] = {}
        if not args.no_page:
            sides = {"baseline": ("baseline", "baseline"), "sqlite": ("sqlite", "ours")}
            if "pg" in stores:
                sides["pg"] = ("pg", "ours")
            for i in range(args.rounds):
                for side, (store, which) in sides.items():
                    data = work / f"page-{side}"
                    data.mkdir(exist_ok=True)
                    env = {"PLACEWIRE_DATA": str(base_data if side == "baseline" else data)}
                    if side != "baseline":
                        env["PLACEWIRE_STORE"] = stores[store]
                    print(f"  page, {side}: round {i + 1}/{args.rounds}", file=sys.stderr, flush=True)
                    page.setdefault(side, []).append(
                        run_worker(SCRIPT, "page", str(data), str(code[which]), env=env, timeout=7200))
        exports: dict[str, dict] = {}
        if not args.no_export:
            sides = {"baseline": ("baseline", "baseline"), "sqlite": ("sqlite", "ours")}
            if "pg" in stores:
                sides["pg"] = ("pg", "ours")
            for side, (store, which) in sides.items():
                print(f"  export, {side}", file=sys.stderr, flush=True)
                exports[side] = run_worker(SCRIPT, "export", stores[store], str(code[which]), str(work / "export.csv"),
                                           env={"PLACEWIRE_DATA": str(base_data)}, timeout=7200)
        load.append(os.getloadavg())
    finally:
        if server:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)

    def ms(v: str, name: str, key: str = "ms") -> str:
        values = [t for r in results[v] if name in r for t in r[name][key]]
        return f"{median(values):.1f}" if values else "-"

    header = ["query (median ms)"] + [VARIANTS[v][0] for v in variants] + ["target (SQLite)"]
    targets = {"map_year": "< 100", "map_month": "< 50", "map_year_events": "< 100", "excerpts": "< 5"}
    rows = [[label] + [ms(v, name) for v in variants] + [targets.get(name, "")] for label, name in QUERIES
            if not args.only or name in args.only.split(",")]
    body = table(header, rows)
    # SQLite runs in the measuring process: its CPU time is what the query costs on an idle machine
    lite = [v for v in variants if VARIANTS[v][1] != "pg"]
    body += "\n\nThe same SQLite queries in CPU time of the process (ms; what they take on an idle machine):\n\n" + table(
        ["query (median CPU ms)"] + [VARIANTS[v][0] for v in lite] + ["target"],
        [[label] + [ms(v, name, "cpu_ms") for v in lite] + [targets.get(name, "")] for label, name in QUERIES
         if not args.only or name in args.only.split(",")])
    if page:
        def s(side: str, key: str) -> str:
            return f"{median([r[key] for r in page[side]]):.2f}" if side in page else "-"

        body += "\n\n" + table(
            ["the page, server side (AppTest, median s)", "baseline: main, SQLite", "SQLite", "PostgreSQL", "target"],
            [["first run, fresh process, caches cold", s("baseline", "first_s"), s("sqlite", "first_s"), s("pg", "first_s"), "<= 5"],
             ["a click on the most mentioned place", s("baseline", "click_s"), s("sqlite", "click_s"), s("pg", "click_s"), "<= 0.5"]])
    if exports:
        def e(side: str, key: str, fmt: str) -> str:
            return fmt.format(exports[side][key]) if side in exports else "-"

        body += "\n\n" + table(
            ["`python -m geodata export --format csv` of every mention", "baseline: main, SQLite", "SQLite", "PostgreSQL"],
            [["peak memory of the process, MB", e("baseline", "rss_mb", "{:.0f}"), e("sqlite", "rss_mb", "{:.0f}"), e("pg", "rss_mb", "{:.0f}")],
             ["time, s", e("baseline", "s", "{:.0f}"), e("sqlite", "s", "{:.0f}"), e("pg", "s", "{:.0f}")],
             ["file, MB", e("baseline", "mb", "{:.0f}"), e("sqlite", "mb", "{:.0f}"), e("pg", "mb", "{:.0f}")]])
    body += (
        f"\n\nStore: {articles:,} articles, {mentions:,} mentions, {places:,} places (benchmarks/corpus.py); "
        f"place_periods has {rollup_rows:,} rows. SQLite file {db.stat().st_size / 1e6:.0f} MB."
        + (f" Built through Store in {built['s']:.0f} s ({built['articles'] / built['s']:.0f} articles/s, roll-up kept)."
           if built else " (Built by an earlier run.)")
        + (f" Copied into PostgreSQL {server and 'by COPY'} in {copy_s:.0f} s." if copy_s else "")
        + f"\n{args.rounds} rounds x {args.repeats} timed runs per query after one warm-up; medians of all."
        + f"\nLoad average (1, 5, 15 min) at the start {load[0]}, at the end {load[-1]} (2 cores, shared machine)."
    )
    name = "scale_queries" + ("_partial" if args.only or args.no_postgres or args.no_page or args.no_export else "")
    write_results(name, "Store queries at scale: SQLite and PostgreSQL, with and without the roll-up",
                  "python " + " ".join(["benchmarks/scale_queries.py", *sys.argv[1:]]), body)


if __name__ == "__main__":
    main()
