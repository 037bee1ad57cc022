"""Scale: the ingest on all cores, the Dask batch job, and ingest at 200,000 articles.

    python benchmarks/scale.py ingest [--articles 10000] [--rounds 3]
    python benchmarks/scale.py start [--articles 2000] [--rounds 3]
    python benchmarks/scale.py batch [--articles 200000]
    python benchmarks/scale.py growth [--articles 200000] [--workers 1]

- ingest: `python -m geodata ingest` of real-text articles (benchmarks/realtext.py) into a new
  store with 1 and 2 workers, beside the baseline, main at 19ee01b (one process, before this
  work), in rounds (each round runs all three one after another);
- start: how worker processes start (fork server, fork, spawn): time to the end of a small
  ingest, and the processes' memory;
- batch: `python -m geodata batch` on a 2-worker Dask LocalCluster, then `load`, beside
  `ingest --workers 2`, on the same articles; the Dask workers' own task times give the
  per-core rate and the scheduling overhead that the README's projection uses;
- growth: one ingest of many articles into one store, the rate and memory read every 10,000.

Every command runs in a fresh process tree under a measuring process that adopts every
descendant (PR_SET_CHILD_SUBREAPER), so the CPU time of worker processes counts whoever
started them; memory is the whole tree's resident set, sampled every 0.1 s, and the largest
single process's peak. Writes are the bytes the tree wrote to disk (rusage's block output).
Everything runs under a temporary directory; the user's data directory is never touched.
This machine is shared: rates per CPU-second hold when it is busy, wall-clock ones do not.
"""
from __future__ import annotations

import argparse
import ctypes
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # `benchmarks` from this checkout

from benchmarks import realtext  # noqa: E402
from benchmarks.common import (  # noqa: E402
    RESULTS_DIR, ROOT, emit, median, run_worker, spread, table, write_results,
)
from geodata.paths import read_only_uri  # noqa: E402

SCRIPT = Path(__file__).resolve()
BASELINE = "19ee01b"  # main before this work: one process, the whole cache read into memory
PYTHON = sys.executable


# --------------------------------------------------------------------------- measuring a command


def worker_measure(spec: dict) -> dict:
    """Run spec["cmd"] (in spec["cwd"], with spec["env"] added) as a process tree; measure it."""
    import psutil

    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(36, 1, 0, 0, 0)  # PR_SET_CHILD_SUBREAPER: orphaned descendants become ours
    started = time.perf_counter()
    proc = subprocess.Popen(spec["cmd"], cwd=spec.get("cwd"), env={**os.environ, **spec.get("env", {})},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    main = psutil.Process(proc.pid)
    peak_tree, main_cpu, samples = 0, 0.0, []
    every = spec.get("sample_every", 0)
    next_sample = started + every if every else None
    out_lines: list[str] = []
    import threading

    reader = threading.Thread(target=lambda: out_lines.extend(proc.stdout), daemon=True)
    reader.start()
    while proc.poll() is None:
        try:
            tree = [main, *main.children(recursive=True)]
            rss = 0
            for p in tree:
                try:
                    rss += p.memory_info().rss
                except psutil.Error:
                    pass
            peak_tree = max(peak_tree, rss)
            t = main.cpu_times()
            main_cpu = t.user + t.system
        except psutil.Error:
            pass
        if next_sample and time.perf_counter() >= next_sample:
            samples.append(_sample(main, started, rss, spec.get("count_db")))
            next_sample += every
        time.sleep(0.1)
    wall = time.perf_counter() - started
    reader.join()
    stderr = proc.stderr.read()
    while True:  # adopted workers: wait for each, so their CPU time and writes count
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            break
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode not in spec.get("ok", (0,)):
        raise SystemExit(f"{spec['cmd']} failed ({proc.returncode}):\n{stderr[-3000:]}")
    return {"wall_s": wall, "cpu_s": usage.ru_utime + usage.ru_stime, "main_cpu_s": main_cpu,
            "peak_process_mb": usage.ru_maxrss / 1024, "peak_tree_mb": peak_tree / 1e6,
            "written_mb": usage.ru_oublock * 512 / 1e6, "stdout": "".join(out_lines)[-4000:],
            "stderr": stderr[-4000:], "samples": samples}


def _sample(main, started: float, rss: int, db: str | None) -> dict:
    """The tree's CPU time and memory so far, and how many articles the store holds."""
    import sqlite3

    import psutil

    cpu = written = 0.0
    for p in [main, *main.children(recursive=True)]:
        try:
            t = p.cpu_times()
            cpu += t.user + t.system + t.children_user + t.children_system
            written += p.io_counters().write_bytes
        except psutil.Error:
            pass
    articles = None
    if db and Path(db).exists():
        try:
            with sqlite3.connect(read_only_uri(db), uri=True, timeout=1) as con:
                articles = con.execute("SELECT count(*) FROM articles").fetchone()[0]
        except sqlite3.Error:
            pass
    return {"s": time.perf_counter() - started, "tree_rss_mb": rss / 1e6, "cpu_s": cpu,
            "written_mb": written / 1e6, "articles": articles}


def measure(cmd: list[str], cwd: Path, env: dict, **extra) -> dict:
    """`worker_measure` in a fresh process of its own (its rusage then counts this command only)."""
    spec = json.dumps({"cmd": cmd, "cwd": str(cwd), "env": env, **extra})
    return run_worker(SCRIPT, "measure", spec, timeout=24 * 3600)


# --------------------------------------------------------------------------- the sides compared


def baseline_checkout(work: Path) -> Path:
    """The baseline's code (`git archive`, so no worktree is left behind), beside this checkout."""
    dest = work / f"baseline-{BASELINE}"
    shutil.rmtree(dest, ignore_errors=True)
    dest.mkdir()
    archive = subprocess.run(["git", "archive", BASELINE], cwd=ROOT, capture_output=True, check=True).stdout
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive, check=True)
    return dest


