"""bioimage.io processing steps (pre- and postprocessing) in NumPy.

Explicit NumPy so the generated "numpy" cells show every step. The numbers are those of
bioimageio.core and of the browser (``src/core/inference/processing``); the shared corpus
``tests/conformance/processing.v1.json`` checks all three. What that means:

* statistics come from the stage's *raw* input (``reference``), computed in float64;
  std is the population std and ``eps`` is added to the std, not the variance;
* percentiles: ``scale_range`` uses NumPy's ``linear`` method; ``clip`` uses
  ``inverted_cdf`` for per-sample axes and ``linear`` for dataset-wide ones (``axes``
  omitted, or listing ``batch``), as core does;
* ``reference_tensor`` (``scale_range``, ``scale_mean_variance``) names another tensor of
  the stage: pass the stage's raw tensors as ``references={id: array}`` (arrays in this
  tensor's axis order, or ``(array, axes)`` pairs) and this tensor's id as ``tensor_id``;
* 0.4 spellings (``{name, kwargs}`` with ``mode`` and axis letters) are converted to the
  0.5 form first, as the browser's description reader does (:func:`normalize_step`).

The functions work on Dask arrays too (the batch run's whole-volume statistics).
"""

from __future__ import annotations

from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

EPS = 1e-6
_LETTER_TO_ID = {"b": "batch", "c": "channel", "t": "time", "i": "index"}


def _axis_id(a: str) -> str:
    return _LETTER_TO_ID.get(a, a) if len(a) == 1 else a


def _ids(value: Any) -> Optional[List[str]]:
    """0.5 axis ids from a 0.5 list or a 0.4 letter string; None stays None."""
    if value is None:
        return None
    return [_axis_id(a) for a in (list(value) if isinstance(value, str) else value)]


def normalize_step(step: Mapping[str, Any], axes: Sequence[str]) -> Tuple[str, Dict[str, Any]]:
    """``(id, kwargs)`` of one step in the 0.5 form, converting a 0.4 ``{name, kwargs}``.

    0.4 ``mode: per_dataset`` becomes ``batch`` in ``axes``; ``zero_mean_unit_variance``
    with ``mode: fixed`` becomes ``fixed_zero_mean_unit_variance`` (its 0.4 ``eps`` is
    dropped, as core does); value lists of 0.4 ``scale_linear`` / fixed zmuv run along the
    single non-batch axis not in ``axes``. 0.5 steps are returned unchanged.
    """
    kw = {k: v for k, v in dict(step.get("kwargs") or {}).items() if v is not None}
    if "id" in step:
        return str(step["id"]), kw
    name = str(step["name"])
    ids = [_axis_id(a) for a in axes]
    mode = kw.pop("mode", None)
    listed = _ids(kw.pop("axes", None))

    def with_batch(a: Optional[List[str]]) -> Optional[List[str]]:
        return ["batch", *a] if a is not None and mode == "per_dataset" else a

    def complement() -> str:
        rest = [a for a in ids if a != "batch" and a not in (listed or [])]
        if listed is None or len(rest) != 1:
            raise ValueError(f"{name}: value lists need exactly one axis outside axes={listed}")
        return rest[0]

    if name == "scale_linear":
        if isinstance(kw.get("gain"), list) or isinstance(kw.get("offset"), list):
            kw["axis"] = complement()
        return name, kw
    if name == "zero_mean_unit_variance":
        if (mode or "fixed") == "fixed":
            out: Dict[str, Any] = {"mean": kw["mean"], "std": kw["std"]}
            if isinstance(kw["mean"], list) or isinstance(kw["std"], list):
                out["axis"] = complement()
            return "fixed_zero_mean_unit_variance", out
        kw["axes"] = with_batch(listed)
        return name, kw
    if name in ("scale_range", "scale_mean_variance"):
        if listed is None and mode == "per_dataset" and name == "scale_mean_variance":
            listed = [a for a in ids if a != "batch"]
        kw["axes"] = with_batch(listed)
        return name, {k: v for k, v in kw.items() if v is not None}
    return name, kw


def _reduce(axes: Sequence[str], listed: Optional[Sequence[str]]) -> Optional[tuple]:
    """Dimension indices of ``listed`` axis ids (None: all); ids the tensor lacks are skipped."""
    if listed is None:
        return None
    return tuple(sorted(axes.index(a) for a in listed if a in axes))


def _along(x: Any, axes: Sequence[str], axis: str, values: Any) -> Any:
    import numpy as np

    v = np.atleast_1d(np.asarray(values, dtype=np.float64))
    shape = [1] * x.ndim
    shape[list(axes).index(axis)] = -1
    return v.reshape(shape)


