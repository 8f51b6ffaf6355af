"""Tiled ONNX prediction that mirrors the browser's tiling (``src/runtime/tiling.ts``).

Blocks as in ``src/runtime/blocks.ts``: the same plan (:func:`plan_axis`), the same
mirroring at the border (:func:`fold`), the same stitching (inner regions, later blocks
overwrite overlaps), so kernel and browser results agree; the Dask batch run cuts its
chunks from the same plan. NumPy is imported inside the functions.
"""

from __future__ import annotations

import itertools
from typing import Any, Mapping, Optional, Sequence


def fold(idx: Any, n: int, mode: str) -> Any:
    """Indices outside [0, n) mirrored: ``reflect`` (edge not repeated) or ``symmetric``."""
    import numpy as np

    if n == 1:
        return np.zeros_like(idx)
    period = 2 * (n - 1) if mode == "reflect" else 2 * n
    r = np.mod(idx, period)
    if mode == "reflect":
        return np.where(r >= n, period - r, r)
    return np.where(r >= n, period - 1 - r, r)


def plan_axis(size: int, block: int, halo: int) -> tuple[int, list[int], int]:
    """(halo, inner starts, inner) along one axis, as ``src/runtime/tiling.ts``.

    An axis that fits in one block runs whole without halo (padded up to the
    block); otherwise inner = block − 2·halo, starts 0, inner, … with the last
    clamped to size − inner.
    """
    if size <= block:
        return 0, [0], size
    inner = block - 2 * halo
    if inner < 1:
        raise ValueError(f"block {block} leaves no inner region with halo {halo}")
    starts = []
    s = 0
    while True:
        starts.append(min(s, size - inner))
        if s + inner >= size:
            break
        s += inner
    return halo, starts, inner


def tiled_predict_onnx(
    session: Any,
    x: Any,
    axes: Sequence[str],
    block_shape: Optional[Mapping[str, int]],
    halo: Optional[Mapping[str, int]] = None,
    output_axes: Optional[Sequence[str]] = None,
    pad_mode: str = "symmetric",
) -> Any:
    """Run an ONNX session on ``x`` block by block and stitch the inner regions.

    ``x`` is preprocessed and in the model axis order ``axes``. Each axis in
    ``block_shape`` is tiled (see :func:`plan_axis`); blocks reaching outside
    the image are filled by ``pad_mode`` mirroring; each block's inner region
    (halo cropped) is written into a NaN-initialised output, later blocks
    overwriting overlaps. Samples along ``batch`` run one at a time. The
    output must keep the input's spatial sizes (axis ids matched by name).
    """
    import numpy as np

    axes = list(axes)
    output_axes = list(output_axes or axes)
    block_shape = dict(block_shape or {})
    halo = dict(halo or {})
    name = session.get_inputs()[0].name
    per_axis = []
    for k, axis in enumerate(axes):
        size = x.shape[k]
        if axis == "batch":
            per_axis.append((1, 0, list(range(size)), 1))
        elif axis in block_shape:
            block = int(block_shape[axis])
            h, starts, inner = plan_axis(size, block, int(halo.get(axis, 0)))
            per_axis.append((block, h, starts, inner))
        else:
            per_axis.append((size, 0, [0], size))
    out = None
    for combo in itertools.product(*[range(len(p[2])) for p in per_axis]):
        index, src, dst = [], {}, {}
        for k, (block, h, starts, inner) in enumerate(per_axis):
            s = starts[combo[k]]
            idx = np.arange(s - h, s - h + block)
            index.append(fold(idx, x.shape[k], pad_mode))
            if axes[k] == "batch" or axes[k] in block_shape:  # others pass through whole
                end = min(s + inner, x.shape[k])
                src[axes[k]] = slice(h, h + end - s) if axes[k] != "batch" else slice(0, 1)
                dst[axes[k]] = slice(s, end)
        block_in = x[np.ix_(*index)]
        y = session.run(None, {name: np.ascontiguousarray(block_in)})[0]
        if y.ndim != len(output_axes):
            raise ValueError(f"the network returned {y.ndim} axes, expected {output_axes}")
        if out is None:
            shape = [
                x.shape[axes.index(a)] if a in axes and a != "channel" else y.shape[j]
                for j, a in enumerate(output_axes)
            ]
            out = np.full(shape, np.nan, dtype=y.dtype if y.dtype.kind == "f" else np.float32)
        out[tuple(dst.get(a, slice(None)) for a in output_axes)] = y[
            tuple(src.get(a, slice(None)) for a in output_axes)
        ]
    return out
