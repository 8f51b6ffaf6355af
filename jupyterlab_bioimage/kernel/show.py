"""Show a NumPy array in the BioImage viewer, as the output of a notebook cell.

``show(array, axes="ZYX")`` displays a MIME bundle of type
``application/vnd.bioimage.array+json`` that the JupyterLab extension renders
with the same viewer it uses for image files (Z/T sliders, channels, contrast,
overlays). NumPy is imported only when ``show`` is called, so importing
``jupyterlab_bioimage`` (e.g. by the server extension) stays cheap.
"""

from __future__ import annotations

import base64
from typing import Any, Mapping, Optional, Sequence, Tuple, Union

MIME_TYPE = "application/vnd.bioimage.array+json"

#: Largest array (all arrays together, in bytes) ``show`` sends by default:
#: the data travels base64-encoded inside the notebook and the browser.
DEFAULT_MAX_BYTES = 64 * 1024 * 1024

_LETTERS = "TCZYX"
_SUPPORTED = {
    "uint8", "int8", "uint16", "int16", "uint32", "int32", "float32", "float64",
}

OverlaySpec = Union[Any, Tuple[Any, str]]


def guess_axes(shape: Sequence[int]) -> Optional[str]:
    """Axes the viewer assumes for an array of this shape (as for NPY files).

    2-D is ``YX``; 3-D ``YXC`` when the last dimension is ≤ 4 and smaller than
    the other two (RGB), else ``ZYX``; 4-D ``ZYXC`` or ``CZYX``; 5-D ``TZYXC``
    or ``TCZYX``. Returns ``None`` for other ranks.
    """
    n = len(shape)
    rgb = n >= 3 and shape[-1] <= 4 and shape[-1] < shape[-2] and shape[-1] < shape[-3]
    return {
        2: "YX",
        3: "YXC" if rgb else "ZYX",
        4: "ZYXC" if rgb else "CZYX",
        5: "TZYXC" if rgb else "TCZYX",
    }.get(n)


def _check_axes(axes: str, shape: Sequence[int], what: str) -> str:
    norm = axes.upper().replace("S", "C")
    if (
        len(norm) != len(shape)
        or len(set(norm)) != len(norm)
        or any(letter not in _LETTERS for letter in norm)
        or "Y" not in norm
        or "X" not in norm
    ):
        raise ValueError(
            f"{what}: axes {axes!r} do not fit an array of shape {tuple(shape)}; "
            f"give one distinct letter from {_LETTERS} per dimension, including Y and X "
            "(e.g. axes='ZYX')."
        )
    return norm


def _displayable(np: Any, array: Any, what: str) -> Any:
    """A little-endian array of a dtype the viewer reads."""
    a = np.asarray(array)
    if a.dtype == np.bool_:
        a = a.astype(np.uint8)
    elif a.dtype.kind in "iu" and a.dtype.itemsize == 8:
        lo, hi = (int(a.min()), int(a.max())) if a.size else (0, 0)
        if -(2**31) <= lo and hi < 2**31:
            a = a.astype(np.int32)
        elif lo >= 0 and hi < 2**32:
            a = a.astype(np.uint32)
        else:
            a = a.astype(np.float64)
    elif a.dtype.kind == "f" and a.dtype.itemsize < 4:
        a = a.astype(np.float32)
    if a.dtype.name not in _SUPPORTED:
        raise TypeError(
            f"{what}: arrays of dtype {a.dtype} cannot be shown; convert to a numeric "
            "dtype first (e.g. array.astype('float32'))."
        )
    return np.ascontiguousarray(a, dtype=a.dtype.newbyteorder("<"))


def _payload(np: Any, array: Any, axes: Optional[str], what: str) -> dict:
    a = _displayable(np, array, what)
    if axes is None:
        axes = guess_axes(a.shape)
        if axes is None:
            raise ValueError(
                f"{what}: cannot tell which of the {a.ndim} dimensions of shape "
                f"{a.shape} are Y and X; pass axes=... (e.g. axes='CZYX')."
            )
    axes = _check_axes(axes, a.shape, what)
    return {
        "dtype": a.dtype.name,
        "shape": [int(s) for s in a.shape],
        "axes": axes,
        "data": base64.b64encode(a.tobytes()).decode("ascii"),
    }


