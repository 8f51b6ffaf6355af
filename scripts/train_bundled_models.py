#!/usr/bin/env python
"""Train, export and package the bundled default zoo of jupyterlab-bioimage.

Creates (idempotently; everything is regenerated from fixed seeds):

* ``<out>/bioimage-nuclei-seg/``  nuclei segmentation (foreground + boundary)
* ``<out>/bioimage-denoise/``     fluorescence denoising (noisy -> clean)
* ``<out>/index.json``            list of the bundled packages
* ``<examples>/``                 small synthetic sample images for the tutorial

Each package is a complete bioimage.io model description, format 0.5, with
ONNX weights (dynamic batch and spatial axes, for the browser), TorchScript
weights converted from them (``parent: onnx``, for fine-tuning in the kernel),
test/sample tensors, a cover and a README with a ``# Validation`` section.

``--torchscript-only`` trains nothing: it adds the TorchScript weights to the
packages already in ``--out``, converted from their ONNX weights, and leaves
every other file byte-identical (only rdf.yaml, README.md and index.json gain
the new weights entry). Training is deterministic on one machine, but other
CPUs may pick other floating-point kernels and so train different weights.

All training data is synthetic (see ``scripts/synth_microscopy.py``). Runs on
the CPU in a few minutes; needs the packages in ``requirements-models.txt``:

    python3 -m venv .venv-models
    .venv-models/bin/pip install -r requirements-models.txt
    .venv-models/bin/python scripts/train_bundled_models.py --out jupyterlab_bioimage/zoo

Networks: no pooling or striding.  The input is symmetric-padded by the
receptive-field radius R inside the graph and all convolutions are 'valid', so
the network is exactly translation-equivariant and every output pixel depends
only on the input pixels within R of it.  Tiled prediction with a halo >= R
therefore equals untiled prediction, whatever the tile offsets.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import logging
import os
import shutil
import sys
import time
import warnings
import zipfile
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import synth_microscopy as sm  # noqa: E402

ROOT = HERE.parent
FORMAT_VERSION = "0.5.4"
VERSION = "0.1.0"
# fixed, so that re-running the script reproduces identical files
TIMESTAMP = "2026-11-25T00:00:00+00:00"
AUTHORS = [{"name": "jupyterlab-bioimage contributors"}]
LICENSE = "BSD-3-Clause"
OPSET = 18
SIZE_MIN, SIZE_STEP = 64, 16
TEST_SIZE = 192  # = 64 + 8 * 16
EXAMPLE_SIZE = 256

CITE_UNET = {
    "text": "Ronneberger, O., Fischer, P. & Brox, T. U-Net: Convolutional Networks for "
    "Biomedical Image Segmentation. MICCAI 2015.",
    "doi": "10.1007/978-3-319-24574-4_28",
}
CITE_DILATED = {
    "text": "Yu, F. & Koltun, V. Multi-Scale Context Aggregation by Dilated Convolutions. "
    "ICLR 2016.",
    "url": "https://arxiv.org/abs/1511.07122",
}


# --------------------------------------------------------------------------- utils
def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def log(msg: str) -> None:
    print(msg, flush=True)


def to_uint8(img: np.ndarray, lo=None, hi=None) -> np.ndarray:
    if lo is None:
        lo, hi = np.percentile(img, [1, 99.8])
    return (np.clip((img - lo) / max(hi - lo, 1e-6), 0, 1) * 255).round().astype(np.uint8)


def sigmoid(x: np.ndarray) -> np.ndarray:
    return (1.0 / (1.0 + np.exp(-x.astype(np.float64)))).astype(np.float32)


# --------------------------------------------------------------------------- nets
def build_net(torch, nn, F, *, in_ch, out_ch, width, ctx_width, dilations, residual):
    """Small U-Net-like net without pooling.

    detail branch: 2 x conv3x3 (radius 2)
    context branch: conv3x3 with the given dilations on top of the detail features
    merge: concat(cropped detail, context) -> conv3x3 -> conv1x1 (like a U-Net skip)
    Receptive-field radius R = 2 + sum(dilations) + 1.  Input symmetric-padded by R
    inside the graph, all convolutions valid -> output has the input's size.
    """

    class DilatedUNet2d(nn.Module):
        def __init__(self):
            super().__init__()
            self.R = 3 + int(sum(dilations))
            self.crop = int(sum(dilations))
            self.residual = residual
            self.pad_input = True  # False while training on crops with real context
            self.enc1 = nn.Conv2d(in_ch, width, 3)
            self.enc2 = nn.Conv2d(width, width, 3)
            ctx = []
            c = width
            for d in dilations:
                ctx.append(nn.Conv2d(c, ctx_width, 3, dilation=d))
                c = ctx_width
            self.ctx = nn.ModuleList(ctx)
            self.dec = nn.Conv2d(width + ctx_width, width, 3)
            self.head = nn.Conv2d(width, out_ch, 1)

        def forward(self, x):
            R = self.R
            if self.pad_input:
                # symmetric padding (edge pixel repeated, numpy mode 'symmetric'), the
                # same as bioimageio.core's default tiling pad -> tiled == untiled
                # also at the image border.  Exports to ONNX Slice/Concat.
                xp = torch.cat([x[:, :, :R].flip(2), x, x[:, :, -R:].flip(2)], dim=2)
                xp = torch.cat([xp[:, :, :, :R].flip(3), xp, xp[:, :, :, -R:].flip(3)], dim=3)
            else:  # 'valid' mode: output is smaller than x by R on each side
                xp = x
                x = x[:, :, R:-R, R:-R]
            a = F.relu(self.enc2(F.relu(self.enc1(xp))))
            b = a
            for conv in self.ctx:
                b = F.relu(conv(b))
            c = self.crop
            a = a[:, :, c:-c, c:-c]
            y = self.head(F.relu(self.dec(torch.cat([a, b], dim=1))))
            if self.residual:
                y = y + x
            return y

    return DilatedUNet2d()


# --------------------------------------------------------------------------- data
def make_pool(seed: int, n: int, size: int = 256):
    rng = np.random.default_rng(seed)
    return [sm.synth_image(rng, (size, size)) for _ in range(n)]


def seg_arrays(img: sm.SynthImage):
    x = sm.zero_mean_unit_variance(img.noisy)
    fg = (img.labels > 0).astype(np.float32)
    bd = sm.instance_boundaries(img.labels).astype(np.float32)
    return x, np.stack([fg, bd])


def den_arrays(img: sm.SynthImage):
    x, lo, hi = sm.scale_range(img.noisy)
    y = ((img.clean - lo) / (hi - lo + 1e-6)).astype(np.float32)
    return x, y[None]


def random_batch(rng, xs, ys, batch, crop, margin):
    """Input crops of crop + 2*margin (real context), targets of the central crop."""
    bx, by = [], []
    m = margin
    crop_in = crop + 2 * m
    for _ in range(batch):
        i = int(rng.integers(len(xs)))
        x, y = xs[i], ys[i]
        H, W = x.shape
        r0 = int(rng.integers(0, H - crop_in + 1))
        c0 = int(rng.integers(0, W - crop_in + 1))
        xc = x[r0 : r0 + crop_in, c0 : c0 + crop_in]
        yc = y[:, r0 : r0 + crop_in, c0 : c0 + crop_in]
        k = int(rng.integers(4))
        xc = np.rot90(xc, k, axes=(0, 1))
        yc = np.rot90(yc, k, axes=(1, 2))
        if rng.random() < 0.5:
            xc, yc = xc[:, ::-1], yc[:, :, ::-1]
        bx.append(xc[None].copy())
        by.append(yc[:, m : m + crop, m : m + crop].copy())
    return np.stack(bx), np.stack(by)


# --------------------------------------------------------------------------- training
def train(torch, net, xs, ys, *, steps, batch, crop, lr, loss_fn, seed, name):
    rng = np.random.default_rng(seed)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=steps, pct_start=0.15)
    net.train()
    net.pad_input = False
    t0 = time.time()
    running = None
    for step in range(1, steps + 1):
        bx, by = random_batch(rng, xs, ys, batch, crop, net.R)
        bx, by = torch.from_numpy(bx), torch.from_numpy(by)
        out = net(bx)
        loss = loss_fn(out, by)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sched.step()
        running = loss.item() if running is None else 0.95 * running + 0.05 * loss.item()
        if step % 100 == 0 or step == steps:
            log(f"  [{name}] step {step:4d}/{steps}  loss {running:.4f}  ({time.time() - t0:.0f}s)")
    net.eval()
    net.pad_input = True
    return net


# --------------------------------------------------------------------------- export
def export_onnx(torch, net, path: Path, R: int):
    path.parent.mkdir(parents=True, exist_ok=True)
    x = torch.zeros(1, 1, SIZE_MIN, SIZE_MIN)
    dims = {
        0: torch.export.Dim("batch", min=1, max=1024),
        2: torch.export.Dim("y", min=R + 1, max=16384),
        3: torch.export.Dim("x", min=R + 1, max=16384),
    }
    logging.getLogger("torch").setLevel(logging.ERROR)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prog = torch.onnx.export(
            net,
            (x,),
            input_names=["input"],
            output_names=["output"],
            opset_version=OPSET,
            dynamic_shapes={"x": dims},
            dynamo=True,
            external_data=False,
            verbose=False,
        )
    prog.save(str(path), external_data=False)
    import onnx

    model = onnx.load(str(path))
    # strip exporter metadata that depends on the local environment (paths, stack traces)
    del model.metadata_props[:]
    for node in model.graph.node:
        del node.metadata_props[:]
        node.doc_string = ""
    g = model.graph
    for item in list(g.value_info) + list(g.input) + list(g.output) + list(g.initializer):
        del item.metadata_props[:]
    model.graph.doc_string = ""
    model.doc_string = ""
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path


def export_torchscript(torch, net, path: Path) -> Path:
    """Script the trained module and save it reproducibly.

    ``torch.jit.save`` writes a random ``.data/serialization_id`` and
    ``*.debug_pkl`` records holding the absolute paths of this script and of
    the torch installation, so the same weights would give a different file on
    every run and checkout. The archive is rewritten without the debug records
    (``torch.jit.load`` does not need them) and with an id derived from the
    content; the other records are copied unchanged, stored uncompressed and
    64-byte aligned like torch's own writer does.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    scripted = torch.jit.script(net.eval())
    buf = io.BytesIO()
    torch.jit.save(scripted, buf)
    src = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    records = [(n, src.read(n)) for n in src.namelist() if not n.endswith(".debug_pkl")]
    content = hashlib.sha256()
    for name, data in records:
        if not name.endswith("/.data/serialization_id"):
            content.update(name.encode() + b"\0" + data)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as dst:
        for name, data in records:
            if name.endswith("/.data/serialization_id"):
                data = str(int(content.hexdigest()[:32], 16)).encode()
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_STORED
            info.create_system = 0
            # local header = 30 bytes + name + extra; pad so the data starts at a multiple of 64
            start = out.tell() + 30 + len(name.encode()) + 4
            pad = (-start) % 64
            info.extra = b"FB" + pad.to_bytes(2, "little") + b"Z" * pad
            dst.writestr(info, data)
    path.write_bytes(out.getvalue())
    return path


