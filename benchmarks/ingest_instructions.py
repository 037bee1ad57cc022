"""CPU instructions of a cold ingest of LGL's texts: this checkout next to an earlier commit.

    python benchmarks/ingest_instructions.py [--baseline 371ad29] [--corpus ../shared/corpora/lgl.jsonl]

Wall-clock rates on a shared machine swing by a fifth from run to run; the count of instructions
the CPU executes for the same work barely moves, so it shows what a change gained. Each side runs
the CLI's ingest of the corpus (new store, empty resolution cache, index built beforehand) under
valgrind's callgrind (Debian's `valgrind`), once whole and once stopping just before the ingest:
the difference is the ingest's own instructions. The baseline is this code at an earlier commit
(default: the end of the first session, 371ad29), checked out by `git worktree` into a temporary
folder. Both sides run with PYTHONHASHSEED=0. It takes about 6 minutes.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `benchmarks` from this checkout

from benchmarks.common import ROOT, SHARED, emit, table, write_results  # noqa: E402

SCRIPT = Path(__file__).resolve()
DEFAULT_CORPUS = SHARED / "corpora" / "lgl.jsonl"
FIRST_SESSION_END = "371ad29"


def worker(src: Path, articles: Path, work: Path, ingest: bool) -> None:
    """In this process: load the parser of the code in `src`, then (if `ingest`) ingest."""
    sys.path.insert(0, str(src))
    os.environ["PLACEWIRE_DATA"] = str(work / "data")
    from geodata.__main__ import main as cli
    from geodata.parser import get_parser

    get_parser()
    if ingest:
        command = ["ingest", str(articles), "--db", str(work / "store.sqlite"), "--quiet"]
        if (src / "geodata" / "parallel.py").exists():  # one process: the one callgrind counts
            command += ["--workers", "1"]
        with contextlib.redirect_stdout(io.StringIO()):
            cli(command)
    emit({"ok": True})


def instructions(src: Path, articles: Path, work: Path, ingest: bool) -> int:
    """Instructions callgrind counts for one worker run (a fresh store and cache each time)."""
    for leftover in [*work.glob("store.sqlite*"), *(work / "data").glob("cache.sqlite*")]:
        leftover.unlink()
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", sys.executable,
           str(SCRIPT), "--worker", str(src), str(articles), str(work), "ingest" if ingest else "load"]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=src, timeout=3600,
                          env={**os.environ, "PYTHONHASHSEED": "0"})
    found = re.search(r"Collected : (\d+)", proc.stderr)
    if proc.returncode != 0 or not found:
        raise SystemExit(f"callgrind run failed ({proc.returncode}):\n{proc.stderr[-3000:]}")
    return int(found.group(1))


def measure(src: Path, articles: Path, work: Path, label: str) -> dict:
    work.mkdir()
    print(f"  {label}: building its index", file=sys.stderr, flush=True)
    subprocess.run([sys.executable, "-m", "geodata", "build-index"], cwd=src, check=True,
                   capture_output=True, env={**os.environ, "PLACEWIRE_DATA": str(work / "data")})
    print(f"  {label}: under callgrind, start-up alone, then with the ingest", file=sys.stderr, flush=True)
    start = instructions(src, articles, work, ingest=False)
    whole = instructions(src, articles, work, ingest=True)
    return {"ingest": whole - start, "start": start}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--baseline", default=FIRST_SESSION_END, help="the commit to compare with")
    ap.add_argument("--corpus", default=str(DEFAULT_CORPUS), help="JSON lines with a 'text' field")
    ap.add_argument("--worker", nargs=4, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        src, articles, work, what = args.worker
        return worker(Path(src), Path(articles), Path(work), what == "ingest")
    if shutil.which("valgrind") is None:
        sys.exit("valgrind is missing: sudo apt-get install valgrind")

    corpus = Path(args.corpus).resolve()
    tmp = Path(tempfile.mkdtemp(prefix="placewire-instructions-"))
    base_src = tmp / "baseline"
    try:
        articles = tmp / "articles.jsonl"
        with open(corpus, encoding="utf-8") as f, open(articles, "w", encoding="utf-8") as out:
            texts = [json.loads(line)["text"] for line in f if line.strip()]
            for i, text in enumerate(texts):
                out.write(json.dumps({"title": f"LGL {i}", "source": "LGL", "text": text}) + "\n")
        subprocess.run(["git", "worktree", "add", "--detach", str(base_src), args.baseline],
                       cwd=ROOT, check=True, capture_output=True)
        ours = measure(ROOT, articles, tmp / "ours", "this checkout")
        base = measure(base_src, articles, tmp / "base", f"baseline {args.baseline}")
    finally:
        subprocess.run(["git", "worktree", "remove", "--force", str(base_src)], cwd=ROOT,
                       capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)

    n = len(texts)
    rows = [
        ["cold ingest, billions of instructions", f"{ours['ingest'] / 1e9:.2f}",
         f"{base['ingest'] / 1e9:.2f}", f"{ours['ingest'] / base['ingest']:.2f}"],
        ["per article, millions", f"{ours['ingest'] / n / 1e6:.1f}", f"{base['ingest'] / n / 1e6:.1f}", ""],
        ["start-up and index load, billions", f"{ours['start'] / 1e9:.2f}",
         f"{base['start'] / 1e9:.2f}", f"{ours['start'] / base['start']:.2f}"],
    ]
    body = (
        f"{n} LGL articles ({corpus.name}), ingested by `python -m geodata ingest` into a new store "
        "with an empty resolution cache, counted by valgrind's callgrind (one run each: the count "
        "is deterministic to within a fraction of a percent).\n\n"
        + table(["measure", "this checkout", f"baseline {args.baseline}", "ratio"], rows) + "\n"
    )
    write_results("ingest_instructions", "Ingest, in CPU instructions",
                  "python benchmarks/ingest_instructions.py"
                  + ("" if args.baseline == FIRST_SESSION_END else f" --baseline {args.baseline}"), body)


if __name__ == "__main__":
    main()
