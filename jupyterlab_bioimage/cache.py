"""``jupyterlab_bioimage.cache``: kept at this path for code and tests that import it.

The cache is :mod:`jupyterlab_bioimage.server.cache` (errors, validate, store, download,
model_cache); its on-disk layout is :mod:`jupyterlab_bioimage.layout`.
"""

from .server.cache import (  # noqa: F401 -- re-exported
    STALE_TEMP_SECONDS,
    CacheError,
    CacheStore,
    Download,
    DownloadCancelled,
    DownloadConflict,
    FetchResult,
    FileRecord,
    InvalidRequest,
    ModelCache,
    NotFound,
    Sha256Mismatch,
    SourceRecord,
    TooLarge,
    UpstreamError,
    normalize_sha256,
    validate_download_id,
    validate_file_name,
    validate_key,
    validate_model_id,
    validate_url,
    validate_version,
)
from .layout import INDEX_FORMAT, INDEX_NAME, TEMP_PREFIX, TEMP_SUFFIX  # noqa: F401
