"""Model files in the kernel: the description (RDF) and weights, pinned by sha256.

:func:`fetch_model` finds the exact files the browser ran: next to a local description, in
the bundled zoo, in the server's cache (``by-sha256/<hex>``, so nothing is downloaded twice)
or downloaded into ``kernel-models/<weights sha256>/`` of the same cache (the layout is
:mod:`jupyterlab_bioimage.layout`). Whatever the origin, the sha256 must match: a cell that
silently ran other weights than the browser would make its numbers meaningless.

PyYAML is imported inside the functions: importing the package must stay light.
"""

from __future__ import annotations

import os
import shutil
import urllib.parse
import urllib.request
from pathlib import Path
from typing import NamedTuple, Optional

from .. import layout
from ..layout import sha256_of

RDF_NAMES = ("rdf.yaml", "bioimageio.yaml")
HYPHA_RDF = "https://hypha.aicell.io/bioimage-io/artifacts/{id}/files/rdf.yaml"
#: Where the kernel looks for the cache when the variable is set (tests, other servers).
CACHE_DIR_ENV = "BIOIMAGE_CACHE_DIR"


class ModelFiles(NamedTuple):
    """Local files of a model: its description (RDF) and ONNX weights."""

    rdf: Path
    weights: Path
    weights_sha256: str


def cache_dir() -> Path:
    """The server's model cache (``$BIOIMAGE_CACHE_DIR`` or ``<jupyter data>/bioimage/cache``)."""
    env = os.environ.get(CACHE_DIR_ENV)
    if env:
        return Path(env)
    return layout.default_cache_dir()


def hypha_rdf_url(model_id: str) -> str:
    """The URL of the description of a bioimage.io model id."""
    return HYPHA_RDF.format(id=urllib.parse.quote(model_id, safe=""))


def check_sha256(path: Path, expected: str, what: str) -> None:
    """:class:`ValueError` unless the file at ``path`` has sha256 ``expected``."""
    got = sha256_of(path)
    if got != expected:
        raise ValueError(
            f"{what} {str(path)!r} has sha256 {got}, expected {expected}: "
            "this is not the file the browser ran; refusing to continue."
        )


def read_description(path: Path) -> dict:
    """A model description (YAML) as a dict; :class:`ValueError` if it is not a mapping."""
    import yaml

    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    if not isinstance(data, dict):
        raise ValueError(f"{str(path)!r} is not a model description")
    return data


def find_rdf(folder: Path) -> Path:
    """The description file of a model folder (``rdf.yaml``, ``*.bioimageio.yaml``, ...)."""
    for name in RDF_NAMES:
        if (folder / name).is_file():
            return folder / name
    found = sorted(folder.glob("*.bioimageio.yaml"))
    if found:
        return found[0]
    raise FileNotFoundError(f"no rdf.yaml / bioimageio.yaml in {str(folder)!r}")


def download_file(url: str, dest: Path) -> None:
    """Download an http(s) ``url`` to ``dest`` via ``<dest>.part`` (no half file under ``dest``)."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"refusing to download from {url!r}: only http(s) URLs")
    tmp = dest.with_name(dest.name + layout.TEMP_SUFFIX)
    with urllib.request.urlopen(url, timeout=60) as resp, open(tmp, "wb") as f:
        shutil.copyfileobj(resp, f)
    os.replace(tmp, dest)


def _weights_entry(rdf: dict) -> dict:
    entry = (rdf.get("weights") or {}).get("onnx")
    if not isinstance(entry, dict) or not entry.get("source"):
        raise ValueError("the model description has no ONNX weights")
    return entry


def fetch_model(
    source: str,
    weights_sha256: str,
    description_sha256: Optional[str] = None,
    cache: Optional[os.PathLike | str] = None,
) -> ModelFiles:
    """The model's RDF and ONNX weights as local files, pinned by sha256.

    ``source`` is a local RDF file or model folder, ``bundled:<folder>/rdf.yaml``
    for a model of the bundled zoo, an http(s) URL of an RDF, or a bioimage.io
    id. The weights are looked up first in the server cache
    (``<cache>/by-sha256/<sha256>``), so nothing is downloaded twice; whatever
    their origin, their sha256 must equal ``weights_sha256`` (and the RDF's,
    ``description_sha256`` when given), otherwise :class:`ValueError`.
    """
    weights_sha256 = str(weights_sha256).lower()
    if not layout.SHA256_RE.match(weights_sha256):
        raise ValueError(f"not a sha256: {weights_sha256!r}")
    root = Path(cache) if cache is not None else cache_dir()
    cached_weights = layout.by_sha256(root, weights_sha256)
    if source.startswith("bundled:"):
        # A model of the bundled zoo, shipped inside this package.
        zoo = layout.BUNDLED_ZOO.resolve()
        local = (zoo / source[len("bundled:"):]).resolve()
        if zoo not in local.parents:
            raise ValueError(f"not a bundled model: {source!r}")
    else:
        local = Path(source).expanduser()
    if "://" not in source and local.exists():
        rdf_path = find_rdf(local) if local.is_dir() else local
        if description_sha256:
            check_sha256(rdf_path, description_sha256, "model description")
        entry = _weights_entry(read_description(rdf_path))
        weights = rdf_path.parent / str(entry["source"])
        if "://" in str(entry["source"]) or not weights.is_file():
            weights = cached_weights
        if not weights.is_file():
            raise FileNotFoundError(
                f"ONNX weights {entry['source']!r} are neither next to the description "
                f"nor in the cache {str(root)!r}"
            )
        check_sha256(weights, weights_sha256, "ONNX weights")
        return ModelFiles(rdf_path, weights, weights_sha256)

    # Remote: a folder per weights hash holds the RDF and (a copy of) the weights.
    url = source if "://" in source else hypha_rdf_url(source)
    folder = layout.kernel_model_dir(root, weights_sha256)
    folder.mkdir(parents=True, exist_ok=True)
    rdf_path = folder / "rdf.yaml"
    if not rdf_path.is_file() or (
        description_sha256 and sha256_of(rdf_path) != description_sha256
    ):
        download_file(url, rdf_path)
    if description_sha256:
        check_sha256(rdf_path, description_sha256, "model description")
    entry = _weights_entry(read_description(rdf_path))
    name = Path(urllib.parse.urlsplit(str(entry["source"])).path).name or "weights.onnx"
    weights = folder / name
    if not weights.is_file():
        if cached_weights.is_file():
            shutil.copyfile(cached_weights, weights)
        else:
            download_file(urllib.parse.urljoin(url, str(entry["source"])), weights)
    check_sha256(weights, weights_sha256, "ONNX weights")
    return ModelFiles(rdf_path, weights, weights_sha256)

