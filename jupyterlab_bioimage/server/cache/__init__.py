"""The server's download cache of remote bioimage.io files, shared by the browser and the kernel.

Modules, each importing only the ones before it (and :mod:`jupyterlab_bioimage.layout`):

* :mod:`.errors`      -- exceptions carrying an HTTP status and a message for the user;
* :mod:`.validate`    -- checks of ids, names, hashes, URLs and keys a client sends;
* :mod:`.store`       -- the files on disk and their JSON index, lookups, usage, LRU eviction;
* :mod:`.netguard`    -- where the server may connect (every URL, redirect and address);
* :mod:`.download`    -- streaming one file over HTTP (tornado) into the store, verified;
* :mod:`.model_cache` -- :class:`ModelCache`: the store plus shared, cancellable downloads.

Server side: may import tornado and the rest of ``server/``, never ``kernel/``. The on-disk
layout is not defined here but in :mod:`jupyterlab_bioimage.layout`, which the kernel reads too.
The names below are the cache's API (re-exported so callers need not know the split).
"""

from .download import MAX_REDIRECTS, Download
from .errors import (
    CacheError,
    CrossSiteRequest,
    DownloadCancelled,
    DownloadConflict,
    InvalidRequest,
    NotFound,
    RefusedDestination,
    Sha256Mismatch,
    TooLarge,
    UpstreamError,
)
from .netguard import AddressPolicy, GuardedResolver
from .model_cache import ModelCache
from .store import STALE_TEMP_SECONDS, CacheStore, FetchResult, FileRecord, SourceRecord
from .validate import (
    normalize_sha256,
    validate_download_id,
    validate_file_name,
    validate_key,
    validate_model_id,
    validate_url,
    validate_version,
)

__all__ = [
    "AddressPolicy", "CacheError", "CacheStore", "CrossSiteRequest", "Download",
    "DownloadCancelled", "DownloadConflict", "FetchResult", "FileRecord", "GuardedResolver",
    "InvalidRequest", "MAX_REDIRECTS", "ModelCache", "NotFound", "RefusedDestination",
    "STALE_TEMP_SECONDS", "Sha256Mismatch", "SourceRecord", "TooLarge", "UpstreamError",
    "normalize_sha256", "validate_download_id", "validate_file_name", "validate_key",
    "validate_model_id", "validate_url", "validate_version",
]
