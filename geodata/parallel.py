"""Parsing for the ingest: in this process, or in worker processes with results in order.

Both give `map(jobs)`: (item, parse?) pairs in, (item, outcome) pairs out in the same order,
where the outcome is the article's mentions, a message saying why the parser failed on it, or
None when it was not to be parsed. The ingest writes what comes out through its one writer, so
the store gets the same rows in the same transactions whatever the number of workers.

Workers start from a fork server that has imported the parser's modules (a clean process: no
threads, no open database, unlike the CLI's own), then each opens the gazetteer index once, as
a file. Each reads the persistent resolution cache but never writes it: what it resolves comes
back with its results and the writing process adds it to the cache with the store's batch.
Resolutions are a pure function of their cache key, so who resolved what first never changes
a result.
"""
from __future__ import annotations

import multiprocessing
import os
import signal
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from itertools import islice
from typing import Iterable, Iterator

from . import paths
from .cache import ResolutionCache
from .gazetteer import Gazetteer, current_index
from .parser import Geoparser, get_parser

# Articles per task: big enough that sending them costs little beside parsing them (~40 ms of
# work), small enough that the writer is never kept waiting long.
CHUNK = 24
# Articles queued for the workers beyond those being written: the writer takes no results while
# it stores a batch (seconds for the CLI's 2,000 articles), and the workers must have that much
# work queued or they wait. Bounded: what is held in memory is about a batch of articles.
AHEAD_ARTICLES = 2000
# How workers start: from a fork server (measured beside "fork" and "spawn" in
# benchmarks/scale.py; see its results), by spawning where there is none (Windows).
START_METHOD = "forkserver"


def default_workers() -> int:
    """The cores this process may run on (all of the machine's where the OS cannot say: macOS,
    Windows)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


def start_context():
    """The multiprocessing context workers start from: START_METHOD where it exists, else spawn."""
    method = START_METHOD if START_METHOD in multiprocessing.get_all_start_methods() else "spawn"
    context = multiprocessing.get_context(method)
    if method == "forkserver":
        context.set_forkserver_preload([__name__])
    return context


class InProcess:
    """One worker: the process's own parser, writing its own cache."""

    def __init__(self) -> None:
        self.parser = get_parser()

    def map(self, jobs: Iterable[tuple]) -> Iterator[tuple]:
        for item, parse in jobs:
            yield item, self.parser.parse_batch([item.text])[0] if parse else None

    def flush(self) -> None:
        self.parser.flush()

    def online_outage(self) -> tuple[int, str] | None:
        return self.parser.online_outage()

    def close(self) -> None:
        pass


class Workers:
    """`n` worker processes, each with its own parser over the same index and cache files.

    They start with the first task: an input smaller than one task is parsed in this process,
    which costs less than starting processes (the page's uploads, a few files on the CLI).
    """

    def __init__(self, n: int) -> None:
        self.n = n
        self.pool = self.cache = self.local = None

    def _start(self) -> None:
        index, fingerprint = current_index()  # built here, once, if it must be
        self.cache = ResolutionCache(paths.cache_path(), fingerprint)  # the only writer
        self.pool = ProcessPoolExecutor(self.n, mp_context=start_context(), initializer=_start_worker,
                                        initargs=(str(index), str(paths.cache_path())))

    def map(self, jobs: Iterable[tuple]) -> Iterator[tuple]:
        jobs = iter(jobs)
        chunk = list(islice(jobs, CHUNK))
        if len(chunk) < CHUNK:
            self.local = InProcess()
            yield from self.local.map(chunk)
            return
        self._start()
        queued: deque = deque([self._submit(chunk)])
        chunk = []
        for job in jobs:
            chunk.append(job)
            if len(chunk) == CHUNK:
                queued.append(self._submit(chunk))
                chunk = []
            while len(queued) > max(self.n * 3, AHEAD_ARTICLES // CHUNK):
                yield from self._results(*queued.popleft())
        if chunk:
            queued.append(self._submit(chunk))
        while queued:
            yield from self._results(*queued.popleft())

    def _submit(self, chunk: list[tuple]) -> tuple:
        texts = [item.text for item, parse in chunk if parse]
        return chunk, self.pool.submit(_parse, texts) if texts else None

    def _results(self, chunk: list[tuple], future) -> Iterator[tuple]:
        outcomes = iter(())
        if future is not None:
            results, resolved = future.result()
            self.cache.merge(resolved)
            outcomes = iter(results)
        for item, parse in chunk:
            yield item, next(outcomes) if parse else None

    def online_outage(self) -> tuple[int, str] | None:
        """(The CLI keeps to one worker with an online geocoder: only this process asks it.)"""
        return self.local.online_outage() if self.local is not None else None

    def flush(self) -> None:
        for writer in (self.local, self.cache):
            if writer is not None:
                writer.flush()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(cancel_futures=True)


def parsing(workers: int) -> InProcess | Workers:
    """The parsing for `workers` processes (1: this process)."""
    return Workers(workers) if workers > 1 else InProcess()


# --------------------------------------------------------------------------- in each worker

_parser: Geoparser | None = None  # this worker process's, over the read-only index


def _start_worker(index: str, cache: str) -> None:
    global _parser
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the writer's to handle
    gazetteer = Gazetteer(index)
    _parser = Geoparser(gazetteer, ResolutionCache(cache, gazetteer.fingerprint, read_only=True))


def _parse(texts: list[str]) -> tuple[list, tuple[list, list]]:
    """Each text's mentions (or why it failed), and what the cache learned meanwhile."""
    return _parser.parse_batch(texts), _parser.resolver.cache.take_pending()
