"""The command line: `python -m geodata ingest|batch|load|export|delete|stats|corrections|parse|eval|eval-roles|gazetteer|follow`.

ingest loads articles (geodata.articles), finds and resolves their places (geodata.parser) and
stores them (geodata.store); export writes the stored mentions as CSV or GeoJSON. Problems with
the input are listed at the end and make the exit code 2; the rest of the batch still goes in.
"""
from __future__ import annotations

import argparse
import sys
import time
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from tqdm import tqdm

from geodata import evaluate, geonames_download, paths
from geodata.follow import cli as follow_cli
from geodata.articles import MAX_BYTES, Problem, load
from geodata.database import describe
from geodata.exceptions import GeodataError
from geodata.export import FORMATS, write
from geodata.ingest import IngestReport, ingest
from geodata.queries import Filter, event_rows, iter_mention_rows
from geodata.roles import evaluate as roles_evaluate
from geodata.store import Store

EXIT_PROBLEMS = 2  # something in the input was skipped or read with a caveat
# Articles per transaction on the command line's bulk work: each transaction rewrites every index
# page its rows touch, so ten times the articles per transaction write far fewer bytes for each
# (an article is ~14 mentions, scattered over four indexes); a killed run loses seconds of work.
BATCH = 2000


def ingest_command(args: argparse.Namespace) -> int:
    """Load, parse and store every article under the paths; print what happened."""
    from geodata.geocoder import online_fallback
    from geodata.parallel import default_workers

    workers = args.workers or default_workers()
    if workers > 1 and online_fallback() is not None:
        # each worker would keep Nominatim's one request a second: together they would not
        print("ingest: one worker, since the online geocoder allows one request a second",
              file=sys.stderr)
        workers = 1
    items = load(args.paths, max_bytes=int(args.max_mb * 1024 * 1024), follow_links=args.follow_links)
    return _store_and_report(args, items, workers=workers)


def load_command(args: argparse.Namespace) -> int:
    """Store what a batch job parsed (its Parquet output), as `ingest` stores what it parses."""
    from geodata.batch import Loaded

    try:
        loaded = Loaded(args.folder)
    except FileNotFoundError as exc:
        print(f"load: {exc}", file=sys.stderr)
        return 1
    problems = loaded.problems()
    if problems:
        print(f"the batch met {len(problems)} problems (listed by `batch`; see {args.folder}/problems)",
              file=sys.stderr)
    return _store_and_report(args, loaded.articles(), parser=loaded)


def _store_and_report(args: argparse.Namespace, items, **how) -> int:
    store = Store(args.db)
    report = IngestReport()
    try:
        with tqdm(desc=args.command, unit=" articles", file=sys.stderr, disable=args.quiet) as bar:
            ingest(items, store, batch=args.batch, on_article=lambda article: bar.update(),
                   report=report, **how)
    except KeyboardInterrupt:
        report.problems.append(
            Problem(args.command, "interrupted; the articles counted above are stored"))
    except BrokenProcessPool as exc:  # a worker killed (out of memory, say): stop, keep what is stored
        report.problems.append(Problem(args.command, f"a worker process died ({exc}); "
                                                     "the articles counted above are stored"))
    finally:
        store.close()

    unanswered = f"; {report.unanswered} names the online geocoder could not be asked" if report.unanswered else ""
    print(
        f"articles: {report.added} added, {report.present} already present\n"
        f"mentions: {report.mentions} added ({report.unresolved} unresolved{unanswered})\n"
        f"places:   {len(report.places)} in the added articles\n"
        f"dates:    {report.dates_summary()}\n"
        f"stories:  {report.copies} of the added articles are syndicated copies (counted once)\n"
        f"store:    {describe(args.db)}"
    )
    _print_problems(report.problems)
    return EXIT_PROBLEMS if report.problems else 0


def _print_problems(problems: list[Problem]) -> None:
    if problems:
        print(f"problems: {len(problems)} (skipped or read with a caveat)")
        for problem in problems:
            print(f"  {problem}")


def batch_command(args: argparse.Namespace) -> int:
    """Parse the inputs on Dask into Parquet (articles, mentions, places, problems)."""
    from geodata import batch

    if notice := batch.offline_notice():
        print(f"batch: {notice}", file=sys.stderr)
    with tqdm(desc="batch", unit=" partitions", file=sys.stderr, disable=args.quiet) as bar:
        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        try:
            report = batch.run(args.paths, args.out, scheduler=args.scheduler,
                               workers=args.workers, max_bytes=int(args.max_mb * 1024 * 1024),
                               progress=progress)
        except FileExistsError as exc:
            print(f"batch: {exc}", file=sys.stderr)
            return 1
    print(
        f"articles:   {report.articles} parsed ({report.copies} copies within a partition left out)\n"
        f"mentions:   {report.mentions}\n"
        f"partitions: {report.partitions} in {report.wall_s:.1f} s\n"
        f"output:     {args.out} (python -m geodata load {args.out} stores it)"
    )
    _print_problems(report.problems)
    return EXIT_PROBLEMS if report.problems else 0


