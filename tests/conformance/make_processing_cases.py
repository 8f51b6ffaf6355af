#!/usr/bin/env python3
"""Write ``processing.v1.json``: the processing conformance corpus (one corpus, three
implementations: bioimageio.core, the kernel's ``jupyterlab_bioimage.kernel.processing``
and the browser's ``src/core/inference/processing``).

Run from the repository root with the dev venv (bioimageio.core installed)::

    python tests/conformance/make_processing_cases.py          # rewrite the JSON
    python tests/conformance/make_processing_cases.py --check  # exit 1 if it would change

Each case: ``name``; ``op`` (the op it is about, for counting); ``format`` (``0.4`` steps
are ``{name, kwargs}`` with ``mode`` and axis letters, ``0.5`` steps ``{id, kwargs}``);
``stage`` (``pre``/``post``); ``axes`` (0.5 axis ids, shared by every tensor of the case);
``tensors`` (input specs by tensor id: a seeded generator spec, see ``corpus.py``, or
inline ``data``, plus the ``sha256`` of the materialised array); ``target`` (the tensor the
steps apply to; the other tensors are reference tensors of the same stage); ``steps``
exactly as written in a description; ``expected`` (shape, dtype, data); ``exact_dtype``
(whether implementations must produce ``expected.dtype`` itself: cases ending in
``ensure_dtype`` or ``binarize``, where the spec fixes the dtype -- elsewhere float
results may be float32 or float64); ``expected_from`` and ``core``:

* ``expected_from: core``, ``core: agrees`` -- expected values are bioimageio.core's;
* ``expected_from: hand``, ``core: differs`` or ``raises`` -- core does not implement the
  spec here (``note`` says how); expected values are computed by hand in this file from
  the spec formula (float64), and the test checks that core still deviates, so the case is
  revisited when core changes.

Statistics are always those of the stage input (core computes every measure once, when
the stage starts). Implicit 0.5 ``ensure_dtype`` steps are not added: steps are run
exactly as listed.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from corpus import array_sha256, encode, materialize, run_core  # noqa: E402

OUT = HERE / "processing.v1.json"
VERSION = 1
EPS = 1e-6

BCYX = ["batch", "channel", "y", "x"]
YXC = ["y", "x", "channel"]
BCZYX = ["batch", "channel", "z", "y", "x"]


def gen(shape, dtype, seed, kind, **params) -> Dict[str, Any]:
    return {"shape": list(shape), "dtype": dtype, "seed": seed,
            "distribution": {"kind": kind, **params}}


def inline(values, dtype) -> Dict[str, Any]:
    a = np.asarray(values, dtype=np.float64)
    return {"shape": list(a.shape), "dtype": dtype, "data": a.ravel().tolist()}


# Shared inputs (small, so the JSON stays small).
F1 = gen([1, 3, 5, 6], "float32", 11, "normal", loc=2.0, scale=3.0)
F2 = gen([2, 2, 4, 5], "float32", 12, "normal", loc=-1.0, scale=0.5)
R1 = gen([1, 3, 5, 6], "float32", 13, "uniform", low=10.0, high=20.0)
R2 = gen([2, 2, 4, 5], "float32", 14, "uniform", low=-4.0, high=4.0)
FC = gen([4, 5, 3], "float32", 15, "uniform", low=0.0, high=100.0)
F3D = gen([1, 1, 3, 4, 5], "float32", 16, "normal", loc=0.5, scale=2.0)
F64 = gen([1, 2, 4, 5], "float64", 17, "normal", loc=0.0, scale=10.0)
U8 = gen([1, 1, 6, 5], "uint8", 18, "integers", low=0, high=256)
U8T = gen([1, 2, 5, 4], "uint8", 19, "integers", low=0, high=6)  # many ties
U16 = gen([1, 1, 4, 6], "uint16", 20, "integers", low=0, high=65536)
I16 = gen([1, 1, 4, 5], "int16", 21, "integers", low=-300, high=300)
BIG = gen([1, 3, 2, 4], "float32", 22, "normal", loc=0.0, scale=40.0)
TRUNC = inline([[[[-3.7, -0.5, 0.5, 2.9, 127.99, -128.6, 0.0, -0.0]]]], "float32")
POS = inline([[[[0.2, 0.99, 1.5, 254.9, 17.0, 3.3, 255.0, 0.0]]]], "float32")
ROUND64 = inline([[[[0.1, 1 / 3, 2.0 ** -30, 1e30, -7.000000123, 16777217.0]]]], "float64")
U16V = inline([[[[0, 1, 255, 256, 65535, 40000]]]], "uint16")

CASES: List[Dict[str, Any]] = []


def case(name: str, op: str, steps: List[Dict[str, Any]], tensors: Dict[str, Dict[str, Any]],
         axes=BCYX, fmt: str = "0.5", stage: str = "pre", target: str = "t",
         hand: Optional[Any] = None, core: str = "agrees", note: str = "") -> None:
    """One case. ``hand(arrays)`` gives the expected values where core can't (see module doc)."""
    CASES.append({"name": name, "op": op, "format": fmt, "stage": stage, "axes": list(axes),
                  "tensors": tensors, "target": target, "steps": steps,
                  "_hand": hand, "core": core, "note": note})


