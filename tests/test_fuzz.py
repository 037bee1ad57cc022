"""A smoke run of benchmarks/fuzz.py: the hostile files and 200 mutated good articles through the
real loader, geoparser and store. None may raise, cost its batch a good article, or hit an error
the ingest had to catch. (The full run, its hangs and memory, are the benchmark's: not timed here.)
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_a_fuzz_smoke_run_has_no_traceback_and_loses_nothing(index_dir, tmp_path):
    out = tmp_path / "fuzz.json"
    run = subprocess.run(
        [sys.executable, "benchmarks/fuzz.py", "--per-format", "20", "--no-baseline", "--json", str(out),
         "--index", str(index_dir / "gazetteer.sqlite")],
        cwd=REPO, capture_output=True, text=True, timeout=1800)
    assert run.returncode == 0, run.stderr[-3000:]
    [ours] = json.loads(out.read_text())
    assert ours["cases"] == 20 + 20 * 10  # the hostile files, then 20 of each of 9 files and of JSON lines
    assert (ours["tracebacks"], ours["caught"], ours["lost"]) == (0, 0, 0), ours["examples"]
    assert ours["problems"] > ours["cases"]  # the mutations were noticed, not read as if whole
