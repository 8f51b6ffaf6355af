"""Reference values for the TypeScript metrics in ``src/core/metrics``.

Computes, with the reference implementations, the metrics our TypeScript code
must reproduce, on small crops of the StarDist fixture images:

* restoration (PSNR, SSIM, NRMSE) and connected-component labelling /
  small-object removal: scikit-image 0.26 itself;
* instance matching: ``stardist_matching`` below, a port of StarDist 0.9.1's
  ``stardist/matching.py`` (``matching`` / ``matching_dataset``; installing
  stardist would pull TensorFlow). It follows the definitions in
  ../shared/docs/metrics-digest.md §2: float32 scores from a safe divide,
  one ``scipy.optimize.linear_sum_assignment`` per threshold;
* pixel IoU / Dice: NumPy on ``label > 0``, as ZeroCostDL4Mic.

Writes the inputs as ``.npy`` files plus ``reference.json`` into the output
directory (default: this folder). The jest spec
``src/core/metrics/__tests__/reference.node.spec.ts`` compares the TS
results with them; ``tests/test_metrics_reference.py`` re-runs this script to
check that the committed files still match the reference libraries.

Usage: python tests/metrics_reference/make_reference.py [--out DIR] [--fixtures DIR]
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

import numpy as np
import scipy
import skimage
import tifffile
from scipy import ndimage as ndi
from scipy.optimize import linear_sum_assignment
from skimage.measure import label as sk_label
from skimage.metrics import (
    normalized_root_mse,
    peak_signal_noise_ratio,
    structural_similarity,
)
from skimage.morphology import remove_small_objects

HERE = Path(__file__).resolve().parent
DEFAULT_FIXTURES = Path(
    os.environ.get(
        "BIOIMAGE_FIXTURES_DIR",
        str(Path(__file__).resolve().parents[3] / "shared" / "fixtures" / "images" / "stardist"),
    )
)
THRESHOLDS = [0.1, 0.3, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9]
FIELDS = (
    "criterion", "thresh", "fp", "tp", "fn", "precision", "recall", "accuracy", "f1",
    "n_true", "n_pred", "mean_true_score", "mean_matched_score", "panoptic_quality",
)


# --------------------------------------------------------------------------
# StarDist 0.9.1 matching (port; see module docstring)
# --------------------------------------------------------------------------

def _relabel(y):
    labels = np.unique(y)
    labels = labels[labels != 0]
    fwd = np.zeros(int(y.max()) + 1, dtype=np.int64)
    fwd[labels] = np.arange(1, len(labels) + 1)
    return fwd[y], np.concatenate([[0], labels]).astype(np.int64)


def _safe_divide(x, y, eps=1e-10):
    out = np.zeros(np.broadcast(x, y).shape, dtype=np.float32)
    np.divide(x, y, out=out, where=np.abs(y) > eps, casting="unsafe")
    return out


def stardist_matching(y_true, y_pred, thresholds, criterion="iou"):
    """One result dict per threshold, with matched pairs/scores/tps."""
    assert np.issubdtype(y_true.dtype, np.integer) and np.issubdtype(y_pred.dtype, np.integer)
    assert y_true.shape == y_pred.shape and y_true.min() >= 0 and y_pred.min() >= 0
    yt, rev_t = _relabel(y_true)
    yp, rev_p = _relabel(y_pred)
    overlap = np.zeros((len(rev_t), len(rev_p)), dtype=np.int64)
    np.add.at(overlap, (yt.ravel(), yp.ravel()), 1)
    area_p = overlap.sum(axis=0, keepdims=True)
    area_t = overlap.sum(axis=1, keepdims=True)
    den = {"iou": area_p + area_t - overlap, "iot": area_t, "iop": area_p}[criterion]
    scores = _safe_divide(overlap, den)[1:, 1:]
    n_true, n_pred = scores.shape
    n_matched = min(n_true, n_pred)
    results = []
    for thr in thresholds:
        if n_matched > 0:
            costs = -(scores >= thr).astype(float) - scores / (2 * n_matched)
            ti, pi = linear_sum_assignment(costs)
            ok = scores[ti, pi] >= thr
            tp = int(np.count_nonzero(ok))
            s = float(np.sum(scores[ti, pi][ok]))
        else:
            ti = pi = np.zeros(0, dtype=int)
            ok = np.zeros(0, dtype=bool)
            tp, s = 0, 0.0
        fp, fn = n_pred - tp, n_true - tp
        r = dict(
            criterion=criterion, thresh=float(thr), fp=fp, tp=tp, fn=fn,
            precision=tp / (tp + fp) if tp > 0 else 0.0,
            recall=tp / (tp + fn) if tp > 0 else 0.0,
            accuracy=tp / (tp + fp + fn) if tp > 0 else 0.0,
            f1=2 * tp / (2 * tp + fp + fn) if tp > 0 else 0.0,
            n_true=n_true, n_pred=n_pred,
            mean_true_score=s / n_true if n_true > 0 else 0.0,
            mean_matched_score=s / tp if tp > 0 else 0.0,
            panoptic_quality=s / (tp + fp / 2 + fn / 2) if (tp + fp / 2 + fn / 2) > 0 else 0.0,
        )
        r["matched_tp_pairs"] = sorted(
            [int(rev_t[i + 1]), int(rev_p[j + 1])] for i, j in zip(ti[ok], pi[ok])
        )
        r["matched_scores_sum"] = float(np.sum(scores[ti, pi], dtype=np.float64))
        results.append(r)
    return results


def stardist_matching_dataset(per_image, by_image):
    """``matching_dataset`` aggregation of per-image results (lists per threshold)."""
    out = []
    n = len(per_image)
    for t in range(len(per_image[0])):
        stats = [img[t] for img in per_image]
        acc = {k: sum(s[k] for s in stats) for k in ("tp", "fp", "fn", "n_true", "n_pred")}
        tp, fp, fn, n_true = acc["tp"], acc["fp"], acc["fn"], acc["n_true"]
        if by_image:
            for k in ("precision", "recall", "accuracy", "f1",
                      "mean_true_score", "mean_matched_score", "panoptic_quality"):
                acc[k] = sum(s[k] for s in stats) / n
        else:
            s = sum(x["mean_true_score"] * x["n_true"] for x in stats)
            acc.update(
                precision=tp / (tp + fp) if tp > 0 else 0.0,
                recall=tp / (tp + fn) if tp > 0 else 0.0,
                accuracy=tp / (tp + fp + fn) if tp > 0 else 0.0,
                f1=2 * tp / (2 * tp + fp + fn) if tp > 0 else 0.0,
                mean_true_score=s / n_true if n_true > 0 else 0.0,
                mean_matched_score=s / tp if tp > 0 else 0.0,
                panoptic_quality=s / (tp + fp / 2 + fn / 2) if (tp + fp / 2 + fn / 2) > 0 else 0.0,
            )
        acc.update(criterion=stats[0]["criterion"], thresh=stats[0]["thresh"], by_image=by_image)
        out.append(acc)
    return out


# --------------------------------------------------------------------------
# Inputs
# --------------------------------------------------------------------------

def perturb_labels(gt, rng):
    """A plausible imperfect prediction: per object keep / erode / dilate /
    shift / split / drop, one merge of touching objects, a few false-positive
    blobs, and non-sequential shuffled ids (all < 256)."""
    ids = [int(i) for i in np.unique(gt) if i != 0]
    pred = np.zeros(gt.shape, dtype=np.int64)
    next_id = iter(rng.permutation(np.arange(1, 256)))
    struct = ndi.generate_binary_structure(gt.ndim, 1)
    # Merge: the first pair of distinct touching labels (by dilation) shares one id.
    merged = {}
    for i in ids:
        touching = np.unique(gt[ndi.binary_dilation(gt == i, struct) & (gt != i) & (gt != 0)])
        if len(touching):
            merged[int(touching[0])] = i
            break
    for i in ids:
        m = gt == i
        op = rng.choice(["keep", "erode", "dilate", "shift", "split", "drop"],
                        p=[0.3, 0.15, 0.15, 0.2, 0.1, 0.1])
        if i in merged or i in merged.values():
            op = "keep"
        if op == "erode":
            m = ndi.binary_erosion(m, struct, iterations=1)
        elif op == "dilate":
            m = ndi.binary_dilation(m, struct, iterations=1) & (pred == 0)
        elif op == "shift":
            m = np.roll(m, tuple(int(x) for x in rng.integers(-3, 4, size=gt.ndim)),
                        axis=tuple(range(gt.ndim)))
        elif op == "drop":
            continue
        if op == "split":
            coords = np.argwhere(m)
            cut = np.median(coords[:, -1])
            half = m.copy()
            half[..., int(cut):] = False
            pred[half & (pred == 0)] = next(next_id)
            m = m & ~half
        new = int(pred[gt == merged[i]].max()) if i in merged and (pred[gt == merged[i]] > 0).any() else None
        pred[m & (pred == 0)] = new if new else next(next_id)
    for _ in range(3):  # false positives in the background
        c = [int(rng.integers(2, s - 4)) for s in gt.shape]
        sl = tuple(slice(x, x + 3) for x in c)
        pred[sl][(gt[sl] == 0) & (pred[sl] == 0)] = next(next_id)
    return pred


def make_inputs(fixtures: Path):
    rng = np.random.default_rng(20240601)
    mask2d = tifffile.imread(fixtures / "mask2d.tif")
    img2d = tifffile.imread(fixtures / "img2d.tif")
    mask3d = tifffile.imread(fixtures / "mask3d.tif")
    img3d = tifffile.imread(fixtures / "img3d.tif")
    gt2d = mask2d[112:240, 0:128].astype(np.uint16)  # the densest 128² window
    gt3d = mask3d[4:20, 16:56, 8:48].astype(np.uint8)
    inputs = {
        "gt2d": gt2d,
        "pred2d": perturb_labels(gt2d, rng).astype(np.uint8),
        "gt3d": gt3d,
        "pred3d": perturb_labels(gt3d, rng).astype(np.uint8),
    }
    t2 = img2d[220:268, 200:248].astype(np.uint16)
    inputs["restore2d_true"] = t2
    inputs["restore2d_test"] = t2 + rng.normal(0.0, 12.0, t2.shape)  # float64
    t3 = img3d[10:22, 20:44, 16:40].astype(np.uint16)
    inputs["restore3d_true"] = t3
    inputs["restore3d_test"] = np.clip(np.round(t3 + rng.normal(0.0, 15.0, t3.shape)), 0, None).astype(np.uint16)
    inputs["cc2d"] = (rng.random((48, 48)) < 0.45).astype(np.uint8)
    inputs["cc3d"] = (rng.random((12, 16, 16)) < 0.3).astype(np.uint8)
    return inputs


# --------------------------------------------------------------------------
# Reference values
# --------------------------------------------------------------------------

def label_summary(lab):
    """Exact, compact fingerprint of a label image: the labels present, their
    sizes and first raster index, and two weighted checksums."""
    flat = lab.ravel().astype(np.int64)
    ids = [int(k) for k in np.unique(flat) if k != 0]
    idx = np.arange(1, flat.size + 1, dtype=np.int64)
    return dict(
        labels=ids,
        sizes=[int(np.count_nonzero(flat == k)) for k in ids],
        first_index=[int(np.flatnonzero(flat == k)[0]) for k in ids],
        checksum=int(np.sum(flat * idx)),
        checksum2=int(np.sum(flat * flat * idx)),
    )


def pixel_overlap(a, b):
    a, b = a > 0, b > 0
    inter, union = int(np.logical_and(a, b).sum()), int(np.logical_or(a, b).sum())
    return dict(intersection=inter, union=union, iou=inter / union,
                dice=2 * inter / (int(a.sum()) + int(b.sum())))


def restoration(t, x):
    r = float(t.max()) - float(t.min())
    tf, xf = t.astype(np.float64), x.astype(np.float64)
    out = dict(
        data_range=r,
        psnr=float(peak_signal_noise_ratio(t, x, data_range=r)),
        nrmse_euclidean=float(normalized_root_mse(t, x)),
        nrmse_min_max=float(normalized_root_mse(t, x, normalization="min-max")),
        nrmse_mean=float(normalized_root_mse(t, x, normalization="mean")),
        ssim=float(structural_similarity(tf, xf, data_range=r)),
        ssim_win3=float(structural_similarity(tf, xf, data_range=r, win_size=3)),
        ssim_gaussian_pop=float(structural_similarity(
            tf, xf, data_range=r, gaussian_weights=True, sigma=1.5, use_sample_covariance=False)),
    )
    _, full = structural_similarity(tf, xf, data_range=r, full=True)
    out["ssim_full_map_mean"] = float(full.mean())
    return out


def compute_reference(inputs):
    ref = dict(
        versions=dict(numpy=np.__version__, scipy=scipy.__version__, skimage=skimage.__version__),
        thresholds=THRESHOLDS,
    )
    per_image = []
    for d in ("2d", "3d"):
        gt, pred = inputs[f"gt{d}"], inputs[f"pred{d}"]
        ref[f"pixel_{d}"] = pixel_overlap(gt, pred)
        m = stardist_matching(gt, pred, THRESHOLDS)
        ref[f"matching_{d}"] = m
        per_image.append([{k: r[k] for k in FIELDS} for r in m])
        for crit in ("iot", "iop"):
            ref[f"matching_{d}_{crit}"] = stardist_matching(gt, pred, [0.5, 0.75], crit)
    ref["dataset_micro"] = stardist_matching_dataset(per_image, False)
    ref["dataset_macro"] = stardist_matching_dataset(per_image, True)
    ref["restoration_2d"] = restoration(inputs["restore2d_true"], inputs["restore2d_test"])
    ref["restoration_3d"] = restoration(inputs["restore3d_true"], inputs["restore3d_test"])
    cc = {}
    for name in ("cc2d", "cc3d", "gt2d"):
        mask = inputs[name] > 0
        for conn in range(1, mask.ndim + 1):
            cc[f"{name}_conn{conn}"] = label_summary(sk_label(mask, connectivity=conn))
    ref["connected_components"] = cc
    lab = sk_label(inputs["cc2d"] > 0, connectivity=1)
    # min_size=3 (deprecated in 0.26) == max_size=2: objects of < 3 pixels go.
    ref["remove_small_objects_cc2d_conn1_min3"] = label_summary(
        remove_small_objects(lab, max_size=2))
    return ref


def main(out: Path = HERE, fixtures: Path = DEFAULT_FIXTURES) -> dict:
    out.mkdir(parents=True, exist_ok=True)
    inputs = make_inputs(fixtures)
    for name, arr in inputs.items():
        np.save(out / f"{name}.npy", arr)
    ref = compute_reference(inputs)
    (out / "reference.json").write_text(json.dumps(ref, separators=(",", ":")) + "\n")
    return ref


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=HERE)
    p.add_argument("--fixtures", type=Path, default=DEFAULT_FIXTURES)
    a = p.parse_args()
    main(a.out, a.fixtures)
