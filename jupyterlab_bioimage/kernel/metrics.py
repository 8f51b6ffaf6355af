"""Metrics of a prediction against ground truth, with the browser's definitions.

Segmentation: IoU and Dice of the foreground masks, F1 of instances matched at IoU > 0.5.
Restoration: PSNR, SSIM, NRMSE (scikit-image, data range of the ground truth).
NumPy and scikit-image are imported inside the functions.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence


def _instance_f1(labels: Any, truth: Any, thr: float = 0.5) -> float:
    import numpy as np

    pred_ids = [i for i in np.unique(labels) if i]
    true_ids = [i for i in np.unique(truth) if i]
    if not pred_ids and not true_ids:
        return 1.0
    # IoU > 0.5 matches are unique, so counting them needs no assignment.
    pairs = np.stack([labels.ravel(), truth.ravel()])
    keys, inter = np.unique(pairs[:, (pairs[0] > 0) & (pairs[1] > 0)], axis=1, return_counts=True)
    area_p = dict(zip(*np.unique(labels, return_counts=True)))
    area_t = dict(zip(*np.unique(truth, return_counts=True)))
    tp = sum(
        1
        for (p, t), n in zip(keys.T, inter)
        if n / (area_p[p] + area_t[t] - n) > thr
    )
    return 2 * tp / (len(pred_ids) + len(true_ids))


def compute_metrics(
    names: Sequence[str],
    labels: Any = None,
    prediction: Any = None,
    ground_truth: Any = None,
    threshold: float = 0.5,
) -> dict:
    """The requested metrics: ``iou``/``dice`` (foreground masks), ``f1_iou50``
    (instances), ``psnr``/``ssim``/``nrmse`` (prediction vs ground-truth image)."""
    import numpy as np

    gt = np.asarray(ground_truth)
    out = {}
    for name in names:
        if name in ("iou", "dice"):
            p, t = np.asarray(labels) > 0, gt > 0
            inter, union = np.logical_and(p, t).sum(), np.logical_or(p, t).sum()
            if name == "iou":
                out[name] = float(inter / union) if union else 1.0
            else:
                s = p.sum() + t.sum()
                out[name] = float(2 * inter / s) if s else 1.0
        elif name == "f1_iou50":
            out[name] = float(_instance_f1(np.asarray(labels), gt.astype(np.int64)))
        elif name in ("psnr", "ssim", "nrmse"):
            from skimage import metrics as skm

            p, t = np.asarray(prediction, np.float64), gt.astype(np.float64)
            rng = float(t.max() - t.min()) or 1.0
            if name == "psnr":
                out[name] = float(skm.peak_signal_noise_ratio(t, p, data_range=rng))
            elif name == "ssim":
                out[name] = float(skm.structural_similarity(t, p, data_range=rng))
            else:
                out[name] = float(skm.normalized_root_mse(t, p))
        else:
            raise ValueError(f"unknown metric {name!r}")
    return out


def print_metrics(kernel: Mapping[str, float], browser: Mapping[str, float]) -> None:
    """A small table: metric, kernel value, browser value."""
    print(f"{'metric':<10} {'kernel':>10} {'browser':>10}")
    for name, value in kernel.items():
        b = browser.get(name)
        print(f"{name:<10} {value:>10.4f} {'' if b is None else format(b, '>10.4f')}")