def _is_dataset(listed: Optional[Sequence[str]]) -> bool:
    """Dataset-wide statistics: axes omitted, or listing ``batch`` (digest 6.2)."""
    return listed is None or "batch" in listed


def _source(
    x: Any,
    axes: Sequence[str],
    ref_id: Optional[str],
    reference: Any,
    references: Optional[Mapping[str, Any]],
    tensor_id: Optional[str],
    op: str,
) -> Tuple[Any, List[str]]:
    """The raw tensor (and its axes) that statistics are computed from."""
    own = x if reference is None else reference
    if ref_id is None or (tensor_id is not None and ref_id == tensor_id):
        return own, list(axes)
    if references is not None and ref_id in references:
        r = references[ref_id]
        if isinstance(r, tuple):
            return r[0], [_axis_id(a) for a in r[1]]
        return r, list(axes)
    raise ValueError(
        f"{op}: reference_tensor {ref_id!r} is not available; pass the stage's raw "
        f"tensors as references={{{ref_id!r}: array, ...}} (and tensor_id= this tensor's id)"
    )


def _stat(
    fn: str, src: Any, src_axes: Sequence[str], listed: Optional[Sequence[str]],
    x_axes: Sequence[str], **kw: Any
) -> Any:
    """A statistic of ``src`` reduced over ``listed``, shaped to broadcast against ``x``.

    ``fn`` is ``mean``, ``std`` or ``percentile`` (``q`` and ``method`` in ``kw``). Kept
    axes are matched by id, so a reference tensor may have another axis order.
    """
    import numpy as np

    red = _reduce(src_axes, listed)
    s = src.astype(np.float64)
    if fn == "percentile":
        v = np.percentile(s, kw["q"], axis=red, keepdims=True, method=kw["method"])
    else:
        v = getattr(s, fn)(axis=red, keepdims=True)
    if list(src_axes) == list(x_axes):
        return v
    kept = [a for i, a in enumerate(src_axes) if v.shape[i] != 1]
    missing = [a for a in kept if a not in x_axes]
    if missing:
        raise ValueError(f"statistic over axes {missing} does not fit tensor axes {list(x_axes)}")
    v = v.reshape([v.shape[src_axes.index(a)] for a in kept])
    order = [a for a in x_axes if a in kept]
    v = np.transpose(v, [kept.index(a) for a in order])
    return v.reshape([v.shape[order.index(a)] if a in order else 1 for a in x_axes])


def _to_float32(y: Any) -> Any:
    import numpy as np

    return y.astype(np.float32) if y.dtype.kind == "f" and y.dtype != np.float32 else y


def apply_step(
    x: Any,
    op: str,
    kwargs: Mapping[str, Any],
    axes: Sequence[str],
    reference: Any = None,
    *,
    references: Optional[Mapping[str, Any]] = None,
    tensor_id: Optional[str] = None,
) -> Any:
    """Apply one bioimage.io processing step (0.5 ``id`` and kwargs) to ``x``.

    ``reference`` is this tensor's raw stage input (statistics come from it, as in
    bioimageio.core; default: ``x``). ``references`` maps other tensor ids of the stage to
    their raw arrays, for ``reference_tensor``; a ``reference_tensor`` that is neither
    ``tensor_id`` nor in ``references`` is an error, never silently this tensor.
    Float results are float32 (the network's input type); ``binarize`` gives bool,
    ``ensure_dtype`` its dtype, ``clip`` keeps integer dtypes for integer bounds.
    """
    out = _step(x, op, kwargs, axes, reference, references, tensor_id)
    return out if op == "ensure_dtype" else _to_float32(out)


