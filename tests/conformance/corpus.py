"""Shared helpers of the processing conformance corpus (``processing.v1.json``).

* :func:`materialize` turns an input spec into a NumPy array. Generated inputs use a
  tiny integer PRNG (mulberry32) and plain float64 arithmetic, so the TypeScript spec
  (``src/core/inference/__tests__/conformance.node.spec.ts``) rebuilds bit-identical
  arrays; each case stores the sha256 of the array bytes to prove it.
* :func:`run_core` runs a chain of steps through bioimageio.core's own proc ops,
  offline: ops built from the (0.4 or 0.5) step descriptions with ``get_proc``, all
  statistics computed once from the stage input (as core's pipeline does), then the
  ops applied in order.
"""

from __future__ import annotations

import hashlib
from typing import Any, Dict, List, Mapping, Sequence

import numpy as np

MASK32 = 0xFFFFFFFF


def _imul(a: int, b: int) -> int:
    """JavaScript's Math.imul on unsigned 32-bit values (result unsigned)."""
    return (a * b) & MASK32


def mulberry32(seed: int):
    """Uniform floats in [0, 1) (exactly k / 2**32), same sequence as the TS twin."""
    state = seed & MASK32

    def nxt() -> float:
        nonlocal state
        state = (state + 0x6D2B79F5) & MASK32
        t = state
        t = _imul(t ^ (t >> 15), t | 1)
        t ^= (t + _imul(t ^ (t >> 7), t | 61)) & MASK32
        t &= MASK32
        return ((t ^ (t >> 14)) & MASK32) / 4294967296.0

    return nxt


def _values(spec: Mapping[str, Any], n: int) -> List[float]:
    dist = spec["distribution"]
    u = mulberry32(int(spec["seed"]))
    kind = dist["kind"]
    out: List[float] = []
    for _ in range(n):
        if kind == "uniform":
            out.append(dist["low"] + (dist["high"] - dist["low"]) * u())
        elif kind == "normal":
            # Irwin-Hall: the sum of 12 uniforms minus 6 is close to N(0, 1) and
            # needs no transcendental function (identical in Python and JS).
            s = 0.0
            for _k in range(12):
                s += u()
            out.append(dist["loc"] + dist["scale"] * (s - 6.0))
        elif kind == "integers":
            # low <= v < high
            out.append(float(dist["low"] + int(u() * (dist["high"] - dist["low"]))))
        else:
            raise ValueError(f"unknown distribution {kind!r}")
    return out


def materialize(spec: Mapping[str, Any]) -> np.ndarray:
    """The array of an input spec.

    The spec is ``{shape, dtype, data}`` (inline values) or ``{shape, dtype, seed,
    distribution}`` (generated).
    """
    shape = tuple(spec["shape"])
    n = int(np.prod(shape)) if shape else 1
    values = spec["data"] if "data" in spec else _values(spec, n)
    arr = np.asarray(values, dtype=np.float64)
    if arr.size != n:
        raise ValueError(f"{arr.size} values for shape {shape}")
    return arr.astype(np.dtype(spec["dtype"])).reshape(shape)


def array_sha256(arr: np.ndarray) -> str:
    """sha256 of the C-order little-endian bytes."""
    a = np.ascontiguousarray(arr)
    if a.dtype.byteorder == ">":
        a = a.astype(a.dtype.newbyteorder("<"))
    return hashlib.sha256(a.tobytes()).hexdigest()


def encode(arr: np.ndarray) -> Dict[str, Any]:
    """An array as JSON: shape, dtype and the values (shortest round-trip floats)."""
    arr = np.asarray(arr)
    if arr.dtype == bool:
        data: List[Any] = [bool(v) for v in arr.ravel()]
    elif arr.dtype.kind == "f":
        data = [float(v) for v in arr.ravel()]
    else:
        data = [int(v) for v in arr.ravel()]
    return {"shape": list(arr.shape), "dtype": str(arr.dtype), "data": data}


def decode(enc: Mapping[str, Any]) -> np.ndarray:
    return np.asarray(enc["data"], dtype=np.dtype(enc["dtype"])).reshape(enc["shape"])


LETTER = {"batch": "b", "channel": "c", "time": "t", "index": "i"}


def letters(axes: Sequence[str]) -> str:
    """0.5 axis ids -> 0.4 axis letters (``bcyx``)."""
    return "".join(LETTER.get(a, a) for a in axes)


# --------------------------------------------------------------------------------------
# bioimageio.core


def _quiet() -> None:
    try:
        from loguru import logger

        logger.remove()
    except Exception:  # pragma: no cover
        pass


def core_ops(steps: Sequence[Mapping[str, Any]], fmt: str, stage: str, tensor_id: str,
             axes: Sequence[str]) -> list:
    """bioimageio.core operators for ``steps`` (0.4 ``{name, kwargs}`` or 0.5 ``{id, kwargs}``)."""
    from pydantic import TypeAdapter

    from bioimageio.core.proc_ops import get_proc
    from bioimageio.spec import ValidationContext
    from bioimageio.spec.model import v0_4, v0_5

    _quiet()
    with ValidationContext(perform_io_checks=False):
        if fmt == "0.4":
            union = v0_4.PreprocessingDescr if stage == "pre" else v0_4.PostprocessingDescr
            cls = v0_4.InputTensorDescr if stage == "pre" else v0_4.OutputTensorDescr
            tdescr = cls.model_construct(name=v0_4.TensorName(tensor_id), axes=letters(axes),
                                         data_type="float32")
        else:
            union = v0_5.PreprocessingDescr if stage == "pre" else v0_5.PostprocessingDescr
            cls = v0_5.InputTensorDescr if stage == "pre" else v0_5.OutputTensorDescr
            tdescr = cls.model_construct(id=v0_5.TensorId(tensor_id))
        adapter = TypeAdapter(union)
        return [get_proc(adapter.validate_python(dict(s)), tdescr) for s in steps]


def run_core(case: Mapping[str, Any], tensors: Mapping[str, np.ndarray]) -> np.ndarray:
    """Run ``case``'s steps on its target tensor with bioimageio.core; returns a NumPy array.

    ``tensors`` holds every tensor of the stage snapshot (the target and any reference
    tensors), all with the case's axes. Statistics are computed once from that
    snapshot before the first op, as core's ``UpdateStats`` does at the start of a
    stage.
    """
    from bioimageio.core.common import MemberId
    from bioimageio.core.sample import Sample
    from bioimageio.core.stat_calculators import StatsCalculator
    from bioimageio.core.tensor import Tensor

    _quiet()
    axes = case["axes"]
    target = case["target"]
    ops = core_ops(case["steps"], case["format"], case["stage"], target, axes)
    members = {MemberId(k): Tensor(v, dims=tuple(axes)) for k, v in tensors.items()}
    sample = Sample(members=members, stat={}, id="conformance")
    required = {m for op in ops for m in op.required_measures}
    if required:
        sample.stat.update(StatsCalculator(required).update_and_get_all(sample))
    for op in ops:
        op(sample)
    return np.asarray(sample.members[MemberId(target)].data)
