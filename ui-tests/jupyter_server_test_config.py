"""Server configuration for the Galata UI tests.

Galata's helper sets a fixed port (8888), a temporary root and workspaces
directory, and exposes the app in the browser for tests. It also turns off
authentication and XSRF checks; we turn both back on, because users run
JupyterLab with a token: the tests log in with it (tests/helpers/test.ts).
"""

import os
import secrets

from jupyterlab.galata import configure_jupyter_server

configure_jupyter_server(c)  # noqa: F821

# Galata fixes port 8888; BIOIMAGE_UI_PORT lets two UI test runs coexist.
c.ServerApp.port = int(os.environ.get("BIOIMAGE_UI_PORT", "8888"))  # noqa: F821

# Token authentication and XSRF checks, as in a user's `jupyter lab`. The token
# is chosen once per run by playwright.config.js (BIOIMAGE_UI_TOKEN); a server
# started by hand gets a random one (printed in its log, as usual).
c.IdentityProvider.token = os.environ.get("BIOIMAGE_UI_TOKEN") or secrets.token_hex(16)  # noqa: F821
c.ServerApp.disable_check_xsrf = False  # noqa: F821

# The zoo UI tests' local mirror and the hardening spec's listeners run on
# 127.0.0.1; the server refuses loopback/private addresses unless told so.
# (The proxy's same-origin check still applies: hardening.spec.ts.)
c.BioImageCache.allowed_private_addresses = ["127.0.0.1", "::1"]  # noqa: F821

# CI runs as root; JupyterLab refuses that unless told otherwise.
c.ServerApp.allow_root = True  # noqa: F821

# The `isolated` Playwright project's server: COOP/COEP headers, so the page
# is cross-origin isolated and wasm inference can use threads.
c.BioImageCache.cross_origin_isolation = (  # noqa: F821
    os.environ.get("BIOIMAGE_UI_ISOLATION") == "1"
)
