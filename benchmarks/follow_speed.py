"""Follow rounds: items per second fetched and ingested from a local server, next to ingesting
the same pages from files.

    python benchmarks/follow_speed.py [--items 300] [--repeats 3]

A local HTTP server (127.0.0.1, a free port, in this process) serves one RSS feed listing
`--items` articles and each article as an HTML page with navigation and a footer; the texts are
LGL's news articles (../shared/corpora/lgl.jsonl). Measured, each in a fresh process with the
parser loaded first (timed apart), rounds interleaved:
- ours: one follow round (`geodata.follow.rounds.run_round`): robots.txt, the feed, every page
  fetched through the polite fetcher (no delay between requests: the server is ours), extracted
  with trafilatura, given the feed's metadata, geoparsed, stored and grouped, one by one;
- baseline: the same pages as .html files, ingested by the CLI's loop (`geodata.ingest` over
  `geodata.articles.load`): extraction, parsing, storing and grouping without any fetching.
The difference is what following costs on top of ingesting. Everything is written under a
temporary PLACEWIRE_DATA (the gazetteer index is linked from yours or the tests' when built, else
built).
"""
from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from benchmarks.common import SHARED, emit, median, peak_rss_mb, run_worker, spread, table, write_results  # noqa: E402

SCRIPT = Path(__file__).resolve()


def texts(n: int) -> list[dict]:
    rows = [json.loads(line) for line in open(SHARED / "corpora" / "lgl.jsonl", encoding="utf-8")]
    return [{"title": r["text"].split(".")[0][:90], "text": r["text"]} for r in rows if len(r["text"].split()) > 80][:n]


def worker(task: str, work: str, site_url: str, n: str) -> None:
    from geodata import paths
    from geodata.parser import get_parser
    from geodata.store import Store

    started = time.perf_counter()
    get_parser()
    load_s = time.perf_counter() - started
    with Store(paths.store_path()) as store:
        started = time.perf_counter()
        if task == "ours":
            from geodata.follow import registry, rounds
            from geodata.follow.fetch import Fetcher
            from geodata.follow.settings import Settings

            registry.add(store, f"{site_url}/feed.xml", "Bench Wire")
            settings = Settings(delay=0, allow_local=True, min_free_bytes=0, user_agent="PlacewireBench/1.0")
            fetcher = Fetcher(settings)
            report = rounds.run_round(store, fetcher)
            stored, requests = len(report.stored), fetcher.requests
        else:
            from geodata.articles import load
            from geodata.ingest import ingest

            stored, requests = ingest(load([Path(work) / "pages"]), store).added, 0
        elapsed = time.perf_counter() - started
    emit({"items": stored, "expected": int(n), "seconds": elapsed, "per_s": stored / elapsed,
          "load_s": load_s, "requests": requests, "rss_mb": peak_rss_mb()})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--items", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--worker", nargs=4)
    args = ap.parse_args()
    if args.worker:
        worker(*args.worker)
        return
    import followkit as kit

    articles = texts(args.items)
    with tempfile.TemporaryDirectory(prefix="placewire-follow-") as tmp, kit.Site() as site:
        work = Path(tmp)
        items = [kit.FeedItem(f"/news/{i}.html", a["title"], "Mon, 20 Jan 2020 09:00:00 GMT") for i, a in enumerate(articles)]
        site.routes["/feed.xml"] = kit.Route(kit.rss(site.url, "Bench Wire", items), content_type="application/rss+xml")
        (work / "pages").mkdir()
        for item, article in zip(items, articles):
            body = kit.page(article["title"], article["text"])
            site.routes[item.path] = kit.Route(body)
            (work / "pages" / Path(item.path).name).write_bytes(body)
        from geodata import paths

        results: dict[str, list[dict]] = {"ours": [], "baseline": []}
        for round_ in range(args.repeats):
            for task in ("ours", "baseline"):
                data = work / f"data-{task}"
                data.mkdir()
                index = next((p for p in (paths.index_path(), ROOT / ".pytest_cache/d/placewire-gazetteer/gazetteer.sqlite")
                              if p.exists()), None)  # yours, else the tests' (built once)
                if index:
                    (data / "gazetteer.sqlite").symlink_to(index)
                r = run_worker(SCRIPT, task, str(work), site.url, str(len(items)),
                               env={"PLACEWIRE_DATA": str(data)}, timeout=3600)
                results[task].append(r)
                shutil.rmtree(data)
                print(f"round {round_ + 1} {task}: {r['items']} items, {r['per_s']:.1f} items/s", file=sys.stderr)
    rows = []
    for task, label in (("ours", "follow round from the local server (geodata.follow)"),
                        ("baseline", "ingest of the same pages from files (geodata.ingest)")):
        rs = results[task]
        rows.append([label, f"{rs[0]['items']} of {rs[0]['expected']}", spread([r["per_s"] for r in rs], "{:.1f}"),
                     spread([r["seconds"] for r in rs], "{:.1f}"), f"{median([r['requests'] for r in rs]):.0f}",
                     spread([r["rss_mb"] for r in rs], "{:.0f}")])
    ratio = median([o["per_s"] / b["per_s"] for o, b in zip(results["ours"], results["baseline"])])
    body = table(["run", "articles stored", "items/s, median (min-max)", "seconds", "HTTP requests",
                  "peak RSS MB"], rows)
    body += (f"\n\n{len(articles)} LGL articles as pages behind one RSS feed; {args.repeats} rounds, each run in a fresh "
             f"process with the parser loaded first. Following runs at {ratio:.2f}x the file ingest's rate "
             "(median of the rounds' ratios): what fetching, robots.txt, the item registry and a transaction "
             "per item cost on top of extraction, parsing and storing.\n")
    write_results("follow_speed", "Follow rounds: items per second from a local server",
                  f"python benchmarks/follow_speed.py --items {args.items} --repeats {args.repeats}", body)


if __name__ == "__main__":
    main()
