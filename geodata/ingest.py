"""Articles in, stored mentions out: the one ingest loop the CLI and the page's upload share.

Each article is parsed and stored in batches (one transaction each, so a killed process leaves
no half article); an article already stored is skipped before parsing; a problem with one input
is recorded and the rest goes on. Parsing runs in this process or in `workers` processes
(geodata.parallel); either way this loop alone writes, in the input's order, so the store ends
up the same, transaction for transaction, whatever the number of workers. A batch the store
refuses is stored again article by article, so only the article at fault is skipped. Each stored
article joins its story (geodata.stories), so a syndicated copy counts once.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable, Iterable

from . import stories
from .articles import Article, Item, Problem
from .model import DATE_SOURCES
from .store import Store


@dataclass
class IngestReport:
    """What an ingest did: counts, the places touched, and every problem met."""

    added: int = 0
    present: int = 0
    copies: int = 0  # added articles that are syndicated copies of a stored story
    mentions: int = 0
    unresolved: int = 0
    unanswered: int = 0  # names the online geocoder could not be asked (unreachable)
    places: set[str] = field(default_factory=set)
    problems: list[Problem] = field(default_factory=list)
    dates: Counter = field(default_factory=Counter)  # added articles by where their date came from

    def dates_summary(self) -> str:
        """"12 from metadata, 3 from the URL, 5 from a dateline, 2 unknown" (sources with none left out)."""
        words = {"metadata": "from metadata", "url": "from the URL", "dateline": "from a dateline",
                 "unknown": "unknown"}
        return ", ".join(f"{self.dates[s]} {words[s]}" for s in DATE_SOURCES if self.dates[s]) or "none added"


# A batch is also stored once it holds this many mentions: a few huge articles must not hold
# a million mentions in memory before their transaction (a CLI batch of 2,000 news articles holds
# about 30,000: cut earlier, its transactions would rewrite the same index pages more often).
BATCH_MENTIONS = 50_000


def ingest(items: Iterable[Item], store: Store, *, batch: int = 200, workers: int = 1,
           parser=None, on_article: Callable[[Article], None] = lambda article: None,
           report: IngestReport | None = None, catch_up: bool = True) -> IngestReport:
    """Parse and store every article of `items`; record every Problem in the report.

    `parser`: where mentions come from, if not from parsing here (geodata.batch.Loaded: a
    batch's output); anything with geodata.parallel's map/flush/close. `catch_up` first groups
    stored articles that are in no story yet (a caller that ingests one article at a time does
    that once itself).
    """
    if parser is None:
        from .parallel import parsing  # loads the gazetteer index: only when there is work

        parser = parsing(workers)
    report = report or IngestReport()
    pending: list = []
    pending_mentions = 0
    if catch_up:
        stories.group(store)  # articles stored before grouping existed, or by a killed process

    def flush() -> None:
        nonlocal pending_mentions
        flags = _store(store, pending, report)
        # syndicated copies join their story (a second transaction: an article a killed process
        # left ungrouped is grouped by the next ingest's catch-up)
        new = [article.id for (article, _), added in zip(pending, flags) if added]
        report.copies += sum(g.match is not None for g in stories.group(store, new))
        for (article, mentions), added in zip(pending, flags):
            if added is None:  # refused by the store: reported
                continue
            if added:
                report.added += 1
                report.dates[article.dated_by] += 1
                report.mentions += len(mentions)
                report.unresolved += sum(m.place is None for m in mentions)
                report.places.update(m.place.id for m in mentions if m.place is not None)
            else:
                report.present += 1
        pending.clear()
        pending_mentions = 0
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
                pending_mentions += len(outcome)
                if len(pending) >= batch or pending_mentions >= BATCH_MENTIONS:
                    flush()
    finally:
        try:
            flush()
        finally:
            parser.close()
    outage = getattr(parser, "online_outage", lambda: None)()
    if outage:
        report.unanswered += outage[0]
        report.problems.append(Problem("online geocoder", outage[1]))
    return report


def _store(store: Store, batch: list, report: IngestReport) -> list[bool | None]:
    """Store a batch in one transaction; when the store refuses it, article by article, so only
    the article it refuses is skipped (reported; None in its place)."""
    try:
        return store.add_many(batch)
    except Exception:
        # an empty transaction tells a failing store (locked, unreadable: raise) from an
        # article it cannot take (try them one by one)
        store.add_many([])
    results: list[bool | None] = []
    for article, mentions in batch:
        try:
            results.extend(store.add_many([(article, mentions)]))
        except Exception as exc:  # noqa: BLE001 - any refusal of one article is that article's problem
            report.problems.append(Problem(article.origin, f"could not be stored ({_reason(exc)}); article skipped"))
            results.append(None)
    return results


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:200] + "…"