def _step(
    x: Any,
    op: str,
    kwargs: Mapping[str, Any],
    axes: Sequence[str],
    reference: Any,
    references: Optional[Mapping[str, Any]],
    tensor_id: Optional[str],
) -> Any:
    """One step at full precision: float arithmetic in float64, the result float32 for a
    float32 ``x`` and float64 otherwise (NumPy's promotion with Python float scalars, as in
    bioimageio.core and the browser)."""
    import numpy as np

    def _float(y: Any) -> Any:
        return y.astype(np.float32 if x.dtype == np.float32 else np.float64)

    kw = {k: v for k, v in dict(kwargs or {}).items() if v is not None}
    axes = [_axis_id(a) for a in axes]
    raw = x if reference is None else reference
    if op == "zero_mean_unit_variance" and ("mean" in kw or "std" in kw):
        # A 0.4 `mode: fixed` step that was not converted.
        op = "fixed_zero_mean_unit_variance"
        kw = {k: kw[k] for k in ("mean", "std", "axis") if k in kw}
    listed = _ids(kw.get("axes"))

    if op == "ensure_dtype":
        dt = str(kw["dtype"])
        return x.astype(np.bool_ if dt == "bool" else np.dtype(dt))
    if op == "sigmoid":
        return _float(1.0 / (1.0 + np.exp(-x.astype(np.float64))))
    if op == "softmax":
        k = axes.index(kw.get("axis", "channel"))
        f = x.astype(np.float64)
        e = np.exp(f - f.max(axis=k, keepdims=True))
        return _float(e / e.sum(axis=k, keepdims=True))
    if op == "zero_mean_unit_variance":
        mean = _stat("mean", raw, axes, listed, axes)
        std = _stat("std", raw, axes, listed, axes)
        return _float((x - mean) / (std + kw.get("eps", EPS)))
    if op == "fixed_zero_mean_unit_variance":
        mean, std = kw["mean"], kw["std"]
        if kw.get("axis"):
            mean, std = _along(x, axes, kw["axis"], mean), _along(x, axes, kw["axis"], std)
        else:
            mean, std = float(np.ravel(mean)[0]), float(np.ravel(std)[0])
        return _float((x - mean) / (std + EPS))
    if op == "scale_linear":
        gain, offset = kw.get("gain", 1.0), kw.get("offset", 0.0)
        if kw.get("axis"):
            gain, offset = _along(x, axes, kw["axis"], gain), _along(x, axes, kw["axis"], offset)
        else:
            gain, offset = float(np.ravel(gain)[0]), float(np.ravel(offset)[0])
        return _float(x * gain + offset)
    if op == "scale_range":
        src, src_axes = _source(x, axes, kw.get("reference_tensor"), raw, references, tensor_id, op)
        lo = _stat("percentile", src, src_axes, listed, axes, q=kw.get("min_percentile", 0.0),
                   method="linear")
        hi = _stat("percentile", src, src_axes, listed, axes, q=kw.get("max_percentile", 100.0),
                   method="linear")
        return _float((x - lo) / (hi - lo + kw.get("eps", EPS)))
    if op == "scale_mean_variance":
        if "reference_tensor" not in kw:
            raise ValueError("scale_mean_variance: kwarg 'reference_tensor' is required")
        src, src_axes = _source(x, axes, kw["reference_tensor"], raw, references, tensor_id, op)
        eps = kw.get("eps", EPS)
        mean = _stat("mean", raw, axes, listed, axes)
        std = _stat("std", raw, axes, listed, axes)
        ref_mean = _stat("mean", src, src_axes, listed, axes)
        ref_std = _stat("std", src, src_axes, listed, axes)
        return _float((x - mean) / (std + eps) * (ref_std + eps) + ref_mean)
    if op == "clip":
        method = "linear" if _is_dataset(listed) else "inverted_cdf"
        lo, hi = kw.get("min"), kw.get("max")
        if "min_percentile" in kw:
            lo = _stat("percentile", raw, axes, listed, axes, q=kw["min_percentile"], method=method)
        if "max_percentile" in kw:
            hi = _stat("percentile", raw, axes, listed, axes, q=kw["max_percentile"], method=method)
        if lo is None and hi is None:
            raise ValueError("clip: needs min/min_percentile or max/max_percentile")
        return np.clip(x, lo, hi)
    if op == "binarize":
        t = kw["threshold"]
        if kw.get("axis"):
            t = _along(x, axes, kw["axis"], t)
        elif isinstance(t, (list, tuple)):
            t = float(t[0])
        return x > t
    raise NotImplementedError(f"processing step {op!r} is not supported here")


def apply_processing(
    x: Any,
    steps: Sequence[Mapping[str, Any]],
    axes: Sequence[str],
    *,
    references: Optional[Mapping[str, Any]] = None,
    tensor_id: Optional[str] = None,
) -> Any:
    """Apply a stage (list of 0.5 ``{id, kwargs}`` or 0.4 ``{name, kwargs}``) to ``x``.

    Every statistic comes from ``x`` as it enters the stage (and from ``references``,
    the stage's other raw tensors by id, for ``reference_tensor``), as in bioimageio.core.
    Steps run at full precision; a float result is returned as float32 unless the stage
    ends with ``ensure_dtype``.
    """
    raw = x
    last = None
    for step in steps:
        last, kw = normalize_step(step, axes)
        x = _step(x, last, kw, axes, raw, references, tensor_id)
    # Intermediates keep full precision (a later ensure_dtype truncates what core would);
    # a float result is handed on as float32, like apply_step's.
    return x if last == "ensure_dtype" else _to_float32(x)