def prepare_index(code: Path, folder: Path) -> Path:
    """Build (or check) the gazetteer index that `code` reads, untimed; returns its data folder."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([PYTHON, "-c", "from geodata.gazetteer import load_gazetteer; load_gazetteer()"],
                   cwd=code, env={**os.environ, "PLACEWIRE_DATA": str(folder)}, check=True)
    return folder


def fresh_data(work: Path, name: str, index: Path) -> Path:
    """An empty data folder sharing a built index: a new store, an empty resolution cache."""
    data = work / name
    shutil.rmtree(data, ignore_errors=True)
    data.mkdir()
    (data / "gazetteer.sqlite").symlink_to(index / "gazetteer.sqlite")
    return data


def corpus(work: Path, n: int) -> Path:
    folder = work / f"corpus-{n}"
    if not folder.exists():
        realtext.write(folder, n)
    return folder


def ingest_cmd(corpus_dir: Path, workers: int | None) -> list[str]:
    cmd = [PYTHON, "-m", "geodata", "ingest", str(corpus_dir), "--quiet"]
    return cmd + (["--workers", str(workers)] if workers else [])


def store_mb(data: Path) -> float:
    return sum(p.stat().st_size for p in data.glob("placewire.sqlite*")) / 1e6


# --------------------------------------------------------------------------- ingest: 1 and 2 workers


def bench_ingest(args, work: Path) -> None:
    n = args.articles
    articles = corpus(work, n)
    base_code = baseline_checkout(work)
    ours_index = prepare_index(ROOT, work / "index-ours")
    base_index = prepare_index(base_code, work / "index-base")
    sides = {  # name: (code, index, workers)
        f"baseline {BASELINE} (one process)": (base_code, base_index, None),
        "ingest --workers 1": (ROOT, ours_index, 1),
        "ingest --workers 2": (ROOT, ours_index, 2),
    }
    runs: dict[str, list[dict]] = {side: [] for side in sides}
    for r in range(args.rounds):
        for side, (code, index, workers) in sides.items():
            print(f"  round {r + 1}/{args.rounds}: {side}", file=sys.stderr, flush=True)
            data = fresh_data(work, "run", index)
            result = measure(ingest_cmd(articles, workers), code, {"PLACEWIRE_DATA": str(data)})
            result["store_mb"] = store_mb(data)
            runs[side].append(result)
    base, one, two = runs.values()

    def rate(rs, key):
        return [n / r[key] for r in rs]

    def ratios(a, b, key):
        return f"{median([x / y for x, y in zip(rate(a, key), rate(b, key))]):.2f}x"

    def ideal(r: dict) -> float:
        """Wall time on two idle cores, from CPU times: the writer's share runs beside the workers."""
        return max(r["main_cpu_s"], r["cpu_s"] / 2)

    rows = []
    for side, rs in runs.items():
        rows.append([side, spread(rate(rs, "wall_s"), "{:.0f}"), spread(rate(rs, "cpu_s"), "{:.0f}"),
                     spread([n / ideal(r) for r in rs], "{:.0f}"),
                     spread([r["peak_tree_mb"] for r in rs], "{:.0f}"),
                     spread([r["written_mb"] * 1000 / n for r in rs], "{:.0f}"),
                     f"{median([r['store_mb'] for r in rs]):.0f}"])
    body = (
        f"{n:,} real-text articles (benchmarks/realtext.py), each side into a new store with an "
        f"empty resolution cache; {args.rounds} rounds, each running the three one after another: "
        "median (min-max). Ratios are medians of the rounds' ratios.\n\n"
        + table(["ingest", "articles/s (wall)", "articles per CPU-second (all processes)",
                 "articles/s on 2 idle cores (from CPU times)", "peak memory, all processes, MB",
                 "written, KB per article", "store, MB"], rows)
        + "\n\n"
        + table(["ratio", "wall clock", "on 2 idle cores (from CPU times)"], [
            ["2 workers / 1 worker", ratios(two, one, "wall_s"),
             f"{median([ideal(o) / ideal(t) for o, t in zip(one, two)]):.2f}x"],
            ["2 workers / baseline", ratios(two, base, "wall_s"),
             f"{median([ideal(b) / ideal(t) for b, t in zip(base, two)]):.2f}x"],
            ["1 worker / baseline", ratios(one, base, "wall_s"),
             f"{median([ideal(b) / ideal(o) for b, o in zip(base, one)]):.2f}x"],
        ])
        + "\n\n'On 2 idle cores' is the wall time the measured CPU times allow when nothing else "
        "runs: the writer (loading, the store) in parallel with the workers, max(writer's CPU, "
        "all CPU / 2). The machine is shared by other jobs, so wall-clock ratios are noisy; "
        "rerun on a quiet machine for the wall-clock figure.\n"
    )
    write_results("scale_ingest", "Ingest on all cores", f"python benchmarks/scale.py ingest --articles {n} "
                  f"--rounds {args.rounds}", body)


