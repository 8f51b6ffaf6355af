"""Helpers for the notebook cells that jupyterlab-bioimage generates.

The cells redo a browser analysis in the kernel. These helpers keep them short
while each step stays visible: fetching the model pinned by sha256 (from the
server's cache when present), reading images, mapping image axes to model axes,
the explicit NumPy processing steps, tiled ONNX prediction that mirrors the
browser's tiling (``src/runtime/tiling.ts`` + ``blocks.ts``), instance labels,
metrics and the Dask batch run (:mod:`jupyterlab_bioimage.batch`).

NumPy, onnxruntime, scikit-image and Dask are imported inside the functions:
the server extension imports this package and must stay light.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import re
import shutil
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Any, Mapping, NamedTuple, Optional, Sequence

from .batch import batch_predict_dask, pipeline_spec, run_pipeline  # noqa: F401

_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")
_RDF_NAMES = ("rdf.yaml", "bioimageio.yaml")
HYPHA_RDF = "https://hypha.aicell.io/bioimage-io/artifacts/{id}/files/rdf.yaml"


# --------------------------------------------------------------------------- model files


class ModelFiles(NamedTuple):
    """Local files of a model: its description (RDF) and ONNX weights."""

    rdf: Path
    weights: Path
    weights_sha256: str


def cache_dir() -> Path:
    """The server's model cache (``$BIOIMAGE_CACHE_DIR`` or ``<jupyter data>/bioimage/cache``)."""
    env = os.environ.get("BIOIMAGE_CACHE_DIR")
    if env:
        return Path(env)
    from .config import default_cache_dir

    return default_cache_dir()


