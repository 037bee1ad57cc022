"""Articles in, stored mentions out: the one ingest loop the CLI and the page's upload share.

Each article is parsed and stored in batches (one transaction each, so a killed process leaves
no half article); an article already stored is skipped before parsing; a problem with one input
is recorded and the rest goes on. Parsing runs in this process or in `workers` processes
(geodata.parallel); either way this loop alone writes, in the input's order, so the store ends
up the same, transaction for transaction, whatever the number of workers.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable

from .articles import Article, Item, Problem
from .model import DATE_SOURCES
from .store import Store


@dataclass
class IngestReport:
    """What an ingest did: counts, the places touched, and every problem met."""

    added: int = 0
    present: int = 0
    mentions: int = 0
    unresolved: int = 0
    places: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    dates: Counter = field(default_factory=Counter)  # added articles by where their date came from

    def dates_summary(self) -> str:
        """"12 from metadata, 3 from the URL, 5 from a dateline, 2 unknown" (sources with none left out)."""
        words = {"metadata": "from metadata", "url": "from the URL", "dateline": "from a dateline",
                 "unknown": "unknown"}
        return ", ".join(f"{self.dates[s]} {words[s]}" for s in DATE_SOURCES if self.dates[s]) or "none added"


def ingest(items: Iterable[Item], store: Store, *, batch: int = 200, workers: int = 1,
           parser=None, on_article: Callable[[Article], None] = lambda article: None,
           report: IngestReport | None = None) -> IngestReport:
    """Parse and store every article of `items`; record every Problem in the report.

    `parser`: where mentions come from, if not from parsing here (geodata.batch.Loaded: a
    batch's output); anything with geodata.parallel's map/flush/close.
    """
    if parser is None:
        from .parallel import parsing  # loads the gazetteer index: only when there is work

        parser = parsing(workers)
    report = report or IngestReport()
    pending: list = []

    def flush() -> None:
        for (article, mentions), added in zip(pending, store.add_many(pending)):
            if added:
                report.added += 1
                report.dates[article.dated_by] += 1
                report.mentions += len(mentions)
                report.unresolved += sum(m.place is None for m in mentions)
                report.places.update(m.place.id for m in mentions if m.place is not None)
            else:
                report.present += 1
        pending.clear()
        parser.flush()

    # Workers parse ahead of the writer, so an article is looked up in the store twice: before
    # parsing, to skip what is known, and here, when it is its turn to be written, which is
    # when a single process would have looked (a copy met twice in one run is decided alike).
    jobs = ((item, isinstance(item, Article) and not store.has(item.id)) for item in items)
    try:
        for item, outcome in parser.map(jobs):
            if isinstance(item, Problem):
                report.problems.append(item)
                continue
            on_article(item)
            if outcome is None or store.has(item.id):
                report.present += 1
            elif isinstance(outcome, str):  # the parser failed on this one article
                report.problems.append(Problem(item.origin, outcome))
            else:
                pending.append((item, outcome))
                if len(pending) >= batch:
                    flush()
    finally:
        try:
            flush()
        finally:
            parser.close()
    return report
