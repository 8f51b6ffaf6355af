"""Fine-tuning a bioimage.io model in the kernel (PyTorch, CPU).

The generated fine-tuning cell (``src/notebook/codegen-finetune.ts``) calls
:func:`fine_tune`. It starts from the model package's TorchScript weights and
adds the safeguards that keep a small fine-tuning run honest:

* the weights are the ones the description lists (sha256 checked before they
  are loaded), and the description is the model that was run (``weights_sha256``);
* the model's own preprocessing (:func:`~.processing.apply_processing`) on whole
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

The pieces: :mod:`.finetune_model` (the verified base model, freezing, prediction),
:mod:`.finetune_data` (arrays in the model's axes, the split); here the training loop
and the report. Notebooks import all of it as ``jupyterlab_bioimage.finetune``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Mapping, Optional, Sequence

from ..layout import sha256_of
from .finetune_data import (
    Unit,
    as_image,
    as_target,
    axis_ids,
    check_2d_axes,
    from_model_axes,
    inner_boundaries,
    split_units,
    to_model_axes,
    valid_size,
)
from .finetune_model import (  # noqa: F401 -- BaseModel, WEIGHTS_FILE: part of this API
    WEIGHTS_FILE,
    BaseModel,
    freeze_early_layers,
    import_torch,
    load_base_model,
    predict,
)
from .images import image_to_input, output_plane
from .labels import instances
from .metrics import compute_metrics
from .processing import apply_processing, apply_step
from .provenance import software_versions

TASKS = ("segmentation", "restoration")
REPORT_FILE = "finetune-report.json"


def _unit_metrics(pred: Any, target: Any, task: str, out_axes: Sequence[str], s: Mapping[str, Any]) -> dict:
    """QC metrics of one held-out unit, as the other generated cells compute them."""
    if task == "segmentation":
        fg = output_plane(pred, out_axes, s["channel"])
        labels = instances(fg, threshold=s["threshold"], min_size=s["min_size"],
                                    method=s["instance_method"])
        return compute_metrics(["iou", "f1_iou50"], labels=labels, ground_truth=target,
                                        threshold=s["threshold"])
    plane = output_plane(pred, out_axes, 0)
    return compute_metrics(["psnr", "ssim"], prediction=plane, ground_truth=target)


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
    in_axes = check_2d_axes(input_axes if input_axes is not None else axis_ids(inp), "input")
    out_axes = check_2d_axes(output_axes if output_axes is not None else axis_ids(out), "output")
    pre = list(preprocessing if preprocessing is not None else inp.get("preprocessing") or [])
    post = list(postprocessing if postprocessing is not None else out.get("postprocessing") or [])
    in_spec = inp["axes"] if isinstance(inp.get("axes"), list) else None
    out_spec = dict(zip(axis_ids(out), out["axes"])) if isinstance(out.get("axes"), list) else {}
    if margin is None:
        margin = max([int(out_spec.get(a, {}).get("halo") or 0) for a in ("y", "x")] or [0])
        if not margin:
            cfg = (descr.get("config") or {}).get("jupyterlab_bioimage") or {}
            margin = int(cfg.get("receptive_field_radius") or 0)
    margin = int(margin)
    crop_in = crop_size + 2 * margin
    if in_spec is not None:
        by_id = dict(zip(in_axes, in_spec))
        crop_in = max(valid_size(by_id["y"], crop_in), valid_size(by_id["x"], crop_in))
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
        raw = as_image(image, in_axes)
        x = from_model_axes(apply_processing(raw, pre, in_axes), in_axes)[0].astype(np.float32)
        t = as_target(target, x.shape[1:])
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
            tr = image_to_input(t.astype(np.float32), "YX", in_axes)
            for step in pre:
                tr = apply_step(tr, step["id"], step.get("kwargs") or {}, in_axes, reference=raw)
            y = from_model_axes(np.asarray(tr, np.float32), in_axes)[0]
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
            pred = apply_processing(pred, post, out_axes)
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
            x_t = to_model_axes(torch.from_numpy(np.stack(bx)), in_axes)
            y_t = torch.from_numpy(np.stack(by))
            m_t = torch.cat(bm)
            pred = from_model_axes(model(x_t), out_axes)[:, :, margin:margin + crop_out, margin:margin + crop_out]
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
            "description_sha256": sha256_of(base.rdf),
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
        "weights": {"source": WEIGHTS_FILE, "sha256": sha256_of(weights_out)},
        "provenance": dict(provenance or {}),
        "software": {**software_versions(), "torch": torch.__version__},
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
