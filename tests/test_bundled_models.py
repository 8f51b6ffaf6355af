"""Tests of the bundled default zoo (jupyterlab_bioimage/zoo), made by
scripts/train_bundled_models.py.

Run: .venv/bin/python -m pytest tests/test_bundled_models.py
Needs in .venv: numpy, scipy, pyyaml, tifffile, pillow, onnx, onnxruntime and
bioimageio.core (hard requirement: the reference library must pass the packages).
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
ZOO = ROOT / "jupyterlab_bioimage" / "zoo"
EXAMPLES = ROOT / "examples" / "data"
sys.path.insert(0, str(ROOT / "scripts"))

import synth_microscopy as sm  # noqa: E402

EXPECTED_IDS = {"bioimage-nuclei-seg", "bioimage-denoise"}
MAX_PACKAGE_BYTES = 2 * 1024 * 1024


def _index():
    return json.loads((ZOO / "index.json").read_text())


PACKAGE_IDS = sorted(m["id"] for m in _index()["models"]) if (ZOO / "index.json").exists() else []


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _rdf(pkg_id: str) -> dict:
    return yaml.safe_load((ZOO / pkg_id / "rdf.yaml").read_text())


def _file_refs(node, found=None):
    """All {source, sha256} dicts anywhere in the description."""
    if found is None:
        found = []
    if isinstance(node, dict):
        if "source" in node and isinstance(node["source"], str):
            found.append(node)
        for v in node.values():
            _file_refs(v, found)
    elif isinstance(node, list):
        for v in node:
            _file_refs(v, found)
    return found


def _axis_ids(tensor: dict) -> list[str]:
    ids = []
    for a in tensor["axes"]:
        ids.append(a.get("id", {"batch": "batch", "channel": "channel", "index": "index",
                               "time": "time", "space": "x"}[a["type"]]))
    return ids


def _apply_processing(x: np.ndarray, tensor: dict, key: str) -> np.ndarray:
    """Minimal implementation of the ops our packages use (statistics from the
    tensor as it enters the stage, like bioimageio.core)."""
    ids = _axis_ids(tensor)
    raw = x.astype(np.float64)
    for step in tensor.get(key, []):
        op, kw = step["id"], step.get("kwargs", {}) or {}
        if op == "ensure_dtype":
            x = x.astype(kw["dtype"])
        elif op == "zero_mean_unit_variance":
            ax = tuple(ids.index(a) for a in kw["axes"])
            m = raw.mean(axis=ax, keepdims=True)
            s = raw.std(axis=ax, keepdims=True)
            x = ((x - m) / (s + kw.get("eps", 1e-6))).astype(np.float32)
        elif op == "scale_range":
            ax = tuple(ids.index(a) for a in kw["axes"])
            lo = np.percentile(raw, kw.get("min_percentile", 0), axis=ax, keepdims=True)
            hi = np.percentile(raw, kw.get("max_percentile", 100), axis=ax, keepdims=True)
            x = ((x - lo) / (hi - lo + kw.get("eps", 1e-6))).astype(np.float32)
        elif op == "sigmoid":
            x = (1.0 / (1.0 + np.exp(-x.astype(np.float64)))).astype(np.float32)
        else:
            raise NotImplementedError(op)
    return x


def _session(pkg_id: str):
    import onnxruntime as ort

    rdf = _rdf(pkg_id)
    return ort.InferenceSession(str(ZOO / pkg_id / rdf["weights"]["onnx"]["source"]),
                                providers=["CPUExecutionProvider"])


def _run_pipeline(pkg_id: str, raw: np.ndarray) -> np.ndarray:
    rdf = _rdf(pkg_id)
    sess = _session(pkg_id)
    x = _apply_processing(raw, rdf["inputs"][0], "preprocessing")
    y = sess.run(None, {sess.get_inputs()[0].name: x.astype(np.float32)})[0]
    return _apply_processing(y, rdf["outputs"][0], "postprocessing")


# ----------------------------------------------------------------------------- index
def test_index_lists_all_packages():
    index = _index()
    ids = {m["id"] for m in index["models"]}
    assert ids == EXPECTED_IDS
    dirs = {p.name for p in ZOO.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))}
    assert dirs == ids
    for m in index["models"]:
        assert m["rdf"] == f"{m['id']}/rdf.yaml"
        assert _sha(ZOO / m["rdf"]) == m["rdf_sha256"]
        for f in m["files"] + m["covers"] + [m["documentation"], m["weights"]["onnx"]]:
            assert (ZOO / f).is_file(), f
        rdf = _rdf(m["id"])
        for k in ("name", "description", "version", "license", "format_version", "tags"):
            assert m[k] == rdf[k]


# ----------------------------------------------------------------------------- description
@pytest.mark.parametrize("pkg_id", PACKAGE_IDS)
def test_description_fields(pkg_id):
    rdf = _rdf(pkg_id)
    pkg = ZOO / pkg_id
    assert rdf["type"] == "model"
    assert re.fullmatch(r"0\.5\.\d+", rdf["format_version"])
    assert tuple(map(int, rdf["format_version"].split("."))) >= (0, 5, 4)
    assert rdf["id"] == pkg_id and re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", pkg_id)
    assert rdf["version"] == "0.1.0"
    assert rdf["license"] in ("BSD-3-Clause", "CC-BY-4.0")
    assert rdf["authors"] == [{"name": "jupyterlab-bioimage contributors"}]
    assert 5 <= len(rdf["name"]) <= 64
    assert 0 < len(rdf["description"]) <= 512
    tags = set(rdf["tags"])
    assert "2d" in tags and tags & {"segmentation", "denoising"}
    assert tags & {"nuclei", "fluorescence"}

    doc = (pkg / rdf["documentation"]).read_text(encoding="utf-8")
    assert re.search(r"^# Validation\s*$", doc, re.M)
    for heading in ("Intended use", "Training data", "Limitations"):
        assert f"## {heading}" in doc

    from PIL import Image

    for cover in rdf["covers"]:
        assert cover.endswith(".png")
        with Image.open(pkg / cover) as im:
            w, h = im.size
        assert w in (h, 2 * h), (w, h)
        assert (pkg / cover).stat().st_size < 500 * 1024

    # ONNX runs in the browser; TorchScript (converted from it) is for fine-tuning.
    assert set(rdf["weights"]) == {"onnx", "torchscript"}
    assert 17 <= rdf["weights"]["onnx"]["opset_version"] <= 20
    assert rdf["weights"]["torchscript"]["parent"] == "onnx"

    (inp,), (out,) = rdf["inputs"], rdf["outputs"]
    assert [a["type"] for a in inp["axes"]] == ["batch", "channel", "space", "space"]
    assert [a["type"] for a in out["axes"]] == ["batch", "channel", "space", "space"]
    assert _axis_ids(inp)[2:] == ["y", "x"] and _axis_ids(out)[2:] == ["y", "x"]
    assert inp["axes"][1]["channel_names"] and out["axes"][1]["channel_names"]
    for a in inp["axes"][2:]:
        assert set(a["size"]) == {"min", "step"} and a["size"]["min"] >= 16
    for a in out["axes"][2:]:
        assert a["size"] == {"tensor_id": inp["id"], "axis_id": a["id"]}
        assert a["halo"] >= 1
        assert min(b["size"]["min"] for b in inp["axes"][2:]) - 2 * a["halo"] >= 1
    if pkg_id == "bioimage-nuclei-seg":
        assert out["axes"][1]["channel_names"] == ["foreground", "boundary"]
        assert [p["id"] for p in out["postprocessing"]][0] == "sigmoid"
    else:
        assert len(out["axes"][1]["channel_names"]) == 1


@pytest.mark.parametrize("pkg_id", PACKAGE_IDS)
def test_sha256_of_every_file_reference(pkg_id):
    rdf = _rdf(pkg_id)
    refs = _file_refs(rdf)
    sources = {r["source"] for r in refs}
    # weights, test tensors and sample tensors are all referenced with a checksum
    assert {"weights.onnx", "weights.torchscript.pt", "test_input.npy", "test_output.npy"} <= sources
    for ref in refs:
        assert "sha256" in ref, ref
        path = ZOO / pkg_id / ref["source"]
        assert path.is_file(), ref
        assert _sha(path) == ref["sha256"], ref["source"]
    for rel in rdf["covers"] + [rdf["documentation"]]:
        assert (ZOO / pkg_id / rel).is_file()


@pytest.mark.parametrize("pkg_id", PACKAGE_IDS)
def test_package_size(pkg_id):
    total = sum(p.stat().st_size for p in (ZOO / pkg_id).rglob("*") if p.is_file())
    assert total < MAX_PACKAGE_BYTES, total


@pytest.mark.parametrize("pkg_id", PACKAGE_IDS)
def test_test_tensors_are_float32_c_order(pkg_id):
    rdf = _rdf(pkg_id)
    for t in rdf["inputs"] + rdf["outputs"]:
        arr = np.load(ZOO / pkg_id / t["test_tensor"]["source"])
        assert arr.dtype == np.float32 and arr.flags.c_contiguous and arr.ndim == 4
        assert np.abs(arr).max() > 1e-3


# ----------------------------------------------------------------------------- onnx
@pytest.mark.parametrize("pkg_id", PACKAGE_IDS)
def test_onnx_reproduces_test_output(pkg_id):
    rdf = _rdf(pkg_id)
    x = np.load(ZOO / pkg_id / rdf["inputs"][0]["test_tensor"]["source"])
    expected = np.load(ZOO / pkg_id / rdf["outputs"][0]["test_tensor"]["source"])
    actual = _run_pipeline(pkg_id, x)
    assert actual.shape == expected.shape
    np.testing.assert_allclose(actual, expected, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("pkg_id", PACKAGE_IDS)
def test_onnx_graph_has_dynamic_axes_and_runs_other_sizes(pkg_id):
    import onnx

    rdf = _rdf(pkg_id)
    model = onnx.load(str(ZOO / pkg_id / "weights.onnx"))
    assert any(o.domain in ("", "ai.onnx") and 17 <= o.version <= 20 for o in model.opset_import)
    (gin,) = model.graph.input
    dims = gin.type.tensor_type.shape.dim
    assert len(dims) == 4
    for i in (0, 2, 3):
        assert dims[i].dim_param and not dims[i].HasField("dim_value"), dims[i]
    assert dims[1].dim_value == 1

    sess = _session(pkg_id)
    n_out = len(rdf["outputs"][0]["axes"][1]["channel_names"])
    rng = np.random.default_rng(0)
    for shape in [(1, 1, 64, 64), (2, 1, 80, 112), (3, 1, 128, 96), (1, 1, 64, 304)]:
        y = sess.run(None, {gin.name: rng.standard_normal(shape).astype(np.float32)})[0]
        assert y.shape == (shape[0], n_out) + shape[2:]
        assert np.isfinite(y).all()


@pytest.mark.parametrize("pkg_id", PACKAGE_IDS)
def test_receptive_field_within_halo(pkg_id):
    """A one-pixel change alters outputs only within the halo, and tiling with
    that halo (arbitrary, non-aligned tile offsets) equals the untiled output."""
    rdf = _rdf(pkg_id)
    halo = rdf["outputs"][0]["axes"][2]["halo"]
    sess = _session(pkg_id)
    name = sess.get_inputs()[0].name
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 1, 160, 160)).astype(np.float32)
    x2 = x.copy()
    x2[0, 0, 77, 83] += 25.0
    d = np.abs(sess.run(None, {name: x2})[0] - sess.run(None, {name: x})[0]).max(axis=(0, 1))
    ys, xs = np.nonzero(d > 0)
    assert len(ys) > 0
    assert np.abs(ys - 77).max() <= halo and np.abs(xs - 83).max() <= halo

    # manual tiling with odd offsets, interior only (image borders are padded by the tiler)
    img = sm.zero_mean_unit_variance(sm.synth_image(rng, (200, 232)).noisy)[None, None]
    full = sess.run(None, {name: img})[0]
    out = np.full_like(full, np.nan)
    inner = 37
    for y0 in range(halo, 200 - halo, inner):
        for x0 in range(halo, 232 - halo, inner):
            y1, x1 = min(y0 + inner, 200 - halo), min(x0 + inner, 232 - halo)
            tile = img[..., y0 - halo : y1 + halo, x0 - halo : x1 + halo]
            res = sess.run(None, {name: np.ascontiguousarray(tile)})[0]
            out[..., y0:y1, x0:x1] = res[..., halo : halo + (y1 - y0), halo : halo + (x1 - x0)]
    sl = (..., slice(halo, 200 - halo), slice(halo, 232 - halo))
    assert not np.isnan(out[sl]).any()
    np.testing.assert_allclose(out[sl], full[sl], rtol=0, atol=1e-4)


def test_segmentation_quality_on_fresh_image():
    """Instance F1 at IoU 0.5 on a new synthetic image (seed not used in training)."""
    rng = np.random.default_rng(123456)
    tp = fp = fn = 0
    for _ in range(2):
        img = sm.synth_image(rng, (256, 256), photons=(150.0, 600.0))
        p = _run_pipeline("bioimage-nuclei-seg", img.noisy[None, None])[0]
        inst = sm.instances_from_prediction(p[0], p[1])
        t, f1, f2, _ = sm.match_instances(img.labels, inst)
        tp, fp, fn = tp + t, fp + f1, fn + f2
    assert 2 * tp / (2 * tp + fp + fn) > 0.8


def test_denoising_improves_psnr_on_fresh_image():
    rng = np.random.default_rng(654321)
    img = sm.synth_image(rng, (256, 256), photons=(30.0, 60.0))
    raw = img.noisy[None, None]
    x, lo, hi = sm.scale_range(raw)
    target = (img.clean[None, None] - lo) / (hi - lo + 1e-6)
    y = _run_pipeline("bioimage-denoise", raw)

    def psnr(a):
        return 10 * np.log10(1.0 / np.mean((a - target) ** 2))

    assert psnr(y) > psnr(x) + 3.0


# ----------------------------------------------------------------------------- bioimageio.core
@pytest.mark.parametrize("pkg_id", PACKAGE_IDS)
def test_bioimageio_core_test_model_passes(pkg_id):
    from bioimageio.core import test_model

    summary = test_model(ZOO / pkg_id / "rdf.yaml")
    if summary.status != "passed":
        details = "\n".join(
            f"{d.name}: {d.status} {[e.msg for e in d.errors]}" for d in summary.details
        )
        pytest.fail(f"bioimageio.core test_model: {summary.status}\n{details}")


@pytest.mark.parametrize("pkg_id", PACKAGE_IDS)
def test_bioimageio_core_tiled_equals_untiled(pkg_id):
    """bioimageio.core block-wise prediction (halo from the description, tiles
    padded symmetrically at the image border) equals the whole-image prediction
    within 1e-4 everywhere, on an image larger than the blocks, for several block
    shapes. This shows that the halo covers the receptive field.

    The whole-image reference is core's pipeline without halo padding: core 0.11's
    untiled ``predict()`` pads the image by the halo *before* computing the
    normalisation statistics, which shifts the statistics slightly (a core quirk,
    unrelated to tiling); its tiled path, like ``test_model``, uses the statistics of
    the unpadded image.
    """
    from bioimageio.core import create_prediction_pipeline, load_model_description, predict
    from bioimageio.core.digest_spec import create_sample_for_model

    model = load_model_description(ZOO / pkg_id / "rdf.yaml")
    in_id = str(model.inputs[0].id)
    out_id = model.outputs[0].id
    halo = model.outputs[0].axes[2].halo
    rng = np.random.default_rng(99)
    raw = sm.synth_image(rng, (320, 272)).noisy[None, None]

    # ONNX, as the browser and the generated cells run it (core would pick TorchScript).
    with create_prediction_pipeline(model, weight_format="onnx") as pp:
        sample = create_sample_for_model(model, inputs={in_id: raw}, sample_id="whole")
        whole = pp.predict_sample_without_blocking(
            sample, skip_input_padding=True, skip_output_cropping=True
        ).members[out_id].data.to_numpy()
    assert whole.shape[2:] == raw.shape[2:]
    # same as our own onnxruntime pipeline (independent implementation of the pre/post ops)
    np.testing.assert_allclose(whole, _run_pipeline(pkg_id, raw), rtol=1e-4, atol=1e-4)

    results = []
    for block in ({"y": 128, "x": 112}, {"y": 96, "x": 160}, {"y": 64, "x": 64}):
        tiled = predict(
            model=model,
            inputs={in_id: raw},
            input_block_shape={in_id: {"batch": 1, "channel": 1, **block}},
        ).members[out_id].data.to_numpy()
        results.append(tiled)
    results.append(
        predict(model=model, inputs={in_id: raw}, blocksize_parameter=2).members[out_id].data.to_numpy()
    )
    for tiled in results:
        assert tiled.shape == whole.shape
        assert not np.isnan(tiled).any()
        np.testing.assert_allclose(tiled, whole, rtol=0, atol=1e-4)

    # core's untiled predict() (statistics from the halo-padded image, see above)
    untiled = predict(model=model, inputs={in_id: raw}).members[out_id].data.to_numpy()
    assert untiled.shape == whole.shape and np.isfinite(untiled).all()
    assert halo >= 1


# ----------------------------------------------------------------------------- example data
def test_example_data():
    import tifffile

    files = {
        "nuclei_synthetic.tif": np.uint16,
        "nuclei_synthetic_mask.tif": np.uint16,
        "noisy_synthetic.tif": np.uint16,
    }
    for name, dtype in files.items():
        path = EXAMPLES / name
        assert path.stat().st_size < 300 * 1024
        arr = tifffile.imread(path)
        assert arr.dtype == dtype and arr.shape == (256, 256), (name, arr.dtype, arr.shape)
    img = tifffile.imread(EXAMPLES / "nuclei_synthetic.tif").astype(np.float32)
    mask = tifffile.imread(EXAMPLES / "nuclei_synthetic_mask.tif")
    assert mask.max() >= 10 and set(np.unique(mask)) == set(range(int(mask.max()) + 1))
    # nuclei are brighter than background
    assert img[mask > 0].mean() > 1.2 * img[mask == 0].mean()
    p = _run_pipeline("bioimage-nuclei-seg", img[None, None])[0]
    t, f1, f2, _ = sm.match_instances(mask, sm.instances_from_prediction(p[0], p[1]))
    assert 2 * t / (2 * t + f1 + f2) > 0.8
