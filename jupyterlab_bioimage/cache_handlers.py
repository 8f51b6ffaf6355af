"""``jupyterlab_bioimage.cache_handlers``: kept at this path for code and tests that import it.

The handlers are :mod:`jupyterlab_bioimage.server.cache_handlers`.
"""

from .server.cache_handlers import (  # noqa: F401 -- re-exported
    CHUNK_SIZE,
    SETTINGS_KEY,
    CacheHandler,
    DownloadsHandler,
    FetchHandler,
    FileHandler,
    ModelHandler,
    ProxyHandler,
    setup_cache_handlers,
)
