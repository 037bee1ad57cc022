"""Fuzz: mutated good articles of every format through the real loader, geoparser and store.

    python benchmarks/fuzz.py [--per-format 120] [--seed 10] [--baseline 19ee01b | --no-baseline]

Each mutation (tests/hostile.py: flipped, inserted, deleted, repeated and cut bytes, hostile
fragments, UTF-16 damage, deep nesting; and one bad line among good JSON lines) is ingested as
one batch between two good files, into a new SQLite store, as `python -m geodata ingest` does.
Issue 10's hostile files run too. Counted, for this checkout and for the baseline (the code
before issue 10, checked out by `git worktree`), side by side:

- tracebacks: exceptions out of the loader or the ingest (each one cost its batch);
- caught internal errors: problems that are an exception the ingest caught (the geoparser failed,
  the store refused an article), which are bugs even when the batch goes on;
- hangs: mutations over 10 s (`--kill`, 60 s by default, ends a worker and counts a traceback);
- peak memory of the worker process (the index included), and its limit (`--memory`, 4 GB);
- good articles lost: of the good files before and after, and of the untouched JSON lines.

Mutated inputs that gave a traceback, a hang or a loss are written to benchmarks/out/fuzz/ to
rerun by hand (`python -m geodata ingest FILE`). tests/test_fuzz.py runs a 200-mutation smoke of
this script.
"""
from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH_DIR), str(BENCH_DIR.parent / "tests")]

from common import ROOT, table, write_results  # noqa: E402

import hostile  # noqa: E402

BEFORE_ISSUE_10 = "19ee01b"
DEFAULT_PER_FORMAT = 120  # x (9 files + JSON lines) = 1,200 mutations
HANG = 10.0  # seconds: a mutation slower than this is a hang
CAUGHT = ("the geoparser failed", "could not be stored", "could not be read")  # exceptions the ingest caught


def cases(per_format: int, seed: int) -> list[hostile.Mutation]:
    """Every input of the run, in order: the hostile files, then the mutations."""
    files = [hostile.Mutation(name, make(), f"hostile:{name}") for name, (_, make) in hostile.HOSTILE.items()]
    return files + list(hostile.mutations(per_format, seed))


# --- the worker: runs in a fresh process, over the geodata of the checkout on PYTHONPATH ---------

CANARY_BEFORE = hostile.jsonl(hostile.good_lines(3, 0, "canary-before"))
CANARY_AFTER = (f"---\ntitle: Canary after\nurl: https://wire.example/canary-after\n---\n{hostile.TEXT}\n").encode()