def torchscript_from_onnx(torch, nn, F, arch: dict, pkg: Path):
    """``pkg/weights.torchscript.pt``: the network rebuilt in PyTorch with the
    weights of ``pkg/weights.onnx`` (its initializers carry the parameter names).

    Checked against onnxruntime on that file (within 1e-4, several batch and
    spatial sizes) and against the package's test tensors. Returns the rebuilt
    module.
    """
    import onnx
    from onnx import numpy_helper

    net = build_net(torch, nn, F, **arch)
    graph = onnx.load(str(pkg / "weights.onnx")).graph
    init = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    state = net.state_dict()
    missing = [k for k in state if k not in init or tuple(init[k].shape) != tuple(state[k].shape)]
    assert not missing, f"ONNX initializers do not match the parameters {missing}"
    net.load_state_dict({k: torch.from_numpy(init[k].copy()) for k in state})
    path = export_torchscript(torch, net, pkg / "weights.torchscript.pt")

    loaded = torch.jit.load(str(path)).eval()
    sess = ort_session(pkg / "weights.onnx")
    rng = np.random.default_rng(3)
    worst = 0.0
    for shape in [(1, 1, 64, 64), (2, 1, 80, 144), (1, 1, 97, 65)]:
        x = rng.standard_normal(shape).astype(np.float32)
        with torch.no_grad():
            out = loaded(torch.from_numpy(x)).numpy()
        ref = ort_run(sess, x)
        assert out.shape == ref.shape, (out.shape, ref.shape)
        worst = max(worst, float(np.abs(out - ref).max()))
    # the package's own test: its preprocessing, the network, its postprocessing
    raw = np.load(pkg / "test_input.npy")
    seg = arch["out_ch"] == 2
    x = sm.zero_mean_unit_variance(raw) if seg else sm.scale_range(raw)[0]
    with torch.no_grad():
        y = loaded(torch.from_numpy(x)).numpy()
    y = sigmoid(y) if seg else y
    worst = max(worst, float(np.abs(y - np.load(pkg / "test_output.npy")).max()))
    assert worst < 1e-4, worst
    log(f"  torchscript from onnx: max|d| vs onnxruntime and test tensors {worst:.2e}, "
        f"{path.stat().st_size / 1024:.0f} KiB")
    return net


