"""Fine-tuning in the kernel (``jupyterlab_bioimage.finetune``) on the bundled models.

Two ways in, with the same checks:

* the generated fine-tuning cell, written by
  ``src/notebook/__tests__/finetune.node.spec.ts`` (jest, run before pytest by
  ``make test``) into ``tests/generated/finetune-nuclei.ipynb`` and executed here
  with nbclient + ipykernel on the bundled nuclei model and
  ``examples/data/nuclei_synthetic.tif`` (cut into four 128 px tiles);
* :func:`finetune.fine_tune` called directly (tiles cut by the test; a
  restoration run on the bundled denoiser).

Checks: frozen parameters bit-identical to the base model, at least one
trained parameter changed, held-out tiles disjoint from the training tiles,
finite metrics equal to a recomputation from the saved fine-tuned model, and
refusals (too little data, tampered weights, no PyTorch). Each run is a few
short epochs on the CPU.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jupyterlab_bioimage import analysis, finetune  # noqa: E402

GENERATED = ROOT / "tests" / "generated"
ZOO = ROOT / "jupyterlab_bioimage" / "zoo"
SEG = ZOO / "bioimage-nuclei-seg"
DEN = ZOO / "bioimage-denoise"
EXAMPLES = ROOT / "examples" / "data"


def _tifs(*names: str) -> list:
    import tifffile

    return [tifffile.imread(EXAMPLES / n) for n in names]


def _params(path: Path) -> dict:
    import torch

    return {n: p.detach().clone() for n, p in torch.jit.load(str(path)).named_parameters()}


def _recompute(weights: Path, rdf: dict, image, truth, unit: dict, post: dict) -> dict:
    """Held-out metrics of ``unit`` from the saved TorchScript, independently of finetune."""
    import torch

    inp, out = rdf["inputs"][0], rdf["outputs"][0]
    axes = [a.get("id") or a["type"] for a in inp["axes"]]
    out_axes = [a.get("id") or a["type"] for a in out["axes"]]
    x = analysis.apply_processing(image[None, None], inp["preprocessing"], axes)
    sl = (slice(unit["y"], unit["y"] + unit["height"]), slice(unit["x"], unit["x"] + unit["width"]))
    model = torch.jit.load(str(weights)).eval()
    with torch.no_grad():
        y = model(torch.from_numpy(np.ascontiguousarray(x[(..., *sl)]))).numpy()
    y = analysis.apply_processing(y, out["postprocessing"], out_axes)
    if "f1_iou50" in post["metrics"]:
        labels = analysis.instances(y[0, 0], threshold=post["threshold"], min_size=post["min_size"],
                                    method=post["instance_method"])
        return analysis.compute_metrics(post["metrics"], labels=labels, ground_truth=truth[sl])
    # the clean image in the network's output scale: normalised with the input's percentiles
    kw = next(s["kwargs"] for s in inp["preprocessing"] if s["id"] == "scale_range")
    lo, hi = np.percentile(image, [kw["min_percentile"], kw["max_percentile"]])
    target = ((truth.astype(np.float32) - lo) / (hi - lo + kw["eps"])).astype(np.float32)
    return analysis.compute_metrics(post["metrics"], prediction=y[0, 0], ground_truth=target[sl])


def _check(report: dict, out_dir: Path, base: Path, units_images: list, truths: list,
           post: dict) -> None:
    """The checks every fine-tuning run must pass."""
    weights = out_dir / finetune.WEIGHTS_FILE
    on_disk = json.loads((out_dir / finetune.REPORT_FILE).read_text())
    assert on_disk["metrics"] == report["metrics"] and on_disk["split"] == report["split"]
    assert analysis.sha256_of(weights) == report["weights"]["sha256"]
    assert report["base_model"]["torchscript_sha256"] == analysis.sha256_of(base)

    # Frozen layers are untouched, bit for bit; training changed the others.
    before, after = _params(base), _params(weights)
    assert report["frozen"] and report["trainable"]
    assert set(report["frozen"]) | set(report["trainable"]) == set(before)
    for name in report["frozen"]:
        assert before[name].dtype == after[name].dtype
        assert np.array_equal(before[name].numpy(), after[name].numpy()), name
    assert any(not np.array_equal(before[n].numpy(), after[n].numpy()) for n in report["trainable"])
    # freeze_fraction of the layers (weight + bias), input side first
    assert report["frozen"][0] == next(iter(before))

    # The held-out units were never trained on: disjoint from, and not overlapping, the training ones.
    split = report["split"]
    train, val = split["train"], split["validation"]
    assert train and val
    for v in val:
        for t in train:
            same_image = v["image"] == t["image"]
            overlap = (v["y"] < t["y"] + t["height"] and t["y"] < v["y"] + v["height"]
                       and v["x"] < t["x"] + t["width"] and t["x"] < v["x"] + v["width"])
            assert not (same_image and overlap), (v, t)

    # Metrics: finite, and the same as recomputed from the saved model on the held-out units.
    metrics = report["metrics"]
    for when in ("before", "after"):
        assert set(metrics[when]) == set(post["metrics"])
        assert all(math.isfinite(v) for v in metrics[when].values()), metrics[when]
    rdf = analysis._read_yaml(Path(report["base_model"]["description"]))
    rows = [_recompute(weights, rdf, units_images[u["image"]], truths[u["image"]], u, post) for u in val]
    for name, value in metrics["after"].items():
        assert value == pytest.approx(float(np.mean([r[name] for r in rows])), abs=1e-6), name
    for row, per_unit in zip(rows, metrics["per_unit"]):
        assert per_unit["after"] == pytest.approx(row, abs=1e-6)
    base_rows = [_recompute(base, rdf, units_images[u["image"]], truths[u["image"]], u, post) for u in val]
    for row, per_unit in zip(base_rows, metrics["per_unit"]):
        assert per_unit["before"] == pytest.approx(row, abs=1e-6)


SEG_POST = {"metrics": ["iou", "f1_iou50"], "threshold": 0.5, "min_size": 12,
            "instance_method": "connected_components"}


# ----------------------------------------------------------------------------- the generated cell


def test_generated_cell_fine_tunes_in_a_kernel(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = GENERATED / "finetune-nuclei.ipynb"
    if not notebook.exists():
        pytest.skip(f"{notebook.relative_to(ROOT)} missing: run the jest core project first")
    from jupyter_client.kernelspec import KernelSpecManager

    if "python3" not in KernelSpecManager().find_kernel_specs():
        pytest.skip("no python3 kernelspec: python -m ipykernel install --sys-prefix")

    nb = nbformat.read(notebook, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name="python3", timeout=300,
                                     resources={"metadata": {"path": str(tmp_path)}})
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    env["BIOIMAGE_CACHE_DIR"] = str(tmp_path / "cache")
    client.execute(env=env)

    out_dir = tmp_path / "bioimage-results" / "finetune"
    report = json.loads((out_dir / finetune.REPORT_FILE).read_text())
    record = json.loads((GENERATED / "finetune-record.json").read_text())
    image, mask = _tifs("nuclei_synthetic.tif", "nuclei_synthetic_mask.tif")
    _check(report, out_dir, SEG / "weights.torchscript.pt", [image], [mask], SEG_POST)

    # four 128 px tiles of one 256 px image, one held out, the seed of the cell
    assert report["split"]["by"] == "tile" and len(report["split"]["validation"]) == 1
    assert len(report["split"]["train"]) == 3
    assert report["parameters"]["seed"] == 3 and report["parameters"]["epochs"] == 2
    assert report["base_model"]["pinned_weights_sha256"] == record["model"]["weightsSha256"]
    assert report["base_model"]["description_sha256"] == record["model"]["descriptionSha256"]
    assert report["provenance"]["model_id"] == "bioimage-nuclei-seg"
    outputs = "".join(o.get("text", "") for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "f1_iou50" in outputs and "held out: 1 tile(s)" in outputs
    for cell in nb.cells:
        assert cell.metadata["bioimage"]["weightsSha256"] == record["model"]["weightsSha256"]


# ----------------------------------------------------------------------------- the helper directly


def _tiles(a: np.ndarray, size: int) -> list:
    return [a[y:y + size, x:x + size] for y in range(0, a.shape[0], size)
            for x in range(0, a.shape[1], size)]


def test_fine_tune_segmentation_on_tiles(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    image, mask = _tifs("nuclei_synthetic.tif", "nuclei_synthetic_mask.tif")
    images, masks = _tiles(image, 128), _tiles(mask, 128)
    kwargs = dict(epochs=2, steps_per_epoch=5, lr=1e-3, seed=1, val_fraction=0.25,
                  min_size=12, out_dir=tmp_path / "ft")
    report = finetune.fine_tune(SEG, images, masks, **kwargs,
                                weights_sha256=analysis.sha256_of(SEG / "weights.onnx"))
    assert report["split"]["by"] == "image" and len(report["split"]["validation"]) == 1
    _check(report, tmp_path / "ft", SEG / "weights.torchscript.pt", images, masks, SEG_POST)
    # the split is by image and follows the seed
    train, val = finetune.split_units([m.shape for m in masks], None, 0.25, 1)
    assert [u.as_dict() for u in val] == report["split"]["validation"]
    assert [u.as_dict() for u in train] == report["split"]["train"]
    assert finetune.split_units([m.shape for m in masks], None, 0.25, 1) == (train, val)


def test_fine_tune_restoration(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    noisy, clean = _tifs("noisy_synthetic.tif", "noisy_synthetic_clean.tif")
    report = finetune.fine_tune(DEN, [noisy], [clean], task="restoration", tile_size=128,
                                epochs=1, steps_per_epoch=5, lr=1e-3, out_dir=tmp_path / "ft")
    post = {"metrics": ["psnr", "ssim"]}
    _check(report, tmp_path / "ft", DEN / "weights.torchscript.pt", [noisy], [clean], post)
    assert report["metrics"]["before"]["psnr"] > 20


def test_too_little_data_is_refused(tmp_path: Path) -> None:
    pytest.importorskip("torch")
    image, mask = _tifs("nuclei_synthetic.tif", "nuclei_synthetic_mask.tif")
    out = tmp_path / "ft"
    with pytest.raises(ValueError, match="too few images to hold any out: 1 image"):
        finetune.fine_tune(SEG, [image], [mask], out_dir=out)
    with pytest.raises(ValueError, match="give 1 tile"):
        finetune.fine_tune(SEG, [image], [mask], tile_size=200, out_dir=out)
    with pytest.raises(ValueError, match="smaller than one training crop"):
        finetune.fine_tune(SEG, [image], [mask], tile_size=64, out_dir=out)
    with pytest.raises(ValueError, match="val_fraction"):
        finetune.fine_tune(SEG, [image], [mask], tile_size=128, val_fraction=1.0, out_dir=out)
    with pytest.raises(ValueError, match="freeze_fraction"):
        finetune.fine_tune(SEG, [image], [mask], tile_size=128, freeze_fraction=1.0, out_dir=out)
    assert not out.exists()


def test_unverified_weights_are_refused(tmp_path: Path) -> None:
    image, mask = _tifs("nuclei_synthetic.tif", "nuclei_synthetic_mask.tif")
    pkg = tmp_path / "pkg"
    shutil.copytree(SEG, pkg)
    with pytest.raises(ValueError, match="not the model that was run"):
        finetune.load_base_model(pkg, weights_sha256="0" * 64)
    ts = pkg / "weights.torchscript.pt"
    data = bytearray(ts.read_bytes())
    data[-100] ^= 0xFF
    ts.write_bytes(bytes(data))
    with pytest.raises(ValueError, match="sha256"):
        finetune.load_base_model(pkg)
    pytest.importorskip("torch")
    with pytest.raises(ValueError, match="refusing"):
        finetune.fine_tune(pkg, [image], [mask], tile_size=128, out_dir=tmp_path / "ft")
    assert not (tmp_path / "ft").exists()


def test_without_torch_says_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "torch", None)  # import torch -> ImportError
    with pytest.raises(ImportError, match="pip install torch"):
        finetune.fine_tune(SEG, [np.zeros((8, 8))], [np.zeros((8, 8))])


def test_bundled_torchscript_reproduces_the_test_tensors() -> None:
    """Both bundled packages: TorchScript (verified by sha256) + the description's
    processing reproduce the package's test output, like the ONNX weights."""
    torch = pytest.importorskip("torch")
    for pkg in (SEG, DEN):
        base = finetune.load_base_model(pkg, weights_sha256=analysis.sha256_of(pkg / "weights.onnx"))
        rdf = base.description
        assert rdf["weights"]["torchscript"]["parent"] == "onnx"
        assert "parent" not in rdf["weights"]["onnx"]
        inp, out = rdf["inputs"][0], rdf["outputs"][0]
        axes = ["batch", "channel", "y", "x"]
        x = analysis.apply_processing(np.load(pkg / inp["test_tensor"]["source"]), inp["preprocessing"], axes)
        with torch.no_grad():
            y = torch.jit.load(str(base.weights)).eval()(torch.from_numpy(x)).numpy()
        y = analysis.apply_processing(y, out["postprocessing"], axes)
        np.testing.assert_allclose(y, np.load(pkg / out["test_tensor"]["source"]), rtol=1e-4, atol=1e-4)
