"""The teaching notebook examples/tutorial-choose-adapt-validate.ipynb runs offline and
shows what it claims.

The notebook is executed once (nbclient + ipykernel, kernel ``python3`` of this
venv, PYTHONPATH to this checkout, BIOIMAGE_CACHE_DIR in the temporary
directory) in a temporary copy of ``examples/``; nothing is written into the
repository. Its last cell prints ``TUTORIAL_RESULTS {json}`` and saves the
arrays behind the numbers in ``tutorial-results/``; the checks below recompute
the key numbers from those arrays with plain NumPy (and the model test from the
zoo's own test tensors) instead of trusting the notebook's printout.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
NOTEBOOK = EXAMPLES / "tutorial-choose-adapt-validate.ipynb"
ZOO = ROOT / "jupyterlab_bioimage" / "zoo"
MODELS = ("bioimage-nuclei-seg", "bioimage-denoise")
MARKER = "TUTORIAL_RESULTS "

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")


def _kernel_name() -> str:
    from jupyter_client.kernelspec import KernelSpecManager

    if "python3" not in KernelSpecManager().find_kernel_specs():
        pytest.skip("no python3 kernelspec: python -m ipykernel install --sys-prefix")
    return "python3"


class Run:
    """The executed notebook, its working directory and its printed results."""

    def __init__(self, nb, workdir: Path, results: dict, seconds: float):
        self.nb, self.workdir, self.results, self.seconds = nb, workdir, results, seconds

    def array(self, name: str) -> np.ndarray:
        return np.load(self.workdir / "tutorial-results" / name)


@pytest.fixture(scope="module")
def run(tmp_path_factory) -> Run:
    pytest.importorskip("onnxruntime")
    workdir = tmp_path_factory.mktemp("tutorial") / "examples"
    shutil.copytree(
        EXAMPLES, workdir,
        ignore=shutil.ignore_patterns("tutorial-results", "bioimage-results", ".ipynb_checkpoints"),
    )
    before = sorted(p.name for p in EXAMPLES.iterdir())
    nb = nbformat.read(workdir / NOTEBOOK.name, as_version=4)
    client = nbclient.NotebookClient(
        nb, kernel_name=_kernel_name(), timeout=120,
        resources={"metadata": {"path": str(workdir)}},
    )
    # The kernel imports this checkout's package, whatever is installed; no network needed.
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    env["BIOIMAGE_CACHE_DIR"] = str(workdir / "cache")
    start = time.perf_counter()
    client.execute(env=env)  # raises CellExecutionError on the first failing cell
    seconds = time.perf_counter() - start
    print(f"tutorial executed in {seconds:.1f} s")
    nbformat.write(nb, workdir / ("executed-" + NOTEBOOK.name))
    assert sorted(p.name for p in EXAMPLES.iterdir()) == before, "the run wrote into examples/"

    lines = [
        line[len(MARKER):]
        for cell in nb.cells if cell.cell_type == "code"
        for out in cell.outputs if out.output_type == "stream" and out.name == "stdout"
        for line in out.text.splitlines() if line.startswith(MARKER)
    ]
    assert len(lines) == 1, f"expected one {MARKER.strip()} line, got {len(lines)}"
    return Run(nb, workdir, json.loads(lines[0]), seconds)


# --------------------------------------------------------------------------- the stored notebook


def test_stored_notebook_is_clean_and_small() -> None:
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    assert nb.metadata["kernelspec"]["name"] == "python3"
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code), (
        "clear the outputs before committing the tutorial"
    )
    assert NOTEBOOK.stat().st_size < 100_000
    text = "\n".join(c.source for c in nb.cells)
    # No network: bundled models and local data only.
    assert "http://" not in text and "https://" not in text
    assert "bundled:" in text
    # The wizard is pointed to.
    assert "Analyse with a model" in text and "Analyse an Image with a Model" in text


# --------------------------------------------------------------------------- the run


def test_runs_offline_quickly_without_errors(run: Run) -> None:
    errors = [
        out for c in run.nb.cells if c.cell_type == "code"
        for out in c.outputs if out.output_type == "error"
    ]
    assert not errors, errors
    assert all(c.execution_count for c in run.nb.cells if c.cell_type == "code")
    assert run.seconds < 60, f"the tutorial took {run.seconds:.0f} s"
    # The kernel used this checkout's package (editable install / PYTHONPATH).
    assert Path(run.results["package"]).resolve() == (ROOT / "jupyterlab_bioimage").resolve()
    # show() rendered the images in the BioImage viewer.
    mimes = {
        key for c in run.nb.cells if c.cell_type == "code"
        for out in c.outputs if out.output_type == "display_data" for key in out.data
    }
    assert "application/vnd.bioimage.array+json" in mimes


@pytest.mark.parametrize("model", MODELS)
def test_model_reproduces_its_test_outputs(run: Run, model: str) -> None:
    assert run.results[f"{model}_test_passed"] is True
    assert run.results[f"{model}_test_max_diff"] < 1e-3
    # Independently: the saved prediction against the zoo's test tensor (bioimage.io tolerance).
    expected = np.load(ZOO / model / "test_output.npy").astype(np.float64)
    got = run.array(f"{model}_test_prediction.npy").astype(np.float64)
    assert got.shape == expected.shape
    diff = np.abs(got - expected)
    assert not (diff > 1e-3 + 1e-3 * np.abs(expected)).any()
    assert diff.max() == pytest.approx(run.results[f"{model}_test_max_diff"], abs=1e-9)
    if f"{model}_core_test" in run.results:  # bioimageio.core's reference test
        assert run.results[f"{model}_core_test"] == "passed"


def _iou(labels: np.ndarray, truth: np.ndarray) -> float:
    p, t = labels > 0, truth > 0
    return float((p & t).sum() / (p | t).sum())


def _f1_iou50(labels: np.ndarray, truth: np.ndarray) -> float:
    """Instance F1: a true nucleus is found when one predicted object overlaps it with IoU > 0.5."""
    pred_ids, true_ids = np.unique(labels[labels > 0]), np.unique(truth[truth > 0])
    tp = 0
    for t in true_ids:
        inside = truth == t
        for p in np.unique(labels[inside & (labels > 0)]):
            obj = labels == p
            if (obj & inside).sum() / (obj | inside).sum() > 0.5:
                tp += 1
                break
    return 2 * tp / (len(pred_ids) + len(true_ids))


def test_right_normalisation_beats_wrong_one(run: Run) -> None:
    truth = np.asarray(_read_tif(EXAMPLES / "data" / "nuclei_synthetic_mask.tif"))
    right, wrong = run.array("labels_right.npy"), run.array("labels_wrong_raw.npy")
    assert right.shape == wrong.shape == truth.shape
    iou_right, iou_wrong = _iou(right, truth), _iou(wrong, truth)
    assert iou_right == pytest.approx(run.results["iou_right"], abs=1e-4)
    assert iou_wrong == pytest.approx(run.results["iou_wrong_raw"], abs=1e-4)
    assert iou_right > 0.85
    assert iou_right - iou_wrong > 0.3, (iou_right, iou_wrong)
    f1 = _f1_iou50(right, truth)
    assert f1 == pytest.approx(run.results["f1_right"], abs=1e-4)
    assert f1 > 0.8 and run.results["f1_right"] > run.results["f1_wrong_raw"] + 0.3
    # The other wrong normalisation and the wrong model are worse too.
    assert run.results["iou_wrong_div65535"] < iou_right - 0.3
    assert run.results["mismatch_denoiser_iou"] < iou_right - 0.3
    # Tiling with the description's halo equals the whole-image prediction.
    assert run.results["tiling_max_diff"] < 1e-5


def _psnr(prediction: np.ndarray, truth: np.ndarray) -> float:
    t = truth.astype(np.float64)
    mse = np.mean((prediction.astype(np.float64) - t) ** 2)
    return float(10 * np.log10((t.max() - t.min()) ** 2 / mse))


def test_denoiser_improves_psnr(run: Run) -> None:
    noisy = _read_tif(EXAMPLES / "data" / "noisy_synthetic.tif")
    clean = _read_tif(EXAMPLES / "data" / "noisy_synthetic_clean.tif")
    denoised = run.array("denoised.npy")
    assert denoised.shape == clean.shape
    psnr_noisy, psnr_denoised = _psnr(noisy, clean), _psnr(denoised, clean)
    assert psnr_noisy == pytest.approx(run.results["psnr_noisy"], abs=1e-2)
    assert psnr_denoised == pytest.approx(run.results["psnr_denoised"], abs=1e-2)
    assert psnr_denoised > psnr_noisy + 5, (psnr_noisy, psnr_denoised)
    assert run.results["ssim_denoised"] > run.results["ssim_noisy"]
    assert run.results["psnr_wrong_scale"] < psnr_noisy - 10  # output left in the normalised scale


def test_tta_and_record(run: Run) -> None:
    assert 0 < run.results["tta_disagreement_right"] < 0.1
    assert run.results["tta_disagreement_wrong_raw"] <= run.results["tta_disagreement_right"]
    for model in MODELS:
        record = run.results["models"][model]
        assert record["weights_sha256"] == _sha256(ZOO / model / "weights.onnx")
        assert record["rdf_sha256"] == _sha256(ZOO / model / "rdf.yaml")
        assert record["version"] and record["source"] == f"bundled:{model}/rdf.yaml"
    assert {"python", "numpy", "onnxruntime", "jupyterlab-bioimage"} <= set(run.results["software"])


def _read_tif(path: Path) -> np.ndarray:
    import tifffile

    return tifffile.imread(path)


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