def ort_session(path: Path):
    import onnxruntime as ort

    so = ort.SessionOptions()
    so.intra_op_num_threads = 1
    return ort.InferenceSession(str(path), so, providers=["CPUExecutionProvider"])


def ort_run(sess, x: np.ndarray) -> np.ndarray:
    return sess.run(None, {sess.get_inputs()[0].name: x.astype(np.float32)})[0]


def verify_export(torch, net, sess, R):
    """onnxruntime == torch for several batch/spatial sizes (dynamic axes)."""
    rng = np.random.default_rng(0)
    worst = 0.0
    for shape in [(1, 1, 64, 64), (2, 1, 80, 144), (1, 1, 192, 192), (3, 1, 97, 65)]:
        x = rng.standard_normal(shape).astype(np.float32)
        with torch.no_grad():
            ref = net(torch.from_numpy(x)).numpy()
        out = ort_run(sess, x)
        assert out.shape[0] == shape[0] and out.shape[2:] == shape[2:], (out.shape, shape)
        worst = max(worst, float(np.abs(out - ref).max()))
    assert worst < 1e-4, worst
    # receptive field: perturbing one pixel changes outputs only within R
    x = rng.standard_normal((1, 1, 96, 96)).astype(np.float32)
    x2 = x.copy()
    x2[0, 0, 48, 48] += 10.0
    diff = np.abs(ort_run(sess, x2) - ort_run(sess, x)).max(axis=(0, 1))
    ys, xs = np.nonzero(diff > 0)
    rf = int(max(np.abs(ys - 48).max(), np.abs(xs - 48).max()))
    assert rf <= R, (rf, R)
    return worst, rf


# --------------------------------------------------------------------------- metrics
def seg_predict(sess, raw: np.ndarray) -> np.ndarray:
    x = sm.zero_mean_unit_variance(raw)[None, None]
    return sigmoid(ort_run(sess, x))[0]


def seg_metrics(sess, imgs):
    tp = fp = fn = 0
    inter = union = 0
    bd_tp = bd_fp = bd_fn = 0
    ious = []
    for img in imgs:
        p = seg_predict(sess, img.noisy)
        fg_gt = img.labels > 0
        fg = p[0] > 0.5
        inter += int((fg & fg_gt).sum())
        union += int((fg | fg_gt).sum())
        bgt = sm.instance_boundaries(img.labels)
        bpr = p[1] > 0.5
        bd_tp += int((bpr & bgt).sum())
        bd_fp += int((bpr & ~bgt).sum())
        bd_fn += int((~bpr & bgt).sum())
        inst = sm.instances_from_prediction(p[0], p[1])
        t, f1_, f2_, miou = sm.match_instances(img.labels, inst)
        tp, fp, fn = tp + t, fp + f1_, fn + f2_
        if t:
            ious.append((miou, t))
    f1 = 2 * tp / max(2 * tp + fp + fn, 1)
    mean_iou = sum(m * t for m, t in ious) / max(sum(t for _, t in ious), 1)
    return {
        "n_images": len(imgs),
        "n_gt_nuclei": tp + fn,
        "foreground_iou": inter / max(union, 1),
        "boundary_f1_pixel": 2 * bd_tp / max(2 * bd_tp + bd_fp + bd_fn, 1),
        "instance_f1_iou50": f1,
        "instance_precision_iou50": tp / max(tp + fp, 1),
        "instance_recall_iou50": tp / max(tp + fn, 1),
        "matched_mean_iou": mean_iou,
    }


def psnr(a, b, data_range=1.0):
    mse = float(np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2))
    return 10 * np.log10(data_range**2 / max(mse, 1e-20))


def den_metrics(sess, imgs):
    p_in, p_out = [], []
    for img in imgs:
        x, y = den_arrays(img)
        out = ort_run(sess, x[None, None])[0, 0]
        p_in.append(psnr(x, y[0]))
        p_out.append(psnr(out, y[0]))
    return {
        "n_images": len(imgs),
        "psnr_noisy_db": float(np.mean(p_in)),
        "psnr_denoised_db": float(np.mean(p_out)),
        "psnr_gain_db": float(np.mean(p_out) - np.mean(p_in)),
        "psnr_noisy_min_db": float(np.min(p_in)),
        "psnr_denoised_min_db": float(np.min(p_out)),
    }


# --------------------------------------------------------------------------- packaging
def write_tif(path: Path, arr: np.ndarray):
    import tifffile

    tifffile.imwrite(str(path), arr, photometric="minisblack", metadata=None)


