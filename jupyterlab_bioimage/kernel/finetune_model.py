"""The model fine-tuning starts from: verified TorchScript weights, frozen layers, prediction.

Why so careful: fine-tuning must start from the model that was run in the browser (its
description lists the ONNX weights the browser ran, by sha256) and from weights whose sha256
the description states; anything else would make the before/after comparison meaningless.
Weights are found next to the description, in the server's cache (``by-sha256/<hex>``), or
downloaded into ``kernel-models/<sha256>/`` of it (layout: :mod:`jupyterlab_bioimage.layout`).

PyTorch is imported inside the functions (:func:`import_torch`), NumPy/PyYAML too.
"""

from __future__ import annotations

import math
import os
import urllib.parse
from pathlib import Path
from typing import Any, Mapping, NamedTuple, Optional, Sequence

from .. import layout
from .finetune_data import from_model_axes, to_model_axes, valid_size
from .models import (
    cache_dir,
    check_sha256,
    download_file,
    find_rdf,
    hypha_rdf_url,
    read_description,
)

WEIGHTS_FILE = "weights.torchscript.pt"


def import_torch() -> Any:
    """``torch``, or an :class:`ImportError` that says how to get it."""
    try:
        import torch
    except ImportError as e:
        raise ImportError(
            "fine-tuning needs PyTorch in this kernel's environment: pip install torch "
            "(the CPU build is enough), then restart the kernel"
        ) from e
    return torch


class BaseModel(NamedTuple):
    """A model description and its verified TorchScript weights."""

    rdf: Path
    description: dict
    weights: Path
    weights_sha256: str


def _remote_rdf_url(model_source: Optional[str]) -> Optional[str]:
    """The URL the description of ``model_source`` (as :func:`~.models.fetch_model`
    takes it) was downloaded from; None for local and bundled models."""
    if not model_source or model_source.startswith("bundled:"):
        return None
    if "://" in model_source:
        return model_source
    if Path(model_source).expanduser().exists():
        return None
    return hypha_rdf_url(model_source)


def _resolve_weights(rdf: Path, source: str, sha256: str, cache: Path,
                     remote_rdf: Optional[str]) -> Path:
    """The local file of a weights ``source``: next to the description, else in
    the server cache by sha256, else downloaded (http(s) only, relative sources
    against ``remote_rdf``) into the cache."""
    if "://" not in source:
        local = rdf.parent / source
        if local.is_file():
            return local
    cached = layout.by_sha256(cache, sha256)
    if cached.is_file():
        return cached
    url = source if "://" in source else (urllib.parse.urljoin(remote_rdf, source) if remote_rdf else None)
    if url is None:
        raise FileNotFoundError(
            f"TorchScript weights {source!r} are neither next to {str(rdf)!r} nor in the cache "
            f"{str(cache)!r}"
        )
    name = Path(urllib.parse.urlsplit(url).path).name or WEIGHTS_FILE
    dest = layout.kernel_model_dir(cache, sha256) / name
    if not dest.is_file():
        dest.parent.mkdir(parents=True, exist_ok=True)
        download_file(url, dest)
    return dest


