"""Metrics of a prediction against ground truth, with the browser's definitions.

The browser (``src/core/metrics``, ``src/core/analysis/validation.ts``) and this module give
the same numbers; the shared corpus ``tests/conformance/metrics.v1.json`` checks both.

* ``iou`` / ``dice``: of the foreground masks (label > 0); NaN when both masks are empty.
* Instances: StarDist's ``matching`` (stardist 0.9.1 ``matching.py``): both label images
  relabelled 1...n, IoU of every pair in float32, one optimal assignment per threshold
  (``linear_sum_assignment`` on ``-[iou >= thr] - iou / (2 min(n_true, n_pred))``), a pair
  is a true positive when its IoU >= thr (inclusive). ``f1_iou50`` = 2TP/(2TP+FP+FN) at 0.5;
  ``ap_iou50`` ... ``ap_iou90`` = TP/(TP+FP+FN) ("AP" of StarDist/Cellpose, not COCO AP);
  every ratio is 0 when TP = 0.
* Restoration: PSNR, SSIM, NRMSE (scikit-image; data range = that of the ground truth).

Also the comparison of the kernel's numbers with the ones the browser recorded, and the
Methods paragraph built from that comparison (:func:`compare_with_browser`,
:func:`methods_markdown`). NumPy, SciPy and scikit-image are imported inside the functions.
"""

from __future__ import annotations

import math
import re
from typing import Any, Dict, List, Mapping, Optional, Sequence

#: The thresholds of the matching table: 0.5, 0.55, ..., 0.9 (as the browser).
THRESHOLDS = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9)
#: Relative tolerance under which two floats count as equal in the comparison.
RTOL = 1e-6


def _label_image(a: Any, what: str) -> Any:
    import numpy as np

    a = np.asarray(a)
    if a.dtype.kind not in "iu" or (a.size and a.min() < 0):
        raise ValueError(f"{what} must be an array of non-negative integers.")
    return a


def matching(
    y_true: Any, y_pred: Any, thresholds: Sequence[float] = THRESHOLDS
) -> List[Dict[str, float]]:
    """StarDist's ``matching(y_true, y_pred, thresh, criterion='iou')`` for each threshold:
    dicts with tp, fp, fn, precision, recall, accuracy, f1, n_true, n_pred,
    mean_true_score, mean_matched_score, panoptic_quality."""
    import numpy as np
    from scipy.optimize import linear_sum_assignment
    from skimage.segmentation import relabel_sequential

    yt = _label_image(y_true, "y_true")
    yp = _label_image(y_pred, "y_pred")
    if yt.shape != yp.shape:
        raise ValueError(f"y_true {yt.shape} and y_pred {yp.shape} differ in shape")
    yt = relabel_sequential(yt)[0].astype(np.int64)
    yp = relabel_sequential(yp)[0].astype(np.int64)
    n_true, n_pred = int(yt.max(initial=0)), int(yp.max(initial=0))
    overlap = np.bincount(
        (yt.ravel() * (n_pred + 1) + yp.ravel()), minlength=(n_true + 1) * (n_pred + 1)
    ).reshape(n_true + 1, n_pred + 1)
    area_true = overlap.sum(axis=1, keepdims=True)
    area_pred = overlap.sum(axis=0, keepdims=True)
    union = area_true + area_pred - overlap
    with np.errstate(divide="ignore", invalid="ignore"):
        iou = np.where(union > 0, overlap / np.where(union > 0, union, 1), 0.0)
    scores = iou.astype(np.float32)[1:, 1:]
    n_matched = min(n_true, n_pred)
    out = []
    for thr in thresholds:
        thr32 = np.float32(thr)
        if n_matched > 0:
            passes = scores >= thr32
            cost = -passes.astype(np.float64) - scores / (2 * n_matched)
            rows, cols = linear_sum_assignment(cost)
            matched = scores[rows, cols]
            tp_mask = matched >= thr32
            tp = int(tp_mask.sum())
            sum_score = float(matched[tp_mask].astype(np.float64).sum())
        else:
            tp, sum_score = 0, 0.0
        fp, fn = n_pred - tp, n_true - tp

        def ratio(num: float, den: float) -> float:
            return num / den if tp > 0 else 0.0

        def safe(x: float, y: float) -> float:
            return x / y if y > 0 else 0.0

        out.append({
            "thresh": float(thr), "tp": tp, "fp": fp, "fn": fn,
            "precision": ratio(tp, tp + fp), "recall": ratio(tp, tp + fn),
            "accuracy": ratio(tp, tp + fp + fn), "f1": ratio(2 * tp, 2 * tp + fp + fn),
            "n_true": n_true, "n_pred": n_pred,
            "mean_true_score": safe(sum_score, n_true),
            "mean_matched_score": safe(sum_score, tp),
            "panoptic_quality": safe(sum_score, tp + fp / 2 + fn / 2),
        })
    return out


