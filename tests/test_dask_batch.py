"""Scale out: the generated batch pipeline on dask.distributed equals the
single-process run.

A LocalCluster with 2 worker processes (one thread each) runs the bundled
nuclei model (dynamic size, small, fast):

* over a folder of 3 small images (one task per image, Zarr output), and
* block-wise over a 1×1×300×260 volume (Zarr and TIFF input) with
  ``map_overlap`` (depth = halo 24, chunks = the tiles' owned regions),

and the results must equal :func:`jupyterlab_bioimage.batch.run_pipeline`
(max |diff| ≤ 1e-5), with the provenance stored next to them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("dask.array")
pytest.importorskip("distributed")
zarr = pytest.importorskip("zarr")
tifffile = pytest.importorskip("tifffile")
yaml = pytest.importorskip("yaml")

from jupyterlab_bioimage.batch import batch_predict_dask, pipeline_spec, run_pipeline  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
MODEL = ROOT / "jupyterlab_bioimage" / "zoo" / "bioimage-nuclei-seg"
PROVENANCE = {"model_id": "bioimage-nuclei-seg", "run_time": "2026-01-01T00:00:00Z"}


def _spec(image_axes: str) -> dict:
    rdf = yaml.safe_load((MODEL / "rdf.yaml").read_text())
    inp, out = rdf["inputs"][0], rdf["outputs"][0]
    axes = lambda t: [a.get("id", a["type"]) for a in t["axes"]]  # noqa: E731
    return pipeline_spec(
        MODEL / "weights.onnx",
        rdf["weights"]["onnx"]["sha256"],
        axes(inp),
        axes(out),
        inp.get("preprocessing", []),
        out.get("postprocessing", []),
        block_shape={"y": 128, "x": 128},
        halo={"y": 24, "x": 24},
        image_axes=image_axes,
    )


def _image(shape: tuple, seed: int) -> np.ndarray:
    """Nuclei-like blobs: the bundled test input, tiled and cropped, plus noise."""
    base = np.load(MODEL / "test_input.npy").astype(np.float32)[0, 0]
    reps = (-(-shape[0] // base.shape[0]), -(-shape[1] // base.shape[1]))
    img = np.tile(base, reps)[: shape[0], : shape[1]]
    rng = np.random.default_rng(seed)
    return (img * 1000 + rng.normal(0, 5, shape) + 100).astype(np.uint16)


def _check(a: np.ndarray, b: np.ndarray) -> None:
    assert a.shape == b.shape
    assert not np.isnan(a).any()
    assert float(np.abs(a.astype(np.float64) - b).max()) <= 1e-5


@pytest.fixture(scope="module")
def cluster():
    from dask.distributed import LocalCluster

    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as c:
        yield c


def test_folder(tmp_path: Path, cluster) -> None:
    folder = tmp_path / "images"
    folder.mkdir()
    images = {}
    for i, shape in enumerate([(96, 112), (150, 130), (64, 200)]):
        images[f"img{i}"] = _image(shape, i)
        tifffile.imwrite(folder / f"img{i}.tif", images[f"img{i}"])
    spec = _spec("YX")
    written = batch_predict_dask(
        spec, folder, tmp_path / "out", scheduler=cluster.scheduler_address, provenance=PROVENANCE
    )
    assert len(written) == 3
    for path in written:
        z = zarr.open(path, mode="r")
        name = Path(path).stem
        _check(np.asarray(z), run_pipeline(spec, images[name][None, None]))
        meta = dict(z.attrs)["bioimage"]
        assert meta["model_id"] == "bioimage-nuclei-seg"
        assert meta["source_image"].endswith(f"{name}.tif")
        assert "numpy" in meta["software"]


@pytest.mark.parametrize("kind", ["zarr", "tif"])
def test_volume_block_wise(tmp_path: Path, cluster, kind: str) -> None:
    volume = _image((300, 260), 7)[None, None]  # 1×1×300×260, b c y x
    src = tmp_path / f"volume.{kind}"
    if kind == "zarr":
        z = zarr.open(str(src), mode="w", shape=volume.shape, dtype=volume.dtype, chunks=(1, 1, 100, 100))
        z[...] = volume
    else:
        tifffile.imwrite(src, volume[0, 0])
    spec = _spec("TCYX" if kind == "zarr" else "YX")
    written = batch_predict_dask(
        spec, src, tmp_path / "out", scheduler=cluster.scheduler_address,
        provenance=PROVENANCE, fmt="zarr" if kind == "zarr" else "tif",
    )
    assert len(written) == 1
    single = run_pipeline(spec, volume)
    assert single.shape == (1, 2, 300, 260)
    if kind == "zarr":
        z = zarr.open(written[0], mode="r")
        _check(np.asarray(z), single)
        assert dict(z.attrs)["bioimage"]["source_volume"].endswith("volume.zarr")
    else:
        with tifffile.TiffFile(written[0]) as t:
            _check(t.asarray().reshape(single.shape), single)
            meta = json.loads(t.pages[0].description)["bioimage"]
        assert meta["model_id"] == "bioimage-nuclei-seg"


def test_local_cluster_by_default(tmp_path: Path) -> None:
    """scheduler=None starts (and closes) its own 2-process LocalCluster."""
    folder = tmp_path / "one"
    folder.mkdir()
    img = _image((80, 96), 3)
    np.save(folder / "a.npy", img)
    spec = _spec("YX")
    [path] = batch_predict_dask(spec, folder, tmp_path / "out", provenance=PROVENANCE)
    _check(np.asarray(zarr.open(path, mode="r")), run_pipeline(spec, img[None, None]))
