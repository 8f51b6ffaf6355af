"""Scale out: the generated pipeline over many images or a large volume with Dask.

* :func:`pipeline_spec` describes the pipeline as plain data (weights path and
  sha256, axes, processing steps, block shape, halo), so it can be shipped to
  Dask workers; each worker process opens the ONNX session once.
* :func:`run_pipeline` is the single-process run: preprocessing on the whole
  sample, tiled prediction (:func:`~jupyterlab_bioimage.kernel.tiling.tiled_predict_onnx`),
  postprocessing.
* :func:`batch_predict_dask` runs it on ``dask.distributed`` (a ``LocalCluster``
  by default, or an existing scheduler address):

  - a **folder** of images: one task per image;
  - a **volume** (``.zarr`` or a single TIFF): preprocessing statistics over the
    whole volume, then ``dask.array.map_overlap`` with the halo as depth; each
    chunk is one tile of the same plan the single-process run uses, so results
    agree with it (up to floating-point summation order).

  Results are written as Zarr (provenance in ``.attrs``) or TIFF (provenance
  JSON in the image description).

Heavy imports (NumPy, Dask, onnxruntime, zarr) happen inside the functions.
Kernel side: imports only the other kernel modules and :mod:`jupyterlab_bioimage.layout`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

from ..layout import sha256_of
from .images import LETTER_TO_AXIS, image_to_input, load_image
from .processing import apply_processing
from .provenance import provenance_json
from .tiling import fold, plan_axis, tiled_predict_onnx

IMAGE_SUFFIXES = (".tif", ".tiff", ".npy", ".png")
_SESSIONS: dict = {}


def pipeline_spec(
    weights: os.PathLike | str,
    weights_sha256: str,
    input_axes: Sequence[str],
    output_axes: Sequence[str],
    preprocessing: Sequence[Mapping[str, Any]],
    postprocessing: Sequence[Mapping[str, Any]],
    block_shape: Optional[Mapping[str, int]] = None,
    halo: Optional[Mapping[str, int]] = None,
    image_axes: Optional[str] = None,
    channels: Optional[Sequence[int]] = None,
    pad_mode: str = "symmetric",
) -> dict:
    """The pipeline as plain, picklable data (see the module docstring)."""
    return {
        "weights": str(weights),
        "weights_sha256": str(weights_sha256),
        "input_axes": list(input_axes),
        "output_axes": list(output_axes),
        "preprocessing": [dict(s) for s in preprocessing],
        "postprocessing": [dict(s) for s in postprocessing],
        "block_shape": dict(block_shape) if block_shape else None,
        "halo": dict(halo) if halo else None,
        "image_axes": image_axes,
        "channels": list(channels) if channels is not None else None,
        "pad_mode": pad_mode,
    }


def _session(spec: Mapping[str, Any]) -> Any:
    """One ONNX session per weights file and process (sha256 checked once)."""
    key = (spec["weights"], spec["weights_sha256"])
    if key not in _SESSIONS:
        import onnxruntime as ort

        got = sha256_of(spec["weights"])
        if got != spec["weights_sha256"]:
            raise ValueError(f"weights {spec['weights']!r} have sha256 {got}, expected {spec['weights_sha256']}")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = 1
        _SESSIONS[key] = ort.InferenceSession(spec["weights"], opts, providers=["CPUExecutionProvider"])
    return _SESSIONS[key]


def run_pipeline(spec: Mapping[str, Any], x: Any) -> Any:
    """Single-process run on ``x`` (model input axes): pre → tiled ONNX → post."""
    x = apply_processing(x, spec["preprocessing"], spec["input_axes"])
    y = tiled_predict_onnx(
        _session(spec), x, spec["input_axes"], spec["block_shape"], spec["halo"],
        output_axes=spec["output_axes"], pad_mode=spec.get("pad_mode", "symmetric"),
    )
    return apply_processing(y, spec["postprocessing"], spec["output_axes"])


def _to_input(spec: Mapping[str, Any], image: Any) -> Any:
    if not spec.get("image_axes"):
        return image
    return image_to_input(image, spec["image_axes"], spec["input_axes"], spec.get("channels"))


def _write(array: Any, dest: Path, provenance: Mapping[str, Any]) -> str:
    import numpy as np

    meta = json.loads(provenance_json(provenance))
    if dest.suffix == ".zarr":
        import zarr

        z = zarr.open(str(dest), mode="w", shape=array.shape, dtype=array.dtype)
        z[...] = np.asarray(array)
        z.attrs["bioimage"] = meta
    else:
        import tifffile

        tifffile.imwrite(dest, np.asarray(array), description=json.dumps({"bioimage": meta}))
    return str(dest)


def predict_file(
    spec: Mapping[str, Any], path: str, out_dir: str, provenance: Mapping[str, Any], fmt: str = "zarr"
) -> str:
    """One image file through the pipeline, written to ``out_dir`` (a Dask task)."""
    y = run_pipeline(spec, _to_input(spec, load_image(path)))
    dest = Path(out_dir) / f"{Path(path).stem}.{'zarr' if fmt == 'zarr' else 'tif'}"
    return _write(y, dest, {**provenance, "source_image": str(path)})


def _read_tiff_block(path: str, block_info: Any = None) -> Any:
    """One chunk of a TIFF volume, read in the worker (memory-mapped when possible)."""
    import tifffile

    loc = block_info[None]["array-location"]
    try:
        data = tifffile.memmap(path, mode="r")
    except ValueError:  # compressed or tiled: read the whole series
        data = tifffile.imread(path)
    return data[tuple(slice(a, b) for a, b in loc)].copy()


def _open_volume(source: Path) -> Any:
    """A lazy Dask array over a Zarr store or a TIFF file (readable by any worker)."""
    import dask.array as da
    import numpy as np

    if source.suffix == ".zarr" or source.is_dir():
        return da.from_zarr(str(source))
    import tifffile

    with tifffile.TiffFile(source) as tif:
        series = tif.series[0]
        shape, dtype = tuple(series.shape), series.dtype
    chunks = da.core.normalize_chunks("auto", shape, dtype=dtype)
    return da.map_blocks(_read_tiff_block, str(source), chunks=chunks, dtype=dtype,
                         meta=np.empty((0,) * len(shape), dtype))


def _dask_to_input(spec: Mapping[str, Any], vol: Any) -> Any:
    """Dask version of :func:`~jupyterlab_bioimage.kernel.images.image_to_input`."""
    letters = spec.get("image_axes")
    if not letters:
        return vol
    ids = [LETTER_TO_AXIS[c] for c in letters.upper()]
    if spec.get("channels") is not None and "channel" in ids:
        vol = vol[tuple(list(spec["channels"]) if i == "channel" else slice(None) for i in ids)]
    for k in reversed(range(len(ids))):
        if ids[k] not in spec["input_axes"]:
            vol = vol[tuple(0 if j == k else slice(None) for j in range(len(ids)))]
            del ids[k]
    for axis in spec["input_axes"]:
        if axis not in ids:
            vol = vol[None]
            ids.insert(0, axis)
    return vol.transpose([ids.index(a) for a in spec["input_axes"]])


def _tile_chunks(spec: Mapping[str, Any], shape: Sequence[int]) -> tuple[list, dict]:
    """Chunks and overlap depth per axis for the volume run.

    A tiled axis gets as many chunks as the single-process plan has tiles,
    of near-equal length (each ≤ the inner size, so chunk + 2·halo fits in
    the model's block), and the halo as depth. The network only sees ±halo
    around each output pixel, so the results equal the single-process tiles.
    """
    chunks, depth = [], {}
    block_shape = spec["block_shape"] or {}
    for k, axis in enumerate(spec["input_axes"]):
        size = shape[k]
        if axis == "batch":
            chunks.append((1,) * size)
            depth[k] = 0
        elif axis in block_shape:
            h, starts, _ = plan_axis(size, int(block_shape[axis]), int((spec["halo"] or {}).get(axis, 0)))
            n = len(starts)
            base, rem = divmod(size, n)
            chunks.append((base + 1,) * rem + (base,) * (n - rem))
            if n > 1 and base < h:
                raise ValueError(f"axis {axis!r}: blocks too small for halo {h}; use a larger block")
            depth[k] = h if n > 1 else 0
        else:
            chunks.append((size,))
            depth[k] = 0
    return chunks, depth


def _predict_chunk(
    block: Any, spec: Mapping[str, Any], halo_depth: Mapping[int, int], block_info: Any = None
) -> Any:
    """Network on one overlapped chunk: mirror the missing halo at the volume
    border, pad to the block size, run, return the owned (inner) region."""
    import numpy as np

    info = block_info[0]
    loc = info["chunk-location"]
    nchunks = info["num-chunks"]
    block_shape = spec["block_shape"] or {}
    index, crop = [], {}
    for k, axis in enumerate(spec["input_axes"]):
        h = halo_depth[k]
        left = h if loc[k] == 0 else 0  # no neighbour overlap at the border
        right = h if loc[k] == nchunks[k] - 1 else 0
        n = block.shape[k]
        want = n + left + right
        if axis in block_shape:
            want = max(want, int(block_shape[axis]))
        idx = np.arange(-left, want - left)
        index.append(fold(idx, n, spec.get("pad_mode", "symmetric")) if want != n or left else idx)
        if axis in block_shape:
            own = n - (0 if loc[k] == 0 else h) - (0 if loc[k] == nchunks[k] - 1 else h)
            crop[axis] = slice(h, h + own)
    x = block[np.ix_(*index)]
    session = _session(spec)
    y = session.run(None, {session.get_inputs()[0].name: np.ascontiguousarray(x)})[0]
    return y[tuple(crop.get(a, slice(None)) if a != "batch" else slice(None) for a in spec["output_axes"])]


def predict_volume_dask(spec: Mapping[str, Any], volume: Any) -> Any:
    """Lazy prediction of a (Dask or NumPy) volume in model input axes."""
    import dask.array as da
    import numpy as np

    if not spec.get("block_shape"):
        raise ValueError("volume mode needs a block shape (the model's tile size)")

    vol = da.asarray(volume)
    if spec["output_axes"] != spec["input_axes"] and sorted(spec["output_axes"]) != sorted(spec["input_axes"]):
        raise ValueError("volume mode needs outputs with the input's axes")
    # Statistics over the whole volume (lazy reductions), never per chunk.
    x = apply_processing(vol.astype(np.float32) if vol.dtype.kind != "f" else vol,
                         spec["preprocessing"], spec["input_axes"])
    chunks, depth = _tile_chunks(spec, x.shape)
    x = x.rechunk(chunks)
    k_ch = spec["input_axes"].index("channel") if "channel" in spec["input_axes"] else None
    probe = _session(spec).get_outputs()[0].shape
    n_out = probe[spec["output_axes"].index("channel")] if "channel" in spec["output_axes"] else None
    out_chunks = [
        ((n_out,) if (a == "channel" and isinstance(n_out, int)) else chunks[spec["input_axes"].index(a)])
        for a in spec["output_axes"]
    ]
    if k_ch is not None and not isinstance(n_out, int):
        raise ValueError("the ONNX output has a dynamic channel count; give it in the model")
    y = x.map_overlap(
        _predict_chunk, depth=depth, boundary="none", trim=False, dtype=np.float32,
        chunks=tuple(out_chunks), meta=np.empty((0,) * x.ndim, np.float32),
        spec=dict(spec), halo_depth=depth,
    )
    return apply_processing(y, spec["postprocessing"], spec["output_axes"])


def batch_predict_dask(
    spec: Mapping[str, Any],
    source: os.PathLike | str,
    out_dir: os.PathLike | str,
    scheduler: Optional[str] = None,
    provenance: Optional[Mapping[str, Any]] = None,
    n_workers: int = 2,
    fmt: str = "zarr",
) -> list:
    """Run the pipeline on Dask: a folder of images, or a ``.zarr``/TIFF volume.

    ``scheduler``: an address of a running ``dask.distributed`` scheduler, or
    None for a ``LocalCluster`` (``n_workers`` processes, one thread each).
    Returns the written paths.
    """
    from dask.distributed import Client, LocalCluster

    src, out = Path(source), Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    prov = dict(provenance or {})
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                               dashboard_address=":0")
        client = Client(cluster)
    else:
        client = Client(scheduler)
    try:
        if src.is_dir() and src.suffix != ".zarr":
            files = sorted(str(p) for p in src.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
            futures = client.map(predict_file, [dict(spec)] * len(files), files,
                                 [str(out)] * len(files), [prov] * len(files), [fmt] * len(files))
            return client.gather(futures)
        vol = _dask_to_input(spec, _open_volume(src))
        y = predict_volume_dask(spec, vol)
        meta = {**prov, "source_volume": str(src)}
        if fmt == "zarr":
            import zarr

            dest = out / f"{src.stem}.zarr"
            y.to_zarr(str(dest), overwrite=True, compute=True)
            zarr.open(str(dest), mode="r+").attrs["bioimage"] = json.loads(provenance_json(meta))
            return [str(dest)]
        return [_write(y.compute(), out / f"{src.stem}.tif", meta)]
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