def s5(op: str, **kw) -> Dict[str, Any]:
    return {"id": op, "kwargs": kw} if kw else {"id": op}


def s4(op: str, **kw) -> Dict[str, Any]:
    return {"name": op, "kwargs": kw} if kw else {"name": op}


def pos(axes, names):
    return tuple(axes.index(n) for n in names)


def bc(values, axes, axis):
    shape = [1] * len(axes)
    shape[axes.index(axis)] = len(values)
    return np.asarray(values, np.float64).reshape(shape)


def zmuv(f, red, eps):
    f = f.astype(np.float64)
    return (f - f.mean(axis=red, keepdims=True)) / (f.std(axis=red, keepdims=True) + eps)


def srange(f, red, lo, hi, eps):
    f = f.astype(np.float64)
    plo = np.percentile(f, lo, axis=red, keepdims=True)
    phi = np.percentile(f, hi, axis=red, keepdims=True)
    return (f - plo) / (phi - plo + eps)


EPS_NOTE = ("bioimageio.core 0.11.0 drops kwargs.eps of {op} (its from_proc_descr does not "
            "pass it on, 1e-6 is used); expected follows the spec formula with the given eps")

# ---------------------------------------------------------------- binarize
case("binarize scalar threshold", "binarize", [s5("binarize", threshold=2.0)], {"t": F1})
case("binarize 0.4 spelling", "binarize", [s4("binarize", threshold=-0.5)], {"t": F2}, fmt="0.4")
case("binarize per-axis, channel last", "binarize",
     [s5("binarize", threshold=[10.0, 50.0, 90.0], axis="channel")], {"t": FC}, axes=YXC)
case("binarize per-axis, channel not last", "binarize",
     [s5("binarize", threshold=[0.0, 2.0, 4.0], axis="channel")], {"t": F1},
     hand=lambda a: a["t"] > bc([0.0, 2.0, 4.0], BCYX, "channel"), core="raises",
     note="core compares with the plain list, i.e. broadcasts it against the last axis "
          "(digest 6.3): wrong or an error unless axis is last; expected: threshold[i] "
          "applies to index i along `axis`")
case("binarize uint8 strictly greater (ties)", "binarize", [s5("binarize", threshold=3)],
     {"t": U8T})
case("binarize post (after sigmoid)", "binarize",
     [s5("sigmoid"), s5("binarize", threshold=0.5)], {"t": F1}, stage="post")

# ---------------------------------------------------------------- clip
case("clip min max", "clip", [s5("clip", min=0.0, max=4.5)], {"t": F1})
case("clip max only", "clip", [s5("clip", max=1.5)], {"t": F1})
case("clip min only", "clip", [s5("clip", min=-1.0)], {"t": F2})
case("clip 0.4 spelling", "clip", [s4("clip", min=-2.0, max=3.0)], {"t": F1}, fmt="0.4")
case("clip uint8 fixed bounds", "clip", [s5("clip", min=10, max=200)], {"t": U8})
case("clip percentiles per sample y,x (inverted_cdf)", "clip",
     [s5("clip", min_percentile=10, max_percentile=90, axes=["y", "x"])], {"t": F1})
case("clip percentiles per sample channel,y,x", "clip",
     [s5("clip", min_percentile=3, max_percentile=97.5, axes=["channel", "y", "x"])], {"t": F2})
case("clip min_percentile only, y,x", "clip",
     [s5("clip", min_percentile=25, axes=["y", "x"])], {"t": F1})
case("clip max_percentile, axes omitted (dataset: linear)", "clip",
     [s5("clip", max_percentile=75.5)], {"t": F1})
case("clip percentiles batch,y,x (dataset: linear)", "clip",
     [s5("clip", min_percentile=5, max_percentile=95, axes=["batch", "y", "x"])], {"t": F2})
