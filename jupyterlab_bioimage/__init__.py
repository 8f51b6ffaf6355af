"""jupyterlab-bioimage: bioimage.io models in JupyterLab.

The frontend (a prebuilt JupyterLab extension) and a Jupyter server extension
that serves the bundled model zoo and a health endpoint under ``/bioimage/``.

The package is split by where the code runs:

* ``server/`` -- the Jupyter server extension (tornado handlers, the download cache);
* ``kernel/`` -- what the generated notebook cells run (models, images, prediction, ...);
* ``layout.py`` -- the one thing both share: the cache's on-disk layout and the sha256 helper;
* ``analysis.py`` -- the ``bia.*`` facade of ``kernel/`` the generated cells import;
* ``batch.py``, ``finetune.py``, ``show.py``, ``cache.py``, ``cache_handlers.py``,
  ``config.py``, ``handlers.py`` -- the former module paths, re-exporting the new modules so
  notebooks, tests and configurations written before the split keep working;
* ``zoo/`` -- the bundled models (data, not code).

``server/`` never imports ``kernel/`` and ``kernel/`` never imports ``server/``;
``python scripts/check_python_imports.py`` checks that and that there are no import circles.
This file may import both sides (it is the extension entry point and exposes ``show``),
lazily for the server so a kernel importing ``show`` does not load tornado handlers.
"""

try:
    from ._version import __version__
except ImportError:  # running from a source tree that was never built
    import warnings

    warnings.warn("Importing 'jupyterlab_bioimage' outside a proper installation.")
    __version__ = "dev"

# Through the compatibility module, not .kernel.show: importing the submodule
# ``jupyterlab_bioimage.show`` here, before rebinding the name, keeps
# ``jupyterlab_bioimage.show`` the function even after ``import jupyterlab_bioimage.show``.
from .show import show  # noqa: F401, E402


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-bioimage"}]


def _jupyter_server_extension_points():
    return [{"module": "jupyterlab_bioimage"}]


def _load_jupyter_server_extension(server_app):
    """Register the ``/bioimage/`` handlers with the running Jupyter server."""
    from .server.handlers import setup_handlers

    setup_handlers(server_app)
    server_app.log.info("jupyterlab_bioimage %s server extension loaded", __version__)
