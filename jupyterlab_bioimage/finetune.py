"""Fine-tuning a bioimage.io model in the kernel (PyTorch, CPU).

The generated fine-tuning cell (``src/notebook/codegen-finetune.ts``) calls
:func:`fine_tune`. It starts from the model package's TorchScript weights and
adds the safeguards that keep a small fine-tuning run honest:

* the weights are the ones the description lists (sha256 checked before they
  are loaded), and the description is the model that was run (``weights_sha256``);
* the model's own preprocessing (:func:`analysis.apply_processing`) on whole
  images, as at inference;
* the early layers are frozen (see :func:`freeze_early_layers`);
* a held-out split by image (or by non-overlapping tile) that training never
  reads, not even as context; too little data to hold anything out is refused;
* QC metrics on the held-out part, before and after training, with the same
  post-processing and metrics as the other generated cells;
* the fine-tuned TorchScript and a JSON report (base model, sha256s, parameters,
  split, metrics, software versions) in ``out_dir``.

PyTorch is imported inside the functions: without it the rest of the package
works and :func:`fine_tune` raises an :class:`ImportError` saying what to install.
"""

from __future__ import annotations

import json
import math
import os
import urllib.parse
from pathlib import Path
from typing import Any, Mapping, NamedTuple, Optional, Sequence

from . import analysis

TASKS = ("segmentation", "restoration")
WEIGHTS_FILE = "weights.torchscript.pt"
REPORT_FILE = "finetune-report.json"
_AXES_2D = ("batch", "channel", "y", "x")
_DEFAULT_IDS = {"batch": "batch", "channel": "channel", "index": "index", "time": "time", "space": "x"}


def import_torch() -> Any:
    """``torch``, or an :class:`ImportError` that says how to get it."""
    try:
        import torch
    except ImportError as e:
        raise ImportError(
            "fine-tuning needs PyTorch in this kernel's environment: pip install torch "
            "(the CPU build is enough), then restart the kernel"
        ) from e
    return torch


# --------------------------------------------------------------------------- the package


class BaseModel(NamedTuple):
    """A model description and its verified TorchScript weights."""

    rdf: Path
    description: dict
    weights: Path
    weights_sha256: str


def _axis_ids(tensor: Mapping[str, Any]) -> list[str]:
    axes = tensor.get("axes")
    if not isinstance(axes, list):
        raise ValueError(
            "the description is not in format 0.5 (axes as a list): pass input_axes, "
            "output_axes, preprocessing and postprocessing explicitly"
        )
    return [str(a.get("id") or _DEFAULT_IDS[a["type"]]) for a in axes]


def _remote_rdf_url(model_source: Optional[str]) -> Optional[str]:
    """The URL the description of ``model_source`` (as :func:`analysis.fetch_model`
    takes it) was downloaded from; None for local and bundled models."""
    if not model_source or model_source.startswith("bundled:"):
        return None
    if "://" in model_source:
        return model_source
    if Path(model_source).expanduser().exists():
        return None
    return analysis.HYPHA_RDF.format(id=urllib.parse.quote(model_source, safe=""))


def _resolve_weights(rdf: Path, source: str, sha256: str, cache: Path,
                     remote_rdf: Optional[str]) -> Path:
    """The local file of a weights ``source``: next to the description, else in
    the server cache by sha256, else downloaded (http(s) only, relative sources
    against ``remote_rdf``) into the cache."""
    if "://" not in source:
        local = rdf.parent / source
        if local.is_file():
            return local
    cached = cache / "by-sha256" / sha256
    if cached.is_file():
        return cached
    url = source if "://" in source else (urllib.parse.urljoin(remote_rdf, source) if remote_rdf else None)
    if url is None:
        raise FileNotFoundError(
            f"TorchScript weights {source!r} are neither next to {str(rdf)!r} nor in the cache "
            f"{str(cache)!r}"
        )
    name = Path(urllib.parse.urlsplit(url).path).name or WEIGHTS_FILE
    dest = cache / "kernel-models" / sha256 / name
    if not dest.is_file():
        dest.parent.mkdir(parents=True, exist_ok=True)
        analysis._download(url, dest)
    return dest