def export_command(args: argparse.Namespace) -> int:
    """Every stored mention with its place, as CSV or GeoJSON, or the event mentions as an
    ACLED-style event table, to a file or stdout.

    Rows stream from the store into the output as they come: memory stays flat however many
    there are. A file is written beside its name and renamed at the end, so a failed export
    never leaves half a file.
    """
    flt = Filter(include_demonyms=True, include_countries=True, every_copy=args.every_copy)
    with Store(args.db) as store:
        rows = (event_rows if args.format == "events" else iter_mention_rows)(store.conn, flt)
        if not args.out:
            write(rows, args.format, sys.stdout)
            return 0
        out = Path(args.out)
        part = out.with_name(out.name + ".part")
        try:
            with part.open("w", encoding="utf-8", newline="") as f:
                n = write(rows, args.format, f)
            part.replace(out)
        finally:
            part.unlink(missing_ok=True)
    print(f"{n} {'events' if args.format == 'events' else 'mentions'} written to {args.out}", file=sys.stderr)
    return 0


def delete_command(args: argparse.Namespace) -> int:
    with Store(args.db) as store:
        if store.delete(args.article_id):
            print(f"deleted {args.article_id}")
            return 0
    print(f"no article {args.article_id} in {describe(args.db)}", file=sys.stderr)
    return 1


def stats_command(args: argparse.Namespace) -> int:
    with Store(args.db) as store:
        for name, value in store.counts().items():
            print(f"{name}: {value}")
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def corrections_command(args: argparse.Namespace) -> int:
    """List the log of corrections, or undo one by its id."""
    from geodata import corrections
    from geodata.exceptions import CorrectionError

    with Store(args.db) as store:
        if args.action == "undo":
            try:
                restored = store.undo_correction(args.id, who="local")
            except CorrectionError as exc:
                print(f"cannot undo: {exc}", file=sys.stderr)
                return 1
            print(f"undone correction {args.id}: {restored} mention{'s' * (restored != 1)} "
                  "back to their resolution before it")
            return 0
        entries = corrections.log(store.conn)
        if not entries:
            print(f"no corrections in {describe(args.db)}")
        for entry in entries:
            print(corrections.describe(store.conn, entry))
    return 0