def _overlay_items(overlays: Any) -> list:
    """Normalise overlays to (name, array, kind) triples."""
    if overlays is None:
        return []
    items = overlays.items() if isinstance(overlays, Mapping) else overlays
    out = []
    for i, item in enumerate(items):
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], str):
            name, spec = item
        else:
            name, spec = f"overlay{i + 1}", item
        kind = None
        if isinstance(spec, tuple):
            spec, kind = spec
        out.append((name, spec, kind))
    return out


def bundle(
    array: Any,
    axes: Optional[str] = None,
    name: Optional[str] = None,
    overlays: Any = None,
    pixel_size: Optional[Union[float, Tuple[float, str]]] = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> dict:
    """The MIME bundle ``show`` displays (see :func:`show` for the arguments)."""
    import numpy as np

    a = np.asarray(array)
    items = _overlay_items(overlays)
    total = a.nbytes + sum(np.asarray(spec).nbytes for _, spec, _ in items)
    if total > max_bytes:
        raise ValueError(
            f"show(): the array{'s' if items else ''} take {total / 2**20:.1f} MiB, more "
            f"than the {max_bytes / 2**20:.0f} MiB that show() sends to the browser. Show "
            "a crop or a downsampled copy (e.g. array[::2, ::2]), a single plane, or pass "
            "a larger max_bytes=... if the notebook may grow that much."
        )
    payload = _payload(np, a, axes, "show()")
    payload["name"] = name or "array"
    if pixel_size is not None:
        value, unit = pixel_size if isinstance(pixel_size, tuple) else (pixel_size, "µm")
        payload["physical_size"] = {"x": [float(value), unit], "y": [float(value), unit]}
    shown = []
    for oname, spec, kind in items:
        what = f"show(): overlay {oname!r}"
        o = _payload(np, spec, None, what)
        ysize = o["shape"][o["axes"].index("Y")]
        xsize = o["shape"][o["axes"].index("X")]
        pshape, paxes = payload["shape"], payload["axes"]
        if (ysize, xsize) != (pshape[paxes.index("Y")], pshape[paxes.index("X")]):
            raise ValueError(
                f"{what} is {xsize}×{ysize} pixels but the image is "
                f"{pshape[paxes.index('X')]}×{pshape[paxes.index('Y')]}; overlays must "
                "have the same width and height."
            )
        if kind is None:
            kind = "labels" if o["dtype"] not in ("float32", "float64") else "heatmap"
        if kind not in ("labels", "heatmap"):
            raise ValueError(f"{what}: kind must be 'labels' or 'heatmap', not {kind!r}.")
        o.update(name=oname, kind=kind)
        shown.append(o)
    if shown:
        payload["overlays"] = shown
    text = f"<BioImage {payload['name']}: {payload['axes']} {tuple(payload['shape'])} {payload['dtype']}>"
    return {MIME_TYPE: payload, "text/plain": text}


def show(
    array: Any,
    axes: Optional[str] = None,
    name: Optional[str] = None,
    overlays: Any = None,
    pixel_size: Optional[Union[float, Tuple[float, str]]] = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> None:
    """Display ``array`` in the BioImage viewer as this cell's output.

    Args:
        array: anything ``numpy.asarray`` accepts, 2-D to 5-D.
        axes: one letter per dimension from ``TCZYX`` (e.g. ``"ZYX"``); guessed
            from the shape when omitted (see :func:`guess_axes`).
        name: shown in the viewer's status line.
        overlays: arrays layered on the image, with the same Y and X sizes: a
            dict ``{name: array}`` or ``{name: (array, kind)}`` with kind
            ``"labels"`` (integer label images; the default for integer
            dtypes) or ``"heatmap"`` (probabilities; the default for floats).
        pixel_size: physical size of a pixel, ``0.25`` (µm) or ``(0.25, "nm")``,
            to show physical coordinates and a scale bar.
        max_bytes: refuse (with a ValueError) arrays larger than this, because
            the data is stored in the notebook.

    Raises:
        ValueError: for bad axes, mismatched overlays or too-large arrays.
        TypeError: for dtypes the viewer cannot show (strings, complex, ...).
    """
    from IPython.display import display

    display(
        bundle(array, axes, name, overlays, pixel_size, max_bytes), raw=True
    )
