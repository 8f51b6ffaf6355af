"""Independent NumPy reference values for the processing ops.

Run: .venv/bin/python src/core/inference/__tests__/reference/make_reference.py
Writes processing.json next to this file. Each case lists the stage input
tensors, the processing steps of one target tensor (0.5 kwargs) and the
expected result computed here with plain NumPy (float64 maths; percentiles
with np.percentile's `linear` / `inverted_cdf` methods; population std;
eps added to std). Statistics of a stage are taken from the stage input,
as bioimageio.core does.
"""

import json
from pathlib import Path

import numpy as np

rng = np.random.default_rng(20240611)
EPS = 1e-6


def tensor(arr, axes):
    return {
        "axes": list(axes),
        "shape": list(arr.shape),
        "dtype": str(arr.dtype),
        "data": [bool(v) if arr.dtype == bool else v.item() for v in arr.ravel()],
    }


def ax(axes, names):
    """Tuple of positions of axis ids `names` in `axes`."""
    return tuple(axes.index(n) for n in names)


def zmuv(x, axes_pos):
    x = x.astype(np.float64)
    m = x.mean(axis=axes_pos, keepdims=True)
    s = x.std(axis=axes_pos, keepdims=True)  # population (ddof=0)
    return (x - m) / (s + EPS)


def bcast(values, axes, axis):
    shape = [1] * len(axes)
    shape[axes.index(axis)] = len(values)
    return np.asarray(values, dtype=np.float64).reshape(shape)


cases = []


def case(name, tensors, target, steps, expected, stage="pre"):
    cases.append(
        {
            "name": name,
            "stage": stage,
            "tensors": {k: tensor(a, ax_) for k, (a, ax_) in tensors.items()},
            "target": target,
            "steps": steps,
            "expected": tensor(np.asarray(expected), tensors[target][1]),
        }
    )


BCYX = ["batch", "channel", "y", "x"]
x1 = rng.normal(2.0, 3.0, size=(1, 3, 5, 7)).astype(np.float32)
x2 = rng.normal(-1.0, 0.5, size=(2, 2, 4, 6)).astype(np.float32)
u8 = rng.integers(0, 256, size=(1, 1, 6, 5)).astype(np.uint8)
YXC = ["y", "x", "channel"]
xc = rng.uniform(0, 100, size=(4, 5, 3)).astype(np.float32)
f = x1.astype(np.float64)

# binarize
case("binarize scalar", {"t": (x1, BCYX)}, "t",
     [{"id": "binarize", "kwargs": {"threshold": 2.0}}], f > 2.0)
thr = [0.0, 2.0, 4.0]
case("binarize per-axis channel (not last)", {"t": (x1, BCYX)}, "t",
     [{"id": "binarize", "kwargs": {"threshold": thr, "axis": "channel"}}],
     f > bcast(thr, BCYX, "channel"))

# clip
case("clip min max", {"t": (x1, BCYX)}, "t",
     [{"id": "clip", "kwargs": {"min": 0.0, "max": 4.5}}], np.clip(f, 0.0, 4.5))
case("clip max only", {"t": (x1, BCYX)}, "t",
     [{"id": "clip", "kwargs": {"max": 1.5}}], np.minimum(f, 1.5))
lo = np.percentile(f, 10, axis=ax(BCYX, ["y", "x"]), method="inverted_cdf", keepdims=True)
hi = np.percentile(f, 90, axis=ax(BCYX, ["y", "x"]), method="inverted_cdf", keepdims=True)
case("clip percentiles per sample (inverted_cdf)", {"t": (x1, BCYX)}, "t",
     [{"id": "clip", "kwargs": {"min_percentile": 10, "max_percentile": 90, "axes": ["y", "x"]}}],
     np.minimum(np.maximum(f, lo), hi))
hi_all = np.percentile(f, 75.5, method="linear")
case("clip max_percentile axes null (linear)", {"t": (x1, BCYX)}, "t",
     [{"id": "clip", "kwargs": {"max_percentile": 75.5}}], np.minimum(f, hi_all))

# scale_linear
case("scale_linear uint8 1/255", {"t": (u8, BCYX)}, "t",
     [{"id": "scale_linear", "kwargs": {"gain": 0.00392156862745098, "offset": 0}}],
     u8.astype(np.float64) * 0.00392156862745098)
gain = [0.5, -2.0, 3.0]
case("scale_linear per-axis gain, scalar offset", {"t": (x1, BCYX)}, "t",
     [{"id": "scale_linear", "kwargs": {"axis": "channel", "gain": gain, "offset": 1.25}}],
     f * bcast(gain, BCYX, "channel") + 1.25)