def load_base_model(
    rdf_path: os.PathLike | str,
    weights_sha256: Optional[str] = None,
    description_sha256: Optional[str] = None,
    cache: Optional[os.PathLike | str] = None,
    model_source: Optional[str] = None,
) -> BaseModel:
    """The description and its TorchScript weights, verified before use.

    The description must list ``torchscript`` weights with a sha256, and the
    file must have it (else :class:`ValueError`). ``weights_sha256`` (e.g. the
    ONNX weights the browser ran) must be the sha256 of one of the
    description's weights entries, so the fine-tuning starts from the model
    that was run; ``description_sha256`` pins the description file itself.
    Weights not next to the description are taken from the server cache, or
    downloaded next to the URL of ``model_source`` (a remote model as
    :func:`analysis.fetch_model` takes it).
    """
    rdf = Path(rdf_path).expanduser()
    if rdf.is_dir():
        rdf = analysis._find_rdf(rdf)
    if description_sha256:
        analysis._check_sha(rdf, str(description_sha256).lower(), "model description")
    descr = analysis._read_yaml(rdf)
    weights = descr.get("weights") or {}
    entry = weights.get("torchscript")
    if not isinstance(entry, dict) or not entry.get("source"):
        raise ValueError(
            f"{descr.get('id') or rdf}: the description has no TorchScript weights; "
            "fine-tuning needs them"
        )
    expected = str(entry.get("sha256") or "").lower()
    if not analysis._SHA256_RE.match(expected):
        raise ValueError("the TorchScript weights have no sha256 in the description: cannot verify them")
    if weights_sha256 is not None:
        pinned = str(weights_sha256).lower()
        listed = {str((e or {}).get("sha256") or "").lower() for e in weights.values()}
        if pinned not in listed:
            raise ValueError(
                f"the description lists no weights with sha256 {pinned}: it is not the model "
                "that was run; refusing to fine-tune it"
            )
    root = Path(cache) if cache is not None else analysis.cache_dir()
    path = _resolve_weights(rdf, str(entry["source"]), expected, root, _remote_rdf_url(model_source))
    analysis._check_sha(path, expected, "TorchScript weights")
    return BaseModel(rdf, descr, path, expected)


# --------------------------------------------------------------------------- arrays


def _to_model(a: Any, axes: Sequence[str]) -> Any:
    """(batch, channel, y, x) NumPy array or torch tensor in the model axis order ``axes``."""
    canon = list(_AXES_2D)
    for k in reversed(range(4)):
        if canon[k] not in axes:
            if a.shape[k] != 1:
                raise ValueError(f"the model has no {canon[k]} axis, but the data has {a.shape[k]}")
            a = a[(slice(None),) * k + (0,)]
            del canon[k]
    perm = [canon.index(ax) for ax in axes]
    return a.permute(*perm) if hasattr(a, "permute") else a.transpose(perm)


def _from_model(a: Any, axes: Sequence[str]) -> Any:
    """Inverse of :func:`_to_model`: (batch, channel, y, x)."""
    axes = list(axes)
    perm = [axes.index(ax) for ax in _AXES_2D if ax in axes]
    a = a.permute(*perm) if hasattr(a, "permute") else a.transpose(perm)
    for k, ax in enumerate(_AXES_2D):
        if ax not in axes:
            a = a.unsqueeze(k) if hasattr(a, "unsqueeze") else a[(slice(None),) * k + (None,)]
    return a


def _check_axes(axes: Sequence[str], what: str) -> list[str]:
    axes = [str(a) for a in axes]
    if not {"y", "x"} <= set(axes) or not set(axes) <= set(_AXES_2D) or len(set(axes)) != len(axes):
        raise ValueError(f"fine-tuning supports 2D models (batch, channel, y, x); {what} axes are {axes}")
    return axes


def _as_image(image: Any, input_axes: Sequence[str]) -> Any:
    """An image (path, YX array or array in the model's input axes, batch 1) as (1, C, Y, X)."""
    import numpy as np

    a = analysis.load_image(image) if isinstance(image, (str, os.PathLike)) else np.asarray(image)
    if a.ndim == len(input_axes) and a.ndim != 2:
        if "batch" in input_axes and a.shape[list(input_axes).index("batch")] != 1:
            raise ValueError("give one image per list item (batch length 1)")
        return a
    if a.ndim == 2:
        return analysis.image_to_input(a, "YX", input_axes)
    raise ValueError(
        f"an image of shape {a.shape}: expected a 2D (Y, X) array or one in the model input "
        f"axes {list(input_axes)}"
    )


