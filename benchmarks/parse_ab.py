"""Parse speed of this checkout next to an earlier commit's, in the same command.

    python benchmarks/parse_ab.py [--baseline 19ee01b] [--repeats 5] [--corpus ../shared/corpora/lgl.jsonl]

For a change to the geoparser: both sides parse the same texts (`Geoparser.parse`, resolution
included, empty resolution cache) in fresh processes, in interleaved rounds (base, ours, base,
ours...), so a busy spell of a shared machine slows both; each round's ratio is taken, and the
median of the ratios reported, with articles per CPU-second (the per-core rate). The baseline is
the code of `--baseline`, unpacked with `git archive` into a temporary folder and run with this
checkout's environment; each side builds its own index into its own temporary data folder.
"""
from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `benchmarks` from this checkout

from benchmarks.common import (  # noqa: E402
    ROOT, SHARED, cpu_seconds, emit, median, run_worker, spread, table, write_results,
)

SCRIPT = Path(__file__).resolve()


def worker(src: Path, corpus: Path) -> None:
    """In a fresh process: load the parser of the code in `src`, then parse every text once."""
    sys.path.insert(0, str(src))
    from geodata.cache import ResolutionCache
    from geodata.gazetteer import load_gazetteer
    from geodata.parser import Geoparser

    texts = [json.loads(line)["text"] for line in open(corpus, encoding="utf-8") if line.strip()]
    parser = Geoparser(load_gazetteer(), ResolutionCache(None))
    t, cpu = time.perf_counter(), cpu_seconds()
    found = sum(len(parser.parse(text)) for text in texts)
    emit({"articles": len(texts), "cpu_s": cpu_seconds() - cpu, "s": time.perf_counter() - t,
          "found": found})


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--baseline", default="19ee01b", help="the commit to compare with")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--corpus", default=str(SHARED / "corpora" / "lgl.jsonl"))
    ap.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        return worker(Path(args.worker[0]), Path(args.worker[1]))
    tmp = Path(tempfile.mkdtemp(prefix="placewire-parse-ab-"))
    try:
        base = tmp / "baseline"
        base.mkdir()
        archive = subprocess.run(["git", "archive", args.baseline], cwd=ROOT, check=True,
                                 capture_output=True).stdout
        subprocess.run(["tar", "-x", "-C", str(base)], input=archive, check=True)
        sides = {"this checkout": ROOT, f"baseline {args.baseline}": base}
        runs: dict[str, list[dict]] = {name: [] for name in sides}
        for i in range(args.repeats):
            for name, src in reversed(sides.items()):
                print(f"  round {i + 1}/{args.repeats}: {name}", file=sys.stderr, flush=True)
                env = {"PLACEWIRE_DATA": str(tmp / f"data-{src.name}")}
                runs[name].append(run_worker(SCRIPT, str(src), args.corpus, env=env))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    ours, theirs = runs["this checkout"], runs[f"baseline {args.baseline}"]
    rate = {name: [r["articles"] / r["cpu_s"] for r in rs] for name, rs in runs.items()}
    ratios = [o / b for o, b in zip(rate["this checkout"], rate[f"baseline {args.baseline}"])]
    rows = [
        ["parse, articles per CPU-second (per core)", spread(rate["this checkout"], "{:.0f}"),
         spread(rate[f"baseline {args.baseline}"], "{:.0f}"), f"{median(ratios):.2f}"],
        ["toponyms and demonyms found", str(ours[0]["found"]), str(theirs[0]["found"]), ""],
    ]
    body = (f"{ours[0]['articles']} texts ({Path(args.corpus).name}), {args.repeats} interleaved "
            "rounds of fresh-process runs, empty resolution cache: median (min-max); the ratio "
            "is the median of the rounds' ratios.\n\n"
            + table(["measure", "this checkout", f"baseline {args.baseline}", "ratio"], rows) + "\n")
    write_results("parse_ab", "Parse speed against an earlier commit",
                  f"python benchmarks/parse_ab.py --baseline {args.baseline}"
                  + ("" if args.repeats == 5 else f" --repeats {args.repeats}"), body)


if __name__ == "__main__":
    main()
