"""The geoparser: text in, resolved mentions out. Extraction, then resolution, through the cache,
then each mention's role in its sentence (geodata.roles).

`get_parser()` keeps one parser per process (the index is loaded once per worker, as the notes
on scaling advise); `parse_batch` takes many texts so any batch engine can call it unchanged:
the ingest's worker processes (geodata.parallel) and Dask's partitions (geodata.batch).
"""
from __future__ import annotations

import atexit
from functools import lru_cache

from . import paths
from .cache import ResolutionCache
from .extract import Extractor
from .gazetteer import load_gazetteer
from .geocoder import GazetteerGeocoder, online_fallback
from .model import Mention
from .resolve import Resolver
from .roles import assign as assign_roles


class Geoparser:
    """Finds place names in a text and resolves each with the document as context."""

    def __init__(self, gazetteer, cache: ResolutionCache | None = None, online=None) -> None:
        """`online`: a geopy geocode callable asked for names the gazetteer lacks (off: None)."""
        self.gazetteer = gazetteer
        self.geocoder = GazetteerGeocoder(gazetteer)
        self.extractor = Extractor(gazetteer, unknown_names=online is not None)
        self.resolver = Resolver(self.geocoder, cache, online)

    def parse(self, text: str) -> list[Mention]:
        """Every toponym and demonym of `text`, as spans into it, in order, each with its role."""
        spans, _, _ = self.extractor.extract(text)
        return assign_roles(text, self.resolver.resolve(text, spans))

    def parse_batch(self, texts: list[str]) -> list[list[Mention] | str]:
        """Each text's mentions; for a text the parser chokes on, what went wrong instead, so
        that one article never costs the rest of the batch."""
        out: list[list[Mention] | str] = []
        for text in texts:
            try:
                out.append(self.parse(text))
            except Exception as exc:  # noqa: BLE001: any failure is that one article's problem
                out.append(f"the geoparser failed ({exc!r}); article skipped")
        return out

    def online_outage(self) -> tuple[int, str] | None:
        """How many names the online geocoder could not be asked since the last call, and one
        line saying why; None when it answered every time (or is off)."""
        take = getattr(self.resolver.online, "take_outage", None)  # any geopy callable may serve
        return take() if take else None

    def flush(self) -> None:
        """Write the resolutions made so far to the persistent cache (batched for speed)."""
        self.resolver.cache.flush()


@lru_cache(maxsize=1)
def get_parser() -> Geoparser:
    """The process's parser over the data directory's index and cache (built when missing)."""
    gazetteer = load_gazetteer()
    parser = Geoparser(gazetteer, ResolutionCache(paths.cache_path(), gazetteer.fingerprint),
                       online_fallback())
    atexit.register(parser.flush)
    return parser