def _as_target(target: Any, shape: Sequence[int]) -> Any:
    import numpy as np

    t = analysis.load_image(target) if isinstance(target, (str, os.PathLike)) else np.asarray(target)
    t = np.squeeze(t)
    if t.shape != tuple(shape):
        raise ValueError(f"a target of shape {t.shape} for an image of spatial shape {tuple(shape)}")
    return t


def _valid_size(axis: Mapping[str, Any], n: int) -> int:
    """The smallest input size of ``axis`` (0.5 size forms) that is >= ``n``."""
    size = axis.get("size")
    if isinstance(size, int):
        if size < n:
            raise ValueError(f"the model's fixed input size {size} is smaller than {n}")
        return size
    if isinstance(size, Mapping) and "min" in size:
        lo, step = int(size["min"]), int(size.get("step") or 0)
        if n <= lo:
            return lo
        if step == 0:
            raise ValueError(f"the model's fixed input size {lo} is smaller than {n}")
        return lo + step * math.ceil((n - lo) / step)
    return n


def inner_boundaries(labels: Any) -> Any:
    """Pixels of an instance next to another label or background (3x3 neighbourhood)."""
    import numpy as np
    from scipy import ndimage as ndi

    lab = np.asarray(labels)
    hi = ndi.maximum_filter(lab, size=3, mode="nearest")
    lo = ndi.minimum_filter(lab, size=3, mode="nearest")
    return (lab > 0) & ((hi != lab) | (lo != lab))


# --------------------------------------------------------------------------- freezing and split


def freeze_early_layers(model: Any, freeze_fraction: float) -> tuple[list[str], list[str]]:
    """Freeze the first ``freeze_fraction`` of the layers; (frozen, trainable) parameter names.

    Layers are the modules owning parameters, in module order (the order of
    ``named_parameters()``; weight and bias of one layer stay together).
    Why: the early layers compute generic low-level features (edges, blobs,
    textures) learnt from the model's large training set; a handful of new
    annotated images cannot improve them but can overfit and erase them.
    Training only the later layers adapts the model to the new images with far
    fewer free parameters. Module order is the order layers were defined,
    usually input side first (check ``frozen`` in the report for other models).
    """
    if not 0.0 <= float(freeze_fraction) < 1.0:
        raise ValueError(f"freeze_fraction must be in [0, 1), got {freeze_fraction!r}")
    layers: dict[str, list[str]] = {}
    params = dict(model.named_parameters())
    for name in params:
        layers.setdefault(name.rpartition(".")[0], []).append(name)
    n_frozen = int(math.floor(float(freeze_fraction) * len(layers)))
    frozen: list[str] = []
    for i, names in enumerate(layers.values()):
        if i < n_frozen:
            frozen.extend(names)
    for name, p in params.items():
        p.requires_grad_(name not in frozen)
    trainable = [n for n in params if n not in frozen]
    if not trainable:
        raise ValueError("no trainable layer left: lower freeze_fraction")
    return frozen, trainable


class Unit(NamedTuple):
    """A piece of the data that is wholly in the training or the held-out part."""

    image: int
    y: int
    x: int
    height: int
    width: int

    def as_dict(self) -> dict:
        return self._asdict()


def split_units(
    shapes: Sequence[Sequence[int]], tile_size: Optional[int], val_fraction: float, seed: int
) -> tuple[list[Unit], list[Unit]]:
    """(train, held-out) units: whole images, or non-overlapping tiles of ``tile_size``.

    Deterministic from ``seed``. At least one unit is held out and one trained
    on, otherwise :class:`ValueError`: metrics on images the model was trained
    on say nothing about new images.
    """
    import numpy as np

    if not 0.0 < float(val_fraction) < 1.0:
        raise ValueError(f"val_fraction must be between 0 and 1, got {val_fraction!r}")
    units: list[Unit] = []
    for i, (h, w) in enumerate(shapes):
        if tile_size is None:
            units.append(Unit(i, 0, 0, int(h), int(w)))
            continue
        t = int(tile_size)
        for y0 in range(0, int(h) - t + 1, t):
            for x0 in range(0, int(w) - t + 1, t):
                units.append(Unit(i, y0, x0, t, t))
    n = len(units)
    n_val = max(1, int(round(float(val_fraction) * n)))
    if n < 2 or n - n_val < 1:
        what = f"{n} image(s)" if tile_size is None else (
            f"{len(shapes)} image(s) give {n} tile(s) of {int(tile_size)} px")
        raise ValueError(
            f"too few images to hold any out: {what}; training and a held-out part need at "
            "least 2 (give more images, or tile_size to cut them into tiles)"
        )
    order = np.random.default_rng(seed).permutation(n)
    val = sorted(int(k) for k in order[:n_val])
    return [u for k, u in enumerate(units) if k not in val], [units[k] for k in val]