def load_base_model(
    rdf_path: os.PathLike | str,
    weights_sha256: Optional[str] = None,
    description_sha256: Optional[str] = None,
    cache: Optional[os.PathLike | str] = None,
    model_source: Optional[str] = None,
) -> BaseModel:
    """The description and its TorchScript weights, verified before use.

    The description must list ``torchscript`` weights with a sha256, and the
    file must have it (else :class:`ValueError`). ``weights_sha256`` (e.g. the
    ONNX weights the browser ran) must be the sha256 of one of the
    description's weights entries, so the fine-tuning starts from the model
    that was run; ``description_sha256`` pins the description file itself.
    Weights not next to the description are taken from the server cache, or
    downloaded next to the URL of ``model_source`` (a remote model as
    :func:`~.models.fetch_model` takes it).
    """
    rdf = Path(rdf_path).expanduser()
    if rdf.is_dir():
        rdf = find_rdf(rdf)
    if description_sha256:
        check_sha256(rdf, str(description_sha256).lower(), "model description")
    descr = read_description(rdf)
    weights = descr.get("weights") or {}
    entry = weights.get("torchscript")
    if not isinstance(entry, dict) or not entry.get("source"):
        raise ValueError(
            f"{descr.get('id') or rdf}: the description has no TorchScript weights; "
            "fine-tuning needs them"
        )
    expected = str(entry.get("sha256") or "").lower()
    if not layout.SHA256_RE.match(expected):
        raise ValueError("the TorchScript weights have no sha256 in the description: cannot verify them")
    if weights_sha256 is not None:
        pinned = str(weights_sha256).lower()
        listed = {str((e or {}).get("sha256") or "").lower() for e in weights.values()}
        if pinned not in listed:
            raise ValueError(
                f"the description lists no weights with sha256 {pinned}: it is not the model "
                "that was run; refusing to fine-tune it"
            )
    root = Path(cache) if cache is not None else cache_dir()
    path = _resolve_weights(rdf, str(entry["source"]), expected, root, _remote_rdf_url(model_source))
    check_sha256(path, expected, "TorchScript weights")
    return BaseModel(rdf, descr, path, expected)


def freeze_early_layers(model: Any, freeze_fraction: float) -> tuple[list[str], list[str]]:
    """Freeze the first ``freeze_fraction`` of the layers; (frozen, trainable) parameter names.

    Layers are the modules owning parameters, in module order (the order of
    ``named_parameters()``; weight and bias of one layer stay together).
    Why: the early layers compute generic low-level features (edges, blobs,
    textures) learnt from the model's large training set; a handful of new
    annotated images cannot improve them but can overfit and erase them.
    Training only the later layers adapts the model to the new images with far
    fewer free parameters. Module order is the order layers were defined,
    usually input side first (check ``frozen`` in the report for other models).
    """
    if not 0.0 <= float(freeze_fraction) < 1.0:
        raise ValueError(f"freeze_fraction must be in [0, 1), got {freeze_fraction!r}")
    layers: dict[str, list[str]] = {}
    params = dict(model.named_parameters())
    for name in params:
        layers.setdefault(name.rpartition(".")[0], []).append(name)
    n_frozen = int(math.floor(float(freeze_fraction) * len(layers)))
    frozen: list[str] = []
    for i, names in enumerate(layers.values()):
        if i < n_frozen:
            frozen.extend(names)
    for name, p in params.items():
        p.requires_grad_(name not in frozen)
    trainable = [n for n in params if n not in frozen]
    if not trainable:
        raise ValueError("no trainable layer left: lower freeze_fraction")
    return frozen, trainable


def predict(model: Any, x: Any, input_axes: Sequence[str], output_axes: Sequence[str],
            input_spec: Optional[Sequence[Mapping[str, Any]]] = None) -> Any:
    """Network output (model output axes) for a preprocessed (1, C, Y, X) array.

    The input is padded symmetrically to a valid model size (``input_spec``:
    the input's axis descriptions) and the output cropped back.
    """
    import numpy as np

    torch = import_torch()
    _, _, h, w = x.shape
    ph = pw = 0
    if input_spec is not None:
        by_id = dict(zip(input_axes, input_spec))
        ph = valid_size(by_id["y"], h) - h
        pw = valid_size(by_id["x"], w) - w
    xp = np.pad(x, ((0, 0), (0, 0), (0, ph), (0, pw)), mode="symmetric") if ph or pw else x
    with torch.no_grad():
        y = model(to_model_axes(torch.from_numpy(np.ascontiguousarray(xp, dtype=np.float32)), input_axes))
    y = from_model_axes(y, output_axes).numpy()
    if y.shape[2:] != xp.shape[2:]:
        raise ValueError(f"the network output {y.shape[2:]} does not keep the input size {xp.shape[2:]}")
    y = y[:, :, :h, :w]
    return to_model_axes(np.ascontiguousarray(y), output_axes)