case("clip percentiles on ties, per sample (inverted_cdf)", "clip",
     [s5("clip", min_percentile=30, max_percentile=70, axes=["y", "x"])], {"t": U8T})
case("clip percentiles on ties, dataset (linear)", "clip",
     [s5("clip", min_percentile=30, max_percentile=70)], {"t": U8T})
case("clip fixed min, max_percentile", "clip",
     [s5("clip", min=0.0, max_percentile=80, axes=["y", "x"])], {"t": F1})

# ---------------------------------------------------------------- scale_linear
case("scale_linear scalar", "scale_linear", [s5("scale_linear", gain=2.5, offset=-1.0)], {"t": F1})
case("scale_linear uint8 1/255", "scale_linear",
     [s5("scale_linear", gain=0.00392156862745098, offset=0)], {"t": U8})
case("scale_linear gain only", "scale_linear", [s5("scale_linear", gain=-0.5)], {"t": F64})
case("scale_linear per-axis gain, scalar offset", "scale_linear",
     [s5("scale_linear", axis="channel", gain=[0.5, -2.0, 3.0], offset=1.25)], {"t": F1})
case("scale_linear per-axis offset, channel last", "scale_linear",
     [s5("scale_linear", axis="channel", gain=2.0, offset=[1.0, 2.0, 3.0])], {"t": FC}, axes=YXC)
case("scale_linear 0.4 spelling scalars", "scale_linear",
     [s4("scale_linear", gain=3.0, offset=0.5)], {"t": F1}, fmt="0.4")
case("scale_linear 0.4 lists with axes yx", "scale_linear",
     [s4("scale_linear", gain=[1.0, 2.0, 3.0], offset=[0.0, -1.0, 1.0], axes="yx")], {"t": F1},
     fmt="0.4",
     hand=lambda a: a["t"].astype(np.float64) * bc([1.0, 2.0, 3.0], BCYX, "channel")
     + bc([0.0, -1.0, 1.0], BCYX, "channel"),
     core="raises",
     note="core raises NotImplementedError for 0.4 scale_linear with axes; expected: the "
          "lists run along the single non-batch axis not in axes (the spec's 0.5 converter)")

# ---------------------------------------------------------------- sigmoid, softmax
case("sigmoid float32", "sigmoid", [s5("sigmoid")], {"t": F1})
case("sigmoid float64", "sigmoid", [s5("sigmoid")], {"t": F64})
case("sigmoid large magnitudes", "sigmoid", [s5("sigmoid")], {"t": BIG}, stage="post")
case("sigmoid 0.4 spelling", "sigmoid", [s4("sigmoid")], {"t": F2}, fmt="0.4", stage="post")
case("softmax default channel", "softmax", [s5("softmax")], {"t": BIG}, stage="post")
case("softmax along x", "softmax", [s5("softmax", axis="x")], {"t": F1}, stage="post")

# ---------------------------------------------------------------- zero_mean_unit_variance
case("zmuv axes x,y (per sample and channel)", "zero_mean_unit_variance",
     [s5("zero_mean_unit_variance", axes=["x", "y"])], {"t": F1})
case("zmuv axes omitted", "zero_mean_unit_variance", [s5("zero_mean_unit_variance")], {"t": F1})
case("zmuv per sample channel,y,x (batch 2)", "zero_mean_unit_variance",
     [s5("zero_mean_unit_variance", axes=["channel", "y", "x"])], {"t": F2})
case("zmuv dataset batch,y,x (batch 2)", "zero_mean_unit_variance",
     [s5("zero_mean_unit_variance", axes=["batch", "y", "x"])], {"t": F2})
case("zmuv eps 1e-3", "zero_mean_unit_variance",
     [s5("zero_mean_unit_variance", axes=["y", "x"], eps=1e-3)], {"t": F1},
     hand=lambda a: zmuv(a["t"], (2, 3), 1e-3), core="differs",
     note=EPS_NOTE.format(op="zero_mean_unit_variance"))
case("zmuv channel last, axes y,x", "zero_mean_unit_variance",
     [s5("zero_mean_unit_variance", axes=["y", "x"])], {"t": FC}, axes=YXC)
case("zmuv 3D axes z,y,x", "zero_mean_unit_variance",
     [s5("zero_mean_unit_variance", axes=["z", "y", "x"])], {"t": F3D}, axes=BCZYX)