# --------------------------------------------------------------------------- prediction and metrics


def predict(model: Any, x: Any, input_axes: Sequence[str], output_axes: Sequence[str],
            input_spec: Optional[Sequence[Mapping[str, Any]]] = None) -> Any:
    """Network output (model output axes) for a preprocessed (1, C, Y, X) array.

    The input is padded symmetrically to a valid model size (``input_spec``:
    the input's axis descriptions) and the output cropped back.
    """
    import numpy as np

    torch = import_torch()
    _, _, h, w = x.shape
    ph = pw = 0
    if input_spec is not None:
        by_id = dict(zip(input_axes, input_spec))
        ph = _valid_size(by_id["y"], h) - h
        pw = _valid_size(by_id["x"], w) - w
    xp = np.pad(x, ((0, 0), (0, 0), (0, ph), (0, pw)), mode="symmetric") if ph or pw else x
    with torch.no_grad():
        y = model(_to_model(torch.from_numpy(np.ascontiguousarray(xp, dtype=np.float32)), input_axes))
    y = _from_model(y, output_axes).numpy()
    if y.shape[2:] != xp.shape[2:]:
        raise ValueError(f"the network output {y.shape[2:]} does not keep the input size {xp.shape[2:]}")
    y = y[:, :, :h, :w]
    return _to_model(np.ascontiguousarray(y), output_axes)


def _unit_metrics(pred: Any, target: Any, task: str, out_axes: Sequence[str], s: Mapping[str, Any]) -> dict:
    """QC metrics of one held-out unit, as the other generated cells compute them."""
    if task == "segmentation":
        fg = analysis.output_plane(pred, out_axes, s["channel"])
        labels = analysis.instances(fg, threshold=s["threshold"], min_size=s["min_size"],
                                    method=s["instance_method"])
        return analysis.compute_metrics(["iou", "f1_iou50"], labels=labels, ground_truth=target,
                                        threshold=s["threshold"])
    plane = analysis.output_plane(pred, out_axes, 0)
    return analysis.compute_metrics(["psnr", "ssim"], prediction=plane, ground_truth=target)


def _mean(rows: Sequence[Mapping[str, float]]) -> dict:
    return {k: float(sum(r[k] for r in rows) / len(rows)) for k in rows[0]}


# --------------------------------------------------------------------------- fine-tuning


