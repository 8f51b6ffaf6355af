"""``jupyterlab_bioimage.handlers``: kept at this path for code and tests that import it.

The handlers are :mod:`jupyterlab_bioimage.server.handlers`.
"""

from .server.handlers import (  # noqa: F401 -- re-exported
    BUNDLED_ZOO,
    BundledZooHandler,
    HealthHandler,
    bundled_models,
    setup_handlers,
)
