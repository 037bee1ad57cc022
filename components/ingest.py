"""Adding articles from the page: geodata's loader, parser and store, one report per file.

The page does not parse text: it hands uploaded files (or the seeds folder on first start) to
geodata.articles, geodata.parser and geodata.store, and reports per file what went in and what
was skipped, so one bad file never stops the rest.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from geodata.articles import Item, Problem, load, load_bytes
from geodata.store import Store


@dataclass
class FileReport:
    """What became of one input file."""

    name: str
    added: int = 0
    present: int = 0
    mentions: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        parts = [f"{self.added} article{'s' * (self.added != 1)} added"]
        if self.present:
            parts.append(f"{self.present} already stored")
        parts.append(f"{self.mentions} place mention{'s' * (self.mentions != 1)}")
        if self.problems:
            parts.append(f"{len(self.problems)} problem{'s' * (len(self.problems) != 1)}")
        return ", ".join(parts)


def _ingest(items: Iterable[Item], store: Store, report: FileReport) -> None:
    from geodata.parser import get_parser  # loads the gazetteer index: only when adding

    parser = get_parser()
    batch = []
    for item in items:
        if isinstance(item, Problem):
            report.problems.append(str(item))
            continue
        if store.has(item.id):
            report.present += 1
            continue
        try:
            batch.append((item, parser.parse(item.text)))
        except Exception as exc:  # one article the parser chokes on must not stop the file
            report.problems.append(f"{item.origin}: the geoparser failed ({exc!r}); article skipped")
    for (article, mentions), added in zip(batch, store.add_many(batch)):
        if added:
            report.added += 1
            report.mentions += len(mentions)
        else:
            report.present += 1


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
            report = FileReport(name)
            try:
                _ingest(load_bytes(name, data, origin=name), store, report)
            except Exception as exc:  # a file the loader cannot handle at all: report, go on
                report.problems.append(f"{name}: could not be read ({exc})")
            reports.append(report)
        progress(len(files), "")
    return reports


def ingest_paths(store_path: Path, paths: list[Path]) -> FileReport:
    """Load, parse and store files and folders (the seeds on first start) as one report."""
    report = FileReport(", ".join(p.name for p in paths))
    with Store(store_path) as store:
        _ingest(load(paths), store, report)
    return report