offs = [1.0, 2.0, 3.0]
case("scale_linear per-axis offset list on yxc", {"t": (xc, YXC)}, "t",
     [{"id": "scale_linear", "kwargs": {"axis": "channel", "gain": 2.0, "offset": offs}}],
     xc.astype(np.float64) * 2.0 + bcast(offs, YXC, "channel"))

# sigmoid, softmax
case("sigmoid", {"t": (x1, BCYX)}, "t", [{"id": "sigmoid", "kwargs": {}}], 1 / (1 + np.exp(-f)))


def softmax(x, axis):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


big = f * 100  # large values: only the stable form survives
case("softmax default channel (large values)", {"t": (big.astype(np.float32), BCYX)}, "t",
     [{"id": "softmax", "kwargs": {}}], softmax(big.astype(np.float32).astype(np.float64), 1))
case("softmax along x", {"t": (x1, BCYX)}, "t",
     [{"id": "softmax", "kwargs": {"axis": "x"}}], softmax(f, 3))

# zero_mean_unit_variance
case("zmuv axes x,y (per channel)", {"t": (x1, BCYX)}, "t",
     [{"id": "zero_mean_unit_variance", "kwargs": {"axes": ["x", "y"]}}],
     zmuv(x1, ax(BCYX, ["x", "y"])))
case("zmuv axes null", {"t": (x1, BCYX)}, "t",
     [{"id": "zero_mean_unit_variance", "kwargs": {}}], zmuv(x1, None))
case("zmuv per sample channel,y,x (batch 2)", {"t": (x2, BCYX)}, "t",
     [{"id": "zero_mean_unit_variance", "kwargs": {"axes": ["channel", "y", "x"]}}],
     zmuv(x2, ax(BCYX, ["channel", "y", "x"])))
case("zmuv dataset batch,y,x (batch 2)", {"t": (x2, BCYX)}, "t",
     [{"id": "zero_mean_unit_variance", "kwargs": {"axes": ["batch", "y", "x"], "eps": 1e-3}}],
     (x2.astype(np.float64) - x2.astype(np.float64).mean(axis=(0, 2, 3), keepdims=True))
     / (x2.astype(np.float64).std(axis=(0, 2, 3), keepdims=True) + 1e-3))
case("zmuv on yxc, axes y,x (channel last)", {"t": (xc, YXC)}, "t",
     [{"id": "zero_mean_unit_variance", "kwargs": {"axes": ["y", "x"]}}],
     zmuv(xc, ax(YXC, ["y", "x"])))
case("zmuv axes y only", {"t": (x1, BCYX)}, "t",
     [{"id": "zero_mean_unit_variance", "kwargs": {"axes": ["y"]}}],
     zmuv(x1, ax(BCYX, ["y"])))

# fixed_zero_mean_unit_variance
case("fixed zmuv scalar", {"t": (x1, BCYX)}, "t",
     [{"id": "fixed_zero_mean_unit_variance", "kwargs": {"mean": 1.5, "std": 2.5}}],
     (f - 1.5) / (2.5 + EPS))
mean_l, std_l = [1.0, 2.0, -1.0], [0.5, 2.0, 4.0]
case("fixed zmuv per-axis channel", {"t": (x1, BCYX)}, "t",
     [{"id": "fixed_zero_mean_unit_variance",
       "kwargs": {"axis": "channel", "mean": mean_l, "std": std_l}}],
     (f - bcast(mean_l, BCYX, "channel")) / (bcast(std_l, BCYX, "channel") + EPS))

# scale_range
p_lo = np.percentile(f, 1, axis=(2, 3), keepdims=True, method="linear")
p_hi = np.percentile(f, 99.8, axis=(2, 3), keepdims=True, method="linear")
case("scale_range y,x 1 99.8", {"t": (x1, BCYX)}, "t",
     [{"id": "scale_range", "kwargs": {"axes": ["y", "x"], "min_percentile": 1, "max_percentile": 99.8}}],
     (f - p_lo) / (p_hi - p_lo + EPS))
case("scale_range defaults", {"t": (x1, BCYX)}, "t",
     [{"id": "scale_range", "kwargs": {}}], (f - f.min()) / (f.max() - f.min() + EPS))