def ap_name(thresh: float) -> str:
    """``ap_iou50``, ``ap_iou55``, ... for a matching threshold."""
    return f"ap_iou{int(round(thresh * 100)):02d}"


def pixel_overlap(labels: Any, truth: Any) -> Dict[str, float]:
    """IoU and Dice of the foregrounds (label > 0); NaN for two empty masks."""
    import numpy as np

    p, t = np.asarray(labels) > 0, np.asarray(truth) > 0
    inter, union = int(np.logical_and(p, t).sum()), int(np.logical_or(p, t).sum())
    total = int(p.sum() + t.sum())
    return {
        "iou": inter / union if union else math.nan,
        "dice": 2 * inter / total if total else math.nan,
    }


def restoration(prediction: Any, ground_truth: Any) -> Dict[str, float]:
    """PSNR, SSIM (data range of the ground truth, 1 when it is flat) and NRMSE (euclidean)."""
    import numpy as np
    from skimage import metrics as skm

    p = np.asarray(prediction, np.float64)
    t = np.asarray(ground_truth).astype(np.float64)
    rng = float(t.max() - t.min()) or 1.0
    return {
        "psnr": float(skm.peak_signal_noise_ratio(t, p, data_range=rng)),
        "ssim": float(skm.structural_similarity(t, p, data_range=rng)),
        "nrmse": float(skm.normalized_root_mse(t, p)),
    }


def compute_metrics(
    names: Sequence[str],
    labels: Any = None,
    prediction: Any = None,
    ground_truth: Any = None,
    threshold: float = 0.5,
) -> dict:
    """The requested metrics: ``iou``/``dice`` (foreground masks), ``f1_iou50`` and
    ``ap_iou50`` ... ``ap_iou90`` (StarDist matching), ``psnr``/``ssim``/``nrmse``
    (prediction vs ground-truth image); exactly the names asked for. ``threshold`` is
    unused (kept for notebooks that pass it)."""
    import numpy as np

    gt = np.asarray(ground_truth)
    out: Dict[str, float] = {}
    table: Optional[List[Dict[str, float]]] = None
    for name in names:
        if name in ("iou", "dice"):
            out[name] = pixel_overlap(labels, gt)[name]
        elif name == "f1_iou50" or re.fullmatch(r"ap_iou\d\d", name):
            if table is None:
                table = matching(gt.astype(np.int64), np.asarray(labels).astype(np.int64))
            rows = {ap_name(r["thresh"]): r for r in table}
            if name == "f1_iou50":
                out[name] = table[0]["f1"]
            elif name in rows:
                out[name] = rows[name]["accuracy"]
            else:
                raise ValueError(f"unknown metric {name!r} (AP at IoU 0.5, 0.55, ..., 0.9)")
        elif name in ("psnr", "ssim", "nrmse"):
            out[name] = restoration(prediction, gt)[name]
        else:
            raise ValueError(f"unknown metric {name!r}")
    return out


def print_metrics(kernel: Mapping[str, float], browser: Mapping[str, float]) -> None:
    """A small table: metric, kernel value, browser value (blank when not recorded)."""
    print(f"{'metric':<10} {'kernel':>10} {'browser':>10}")
    for name, value in kernel.items():
        b = browser.get(name)
        print(f"{name:<10} {value:>10.4f} {'' if b is None else format(b, '>10.4f')}")


# --- the comparison with the browser run, and the Methods paragraph built from it -------------


