"""Parity of the wizard's notebook cells with the browser run that wrote them.

The Galata test ``ui-tests/tests/wizard.spec.ts`` drives the wizard end to end
on the fixture model (``unet2d_nuclei_broad``, a workspace folder) and the
stardist image ``img2d.tif`` with ``mask2d.tif``, then saves to
``ui-tests/test-results/wizard/``:

* ``analysis.ipynb``: the cells the wizard inserted (paths relative to it);
* ``browser_prediction.npy`` / ``browser_labels.npy``: what onnxruntime-web
  produced in Chromium and the labels the wizard derived;
* ``browser.json``: the metric values the wizard showed (``iou``, ``objects``; and, once
  the UI test saves them, ``f1_iou50`` and ``matching`` -- the wizard's StarDist table).

The notebook's own parameters cell holds the browser's recorded metrics
(``BROWSER_METRICS``, from the run record); the kernel's compare cell measures its
numbers against them and the Methods cell states that comparison.

Here the notebook runs in a real kernel (nbclient + ipykernel) in a folder laid
out as in the browser's workspace, and its prediction must equal the browser's
within the model's test tolerance (rtol = atol = 1e-3), its labels and IoU too.
``make test`` runs this after the UI tests, with BIOIMAGE_REQUIRE_WIZARD_RUN=1
so a missing browser run fails instead of skipping.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
RUN = ROOT / "ui-tests" / "test-results" / "wizard"
FIXTURES = Path(os.environ.get("BIOIMAGE_FIXTURES", ROOT.parent / "shared" / "fixtures"))
UNET_FILES = ["bioimageio.yaml", "weights.onnx", "test_input.npy", "test_output.npy"]

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


def _need(path: Path) -> Path:
    if not path.exists():
        message = f"{path.relative_to(ROOT)} missing: run the wizard UI test first"
        if os.environ.get("BIOIMAGE_REQUIRE_WIZARD_RUN"):
            pytest.fail(message)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def executed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    notebook = _need(RUN / "analysis.ipynb")
    work = tmp_path_factory.mktemp("wizard")
    stardist = FIXTURES / "images" / "stardist"
    for name in ("img2d.tif", "mask2d.tif"):
        shutil.copy(stardist / name, work / name)
    (work / "unet").mkdir()
    for name in UNET_FILES:
        shutil.copy(FIXTURES / "models" / "unet2d_nuclei_broad" / name, work / "unet" / name)
    nb = nbformat.read(notebook, as_version=4)
    client = nbclient.NotebookClient(
        nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(work)}}
    )
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    env["BIOIMAGE_CACHE_DIR"] = str(work / "cache")
    client.execute(env=env)
    return work, nb


def test_kernel_prediction_equals_the_browser(executed: tuple[Path, object]) -> None:
    work, _ = executed
    browser = np.load(_need(RUN / "browser_prediction.npy")).astype(np.float64)
    kernel = np.squeeze(np.load(work / "bioimage-results" / "prediction.npy")).astype(np.float64)
    assert kernel.shape == browser.shape
    diff = np.abs(kernel - browser)
    bad = diff > 1e-3 + 1e-3 * np.abs(browser)
    print(f"kernel vs browser: max |diff| {diff.max():.3g}, {int(bad.sum())} beyond tolerance")
    assert not bad.any()


def test_kernel_labels_and_iou_equal_the_browser(executed: tuple[Path, object]) -> None:
    work, _ = executed
    browser = np.load(_need(RUN / "browser_labels.npy"))
    kernel = np.load(work / "bioimage-results" / "labels.npy")
    assert kernel.shape == browser.shape
    # Same threshold, same labelling rules (the labels conformance corpus): the same
    # objects, numbered alike.
    assert int(kernel.max()) == int(browser.max())
    assert np.mean(kernel != browser) < 1e-4
    shown = json.loads(_need(RUN / "browser.json").read_text())
    import tifffile

    truth = tifffile.imread(work / "mask2d.tif") > 0
    pred = kernel > 0
    iou = (pred & truth).sum() / (pred | truth).sum()
    assert iou == pytest.approx(shown["iou"], abs=1e-3)


def _browser_metrics(nb: object) -> dict:
    """``BROWSER_METRICS`` of the notebook's parameters cell (the run record's values)."""
    import ast

    params = next(c for c in nb.cells if c.metadata.get("bioimage", {}).get("step") == "parameters")
    for line in params.source.splitlines():
        if line.startswith("BROWSER_METRICS = "):
            return ast.literal_eval(line.split("=", 1)[1].strip())
    raise AssertionError("no BROWSER_METRICS in the parameters cell")


def test_objects_f1_and_ap_equal_the_browser(executed: tuple[Path, object]) -> None:
    """Identical object counts, F1 and AP (TP/(TP+FP+FN)) at IoU 0.5 ... 0.9 in both places."""
    work, nb = executed
    import tifffile

    from jupyterlab_bioimage.kernel.metrics import THRESHOLDS, matching

    shown = json.loads(_need(RUN / "browser.json").read_text())
    kernel = np.load(work / "bioimage-results" / "labels.npy")
    assert int(kernel.max()) == int(shown["objects"])
    truth = tifffile.imread(work / "mask2d.tif")
    table = matching(truth.astype(np.int64), kernel.astype(np.int64), THRESHOLDS)
    recorded = _browser_metrics(nb)
    assert "f1_iou50" in recorded, "the run record carries no F1"
    assert table[0]["f1"] == pytest.approx(recorded["f1_iou50"], rel=1e-6)
    if "f1_iou50" in shown:
        assert table[0]["f1"] == pytest.approx(shown["f1_iou50"], rel=1e-6)
    # AP as the browser showed it, when the UI test saved its table; else what the browser's
    # own label image gives under the same rules.
    browser_labels = np.load(_need(RUN / "browser_labels.npy")).astype(np.int64)
    rows = shown.get("matching") or [
        {"thresh": r["thresh"], "accuracy": r["accuracy"], "f1": r["f1"]}
        for r in matching(truth.astype(np.int64), browser_labels, THRESHOLDS)
    ]
    for got, want in zip(table, rows):
        assert got["accuracy"] == pytest.approx(want["accuracy"], rel=1e-6), want["thresh"]
        assert got["f1"] == pytest.approx(want["f1"], rel=1e-6), want["thresh"]
    for t in THRESHOLDS:
        name = f"ap_iou{int(round(t * 100))}"
        if name in recorded:
            assert table[THRESHOLDS.index(t)]["accuracy"] == pytest.approx(recorded[name], rel=1e-6)


def test_methods_quote_the_measured_comparison(executed: tuple[Path, object]) -> None:
    """The Methods paragraph is computed in the kernel and says what it compared."""
    work, nb = executed
    methods = "".join(
        o.get("data", {}).get("text/markdown", "")
        for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    assert methods.startswith("### Methods"), "no Methods output from the kernel"
    assert "Reproduced in Python" in methods, methods
    assert "f1\\_iou50" in methods and "equal to the browser" in methods
    kernel = np.load(work / "bioimage-results" / "labels.npy")
    recorded_count = "object count (not recorded by the browser)"
    assert f"{int(kernel.max())} objects in both" in methods or recorded_count in methods.replace(
        "\\", "")
    assert "differs" not in methods


def test_cells_are_pinned_and_carry_provenance(executed: tuple[Path, object]) -> None:
    _, nb = executed
    for cell in nb.cells:
        meta = cell.metadata["bioimage"]
        assert meta["weightsSha256"] == (
            "85f5ac80fa977fea3562ef97c8c5950288be2c4f4cdb5d994807df97008ce088"
        )
    errors = [
        o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"
    ]
    assert not errors