def save_cover(path: Path, left: np.ndarray, right: np.ndarray):
    """2:1 PNG cover: left and right halves (H, W, 3) uint8 side by side."""
    from PIL import Image

    img = np.concatenate([left, right], axis=1)
    Image.fromarray(img).resize((img.shape[1] * 2, img.shape[0] * 2), Image.NEAREST).save(
        str(path), optimize=True
    )


def gray_rgb(u8: np.ndarray) -> np.ndarray:
    return np.repeat(u8[..., None], 3, axis=2)


def tensor_axes(input_id: str, channel_names, halo=None, ref=False):
    axes = [{"type": "batch"}, {"type": "channel", "channel_names": list(channel_names)}]
    for ax in ("y", "x"):
        if ref:
            a = {"type": "space", "id": ax, "size": {"tensor_id": input_id, "axis_id": ax}}
            if halo:
                a["halo"] = int(halo)
        else:
            a = {"type": "space", "id": ax, "size": {"min": SIZE_MIN, "step": SIZE_STEP}}
        axes.append(a)
    return axes


def file_ref(pkg: Path, name: str):
    return {"source": name, "sha256": sha256(pkg / name)}


def write_rdf(pkg: Path, rdf: dict):
    (pkg / "rdf.yaml").write_text(rdf_text(rdf))