def build_parser() -> argparse.ArgumentParser:
    db = argparse.ArgumentParser(add_help=False)
    db.add_argument("--db", default=None, metavar="STORE",
                    help="the store: a SQLite file, or a PostgreSQL database as postgresql://user:password@host/db "
                         "(default: $PLACEWIRE_STORE, else the data directory's placewire.sqlite)")
    cli = argparse.ArgumentParser(prog="python -m geodata", description=__doc__.split("\n\n")[0])
    commands = cli.add_subparsers(dest="command", required=True)

    ingest = commands.add_parser("ingest", parents=[db], help="load, geoparse and store articles")
    ingest.add_argument("paths", nargs="+", help="files, folders, glob patterns or http(s) URLs")
    ingest.add_argument("--max-mb", type=float, default=MAX_BYTES / 1024 / 1024, help="skip files larger than this")
    ingest.add_argument("--batch", type=int, default=BATCH, help="articles per transaction")
    ingest.add_argument("--workers", type=_positive,
                        help="parsing processes (default: one per core of this machine)")
    ingest.add_argument("--quiet", action="store_true", help="no progress bar")
    ingest.add_argument("--follow-links", action="store_true",
                        help="in folders, read links to files outside them too (off: skipped)")
    ingest.set_defaults(func=ingest_command)

    batch = commands.add_parser("batch", help="geoparse articles on Dask into Parquet files")
    batch.add_argument("paths", nargs="+", help="files (JSONL, CSV, Parquet...), folders, globs")
    batch.add_argument("--out", type=Path, required=True, help="folder for the Parquet output")
    batch.add_argument("--scheduler", help="a Dask scheduler's address (default: a local cluster)")
    batch.add_argument("--workers", type=_positive,
                       help="local cluster's worker processes (default: one per core)")
    batch.add_argument("--max-mb", type=float, default=MAX_BYTES / 1024 / 1024,
                       help="skip files larger than this (Parquet is read a row group at a time)")
    batch.add_argument("--quiet", action="store_true", help="no progress bar")
    batch.set_defaults(func=batch_command)

    load_ = commands.add_parser("load", parents=[db], help="store a batch's Parquet output")
    load_.add_argument("folder", type=Path, help="the folder `batch --out` wrote")
    load_.add_argument("--batch", type=int, default=BATCH, help="articles per transaction")
    load_.add_argument("--quiet", action="store_true", help="no progress bar")
    load_.set_defaults(func=load_command)

    exp = commands.add_parser("export", parents=[db], help="write the stored mentions as CSV or GeoJSON")
    exp.add_argument("--format", choices=FORMATS, required=True,
                     help="csv or geojson: every mention; events: an ACLED-style table of the "
                          "places where something happened (CSV)")
    exp.add_argument("--out", help="output file (default: standard output)")
    exp.add_argument("--every-copy", action="store_true",
                     help="every syndicated copy's mentions (default: a story's first copy stands for it)")
    exp.set_defaults(func=export_command)

    delete = commands.add_parser("delete", parents=[db], help="remove an article and its mentions")
    delete.add_argument("article_id")
    delete.set_defaults(func=delete_command)

    stats = commands.add_parser("stats", parents=[db], help="count what the store holds")
    stats.set_defaults(func=stats_command)

    fixes = commands.add_parser("corrections", help="list the corrections made, or undo one")
    actions = fixes.add_subparsers(dest="action", required=True)
    actions.add_parser("list", parents=[db], help="every correction, newest first")
    undo = actions.add_parser("undo", parents=[db], help="undo a correction, restoring what it changed")
    undo.add_argument("id", type=int, help="the correction's number, as `corrections list` shows it")
    fixes.set_defaults(func=corrections_command)

    build = commands.add_parser("build-index", help="(re)build the gazetteer index now")
    build.set_defaults(func=build_index_command)

    gaz = commands.add_parser("gazetteer", help="extend the gazetteer with GeoNames country dumps")
    gaz_commands = gaz.add_subparsers(dest="action", required=True)
    add = gaz_commands.add_parser(
        "add", help="add a country's GeoNames dump and alternate names (villages, districts, "
                    "rivers), then rebuild the index")
    add.add_argument("country", help="ISO 3166 country code, e.g. SY")
    add.add_argument("--file", type=Path, help="GeoNames' CC.zip (or CC.txt) you bring, instead "
                                               "of downloading it")
    add.add_argument("--alternate-names", type=Path,
                     help="GeoNames' alternatenames/CC.zip you bring (with --file)")
    add.add_argument("--no-alternate-names", action="store_true",
                     help="do not download the alternate names")
    add.add_argument("--url", default=geonames_download.DEFAULT_BASE_URL,
                     help="where GeoNames' dumps are (default: %(default)s)")
    add.add_argument("--sha256", help="the SHA-256 the dump must have")
    add.set_defaults(func=gazetteer_add_command)
    remove = gaz_commands.add_parser("remove", help="remove an added country and rebuild the index")
    remove.add_argument("country")
    remove.set_defaults(func=gazetteer_remove_command)
    listing = gaz_commands.add_parser("list", help="list the countries added")
    listing.set_defaults(func=gazetteer_list_command)

    evaluate.add_arguments(commands)
    roles_evaluate.add_arguments(commands)
    follow_cli.add_arguments(commands, db)
    return cli


def build_index_command(args) -> int:
    """Build the index ahead of use (a container image does this at build time)."""
    from geodata.gazetteer import build_index

    print(f"gazetteer index written to {build_index()}")
    return 0


def _rebuild_index() -> None:
    from geodata.gazetteer import build_index

    print("rebuilding the gazetteer index (under a minute)...", file=sys.stderr, flush=True)
    t = time.perf_counter()
    path = build_index()
    print(f"gazetteer index rebuilt in {time.perf_counter() - t:.0f} s: {path}")


def gazetteer_add_command(args) -> int:
    """Download (or take) a country's GeoNames dump, check it, and rebuild the index."""
    try:
        added = geonames_download.add_country(
            args.country, file=args.file, alternate_names=args.alternate_names,
            base_url=args.url, sha256=args.sha256,
            with_alternate_names=not args.no_alternate_names)
    except GeodataError as exc:
        print(f"gazetteer add: {exc}", file=sys.stderr)
        return 1
    print(f"{added.country}: {added.places} places in {added.dump}")
    if added.alternate_names:
        print(f"{added.country}: {added.names} alternate names in {added.alternate_names}")
    _rebuild_index()
    return 0


def gazetteer_remove_command(args) -> int:
    try:
        removed = geonames_download.remove_country(args.country)
    except GeodataError as exc:
        print(f"gazetteer remove: {exc}", file=sys.stderr)
        return 1
    if not removed:
        print(f"gazetteer remove: {args.country.upper()} was not added", file=sys.stderr)
        return 1
    _rebuild_index()
    return 0


def gazetteer_list_command(args) -> int:
    for cc in geonames_download.added_countries():
        print(f"{cc}\t{geonames_download.dump_path(cc)}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if hasattr(args, "db") and args.db is None:
        args.db = paths.store_location()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
