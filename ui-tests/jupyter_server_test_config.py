"""Server configuration for the Galata UI tests.

Galata's helper sets a fixed port (8888), no token, a temporary root and
workspaces directory, and exposes the app in the browser for tests.
"""

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821

# CI runs as root; JupyterLab refuses that unless told otherwise.
c.ServerApp.allow_root = True  # noqa: F821
