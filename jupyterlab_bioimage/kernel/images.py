"""Images in the kernel: reading files, choosing planes, and mapping image axes to model axes.

Image axes are the viewer's letters (``"TCZYX"``, ``S`` = channel); model axes are bioimage.io
0.5 axis ids (``["batch", "channel", "y", "x"]``). Resizing uses the browser's formula so a
cell reproduces the browser's numbers. NumPy (and tifffile, zarr, scikit-image for reading)
are imported inside the functions: importing the package must stay light.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence


def load_image(path: os.PathLike | str) -> Any:
    """Read an image file as a NumPy array (TIFF, NPY, Zarr, PNG/JPEG)."""
    import numpy as np

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".npy":
        return np.load(p)
    if suffix in (".tif", ".tiff", ".btf"):
        import tifffile

        return tifffile.imread(p)
    if suffix == ".zarr" or p.is_dir():
        import zarr

        return np.asarray(zarr.open(str(p), mode="r"))
    from skimage import io

    return io.imread(p)


#: Viewer axis letter -> bioimage.io axis id (``S``, samples, is a channel axis too).
LETTER_TO_AXIS = {"T": "time", "C": "channel", "S": "channel", "Z": "z", "Y": "y", "X": "x"}


def image_to_input(
    image: Any,
    image_axes: str,
    input_axes: Sequence[str],
    channels: Optional[Sequence[int]] = None,
) -> Any:
    """``image`` (axes as viewer letters, e.g. ``"CYX"``) in the model's axis order.

    Channels are selected (``channels``), image axes the model lacks must have
    length 1 and are dropped, model axes the image lacks (batch, channel) are
    added with length 1.
    """
    import numpy as np

    a = np.asarray(image)
    letters = image_axes.upper()
    if len(letters) != a.ndim:
        raise ValueError(f"axes {image_axes!r} do not fit an image of shape {a.shape}")
    ids = [LETTER_TO_AXIS[c] for c in letters]
    if channels is not None:
        if "channel" not in ids:
            if list(channels) != [0]:
                raise ValueError("channels selected but the image has no C axis")
        else:
            a = np.take(a, list(channels), axis=ids.index("channel"))
    for k in reversed(range(len(ids))):
        if ids[k] not in input_axes:
            if a.shape[k] != 1:
                raise ValueError(
                    f"the image axis {letters[k]!r} (length {a.shape[k]}) has no "
                    f"counterpart in the model axes {list(input_axes)}"
                )
            a = np.squeeze(a, axis=k)
            del ids[k]
    for axis in input_axes:
        if axis not in ids:
            a = a[np.newaxis]
            ids.insert(0, axis)
    return np.ascontiguousarray(np.transpose(a, [ids.index(axis) for axis in input_axes]))


def select_planes(
    image: Any, image_axes: str, select: Optional[Mapping[str, int]] = None
) -> tuple[Any, str]:
    """``image`` with the axes in ``select`` (letters such as ``"z"``, ``"t"``)
    fixed to one index, and its remaining axes: e.g. the z plane a 2D model runs
    on. An image that lacks an axis of ``select`` (a 2D ground truth) is returned
    as it is for that axis."""
    import numpy as np

    a = np.asarray(image)
    letters = image_axes.upper()
    if len(letters) != a.ndim:
        # e.g. a 2D label image of one plane of a stack: nothing to select.
        return a, letters
    for letter, index in (select or {}).items():
        k = letters.find(str(letter).upper())
        if k < 0:
            continue
        if not 0 <= int(index) < a.shape[k]:
            raise ValueError(f"{letter}={index} is outside 0…{a.shape[k] - 1} of {image_axes}")
        a = np.take(a, int(index), axis=k)
        letters = letters[:k] + letters[k + 1:]
    return a, letters


def _yx_positions(axes: Any) -> tuple[int, int]:
    """Positions of y and x in viewer letters (``"CYX"``) or axis ids (``["batch", "y", "x"]``)."""
    names = [c.lower() for c in axes] if isinstance(axes, str) else [str(a).lower() for a in axes]
    return names.index("y"), names.index("x")


def yx_size(image: Any, axes: Any) -> tuple[int, int]:
    """(height, width) of ``image`` whose axes are ``axes`` (letters or ids)."""
    import numpy as np

    shape = np.shape(image)
    ky, kx = _yx_positions(axes)
    return int(shape[ky]), int(shape[kx])


def rescale_yx(image: Any, axes: Any, size: Sequence[int]) -> Any:
    """``image`` resized along y and x to ``size`` = (height, width): bilinear,
    pixel centres at half-integers, edges clamped, no anti-aliasing; the same
    formula as the browser's (``src/wizard/core/rescale.ts``), float32.
    ``axes``: viewer letters (``"CYX"``) or axis ids (``["batch", "channel", "y", "x"]``)."""
    import numpy as np

    a = np.asarray(image, dtype=np.float64)
    out = a
    for k, n_out in zip(_yx_positions(axes), size):
        n_in = a.shape[k]
        src = np.clip((np.arange(int(n_out)) + 0.5) * (n_in / int(n_out)) - 0.5, 0, n_in - 1)
        lo = np.floor(src).astype(np.int64)
        hi = np.minimum(lo + 1, n_in - 1)
        w = (src - lo).reshape([-1 if d == k else 1 for d in range(a.ndim)])
        out = np.take(out, lo, axis=k) * (1 - w) + np.take(out, hi, axis=k) * w
    return out.astype(np.float32)


def image_plane(image: Any, image_axes: str) -> Any:
    """The first Y-X plane of ``image`` (first index of every other axis)."""
    import numpy as np

    a = np.asarray(image)
    index = tuple(slice(None) if c in "YX" else 0 for c in image_axes.upper())
    return a[index]


def output_plane(prediction: Any, output_axes: Sequence[str], channel: int = 0) -> Any:
    """One channel of the first sample of a model output: the spatial axes only."""
    import numpy as np

    a = np.asarray(prediction)
    index = tuple(
        0 if ax == "batch" else channel if ax == "channel" else slice(None)
        for ax in output_axes
    )
    return a[index]
