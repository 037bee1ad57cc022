"""Every error geodata raises on purpose, in one place (as geopy does)."""


class GeodataError(Exception):
    """Base class of the errors below."""


class ArticleError(GeodataError):
    """An input file or row could not be read as an article; the message names it and why."""


class GazetteerError(GeodataError):
    """The gazetteer index is missing, stale or unreadable and could not be rebuilt."""


class StoreError(GeodataError):
    """The SQLite store could not be opened or written."""


class DownloadError(GeodataError):
    """A GeoNames file could not be fetched, or is not what it should be; the message says which."""


class OnlineGeocoderUnavailable(GeodataError):
    """The online geocoder could not answer (no network, refused, timed out, its circuit open):
    not an answer, so nothing is cached."""
class CorrectionError(GeodataError):
    """A correction cannot be made or undone as asked; the message says why."""
