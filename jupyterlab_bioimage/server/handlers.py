"""HTTP handlers of the server extension, all under ``<base_url>/bioimage/``."""

import json
import platform

import tornado
from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.utils import url_path_join

from .._version import __version__
from ..layout import BUNDLED_ZOO  # where the kernel finds bundled models too


def bundled_models():
    """The ids of the bundled model packages (folders holding an rdf.yaml)."""
    if not BUNDLED_ZOO.is_dir():
        return []
    return sorted(p.parent.name for p in BUNDLED_ZOO.glob("*/rdf.yaml"))


class HealthHandler(APIHandler):
    """Version and health of the server side; the frontend calls it at start-up."""

    @tornado.web.authenticated
    def get(self):
        self.finish(
            json.dumps(
                {
                    "status": "ok",
                    "version": __version__,
                    "python": platform.python_version(),
                    "bundled_models": bundled_models(),
                }
            )
        )


class BundledZooHandler(JupyterHandler, tornado.web.StaticFileHandler):
    """Serves the files of the bundled zoo read-only (descriptions, weights, covers).

    Tornado's StaticFileHandler refuses paths that leave ``BUNDLED_ZOO``; control characters
    (a NUL makes ``os.stat`` raise, which would be a 500) are refused here with a 400.
    """

    @tornado.web.authenticated
    def get(self, path, include_body=True):
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in path):
            self.set_status(400)
            self.set_header("Content-Type", "application/json")
            self.finish(json.dumps({
                "message": (
                    f"Invalid path {path!r}: it contains a NUL or another control character. "
                    "Give the path of a bundled file, e.g. bioimage/bundled/index.json."
                ),
                "reason": "invalid request",
                "field": "path",
            }))
            return None
        return super().get(path, include_body)


def setup_handlers(server_app):
    web_app = server_app.web_app
    base = url_path_join(web_app.settings["base_url"], "bioimage")
    web_app.add_handlers(
        ".*$",
        [
            (url_path_join(base, "health"), HealthHandler),
            (
                url_path_join(base, "bundled", "(.*)"),
                BundledZooHandler,
                {"path": str(BUNDLED_ZOO)},
            ),
        ],
    )
    from .cache_handlers import setup_cache_handlers

    setup_cache_handlers(server_app)