def _close(a: float, b: float, rtol: float = RTOL) -> bool:
    if math.isnan(a) or math.isnan(b):
        return math.isnan(a) and math.isnan(b)
    return abs(a - b) <= rtol * max(abs(a), abs(b)) or a == b


def _g(v: float) -> str:
    return f"{v:.4g}" if isinstance(v, float) else str(v)


def compare_with_browser(
    kernel_metrics: Mapping[str, float],
    browser_metrics: Mapping[str, float],
    *,
    labels: Any = None,
    browser: Optional[Mapping[str, Any]] = None,
    prediction: Any = None,
    rtol: float = RTOL,
) -> Dict[str, Any]:
    """What was measured: each metric the browser recorded next to the kernel's value, the
    object counts and, when the run record has them, the prediction summary or the
    browser's label image (``browser``: the record's ``browser`` part, may be None).

    Returns ``{"items": [...], "agree": bool, "checked": [...], "not_checked": [...]}``;
    every item is ``{"what", "kernel", "browser", "equal", "text"}``.
    """
    import numpy as np

    browser = dict(browser or {})
    items: List[Dict[str, Any]] = []
    not_checked: List[str] = []

    def add(what: str, k: Any, b: Any, equal: bool, text: str) -> None:
        items.append({"what": what, "kernel": k, "browser": b, "equal": bool(equal), "text": text})

    for name, b in browser_metrics.items():
        k = kernel_metrics.get(name)
        if k is None:
            not_checked.append(f"{name} (not computed in the kernel)")
            continue
        eq = _close(float(k), float(b), rtol)
        add(name, float(k), float(b), eq,
            f"{name} equal ({_g(float(k))})" if eq
            else f"{name} {_g(float(k))} in the kernel vs {_g(float(b))} in the browser")
    for name in kernel_metrics:
        if name not in browser_metrics:
            not_checked.append(f"{name} (not recorded by the browser)")

    if labels is not None:
        n_kernel = int(np.asarray(labels).max(initial=0))
        n_browser = browser.get("objectCount")
        if n_browser is None:
            not_checked.append("object count (not recorded by the browser)")
        else:
            eq = int(n_browser) == n_kernel
            add("objects", n_kernel, int(n_browser), eq,
                f"{n_kernel} objects in both" if eq
                else f"{n_kernel} objects in the kernel vs {int(n_browser)} in the browser")
        sha = browser.get("labelsSha256")
        if sha:
            import hashlib

            mine = hashlib.sha256(
                np.ascontiguousarray(np.asarray(labels), dtype="<i4").tobytes()).hexdigest()
            add("labels", mine, sha, mine == sha,
                "identical labels" if mine == sha else "label images differ")
    summary = browser.get("prediction")
    if prediction is not None and summary:
        p = np.asarray(prediction, np.float64)
        deltas = {k: abs(float(getattr(np, k)(p)) - float(summary[k]))
                  for k in ("min", "max", "mean") if k in summary}
        if deltas:
            worst = max(deltas.values())
            tol = float(browser.get("predictionAtol", 1e-3))
            add("prediction", worst, tol, worst <= tol,
                f"prediction summary (min, max, mean) within {worst:.2g} of the browser's"
                if worst <= tol else
                f"prediction summary differs from the browser's by {worst:.2g} (> {tol:g})")
    elif prediction is not None:
        not_checked.append("prediction (no summary recorded by the browser)")

    return {
        "items": items,
        "agree": all(i["equal"] for i in items) and bool(items),
        "checked": [i["what"] for i in items],
        "not_checked": not_checked,
    }


def print_comparison(comparison: Mapping[str, Any]) -> None:
    """One line per measured comparison, then what could not be compared."""
    for item in comparison["items"]:
        print(("  same  " if item["equal"] else "DIFFERS ") + item["text"])
    for what in comparison["not_checked"]:
        print("  not compared: " + what)


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>&~$\"'])")
_SAFE_URL = re.compile(r"^https?://[A-Za-z0-9._~:/?#\[\]@!$&'()*+,;=%-]+$")


def md_text(s: Any) -> str:
    """Plain text for Markdown: control characters to spaces, punctuation escaped."""
    return _MD_SPECIAL.sub(r"\\\1", re.sub(r"[\x00-\x1f\x7f\u2028\u2029]+", " ", str(s)))


