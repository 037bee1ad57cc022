"""Adding articles from the page: geodata's loader and ingest loop, one report per file.

The page does not parse text: it hands uploaded files (or the seeds folder on first start) to
geodata.articles and geodata.ingest (the same loop the CLI runs), and reports per file what went
in and what was skipped, so one bad file never stops the rest.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from geodata.articles import Problem, load, load_bytes
from geodata.ingest import IngestReport, ingest
from geodata.store import Store


@dataclass
class FileReport:
    """What became of one input (a file, or the seeds folder)."""

    name: str
    result: IngestReport

    @property
    def problems(self) -> list[str]:
        return [str(p) for p in self.result.problems]

    @property
    def added(self) -> int:
        return self.result.added

    def summary(self) -> str:
        r = self.result
        parts = [f"{r.added} article{'s' * (r.added != 1)} added"]
        if r.present:
            parts.append(f"{r.present} already stored")
        parts.append(f"{r.mentions} place mention{'s' * (r.mentions != 1)}")
        if r.added:
            parts.append(f"dates: {r.dates_summary()}")
        if r.problems:
            parts.append(f"{len(r.problems)} problem{'s' * (len(r.problems) != 1)}")
        return ", ".join(parts)


def ingest_files(
    store_path: Path,
    files: list[tuple[str, bytes]],
    progress: Callable[[int, str], None] = lambda done, name: None,
) -> list[FileReport]:
    """Load, parse and store uploaded files (name, content); one report per file, in order."""
    reports = []
    with Store(store_path) as store:
        for done, (name, data) in enumerate(files):
            progress(done, name)
            result = IngestReport()
            try:
                ingest(load_bytes(name, data, origin=name), store, report=result)
            except Exception as exc:  # a file the loader cannot handle at all: report it, go on
                result.problems.append(Problem(name, f"could not be read ({exc})"))
            reports.append(FileReport(name, result))
        progress(len(files), "")
    return reports


def ingest_paths(store_path: Path, paths: list[Path]) -> FileReport:
    """Load, parse and store files and folders (the seeds on first start) as one report."""
    with Store(store_path) as store:
        return FileReport(", ".join(p.name for p in paths), ingest(load(paths), store))
