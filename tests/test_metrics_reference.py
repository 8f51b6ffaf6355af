"""Guards the committed metric reference data against drift.

``tests/metrics_reference/`` holds inputs (``.npy``) and expected values
(``reference.json``) that the jest spec
``src/core/metrics/__tests__/reference.node.spec.ts`` checks the TypeScript
metrics against. This test regenerates them with the reference libraries
(scikit-image, scipy) into a temporary directory and checks that the committed
files are still what those libraries produce.
"""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("skimage")
pytest.importorskip("scipy")
pytest.importorskip("tifffile")

REF_DIR = Path(__file__).resolve().parent / "metrics_reference"


def _load_generator():
    spec = importlib.util.spec_from_file_location("make_reference", REF_DIR / "make_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _assert_close(got, want, path="$"):
    """Structural equality; floats to 1e-9 relative (library versions may
    reorder float operations), everything else exactly."""
    if isinstance(want, dict):
        assert isinstance(got, dict) and got.keys() == want.keys(), path
        for k in want:
            _assert_close(got[k], want[k], f"{path}.{k}")
    elif isinstance(want, list):
        assert isinstance(got, list) and len(got) == len(want), path
        for i, (g, w) in enumerate(zip(got, want)):
            _assert_close(g, w, f"{path}[{i}]")
    elif isinstance(want, float):
        assert math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12), f"{path}: {got} != {want}"
    else:
        assert got == want, f"{path}: {got!r} != {want!r}"


def test_committed_reference_matches_libraries(tmp_path):
    gen = _load_generator()
    if not (gen.DEFAULT_FIXTURES / "mask2d.tif").exists():
        pytest.skip(f"fixtures not found in {gen.DEFAULT_FIXTURES} (set BIOIMAGE_FIXTURES_DIR)")
    fresh = gen.main(tmp_path)

    committed = json.loads((REF_DIR / "reference.json").read_text())
    # Library versions are informative only; the values are what must agree.
    fresh.pop("versions")
    committed.pop("versions")
    _assert_close(json.loads(json.dumps(fresh)), committed)

    for npy in sorted(REF_DIR.glob("*.npy")):
        a, b = np.load(npy), np.load(tmp_path / npy.name)
        assert a.dtype == b.dtype and a.shape == b.shape, npy.name
        np.testing.assert_array_equal(a, b, err_msg=npy.name)
    assert {p.name for p in REF_DIR.glob("*.npy")} == {p.name for p in tmp_path.glob("*.npy")}


def test_reference_data_stays_small():
    total = sum(p.stat().st_size for p in REF_DIR.iterdir() if p.suffix in (".npy", ".json"))
    assert total < 200_000, total


def test_stardist_port_on_digest_examples():
    """The port reproduces the digest's StarDist examples S2 and S3 (optimal, not greedy)."""
    gen = _load_generator()
    gt = np.zeros((6, 6), np.int32)
    gt[0:2, 0:2], gt[2:4, 2:4], gt[4:6, 4:6] = 1, 2, 3
    pred = np.zeros((6, 6), np.int32)
    pred[0:2, 0:2], pred[2:4, 3:5], pred[5, 0:2] = 1, 2, 3
    s2 = gen.stardist_matching(gt, pred, [0.5, 0.3, 0.0])
    assert [r["tp"] for r in s2] == [1, 2, 3]
    assert s2[0]["accuracy"] == pytest.approx(0.2)
    assert s2[1]["mean_true_score"] == pytest.approx(4 / 9, abs=1e-6)

    t = np.array([[1] * 10 + [2] * 10 + [0] * 4], np.int32)
    p = np.array([[2] * 3 + [1] * 13 + [0] * 8], np.int32)
    s3 = gen.stardist_matching(t, p, [0.25, 0.4, 0.5])
    assert [r["tp"] for r in s3] == [2, 1, 0]
    assert s3[0]["mean_matched_score"] == pytest.approx(0.326471, abs=1e-6)
