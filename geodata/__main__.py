"""The command line: `python -m geodata ingest|export|delete|stats|parse|eval|follow`.

ingest loads articles (geodata.articles), finds and resolves their places (geodata.parser) and
stores them (geodata.store); export writes the stored mentions as CSV or GeoJSON. Problems with
the input are listed at the end and make the exit code 2; the rest of the batch still goes in.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from geodata import evaluate, paths
from geodata.follow import cli as follow_cli
from geodata.articles import MAX_BYTES, Problem, load
from geodata.database import describe
from geodata.export import FORMATS, export
from geodata.ingest import IngestReport, ingest
from geodata.queries import Filter, mention_rows
from geodata.store import Store

EXIT_PROBLEMS = 2  # something in the input was skipped or read with a caveat


def ingest_command(args: argparse.Namespace) -> int:
    """Load, parse and store every article under the paths; print what happened."""
    store = Store(args.db)
    report = IngestReport()
    try:
        with tqdm(desc="ingest", unit=" articles", file=sys.stderr, disable=args.quiet) as bar:
            ingest(load(args.paths, max_bytes=int(args.max_mb * 1024 * 1024)), store,
                   batch=args.batch, on_article=lambda article: bar.update(), report=report)
    except KeyboardInterrupt:
        report.problems.append(
            Problem("ingest", "interrupted; the articles counted above are stored"))
    finally:
        store.close()

    print(
        f"articles: {report.added} added, {report.present} already present\n"
        f"mentions: {report.mentions} added ({report.unresolved} unresolved)\n"
        f"places:   {len(report.places)} in the added articles\n"
        f"stories:  {report.copies} of the added articles are syndicated copies (counted once)\n"
        f"store:    {describe(args.db)}"
    )
    if report.problems:
        print(f"problems: {len(report.problems)} (skipped or read with a caveat)")
        for problem in report.problems:
            print(f"  {problem}")
    return EXIT_PROBLEMS if report.problems else 0


def export_command(args: argparse.Namespace) -> int:
    """Every stored mention with its place, as CSV or GeoJSON, to a file or stdout."""
    with Store(args.db) as store:
        rows = mention_rows(store.conn, Filter(include_demonyms=True, include_countries=True,
                                               every_copy=args.every_copy))
    text = export(rows, args.format)
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"{len(rows)} mentions written to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
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
    ingest.add_argument("--batch", type=int, default=200, help="articles per transaction")
    ingest.add_argument("--quiet", action="store_true", help="no progress bar")
    ingest.set_defaults(func=ingest_command)

    exp = commands.add_parser("export", parents=[db], help="write the stored mentions as CSV or GeoJSON")
    exp.add_argument("--format", choices=FORMATS, required=True)
    exp.add_argument("--out", help="output file (default: standard output)")
    exp.add_argument("--every-copy", action="store_true",
                     help="every syndicated copy's mentions (default: a story's first copy stands for it)")
    exp.set_defaults(func=export_command)

    delete = commands.add_parser("delete", parents=[db], help="remove an article and its mentions")
    delete.add_argument("article_id")
    delete.set_defaults(func=delete_command)

    stats = commands.add_parser("stats", parents=[db], help="count what the store holds")
    stats.set_defaults(func=stats_command)

    build = commands.add_parser("build-index", help="(re)build the gazetteer index now")
    build.set_defaults(func=build_index_command)

    evaluate.add_arguments(commands)
    follow_cli.add_arguments(commands, db)
    return cli


def build_index_command(args) -> int:
    """Build the index ahead of use (a container image does this at build time)."""
    from geodata.gazetteer import build_index

    print(f"gazetteer index written to {build_index()}")
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if hasattr(args, "db") and args.db is None:
        args.db = paths.store_location()
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
