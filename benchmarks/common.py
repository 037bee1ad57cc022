"""What both benchmarks share: fresh worker processes, medians, and the results file.

Every measurement runs in a fresh Python process (`python benchmarks/X.py --worker TASK ...`), so
one run's caches, imports and memory never flatter the next, and peak RSS is that task's alone.
A worker prints one JSON object as its last line; the parent repeats it and quotes the median.
"""
from __future__ import annotations

import json
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
SHARED = ROOT.parent / "shared"  # read-only corpora and seeds, beside the repo (in CI too)

# One thread per process for numpy/BLAS: "per core" then means what it says.
SINGLE_THREAD = {name: "1" for name in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")}


def run_worker(script: Path, task: str, *args: str, env: dict | None = None, timeout: float = 1800) -> dict:
    """Run `script --worker task args` in a fresh process; return its JSON result plus `wall_s`.

    `wall_s` is measured here, from spawning the process to its exit: it includes interpreter
    start-up and imports, which is what a person waits for.
    """
    cmd = [sys.executable, str(script), "--worker", task, *args]
    started = time.perf_counter()
    proc = subprocess.run(
        cmd, capture_output=True, text=True, timeout=timeout, cwd=ROOT,
        env={**os.environ, **SINGLE_THREAD, **(env or {})},
    )
    wall = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"worker {task} failed ({proc.returncode}):\n{proc.stderr[-4000:]}")
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["wall_s"] = wall
    return result


def emit(result: dict) -> None:
    """A worker's last line: its result, for `run_worker`."""
    print(json.dumps(result), flush=True)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far, in MB (Linux reports ru_maxrss in KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def cpu_seconds() -> float:
    """User + system CPU time of this process: articles per CPU second is the per-core rate."""
    return time.process_time()


def median(values) -> float:
    return statistics.median(values)


def spread(values, fmt: str = "{:.2f}") -> str:
    """'median (min-max)' of a list of repeats, for the tables."""
    return f"{fmt.format(median(values))} ({fmt.format(min(values))}-{fmt.format(max(values))})"


def machine() -> str:
    """One line naming what the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True, cwd=ROOT).stdout.strip()
    return (f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}, "
            f"commit {commit or '?'}, {time.strftime('%Y-%m-%d %H:%M %Z')}")


def write_results(name: str, title: str, command: str, body: str) -> Path:
    """Write benchmarks/results/<name>.md (and print it): the table, how it was made, on what."""
    RESULTS_DIR.mkdir(exist_ok=True)
    text = f"# {title}\n\nCommand: `{command}`  \nMachine: {machine()}\n\n{body.rstrip()}\n"
    path = RESULTS_DIR / f"{name}.md"
    path.write_text(text)
    print(text)
    print(f"(written to {path.relative_to(ROOT)})")
    return path


def table(header: list[str], rows: list[list[str]]) -> str:
    """A Markdown table."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)