def fine_tune(
    rdf_path: os.PathLike | str,
    images: Sequence[Any],
    targets: Sequence[Any],
    *,
    task: str = "segmentation",
    epochs: int = 3,
    lr: float = 1e-4,
    freeze_fraction: float = 0.5,
    val_fraction: float = 0.25,
    seed: int = 0,
    out_dir: os.PathLike | str = "bioimage-results/finetune",
    weights_sha256: Optional[str] = None,
    description_sha256: Optional[str] = None,
    tile_size: Optional[int] = None,
    steps_per_epoch: int = 20,
    batch_size: int = 4,
    crop_size: int = 32,
    channel: int = 0,
    threshold: float = 0.5,
    min_size: int = 0,
    instance_method: str = "connected_components",
    input_axes: Optional[Sequence[str]] = None,
    output_axes: Optional[Sequence[str]] = None,
    preprocessing: Optional[Sequence[Mapping[str, Any]]] = None,
    postprocessing: Optional[Sequence[Mapping[str, Any]]] = None,
    margin: Optional[int] = None,
    threads: Optional[int] = None,
    cache: Optional[os.PathLike | str] = None,
    model_source: Optional[str] = None,
    provenance: Optional[Mapping[str, Any]] = None,
) -> dict:
    """Fine-tune the model's TorchScript weights on ``images``/``targets``; the report.

    ``images``: paths or arrays, each a 2D (Y, X) image or one in the model's
    input axes (batch 1); ``targets``: one per image, same Y, X — instance (or
    binary) labels for ``task="segmentation"``, the clean image in the raw
    intensity scale of the input for ``task="restoration"``.

    Each image gets the model's preprocessing (statistics from the whole image,
    as at inference), then is split into units (the whole image, or
    non-overlapping ``tile_size`` tiles); ``val_fraction`` of the units are held
    out (by seed). Training: ``epochs`` x ``steps_per_epoch`` Adam steps (``lr``)
    on batches of ``batch_size`` random crops from the training units (flips,
    90-degree rotations). Each input crop has ``margin`` pixels of real context
    on every side (default: the output halo of the description) and the loss is
    taken on its centre (``crop_size`` or a little more, to fit the model's
    valid sizes), so it never sees padding. The early layers are frozen
    (:func:`freeze_early_layers`).

    Segmentation: targets per output channel from the labels (foreground = any
    label; a boundary channel when the description's
    ``config.jupyterlab_bioimage.instance_segmentation`` names one, else only
    ``channel`` is trained), binary cross-entropy (on logits when the
    postprocessing starts with a sigmoid). QC: IoU and F1 at IoU 0.5 of the
    instances (``channel``, ``threshold``, ``min_size``, ``instance_method``).
    Restoration: the target is normalised like the input (the input's
    preprocessing with the input's statistics), L1 + MSE loss; QC: PSNR, SSIM.

    The base model: see :func:`load_base_model` (``weights_sha256``,
    ``description_sha256``, ``cache``, ``model_source``). ``input_axes``,
    ``output_axes``, ``preprocessing`` and ``postprocessing`` (0.5 form)
    override the description's, e.g. with the run record's; ``provenance`` is
    copied into the report; ``threads`` sets torch's CPU threads.

    Writes ``out_dir/weights.torchscript.pt`` and ``out_dir/finetune-report.json``;
    returns the report. :class:`ValueError` when the data cannot be split, the
    weights do not verify or an option is out of range; :class:`ImportError`
    without PyTorch.
    """
    torch = import_torch()
    import numpy as np

    if task not in TASKS:
        raise ValueError(f"task must be one of {TASKS}, got {task!r}")
    for name, v in (("epochs", epochs), ("steps_per_epoch", steps_per_epoch),
                    ("batch_size", batch_size), ("crop_size", crop_size)):
        if int(v) != v or int(v) < 1:
            raise ValueError(f"{name} must be a positive integer, got {v!r}")
    if not float(lr) > 0:
        raise ValueError(f"lr must be positive, got {lr!r}")
    if not 0.0 <= float(freeze_fraction) < 1.0:
        raise ValueError(f"freeze_fraction must be in [0, 1), got {freeze_fraction!r}")
    if tile_size is not None and int(tile_size) < 1:
        raise ValueError(f"tile_size must be a positive integer or None, got {tile_size!r}")
    if len(images) != len(targets):
        raise ValueError(f"{len(images)} images but {len(targets)} targets")
    if not len(images):
        raise ValueError("no images to fine-tune on")

    base = load_base_model(rdf_path, weights_sha256, description_sha256, cache, model_source)
    descr = base.description
    inp, out = descr["inputs"][0], descr["outputs"][0]
    in_axes = _check_axes(input_axes if input_axes is not None else _axis_ids(inp), "input")
    out_axes = _check_axes(output_axes if output_axes is not None else _axis_ids(out), "output")
    pre = list(preprocessing if preprocessing is not None else inp.get("preprocessing") or [])
    post = list(postprocessing if postprocessing is not None else out.get("postprocessing") or [])
    in_spec = inp["axes"] if isinstance(inp.get("axes"), list) else None
    out_spec = dict(zip(_axis_ids(out), out["axes"])) if isinstance(out.get("axes"), list) else {}
    if margin is None:
        margin = max([int(out_spec.get(a, {}).get("halo") or 0) for a in ("y", "x")] or [0])
        if not margin:
            cfg = (descr.get("config") or {}).get("jupyterlab_bioimage") or {}
            margin = int(cfg.get("receptive_field_radius") or 0)
    margin = int(margin)
    crop_in = crop_size + 2 * margin
    if in_spec is not None:
        by_id = dict(zip(in_axes, in_spec))
        crop_in = max(_valid_size(by_id["y"], crop_in), _valid_size(by_id["x"], crop_in))
    crop_out = crop_in - 2 * margin
    logits = bool(post) and post[0].get("id") == "sigmoid"
    if task == "restoration" and any(s.get("id") != "ensure_dtype" for s in post):
        raise ValueError(
            "restoration fine-tuning supports models whose output is the restored image "
            f"(postprocessing only ensure_dtype), not {[s.get('id') for s in post]}"
        )

    # Preprocess whole images (statistics as at inference), targets per output channel.
    settings = {"channel": int(channel), "threshold": float(threshold),
                "min_size": int(min_size), "instance_method": str(instance_method)}
    seg_cfg = ((descr.get("config") or {}).get("jupyterlab_bioimage") or {}).get("instance_segmentation") or {}
    xs, ys, masks, truths = [], [], [], []
    for image, target in zip(images, targets):
        raw = _as_image(image, in_axes)
        x = _from_model(analysis.apply_processing(raw, pre, in_axes), in_axes)[0].astype(np.float32)
        t = _as_target(target, x.shape[1:])
        if task == "segmentation":
            n_out = len(out_spec.get("channel", {}).get("channel_names") or [None])
            y = np.zeros((n_out,) + t.shape, np.float32)
            supervised = np.zeros(n_out, bool)
            fg_ch = int(seg_cfg.get("foreground_channel", channel))
            y[fg_ch], supervised[fg_ch] = t > 0, True
            if seg_cfg.get("boundary_channel") is not None:
                bd_ch = int(seg_cfg["boundary_channel"])
                y[bd_ch], supervised[bd_ch] = inner_boundaries(t), True
            truths.append(t.astype(np.int64))
        else:
            tr = analysis.image_to_input(t.astype(np.float32), "YX", in_axes)
            for step in pre:
                tr = analysis.apply_step(tr, step["id"], step.get("kwargs") or {}, in_axes, reference=raw)
            y = _from_model(np.asarray(tr, np.float32), in_axes)[0]
            supervised = np.ones(y.shape[0], bool)
            truths.append(y[0])
        xs.append(x)
        ys.append(y)
        masks.append(supervised)

    train_units, val_units = split_units([x.shape[1:] for x in xs], tile_size, val_fraction, seed)
    small = [u for u in train_units if min(u.height, u.width) < crop_in]
    if small:
        raise ValueError(
            f"training {'tiles' if tile_size else 'images'} of {small[0].height}x{small[0].width} px "
            f"are smaller than one training crop ({crop_in} px = {crop_out} + 2 x {margin} context)"
        )

    def unit(a: Any, u: Unit) -> Any:
        return a[..., u.y:u.y + u.height, u.x:u.x + u.width]

    def evaluate(model: Any) -> list[dict]:
        model.eval()
        rows = []
        for u in val_units:
            pred = predict(model, unit(xs[u.image], u)[None], in_axes, out_axes, in_spec)
            pred = analysis.apply_processing(pred, post, out_axes)
            rows.append(_unit_metrics(pred, unit(truths[u.image], u), task, out_axes, settings))
        return rows

    if threads is not None:
        torch.set_num_threads(int(threads))
    torch.manual_seed(int(seed))
    rng = np.random.default_rng(int(seed))
    model = torch.jit.load(str(base.weights), map_location="cpu")
    before = evaluate(model)
    frozen, trainable = freeze_early_layers(model, freeze_fraction)
    params = dict(model.named_parameters())
    optimizer = torch.optim.Adam([params[n] for n in trainable], lr=float(lr))
    frozen_layers = {n.rpartition(".")[0] for n in frozen}
    mask_t = [torch.from_numpy(m.astype(np.float32)).view(1, -1, 1, 1) for m in masks]

    losses = []
    for _ in range(int(epochs)):
        model.train()
        for name, module in model.named_modules():
            if name in frozen_layers:
                module.eval()  # frozen layers keep e.g. their normalisation statistics too
        total = 0.0
        for _ in range(int(steps_per_epoch)):
            bx, by, bm = [], [], []
            for _ in range(int(batch_size)):
                u = train_units[int(rng.integers(len(train_units)))]
                r0 = u.y + int(rng.integers(u.height - crop_in + 1))
                c0 = u.x + int(rng.integers(u.width - crop_in + 1))
                xc = xs[u.image][:, r0:r0 + crop_in, c0:c0 + crop_in]
                yc = ys[u.image][:, r0:r0 + crop_in, c0:c0 + crop_in]
                k, flip = int(rng.integers(4)), bool(rng.random() < 0.5)
                xc, yc = np.rot90(xc, k, axes=(1, 2)), np.rot90(yc, k, axes=(1, 2))
                if flip:
                    xc, yc = xc[:, :, ::-1], yc[:, :, ::-1]
                bx.append(np.ascontiguousarray(xc))
                by.append(np.ascontiguousarray(yc[:, margin:margin + crop_out, margin:margin + crop_out]))
                bm.append(mask_t[u.image])
            x_t = _to_model(torch.from_numpy(np.stack(bx)), in_axes)
            y_t = torch.from_numpy(np.stack(by))
            m_t = torch.cat(bm)
            pred = _from_model(model(x_t), out_axes)[:, :, margin:margin + crop_out, margin:margin + crop_out]
            if task == "segmentation":
                if logits:
                    per_px = torch.nn.functional.binary_cross_entropy_with_logits(pred, y_t, reduction="none")
                else:
                    per_px = torch.nn.functional.binary_cross_entropy(
                        pred.clamp(1e-6, 1 - 1e-6), y_t, reduction="none")
                loss = (per_px * m_t).sum() / (m_t.sum() * crop_out * crop_out)
            else:
                loss = torch.nn.functional.l1_loss(pred, y_t) + torch.nn.functional.mse_loss(pred, y_t)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
            total += float(loss.item())
        losses.append(total / int(steps_per_epoch))
    after = evaluate(model)
    for p in params.values():
        p.requires_grad_(True)  # saved as loaded: all trainable

    out_path = Path(out_dir)
    out_path.mkdir(parents=True, exist_ok=True)
    weights_out = out_path / WEIGHTS_FILE
    torch.jit.save(model, str(weights_out))
    n_elems = {n: int(p.numel()) for n, p in params.items()}
    report = {
        "generator": "jupyterlab_bioimage.finetune",
        "base_model": {
            "id": descr.get("id"),
            "name": descr.get("name"),
            "version": descr.get("version"),
            "description": str(base.rdf),
            "description_sha256": analysis.sha256_of(base.rdf),
            "torchscript_sha256": base.weights_sha256,
            "pinned_weights_sha256": weights_sha256,
            "pytorch_version": descr["weights"]["torchscript"].get("pytorch_version"),
        },
        "task": task,
        "parameters": {
            "epochs": int(epochs), "steps_per_epoch": int(steps_per_epoch),
            "batch_size": int(batch_size), "lr": float(lr),
            "freeze_fraction": float(freeze_fraction), "val_fraction": float(val_fraction),
            "seed": int(seed), "tile_size": None if tile_size is None else int(tile_size),
            "crop_size": int(crop_out), "input_crop_size": int(crop_in), "margin": margin,
            "input_axes": in_axes, "output_axes": out_axes,
            "preprocessing": pre, "postprocessing": post, **settings,
        },
        "frozen": frozen,
        "trainable": trainable,
        "n_frozen_parameters": sum(n_elems[n] for n in frozen),
        "n_trainable_parameters": sum(n_elems[n] for n in trainable),
        "split": {
            "by": "tile" if tile_size else "image",
            # intensity statistics only (no labels): preprocessing sees the whole image,
            # as at inference
            "preprocessing_statistics": "whole image",
            "train": [u.as_dict() for u in train_units],
            "validation": [u.as_dict() for u in val_units],
        },
        "loss": losses,
        "metrics": {
            "before": _mean(before),
            "after": _mean(after),
            "per_unit": [
                {"unit": u.as_dict(), "before": b, "after": a}
                for u, b, a in zip(val_units, before, after)
            ],
        },
        "weights": {"source": WEIGHTS_FILE, "sha256": analysis.sha256_of(weights_out)},
        "provenance": dict(provenance or {}),
        "software": {**analysis.software_versions(), "torch": torch.__version__},
    }
    (out_path / REPORT_FILE).write_text(json.dumps(report, indent=1, sort_keys=False) + "\n")
    return {**report, "out_dir": str(out_path)}


def print_report(report: Mapping[str, Any]) -> None:
    """The held-out metrics before and after fine-tuning, and the split."""
    before, after = report["metrics"]["before"], report["metrics"]["after"]
    split = report["split"]
    print(f"held out: {len(split['validation'])} {split['by']}(s), trained on "
          f"{len(split['train'])}; frozen {len(report['frozen'])} of "
          f"{len(report['frozen']) + len(report['trainable'])} parameter tensors")
    print(f"{'metric':<10} {'before':>10} {'after':>10}")
    for name, value in before.items():
        print(f"{name:<10} {value:>10.4f} {after[name]:>10.4f}")