case("zmuv uint8 input", "zero_mean_unit_variance",
     [s5("zero_mean_unit_variance", axes=["y", "x"])], {"t": U8})
case("zmuv axes y only", "zero_mean_unit_variance",
     [s5("zero_mean_unit_variance", axes=["y"])], {"t": F1})
case("zmuv 0.4 per_sample yx", "zero_mean_unit_variance",
     [s4("zero_mean_unit_variance", mode="per_sample", axes="yx")], {"t": F1}, fmt="0.4")
case("zmuv 0.4 per_sample cyx", "zero_mean_unit_variance",
     [s4("zero_mean_unit_variance", mode="per_sample", axes="cyx")], {"t": F2}, fmt="0.4")
case("zmuv 0.4 per_dataset yx (batch 2)", "zero_mean_unit_variance",
     [s4("zero_mean_unit_variance", mode="per_dataset", axes="yx")], {"t": F2}, fmt="0.4")
case("zmuv 0.4 per_sample eps 0.01", "zero_mean_unit_variance",
     [s4("zero_mean_unit_variance", mode="per_sample", axes="yx", eps=0.01)], {"t": F1},
     fmt="0.4", hand=lambda a: zmuv(a["t"], (2, 3), 0.01), core="differs",
     note=EPS_NOTE.format(op="zero_mean_unit_variance"))
case("zmuv 0.4 fixed scalars", "zero_mean_unit_variance",
     [s4("zero_mean_unit_variance", mode="fixed", axes="cyx", mean=1.5, std=2.5)], {"t": F1},
     fmt="0.4")
case("zmuv 0.4 fixed per channel", "zero_mean_unit_variance",
     [s4("zero_mean_unit_variance", mode="fixed", axes="yx", mean=[1.0, 2.0, -1.0],
         std=[0.5, 2.0, 4.0])], {"t": F1}, fmt="0.4")

# ---------------------------------------------------------------- fixed_zero_mean_unit_variance
case("fixed zmuv scalars", "fixed_zero_mean_unit_variance",
     [s5("fixed_zero_mean_unit_variance", mean=1.5, std=2.5)], {"t": F1})
case("fixed zmuv per channel", "fixed_zero_mean_unit_variance",
     [s5("fixed_zero_mean_unit_variance", axis="channel", mean=[1.0, 2.0, -1.0],
         std=[0.5, 2.0, 4.0])], {"t": F1})
case("fixed zmuv per channel, channel last", "fixed_zero_mean_unit_variance",
     [s5("fixed_zero_mean_unit_variance", axis="channel", mean=[50.0, 40.0, 60.0],
         std=[30.0, 20.0, 25.0])], {"t": FC}, axes=YXC)
case("fixed zmuv post (humorous-fox style)", "fixed_zero_mean_unit_variance",
     [s5("fixed_zero_mean_unit_variance", axis="channel", mean=[-1.0, 0.5], std=[0.25, 1.0])],
     {"t": F2}, stage="post")

# ---------------------------------------------------------------- scale_range
case("scale_range y,x 1..99.8", "scale_range",
     [s5("scale_range", axes=["y", "x"], min_percentile=1, max_percentile=99.8)], {"t": F1})
case("scale_range defaults (axes omitted)", "scale_range", [s5("scale_range")], {"t": F1})
case("scale_range channel,y,x 2..98", "scale_range",
     [s5("scale_range", axes=["channel", "y", "x"], min_percentile=2, max_percentile=98)],
     {"t": F2})
case("scale_range dataset batch,y,x", "scale_range",
     [s5("scale_range", axes=["batch", "y", "x"], min_percentile=5, max_percentile=95)],
     {"t": F2})
case("scale_range min_percentile only", "scale_range",
     [s5("scale_range", axes=["y", "x"], min_percentile=10)], {"t": F1})
case("scale_range max_percentile only", "scale_range",
     [s5("scale_range", axes=["y", "x"], max_percentile=90)], {"t": F1})
case("scale_range eps 1e-4", "scale_range",
     [s5("scale_range", axes=["y", "x"], min_percentile=5, max_percentile=95, eps=1e-4)],
     {"t": F1}, hand=lambda a: srange(a["t"], (2, 3), 5, 95, 1e-4), core="differs",
     note=EPS_NOTE.format(op="scale_range"))
case("scale_range uint8 y,x", "scale_range",
     [s5("scale_range", axes=["y", "x"], min_percentile=2, max_percentile=98)], {"t": U8})
