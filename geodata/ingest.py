"""Articles in, stored mentions out: the one ingest loop the CLI and the page's upload share.

Each article is parsed and stored in batches (one transaction each, so a killed process leaves
no half article); an article already stored is skipped before parsing; a problem with one input
is recorded and the rest goes on. Each stored article joins its story (geodata.stories), so a
syndicated copy counts once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Iterable

from . import stories
from .articles import Article, Item, Problem
from .store import Store


@dataclass
class IngestReport:
    """What an ingest did: counts, the places touched, and every problem met."""

    added: int = 0
    present: int = 0
    copies: int = 0  # added articles that are syndicated copies of a stored story
    mentions: int = 0
    unresolved: int = 0
    places: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)


def ingest(items: Iterable[Item], store: Store, *, batch: int = 200,
           on_article: Callable[[Article], None] = lambda article: None,
           report: IngestReport | None = None, catch_up: bool = True) -> IngestReport:
    """Parse and store every article of `items`; record every Problem in the report.

    `catch_up` first groups stored articles that are in no story yet (a caller that ingests one
    article at a time does that once itself)."""
    from .parser import get_parser  # loads the gazetteer index: only when there is work

    parser = get_parser()
    report = report or IngestReport()
    pending: list = []
    if catch_up:
        stories.group(store)  # articles stored before grouping existed, or by a killed process

    def flush() -> None:
        flags = store.add_many(pending)
        # syndicated copies join their story (a second transaction: an article a killed process
        # left ungrouped is grouped by the next ingest's catch-up)
        new = [article.id for (article, _), added in zip(pending, flags) if added]
        report.copies += sum(g.match is not None for g in stories.group(store, new))
        for (_, mentions), added in zip(pending, flags):
            if added:
                report.added += 1
                report.mentions += len(mentions)
                report.unresolved += sum(m.place is None for m in mentions)
                report.places.update(m.place.id for m in mentions if m.place is not None)
            else:
                report.present += 1
        pending.clear()
        parser.flush()

    try:
        for item in items:
            if isinstance(item, Problem):
                report.problems.append(item)
                continue
            on_article(item)
            if store.has(item.id):
                report.present += 1
                continue
            try:
                mentions = parser.parse(item.text)
            except Exception as exc:  # one article the parser chokes on must not stop the batch
                report.problems.append(
                    Problem(item.origin, f"the geoparser failed ({exc!r}); article skipped"))
                continue
            pending.append((item, mentions))
            if len(pending) >= batch:
                flush()
    finally:
        flush()
    return report
