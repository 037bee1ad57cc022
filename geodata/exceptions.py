"""Every error geodata raises on purpose, in one place (as geopy does)."""


class GeodataError(Exception):
    """Base class of the errors below."""


class ArticleError(GeodataError):
    """An input file or row could not be read as an article; the message names it and why."""


class GazetteerError(GeodataError):
    """The gazetteer index is missing, stale or unreadable and could not be rebuilt."""


class StoreError(GeodataError):
    """The SQLite store could not be opened or written."""


class FetchError(GeodataError):
    """A followed source or article could not be fetched; the message says why.

    `transient`: worth trying again later (a timeout, a 5xx), not a refusal that will not change;
    `retry_after`: seconds the server asked us to wait, if it did.
    """

    transient = True

    def __init__(self, message: str, *, transient: bool | None = None, retry_after: float | None = None):
        super().__init__(message)
        if transient is not None:
            self.transient = transient
        self.retry_after = retry_after


class RefusedURL(FetchError):
    """An address the follower will not fetch: not http(s), or a private or local address."""

    transient = False
class DownloadError(GeodataError):
    """A GeoNames file could not be fetched, or is not what it should be; the message says which."""


class OnlineGeocoderUnavailable(GeodataError):
    """The online geocoder could not answer (no network, refused, timed out, its circuit open):
    not an answer, so nothing is cached."""
class CorrectionError(GeodataError):
    """A correction cannot be made or undone as asked; the message says why."""