case("scale_range 3D z,y,x", "scale_range",
     [s5("scale_range", axes=["z", "y", "x"], min_percentile=1, max_percentile=99)], {"t": F3D},
     axes=BCZYX)
case("scale_range reference_tensor (other input)", "scale_range",
     [s5("scale_range", axes=["y", "x"], min_percentile=5, max_percentile=95,
         reference_tensor="r")], {"t": F1, "r": R1})
case("scale_range reference_tensor names itself", "scale_range",
     [s5("scale_range", axes=["y", "x"], min_percentile=5, max_percentile=95,
         reference_tensor="t")], {"t": F1, "r": R1})
case("scale_range post, reference_tensor an input", "scale_range",
     [s5("scale_range", axes=["channel", "y", "x"], reference_tensor="r")],
     {"t": F2, "r": R2}, stage="post")
case("scale_range 0.4 per_sample yx", "scale_range",
     [s4("scale_range", mode="per_sample", axes="yx", min_percentile=1, max_percentile=99.8)],
     {"t": F1}, fmt="0.4")
case("scale_range 0.4 per_dataset yx (batch 2)", "scale_range",
     [s4("scale_range", mode="per_dataset", axes="yx", min_percentile=3, max_percentile=97)],
     {"t": F2}, fmt="0.4")
case("scale_range 0.4 reference_tensor", "scale_range",
     [s4("scale_range", mode="per_sample", axes="cyx", min_percentile=0, max_percentile=100,
         reference_tensor="r")], {"t": F2, "r": R2}, fmt="0.4", stage="post")

# ---------------------------------------------------------------- scale_mean_variance
case("scale_mean_variance y,x", "scale_mean_variance",
     [s5("scale_mean_variance", reference_tensor="r", axes=["y", "x"])],
     {"t": F1, "r": R1}, stage="post")
case("scale_mean_variance axes omitted", "scale_mean_variance",
     [s5("scale_mean_variance", reference_tensor="r")], {"t": F1, "r": R1}, stage="post")
case("scale_mean_variance dataset batch,y,x", "scale_mean_variance",
     [s5("scale_mean_variance", reference_tensor="r", axes=["batch", "y", "x"])],
     {"t": F2, "r": R2}, stage="post")
case("scale_mean_variance eps 1e-2", "scale_mean_variance",
     [s5("scale_mean_variance", reference_tensor="r", axes=["channel", "y", "x"], eps=1e-2)],
     {"t": F2, "r": R2}, stage="post")
case("scale_mean_variance 0.4 per_sample yx", "scale_mean_variance",
     [s4("scale_mean_variance", mode="per_sample", reference_tensor="r", axes="yx")],
     {"t": F1, "r": R1}, fmt="0.4", stage="post")
case("scale_mean_variance 0.4 per_dataset, axes omitted", "scale_mean_variance",
     [s4("scale_mean_variance", mode="per_dataset", reference_tensor="r")],
     {"t": F2, "r": R2}, fmt="0.4", stage="post")

# ---------------------------------------------------------------- ensure_dtype
case("ensure_dtype float32 -> uint8 (truncates)", "ensure_dtype",
     [s5("ensure_dtype", dtype="uint8")], {"t": POS})
case("ensure_dtype float32 -> int16 (toward zero)", "ensure_dtype",
     [s5("ensure_dtype", dtype="int16")], {"t": TRUNC})
case("ensure_dtype float32 -> int32", "ensure_dtype", [s5("ensure_dtype", dtype="int32")],
     {"t": TRUNC})
case("ensure_dtype float32 -> bool", "ensure_dtype", [s5("ensure_dtype", dtype="bool")],
     {"t": TRUNC})
case("ensure_dtype uint8 -> float32", "ensure_dtype", [s5("ensure_dtype", dtype="float32")],
     {"t": U8})
case("ensure_dtype float32 -> float64", "ensure_dtype", [s5("ensure_dtype", dtype="float64")],
     {"t": F1})
case("ensure_dtype float64 -> float32 (rounds)", "ensure_dtype",
     [s5("ensure_dtype", dtype="float32")], {"t": ROUND64})
case("ensure_dtype float32 -> uint16", "ensure_dtype", [s5("ensure_dtype", dtype="uint16")],
     {"t": POS})
case("ensure_dtype uint16 -> float32 -> uint16 round trip", "ensure_dtype",
     [s5("ensure_dtype", dtype="float32"), s5("ensure_dtype", dtype="uint16")], {"t": U16V})