# --------------------------------------------------------------------------- how workers start


def bench_start(args, work: Path) -> None:
    n = args.articles
    articles = corpus(work, n)
    index = prepare_index(ROOT, work / "index-ours")
    runs: dict[str, list[dict]] = {m: [] for m in ("forkserver", "fork", "spawn")}
    for r in range(args.rounds):
        for method in runs:
            print(f"  round {r + 1}/{args.rounds}: {method}", file=sys.stderr, flush=True)
            data = fresh_data(work, "run", index)
            code = ("import sys, geodata.parallel as p; p.START_METHOD = sys.argv[1]; "
                    "from geodata.__main__ import main; sys.exit(main(sys.argv[2:]))")
            cmd = [PYTHON, "-c", code, method, *ingest_cmd(articles, 2)[3:]]
            runs[method].append(measure(cmd, ROOT, {"PLACEWIRE_DATA": str(data)}, ok=(0,)))
    rows = [[m, spread([r["wall_s"] for r in rs]), spread([r["cpu_s"] for r in rs]),
             spread([r["peak_tree_mb"] for r in rs], "{:.0f}"),
             spread([r["peak_process_mb"] for r in rs], "{:.0f}")] for m, rs in runs.items()]
    body = (f"`ingest --workers 2` of {n:,} real-text articles into a new store, workers started "
            f"each way; {args.rounds} rounds: median (min-max).\n\n"
            + table(["start method", "wall, s", "CPU, s (all processes)",
                     "peak memory, all processes, MB", "largest process, MB"], rows) + "\n")
    write_results("scale_start", "How ingest workers start", f"python benchmarks/scale.py start "
                  f"--articles {n} --rounds {args.rounds}", body)


