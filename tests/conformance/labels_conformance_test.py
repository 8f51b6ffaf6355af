"""The labels and metrics corpora (``labels.v1.json``, ``metrics.v1.json``) through the kernel.

The same cases run through the browser's TypeScript in
``src/core/metrics/__tests__/conformance.node.spec.ts``. Label images and object counts must
agree exactly (sha256 of the int32 labels), floats within 1e-6 relative. The committed JSON
must be exactly what ``labels_make_cases.py`` writes (expected values from scikit-image and
the StarDist matching rules, not from the kernel), so the corpus cannot drift.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any, Dict

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import labels_make_cases as gen  # noqa: E402

LABELS = json.loads((HERE / "labels.v1.json").read_text())
METRICS = json.loads((HERE / "metrics.v1.json").read_text())
RTOL = METRICS["tolerance"]["rtol"]
ATOL = METRICS["tolerance"]["atol"]
MAPS = gen.all_maps()


def _close(actual: float, expected: Any, what: str) -> None:
    if expected is None:
        assert math.isnan(actual), f"{what}: {actual} where NaN (undefined) is expected"
        return
    assert abs(actual - expected) <= ATOL + RTOL * abs(expected), f"{what}: {actual} != {expected}"


def test_corpora_are_what_the_generator_writes() -> None:
    built = gen.build()
    for key, name in (("labels", "labels.v1.json"), ("metrics", "metrics.v1.json")):
        assert (HERE / name).read_text() == gen.dumps(built[key]), (
            f"{name} differs from what labels_make_cases.py writes: rerun "
            "`python tests/conformance/labels_make_cases.py` and review the diff")


def test_corpus_shape() -> None:
    cases = LABELS["cases"]
    assert len(cases) >= 100
    assert {c["method"] for c in cases} == {"none", "connected_components", "watershed"}
    assert any(c["boundary"] for c in cases) and any(
        c["method"] == "watershed" and not c["boundary"] for c in cases)
    assert {"nuclei_seg", "unet"} <= {c["map"] for c in cases}
    kinds = {c["kind"] for c in METRICS["cases"]}
    assert kinds == {"matching", "restoration"}


@pytest.mark.parametrize("name", sorted(MAPS))
def test_maps_materialize_identically(name: str) -> None:
    info = LABELS["maps"][name]
    for field in ("foreground", "boundary", "truth"):
        arr = MAPS[name][field]
        assert (None if arr is None else gen.sha256(arr)) == info[f"{field}_sha256"], field


@pytest.mark.parametrize("case", LABELS["cases"], ids=[c["name"] for c in LABELS["cases"]])
def test_kernel_labels(case: Dict[str, Any]) -> None:
    from jupyterlab_bioimage.kernel.labels import instances

    m = MAPS[case["map"]]
    lab = instances(m["foreground"], threshold=case["threshold"], min_size=case["min_size"],
                    method=case["method"], boundary=m["boundary"] if case["boundary"] else None)
    assert lab.dtype == np.int32
    e = case["expected"]
    assert int(lab.max()) == e["count"]
    assert int((lab > 0).sum()) == e["pixels"]
    assert gen.sha256(lab.astype("<i4")) == e["sha256"]


def _labels_of(ref: Dict[str, Any]) -> np.ndarray:
    from jupyterlab_bioimage.kernel.labels import instances

    if "data" in ref:
        return np.asarray(ref["data"], np.int64)
    if "map" in ref:
        return MAPS[ref["map"]]["truth"]
    case = next(c for c in LABELS["cases"] if c["name"] == ref["case"])
    m = MAPS[case["map"]]
    return instances(m["foreground"], case["threshold"], case["min_size"], case["method"],
                     m["boundary"] if case["boundary"] else None)


def _image_of(ref: Dict[str, Any], name: str, which: int) -> np.ndarray:
    if "seed" in ref:
        r = next(p for p in gen.restoration_pairs(MAPS) if p["name"] == name)
        return np.asarray(r["arrays"][which], np.float64)
    return np.asarray(MAPS[ref["map"]][ref["field"]], np.float64)


@pytest.mark.parametrize("case", METRICS["cases"], ids=[c["name"] for c in METRICS["cases"]])
def test_kernel_metrics(case: Dict[str, Any]) -> None:
    from jupyterlab_bioimage.kernel import metrics as km

    e = case["expected"]
    if case["kind"] == "restoration":
        truth = _image_of(case["truth"], case["name"], 0)
        test = _image_of(case.get("test", case["truth"]), case["name"], 1)
        got = km.restoration(test, truth)
        for k in ("psnr", "ssim", "nrmse"):
            _close(got[k], e[k], k)
        return
    truth, pred = _labels_of(case["truth"]), _labels_of(case["pred"])
    ov = km.pixel_overlap(pred, truth)
    _close(ov["iou"], e["iou"], "iou")
    _close(ov["dice"], e["dice"], "dice")
    rows = km.matching(truth, pred, METRICS["thresholds"])
    for got, want in zip(rows, e["matching"]):
        for k in ("tp", "fp", "fn", "n_true", "n_pred"):
            assert got[k] == want[k], f"{k} at {want['thresh']}"
        for k in ("precision", "recall", "accuracy", "f1", "mean_true_score",
                  "mean_matched_score", "panoptic_quality"):
            _close(got[k], want[k], f"{k} at {want['thresh']}")
    got = km.compute_metrics(["iou", "dice", "f1_iou50", "ap_iou90"], labels=pred,
                             ground_truth=truth)
    assert got["f1_iou50"] == pytest.approx(e["matching"][0]["f1"], rel=RTOL, abs=ATOL)
    assert got["ap_iou90"] == pytest.approx(e["matching"][-1]["accuracy"], rel=RTOL, abs=ATOL)