def sha256_of(path: os.PathLike | str) -> str:
    """Hex sha256 of a file's bytes."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _check_sha(path: Path, expected: str, what: str) -> None:
    got = sha256_of(path)
    if got != expected:
        raise ValueError(
            f"{what} {str(path)!r} has sha256 {got}, expected {expected}: "
            "this is not the file the browser ran; refusing to continue."
        )


def _read_yaml(path: Path) -> dict:
    import yaml

    with open(path, encoding="utf-8") as f:
        data = yaml.safe_load(f)
    if not isinstance(data, dict):
        raise ValueError(f"{str(path)!r} is not a model description")
    return data


def _find_rdf(folder: Path) -> Path:
    for name in _RDF_NAMES:
        if (folder / name).is_file():
            return folder / name
    found = sorted(folder.glob("*.bioimageio.yaml"))
    if found:
        return found[0]
    raise FileNotFoundError(f"no rdf.yaml / bioimageio.yaml in {str(folder)!r}")


def _download(url: str, dest: Path) -> None:
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise ValueError(f"refusing to download from {url!r}: only http(s) URLs")
    tmp = dest.with_name(dest.name + ".part")
    with urllib.request.urlopen(url, timeout=60) as resp, open(tmp, "wb") as f:
        shutil.copyfileobj(resp, f)
    os.replace(tmp, dest)


def _weights_entry(rdf: dict) -> dict:
    entry = (rdf.get("weights") or {}).get("onnx")
    if not isinstance(entry, dict) or not entry.get("source"):
        raise ValueError("the model description has no ONNX weights")
    return entry


def fetch_model(
    source: str,
    weights_sha256: str,
    description_sha256: Optional[str] = None,
    cache: Optional[os.PathLike | str] = None,
) -> ModelFiles:
    """The model's RDF and ONNX weights as local files, pinned by sha256.

    ``source`` is a local RDF file or model folder, ``bundled:<folder>/rdf.yaml``
    for a model of the bundled zoo, an http(s) URL of an RDF, or a bioimage.io id. The weights are looked up first in the server cache
    (``<cache>/by-sha256/<sha256>``), so nothing is downloaded twice; whatever
    their origin, their sha256 must equal ``weights_sha256`` (and the RDF's,
    ``description_sha256`` when given), otherwise :class:`ValueError`.
    """
    weights_sha256 = str(weights_sha256).lower()
    if not _SHA256_RE.match(weights_sha256):
        raise ValueError(f"not a sha256: {weights_sha256!r}")
    root = Path(cache) if cache is not None else cache_dir()
    cached_weights = root / "by-sha256" / weights_sha256
    if source.startswith("bundled:"):
        # A model of the bundled zoo, shipped inside this package.
        zoo = (Path(__file__).parent / "zoo").resolve()
        local = (zoo / source[len("bundled:"):]).resolve()
        if zoo not in local.parents:
            raise ValueError(f"not a bundled model: {source!r}")
    else:
        local = Path(source).expanduser()
    if "://" not in source and local.exists():
        rdf_path = _find_rdf(local) if local.is_dir() else local
        if description_sha256:
            _check_sha(rdf_path, description_sha256, "model description")
        entry = _weights_entry(_read_yaml(rdf_path))
        weights = rdf_path.parent / str(entry["source"])
        if "://" in str(entry["source"]) or not weights.is_file():
            weights = cached_weights
        if not weights.is_file():
            raise FileNotFoundError(
                f"ONNX weights {entry['source']!r} are neither next to the description "
                f"nor in the cache {str(root)!r}"
            )
        _check_sha(weights, weights_sha256, "ONNX weights")
        return ModelFiles(rdf_path, weights, weights_sha256)

    # Remote: a folder per weights hash holds the RDF and (a copy of) the weights.
    url = source if "://" in source else HYPHA_RDF.format(id=urllib.parse.quote(source, safe=""))
    folder = root / "kernel-models" / weights_sha256
    folder.mkdir(parents=True, exist_ok=True)
    rdf_path = folder / "rdf.yaml"
    if not rdf_path.is_file() or (
        description_sha256 and sha256_of(rdf_path) != description_sha256
    ):
        _download(url, rdf_path)
    if description_sha256:
        _check_sha(rdf_path, description_sha256, "model description")
    entry = _weights_entry(_read_yaml(rdf_path))
    name = Path(urllib.parse.urlsplit(str(entry["source"])).path).name or "weights.onnx"
    weights = folder / name
    if not weights.is_file():
        if cached_weights.is_file():
            shutil.copyfile(cached_weights, weights)
        else:
            _download(urllib.parse.urljoin(url, str(entry["source"])), weights)
    _check_sha(weights, weights_sha256, "ONNX weights")
    return ModelFiles(rdf_path, weights, weights_sha256)


# --------------------------------------------------------------------------- images and axes


def load_image(path: os.PathLike | str) -> Any:
    """Read an image file as a NumPy array (TIFF, NPY, Zarr, PNG/JPEG)."""
    import numpy as np

    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".npy":
        return np.load(p)
    if suffix in (".tif", ".tiff", ".btf"):
        import tifffile

        return tifffile.imread(p)
    if suffix == ".zarr" or p.is_dir():
        import zarr

        return np.asarray(zarr.open(str(p), mode="r"))
    from skimage import io

    return io.imread(p)


_LETTER_TO_AXIS = {"T": "time", "C": "channel", "S": "channel", "Z": "z", "Y": "y", "X": "x"}


def image_to_input(
    image: Any,
    image_axes: str,
    input_axes: Sequence[str],
    channels: Optional[Sequence[int]] = None,
) -> Any:
    """``image`` (axes as viewer letters, e.g. ``"CYX"``) in the model's axis order.

    Channels are selected (``channels``), image axes the model lacks must have
    length 1 and are dropped, model axes the image lacks (batch, channel) are
    added with length 1.
    """
    import numpy as np

    a = np.asarray(image)
    letters = image_axes.upper()
    if len(letters) != a.ndim:
        raise ValueError(f"axes {image_axes!r} do not fit an image of shape {a.shape}")
    ids = [_LETTER_TO_AXIS[c] for c in letters]
    if channels is not None:
        if "channel" not in ids:
            if list(channels) != [0]:
                raise ValueError("channels selected but the image has no C axis")
        else:
            a = np.take(a, list(channels), axis=ids.index("channel"))
    for k in reversed(range(len(ids))):
        if ids[k] not in input_axes:
            if a.shape[k] != 1:
                raise ValueError(
                    f"the image axis {letters[k]!r} (length {a.shape[k]}) has no "
                    f"counterpart in the model axes {list(input_axes)}"
                )
            a = np.squeeze(a, axis=k)
            del ids[k]
    for axis in input_axes:
        if axis not in ids:
            a = a[np.newaxis]
            ids.insert(0, axis)
    return np.ascontiguousarray(np.transpose(a, [ids.index(axis) for axis in input_axes]))


def select_planes(
    image: Any, image_axes: str, select: Optional[Mapping[str, int]] = None
) -> tuple[Any, str]:
    """``image`` with the axes in ``select`` (letters such as ``"z"``, ``"t"``)
    fixed to one index, and its remaining axes: e.g. the z plane a 2D model runs
    on. An image that lacks an axis of ``select`` (a 2D ground truth) is returned
    as it is for that axis."""
    import numpy as np

    a = np.asarray(image)
    letters = image_axes.upper()
    if len(letters) != a.ndim:
        # e.g. a 2D label image of one plane of a stack: nothing to select.
        return a, letters
    for letter, index in (select or {}).items():
        k = letters.find(str(letter).upper())
        if k < 0:
            continue
        if not 0 <= int(index) < a.shape[k]:
            raise ValueError(f"{letter}={index} is outside 0…{a.shape[k] - 1} of {image_axes}")
        a = np.take(a, int(index), axis=k)
        letters = letters[:k] + letters[k + 1:]
    return a, letters


def _yx_positions(axes: Any) -> tuple[int, int]:
    """Positions of y and x in viewer letters (``"CYX"``) or axis ids (``["batch", "y", "x"]``)."""
    names = [c.lower() for c in axes] if isinstance(axes, str) else [str(a).lower() for a in axes]
    return names.index("y"), names.index("x")


def yx_size(image: Any, axes: Any) -> tuple[int, int]:
    """(height, width) of ``image`` whose axes are ``axes`` (letters or ids)."""
    import numpy as np

    shape = np.shape(image)
    ky, kx = _yx_positions(axes)
    return int(shape[ky]), int(shape[kx])


def rescale_yx(image: Any, axes: Any, size: Sequence[int]) -> Any:
    """``image`` resized along y and x to ``size`` = (height, width): bilinear,
    pixel centres at half-integers, edges clamped, no anti-aliasing; the same
    formula as the browser's (``src/wizard/core/rescale.ts``), float32.
    ``axes``: viewer letters (``"CYX"``) or axis ids (``["batch", "channel", "y", "x"]``)."""
    import numpy as np

    a = np.asarray(image, dtype=np.float64)
    out = a
    for k, n_out in zip(_yx_positions(axes), size):
        n_in = a.shape[k]
        src = np.clip((np.arange(int(n_out)) + 0.5) * (n_in / int(n_out)) - 0.5, 0, n_in - 1)
        lo = np.floor(src).astype(np.int64)
        hi = np.minimum(lo + 1, n_in - 1)
        w = (src - lo).reshape([-1 if d == k else 1 for d in range(a.ndim)])
        out = np.take(out, lo, axis=k) * (1 - w) + np.take(out, hi, axis=k) * w
    return out.astype(np.float32)


def image_plane(image: Any, image_axes: str) -> Any:
    """The first Y-X plane of ``image`` (first index of every other axis)."""
    import numpy as np

    a = np.asarray(image)
    index = tuple(slice(None) if c in "YX" else 0 for c in image_axes.upper())
    return a[index]


def output_plane(prediction: Any, output_axes: Sequence[str], channel: int = 0) -> Any:
    """One channel of the first sample of a model output: the spatial axes only."""
    import numpy as np

    a = np.asarray(prediction)
    index = tuple(
        0 if ax == "batch" else channel if ax == "channel" else slice(None)
        for ax in output_axes
    )
    return a[index]


# --------------------------------------------------------------------------- bioimageio.core glue


def core_block_shape(
    input_id: str, input_axes: Sequence[str], shape: Sequence[int], block_shape: Optional[Mapping[str, int]]
) -> Optional[dict]:
    """``input_block_shape`` for ``bioimageio.core.predict`` (None: untiled).

    Like the browser, an image that fits in one block on every tiled axis runs
    untiled (core would otherwise cut halo-sized overlapping blocks from it).
    """
    if block_shape is None or all(
        size <= int(block_shape.get(axis, size)) for axis, size in zip(input_axes, shape)
    ):
        return None
    from bioimageio.spec.model.v0_5 import AxisId, TensorId

    block = {}
    for axis, size in zip(input_axes, shape):
        block[AxisId(axis)] = 1 if axis == "batch" else int(block_shape.get(axis, size))
    return {TensorId(input_id): block}


def core_predict_whole(pipeline: Any, model: Any, input_id: str, x: Any, output_id: str) -> Any:
    """Untiled prediction with bioimageio.core, exactly as the browser runs it.

    Preprocessing sees the image as it is (its normalisation statistics are
    the image's own); the result is padded at the end (symmetric, the edge
    pixel repeated) to the smallest size the model accepts, run through the
    network, cropped back to the image, and postprocessed. Core's own input
    padding would compute the statistics after padding, and
    ``create_sample_for_model`` refuses sizes the model does not accept.
    """
    import numpy as np
    from bioimageio.core.sample import Sample
    from bioimageio.core.tensor import Tensor
    from bioimageio.spec.model.v0_5 import ParameterizedSize, TensorId

    descr = next(t for t in model.inputs if str(t.id) == input_id)
    a = np.asarray(x)
    if isinstance(descr.axes, str):
        # A 0.4 description: its sizes are another structure; run it as given.
        from bioimageio.core.digest_spec import create_sample_for_model

        sample = create_sample_for_model(model, inputs={input_id: a}, sample_id="image")
        sample = pipeline.predict_sample_without_blocking(
            sample, skip_input_padding=True, skip_output_cropping=True
        )
        return sample_output(sample, output_id)
    dims = tuple(str(a.id) for a in descr.axes)
    sample = Sample(members={TensorId(input_id): Tensor(a, dims=dims)}, stat={}, id="image")
    pipeline.apply_preprocessing(sample)
    pre = sample.members[TensorId(input_id)].data.values
    pads = []
    for axis, n in zip(descr.axes, pre.shape):
        size = getattr(axis, "size", None)
        if isinstance(size, ParameterizedSize):
            steps = 0 if n <= size.min else -(-(n - size.min) // size.step)
            target = size.min + steps * size.step
        elif isinstance(size, int):
            target = max(n, size)
        else:
            target = n
        pads.append((0, target - n))
    padded = np.pad(pre, pads, mode="symmetric") if any(p[1] for p in pads) else pre
    network_in = Sample(
        members={TensorId(input_id): Tensor(np.ascontiguousarray(padded), dims=dims)},
        stat=sample.stat,
        id="image",
    )
    out = pipeline.predict_sample_without_blocking(
        network_in,
        skip_preprocessing=True,
        skip_postprocessing=True,
        skip_input_padding=True,
        skip_output_cropping=True,
    )
    original = dict(zip(dims, a.shape))
    cropped = {}
    for tid, tensor in out.members.items():
        values = tensor.data.values
        index = tuple(
            slice(0, original[str(d)]) if str(d) in original and str(d) not in ("batch", "channel") else slice(None)
            for d in tensor.dims
        )
        cropped[tid] = Tensor(np.ascontiguousarray(values[index]), dims=tensor.dims)
    result = Sample(members=cropped, stat=sample.stat, id="image")
    pipeline.apply_postprocessing(result)
    return sample_output(result, output_id)


def sample_output(sample: Any, output_id: str) -> Any:
    """A predicted output tensor of a core ``Sample`` as float32 NumPy."""
    import numpy as np

    for key, tensor in sample.members.items():
        if str(key) == output_id:
            return np.asarray(tensor.data, dtype=np.float32)
    raise KeyError(f"the prediction has no output {output_id!r}")


# --------------------------------------------------------------------------- processing


def _reduce(axes: Sequence[str], kw: Mapping[str, Any]) -> Optional[tuple]:
    listed = kw.get("axes")
    if listed is None:
        return None
    return tuple(sorted(axes.index(a) for a in listed if a in axes))


def _along(x: Any, axes: Sequence[str], axis: str, values: Any) -> Any:
    import numpy as np

    shape = [1] * x.ndim
    shape[axes.index(axis)] = -1
    return np.asarray(values, dtype=np.float64).reshape(shape)


def apply_step(
    x: Any, op: str, kwargs: Mapping[str, Any], axes: Sequence[str], reference: Any = None
) -> Any:
    """Apply one bioimage.io processing step (0.5 form) to ``x``.

    Statistics come from ``reference`` (the stage's raw input), as in
    bioimageio.core; std is the population std, eps is added to it.
    """
    import numpy as np

    ref = x if reference is None else reference
    kw = dict(kwargs or {})
    axes = list(axes)
    if op == "ensure_dtype":
        return x.astype(np.dtype(kw["dtype"]))
    if op == "sigmoid":
        return (1.0 / (1.0 + np.exp(-x))).astype(x.dtype if x.dtype.kind == "f" else np.float32)
    if op == "zero_mean_unit_variance":
        red = _reduce(axes, kw)
        r = ref.astype(np.float64)
        mean = r.mean(axis=red, keepdims=True)
        std = r.std(axis=red, keepdims=True)
        return ((x - mean) / (std + kw.get("eps", 1e-6))).astype(np.float32)
    if op == "fixed_zero_mean_unit_variance":
        mean, std = kw["mean"], kw["std"]
        if kw.get("axis"):
            mean, std = _along(x, axes, kw["axis"], mean), _along(x, axes, kw["axis"], std)
        return ((x - mean) / (np.asarray(std) + 1e-6)).astype(np.float32)
    if op == "scale_linear":
        gain, offset = kw.get("gain", 1.0), kw.get("offset", 0.0)
        if kw.get("axis"):
            gain, offset = _along(x, axes, kw["axis"], gain), _along(x, axes, kw["axis"], offset)
        return (x * gain + offset).astype(np.float32)
    if op == "scale_range":
        red = _reduce(axes, kw)
        lo = np.percentile(ref, kw.get("min_percentile", 0.0), axis=red, keepdims=True)
        hi = np.percentile(ref, kw.get("max_percentile", 100.0), axis=red, keepdims=True)
        return ((x - lo) / (hi - lo + kw.get("eps", 1e-6))).astype(np.float32)
    if op == "clip":
        red = _reduce(axes, kw)
        lo, hi = kw.get("min"), kw.get("max")
        if kw.get("min_percentile") is not None:
            lo = np.percentile(ref, kw["min_percentile"], axis=red, keepdims=True, method="inverted_cdf")
        if kw.get("max_percentile") is not None:
            hi = np.percentile(ref, kw["max_percentile"], axis=red, keepdims=True, method="inverted_cdf")
        return np.clip(x, lo, hi)
    if op == "binarize":
        t = kw["threshold"]
        if kw.get("axis"):
            t = _along(x, axes, kw["axis"], t)
        return x > t
    if op == "softmax":
        k = axes.index(kw.get("axis", "channel"))
        e = np.exp(x - x.max(axis=k, keepdims=True))
        return (e / e.sum(axis=k, keepdims=True)).astype(np.float32)
    raise NotImplementedError(f"processing step {op!r} is not supported here")


def apply_processing(x: Any, steps: Sequence[Mapping[str, Any]], axes: Sequence[str]) -> Any:
    """Apply a stage (list of ``{id, kwargs}``); statistics from the stage input."""
    raw = x
    for step in steps:
        x = apply_step(x, step["id"], step.get("kwargs") or {}, axes, reference=raw)
    return x


# --------------------------------------------------------------------------- tiling


def _fold(idx: Any, n: int, mode: str) -> Any:
    """Indices outside [0, n) mirrored: ``reflect`` (edge not repeated) or ``symmetric``."""
    import numpy as np

    if n == 1:
        return np.zeros_like(idx)
    period = 2 * (n - 1) if mode == "reflect" else 2 * n
    r = np.mod(idx, period)
    if mode == "reflect":
        return np.where(r >= n, period - r, r)
    return np.where(r >= n, period - 1 - r, r)


def plan_axis(size: int, block: int, halo: int) -> tuple[int, list[int], int]:
    """(halo, inner starts, inner) along one axis, as ``src/runtime/tiling.ts``.

    An axis that fits in one block runs whole without halo (padded up to the
    block); otherwise inner = block − 2·halo, starts 0, inner, … with the last
    clamped to size − inner.
    """
    if size <= block:
        return 0, [0], size
    inner = block - 2 * halo
    if inner < 1:
        raise ValueError(f"block {block} leaves no inner region with halo {halo}")
    starts = []
    s = 0
    while True:
        starts.append(min(s, size - inner))
        if s + inner >= size:
            break
        s += inner
    return halo, starts, inner


def tiled_predict_onnx(
    session: Any,
    x: Any,
    axes: Sequence[str],
    block_shape: Optional[Mapping[str, int]],
    halo: Optional[Mapping[str, int]] = None,
    output_axes: Optional[Sequence[str]] = None,
    pad_mode: str = "symmetric",
) -> Any:
    """Run an ONNX session on ``x`` block by block and stitch the inner regions.

    ``x`` is preprocessed and in the model axis order ``axes``. Each axis in
    ``block_shape`` is tiled (see :func:`plan_axis`); blocks reaching outside
    the image are filled by ``pad_mode`` mirroring; each block's inner region
    (halo cropped) is written into a NaN-initialised output, later blocks
    overwriting overlaps. Samples along ``batch`` run one at a time. The
    output must keep the input's spatial sizes (axis ids matched by name).
    """
    import numpy as np

    axes = list(axes)
    output_axes = list(output_axes or axes)
    block_shape = dict(block_shape or {})
    halo = dict(halo or {})
    name = session.get_inputs()[0].name
    per_axis = []
    for k, axis in enumerate(axes):
        size = x.shape[k]
        if axis == "batch":
            per_axis.append((1, 0, list(range(size)), 1))
        elif axis in block_shape:
            block = int(block_shape[axis])
            h, starts, inner = plan_axis(size, block, int(halo.get(axis, 0)))
            per_axis.append((block, h, starts, inner))
        else:
            per_axis.append((size, 0, [0], size))
    out = None
    for combo in itertools.product(*[range(len(p[2])) for p in per_axis]):
        index, src, dst = [], {}, {}
        for k, (block, h, starts, inner) in enumerate(per_axis):
            s = starts[combo[k]]
            idx = np.arange(s - h, s - h + block)
            index.append(_fold(idx, x.shape[k], pad_mode))
            if axes[k] == "batch" or axes[k] in block_shape:  # others pass through whole
                end = min(s + inner, x.shape[k])
                src[axes[k]] = slice(h, h + end - s) if axes[k] != "batch" else slice(0, 1)
                dst[axes[k]] = slice(s, end)
        block_in = x[np.ix_(*index)]
        y = session.run(None, {name: np.ascontiguousarray(block_in)})[0]
        if y.ndim != len(output_axes):
            raise ValueError(f"the network returned {y.ndim} axes, expected {output_axes}")
        if out is None:
            shape = [
                x.shape[axes.index(a)] if a in axes and a != "channel" else y.shape[j]
                for j, a in enumerate(output_axes)
            ]
            out = np.full(shape, np.nan, dtype=y.dtype if y.dtype.kind == "f" else np.float32)
        out[tuple(dst.get(a, slice(None)) for a in output_axes)] = y[
            tuple(src.get(a, slice(None)) for a in output_axes)
        ]
    return out


# --------------------------------------------------------------------------- objects and metrics


def instances(
    probability: Any, threshold: float = 0.5, min_size: int = 0, method: str = "connected_components"
) -> Any:
    """Label image from a probability map: threshold, split, drop small objects.

    ``method``: ``none`` (binary mask as labels 0/1), ``connected_components``
    (8-connected) or ``watershed`` (seeded from distance-transform maxima).
    """
    import numpy as np
    from skimage import measure

    mask = np.asarray(probability) > threshold
    if method == "none":
        labels = mask.astype(np.int32)
    elif method == "connected_components":
        labels = measure.label(mask, connectivity=mask.ndim).astype(np.int32)
    elif method == "watershed":
        from scipy import ndimage as ndi
        from skimage.feature import peak_local_max
        from skimage.segmentation import watershed

        dist = ndi.distance_transform_edt(mask)
        peaks = peak_local_max(dist, min_distance=3, labels=measure.label(mask))
        markers = np.zeros(mask.shape, dtype=np.int32)
        markers[tuple(peaks.T)] = np.arange(1, len(peaks) + 1)
        labels = watershed(-dist, markers, mask=mask).astype(np.int32)
    else:
        raise ValueError(f"unknown instance method {method!r}")
    if min_size > 0 and method != "none":
        from skimage.segmentation import relabel_sequential

        counts = np.bincount(labels.ravel())
        small = counts < int(min_size)
        small[0] = False
        labels[small[labels]] = 0
        labels = relabel_sequential(labels)[0].astype(np.int32)
    return labels


def _instance_f1(labels: Any, truth: Any, thr: float = 0.5) -> float:
    import numpy as np

    pred_ids = [i for i in np.unique(labels) if i]
    true_ids = [i for i in np.unique(truth) if i]
    if not pred_ids and not true_ids:
        return 1.0
    # IoU > 0.5 matches are unique, so counting them needs no assignment.
    pairs = np.stack([labels.ravel(), truth.ravel()])
    keys, inter = np.unique(pairs[:, (pairs[0] > 0) & (pairs[1] > 0)], axis=1, return_counts=True)
    area_p = dict(zip(*np.unique(labels, return_counts=True)))
    area_t = dict(zip(*np.unique(truth, return_counts=True)))
    tp = sum(
        1
        for (p, t), n in zip(keys.T, inter)
        if n / (area_p[p] + area_t[t] - n) > thr
    )
    return 2 * tp / (len(pred_ids) + len(true_ids))


def compute_metrics(
    names: Sequence[str],
    labels: Any = None,
    prediction: Any = None,
    ground_truth: Any = None,
    threshold: float = 0.5,
) -> dict:
    """The requested metrics: ``iou``/``dice`` (foreground masks), ``f1_iou50``
    (instances), ``psnr``/``ssim``/``nrmse`` (prediction vs ground-truth image)."""
    import numpy as np

    gt = np.asarray(ground_truth)
    out = {}
    for name in names:
        if name in ("iou", "dice"):
            p, t = np.asarray(labels) > 0, gt > 0
            inter, union = np.logical_and(p, t).sum(), np.logical_or(p, t).sum()
            if name == "iou":
                out[name] = float(inter / union) if union else 1.0
            else:
                s = p.sum() + t.sum()
                out[name] = float(2 * inter / s) if s else 1.0
        elif name == "f1_iou50":
            out[name] = float(_instance_f1(np.asarray(labels), gt.astype(np.int64)))
        elif name in ("psnr", "ssim", "nrmse"):
            from skimage import metrics as skm

            p, t = np.asarray(prediction, np.float64), gt.astype(np.float64)
            rng = float(t.max() - t.min()) or 1.0
            if name == "psnr":
                out[name] = float(skm.peak_signal_noise_ratio(t, p, data_range=rng))
            elif name == "ssim":
                out[name] = float(skm.structural_similarity(t, p, data_range=rng))
            else:
                out[name] = float(skm.normalized_root_mse(t, p))
        else:
            raise ValueError(f"unknown metric {name!r}")
    return out


def print_metrics(kernel: Mapping[str, float], browser: Mapping[str, float]) -> None:
    """A small table: metric, kernel value, browser value."""
    print(f"{'metric':<10} {'kernel':>10} {'browser':>10}")
    for name, value in kernel.items():
        b = browser.get(name)
        print(f"{name:<10} {value:>10.4f} {'' if b is None else format(b, '>10.4f')}")


def software_versions() -> dict:
    """Versions of the packages the generated cells use (for the methods)."""
    import importlib.metadata as md
    import platform

    out = {"python": platform.python_version()}
    for pkg in (
        "jupyterlab-bioimage", "numpy", "onnxruntime", "bioimageio.core", "bioimageio.spec",
        "scikit-image", "tifffile", "dask", "distributed", "zarr",
    ):
        try:
            out[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            pass
    return out


def provenance_json(provenance: Mapping[str, Any]) -> str:
    """Provenance plus kernel software versions, as JSON text."""
    return json.dumps({**provenance, "software": software_versions()}, sort_keys=True)
