"""The model cache the handlers use: the store plus shared, cancellable downloads.

Why it looks like this: concurrent requests for the same file share one download (one
upstream request); each request holds a *ticket* (its download id) so one tab can cancel
without killing a download another tab or the kernel still waits for. When a refresh fails
because the upstream is unreachable, the cached copy is served and flagged ``offline``.
"""

from __future__ import annotations

import asyncio
import logging
import os
import uuid
from collections.abc import Iterable
from typing import Any, Optional

from tornado.netutil import Resolver

from .download import Download, Transfers
from .errors import CacheError, DownloadCancelled, DownloadConflict, NotFound, UpstreamError
from .netguard import AddressPolicy
from .store import CacheStore, FetchResult, FileRecord
from .validate import (
    normalize_sha256,
    validate_download_id,
    validate_file_name,
    validate_model_id,
    validate_url,
    validate_version,
)


class ModelCache(CacheStore):
    """Download, verify, store, serve and evict remote files. See the module docstring."""

    def __init__(
        self,
        root: os.PathLike | str,
        *,
        max_bytes: int = 2 * 1024**3,
        max_concurrent_downloads: int = 4,
        idle_timeout: float = 60.0,
        allowed_hosts: Iterable[str] = (),
        allowed_private_addresses: Iterable[str] = (),
        resolver: Optional[Resolver] = None,
        logger: Optional[logging.Logger] = None,
    ) -> None:
        """``allowed_hosts`` and ``allowed_private_addresses``: see :mod:`.netguard` and
        :class:`~jupyterlab_bioimage.server.config.BioImageCache`; ``resolver`` resolves
        host names (the system's when None; tests pass their own)."""
        self.policy = AddressPolicy(allowed_hosts, allowed_private_addresses)
        self._transfers = Transfers(
            self, max_concurrent=max_concurrent_downloads, idle_timeout=idle_timeout,
            policy=self.policy, resolver=resolver,
        )
        self._inflight: dict[tuple[str, Optional[str]], Download] = {}
        self._tickets: dict[str, Download] = {}
        super().__init__(root, max_bytes=max_bytes, logger=logger)

    @property
    def allowed_hosts(self) -> list[str]:
        """Host patterns the server may download from (empty: any)."""
        return self.policy.allowed_hosts

    def use_resolver(self, resolver: Optional[Resolver]) -> None:
        """Resolve host names with ``resolver`` from now on (tests); the policy still applies."""
        self._transfers.use_resolver(resolver)

    @property
    def idle_timeout(self) -> float:
        """Seconds without data after which a download is abandoned."""
        return self._transfers.idle_timeout

    @idle_timeout.setter
    def idle_timeout(self, value: float) -> None:
        self._transfers.idle_timeout = float(value)

    # ---------------------------------------------------------------- fetch

    async def fetch(
        self,
        url: str,
        *,
        sha256: Optional[str] = None,
        model_id: Optional[str] = None,
        version: Optional[str] = None,
        file_name: Optional[str] = None,
        download_id: Optional[str] = None,
        refresh: bool = False,
    ) -> FetchResult:
        """Return the file behind ``url`` from the cache, downloading it when needed.

        ``refresh`` re-downloads even when cached (for mutable URLs such as the collection
        index); if the upstream is then unreachable the cached copy is returned with
        ``offline=True``. Raises a :class:`CacheError` subclass on failure.
        """
        url = validate_url(url, self.allowed_hosts)
        sha256 = normalize_sha256(sha256)
        meta = {
            "model_id": validate_model_id(model_id),
            "version": validate_version(version),
            "file_name": validate_file_name(file_name),
        }
        ticket = validate_download_id(download_id) or f"auto-{uuid.uuid4().hex}"

        if not refresh:
            record = self.lookup(url, sha256)
            if record is not None:
                return self.remember(url, record, cached=True, **meta)

        waiter = self._join_download(url, sha256, ticket, meta)
        try:
            record = await waiter
        except UpstreamError as err:
            fallback = self.lookup(url, sha256) if err.network else None
            if fallback is None:
                raise
            self.log.warning("serving cached %s: upstream unavailable (%s)", url, err.message)
            return self.remember(
                url, fallback, cached=True, offline=True,
                warning=f"Could not refresh ({err.message}); served the cached copy.", **meta,
            )
        except asyncio.CancelledError:
            self.cancel(ticket, missing_ok=True)
            raise
        return self.remember(url, record, cached=False, **meta)

    def _join_download(self, url: str, sha256: Optional[str], ticket: str,
                       meta: dict[str, Optional[str]]) -> asyncio.Future:
        """Attach ``ticket`` to the in-flight download of ``url`` (starting one if needed)."""
        existing = self._tickets.get(ticket)
        if existing is not None and (existing.url, existing.sha256) != (url, sha256):
            raise DownloadConflict(
                f"Download id {ticket!r} is already used for {existing.url}; choose a new id."
            )
        download = self._inflight.get((url, sha256))
        if download is None:
            download = Download(url=url, sha256=sha256, file_name=meta["file_name"],
                                model_id=meta["model_id"])
            self._inflight[(url, sha256)] = download
            download.task = asyncio.ensure_future(self._run(download))
        future = download.waiters.get(ticket)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            download.waiters[ticket] = future
            self._tickets[ticket] = download
        return future

    async def _run(self, download: Download) -> None:
        """Transfer, then hand the outcome to every ticket still waiting."""
        try:
            record = await self._transfers.transfer(download)
        except asyncio.CancelledError:
            download.state = "cancelled"
            self._settle(download, exc=DownloadCancelled(
                f"Download of {download.url} was cancelled; nothing was cached.",
                url=download.url))
        except CacheError as err:
            download.state = "failed"
            self._settle(download, exc=err)
        except Exception as err:  # noqa: BLE001 - report anything to the waiters
            download.state = "failed"
            self.log.exception("bioimage cache: download of %s failed", download.url)
            self._settle(download, exc=CacheError(f"Download of {download.url} failed: {err}"))
        else:
            download.state = "done"
            self._settle(download, result=record)

    def _settle(self, download: Download, *, result: Optional[FileRecord] = None,
                exc: Optional[BaseException] = None) -> None:
        self._inflight.pop((download.url, download.sha256), None)
        for ticket, future in download.waiters.items():
            if self._tickets.get(ticket) is download:
                del self._tickets[ticket]
            if not future.done():
                if exc is not None:
                    future.set_exception(exc)
                else:
                    future.set_result(result)
        download.waiters.clear()

    # ---------------------------------------------------------------- downloads

    def downloads(self) -> list[dict[str, Any]]:
        """In-flight downloads with progress (bytes done / total, total may be unknown)."""
        return [d.describe() for d in self._inflight.values()]

    def download(self, download_id: str) -> dict[str, Any]:
        """Progress of the download holding ``download_id``."""
        found = self._tickets.get(validate_download_id(download_id) or "")
        if found is None:
            raise NotFound(
                f"No download in progress with id {download_id!r} (finished or unknown)."
            )
        return found.describe()

    def cancel(self, download_id: str, *, missing_ok: bool = False) -> dict[str, Any]:
        """Withdraw ``download_id``; the transfer stops when no other request waits for it."""
        download = self._tickets.pop(validate_download_id(download_id) or "", None)
        if download is None:
            if missing_ok:
                return {"cancelled": False, "transfer_stopped": False}
            raise NotFound(
                f"No download in progress with id {download_id!r} (finished or unknown)."
            )
        future = download.waiters.pop(download_id, None)
        if future is not None and not future.done():
            future.set_exception(DownloadCancelled(
                f"Download of {download.url} was cancelled; nothing was cached.", url=download.url))
        stopped = not download.waiters
        if stopped:
            download.aborted = True
            download.state = "cancelling"
            if download.task is not None:
                download.task.cancel()
        return {"cancelled": True, "transfer_stopped": stopped, "url": download.url}

    # ---------------------------------------------------------------- shutdown

    async def drain(self) -> None:
        """Wait until every in-flight transfer (including cancelled ones) has unwound."""
        while self._inflight:
            tasks = [d.task for d in self._inflight.values() if d.task is not None]
            await asyncio.gather(*tasks, return_exceptions=True)

    async def close(self) -> None:
        """Cancel in-flight downloads and release the HTTP client (server shutdown)."""
        tasks = [d.task for d in self._inflight.values() if d.task is not None]
        for download in list(self._inflight.values()):
            download.aborted = True
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        self._transfers.close()