case("ensure_dtype uint8 -> float32 -> uint8 round trip", "ensure_dtype",
     [s5("ensure_dtype", dtype="float32"), s5("ensure_dtype", dtype="uint8")], {"t": U8})
case("ensure_dtype int16 -> float32", "ensure_dtype", [s5("ensure_dtype", dtype="float32")],
     {"t": I16})
case("ensure_dtype uint8 -> int64", "ensure_dtype", [s5("ensure_dtype", dtype="int64")],
     {"t": U8})

# ---------------------------------------------------------------- chains (stage rules)
case("chain: clip then zmuv uses unclipped statistics", "chain",
     [s5("clip", min=0.0, max=3.0), s5("zero_mean_unit_variance", axes=["y", "x"])], {"t": F1})
case("chain: scale_linear then scale_range uses unscaled statistics", "chain",
     [s5("scale_linear", gain=10, offset=5), s5("scale_range", axes=["y", "x"]),
      s5("ensure_dtype", dtype="float32")], {"t": F1})
case("chain: uint8 -> float32, scale_range, clip 0..1", "chain",
     [s5("ensure_dtype", dtype="float32"),
      s5("scale_range", axes=["y", "x"], min_percentile=2, max_percentile=98),
      s5("clip", min=0.0, max=1.0)], {"t": U8})
# max_percentile 99.5, not 100: at the maximum 255 * (1 - 1e-11) truncates to 254 in float64
# (core, browser, apply_processing) but to 255 after the float32 rounding that a step-by-step
# bia.apply_step chain (the generated cells) does between steps.
case("chain: uint16 normalised to uint8", "chain",
     [s5("scale_range", axes=["y", "x"], max_percentile=99.5), s5("scale_linear", gain=255.0),
      s5("clip", min=0, max=255), s5("ensure_dtype", dtype="uint8")], {"t": U16})
case("chain: 0.4 clip percentiles-free, zmuv per_dataset", "chain",
     [s4("clip", min=-1.5, max=0.0), s4("zero_mean_unit_variance", mode="per_dataset",
                                         axes="cyx")], {"t": F2}, fmt="0.4")
case("chain: post zmuv, scale_mean_variance, sigmoid", "chain",
     [s5("zero_mean_unit_variance", axes=["y", "x"]),
      s5("scale_mean_variance", reference_tensor="r", axes=["y", "x"]), s5("sigmoid")],
     {"t": F1, "r": R1}, stage="post")


def build() -> Dict[str, Any]:
    import bioimageio.core

    warnings.simplefilter("ignore")
    out = []
    for c in CASES:
        arrays = {k: materialize(v) for k, v in c["tensors"].items()}
        tensors = {k: {**v, "sha256": array_sha256(arrays[k])} for k, v in c["tensors"].items()}
        if c["_hand"] is None:
            expected = run_core(c, arrays)
            source = "core"
        else:
            expected = np.asarray(c["_hand"](arrays))
            source = "hand"
        last = c["steps"][-1]
        last_op = last.get("id", last.get("name"))
        entry = {k: v for k, v in c.items() if not k.startswith("_")}
        entry.update(tensors=tensors, expected=encode(expected), expected_from=source,
                     exact_dtype=last_op in ("ensure_dtype", "binarize"))
        if not entry["note"]:
            del entry["note"]
        out.append(entry)
    names = [c["name"] for c in out]
    assert len(names) == len(set(names)), "case names must be unique"
    return {"version": VERSION, "generator": "tests/conformance/make_processing_cases.py",
            "bioimageio.core": bioimageio.core.__version__,
            "tolerance": {"rtol": 1e-6, "atol": 1e-6},
            "cases": out}


def dumps(corpus: Dict[str, Any]) -> str:
    """Deterministic text: sorted keys, shortest float repr, one case per line."""
    head = {k: v for k, v in corpus.items() if k != "cases"}
    lines = [json.dumps(c, sort_keys=True, allow_nan=False) for c in corpus["cases"]]
    body = json.dumps(head, indent=1, sort_keys=True)[:-2]
    return body + ',\n "cases": [\n' + ",\n".join(lines) + "\n ]\n}\n"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true", help="exit 1 if the file would change")
    args = p.parse_args()
    text = dumps(build())
    if args.check:
        same = OUT.exists() and OUT.read_text() == text
        print("up to date" if same else f"{OUT.name} is out of date: rerun without --check")
        return 0 if same else 1
    OUT.write_text(text)
    print(f"wrote {len(json.loads(text)['cases'])} cases to {OUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