def rdf_text(rdf: dict) -> str:
    import yaml

    class _Dumper(yaml.SafeDumper):
        def ignore_aliases(self, data):  # no &anchors / *aliases in the output
            return True

    text = yaml.dump(rdf, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    return "# generated by scripts/train_bundled_models.py\n" + text


def _rounded(metrics: dict) -> dict:
    return {k: v if isinstance(v, int) else round(float(v), 4) for k, v in metrics.items()}


def weights_entries(torch, pkg: Path) -> dict:
    """ONNX, exported from the trained module (the entry without a parent), and
    TorchScript converted from it (``parent: onnx``; spec 0.5: exactly one entry
    has no parent)."""
    return {
        "onnx": {**file_ref(pkg, "weights.onnx"), "opset_version": OPSET, "authors": AUTHORS},
        "torchscript": {**file_ref(pkg, "weights.torchscript.pt"),
                        "pytorch_version": torch_version(torch), "authors": AUTHORS,
                        "parent": "onnx"},
    }


def torch_version(torch) -> str:
    """``2.13.0`` for ``2.13.0+cpu``: the local build tag says nothing about the weights."""
    return torch.__version__.split("+")[0]


def write_readme(pkg: Path, template: str, torch, net, halo: int, steps: int, args, metrics):
    text = template.format(R=net.R, halo=halo, steps=steps, pool=args.pool,
                           n_params=sum(p.numel() for p in net.parameters()),
                           opset=OPSET, min=SIZE_MIN, step=SIZE_STEP, SYNTH=SYNTH_DATA,
                           torch_version=torch_version(torch), **metrics)
    (pkg / "README.md").write_text(text)


def package_size(pkg: Path) -> int:
    return sum(p.stat().st_size for p in pkg.rglob("*") if p.is_file())


# --------------------------------------------------------------------------- models
SEG_ID = "bioimage-nuclei-seg"
DEN_ID = "bioimage-denoise"
SEG_NET = dict(in_ch=1, out_ch=2, width=12, ctx_width=16, dilations=(2, 4, 8), residual=False)
DEN_NET = dict(in_ch=1, out_ch=1, width=16, ctx_width=16, dilations=(2, 4), residual=True)


def seg_loss(torch, F):
    def loss_fn(out, target):
        w = torch.tensor([1.0, 3.0]).view(1, 2, 1, 1)
        bce = F.binary_cross_entropy_with_logits(out, target, pos_weight=w)
        p = torch.sigmoid(out[:, 0])
        t = target[:, 0]
        dice = 1 - (2 * (p * t).sum() + 1) / (p.sum() + t.sum() + 1)
        return bce + 0.5 * dice

    return loss_fn


def build_seg_package(torch, nn, F, out: Path, args, held_out, test_img, timings):
    log(f"== {SEG_ID}")
    pool = make_pool(1001, args.pool)
    xs, ys = zip(*[seg_arrays(im) for im in pool])
    torch.manual_seed(1)
    net = build_net(torch, nn, F, **SEG_NET)
    R = net.R
    halo = 24
    assert halo >= R
    t0 = time.time()
    train(torch, net, list(xs), list(ys), steps=args.seg_steps, batch=8, crop=64, lr=3e-3,
          loss_fn=seg_loss(torch, F), seed=11, name=SEG_ID)
    timings[SEG_ID] = time.time() - t0

    pkg = out / SEG_ID
    if pkg.exists():
        shutil.rmtree(pkg)
    pkg.mkdir(parents=True)
    export_onnx(torch, net, pkg / "weights.onnx", R)
    sess = ort_session(pkg / "weights.onnx")
    worst, rf = verify_export(torch, net, sess, R)
    log(f"  onnx vs torch max|d| {worst:.2e}; measured receptive-field radius {rf} (R={R}, halo={halo})")

    metrics = seg_metrics(sess, held_out)
    log("  validation: " + json.dumps({k: round(v, 4) for k, v in metrics.items()}))

    raw = test_img.noisy
    x = sm.zero_mean_unit_variance(raw)[None, None]
    y = sigmoid(ort_run(sess, x))
    np.save(pkg / "test_input.npy", np.ascontiguousarray(raw[None, None].astype(np.float32)))
    np.save(pkg / "test_output.npy", np.ascontiguousarray(y.astype(np.float32)))
    write_tif(pkg / "sample_input.tif", raw.astype(np.uint16))
    write_tif(pkg / "sample_output.tif", y[0].astype(np.float32))
    torchscript_from_onnx(torch, nn, F, SEG_NET, pkg)
    overlay = np.zeros(raw.shape + (3,), np.uint8)
    g = to_uint8(raw)
    overlay[..., 0] = np.maximum(g // 2, (y[0, 1] * 255).astype(np.uint8))
    overlay[..., 1] = np.maximum(g // 2, (y[0, 0] * (1 - y[0, 1]) * 255).astype(np.uint8))
    overlay[..., 2] = np.maximum(g // 2, (y[0, 1] * 255).astype(np.uint8))
    save_cover(pkg / "cover.png", gray_rgb(g), overlay)

    write_readme(pkg, SEG_README, torch, net, halo, args.seg_steps, args, metrics)

    rdf = {
        "format_version": FORMAT_VERSION,
        "type": "model",
        "id": SEG_ID,
        "name": "Bioimage Nuclei Segmentation 2D",
        "description": (
            "Small 2D U-Net-like network (dilated convolutions, no pooling) for fluorescent "
            "nuclei: predicts foreground and boundary probabilities from which instance labels "
            "are derived. Trained on synthetic images; bundled with jupyterlab-bioimage."
        ),
        "version": VERSION,
        "authors": AUTHORS,
        "license": LICENSE,
        "cite": [CITE_UNET, CITE_DILATED],
        "tags": ["segmentation", "instance-segmentation", "2d", "nuclei", "fluorescence",
                 "fluorescence-light-microscopy", "unet2d", "onnx", "jupyterlab-bioimage"],
        "documentation": "README.md",
        "covers": ["cover.png"],
        "timestamp": TIMESTAMP,
        "inputs": [{
            "id": "raw",
            "description": "single-channel fluorescence image of nuclei (any intensity range)",
            "axes": tensor_axes("raw", ["nuclei"]),
            "test_tensor": file_ref(pkg, "test_input.npy"),
            "sample_tensor": file_ref(pkg, "sample_input.tif"),
            "data": {"type": "float32"},
            "preprocessing": [
                {"id": "ensure_dtype", "kwargs": {"dtype": "float32"}},
                {"id": "zero_mean_unit_variance", "kwargs": {"axes": ["x", "y"], "eps": 1e-6}},
                {"id": "ensure_dtype", "kwargs": {"dtype": "float32"}},
            ],
        }],
        "outputs": [{
            "id": "probabilities",
            "description": "channel 0: nucleus foreground probability, channel 1: nucleus boundary probability",
            "axes": tensor_axes("raw", ["foreground", "boundary"], halo=halo, ref=True),
            "test_tensor": file_ref(pkg, "test_output.npy"),
            "sample_tensor": file_ref(pkg, "sample_output.tif"),
            "data": {"type": "float32", "range": [0.0, 1.0]},
            "postprocessing": [
                {"id": "sigmoid"},
                {"id": "ensure_dtype", "kwargs": {"dtype": "float32"}},
            ],
        }],
        "weights": weights_entries(torch, pkg),
        "config": {"jupyterlab_bioimage": {
            "bundled": True,
            "receptive_field_radius": R,
            "instance_segmentation": {
                "method": "seeds = label((foreground > 0.5) & (boundary < 0.5)); "
                          "grow seeds to nearest within foreground > 0.5; drop < 12 px",
                "foreground_channel": 0, "boundary_channel": 1,
                "foreground_threshold": 0.5, "boundary_threshold": 0.5, "min_size": 12,
            },
            "validation": _rounded(metrics),
        }},
    }
    write_rdf(pkg, rdf)
    return pkg, metrics


def build_den_package(torch, nn, F, out: Path, args, held_out, test_img, timings):
    log(f"== {DEN_ID}")
    pool = make_pool(2002, args.pool)
    xs, ys = zip(*[den_arrays(im) for im in pool])
    torch.manual_seed(2)
    net = build_net(torch, nn, F, **DEN_NET)
    R = net.R
    halo = 16
    assert halo >= R
    t0 = time.time()
    train(torch, net, list(xs), list(ys), steps=args.den_steps, batch=8, crop=64, lr=2e-3,
          loss_fn=lambda o, t: F.l1_loss(o, t) + F.mse_loss(o, t), seed=22, name=DEN_ID)
    timings[DEN_ID] = time.time() - t0

    pkg = out / DEN_ID
    if pkg.exists():
        shutil.rmtree(pkg)
    pkg.mkdir(parents=True)
    export_onnx(torch, net, pkg / "weights.onnx", R)
    sess = ort_session(pkg / "weights.onnx")
    worst, rf = verify_export(torch, net, sess, R)
    log(f"  onnx vs torch max|d| {worst:.2e}; measured receptive-field radius {rf} (R={R}, halo={halo})")

    metrics = den_metrics(sess, held_out)
    log("  validation: " + json.dumps({k: round(v, 3) for k, v in metrics.items()}))

    raw = test_img.noisy
    x, _, _ = sm.scale_range(raw)
    y = ort_run(sess, x[None, None])
    np.save(pkg / "test_input.npy", np.ascontiguousarray(raw[None, None].astype(np.float32)))
    np.save(pkg / "test_output.npy", np.ascontiguousarray(y.astype(np.float32)))
    write_tif(pkg / "sample_input.tif", raw.astype(np.uint16))
    write_tif(pkg / "sample_output.tif", y[0, 0].astype(np.float32))
    torchscript_from_onnx(torch, nn, F, DEN_NET, pkg)
    save_cover(pkg / "cover.png", gray_rgb(to_uint8(x, 0, 1)), gray_rgb(to_uint8(y[0, 0], 0, 1)))

    write_readme(pkg, DEN_README, torch, net, halo, args.den_steps, args, metrics)

    rdf = {
        "format_version": FORMAT_VERSION,
        "type": "model",
        "id": DEN_ID,
        "name": "Bioimage Denoise 2D",
        "description": (
            "Small 2D residual network (dilated convolutions, no pooling) that removes "
            "Poisson-Gaussian camera noise from single-channel fluorescence images. Trained on "
            "synthetic noisy/clean pairs; bundled with jupyterlab-bioimage."
        ),
        "version": VERSION,
        "authors": AUTHORS,
        "license": LICENSE,
        "cite": [CITE_UNET, CITE_DILATED],
        "tags": ["denoising", "restoration", "2d", "fluorescence", "fluorescence-light-microscopy",
                 "nuclei", "onnx", "jupyterlab-bioimage"],
        "documentation": "README.md",
        "covers": ["cover.png"],
        "timestamp": TIMESTAMP,
        "inputs": [{
            "id": "noisy",
            "description": "single-channel noisy fluorescence image (any intensity range)",
            "axes": tensor_axes("noisy", ["fluorescence"]),
            "test_tensor": file_ref(pkg, "test_input.npy"),
            "sample_tensor": file_ref(pkg, "sample_input.tif"),
            "data": {"type": "float32"},
            "preprocessing": [
                {"id": "ensure_dtype", "kwargs": {"dtype": "float32"}},
                {"id": "scale_range", "kwargs": {"axes": ["x", "y"], "min_percentile": 1.0,
                                                 "max_percentile": 99.8, "eps": 1e-6}},
                {"id": "ensure_dtype", "kwargs": {"dtype": "float32"}},
            ],
        }],
        "outputs": [{
            "id": "denoised",
            "description": "denoised image in the normalised intensity scale of the input "
                           "(input 1st percentile -> 0, 99.8th percentile -> 1)",
            "axes": tensor_axes("noisy", ["fluorescence"], halo=halo, ref=True),
            "test_tensor": file_ref(pkg, "test_output.npy"),
            "sample_tensor": file_ref(pkg, "sample_output.tif"),
            "data": {"type": "float32"},
            "postprocessing": [{"id": "ensure_dtype", "kwargs": {"dtype": "float32"}}],
        }],
        "weights": weights_entries(torch, pkg),
        "config": {"jupyterlab_bioimage": {
            "bundled": True,
            "receptive_field_radius": R,
            "validation": _rounded(metrics),
        }},
    }
    write_rdf(pkg, rdf)
    return pkg, metrics


COMMON_README = """
## Network

A small U-Net-like network ({n_params} parameters) **without pooling or striding**:
a detail branch (two 3x3 convolutions) and a context branch (dilated 3x3
convolutions) are merged by concatenation, as in a U-Net skip connection, then a
3x3 and a 1x1 convolution give the output. The input is padded by the
receptive-field radius R = {R} px inside the graph (symmetric padding: mirrored
with the edge pixel repeated, numpy `mode="symmetric"`) and all convolutions are
"valid", so the output has the input's size and the network is exactly
translation-equivariant.

* Input size: any y, x >= {min} of the form {min} + n*{step} (the network itself
  accepts any size >= R; the restriction only keeps tiles reasonable). Batch size is free.
* Weights: ONNX (opset {opset}), exported from PyTorch with dynamic batch and
  spatial axes; runs in onnxruntime (Python) and onnxruntime-web. TorchScript
  (`weights.torchscript.pt`, PyTorch {torch_version}) converted from the ONNX
  weights (same outputs within 1e-4), for fine-tuning in the kernel
  (`jupyterlab_bioimage.finetune`).
* Tiling: every output pixel depends only on input pixels within R = {R} px. The
  output `halo` is {halo} px (>= R), so tiled prediction with this halo equals
  untiled prediction (checked numerically in `tests/test_bundled_models.py`, also
  with `bioimageio.core` tiling), whatever the tile offsets: since there is no
  pooling, tiles need not start at multiples of a stride. At the image border a
  tiler should pad the halo symmetrically (bioimageio.core's default) to get
  exactly the whole-image result there too.
* Normalisation statistics must come from the whole image, not per tile, and not
  from a halo-padded image (bioimageio.core 0.11 `predict()` without tiling pads
  by the halo *before* computing the statistics, which shifts the result
  slightly; its tiled path and `test_model` do not).

## Reproduce

Everything here (weights, test tensors, README, metrics) is generated by
`scripts/train_bundled_models.py` in the jupyterlab-bioimage repository
(`make models`), deterministically from fixed seeds (single-threaded torch; re-runs
on the same platform give identical files); {steps} Adam steps on random
crops (with flips and 90-degree rotations) from {pool} synthetic 256x256 images, CPU only.
"""

SYNTH_DATA = """Synthetic only (`scripts/synth_microscopy.py`). Each 256x256 image has
nuclei drawn as filled ellipses (semi-axes 4-12 px, aspect 0.55-1, random
orientation, ~1 px soft edge, per-nucleus brightness over a ~10x range, smooth
internal texture; neighbours may touch or overlap slightly), a few dim blurred
unlabelled blobs (out-of-focus material), and an uneven background (gradient +
smooth random field). The expected photon counts (brightest nucleus 25-600
photons, i.e. low to moderate SNR) get Poisson shot noise, then a camera model
`offset (100-500) + gain (1-8) * counts + Gaussian read noise (1.5-6 ADU)`,
rounded and clipped to uint16 (typical values 100-6000)."""

SEG_README = """# Bioimage Nuclei Segmentation 2D (`bioimage-nuclei-seg`)

Bundled default model of jupyterlab-bioimage. Segments nuclei in single-channel
2D fluorescence images (e.g. DAPI/Hoechst) and predicts, per pixel,

* channel 0 `foreground`: probability of belonging to a nucleus,
* channel 1 `boundary`: probability of being on the (1 px inner) outline of a nucleus.

The network outputs logits; the `sigmoid` is applied as **postprocessing** in the
description (not inside the ONNX graph). Input preprocessing:
`zero_mean_unit_variance` per image over (y, x).

## Intended use

Quick, offline, in-browser nuclei segmentation for demos, tutorials and tests,
and as a baseline for sparse to moderately dense, roughly elliptical nuclei of
about 8-24 px diameter. Instance labels are derived from the two channels:

1. seeds = connected components of `(foreground > 0.5) & (boundary < 0.5)`;
2. every pixel with `foreground > 0.5` gets the label of the nearest seed;
3. instances smaller than 12 px are dropped.

(`instances_from_prediction` in `scripts/synth_microscopy.py` implements exactly this.)

## Training data

{SYNTH}

Targets: foreground = any nucleus; boundary = 1 px inner outline of every
instance (also between touching nuclei). Loss: binary cross-entropy (boundary
weighted x3) + soft Dice on the foreground.

## Limitations

* Trained on synthetic data only: it has never seen real microscopy. Expect
  errors on real images with very different appearance (dense clusters, strongly
  textured or irregular/fragmented nuclei, mitoses, bright debris, very large
  nuclei > ~30 px diameter, other pixel sizes - rescale such images first).
* Small receptive field ({R} px radius): it cannot use context beyond ~{R} px.
* Not for diagnostic or clinical use. Not a replacement for StarDist/Cellpose
  style models trained on real annotated data.
""" + COMMON_README + """
# Validation

Held-out synthetic images (different random seed from training; {n_images}
images of 256x256, {n_gt_nuclei} nuclei), thresholds 0.5, whole images (untiled):

| metric | value |
| --- | --- |
| foreground IoU (pixel) | {foreground_iou:.3f} |
| boundary F1 (pixel) | {boundary_f1_pixel:.3f} |
| instance F1 at IoU 0.5 | {instance_f1_iou50:.3f} |
| instance precision at IoU 0.5 | {instance_precision_iou50:.3f} |
| instance recall at IoU 0.5 | {instance_recall_iou50:.3f} |
| mean IoU of matched instances | {matched_mean_iou:.3f} |

The package's test tensors are reproduced by onnxruntime within 1e-3 and the
package passes `bioimageio.core.test_model`.
"""

DEN_README = """# Bioimage Denoise 2D (`bioimage-denoise`)

Bundled default model of jupyterlab-bioimage. Removes Poisson-Gaussian camera
noise from single-channel 2D fluorescence images (noisy -> clean, 1 channel in
and out). The network is residual (output = input + correction).

Input preprocessing: `scale_range` per image over (y, x) with percentiles 1 and
99.8 (the 1st percentile maps to 0, the 99.8th to 1; not clipped).
**The output is in that same normalised scale** (no postprocessing back to the
raw intensities): multiply by (p99.8 - p1) of the input and add p1 to get raw units.

## Intended use

Quick, offline, in-browser denoising of fluorescence images for demos,
tutorials and tests; a preview of what content-aware restoration does. Works
best on images that resemble the training data: bright compact structures
(nuclei) on a dim, uneven background at low to moderate SNR.

## Training data

{SYNTH}

Pairs: input = noisy image, target = the expected (noise-free) image, both
normalised with the percentiles of the noisy image. Loss: L1 + MSE.

## Limitations

* Trained on synthetic data only. Real noise (sCMOS pixel-dependent noise,
  structured noise, stripes, bleed-through) and fine structures not in the
  training data (filaments, membranes, puncta) may be smoothed away or
  hallucinated. Do not use denoised images for quantitative intensity
  measurements without checking against the raw data.
* Small receptive field ({R} px radius).
* Not for diagnostic or clinical use.
""" + COMMON_README + """
# Validation

Held-out synthetic images (different random seed from training; {n_images}
images of 256x256). PSNR in the normalised scale (data range 1) against the
noise-free image, mean over images, whole images (untiled):

| metric | value |
| --- | --- |
| PSNR noisy input | {psnr_noisy_db:.2f} dB |
| PSNR denoised output | {psnr_denoised_db:.2f} dB |
| mean PSNR gain | {psnr_gain_db:.2f} dB |
| worst image: noisy / denoised | {psnr_noisy_min_db:.2f} dB / {psnr_denoised_min_db:.2f} dB |

The package's test tensors are reproduced by onnxruntime within 1e-3 and the
package passes `bioimageio.core.test_model`.
"""


def write_examples(examples: Path):
    """Small sample images for the tutorial / offline use."""
    import tifffile  # noqa: F401

    examples.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(4242)
    nuc = sm.synth_image(rng, (EXAMPLE_SIZE, EXAMPLE_SIZE), photons=(300.0, 301.0))
    write_tif(examples / "nuclei_synthetic.tif", nuc.noisy.astype(np.uint16))
    write_tif(examples / "nuclei_synthetic_mask.tif", nuc.labels.astype(np.uint16))
    noisy = sm.synth_image(rng, (EXAMPLE_SIZE, EXAMPLE_SIZE), photons=(40.0, 41.0))
    write_tif(examples / "noisy_synthetic.tif", noisy.noisy.astype(np.uint16))
    write_tif(examples / "noisy_synthetic_clean.tif",
              np.clip(np.round(noisy.clean), 0, 65535).astype(np.uint16))
    (examples / "README.md").write_text(
        "# Synthetic sample images\n\n"
        "Generated by `scripts/train_bundled_models.py` (seed 4242) with the same\n"
        "synthetic image model as the training data of the bundled models\n"
        "(`scripts/synth_microscopy.py`). All 256x256, uint16, single page TIFF.\n\n"
        "| file | content |\n| --- | --- |\n"
        f"| `nuclei_synthetic.tif` | fluorescent nuclei, moderate SNR ({int(nuc.labels.max())} nuclei) |\n"
        "| `nuclei_synthetic_mask.tif` | ground-truth instance labels for it (0 = background) |\n"
        "| `noisy_synthetic.tif` | low-SNR nuclei image for denoising |\n"
        "| `noisy_synthetic_clean.tif` | its noise-free expected image (same ADU scale, rounded) |\n\n"
        "License: BSD-3-Clause (jupyterlab-bioimage contributors).\n"
    )
    for p in sorted(examples.glob("*.tif")):
        log(f"  {p.relative_to(ROOT) if p.is_relative_to(ROOT) else p}: {p.stat().st_size / 1024:.0f} KiB")


def write_index(out: Path, pkgs):
    import yaml

    models = []
    for pkg in pkgs:
        rdf = yaml.safe_load((pkg / "rdf.yaml").read_text())
        models.append({
            "id": rdf["id"],
            "name": rdf["name"],
            "description": rdf["description"],
            "version": rdf["version"],
            "format_version": rdf["format_version"],
            "license": rdf["license"],
            "tags": rdf["tags"],
            "rdf": f"{pkg.name}/rdf.yaml",
            "rdf_sha256": sha256(pkg / "rdf.yaml"),
            "covers": [f"{pkg.name}/{c}" for c in rdf["covers"]],
            "documentation": f"{pkg.name}/{rdf['documentation']}",
            "weights": {fmt: f"{pkg.name}/{entry['source']}"
                        for fmt, entry in rdf["weights"].items()},
            "files": sorted(str(p.relative_to(out)) for p in pkg.rglob("*") if p.is_file()),
            "size_bytes": package_size(pkg),
        })
    index = {
        "description": "Bundled default bioimage.io models of jupyterlab-bioimage "
                       "(generated by scripts/train_bundled_models.py)",
        "models": models,
    }
    (out / "index.json").write_text(json.dumps(index, indent=2) + "\n")


def add_torchscript(torch, nn, F, out: Path, args, held_out):
    """``--torchscript-only``: TorchScript weights for the packages in ``out``,
    converted from their ONNX weights; no training, weights/tensors/covers untouched.

    The README is rewritten from its template with the validation metrics
    recomputed from the shipped ONNX weights (they must equal the ones in the
    description, else the package is not what this script made); rdf.yaml is
    rewritten with the new weights entry only (checked: re-writing the old
    description unchanged reproduces it byte for byte).
    """
    import yaml

    pkgs = []
    for pkg_id, arch, template, steps, metrics_fn in (
        (SEG_ID, SEG_NET, SEG_README, args.seg_steps, seg_metrics),
        (DEN_ID, DEN_NET, DEN_README, args.den_steps, den_metrics),
    ):
        log(f"== {pkg_id} (torchscript only)")
        pkg = out / pkg_id
        old_text = (pkg / "rdf.yaml").read_text()
        rdf = yaml.safe_load(old_text)
        assert rdf_text(rdf) == old_text, "rdf.yaml does not round-trip; refusing to rewrite it"
        net = torchscript_from_onnx(torch, nn, F, arch, pkg)
        metrics = metrics_fn(ort_session(pkg / "weights.onnx"), held_out)
        expected = rdf["config"]["jupyterlab_bioimage"]["validation"]
        assert _rounded(metrics) == expected, (metrics, expected)
        halo = rdf["outputs"][0]["axes"][2]["halo"]
        write_readme(pkg, template, torch, net, halo, steps, args, metrics)
        rdf["weights"] = weights_entries(torch, pkg)
        write_rdf(pkg, rdf)
        pkgs.append(pkg)
    write_index(out, pkgs)
    return pkgs


def main(argv=None):
    if argv is None and os.environ.get("PYTHONHASHSEED") != "0":
        # TorchScript writes module constants in set order, which depends on the
        # string hash seed: fix it, so that weights.torchscript.pt is reproducible.
        os.execve(sys.executable, [sys.executable, *sys.argv],
                  {**os.environ, "PYTHONHASHSEED": "0"})
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--out", type=Path, default=ROOT / "jupyterlab_bioimage" / "zoo")
    ap.add_argument("--examples", type=Path, default=ROOT / "examples" / "data")
    ap.add_argument("--pool", type=int, default=48, help="synthetic training images per model")
    ap.add_argument("--seg-steps", type=int, default=600)
    ap.add_argument("--den-steps", type=int, default=500)
    ap.add_argument("--n-val", type=int, default=16, help="held-out validation images")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads (1 is fastest for these tiny nets and deterministic)")
    ap.add_argument("--torchscript-only", action="store_true",
                    help="train nothing: add TorchScript weights converted from the ONNX "
                         "weights of the packages in --out")
    args = ap.parse_args(argv)

    t_start = time.time()
    import torch
    import torch.nn as nn
    import torch.nn.functional as F

    torch.set_num_threads(args.threads)
    torch.use_deterministic_algorithms(True)
    torch.manual_seed(0)
    log(f"torch {torch.__version__}, {args.threads} threads")

    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    held_out = make_pool(9009, args.n_val)
    test_rng = np.random.default_rng(7007)
    seg_test = sm.synth_image(test_rng, (TEST_SIZE, TEST_SIZE), photons=(200.0, 400.0))
    den_test = sm.synth_image(test_rng, (TEST_SIZE, TEST_SIZE), photons=(40.0, 60.0))

    if args.torchscript_only:
        for pkg in add_torchscript(torch, nn, F, out, args, held_out):
            log(f"  {pkg.name}: {package_size(pkg) / 1024:.0f} KiB total")
            assert package_size(pkg) < 2 * 1024 * 1024, pkg
        return

    timings: dict[str, float] = {}
    seg_pkg, seg_m = build_seg_package(torch, nn, F, out, args, held_out, seg_test, timings)
    den_pkg, den_m = build_den_package(torch, nn, F, out, args, held_out, den_test, timings)
    write_index(out, [seg_pkg, den_pkg])

    log("== examples")
    write_examples(args.examples.resolve())

    log("== summary")
    for pkg in (seg_pkg, den_pkg):
        log(f"  {pkg.name}: {package_size(pkg) / 1024:.0f} KiB total, weights "
            f"{(pkg / 'weights.onnx').stat().st_size / 1024:.0f} KiB onnx / "
            f"{(pkg / 'weights.torchscript.pt').stat().st_size / 1024:.0f} KiB torchscript, "
            f"training {timings[pkg.name]:.0f}s")
        assert package_size(pkg) < 2 * 1024 * 1024, pkg
    log(f"  {SEG_ID}: foreground IoU {seg_m['foreground_iou']:.3f}, instance F1@0.5 "
        f"{seg_m['instance_f1_iou50']:.3f}")
    log(f"  {DEN_ID}: PSNR {den_m['psnr_noisy_db']:.2f} -> {den_m['psnr_denoised_db']:.2f} dB")
    log(f"  total {time.time() - t_start:.0f}s")


if __name__ == "__main__":
    main()