def worker(per_format: int, seed: int, start: int, memory_mb: int, work: Path) -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 1024 * 1024,) * 2)  # the machine is shared
    from geodata.articles import Article, Problem, load_bytes
    from geodata.ingest import ingest
    from geodata.parser import get_parser
    from geodata.store import Store

    get_parser()  # the index, loaded before the clock starts

    def ids(name: str, data: bytes) -> set[str]:
        return {a.id for a in load_bytes(name, data) if isinstance(a, Article)}

    canaries = ids("before.jsonl", CANARY_BEFORE) | ids("after.md", CANARY_AFTER)
    for n, case in enumerate(cases(per_format, seed)):
        if n < start:
            continue
        print(json.dumps({"i": n, "state": "start"}), flush=True)
        db = work / f"store-{n}.sqlite"
        result = {"i": n, "state": "done", "traceback": None, "lost": 0, "caught": [], "problems": 0}
        started, cpu = time.perf_counter(), time.process_time()
        try:
            expected = canaries | (ids("intact.jsonl", case.intact) if case.intact else set())
            items = (item for source in (load_bytes("before.jsonl", CANARY_BEFORE),
                                         load_bytes(case.name, case.data),
                                         load_bytes("after.md", CANARY_AFTER)) for item in source)
            with Store(db) as store:
                report = ingest(items, store)
                stored = {r[0] for r in store.conn.execute("SELECT id FROM articles")}
            result["lost"] = len(expected - stored)
            result["problems"] = len(report.problems)
            result["caught"] = [str(p) for p in report.problems
                                if isinstance(p, Problem) and any(c in p.message for c in CAUGHT)][:3]
        except BaseException as exc:  # noqa: BLE001 - what the fuzz counts
            result["traceback"] = "".join(traceback.format_exception_only(exc)).strip()[:300]
            result["lost"] = len(canaries)  # the batch stopped: at least the file after is lost
        result["seconds"] = time.perf_counter() - started
        result["cpu_s"] = time.process_time() - cpu
        result["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        for path in work.glob(f"store-{n}.sqlite*"):
            path.unlink()
        print(json.dumps(result), flush=True)


# --- the parent: workers, hangs, the table ----------------------------------------------------


def _forward(stream, lines: queue.Queue) -> None:
    """A worker's output lines into its queue, then None when it ends."""
    for line in stream:
        lines.put(line)
    lines.put(None)


def run(src: Path, label: str, args, total: int, out: Path) -> dict:
    """Every case through workers over the checkout `src`; a worker stuck past --kill is ended
    and a new one goes on from the next case."""
    work = Path(tempfile.mkdtemp(prefix="placewire-fuzz-"))
    data = work / "data"
    data.mkdir()
    (data / "gazetteer.sqlite").symlink_to(Path(args.index).resolve())
    env = {**os.environ, "PYTHONPATH": str(src), "PLACEWIRE_DATA": str(data), "no_proxy": "*",
           "NO_PROXY": "*", "OMP_NUM_THREADS": "1"}
    env.pop("PLACEWIRE_GEOCODER", None)
    results: dict[int, dict] = {}
    peak, start = 0.0, 0
    began = time.perf_counter()
    try:
        while start < total:
            proc = subprocess.Popen(
                [sys.executable, __file__, "--worker", str(args.per_format), str(args.seed), str(start),
                 str(args.memory), str(work)],
                cwd=src, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            lines: queue.Queue = queue.Queue()  # this worker's own: a dead one's reader must not end it
            threading.Thread(target=_forward, args=(proc.stdout, lines), daemon=True).start()
            current, deadline = None, time.monotonic() + 600  # the first case waits for the index
            while True:
                try:
                    line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
                except queue.Empty:
                    proc.kill()
                    line = None
                if line is None:  # the worker ended: done, died, or killed
                    proc.wait()
                    if current is not None:  # in the middle of a case: that case is the culprit
                        why = (f"killed after {args.kill:.0f} s" if proc.returncode == -9
                               else f"worker died ({proc.returncode})")
                        results[current] = {"i": current, "traceback": why, "seconds": float(args.kill),
                                            "cpu_s": float(args.kill), "lost": 3, "caught": [], "problems": 0}
                    elif not results:
                        raise SystemExit(f"{label}: the fuzz worker died before its first case")
                    start = max(results) + 1
                    break
                if not line.startswith("{"):
                    continue
                event = json.loads(line)
                if event["state"] == "start":
                    current, deadline = event["i"], time.monotonic() + args.kill
                    continue
                results[event["i"]] = event
                peak = max(peak, event["rss_mb"])
                current, deadline = None, time.monotonic() + args.kill
                if len(results) % 500 == 0:
                    print(f"  {label}: {len(results)}/{total}", file=sys.stderr, flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    all_cases = cases(args.per_format, args.seed)
    bad = [r for r in results.values() if r["traceback"] or r["lost"] or r["cpu_s"] > HANG or r["caught"]]
    keep = out / label.split()[0]
    for r in bad[:200]:
        keep.mkdir(parents=True, exist_ok=True)
        case = all_cases[r["i"]]
        (keep / f"{r['i']:05d}-{case.name}").write_bytes(case.data)
    seconds = [r["seconds"] for r in results.values()]
    return {
        "label": label,
        "cases": len(results),
        "tracebacks": sum(bool(r["traceback"]) for r in results.values()),
        "caught": sum(bool(r["caught"]) for r in results.values()),
        "hangs": sum(s > HANG for s in seconds),
        "hangs_cpu": sum(r["cpu_s"] > HANG for r in results.values()),
        "slowest_s": max(seconds),
        "slowest_cpu_s": max(r["cpu_s"] for r in results.values()),
        "median_cpu_ms": statistics.median(r["cpu_s"] for r in results.values()) * 1000,
        "peak_mb": peak,
        "lost": sum(r["lost"] for r in results.values()),
        "problems": sum(r["problems"] for r in results.values()),
        "wall_s": time.perf_counter() - began,
        "slowest": [f"{all_cases[r['i']].how} ({all_cases[r['i']].name}, {len(all_cases[r['i']].data):,} bytes): "
                    f"{r['seconds']:.1f} s, CPU {r['cpu_s']:.1f} s"
                    for r in sorted(results.values(), key=lambda r: -r["cpu_s"])[:3]],
        "examples": sorted({f"{all_cases[r['i']].how}: {r['traceback'] or r['caught'] or 'slow or lost'}"
                            for r in bad}, key=len)[:12],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--per-format", type=int, default=DEFAULT_PER_FORMAT,
                    help="mutations of each good file (9 files) and of single JSON lines")
    ap.add_argument("--seed", type=int, default=10)
    ap.add_argument("--baseline", default=BEFORE_ISSUE_10, help="the commit to compare with")
    ap.add_argument("--no-baseline", action="store_true", help="this checkout only")
    ap.add_argument("--kill", type=float, default=60.0, help="seconds before a stuck worker is ended")
    ap.add_argument("--memory", type=int, default=4096, help="the worker's address-space limit, MB")
    ap.add_argument("--index", help="a built gazetteer.sqlite (default: the data directory's)")
    ap.add_argument("--json", help="also write the figures as JSON to this file")
    ap.add_argument("--worker", nargs=5, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        per_format, seed, start, memory = map(int, args.worker[:4])
        return worker(per_format, seed, start, memory, Path(args.worker[4]))
    if not args.index:
        sys.path.insert(0, str(ROOT))
        from geodata.gazetteer import load_gazetteer
        from geodata.paths import index_path

        load_gazetteer()  # built if missing
        args.index = str(index_path())

    total = len(cases(args.per_format, args.seed))
    out = BENCH_DIR / "out" / "fuzz"
    shutil.rmtree(out, ignore_errors=True)
    if args.no_baseline:
        print(f"fuzz: {total} inputs through this checkout", file=sys.stderr, flush=True)
        sides = [run(ROOT, "this checkout", args, total, out)]
    else:
        # both sides at once, a worker each: a slow spell of a shared machine slows both alike
        tmp = Path(tempfile.mkdtemp(prefix="placewire-fuzz-base-"))
        try:
            subprocess.run(["git", "worktree", "add", "--detach", str(tmp / "src"), args.baseline],
                           cwd=ROOT, check=True, capture_output=True)
            print(f"fuzz: {total} inputs through this checkout and the baseline {args.baseline}, side by side",
                  file=sys.stderr, flush=True)
            with ThreadPoolExecutor(2) as pool:
                ours = pool.submit(run, ROOT, "this checkout", args, total, out)
                base = pool.submit(run, tmp / "src", f"baseline {args.baseline}", args, total, out)
                sides = [ours.result(), base.result()]
        finally:
            subprocess.run(["git", "worktree", "remove", "--force", str(tmp / "src")], cwd=ROOT, capture_output=True)
            shutil.rmtree(tmp, ignore_errors=True)
    if args.json:
        Path(args.json).write_text(json.dumps(sides, indent=1))
    report(sides, args, total)


def report(sides: list[dict], args, total: int) -> None:
    rows = [
        ["inputs (hostile files + mutations)"] + [str(s["cases"]) for s in sides],
        ["tracebacks (must be 0)"] + [str(s["tracebacks"]) for s in sides],
        ["caught internal errors"] + [str(s["caught"]) for s in sides],
        [f"hangs over {HANG:.0f} s of CPU (must be 0)"] + [str(s["hangs_cpu"]) for s in sides],
        [f"inputs over {HANG:.0f} s of wall-clock time (a busy machine's too)"] + [str(s["hangs"]) for s in sides],
        ["slowest input, s (CPU s)"] + [f"{s['slowest_s']:.1f} ({s['slowest_cpu_s']:.1f})" for s in sides],
        ["median CPU time per input, ms"] + [f"{s['median_cpu_ms']:.0f}" for s in sides],
        ["peak memory, MB (must be <= 500)"] + [f"{s['peak_mb']:.0f}" for s in sides],
        ["good articles lost (must be 0)"] + [str(s["lost"]) for s in sides],
        ["problems reported"] + [str(s["problems"]) for s in sides],
        ["run time, s"] + [f"{s['wall_s']:.0f}" for s in sides],
    ]
    per = len(hostile.GOOD) + 2
    body = (
        f"{len(hostile.HOSTILE)} hostile files of issue 10, then {args.per_format} mutations of each of "
        f"{per - 1} good files ({', '.join(hostile.GOOD)}, the seed) and {args.per_format} single bad "
        f"JSON lines among good ones: {total} inputs (seed {args.seed}). Each is ingested between two "
        "good files into a new SQLite store; peak memory is the worker's, gazetteer index included. "
        f"Inputs over {HANG:.0f} s of CPU count as hangs (wall-clock time is shown too: on a shared "
        f"machine it is the other processes' as well); a worker stuck for {args.kill:.0f} s is ended "
        "and its input counted as a traceback and a hang.\n\n"
        + table(["measure"] + [s["label"] for s in sides], rows) + "\n"
    )
    for side in sides:
        body += f"\nSlowest inputs (by CPU time) in {side['label']}:\n\n" + "\n".join(f"- {e}" for e in side["slowest"]) + "\n"
        if side["examples"]:
            body += f"\nWhat went wrong in {side['label']} (up to 12 kinds):\n\n" + "\n".join(
                f"- {e}" for e in side["examples"]) + "\n"
    command = "python benchmarks/fuzz.py" + ("" if args.per_format == DEFAULT_PER_FORMAT else f" --per-format {args.per_format}")
    command += " --no-baseline" if args.no_baseline else ("" if args.baseline == BEFORE_ISSUE_10 else f" --baseline {args.baseline}")
    if args.json and args.no_baseline and args.per_format < DEFAULT_PER_FORMAT:  # the tests' smoke run
        print(body)
        return
    write_results("fuzz", "Fuzz: hostile and mutated articles", command, body)


if __name__ == "__main__":
    main()
