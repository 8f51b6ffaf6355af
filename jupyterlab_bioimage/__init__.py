"""jupyterlab-bioimage: bioimage.io models in JupyterLab.

The frontend (a prebuilt JupyterLab extension) and a Jupyter server extension
that serves the bundled model zoo and a health endpoint under ``/bioimage/``.
"""

try:
    from ._version import __version__
except ImportError:  # running from a source tree that was never built
    import warnings

    warnings.warn("Importing 'jupyterlab_bioimage' outside a proper installation.")
    __version__ = "dev"

from .show import show  # noqa: F401


def _jupyter_labextension_paths():
    return [{"src": "labextension", "dest": "jupyterlab-bioimage"}]


def _jupyter_server_extension_points():
    return [{"module": "jupyterlab_bioimage"}]


def _load_jupyter_server_extension(server_app):
    """Register the ``/bioimage/`` handlers with the running Jupyter server."""
    from .handlers import setup_handlers

    setup_handlers(server_app)
    server_app.log.info("jupyterlab_bioimage %s server extension loaded", __version__)
