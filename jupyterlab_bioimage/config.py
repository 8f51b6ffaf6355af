"""``jupyterlab_bioimage.config``: kept at this path for code that imports it.

The settings (``c.BioImageCache``) are :mod:`jupyterlab_bioimage.server.config`.
"""

from .server.config import (  # noqa: F401 -- re-exported
    CROSS_ORIGIN_ISOLATION_HEADERS,
    BioImageCache,
    apply_cross_origin_isolation,
    default_cache_dir,
)
