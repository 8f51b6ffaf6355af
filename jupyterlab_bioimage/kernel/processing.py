"""bioimage.io processing steps (pre- and postprocessing, format 0.5) in NumPy.

Explicit NumPy so the generated "numpy" cells show every step; statistics follow
bioimageio.core (from the stage's raw input, population std, eps added to the std). The
functions work on Dask arrays too (the batch run's whole-volume statistics).
"""

from __future__ import annotations

from typing import Any, Mapping, Optional, Sequence


def _reduce(axes: Sequence[str], kw: Mapping[str, Any]) -> Optional[tuple]:
    listed = kw.get("axes")
    if listed is None:
        return None
    return tuple(sorted(axes.index(a) for a in listed if a in axes))


def _along(x: Any, axes: Sequence[str], axis: str, values: Any) -> Any:
    import numpy as np

    shape = [1] * x.ndim
    shape[axes.index(axis)] = -1
    return np.asarray(values, dtype=np.float64).reshape(shape)


def apply_step(
    x: Any, op: str, kwargs: Mapping[str, Any], axes: Sequence[str], reference: Any = None
) -> Any:
    """Apply one bioimage.io processing step (0.5 form) to ``x``.

    Statistics come from ``reference`` (the stage's raw input), as in
    bioimageio.core; std is the population std, eps is added to it.
    """
    import numpy as np

    ref = x if reference is None else reference
    kw = dict(kwargs or {})
    axes = list(axes)
    if op == "ensure_dtype":
        return x.astype(np.dtype(kw["dtype"]))
    if op == "sigmoid":
        return (1.0 / (1.0 + np.exp(-x))).astype(x.dtype if x.dtype.kind == "f" else np.float32)
    if op == "zero_mean_unit_variance":
        red = _reduce(axes, kw)
        r = ref.astype(np.float64)
        mean = r.mean(axis=red, keepdims=True)
        std = r.std(axis=red, keepdims=True)
        return ((x - mean) / (std + kw.get("eps", 1e-6))).astype(np.float32)
    if op == "fixed_zero_mean_unit_variance":
        mean, std = kw["mean"], kw["std"]
        if kw.get("axis"):
            mean, std = _along(x, axes, kw["axis"], mean), _along(x, axes, kw["axis"], std)
        return ((x - mean) / (np.asarray(std) + 1e-6)).astype(np.float32)
    if op == "scale_linear":
        gain, offset = kw.get("gain", 1.0), kw.get("offset", 0.0)
        if kw.get("axis"):
            gain, offset = _along(x, axes, kw["axis"], gain), _along(x, axes, kw["axis"], offset)
        return (x * gain + offset).astype(np.float32)
    if op == "scale_range":
        red = _reduce(axes, kw)
        lo = np.percentile(ref, kw.get("min_percentile", 0.0), axis=red, keepdims=True)
        hi = np.percentile(ref, kw.get("max_percentile", 100.0), axis=red, keepdims=True)
        return ((x - lo) / (hi - lo + kw.get("eps", 1e-6))).astype(np.float32)
    if op == "clip":
        red = _reduce(axes, kw)
        lo, hi = kw.get("min"), kw.get("max")
        if kw.get("min_percentile") is not None:
            lo = np.percentile(ref, kw["min_percentile"], axis=red, keepdims=True, method="inverted_cdf")
        if kw.get("max_percentile") is not None:
            hi = np.percentile(ref, kw["max_percentile"], axis=red, keepdims=True, method="inverted_cdf")
        return np.clip(x, lo, hi)
    if op == "binarize":
        t = kw["threshold"]
        if kw.get("axis"):
            t = _along(x, axes, kw["axis"], t)
        return x > t
    if op == "softmax":
        k = axes.index(kw.get("axis", "channel"))
        e = np.exp(x - x.max(axis=k, keepdims=True))
        return (e / e.sum(axis=k, keepdims=True)).astype(np.float32)
    raise NotImplementedError(f"processing step {op!r} is not supported here")


def apply_processing(x: Any, steps: Sequence[Mapping[str, Any]], axes: Sequence[str]) -> Any:
    """Apply a stage (list of ``{id, kwargs}``); statistics from the stage input."""
    raw = x
    for step in steps:
        x = apply_step(x, step["id"], step.get("kwargs") or {}, axes, reference=raw)
    return x
