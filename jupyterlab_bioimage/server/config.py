"""Settings of the model cache, read from Jupyter's config system.

Set them like any Jupyter server option, e.g. in ``jupyter_server_config.py``::

    c.BioImageCache.max_bytes = 10 * 1024**3
    c.BioImageCache.cross_origin_isolation = True

or on the command line: ``jupyter lab --BioImageCache.max_bytes=10737418240``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from traitlets import Bool, Float, Int, List, TraitError, Unicode, validate
from traitlets.config import Configurable

# The default location is part of the cache layout, which the kernel needs too.
from ..layout import default_cache_dir

#: Headers that make the JupyterLab page cross-origin isolated (``crossOriginIsolated``).
CROSS_ORIGIN_ISOLATION_HEADERS = {
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Embedder-Policy": "require-corp",
}


class BioImageCache(Configurable):
    """Where and how jupyterlab-bioimage caches remote bioimage.io files."""

    cache_dir = Unicode(
        "",
        config=True,
        help=(
            "Directory of the download cache. Empty means "
            "<jupyter data dir>/bioimage/cache (see `jupyter --data-dir`)."
        ),
    )

    max_bytes = Int(
        2 * 1024**3,
        config=True,
        help=(
            "Size limit of the cache in bytes (default 2 GiB). Least recently used files are "
            "removed to stay under it; a single file larger than this is refused."
        ),
    )

    max_concurrent_downloads = Int(
        4,
        config=True,
        help="How many files are downloaded at the same time; further downloads queue.",
    )

    idle_timeout = Float(
        60.0,
        config=True,
        help=(
            "Seconds without receiving any data after which a download is abandoned "
            "(there is no limit on the total duration, large weights can take long)."
        ),
    )

    allowed_hosts = List(
        Unicode(),
        default_value=[],
        config=True,
        help=(
            "Host names (fnmatch patterns such as '*.bioimage.io') the server may download "
            "from. Empty allows any http(s) host. Restrict it on shared deployments: the "
            "fetch endpoint makes the *server* issue the request (it can reach hosts the "
            "browser cannot). Checked for the first URL and for every redirect (at most 5, "
            "each checked before it is followed). Whatever it allows, addresses of this "
            "machine and internal networks stay refused unless allowed_private_addresses "
            "names them."
        ),
    )

    allowed_private_addresses = List(
        Unicode(),
        default_value=[],
        config=True,
        help=(
            "IP addresses or networks (e.g. '127.0.0.1', '::1', '10.1.2.0/24') the server may "
            "download from although they are not public: loopback, private (10/8, 172.16/12, "
            "192.168/16, fc00::/7), link-local (169.254/16 -- cloud metadata services --, "
            "fe80::/10), multicast, reserved or unspecified. Empty (the default) refuses all "
            "of them, however a download gets there: a URL, a redirect, or a host name that "
            "resolves to one; the check is made on the address the server then connects to, "
            "so DNS rebinding cannot get around it. Name only what is needed, e.g. the "
            "address of an intranet model server, or '127.0.0.1' for a model mirror on this "
            "machine (which lets anyone who can use this server make it fetch from every "
            "service listening on 127.0.0.1). Host names are not accepted here; "
            "'0.0.0.0/0' and '::/0' switch the check off."
        ),
    )

    cross_origin_isolation = Bool(
        False,
        config=True,
        help=(
            "Send 'Cross-Origin-Opener-Policy: same-origin' and "
            "'Cross-Origin-Embedder-Policy: require-corp' with every Jupyter server response. "
            "This makes the JupyterLab page cross-origin isolated, which onnxruntime-web needs "
            "for multi-threaded (SharedArrayBuffer) inference; without it, inference runs on "
            "one thread. What it may break: anything the page embeds from another origin that "
            "does not send a Cross-Origin-Resource-Policy (or CORS) header is blocked -- "
            "cross-origin images/iframes in Markdown cells and notebook outputs, widgets or "
            "extensions loading scripts, fonts or tiles from CDNs, and pop-ups/OAuth flows "
            "that rely on window.opener."
        ),
    )

    @validate("allowed_private_addresses")
    def _networks(self, proposal: Any) -> list[str]:
        from .cache.netguard import parse_networks  # raises ValueError naming the bad entry

        try:
            parse_networks(proposal["value"])
        except ValueError as err:
            raise TraitError(str(err)) from None
        return list(proposal["value"])

    @validate("max_bytes", "max_concurrent_downloads")
    def _positive(self, proposal: Any) -> int:
        value = int(proposal["value"])
        if value < 1:
            raise ValueError(f"{proposal['trait'].name} must be at least 1, got {value}")
        return value

    def resolved_cache_dir(self) -> Path:
        """The cache directory as an absolute path (the default when unset)."""
        if not self.cache_dir:
            return default_cache_dir()
        return Path(self.cache_dir).expanduser().resolve()


def apply_cross_origin_isolation(web_app: Any) -> None:
    """Add the COOP/COEP headers to every response of ``web_app``.

    Jupyter's handlers copy ``settings['headers']`` into each response
    (``JupyterHandler.set_default_headers``). Values the user already configured through
    ``ServerApp.tornado_settings`` win.
    """
    headers = web_app.settings.setdefault("headers", {})
    for name, value in CROSS_ORIGIN_ISOLATION_HEADERS.items():
        headers.setdefault(name, value)
