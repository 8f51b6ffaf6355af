"""Parity: the generated notebook cells, run in a real kernel, reproduce the browser.

``src/notebook/__tests__/parity.node.spec.ts`` (jest, run before pytest by
``make test``) writes into ``tests/generated/``:

* ``parity-core.ipynb`` / ``parity-numpy.ipynb``: the cells generated for the
  fixture model (unet2d_nuclei_broad, ONNX) on ``img2d.tif``;
* ``ts_prediction.npy``: our TypeScript pipeline's output for the same run
  (onnxruntime-web in Node).

Each notebook is executed with nbclient + ipykernel (kernel ``python3`` of
this venv) in a temporary directory; the prediction it saves must equal the
TypeScript one within the model's test tolerance (rtol = atol = 1e-3), and
the browser's output saved by the UI test (``ui-tests/test-results/parity``)
when it exists.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
GENERATED = ROOT / "tests" / "generated"
BROWSER = ROOT / "ui-tests" / "test-results" / "parity"
FIXTURE_MASK = Path(os.environ.get("BIOIMAGE_FIXTURES", ROOT.parent / "shared" / "fixtures")) / "images" / "stardist" / "mask2d.tif"

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


def _need(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path.relative_to(ROOT)} missing: run the jest core project first")
    return path


def _kernel_name() -> str:
    from jupyter_client.kernelspec import KernelSpecManager

    specs = KernelSpecManager().find_kernel_specs()
    if "python3" not in specs:
        pytest.skip("no python3 kernelspec: python -m ipykernel install --sys-prefix")
    return "python3"


def _run(notebook: Path, workdir: Path) -> None:
    nb = nbformat.read(notebook, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        kernel_name=_kernel_name(),
        timeout=600,
        resources={"metadata": {"path": str(workdir)}},
    )
    # The kernel must import this checkout's package, whatever is installed.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    env["BIOIMAGE_CACHE_DIR"] = str(workdir / "cache")
    client.execute(env=env)
    nbformat.write(nb, workdir / notebook.name)


def _close(actual: np.ndarray, expected: np.ndarray, what: str) -> None:
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} vs {expected.shape}"
    diff = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
    bad = diff > 1e-3 + 1e-3 * np.abs(expected)
    print(f"{what}: max |diff| {diff.max():.3g}, {int(bad.sum())} elements beyond tolerance")
    assert not bad.any(), f"{what}: {int(bad.sum())} elements differ, max {diff.max():.3g}"


@pytest.mark.parametrize("style", ["core", "numpy"])
def test_generated_cells_reproduce_the_browser(style: str, tmp_path: Path) -> None:
    if style == "core":
        pytest.importorskip("bioimageio.core")
    notebook = _need(GENERATED / f"parity-{style}.ipynb")
    ts = np.load(_need(GENERATED / "ts_prediction.npy"))
    _run(notebook, tmp_path)

    kernel = np.load(tmp_path / "bioimage-results" / "prediction.npy")
    assert not np.isnan(kernel).any()
    _close(kernel, ts, f"{style} kernel vs TypeScript")

    labels = np.load(tmp_path / "bioimage-results" / "labels.npy")
    assert labels.shape == kernel.shape[-2:] and labels.max() > 10

    # Every cell carries provenance; the model is pinned by sha256.
    record = json.loads((GENERATED / "record.json").read_text())
    nb = nbformat.read(tmp_path / notebook.name, as_version=4)
    for cell in nb.cells:
        meta = cell.metadata["bioimage"]
        assert meta["weightsSha256"] == record["model"]["weightsSha256"]
        assert meta["modelId"] == record["model"]["id"]
    outputs = "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    assert "f1_iou50" in outputs  # the metrics table was printed

    for browser in sorted(BROWSER.glob("*.npy")) if BROWSER.is_dir() else []:
        _close(kernel, np.load(browser), f"{style} kernel vs browser {browser.name}")


def test_one_plane_of_a_stack_with_a_bundled_model(tmp_path: Path) -> None:
    """A 2D model on z plane 16 of the stardist stack: the cells select that
    plane from the image and from the 3D mask, the bundled model is found
    inside the package (``bundled:…``), and the kernel equals TypeScript."""
    pytest.importorskip("bioimageio.core")
    notebook = _need(GENERATED / "parity-zplane-core.ipynb")
    ts = np.load(_need(GENERATED / "ts_prediction_zplane.npy"))
    _run(notebook, tmp_path)
    kernel = np.load(tmp_path / "bioimage-results" / "prediction.npy")
    _close(kernel, ts, "z-plane kernel vs TypeScript")
    labels = np.load(tmp_path / "bioimage-results" / "labels.npy")
    assert labels.shape == (61, 57) and labels.max() > 0
    nb = nbformat.read(tmp_path / notebook.name, as_version=4)
    outputs = "".join(
        o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    assert "f1_iou50" in outputs  # metrics against plane 16 of the 3D mask


def test_image_resampled_to_the_model_grid_and_back(tmp_path: Path) -> None:
    """RESCALE: the image goes to the model at 256×256 and the outputs come back
    to 512×512 with the same bilinear formula as the browser."""
    pytest.importorskip("bioimageio.core")
    notebook = _need(GENERATED / "parity-rescale-core.ipynb")
    ts = np.load(_need(GENERATED / "ts_prediction_rescale.npy"))
    _run(notebook, tmp_path)
    kernel = np.load(tmp_path / "bioimage-results" / "prediction.npy")
    assert kernel.shape == (1, 2, 512, 512)
    _close(kernel, ts, "rescaled kernel vs TypeScript")
    labels = np.load(tmp_path / "bioimage-results" / "labels.npy")
    assert labels.shape == (512, 512)


def test_select_planes() -> None:
    sys.path.insert(0, str(ROOT))
    from jupyterlab_bioimage.analysis import select_planes

    a = np.arange(2 * 3 * 4 * 5).reshape(2, 3, 4, 5)
    plane, axes = select_planes(a, "TZYX", {"z": 1, "t": 1})
    assert axes == "YX"
    np.testing.assert_array_equal(plane, a[1, 1])
    same, axes2 = select_planes(a[0, 0], "TZYX", {"z": 1})
    assert axes2 == "TZYX" and same.shape == (4, 5)  # a 2D mask: nothing to select
    with pytest.raises(ValueError, match="z=3 is outside"):
        select_planes(a, "TZYX", {"z": 3})


def test_tampered_weights_are_refused(tmp_path: Path) -> None:
    """fetch_model refuses weights whose sha256 is not the pinned one."""
    sys.path.insert(0, str(ROOT))
    from jupyterlab_bioimage.analysis import fetch_model

    record = json.loads(_need(GENERATED / "record.json").read_text())
    rdf = Path(record["model"]["source"])
    files = fetch_model(str(rdf), record["model"]["weightsSha256"], cache=tmp_path)
    assert files.weights.name == "weights.onnx"
    with pytest.raises(ValueError, match="sha256"):
        fetch_model(str(rdf), "0" * 64, cache=tmp_path)


def _markdown_outputs(nb: object) -> str:
    return "".join(
        o.get("data", {}).get("text/markdown", "")
        for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )


@pytest.mark.parametrize("tag", ["cc", "watershed"])
def test_methods_state_the_measured_comparison(tag: str, tmp_path: Path) -> None:
    """A run record with the browser's own numbers (labels, F1, AP, prediction summary
    computed by the TypeScript in ``parity.node.spec.ts``): the kernel finds the same
    objects, F1 and AP, and its Methods paragraph says what it measured."""
    if tag == "watershed":
        pytest.importorskip("bioimageio.core")
    notebook = _need(GENERATED / f"parity-compare-{tag}.ipynb")
    browser = json.loads(_need(GENERATED / f"compare-{tag}.json").read_text())
    _run(notebook, tmp_path)
    nb = nbformat.read(tmp_path / notebook.name, as_version=4)
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors, errors

    labels = np.load(tmp_path / "bioimage-results" / "labels.npy")
    assert int(labels.max()) == browser["browser"]["objectCount"]

    sys.path.insert(0, str(ROOT))
    from jupyterlab_bioimage.kernel.metrics import compute_metrics
    import tifffile

    truth = tifffile.imread(FIXTURE_MASK)
    names = ["f1_iou50"] + [f"ap_iou{t}" for t in range(50, 95, 5)]
    kernel = compute_metrics(names, labels=labels, ground_truth=truth)
    for name in names:
        assert kernel[name] == pytest.approx(browser["values"][name], rel=1e-6, abs=1e-12), name

    methods = _markdown_outputs(nb)
    assert methods.startswith("### Methods")
    assert "Reproduced in Python" in methods, methods
    assert f"{int(labels.max())} objects in both" in methods
    assert "identical labels" in methods
    assert re.search(r"f1\\_iou50, ap\\_iou50, .*ap\\_iou90 equal to the browser", methods)
    assert "differs" not in methods
    # The package's real version, and links that are links.
    from importlib.metadata import version

    assert f"jupyterlab\\-bioimage {version('jupyterlab-bioimage')}".replace(".", "\\.") in methods
    assert "0.0.0" not in methods
    assert "\\_" not in "".join(re.findall(r"<(https?://[^>]+)>", methods))
    if tag == "watershed":
        assert "seeded watershed" in methods


def test_methods_say_differs_when_the_numbers_differ() -> None:
    """Nothing is claimed that was not measured: a differing F1 or count is reported as such."""
    sys.path.insert(0, str(ROOT))
    from jupyterlab_bioimage.kernel.metrics import compare_with_browser, methods_markdown

    labels = np.zeros((8, 8), np.int32)
    labels[1:3, 1:3] = 1
    labels[5:7, 5:7] = 2
    comparison = compare_with_browser({"f1_iou50": 0.4976}, {"f1_iou50": 0.5073, "iou": 0.8},
                                      labels=labels, browser={"objectCount": 3})
    assert not comparison["agree"]
    text = methods_markdown("A run.", comparison, style="core", extension_version="0.0.0",
                            backend="wasm", run_time="now",
                            cite=[{"text": "x", "url": "https://arxiv.org/abs/1806.03535"}])
    assert "differs from the browser run" in text and "Reproduced" not in text
    assert "f1\\_iou50 0\\.4976 in the kernel vs 0\\.5073 in the browser" in text
    assert "2 objects in the kernel vs 3 in the browser" in text
    assert "iou \\(not computed in the kernel\\)" in text
    assert "<https://arxiv.org/abs/1806.03535>" in text
    assert "did not record its version" in text
    empty = methods_markdown("A run.", compare_with_browser({}, {}), style="numpy",
                             extension_version="0.1.0", backend="wasm", run_time="now")
    assert "were not compared" in empty
