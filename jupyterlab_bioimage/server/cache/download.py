"""The HTTP side of the cache: stream one remote file into the store, verified.

Why it looks like this:

* Every write is atomic: the body is streamed into a temp file in the destination directory,
  fsync'ed, its sha256 checked, and only then ``os.replace``'d into place. A failed, cancelled
  or mismatching download therefore never leaves a (corrupt) entry behind.
* At most ``max_concurrent_downloads`` transfers run at once; further ones queue. There is no
  limit on a transfer's total duration (large weights take long), only on idleness.
* Tornado's ``SimpleAsyncHTTPClient`` is used because it ships with jupyter_server (no new
  dependency). Note: unlike ``requests``/``httpx`` it does not read ``HTTP(S)_PROXY``.
* Redirects are followed here, not by tornado (at most :data:`MAX_REDIRECTS`), so every hop
  is checked against the scheme and ``allowed_hosts`` rules before it is requested, and the
  client's resolver (:class:`.netguard.GuardedResolver`) refuses loopback/private addresses
  for every connection, on the address actually connected to (see :mod:`.netguard`).

Who waits for which transfer (tickets, cancelling) is :mod:`.model_cache`'s business.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

from urllib.parse import urljoin

from tornado.httpclient import HTTPClientError, HTTPRequest, HTTPResponse
from tornado.netutil import Resolver
from tornado.simple_httpclient import SimpleAsyncHTTPClient

from ... import layout
from .errors import InvalidRequest, RefusedDestination, Sha256Mismatch, TooLarge, UpstreamError
from .netguard import AddressPolicy, GuardedResolver
from .store import CacheStore, FileRecord, fsync_dir
from .validate import validate_url

#: Redirects followed per download (each one checked like the first URL).
MAX_REDIRECTS = 5
_REDIRECT_CODES = {301, 302, 303, 307, 308}


@dataclass
class Download:
    """One in-flight transfer, possibly awaited by several tickets (download ids)."""

    url: str
    sha256: Optional[str]
    file_name: Optional[str]
    model_id: Optional[str]
    started: float = field(default_factory=time.time)
    state: str = "queued"
    bytes_done: int = 0
    bytes_total: Optional[int] = None
    last_data: float = field(default_factory=time.monotonic)
    waiters: dict[str, asyncio.Future] = field(default_factory=dict)
    task: Optional[asyncio.Task] = None
    aborted: bool = False

    def describe(self) -> dict[str, Any]:
        return {
            "download_ids": sorted(self.waiters),
            "url": self.url,
            "sha256": self.sha256,
            "model_id": self.model_id,
            "file_name": self.file_name,
            "state": self.state,
            "bytes_done": self.bytes_done,
            "bytes_total": self.bytes_total,
            "started": self.started,
        }


class Transfers:
    """Downloads into ``store``, at most ``max_concurrent`` at a time (see the module docstring)."""

    def __init__(self, store: CacheStore, *, max_concurrent: int, idle_timeout: float,
                 policy: Optional[AddressPolicy] = None,
                 resolver: Optional[Resolver] = None) -> None:
        self.store = store
        self.idle_timeout = float(idle_timeout)
        self.policy = policy if policy is not None else AddressPolicy()
        self._base_resolver = resolver
        self._max_concurrent = int(max_concurrent)
        self._semaphore_obj: Optional[asyncio.Semaphore] = None
        self._client: Optional[SimpleAsyncHTTPClient] = None
        self._resolver: Optional[GuardedResolver] = None

    @property
    def _semaphore(self) -> asyncio.Semaphore:
        """Created lazily so that it belongs to the loop that runs the downloads."""
        if self._semaphore_obj is None:
            self._semaphore_obj = asyncio.Semaphore(self._max_concurrent)
        return self._semaphore_obj

    def use_resolver(self, resolver: Optional[Resolver]) -> None:
        """Resolve host names with ``resolver`` (None: the system's); the policy still applies."""
        self.close()
        self._base_resolver = resolver

    def _http_client(self) -> SimpleAsyncHTTPClient:
        if self._client is None:
            # A private instance: our own body-size limit (the shared one caps at 100 MB),
            # connection pool size and, above all, the resolver that enforces the address
            # policy. SimpleAsyncHTTPClient by name: AsyncHTTPClient may be configured to be
            # curl's, which would ignore the resolver.
            self._resolver = GuardedResolver(policy=self.policy, resolver=self._base_resolver)
            self._client = SimpleAsyncHTTPClient(
                force_instance=True,
                max_clients=max(self._max_concurrent, 1),
                max_body_size=1 << 50,
                resolver=self._resolver,
            )
        return self._client

    async def transfer(self, download: Download) -> FileRecord:
        """Stream ``download.url`` into a temp file, verify, then atomically publish it."""
        async with self._semaphore:
            if download.aborted:
                raise asyncio.CancelledError
            download.state = "downloading"
            download.last_data = time.monotonic()  # time spent queued is not idleness
            key = self.store.key_for(download.url, download.sha256)
            final = self.store.path_for(key)
            fd, tmp_name = tempfile.mkstemp(
                prefix=layout.TEMP_PREFIX, suffix=layout.TEMP_SUFFIX, dir=final.parent
            )
            tmp = Path(tmp_name)
            try:
                with os.fdopen(fd, "wb") as fh:
                    digest = await self._stream_into(download, fh)
                    fh.flush()
                    os.fsync(fh.fileno())
                if download.sha256 and digest != download.sha256:
                    raise Sha256Mismatch(
                        f"The file downloaded from {download.url} has sha256 {digest}, but "
                        f"{download.sha256} was expected. It was refused and nothing was cached. "
                        "The model description may be outdated or the download was altered; "
                        "report it to the model's authors.",
                        url=download.url, expected=download.sha256, actual=digest,
                    )
                os.replace(tmp, final)
                fsync_dir(final.parent)
            finally:
                tmp.unlink(missing_ok=True)
            return self.store.add(key, download.bytes_done, digest)

    async def _stream_into(self, download: Download, fh: Any) -> str:
        """Download into ``fh``, following checked redirects; return the sha256 of the body.

        Enforces the size and idle limits and the address policy on every hop.
        """
        # Hashed while it streams (not layout.sha256_of afterwards): large weights are read once.
        hasher = hashlib.sha256()
        url = download.url
        for _hop in range(MAX_REDIRECTS + 1):
            response = await self._request(download, url, fh, hasher)
            location = response.headers.get("Location") if response.headers else None
            if response.code not in _REDIRECT_CODES or not location:
                break
            url = self._next_hop(download, url, location)
        else:
            raise UpstreamError(
                f"{download.url} redirected more than {MAX_REDIRECTS} times (last to {url}); "
                "nothing was cached. The link is probably broken: report it to the model's "
                "authors, or give the final URL.",
                network=False, url=download.url,
            )
        if response.error is not None:
            raise _upstream_error(url, response.error, response.code)
        if download.bytes_total is not None and download.bytes_done != download.bytes_total:
            raise UpstreamError(
                f"Incomplete download of {url}: got {download.bytes_done} of "
                f"{download.bytes_total} bytes. Nothing was cached; retry.",
                network=True, url=url,
            )
        return hasher.hexdigest()

    def _next_hop(self, download: Download, url: str, location: str) -> str:
        """The redirect target, checked like a first URL (scheme, credentials, hosts)."""
        target = urljoin(url, location.strip())
        try:
            return validate_url(target, self.policy.allowed_hosts)
        except InvalidRequest as err:
            raise RefusedDestination(
                f"Refused the redirect from {url} to {target}: {err.message} The server did "
                "not follow it and nothing was cached. If the file really lives there, give "
                "that URL directly (and allow its host if needed).",
                url=download.url, redirect=target,
            ) from None

    async def _request(self, download: Download, url: str, fh: Any,
                       hasher: Any) -> HTTPResponse:
        """One hop: GET ``url`` without following redirects; a 2xx body goes into ``fh``."""
        status: dict[str, Any] = {"code": None, "encoded": False}

        def ok() -> bool:
            return status["code"] is not None and 200 <= status["code"] < 300

        def on_header(line: str) -> None:
            if line.startswith("HTTP/"):
                parts = line.split(" ", 2)
                status["code"] = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
                status["encoded"] = False
                return
            if not ok():
                return  # a redirect's or an error page's headers say nothing about the file
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-encoding" and value.lower() not in ("", "identity"):
                status["encoded"] = True  # Content-Length is then the compressed size
                download.bytes_total = None
            elif name == "content-length" and value.isdigit() and not status["encoded"]:
                download.bytes_total = int(value)
                if download.bytes_total > self.store.max_bytes:
                    download.aborted = True
                    raise _Abort("larger than the cache")

        def on_chunk(chunk: bytes) -> None:
            if download.aborted:
                raise _Abort("cancelled")  # makes tornado close the connection
            if not ok():
                return  # redirect or error page body: not the file
            download.bytes_done += len(chunk)
            download.last_data = time.monotonic()
            if download.bytes_done > self.store.max_bytes:
                download.aborted = True
                raise _Abort("larger than the cache")
            fh.write(chunk)
            hasher.update(chunk)

        request = HTTPRequest(
            url,
            follow_redirects=False,  # followed by _stream_into, each hop checked
            connect_timeout=min(self.idle_timeout, 30.0),
            # The idle watchdog below is the real limit; this only reaps connections that we
            # abandoned (cancel/idle) while the remote stays silent -- tornado offers no
            # public way to close an in-flight request.
            request_timeout=6 * 3600.0,
            header_callback=on_header,
            streaming_callback=on_chunk,
            user_agent="jupyterlab-bioimage",
        )
        download.last_data = time.monotonic()
        pending = asyncio.ensure_future(self._http_client().fetch(request, raise_error=False))
        try:
            while True:
                done, _ = await asyncio.wait({pending}, timeout=max(self.idle_timeout / 4, 0.05))
                if done:
                    break
                if time.monotonic() - download.last_data > self.idle_timeout:
                    download.aborted = True
                    raise UpstreamError(
                        f"No data from {url} for {self.idle_timeout:.0f} s; the download was "
                        "abandoned and nothing was cached. Check the network and retry.",
                        network=True, url=url,
                    )
        except BaseException:
            download.aborted = True  # the next chunk (if any) closes the connection
            # Not cancelled: tornado still settles it (and would log if it were cancelled).
            pending.add_done_callback(_consume_outcome)
            raise
        try:
            return pending.result()
        except RefusedDestination as err:  # from the resolver: nothing was connected to
            err.details.setdefault("url", download.url)
            if url != download.url:
                err.message = f"{err.message} (reached through a redirect from {download.url})"
            raise
        except Exception as err:  # connection dropped, refused, aborted by a callback ...
            size = max(download.bytes_done, download.bytes_total or 0)
            if size > self.store.max_bytes:
                raise self._too_large(download, size) from None
            raise _upstream_error(url, err, getattr(err, "code", 599)) from None

    def _too_large(self, download: Download, size: int) -> TooLarge:
        return TooLarge(
            f"{download.url} is {size} bytes, more than the cache limit of {self.store.max_bytes} "
            "bytes. Raise c.BioImageCache.max_bytes to download it.",
            url=download.url, size=size, max_bytes=self.store.max_bytes,
        )


    def close(self) -> None:
        """Release the HTTP client and its resolver (server shutdown)."""
        if self._client is not None:
            self._client.close()
            self._client = None
        if self._resolver is not None:
            self._resolver.close()
            self._resolver = None


# --------------------------------------------------------------------------- helpers


class _Abort(Exception):
    """Raised inside tornado's callbacks to make it close the connection.

    Tornado has no public way to abort an in-flight request; raising from the streaming or
    header callback is the documented-by-behaviour way, but tornado logs it as an "uncaught
    exception" -- :class:`_QuietAbortFilter` keeps that deliberate abort out of the log.
    """


class _QuietAbortFilter(logging.Filter):
    """Drop tornado's log records caused by our own :class:`_Abort`."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        seen = 0
        while exc is not None and seen < 10:
            if isinstance(exc, _Abort):
                return False
            exc = exc.__cause__ or exc.__context__
            seen += 1
        return True


def _install_log_filter() -> None:
    app_log = logging.getLogger("tornado.application")
    if not any(isinstance(f, _QuietAbortFilter) for f in app_log.filters):
        app_log.addFilter(_QuietAbortFilter())


def _consume_outcome(future: asyncio.Future) -> None:
    """Mark an abandoned future's exception as retrieved (no 'never retrieved' warning)."""
    if not future.cancelled():
        future.exception()


def _upstream_error(url: str, error: BaseException, code: int) -> UpstreamError:
    if isinstance(error, HTTPClientError) and code not in (599,):
        return UpstreamError(
            f"{url} answered HTTP {code} {getattr(error, 'message', '') or ''}".strip()
            + ". Nothing was cached.",
            network=code >= 500, url=url, upstream_status=code,
        )
    return UpstreamError(
        f"Could not download {url}: {error}. Nothing was cached; check the network or retry.",
        network=True, url=url,
    )


_install_log_filter()
