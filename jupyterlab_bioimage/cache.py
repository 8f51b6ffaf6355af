"""On-disk cache of remote bioimage.io files, shared by the browser and the kernel.

Why it looks like this:

* Files are stored content-addressed (``<root>/by-sha256/<hex>``) when the caller knows the
  sha256 (RDFs give it for weights and test tensors), so the same weights referenced by two
  model versions are stored once. Without a known hash the file is keyed by the sha256 of its
  URL (``<root>/by-url/<hex>``) because the content behind such a URL may change.
* Every write is atomic: the body is streamed into a temp file in the destination directory,
  fsync'ed, its sha256 checked, and only then ``os.replace``'d into place. A failed, cancelled
  or mismatching download therefore never leaves a (corrupt) entry behind.
* Concurrent requests for the same file share one download (one upstream request); each
  request holds a *ticket* (its download id) so one tab can cancel without killing a download
  another tab or the kernel still waits for.
* A small JSON index maps URLs (with model id, version, file name) to stored files, with sizes
  and last-access times for LRU eviction under ``max_bytes``.

Tornado's ``AsyncHTTPClient`` is used because it ships with jupyter_server (no new
dependency). Note: unlike ``requests``/``httpx`` it does not read ``HTTP(S)_PROXY``.
"""

from __future__ import annotations

import asyncio
import fnmatch
import hashlib
import json
import logging
import os
import re
import tempfile
import time
import uuid
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlsplit

from tornado.httpclient import AsyncHTTPClient, HTTPClientError, HTTPRequest

log = logging.getLogger(__name__)

INDEX_NAME = "index.json"
INDEX_FORMAT = 1
TEMP_PREFIX = ".tmp-"
TEMP_SUFFIX = ".part"
#: Temp files untouched for this long belong to a crashed server and are removed at start-up.
STALE_TEMP_SECONDS = 600.0

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_KEY_RE = re.compile(r"^(sha256|url)-([0-9a-f]{64})$")
_MODEL_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:+@-]{0,127}$")
_VERSION_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$")
_DOWNLOAD_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_KEY_DIRS = {"sha256": "by-sha256", "url": "by-url"}


# --------------------------------------------------------------------------- errors


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


# --------------------------------------------------------------------------- validation


def validate_model_id(value: Optional[str]) -> Optional[str]:
    """Refuse model ids that could be abused as paths (``..``, separators, NUL, absolute)."""
    if value is None:
        return None
    if not isinstance(value, str) or not _MODEL_ID_RE.match(value) or ".." in value:
        raise InvalidRequest(
            f"Invalid model id {value!r}: use a bioimage.io id such as 'affable-shark' "
            "(letters, digits and . _ - : + @; no '..', no '/' or '\\', at most 128 characters).",
            field="model_id",
        )
    return value


def validate_file_name(value: Optional[str]) -> Optional[str]:
    """Refuse file names that are not a single plain path component."""
    if value is None:
        return None
    bad = (
        not isinstance(value, str)
        or value in ("", ".", "..")
        or len(value) > 255
        or any(sep in value for sep in ("/", "\\", ":"))
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in value)
        or value.startswith(("~", " "))
        or ".." in value
    )
    if bad:
        raise InvalidRequest(
            f"Invalid file name {value!r}: give the bare file name (e.g. 'weights.onnx'), "
            "without directories, '..', drive letters or control characters.",
            field="file_name",
        )
    return value


def validate_version(value: Optional[str]) -> Optional[str]:
    """Versions are short tokens such as ``v0`` or ``1.2``."""
    if value is None:
        return None
    if not isinstance(value, str) or not _VERSION_RE.match(value) or ".." in value:
        raise InvalidRequest(
            f"Invalid version {value!r}: expected a short token such as 'v0' or '1.2'.",
            field="version",
        )
    return value


def validate_download_id(value: Optional[str]) -> Optional[str]:
    """Client-chosen download ids must be short, URL-safe tokens."""
    if value is None:
        return None
    if not isinstance(value, str) or not _DOWNLOAD_ID_RE.match(value):
        raise InvalidRequest(
            f"Invalid download id {value!r}: use up to 128 letters, digits, '.', '_' or '-'.",
            field="download_id",
        )
    return value


