"""Parity of the wizard's notebook cells with the browser run that wrote them.

The Galata test ``ui-tests/tests/wizard.spec.ts`` drives the wizard end to end
on the fixture model (``unet2d_nuclei_broad``, a workspace folder) and the
stardist image ``img2d.tif`` with ``mask2d.tif``, then saves to
``ui-tests/test-results/wizard/``:

* ``analysis.ipynb``: the cells the wizard inserted (paths relative to it);
* ``browser_prediction.npy`` / ``browser_labels.npy``: what onnxruntime-web
  produced in Chromium and the labels the wizard derived;
* ``browser.json``: the metric values the wizard showed.

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
    # Same threshold and 8-connectivity: the same objects, numbered alike;
    # a probability within 1e-3 of the threshold may flip a few pixels.
    assert abs(int(kernel.max()) - int(browser.max())) <= 1
    assert np.mean(kernel != browser) < 1e-4
    shown = json.loads(_need(RUN / "browser.json").read_text())
    import tifffile

    truth = tifffile.imread(work / "mask2d.tif") > 0
    pred = kernel > 0
    iou = (pred & truth).sum() / (pred | truth).sum()
    assert iou == pytest.approx(shown["iou"], abs=1e-3)


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