# --------------------------------------------------------------------------- batch on Dask


def dask_overhead(tasks: int = 2000) -> dict:
    """Per-task cost of Dask's scheduling on a 2-worker LocalCluster: tasks that do nothing."""
    from distributed import Client, LocalCluster

    started = time.perf_counter()
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client:
        ready = time.perf_counter()
        client.gather(client.map(lambda i: i, range(tasks), pure=False))
        done = time.perf_counter()
    return {"startup_s": ready - started, "per_task_ms": (done - ready) / tasks * 1000,
            "tasks": tasks}


def bench_batch(args, work: Path) -> None:
    n = args.articles
    articles = corpus(work, n)
    index = prepare_index(ROOT, work / "index-ours")
    data = fresh_data(work, "batch", index)
    out = work / "batch-out"
    shutil.rmtree(out, ignore_errors=True)
    env = {"PLACEWIRE_DATA": str(data)}
    print("  batch on a 2-worker LocalCluster", file=sys.stderr, flush=True)
    batch = measure([PYTHON, "-m", "geodata", "batch", str(articles), "--out", str(out),
                     "--workers", "2", "--quiet"], ROOT, env)
    summary = json.loads((out / "batch.json").read_text())
    print("  load into a new store", file=sys.stderr, flush=True)
    load = measure([PYTHON, "-m", "geodata", "load", str(out), "--quiet"], ROOT, env)
    print("  ingest --workers 2, beside it", file=sys.stderr, flush=True)
    ingest = measure(ingest_cmd(articles, 2), ROOT, {"PLACEWIRE_DATA": str(fresh_data(work, "ingest", index))})
    print("  Dask's own per-task cost", file=sys.stderr, flush=True)
    overhead = run_worker(SCRIPT, "overhead", "{}")
    tasks = summary["tasks"]
    busy = sum(t["read_s"] + t["parse_s"] + t["write_s"] for t in tasks)
    compute_wall = summary["wall_s"] - summary["startup_s"]
    per_core = sum(t["articles"] for t in tasks) / sum(t["cpu_s"] for t in tasks)
    result = {"articles": n, "batch": batch, "load": load, "ingest": ingest, "overhead": overhead,
              "tasks": len(tasks), "busy_s": busy, "compute_wall_s": compute_wall,
              "startup_s": summary["startup_s"], "per_core_rate": per_core,
              "idle_per_task_s": (compute_wall * 2 - busy) / len(tasks)}
    (RESULTS_DIR / "scale_batch.json").write_text(json.dumps(
        {k: ({kk: vv for kk, vv in v.items() if kk not in ("stdout", "stderr", "samples")}
             if isinstance(v, dict) else v) for k, v in result.items()}, indent=1))
    rows = [
        ["batch on a 2-worker LocalCluster (parse to Parquet)", f"{batch['wall_s']:.0f}",
         f"{n / batch['wall_s']:.0f}", f"{batch['cpu_s']:.0f}", f"{n / batch['cpu_s']:.0f}",
         f"{batch['peak_tree_mb']:.0f}"],
        ["load (Parquet into a new store)", f"{load['wall_s']:.0f}", f"{n / load['wall_s']:.0f}",
         f"{load['cpu_s']:.0f}", f"{n / load['cpu_s']:.0f}", f"{load['peak_tree_mb']:.0f}"],
        ["batch + load", f"{batch['wall_s'] + load['wall_s']:.0f}",
         f"{n / (batch['wall_s'] + load['wall_s']):.0f}", f"{batch['cpu_s'] + load['cpu_s']:.0f}",
         f"{n / (batch['cpu_s'] + load['cpu_s']):.0f}", ""],
        ["ingest --workers 2 (baseline)", f"{ingest['wall_s']:.0f}", f"{n / ingest['wall_s']:.0f}",
         f"{ingest['cpu_s']:.0f}", f"{n / ingest['cpu_s']:.0f}", f"{ingest['peak_tree_mb']:.0f}"],
    ]
    body = (
        f"{n:,} real-text articles in {len(tasks)} files (partitions), one run each (long runs on a "
        "shared machine: rates per CPU-second hold, wall-clock ones are noisy).\n\n"
        + table(["run", "wall, s", "articles/s (wall)", "CPU, s (all processes)",
                 "articles per CPU-second", "peak memory, all processes, MB"], rows)
        + "\n\n"
        + table(["Dask, measured", "value"], [
            ["per-core parse rate inside the tasks (read, parse, write), articles per CPU-second",
             f"{per_core:.0f}"],
            ["cluster start (2 worker processes), s", f"{summary['startup_s']:.1f}"],
            ["tasks' busy time / (compute wall x 2 workers)", f"{busy / (compute_wall * 2):.0%}"],
            ["idle worker time per task (scheduling, index load, stragglers), s",
             f"{result['idle_per_task_s']:.2f}"],
            [f"Dask's own cost per task ({overhead['tasks']} tasks doing nothing), ms",
             f"{overhead['per_task_ms']:.2f}"],
        ]) + "\n"
    )
    write_results("scale_batch", "Batch on Dask beside ingest --workers 2",
                  f"python benchmarks/scale.py batch --articles {n}", body)


