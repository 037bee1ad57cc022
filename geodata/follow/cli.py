"""`python -m geodata follow add|list|remove|run`: the follower's command line."""
from __future__ import annotations

import argparse
import logging
import re
import sys

from geodata.exceptions import RefusedURL
from geodata.follow import registry, rounds
from geodata.follow.fetch import Fetcher
from geodata.store import Store

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def interval(text: str) -> float:
    """'15m', '1h', '90s', '900' (seconds) -> seconds; at least a minute."""
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*", text.lower())
    if not match:
        raise argparse.ArgumentTypeError(f"{text!r} is not an interval (e.g. 15m, 1h, 900s)")
    seconds = float(match[1]) * _UNITS[match[2] or "s"]
    if seconds < 60:
        raise argparse.ArgumentTypeError("follow at most once a minute (--every 1m or more)")
    return seconds


def add_command(args) -> int:
    with Store(args.db) as store:
        try:
            created = registry.add(store, args.url, args.name or "")
        except RefusedURL as exc:
            print(f"cannot follow {args.url}: {exc}", file=sys.stderr)
            return 1
    print(f"{'following' if created else 'already following'} {args.url}"
          + (f" as {args.name!r}" if args.name else ""))
    if created:
        print("it is read at the next `python -m geodata follow run`")
    return 0


def remove_command(args) -> int:
    with Store(args.db) as store:
        url = registry.remove(store, args.source)
    if url is None:
        print(f"no followed source with the URL or name {args.source!r}", file=sys.stderr)
        return 1
    print(f"no longer following {url} (its articles stay in the store)")
    return 0


def list_command(args) -> int:
    with Store(args.db) as store:
        found = registry.sources(store.conn)
    if not found:
        print("no sources followed yet: python -m geodata follow add URL [--name NAME]")
        return 0
    for s in found:
        print(f"{s['name'] or '(no name)'}  {s['url']}")
        state = (f"  {s['kind'] or 'not read yet'}; last fetched {s['last_fetched'] or 'never'}; "
                 f"{s['new_items']} new in its last round, {s['total_items']} in all")
        if s["waiting"]:
            state += f"; {s['waiting']} items waiting"
        print(state)
        if s["last_error"]:
            print(f"  last error: {s['last_error']} ({s['failures']} in a row; next try {s['next_due']})")
    return 0


def run_command(args) -> int:
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    fetcher = Fetcher()
    with Store(args.db) as store:
        if not registry.sources(store.conn):
            print("no sources followed yet: python -m geodata follow add URL [--name NAME]", file=sys.stderr)
            if args.once:
                return 1
            # as a service: keep going, and read the sources once they are added
        try:
            rounds.run(store, fetcher, every=args.every, once=args.once, on_round=_print_changes)
        finally:
            fetcher.close()
    return 0


def _print_changes(report: rounds.RoundReport) -> None:
    """What the round changed, on standard output (the log has one line per source)."""
    if report.warning:
        print(f"{registry.stamp(report.started)} round skipped: {report.warning}", flush=True)
        return
    stored = report.stored
    copies = sum(s.copies for s in report.sources)
    edited = sum(s.edited for s in report.sources)
    failed = [s for s in report.sources if s.status == "failed"]
    print(f"{registry.stamp(report.started)} round: {len(report.sources)} sources read, "
          f"{len(stored)} articles stored ({copies} syndicated copies of stored stories), "
          f"{edited} edited, {len(failed)} sources failed", flush=True)
    for article in stored:
        print(f"  + {article.date or 'date unknown'}  {article.source or '?'}  {article.title}", flush=True)
    for source in failed:
        print(f"  ! {source.line()}", flush=True)


def add_arguments(commands, db: argparse.ArgumentParser) -> None:
    follow = commands.add_parser("follow", help="follow feeds, news sitemaps and pages of links")
    sub = follow.add_subparsers(dest="follow_command", required=True)
    add = sub.add_parser("add", parents=[db], help="follow an RSS/Atom feed, a news sitemap or a page of links")
    add.add_argument("url")
    add.add_argument("--name", help="the outlet's name, shown as the articles' source")
    add.set_defaults(func=add_command)
    lst = sub.add_parser("list", parents=[db], help="the followed sources and their state")
    lst.set_defaults(func=list_command)
    rm = sub.add_parser("remove", parents=[db], help="stop following a source (by URL or name)")
    rm.add_argument("source")
    rm.set_defaults(func=remove_command)
    run = sub.add_parser("run", parents=[db], help="fetch the sources now and then every --every")
    run.add_argument("--every", type=interval, default=rounds.DEFAULT_EVERY,
                     help="time between rounds: 15m (default), 1h, 90s...")
    run.add_argument("--once", action="store_true", help="one round, then exit")
    run.set_defaults(func=run_command)
