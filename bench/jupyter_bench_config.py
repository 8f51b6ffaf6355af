"""Jupyter server configuration for `make bench` (bench/run.py starts it).

Galata's helper (as in the UI tests): no token, XSRF off, the app exposed as
``window.jupyterapp``. Loopback only; port, root directory and cross-origin
isolation come from the environment set by run.py.
"""

import os

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821

c.ServerApp.ip = "127.0.0.1"  # noqa: F821
c.ServerApp.port = int(os.environ["BIOIMAGE_BENCH_PORT"])  # noqa: F821
c.ServerApp.port_retries = 0  # noqa: F821
c.ServerApp.root_dir = os.environ["BIOIMAGE_BENCH_ROOT"]  # noqa: F821
c.ServerApp.open_browser = False  # noqa: F821
c.ServerApp.allow_root = True  # noqa: F821
c.BioImageCache.cross_origin_isolation = (  # noqa: F821
    os.environ.get("BIOIMAGE_BENCH_ISOLATION") == "1"
)
