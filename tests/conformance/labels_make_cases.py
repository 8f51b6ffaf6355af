"""Writes the labels and metrics conformance corpora (``labels.v1.json``, ``metrics.v1.json``).

Usage (from the repository root)::

    python tests/conformance/labels_make_cases.py            # rewrite both JSON files
    python tests/conformance/labels_make_cases.py --check    # exit 1 if either would change
    python tests/conformance/labels_make_cases.py --predict  # recompute the .npy maps (ONNX)

Probability maps (``maps``):

* real: ``labels_nuclei_seg_prob.npy`` -- the bundled model ``bioimage-nuclei-seg``
  (foreground + boundary) on ``img2d.tif`` (the stardist fixture), whole image, onnxruntime
  on the CPU, its own pre/postprocessing; ``labels_unet_prob.npy`` -- the fixture model
  ``unet2d_nuclei_broad`` (one channel) on the same image; both the central 256x256 crop.
  ``labels_mask2d_crop.npy`` is the same crop of ``mask2d.tif`` (ground truth). These files
  are the source of truth (``--predict`` rewrites them; ``--check`` compares a fresh
  prediction within 1e-4 when the fixtures and onnxruntime are there);
* synthetic: seeded (mulberry32, see ``corpus.py``) discs, plain float64 arithmetic only
  (no exp/sqrt), so ``src/core/metrics/__tests__/conformance.node.spec.ts`` rebuilds them
  bit for bit (their sha256 is stored); some are quantised to k/8 to force ties.

Label cases: map x method (none, connected_components, watershed with and without the
boundary channel) x threshold x min size. Expected label images come from scikit-image
directly (``measure.label``, ``segmentation.watershed``, ``relabel_sequential``) following
the definition in ``jupyterlab_bioimage/kernel/labels.py`` -- not from the kernel code --
and are stored as the sha256 of their int32 bytes, the object count and the labelled pixel
count; they must agree exactly.

Metric cases: StarDist matching (per the digest; dense ``linear_sum_assignment``) at IoU
0.5...0.9, pixel IoU/Dice, on the label cases against the ground truth crop (or against
another label case), the digest's worked examples S1-S4 inline; restoration PSNR / SSIM /
NRMSE (scikit-image 0.26). Floats agree within 1e-6 relative.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from corpus import mulberry32  # noqa: E402

LABELS_OUT = HERE / "labels.v1.json"
METRICS_OUT = HERE / "metrics.v1.json"
NUCLEI = HERE / "labels_nuclei_seg_prob.npy"
UNET = HERE / "labels_unet_prob.npy"
MASK = HERE / "labels_mask2d_crop.npy"
CROP = (slice(128, 384), slice(128, 384))
THRESHOLDS = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9]
FIXTURES = Path(os.environ.get("BIOIMAGE_FIXTURES", ROOT.parent / "shared" / "fixtures"))


def sha256(a: np.ndarray) -> str:
    a = np.ascontiguousarray(a)
    if a.dtype.byteorder == ">":
        a = a.astype(a.dtype.newbyteorder("<"))
    return hashlib.sha256(a.tobytes()).hexdigest()


# --- maps ----------------------------------------------------------------------------------


def synthetic(spec: Dict[str, Any]) -> Dict[str, np.ndarray]:
    """Discs: F = max_k q_k, q_k = max(0, 1 - d_k^2 / r_k^2) with noise; B high where two
    discs meet; GT = the disc with the largest q_k where it exceeds 0.25. Same in TS."""
    shape = spec["shape"]
    u = mulberry32(spec["seed"])
    n = spec["discs"]
    discs = []
    for _ in range(n):
        c = [u() * s for s in shape]
        r = spec["rmin"] + u() * (spec["rmax"] - spec["rmin"])
        discs.append((c, r))
    size = int(np.prod(shape))
    fg = np.zeros(size)
    bd = np.zeros(size)
    gt = np.zeros(size, np.int32)
    noise = spec["noise"]
    q8 = spec.get("quantize", 0)
    for i in range(size):
        coords = []
        rest = i
        for s in reversed(shape):
            coords.append(rest % s)
            rest //= s
        coords.reverse()
        best, second, arg = 0.0, 0.0, 0
        for k, (c, r) in enumerate(discs):
            d2 = 0.0
            for a, b in zip(coords, c):
                d2 += (a - b) * (a - b)
            q = 1.0 - d2 / (r * r)
            if q > best:
                best, second, arg = q, best, k + 1
            elif q > second:
                second = q
        best = max(best, 0.0)
        second = max(second, 0.0)
        f = best * (1.0 - noise) + noise * u()
        b = (1.0 - best) * 0.6 + second * 2.0 + noise * u()
        if b > 1.0:
            b = 1.0
        if q8:
            f = math.floor(f * q8) / q8
            b = math.floor(b * q8) / q8
        fg[i], bd[i] = f, b
        gt[i] = arg if best > 0.25 else 0
    return {
        "foreground": fg.reshape(shape).astype(np.float32),
        "boundary": bd.reshape(shape).astype(np.float32),
        "truth": gt.reshape(shape),
    }


SYNTHETIC = [
    {"name": "discs2d", "shape": [48, 64], "seed": 11, "discs": 9, "rmin": 3.0, "rmax": 9.0,
     "noise": 0.1},
    {"name": "discs2d_ties", "shape": [40, 40], "seed": 23, "discs": 7, "rmin": 3.0,
     "rmax": 8.0, "noise": 0.05, "quantize": 8},
    {"name": "discs2d_dense", "shape": [64, 64], "seed": 5, "discs": 30, "rmin": 2.0,
     "rmax": 6.0, "noise": 0.2},
    {"name": "discs3d", "shape": [12, 20, 24], "seed": 7, "discs": 8, "rmin": 2.5,
     "rmax": 6.0, "noise": 0.1},
]


def real_maps() -> Dict[str, Dict[str, np.ndarray]]:
    nuclei = np.load(NUCLEI)
    unet = np.load(UNET)
    mask = np.load(MASK).astype(np.int32)
    return {
        "nuclei_seg": {"foreground": nuclei[0], "boundary": nuclei[1], "truth": mask},
        "unet": {"foreground": unet, "boundary": None, "truth": mask},
    }


def all_maps() -> Dict[str, Dict[str, Any]]:
    maps: Dict[str, Dict[str, Any]] = dict(real_maps())
    for spec in SYNTHETIC:
        maps[spec["name"]] = synthetic(spec)
    return maps


def predict_real() -> Dict[str, np.ndarray]:
    """The real maps from the ONNX weights (onnxruntime, CPU, one thread)."""
    import onnxruntime as ort
    import tifffile

    img = tifffile.imread(FIXTURES / "images" / "stardist" / "img2d.tif")
    mask = tifffile.imread(FIXTURES / "images" / "stardist" / "mask2d.tif")

    def run(weights: Path) -> np.ndarray:
        x = img.astype(np.float32)
        x64 = x.astype(np.float64)
        x = ((x - x64.mean()) / (x64.std() + 1e-6)).astype(np.float32)
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        s = ort.InferenceSession(str(weights), opts, providers=["CPUExecutionProvider"])
        y = s.run(None, {s.get_inputs()[0].name: x[None, None]})[0][0]
        return (1.0 / (1.0 + np.exp(-y))).astype(np.float32)

    nuclei = run(ROOT / "jupyterlab_bioimage" / "zoo" / "bioimage-nuclei-seg" / "weights.onnx")
    unet = run(FIXTURES / "models" / "unet2d_nuclei_broad" / "weights.onnx")
    return {
        "nuclei": np.ascontiguousarray(nuclei[(slice(None),) + CROP]),
        "unet": np.ascontiguousarray(unet[0][CROP]),
        "mask": np.ascontiguousarray(mask[CROP]),
    }


# --- expected labels, from scikit-image by the written definition --------------------------


def expected_labels(fg: np.ndarray, bd: Optional[np.ndarray], method: str, threshold: float,
                    min_size: int) -> np.ndarray:
    from skimage import measure
    from skimage.segmentation import relabel_sequential, watershed

    mask = fg > threshold
    full = fg.ndim
    if method == "none":
        return mask.astype(np.int32)
    if method == "connected_components":
        lab = measure.label(mask, connectivity=full).astype(np.int32)
    else:
        if bd is not None:
            seeds = measure.label(mask & (bd < 0.5), connectivity=full)
            elev = bd.astype(np.float64)
        else:
            seeds = measure.label(mask & (fg > 0.9), connectivity=full)
            elev = 1.0 - fg.astype(np.float64)
        lab = watershed(elev, seeds, mask=mask, connectivity=full).astype(np.int32)
        rest = mask & (lab == 0)
        extra = measure.label(rest, connectivity=full)
        lab[rest] = extra[rest] + int(seeds.max())
    if min_size > 0:
        sizes = np.bincount(lab.ravel())
        small = sizes < min_size
        small[0] = False
        lab[small[lab]] = 0
        lab = relabel_sequential(lab)[0].astype(np.int32)
    return lab


def label_cases(maps: Dict[str, Dict[str, Any]]) -> List[Dict[str, Any]]:
    cases = []
    for name, m in maps.items():
        plans = [("none", True), ("connected_components", True), ("watershed", False)]
        if m["boundary"] is not None:
            plans.append(("watershed", True))
        for method, boundary in plans:
            for t in (0.3, 0.5, 0.7):
                for ms in ((0,) if method == "none" else (0, 12)):
                    use_bd = method == "watershed" and boundary
                    lab = expected_labels(m["foreground"], m["boundary"] if use_bd else None,
                                          method, t, ms)
                    tag = "watershed_fg" if method == "watershed" and not use_bd else method
                    cases.append({
                        "name": f"{name}-{tag}-t{t}-min{ms}",
                        "map": name, "method": method, "boundary": bool(use_bd),
                        "threshold": t, "min_size": ms,
                        "expected": {"sha256": sha256(lab.astype("<i4")),
                                     "count": int(lab.max()),
                                     "pixels": int((lab > 0).sum())},
                        "labels": lab,  # dropped before writing
                    })
    return cases


# --- metrics -------------------------------------------------------------------------------


def stardist_matching(y_true: np.ndarray, y_pred: np.ndarray, thresh: float) -> Dict[str, Any]:
    """stardist 0.9.1 ``matching`` (criterion iou), transcribed per the digest."""
    from scipy.optimize import linear_sum_assignment
    from skimage.segmentation import relabel_sequential

    yt = relabel_sequential(y_true)[0]
    yp = relabel_sequential(y_pred)[0]
    nt, npd = int(yt.max()), int(yp.max())
    ov = np.zeros((nt + 1, npd + 1), np.uint64)
    np.add.at(ov, (yt.ravel(), yp.ravel()), 1)
    at = ov.sum(axis=1, keepdims=True)
    ap = ov.sum(axis=0, keepdims=True)
    den = (at + ap - ov).astype(np.float64)
    iou = np.where(den > 1e-10, ov / np.where(den > 1e-10, den, 1), 0).astype(np.float32)
    scores = iou[1:, 1:]
    nm = min(nt, npd)
    thr = np.float32(thresh)
    if nm > 0:
        cost = -(scores >= thr).astype(float) - scores / (2 * nm)
        r, c = linear_sum_assignment(cost)
        ms = scores[r, c]
        tp = int((ms >= thr).sum())
        s = float(np.sum(ms[ms >= thr]))
    else:
        tp, s = 0, 0.0
    fp, fn = npd - tp, nt - tp
    q = (lambda a, b: a / b if tp > 0 else 0.0)
    safe = (lambda a, b: a / b if b > 0 else 0.0)
    return {"thresh": thresh, "tp": tp, "fp": fp, "fn": fn, "precision": q(tp, tp + fp),
            "recall": q(tp, tp + fn), "accuracy": q(tp, tp + fp + fn),
            "f1": q(2 * tp, 2 * tp + fp + fn), "n_true": nt, "n_pred": npd,
            "mean_true_score": safe(s, nt), "mean_matched_score": safe(s, tp),
            "panoptic_quality": safe(s, tp + fp / 2 + fn / 2)}


def overlap(truth: np.ndarray, pred: np.ndarray) -> Dict[str, Optional[float]]:
    a, b = truth > 0, pred > 0
    i, u, s = int((a & b).sum()), int((a | b).sum()), int(a.sum() + b.sum())
    return {"iou": i / u if u else None, "dice": 2 * i / s if s else None}


INLINE = {
    "S1": (lambda: (lambda t: (t, np.roll(t, 5, axis=0)))(
        np.pad(np.ones((10, 10), np.int32), ((10, 80), (10, 80))))),
    "S2": (lambda: (np.array([[1, 1, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0], [0, 0, 2, 2, 0, 0],
                              [0, 0, 2, 2, 0, 0], [0, 0, 0, 0, 3, 3], [0, 0, 0, 0, 3, 3]]),
                    np.array([[1, 1, 0, 0, 0, 0], [1, 1, 0, 0, 0, 0], [0, 0, 0, 2, 2, 0],
                              [0, 0, 0, 2, 2, 0], [0, 0, 0, 0, 0, 0], [3, 3, 0, 0, 0, 0]]))),
    "S3": (lambda: (np.array([[1] * 10 + [2] * 10 + [0] * 4]),
                    np.array([[2] * 3 + [1] * 13 + [0] * 8]))),
    "S4": (lambda: (np.array([[5, 5, 5, 0, 0, 9, 9, 9]] * 4),
                    np.array([[7, 7, 7, 0, 2, 2, 2, 2]] * 4))),
    "S5a": (lambda: (np.zeros((4, 4), np.int32), np.zeros((4, 4), np.int32))),
}


def restoration_pairs(maps: Dict[str, Dict[str, Any]]) -> List[Dict[str, Any]]:
    """(truth, test) images for PSNR/SSIM/NRMSE: synthetic seeded ones and real maps."""
    out = []
    for seed, shape in ((3, [7, 7]), (4, [16, 16]), (9, [32, 48])):
        u = mulberry32(seed)
        n = int(np.prod(shape))
        t = np.array([u() for _ in range(n)]).reshape(shape)
        e = t + np.array([(u() - 0.5) * 0.2 for _ in range(n)]).reshape(shape)
        out.append({"name": f"uniform-{seed}", "truth": {"seed": seed, "shape": shape},
                    "arrays": (t, e)})
    nuc, unet = maps["nuclei_seg"], maps["unet"]
    out.append({"name": "unet-vs-nuclei_seg-foreground",
                "truth": {"map": "unet", "field": "foreground"},
                "test": {"map": "nuclei_seg", "field": "foreground"},
                "arrays": (unet["foreground"], nuc["foreground"])})
    out.append({"name": "mask2d-vs-nuclei_seg-foreground",
                "truth": {"map": "nuclei_seg", "field": "truth"},
                "test": {"map": "nuclei_seg", "field": "foreground"},
                "arrays": (nuc["truth"], nuc["foreground"])})
    return out


def metric_cases(maps: Dict[str, Dict[str, Any]],
                 labels: List[Dict[str, Any]]) -> List[Dict[str, Any]]:
    from skimage import metrics as skm

    cases: List[Dict[str, Any]] = []
    by_name = {c["name"]: c for c in labels}

    def matching_case(name: str, yt: np.ndarray, yp: np.ndarray, **ref: Any) -> None:
        rows = [stardist_matching(yt.astype(np.int64), yp.astype(np.int64), t)
                for t in THRESHOLDS]
        cases.append({"name": name, "kind": "matching", **ref,
                      "expected": {"matching": rows, **overlap(yt, yp)}})

    for c in labels:
        if c["method"] == "none":
            continue
        matching_case(f"gt-vs-{c['name']}", maps[c["map"]]["truth"], c["labels"],
                      truth={"map": c["map"]}, pred={"case": c["name"]})
    # Label cases against each other (sparse and shifted overlaps).
    for a, b in (("nuclei_seg-connected_components-t0.5-min0", "nuclei_seg-watershed-t0.5-min12"),
                 ("unet-watershed_fg-t0.5-min12", "nuclei_seg-watershed-t0.3-min0"),
                 ("discs2d_dense-watershed-t0.3-min0", "discs2d_dense-connected_components-t0.7-min12")):
        matching_case(f"{a}-vs-{b}", by_name[a]["labels"], by_name[b]["labels"],
                      truth={"case": a}, pred={"case": b})
    for name, make in INLINE.items():
        t, p = make()
        matching_case(f"digest-{name}", t, p,
                      truth={"data": t.tolist()}, pred={"data": p.tolist()})
    for r in restoration_pairs(maps):
        t, e = r["arrays"]
        t = np.asarray(t, np.float64)
        e = np.asarray(e, np.float64)
        rng = float(t.max() - t.min()) or 1.0
        case = {k: v for k, v in r.items() if k != "arrays"}
        case.update({"kind": "restoration", "expected": {
            "data_range": rng,
            "psnr": float(skm.peak_signal_noise_ratio(t, e, data_range=rng)),
            "ssim": float(skm.structural_similarity(t, e, data_range=rng)),
            "nrmse": float(skm.normalized_root_mse(t, e)),
        }})
        cases.append(case)
    return cases


# --- output --------------------------------------------------------------------------------


def build() -> Dict[str, Dict[str, Any]]:
    maps = all_maps()
    labels = label_cases(maps)
    metrics = metric_cases(maps, labels)
    map_info = {}
    for spec in SYNTHETIC:
        m = maps[spec["name"]]
        map_info[spec["name"]] = {"synthetic": spec, **{
            f"{k}_sha256": sha256(m[k]) for k in ("foreground", "boundary", "truth")}}
    for name, files in (("nuclei_seg", [NUCLEI.name, MASK.name]), ("unet", [UNET.name, MASK.name])):
        m = maps[name]
        map_info[name] = {"files": files, "foreground_sha256": sha256(m["foreground"]),
                          "boundary_sha256": None if m["boundary"] is None else sha256(m["boundary"]),
                          "truth_sha256": sha256(m["truth"])}
    head = {"version": 1, "generator": "tests/conformance/labels_make_cases.py",
            "maps": map_info}
    return {
        "labels": {**head, "cases": [{k: v for k, v in c.items() if k != "labels"}
                                     for c in labels]},
        "metrics": {**head, "tolerance": {"rtol": 1e-6, "atol": 1e-9},
                    "thresholds": THRESHOLDS, "cases": metrics},
    }


def dumps(corpus: Dict[str, Any]) -> str:
    """Deterministic text: sorted keys, one case per line."""
    head = {k: v for k, v in corpus.items() if k != "cases"}
    lines = [json.dumps(c, sort_keys=True, allow_nan=False) for c in corpus["cases"]]
    body = json.dumps(head, indent=1, sort_keys=True)[:-2]
    return body + ',\n "cases": [\n' + ",\n".join(lines) + "\n ]\n}\n"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--check", action="store_true", help="exit 1 if a file would change")
    p.add_argument("--predict", action="store_true", help="recompute the .npy maps (ONNX)")
    args = p.parse_args()
    if args.predict:
        fresh = predict_real()
        np.save(NUCLEI, fresh["nuclei"])
        np.save(UNET, fresh["unet"])
        np.save(MASK, fresh["mask"])
    built = build()
    ok = True
    for key, out in (("labels", LABELS_OUT), ("metrics", METRICS_OUT)):
        text = dumps(built[key])
        if args.check:
            same = out.exists() and out.read_text() == text
            ok &= same
            print(f"{out.name}: " + ("up to date" if same else "out of date: rerun without --check"))
        else:
            out.write_text(text)
            print(f"wrote {len(built[key]['cases'])} cases to {out}")
    if args.check:
        try:
            fresh = predict_real()
        except Exception as e:  # noqa: BLE001 - no fixtures or no onnxruntime here
            print(f"prediction not re-checked ({type(e).__name__}: {e})")
        else:
            for name, path in (("nuclei", NUCLEI), ("unet", UNET), ("mask", MASK)):
                diff = float(np.max(np.abs(fresh[name].astype(np.float64) - np.load(path))))
                good = diff <= 1e-4
                ok &= good
                print(f"{path.name}: max |fresh - stored| {diff:.3g}" + ("" if good else " > 1e-4"))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
