"""The files on disk and their index: paths, lookups, usage, clearing and LRU eviction.

Why it looks like this (the layout itself is :mod:`jupyterlab_bioimage.layout`):

* Files are stored content-addressed (``<root>/by-sha256/<hex>``) when the caller knows the
  sha256 (RDFs give it for weights and test tensors), so the same weights referenced by two
  model versions are stored once. Without a known hash the file is keyed by the sha256 of its
  URL (``<root>/by-url/<hex>``) because the content behind such a URL may change.
* A small JSON index maps URLs (with model id, version, file name) to stored files, with sizes
  and last-access times for LRU eviction under ``max_bytes``. It is only bookkeeping: on start
  it is reconciled with the files on disk (orphans adopted, records of missing files dropped).
* Every write is atomic (temp file in the destination directory, fsync, ``os.replace``), so a
  crash never leaves a half-written index or entry behind.

No network here: :mod:`.download` streams files in and hands them to :meth:`CacheStore.add`.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Optional
from urllib.parse import urlsplit

from ... import layout
from .errors import NotFound
from .validate import validate_key, validate_model_id

log = logging.getLogger("jupyterlab_bioimage.cache")

#: Temp files untouched for this long belong to a crashed server and are removed at start-up.
STALE_TEMP_SECONDS = 600.0


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


class CacheStore:
    """The stored files of one cache directory and their index (see the module docstring)."""

    def __init__(
        self,
        root: os.PathLike | str,
        *,
        max_bytes: int = 2 * 1024**3,
        logger: Optional[logging.Logger] = None,
    ) -> None:
        self.root = Path(root)
        self.max_bytes = int(max_bytes)
        self.log = logger or log
        for sub in layout.KEY_DIRS.values():
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        self._files: dict[str, FileRecord] = {}
        self._sources: dict[str, SourceRecord] = {}
        self._load_index()
        self._remove_stale_temp_files()
        self._adopt_orphans()

    # ---------------------------------------------------------------- paths & index

    def path_for(self, key: str) -> Path:
        """The on-disk location of a (validated) key."""
        return layout.path_for_key(self.root, validate_key(key))

    @staticmethod
    def key_for(url: str, sha256: Optional[str]) -> str:
        """Content key when the hash is known, else a key derived from the URL."""
        return layout.key_for(url, sha256)

    def _load_index(self) -> None:
        path = layout.index_path(self.root)
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
            "format": layout.INDEX_FORMAT,
            "files": {k: asdict(v) for k, v in self._files.items()},
            "sources": {u: asdict(v) for u, v in self._sources.items()},
        }
        atomic_write_text(layout.index_path(self.root), json.dumps(data, indent=1, sort_keys=True))

    def _temp_files(self) -> Iterable[Path]:
        for sub in layout.KEY_DIRS.values():
            yield from (self.root / sub).glob(f"{layout.TEMP_PREFIX}*{layout.TEMP_SUFFIX}")

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
        for kind, sub in layout.KEY_DIRS.items():
            for path in (self.root / sub).iterdir():
                key = f"{kind}-{path.name}"
                if key in self._files or not layout.KEY_RE.match(key) or not path.is_file():
                    continue
                stat = path.stat()
                digest = path.name if kind == "sha256" else layout.sha256_of(path)
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

    def lookup(self, url: str, sha256: Optional[str]) -> Optional[FileRecord]:
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

    # ---------------------------------------------------------------- adding

    def add(self, key: str, size: int, sha256: str) -> FileRecord:
        """Record a file just published at :meth:`path_for` ``(key)``; evict others to fit."""
        now = time.time()
        record = FileRecord(key, size, sha256, now, now)
        self._files[key] = record
        self._evict(protect={key})
        self._save_index()
        return record

    def remember(self, url: str, record: FileRecord, *, cached: bool, offline: bool = False,
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


# --------------------------------------------------------------------------- helpers


def fsync_dir(directory: Path) -> None:
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


def atomic_write_text(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=layout.TEMP_PREFIX, suffix=".json", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