# --------------------------------------------------------------------------- one ingest, growing


def bench_growth(args, work: Path) -> None:
    n = args.articles
    articles = corpus(work, n)
    index = prepare_index(ROOT, work / "index-ours")
    data = fresh_data(work, "growth", index)
    run = measure(ingest_cmd(articles, args.workers), ROOT, {"PLACEWIRE_DATA": str(data)},
                  sample_every=5, count_db=str(data / "placewire.sqlite"))
    samples = [s for s in run["samples"] if s["articles"]]
    step = 10_000 if n >= 50_000 else max(1_000, n // 10)
    rows, last = [], {"articles": 0, "cpu_s": 0.0, "written_mb": 0.0}
    for mark in range(step, n + 1, step):
        at = next((s for s in samples if s["articles"] >= mark), None)
        if at is None:
            break
        rows.append([f"{at['articles']:,}", f"{(at['articles'] - last['articles']) / (at['cpu_s'] - last['cpu_s']):.0f}",
                     f"{at['tree_rss_mb']:.0f}",
                     f"{(at['written_mb'] - last['written_mb']) * 1000 / (at['articles'] - last['articles']):.0f}"])
        last = at
    body = (
        f"One `ingest --workers {args.workers}` of {n:,} real-text articles into one new store; read "
        "every 5 s: the articles stored, the CPU time and resident memory of all its processes, "
        "the bytes they wrote. Each row covers the articles since the row before.\n\n"
        + table(["articles stored", "articles per CPU-second", "memory, all processes, MB",
                 "written, KB per article"], rows)
        + f"\n\nWhole run: {n / run['cpu_s']:.0f} articles per CPU-second, {n / run['wall_s']:.0f}/s "
        f"wall clock; peak memory {run['peak_tree_mb']:.0f} MB (all processes), largest process "
        f"{run['peak_process_mb']:.0f} MB; written {run['written_mb'] * 1000 / n:.0f} KB per article; "
        f"store {store_mb(data):.0f} MB ({store_mb(data) * 1000 / n:.1f} KB per article).\n"
    )
    write_results(f"scale_growth_{args.workers}", f"Ingest as the store grows ({args.workers} worker(s))",
                  f"python benchmarks/scale.py growth --articles {n} --workers {args.workers}", body)


# --------------------------------------------------------------------------- the parent


def main() -> None:
    if sys.argv[1:2] == ["--worker"]:  # run_worker's call: --worker TASK SPEC
        task = {"measure": lambda: worker_measure(json.loads(sys.argv[3])), "overhead": dask_overhead}
        return emit(task[sys.argv[2]]())
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parts = {"ingest": bench_ingest, "start": bench_start, "batch": bench_batch, "growth": bench_growth}
    ap.add_argument("part", choices=parts)
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--workers", type=int, default=1, help="growth: the ingest's workers")
    ap.add_argument("--work", type=Path, help="keep the work here (default: a temporary folder)")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="placewire-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        parts[args.part](args, work)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
