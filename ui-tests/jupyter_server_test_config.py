"""Server configuration for the Galata UI tests.

Galata's helper sets a fixed port (8888), no token, a temporary root and
workspaces directory, and exposes the app in the browser for tests.
"""

import os

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821

# Galata fixes port 8888; BIOIMAGE_UI_PORT lets two UI test runs coexist.
c.ServerApp.port = int(os.environ.get("BIOIMAGE_UI_PORT", "8888"))  # noqa: F821

# CI runs as root; JupyterLab refuses that unless told otherwise.
c.ServerApp.allow_root = True  # noqa: F821

# The `isolated` Playwright project's server: COOP/COEP headers, so the page
# is cross-origin isolated and wasm inference can use threads.
c.BioImageCache.cross_origin_isolation = (  # noqa: F821
    os.environ.get("BIOIMAGE_UI_ISOLATION") == "1"
)