ref = rng.uniform(10, 20, size=(1, 3, 5, 7)).astype(np.float32)
rf = ref.astype(np.float64)
r_lo = np.percentile(rf, 5, axis=(2, 3), keepdims=True)
r_hi = np.percentile(rf, 95, axis=(2, 3), keepdims=True)
case("scale_range reference_tensor", {"t": (x1, BCYX), "r": (ref, BCYX)}, "t",
     [{"id": "scale_range", "kwargs": {"axes": ["y", "x"], "min_percentile": 5,
                                       "max_percentile": 95, "reference_tensor": "r", "eps": 1e-4}}],
     (f - r_lo) / (r_hi - r_lo + 1e-4))

# scale_mean_variance (postprocessing only)
def smv(x, r, axes_pos, eps=EPS):
    x = x.astype(np.float64)
    r = r.astype(np.float64)
    m, s = x.mean(axis=axes_pos, keepdims=True), x.std(axis=axes_pos, keepdims=True)
    rm, rs = r.mean(axis=axes_pos, keepdims=True), r.std(axis=axes_pos, keepdims=True)
    return (x - m) / (s + eps) * (rs + eps) + rm


case("scale_mean_variance y,x", {"t": (x1, BCYX), "r": (ref, BCYX)}, "t",
     [{"id": "scale_mean_variance", "kwargs": {"reference_tensor": "r", "axes": ["y", "x"]}}],
     smv(x1, ref, (2, 3)), stage="post")
case("scale_mean_variance axes null", {"t": (x1, BCYX), "r": (ref, BCYX)}, "t",
     [{"id": "scale_mean_variance", "kwargs": {"reference_tensor": "r"}}],
     smv(x1, ref, None), stage="post")

# ensure_dtype (astype: truncation toward zero)
vals = np.array([[[[-3.7, -0.5, 0.5, 2.9, 127.99, -128.6]]]], dtype=np.float32)
case("ensure_dtype float32 -> int16 truncates", {"t": (vals, BCYX)}, "t",
     [{"id": "ensure_dtype", "kwargs": {"dtype": "int16"}}], vals.astype(np.int16))
pos = np.array([[[[0.2, 0.99, 1.5, 254.9, 17.0, 3.3]]]], dtype=np.float32)
case("ensure_dtype float32 -> uint8", {"t": (pos, BCYX)}, "t",
     [{"id": "ensure_dtype", "kwargs": {"dtype": "uint8"}}], pos.astype(np.uint8))
case("ensure_dtype -> bool", {"t": (vals, BCYX)}, "t",
     [{"id": "ensure_dtype", "kwargs": {"dtype": "bool"}}], vals.astype(bool))

# stage rule: every statistic from the stage input
clipped = np.clip(f, 0.0, 3.0)
m, s = f.mean(axis=(2, 3), keepdims=True), f.std(axis=(2, 3), keepdims=True)
case("stage: clip then zmuv uses unclipped stats", {"t": (x1, BCYX)}, "t",
     [{"id": "clip", "kwargs": {"min": 0.0, "max": 3.0}},
      {"id": "zero_mean_unit_variance", "kwargs": {"axes": ["y", "x"]}}],
     (clipped - m) / (s + EPS))
scaled = f * 10 + 5
q_lo = np.percentile(f, 0, axis=(2, 3), keepdims=True)
q_hi = np.percentile(f, 100, axis=(2, 3), keepdims=True)
case("stage: scale_linear then scale_range uses unscaled stats", {"t": (x1, BCYX)}, "t",
     [{"id": "scale_linear", "kwargs": {"gain": 10, "offset": 5}},
      {"id": "scale_range", "kwargs": {"axes": ["y", "x"]}},
      {"id": "ensure_dtype", "kwargs": {"dtype": "float32"}}],
     ((scaled - q_lo) / (q_hi - q_lo + EPS)).astype(np.float32))
case("stage: uint8 -> float32, scale_range, clip", {"t": (u8, BCYX)}, "t",
     [{"id": "ensure_dtype", "kwargs": {"dtype": "float32"}},
      {"id": "scale_range", "kwargs": {"axes": ["y", "x"], "min_percentile": 2, "max_percentile": 98}},
      {"id": "clip", "kwargs": {"min": 0.0, "max": 1.0}}],
     np.clip((u8.astype(np.float64) - np.percentile(u8, 2, axis=(2, 3), keepdims=True))
             / (np.percentile(u8, 98, axis=(2, 3), keepdims=True)
                - np.percentile(u8, 2, axis=(2, 3), keepdims=True) + EPS), 0, 1))

out = Path(__file__).with_name("processing.json")
out.write_text(json.dumps({"generator": "make_reference.py", "numpy": np.__version__,
                           "cases": cases}, indent=None))
print(f"wrote {len(cases)} cases to {out}")