def normalize_sha256(value: Optional[str]) -> Optional[str]:
    """Lower-case 64-digit hex, or None when not given."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and _SHA256_RE.match(value.lower()):
        return value.lower()
    raise InvalidRequest(
        f"Invalid sha256 {value!r}: expected 64 hexadecimal digits.", field="sha256"
    )


def validate_url(url: Any, allowed_hosts: Iterable[str] = ()) -> str:
    """Only plain http(s) URLs with a host; ``file:``, ``ftp:``, credentials etc. are refused."""
    if not isinstance(url, str) or not url:
        raise InvalidRequest("Missing 'url': give the http(s) URL of the file.", field="url")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidRequest(
            f"Refused URL {url!r}: only http:// and https:// URLs can be fetched.", field="url"
        )
    if parts.username or parts.password:
        raise InvalidRequest(
            "Refused URL with embedded credentials: they would be stored in the cache index.",
            field="url",
        )
    if any(ord(ch) < 33 for ch in url):
        raise InvalidRequest("Refused URL containing spaces or control characters.", field="url")
    patterns = list(allowed_hosts)
    host = parts.hostname.lower()
    if patterns and not any(fnmatch.fnmatch(host, p.lower()) for p in patterns):
        raise InvalidRequest(
            f"Refused URL {url!r}: host {host!r} is not in c.BioImageCache.allowed_hosts.",
            field="url",
        )
    return url


def validate_key(key: str) -> str:
    """Public cache keys are ``sha256-<hex>`` or ``url-<hex>``; nothing else maps to a path."""
    if not isinstance(key, str) or not _KEY_RE.match(key):
        raise InvalidRequest(
            f"Invalid cache key {key!r}: expected 'sha256-<64 hex>' or 'url-<64 hex>'.",
            field="key",
        )
    return key


# --------------------------------------------------------------------------- records


@dataclass
class FileRecord:
    """One stored file."""

    key: str
    size: int
    sha256: str
    created: float
    last_access: float


@dataclass
class SourceRecord:
    """Where a stored file came from, and which model it belongs to."""

    url: str
    key: str
    model_id: Optional[str] = None
    version: Optional[str] = None
    file_name: Optional[str] = None


@dataclass
class FetchResult:
    """What :meth:`ModelCache.fetch` returns."""

    key: str
    path: Path
    size: int
    sha256: str
    url: str
    cached: bool
    model_id: Optional[str] = None
    version: Optional[str] = None
    file_name: Optional[str] = None
    #: Upstream unreachable: a cached copy was served instead of refreshing it.
    offline: bool = False
    warning: Optional[str] = None


@dataclass
class _Download:
    """One in-flight transfer, possibly awaited by several tickets."""

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


# --------------------------------------------------------------------------- the cache


class ModelCache:
    """Download, verify, store, serve and evict remote files. See the module docstring."""

    def __init__(
        self,
        root: os.PathLike | str,
        *,
        max_bytes: int = 2 * 1024**3,
        max_concurrent_downloads: int = 4,
        idle_timeout: float = 60.0,
        allowed_hosts: Iterable[str] = (),
        logger: Optional[logging.Logger] = None,
    ) -> None:
        self.root = Path(root)
        self.max_bytes = int(max_bytes)
        self.idle_timeout = float(idle_timeout)
        self.allowed_hosts = list(allowed_hosts)
        self.log = logger or log
        self._max_concurrent = int(max_concurrent_downloads)
        self._semaphore_obj: Optional[asyncio.Semaphore] = None
        self._client: Optional[AsyncHTTPClient] = None
        self._inflight: dict[tuple[str, Optional[str]], _Download] = {}
        self._tickets: dict[str, _Download] = {}
        for sub in _KEY_DIRS.values():
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self._files: dict[str, FileRecord] = {}
        self._sources: dict[str, SourceRecord] = {}
        self._load_index()
        self._remove_stale_temp_files()
        self._adopt_orphans()

    # ---------------------------------------------------------------- paths & index

    def path_for(self, key: str) -> Path:
        """The on-disk location of a (validated) key."""
        kind, hexdigest = _KEY_RE.match(validate_key(key)).groups()  # type: ignore[union-attr]
        return self.root / _KEY_DIRS[kind] / hexdigest

    @staticmethod
    def key_for(url: str, sha256: Optional[str]) -> str:
        """Content key when the hash is known, else a key derived from the URL."""
        if sha256:
            return f"sha256-{sha256}"
        return "url-" + hashlib.sha256(url.encode("utf-8")).hexdigest()

    def _load_index(self) -> None:
        path = self.root / INDEX_NAME
        if not path.exists():
            return
        try:
            data = json.loads(path.read_text("utf-8"))
            self._files = {k: FileRecord(**v) for k, v in data.get("files", {}).items()}
            self._sources = {u: SourceRecord(**v) for u, v in data.get("sources", {}).items()}
        except (OSError, ValueError, TypeError) as err:
            # The index is only bookkeeping: rebuild it from the files on disk.
            self.log.warning("bioimage cache index %s unreadable (%s); rebuilding", path, err)
            self._files, self._sources = {}, {}

    def _save_index(self) -> None:
        data = {
            "format": INDEX_FORMAT,
            "files": {k: asdict(v) for k, v in self._files.items()},
            "sources": {u: asdict(v) for u, v in self._sources.items()},
        }
        _atomic_write_text(self.root / INDEX_NAME, json.dumps(data, indent=1, sort_keys=True))

    def _temp_files(self) -> Iterable[Path]:
        for sub in _KEY_DIRS.values():
            yield from (self.root / sub).glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}")

    def _remove_stale_temp_files(self) -> None:
        """Partial downloads of a crashed server; fresh ones may belong to another server."""
        now = time.time()
        for tmp in self._temp_files():
            try:
                if now - tmp.stat().st_mtime > STALE_TEMP_SECONDS:
                    tmp.unlink()
            except OSError:
                pass

    def _adopt_orphans(self) -> None:
        """Account for stored files missing from the index, drop records of missing files."""
        changed = False
        for key in list(self._files):
            if not self.path_for(key).is_file():
                del self._files[key]
                changed = True
        for kind, sub in _KEY_DIRS.items():
            for path in (self.root / sub).iterdir():
                key = f"{kind}-{path.name}"
                if key in self._files or not _KEY_RE.match(key) or not path.is_file():
                    continue
                stat = path.stat()
                digest = path.name if kind == "sha256" else _hash_file(path)
                self._files[key] = FileRecord(
                    key, stat.st_size, digest, stat.st_mtime, stat.st_mtime
                )
                changed = True
        for url in [u for u, s in self._sources.items() if s.key not in self._files]:
            del self._sources[url]
            changed = True
        if changed:
            self._save_index()

    # ---------------------------------------------------------------- lookups

    def _lookup(self, url: str, sha256: Optional[str]) -> Optional[FileRecord]:
        """A stored file for ``url`` matching ``sha256`` (when given), if any."""
        candidates = []
        if sha256:
            candidates.append(self._files.get(self.key_for(url, sha256)))
        source = self._sources.get(url)
        if source is not None:
            candidates.append(self._files.get(source.key))
        for record in candidates:
            if record is None or (sha256 and record.sha256 != sha256):
                continue
            path = self.path_for(record.key)
            try:
                if path.stat().st_size == record.size:
                    return record
            except OSError:
                pass
            self._forget(record.key)  # vanished or truncated behind our back
        return None

    def entry(self, key: str) -> FileRecord:
        """The record of a stored file, refreshed as most recently used."""
        record = self._files.get(validate_key(key))
        if record is None or not self.path_for(key).is_file():
            raise NotFound(
                f"No cached file with key {key!r}: fetch it first (POST /bioimage/cache/fetch)."
            )
        record.last_access = time.time()
        self._save_index()
        return record

    def name_of(self, key: str) -> Optional[str]:
        """A file name (from the index or URL) for content-type guessing."""
        for source in self._sources.values():
            if source.key == key:
                return source.file_name or urlsplit(source.url).path.rsplit("/", 1)[-1] or None
        return None

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
            record = self._lookup(url, sha256)
            if record is not None:
                return self._result(url, record, cached=True, **meta)

        waiter = self._join_download(url, sha256, ticket, meta)
        try:
            record = await waiter
        except UpstreamError as err:
            fallback = self._lookup(url, sha256) if err.network else None
            if fallback is None:
                raise
            self.log.warning("serving cached %s: upstream unavailable (%s)", url, err.message)
            return self._result(
                url, fallback, cached=True, offline=True,
                warning=f"Could not refresh ({err.message}); served the cached copy.", **meta,
            )
        except asyncio.CancelledError:
            self.cancel(ticket, missing_ok=True)
            raise
        return self._result(url, record, cached=False, **meta)

    def _result(self, url: str, record: FileRecord, *, cached: bool, offline: bool = False,
                warning: Optional[str] = None, **meta: Optional[str]) -> FetchResult:
        """Remember which model the file belongs to and describe it to the caller."""
        previous = self._sources.get(url)
        source = SourceRecord(url=url, key=record.key, **meta)
        if previous is not None:  # keep earlier metadata the caller did not repeat
            for name in ("model_id", "version", "file_name"):
                if getattr(source, name) is None:
                    setattr(source, name, getattr(previous, name))
        self._sources[url] = source
        record.last_access = time.time()
        self._save_index()
        return FetchResult(
            key=record.key, path=self.path_for(record.key), size=record.size,
            sha256=record.sha256, url=url, cached=cached, offline=offline, warning=warning,
            model_id=source.model_id, version=source.version, file_name=source.file_name,
        )

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
            download = _Download(url=url, sha256=sha256, file_name=meta["file_name"],
                                 model_id=meta["model_id"])
            self._inflight[(url, sha256)] = download
            download.task = asyncio.ensure_future(self._run(download))
        future = download.waiters.get(ticket)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            download.waiters[ticket] = future
            self._tickets[ticket] = download
        return future

    async def _run(self, download: _Download) -> None:
        """Transfer, then hand the outcome to every ticket still waiting."""
        try:
            record = await self._transfer(download)
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

    def _settle(self, download: _Download, *, result: Optional[FileRecord] = None,
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

    @property
    def _semaphore(self) -> asyncio.Semaphore:
        """Created lazily so that it belongs to the loop that runs the downloads."""
        if self._semaphore_obj is None:
            self._semaphore_obj = asyncio.Semaphore(self._max_concurrent)
        return self._semaphore_obj

    def _http_client(self) -> AsyncHTTPClient:
        if self._client is None:
            # A private instance: our own body-size limit (the shared one caps at 100 MB)
            # and connection pool size.
            self._client = AsyncHTTPClient(
                force_instance=True,
                max_clients=max(self._max_concurrent, 1),
                max_body_size=1 << 50,
            )
        return self._client

    async def _transfer(self, download: _Download) -> FileRecord:
        """Stream ``download.url`` into a temp file, verify, then atomically publish it."""
        async with self._semaphore:
            if download.aborted:
                raise asyncio.CancelledError
            download.state = "downloading"
            download.last_data = time.monotonic()  # time spent queued is not idleness
            key = self.key_for(download.url, download.sha256)
            final = self.path_for(key)
            fd, tmp_name = tempfile.mkstemp(
                prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX, dir=final.parent
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
                _fsync_dir(final.parent)
            finally:
                tmp.unlink(missing_ok=True)
            now = time.time()
            record = FileRecord(key, download.bytes_done, digest, now, now)
            self._files[key] = record
            self._evict(protect={key})
            self._save_index()
            return record

    async def _stream_into(self, download: _Download, fh: Any) -> str:
        """Download into ``fh``; return the sha256 of the body. Enforces size and idle limits."""
        hasher = hashlib.sha256()
        status: dict[str, Any] = {"code": None, "encoded": False}
        url = download.url

        def on_header(line: str) -> None:
            if line.startswith("HTTP/"):
                parts = line.split(" ", 2)
                status["code"] = int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else None
                return
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            if name == "content-encoding" and value.lower() not in ("", "identity"):
                status["encoded"] = True  # Content-Length is then the compressed size
                download.bytes_total = None
            elif name == "content-length" and value.isdigit() and not status["encoded"]:
                download.bytes_total = int(value)
                if download.bytes_total > self.max_bytes and status["code"] == 200:
                    download.aborted = True
                    raise _Abort("larger than the cache")

        def on_chunk(chunk: bytes) -> None:
            if download.aborted:
                raise _Abort("cancelled")  # makes tornado close the connection
            if status["code"] is None or not 200 <= status["code"] < 300:
                return  # error page body: not the file
            download.bytes_done += len(chunk)
            download.last_data = time.monotonic()
            if download.bytes_done > self.max_bytes:
                download.aborted = True
                raise _Abort("larger than the cache")
            fh.write(chunk)
            hasher.update(chunk)

        request = HTTPRequest(
            url,
            follow_redirects=True,
            max_redirects=10,
            connect_timeout=min(self.idle_timeout, 30.0),
            # The idle watchdog below is the real limit; this only reaps connections that we
            # abandoned (cancel/idle) while the remote stays silent -- tornado offers no
            # public way to close an in-flight request.
            request_timeout=6 * 3600.0,
            header_callback=on_header,
            streaming_callback=on_chunk,
            user_agent="jupyterlab-bioimage",
        )
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
            response = pending.result()
        except Exception as err:  # connection dropped, refused, aborted by a callback ...
            size = max(download.bytes_done, download.bytes_total or 0)
            if size > self.max_bytes:
                raise self._too_large(download, size) from None
            raise _upstream_error(url, err, getattr(err, "code", 599)) from None
        if response.error is not None:
            raise _upstream_error(url, response.error, response.code)
        if download.bytes_total is not None and download.bytes_done != download.bytes_total:
            raise UpstreamError(
                f"Incomplete download of {url}: got {download.bytes_done} of "
                f"{download.bytes_total} bytes. Nothing was cached; retry.",
                network=True, url=url,
            )
        return hasher.hexdigest()

    def _too_large(self, download: _Download, size: int) -> TooLarge:
        return TooLarge(
            f"{download.url} is {size} bytes, more than the cache limit of {self.max_bytes} "
            "bytes. Raise c.BioImageCache.max_bytes to download it.",
            url=download.url, size=size, max_bytes=self.max_bytes,
        )

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

    # ---------------------------------------------------------------- usage, clear, evict

    def usage(self) -> dict[str, Any]:
        """Total bytes, per-model bytes, and the entries (for the cache panel)."""
        by_key: dict[str, list[SourceRecord]] = {}
        for source in self._sources.values():
            by_key.setdefault(source.key, []).append(source)
        models: dict[str, dict[str, int]] = {}
        for key, sources in by_key.items():
            size = self._files[key].size if key in self._files else 0
            for model in {s.model_id for s in sources if s.model_id}:
                entry = models.setdefault(model, {"bytes": 0, "files": 0})
                entry["bytes"] += size
                entry["files"] += 1
        entries = [
            {**asdict(rec), "sources": [asdict(s) for s in by_key.get(key, [])]}
            for key, rec in sorted(self._files.items(), key=lambda kv: -kv[1].last_access)
        ]
        return {
            "root": str(self.root),
            "max_bytes": self.max_bytes,
            "total_bytes": sum(r.size for r in self._files.values()),
            "file_count": len(self._files),
            "models": models,
            "entries": entries,
        }

    def clear(self, model_id: Optional[str] = None) -> dict[str, Any]:
        """Remove everything, or the files of one model (files shared with another model stay).

        In-flight downloads are not touched: they will add their file when they finish.
        """
        if model_id is None:
            keys = set(self._files)
            self._sources.clear()
        else:
            validate_model_id(model_id)
            urls = [u for u, s in self._sources.items() if s.model_id == model_id]
            if not urls:
                raise NotFound(f"Nothing cached for model {model_id!r}.")
            keys = {self._sources.pop(u).key for u in urls}
            keys -= {s.key for s in self._sources.values()}  # still used by another model
        freed = 0
        for key in keys:
            freed += self._forget(key, save=False)
        self._save_index()
        return {"removed_files": len(keys), "freed_bytes": freed}

    def _forget(self, key: str, *, save: bool = True) -> int:
        """Delete a stored file and its records; return the bytes freed."""
        record = self._files.pop(key, None)
        for url in [u for u, s in self._sources.items() if s.key == key]:
            del self._sources[url]
        try:
            self.path_for(key).unlink(missing_ok=True)
        except OSError as err:  # e.g. Windows: file open by a reader
            self.log.warning("bioimage cache: could not delete %s: %s", key, err)
        if save:
            self._save_index()
        return record.size if record else 0

    def _evict(self, protect: Iterable[str] = ()) -> list[str]:
        """Drop least recently used files until the total fits ``max_bytes``."""
        protected = set(protect)
        total = sum(r.size for r in self._files.values())
        evicted = []
        for record in sorted(self._files.values(), key=lambda r: r.last_access):
            if total <= self.max_bytes:
                break
            if record.key in protected:
                continue
            total -= self._forget(record.key, save=False)
            evicted.append(record.key)
            self.log.info("bioimage cache: evicted %s (%d bytes)", record.key, record.size)
        return evicted

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
        if self._client is not None:
            self._client.close()
            self._client = None


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


def _hash_file(path: Path) -> str:
    hasher = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            hasher.update(block)
    return hasher.hexdigest()


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable (POSIX); not possible/needed on Windows."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _atomic_write_text(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=TEMP_PREFIX, suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


_install_log_filter()