def md_link(url: str, text: Optional[str] = None) -> str:
    """A Markdown link with the URL itself unescaped (``<url>`` or ``[text](<url>)``); a URL
    that is not plain http(s) is shown as escaped text instead."""
    url = str(url)
    if not _SAFE_URL.match(url) or "<" in url or ">" in url:
        return md_text(url)
    return f"<{url}>" if text is None else f"[{md_text(text)}](<{url}>)"


def citation_markdown(cite: Sequence[Mapping[str, Any]]) -> str:
    """``text (https://doi.org/…)`` for each citation, joined with "; "."""
    parts = []
    for c in cite or ():
        text = md_text(c.get("text", ""))
        if c.get("doi"):
            doi = str(c["doi"])
            parts.append(f"{text}, {md_link('https://doi.org/' + doi, 'doi:' + doi)}")
        elif c.get("url"):
            parts.append(f"{text}, {md_link(str(c['url']))}")
        else:
            parts.append(text)
    return "; ".join(parts)


def _version() -> str:
    try:
        import importlib.metadata as md

        return md.version("jupyterlab-bioimage")
    except Exception:  # noqa: BLE001 - a source tree that was never installed
        from .. import _version

        return str(getattr(_version, "__version__", "unknown"))


def methods_markdown(
    description: str,
    comparison: Optional[Mapping[str, Any]],
    *,
    style: str,
    extension_version: str,
    backend: str,
    run_time: str,
    cite: Sequence[Mapping[str, Any]] = (),
    kernel_metrics: Optional[Mapping[str, float]] = None,
) -> str:
    """The Methods paragraph, written when the notebook runs: ``description`` (the run's
    model, processing and parameters, already Markdown) + citations + the numbers measured
    in this kernel + what the comparison with the browser actually found."""
    cites = citation_markdown(cite)
    words = "NumPy and onnxruntime" if style == "numpy" else "bioimageio.core with onnxruntime"
    ext = str(extension_version)
    ext_words = (
        f"jupyterlab-bioimage {md_text(ext)}" if ext and ext not in ("0.0.0", "dev", "unknown")
        else "jupyterlab-bioimage (the browser did not record its version)"
    )
    parts = [description.rstrip()]
    if cites:
        parts.append(f"Model citation: {cites}.")
    if kernel_metrics:
        shown = ", ".join(f"{md_text(k)} = {v:.4g}" for k, v in kernel_metrics.items())
        parts.append(f"Measured in Python: {shown}.")
    parts.append(
        f"Inference first ran in the browser with {ext_words} (onnxruntime-web, "
        f"{md_text(backend)} backend) on {md_text(run_time)}, then in Python ({words}, "
        f"jupyterlab-bioimage {md_text(_version())})."
    )
    if comparison is None or not comparison.get("items"):
        parts.append("The Python results were not compared with the browser's "
                     "(nothing comparable was recorded).")
    elif comparison["agree"]:
        same = [i["what"] for i in comparison["items"] if isinstance(i["kernel"], float)
                and i["what"] not in ("prediction",)]
        rest = [md_text(i["text"]) for i in comparison["items"] if i["what"] not in same]
        found = ([f"{md_text(', '.join(same))} equal to the browser's (within "
                  f"{md_text(format(RTOL, 'g'))} relative)"] if same else []) + rest
        parts.append(f"Reproduced in Python: {'; '.join(found)}.")
    else:
        found = "; ".join(("" if i["equal"] else "**") + md_text(i["text"])
                          + ("" if i["equal"] else "**") for i in comparison["items"])
        parts.append(f"The Python run differs from the browser run: {found}.")
    if comparison is not None and comparison.get("not_checked"):
        parts.append("Not compared: " + "; ".join(md_text(w) for w in comparison["not_checked"])
                     + ".")
    return "### Methods\n\n" + " ".join(parts) + "\n\n*Software versions in the kernel:* " + \
        md_text(", ".join(f"{k} {v}" for k, v in _software().items()))


def _software() -> Dict[str, str]:
    from .provenance import software_versions

    return software_versions()
