"""The model cache's on-disk layout and content addressing, defined once.

The server writes the cache (:mod:`jupyterlab_bioimage.server.cache`) and the
kernel reads it, and writes its own downloads next to it
(:mod:`jupyterlab_bioimage.kernel.models`, :mod:`~jupyterlab_bioimage.kernel.finetune_data`).
They share no code but this module, so the layout cannot drift apart::

    <root>/                          default: <jupyter data dir>/bioimage/cache
      index.json                     the server's bookkeeping (URLs, sizes, last access)
      by-sha256/<hex>                a file whose sha256 was known in advance (weights, tensors)
      by-url/<hex>                   a file fetched without a known sha256; <hex> = sha256(URL)
      kernel-models/<weights sha256>/  what the kernel downloaded itself (rdf.yaml, weights)
      by-*/.tmp-<random>.part        the server's downloads in progress
      kernel-models/*/<name>.part    the kernel's downloads in progress

Why content addressing: the same weights referenced by two model versions are
stored once, and a file's name is its checksum, so anyone can verify it.

Rule: this module may import only the standard library (``jupyter_core`` inside
:func:`default_cache_dir`), because both ``server/`` and ``kernel/`` import it and
it must not pull either side, tornado or NumPy along.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path
from typing import Optional

#: The bioimage.io models shipped inside this package (served read-only by the server,
#: ``bundled:<folder>/rdf.yaml`` in the kernel).
BUNDLED_ZOO = Path(__file__).parent / "zoo"

INDEX_NAME = "index.json"
INDEX_FORMAT = 1
BY_SHA256 = "by-sha256"
BY_URL = "by-url"
KERNEL_MODELS = "kernel-models"
#: Key kind (``sha256-<hex>``, ``url-<hex>``) -> the folder its files live in.
KEY_DIRS = {"sha256": BY_SHA256, "url": BY_URL}
TEMP_PREFIX = ".tmp-"
TEMP_SUFFIX = ".part"

#: ``\Z``, not ``$``: ``$`` also matches before a trailing newline (``"<hex>\n"`` would pass).
SHA256_RE = re.compile(r"^[0-9a-f]{64}\Z")
#: Public cache keys; nothing else may be turned into a path.
KEY_RE = re.compile(r"^(sha256|url)-([0-9a-f]{64})\Z")


def default_cache_dir() -> Path:
    """``<jupyter data dir>/bioimage/cache``: per user, shared by all servers and kernels."""
    from jupyter_core.paths import jupyter_data_dir  # a dependency of jupyter_server

    return Path(jupyter_data_dir()) / "bioimage" / "cache"


def sha256_of(path: os.PathLike | str) -> str:
    """Hex sha256 of a file's bytes (read in 1 MiB blocks: weights can be large)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def key_for(url: str, sha256: Optional[str]) -> str:
    """Content key when the hash is known, else a key derived from the URL."""
    if sha256:
        return f"sha256-{sha256}"
    return "url-" + hashlib.sha256(url.encode("utf-8")).hexdigest()


def path_for_key(root: os.PathLike | str, key: str) -> Path:
    """Where the file of a well-formed ``key`` lives (:class:`ValueError` otherwise)."""
    match = KEY_RE.match(key)
    if match is None:
        raise ValueError(f"not a cache key: {key!r}")
    kind, hexdigest = match.groups()
    return Path(root) / KEY_DIRS[kind] / hexdigest


def by_sha256(root: os.PathLike | str, sha256: str) -> Path:
    """The stored file whose content has this sha256 (it may not exist)."""
    return Path(root) / BY_SHA256 / sha256


def kernel_model_dir(root: os.PathLike | str, weights_sha256: str) -> Path:
    """The folder of a model the kernel downloaded itself, named by its weights' sha256."""
    return Path(root) / KERNEL_MODELS / weights_sha256


def index_path(root: os.PathLike | str) -> Path:
    return Path(root) / INDEX_NAME
