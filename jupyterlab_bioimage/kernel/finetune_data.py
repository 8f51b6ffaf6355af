"""What fine-tuning trains on: images and targets in the model's axes, and the held-out split.

2D models only (batch, channel, y, x). The split is by whole image or by non-overlapping
tile, deterministic from the seed, and refuses data too small to hold anything out: metrics
on images the model was trained on say nothing about new images.
NumPy and SciPy are imported inside the functions.
"""

from __future__ import annotations

import math
import os
from typing import Any, Mapping, NamedTuple, Optional, Sequence

from .images import image_to_input, load_image

#: The axis order fine-tuning works in; the model's own order may differ.
AXES_2D = ("batch", "channel", "y", "x")
_DEFAULT_IDS = {"batch": "batch", "channel": "channel", "index": "index", "time": "time", "space": "x"}


def axis_ids(tensor: Mapping[str, Any]) -> list[str]:
    axes = tensor.get("axes")
    if not isinstance(axes, list):
        raise ValueError(
            "the description is not in format 0.5 (axes as a list): pass input_axes, "
            "output_axes, preprocessing and postprocessing explicitly"
        )
    return [str(a.get("id") or _DEFAULT_IDS[a["type"]]) for a in axes]


def to_model_axes(a: Any, axes: Sequence[str]) -> Any:
    """(batch, channel, y, x) NumPy array or torch tensor in the model axis order ``axes``."""
    canon = list(AXES_2D)
    for k in reversed(range(4)):
        if canon[k] not in axes:
            if a.shape[k] != 1:
                raise ValueError(f"the model has no {canon[k]} axis, but the data has {a.shape[k]}")
            a = a[(slice(None),) * k + (0,)]
            del canon[k]
    perm = [canon.index(ax) for ax in axes]
    return a.permute(*perm) if hasattr(a, "permute") else a.transpose(perm)


def from_model_axes(a: Any, axes: Sequence[str]) -> Any:
    """Inverse of :func:`to_model_axes`: (batch, channel, y, x)."""
    axes = list(axes)
    perm = [axes.index(ax) for ax in AXES_2D if ax in axes]
    a = a.permute(*perm) if hasattr(a, "permute") else a.transpose(perm)
    for k, ax in enumerate(AXES_2D):
        if ax not in axes:
            a = a.unsqueeze(k) if hasattr(a, "unsqueeze") else a[(slice(None),) * k + (None,)]
    return a


def check_2d_axes(axes: Sequence[str], what: str) -> list[str]:
    axes = [str(a) for a in axes]
    if not {"y", "x"} <= set(axes) or not set(axes) <= set(AXES_2D) or len(set(axes)) != len(axes):
        raise ValueError(f"fine-tuning supports 2D models (batch, channel, y, x); {what} axes are {axes}")
    return axes


def as_image(image: Any, input_axes: Sequence[str]) -> Any:
    """An image (path, YX array or array in the model's input axes, batch 1) as (1, C, Y, X)."""
    import numpy as np

    a = load_image(image) if isinstance(image, (str, os.PathLike)) else np.asarray(image)
    if a.ndim == len(input_axes) and a.ndim != 2:
        if "batch" in input_axes and a.shape[list(input_axes).index("batch")] != 1:
            raise ValueError("give one image per list item (batch length 1)")
        return a
    if a.ndim == 2:
        return image_to_input(a, "YX", input_axes)
    raise ValueError(
        f"an image of shape {a.shape}: expected a 2D (Y, X) array or one in the model input "
        f"axes {list(input_axes)}"
    )


def as_target(target: Any, shape: Sequence[int]) -> Any:
    import numpy as np

    t = load_image(target) if isinstance(target, (str, os.PathLike)) else np.asarray(target)
    t = np.squeeze(t)
    if t.shape != tuple(shape):
        raise ValueError(f"a target of shape {t.shape} for an image of spatial shape {tuple(shape)}")
    return t


def valid_size(axis: Mapping[str, Any], n: int) -> int:
    """The smallest input size of ``axis`` (0.5 size forms) that is >= ``n``."""
    size = axis.get("size")
    if isinstance(size, int):
        if size < n:
            raise ValueError(f"the model's fixed input size {size} is smaller than {n}")
        return size
    if isinstance(size, Mapping) and "min" in size:
        lo, step = int(size["min"]), int(size.get("step") or 0)
        if n <= lo:
            return lo
        if step == 0:
            raise ValueError(f"the model's fixed input size {lo} is smaller than {n}")
        return lo + step * math.ceil((n - lo) / step)
    return n


def inner_boundaries(labels: Any) -> Any:
    """Pixels of an instance next to another label or background (3x3 neighbourhood)."""
    import numpy as np
    from scipy import ndimage as ndi

    lab = np.asarray(labels)
    hi = ndi.maximum_filter(lab, size=3, mode="nearest")
    lo = ndi.minimum_filter(lab, size=3, mode="nearest")
    return (lab > 0) & ((hi != lab) | (lo != lab))


class Unit(NamedTuple):
    """A piece of the data that is wholly in the training or the held-out part."""

    image: int
    y: int
    x: int
    height: int
    width: int

    def as_dict(self) -> dict:
        return self._asdict()


def split_units(
    shapes: Sequence[Sequence[int]], tile_size: Optional[int], val_fraction: float, seed: int
) -> tuple[list[Unit], list[Unit]]:
    """(train, held-out) units: whole images, or non-overlapping tiles of ``tile_size``.

    Deterministic from ``seed``. At least one unit is held out and one trained
    on, otherwise :class:`ValueError`: metrics on images the model was trained
    on say nothing about new images.
    """
    import numpy as np

    if not 0.0 < float(val_fraction) < 1.0:
        raise ValueError(f"val_fraction must be between 0 and 1, got {val_fraction!r}")
    units: list[Unit] = []
    for i, (h, w) in enumerate(shapes):
        if tile_size is None:
            units.append(Unit(i, 0, 0, int(h), int(w)))
            continue
        t = int(tile_size)
        for y0 in range(0, int(h) - t + 1, t):
            for x0 in range(0, int(w) - t + 1, t):
                units.append(Unit(i, y0, x0, t, t))
    n = len(units)
    n_val = max(1, int(round(float(val_fraction) * n)))
    if n < 2 or n - n_val < 1:
        what = f"{n} image(s)" if tile_size is None else (
            f"{len(shapes)} image(s) give {n} tile(s) of {int(tile_size)} px")
        raise ValueError(
            f"too few images to hold any out: {what}; training and a held-out part need at "
            "least 2 (give more images, or tile_size to cut them into tiles)"
        )
    order = np.random.default_rng(seed).permutation(n)
    val = sorted(int(k) for k in order[:n_val])
    return [u for k, u in enumerate(units) if k not in val], [units[k] for k in val]
