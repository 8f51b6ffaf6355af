"""The errors of the download cache: each carries the HTTP status and a message for the user.

The handlers turn any :class:`CacheError` into a JSON answer ``{message, reason, ...details}``
with :attr:`CacheError.status`, so the browser can tell the user what went wrong and what to do.
"""

from __future__ import annotations

from typing import Any

class CacheError(Exception):
    """An error with an HTTP status and a message meant for the user."""

    status = 500
    reason = "cache error"

    def __init__(self, message: str, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details = details

    def to_json(self) -> dict[str, Any]:
        """The body of the error response: ``{message, reason, ...details}``."""
        return {"message": self.message, "reason": self.reason, **self.details}


class InvalidRequest(CacheError):
    """Bad argument: unsafe model id/file name, malformed hash, non-http URL, ..."""

    status = 400
    reason = "invalid request"


class RefusedDestination(InvalidRequest):
    """The server will not connect there: a redirect to another scheme or a host outside
    ``allowed_hosts``, or a host that resolves to a loopback/private/link-local address.

    Raised before any connection to the refused destination is made; nothing is cached.
    """

    reason = "refused destination"


class CrossSiteRequest(CacheError):
    """A request that would make the server download something came from another site."""

    status = 403
    reason = "cross-site request"


class NotFound(CacheError):
    """Unknown cache key, model or download id."""

    status = 404
    reason = "not found"


class DownloadConflict(CacheError):
    """A download id already used for another URL."""

    status = 409
    reason = "download id in use"


class DownloadCancelled(CacheError):
    """The download was cancelled by the user; nothing was cached."""

    status = 409
    reason = "cancelled"


class Sha256Mismatch(CacheError):
    """Downloaded bytes do not hash to the expected sha256; nothing was cached."""

    status = 422
    reason = "sha256 mismatch"


class UpstreamError(CacheError):
    """The remote server could not be reached or answered with an error."""

    status = 502
    reason = "upstream error"

    def __init__(self, message: str, *, network: bool, **details: Any) -> None:
        super().__init__(message, **details)
        #: True for connection problems/timeouts/5xx, where a cached copy may stand in.
        self.network = network


class TooLarge(CacheError):
    """The file alone exceeds the cache size limit."""

    status = 507
    reason = "file larger than the cache limit"

