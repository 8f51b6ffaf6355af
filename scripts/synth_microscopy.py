"""Synthetic 2D fluorescence-microscopy-like images (numpy + scipy only).

Used by ``scripts/train_bundled_models.py`` to train the bundled default zoo and
by ``tests/test_bundled_models.py`` to make fresh test images, so it must not
import torch.

Image formation model (all random choices drawn from the given ``numpy``
``Generator``, so a fixed seed gives identical images):

* nuclei: filled ellipses (semi-axes 4-12 px, aspect 0.55-1, random
  orientation), soft ~1 px edges, per-nucleus brightness over a ~10x range and
  a smooth internal texture; neighbours may touch or overlap slightly (the
  later-drawn nucleus wins in the label image);
* distractors: a few dim, blurred, unlabelled blobs (out-of-focus material);
* background: a dim, uneven illumination field (linear gradient + smooth
  random field);
* camera: Poisson shot noise on the expected photon counts, then
  ``offset + gain * counts + N(0, read_noise)``, rounded and clipped to the
  uint16 range (typical values ~100-6000 ADU).

``clean`` is the expected (noise-free) image in the same ADU units.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import ndimage as ndi


@dataclass
class SynthImage:
    noisy: np.ndarray  # float32 (H, W), uint16-valued ADU
    clean: np.ndarray  # float32 (H, W), expected ADU without noise
    labels: np.ndarray  # uint16 (H, W), instance labels (0 = background)


def _smooth_field(rng: np.random.Generator, shape, sigma: float) -> np.ndarray:
    f = ndi.gaussian_filter(rng.standard_normal(shape), sigma, mode="reflect")
    return f / (f.std() + 1e-12)


def synth_image(
    rng: np.random.Generator,
    shape=(256, 256),
    density: tuple[float, float] = (1 / 2200, 1 / 800),
    photons: tuple[float, float] = (25.0, 600.0),
) -> SynthImage:
    """Draw one synthetic nuclei image.

    ``density`` is the range of nuclei per pixel, ``photons`` the range of the
    brightest-nucleus peak photon count (sets the signal-to-noise ratio).
    """
    H, W = shape
    labels = np.zeros((H, W), np.uint16)
    signal = np.zeros((H, W), np.float64)

    peak_photons = rng.uniform(*photons)
    n_target = int(rng.uniform(*density) * H * W)
    placed: list[tuple[float, float, float]] = []
    attempts = 0
    k = 0
    while len(placed) < n_target and attempts < 40 * max(n_target, 1):
        attempts += 1
        a = rng.uniform(4.0, 12.0)
        b = a * rng.uniform(0.55, 1.0)
        cy = rng.uniform(-3, H + 3)
        cx = rng.uniform(-3, W + 3)
        # allow touching / slight overlap, but no heavy overlap
        if any(np.hypot(cy - py, cx - px) < 0.8 * (a + pa) for py, px, pa in placed):
            continue
        placed.append((cy, cx, a))
        k += 1
        theta = rng.uniform(0, np.pi)
        r = int(np.ceil(a + 3))
        y0, y1 = max(int(cy) - r, 0), min(int(cy) + r + 1, H)
        x0, x1 = max(int(cx) - r, 0), min(int(cx) + r + 1, W)
        if y0 >= y1 or x0 >= x1:
            continue
        yy, xx = np.mgrid[y0:y1, x0:x1]
        dy, dx = yy - cy, xx - cx
        u = (dx * np.cos(theta) + dy * np.sin(theta)) / a
        v = (-dx * np.sin(theta) + dy * np.cos(theta)) / b
        d = np.sqrt(u * u + v * v)  # 1 on the ellipse outline
        inside = d <= 1.0
        labels[y0:y1, x0:x1][inside] = k
        # soft edge of about one pixel
        edge = 1.0 / (1.0 + np.exp(-(1.0 - d) * b / 0.6))
        bright = peak_photons * rng.uniform(0.12, 1.0)
        texture = 1.0 + 0.18 * _smooth_field(rng, d.shape, 1.5)
        blob = bright * edge * np.clip(texture, 0.5, 1.5) * (1.0 - 0.25 * d.clip(0, 1) ** 2)
        signal[y0:y1, x0:x1] = np.maximum(signal[y0:y1, x0:x1], blob)

    # dim out-of-focus distractors (not labelled)
    for _ in range(int(rng.integers(0, 5))):
        img = np.zeros((H, W))
        img[int(rng.integers(0, H)), int(rng.integers(0, W))] = 1.0
        img = ndi.gaussian_filter(img, rng.uniform(5, 10))
        signal += img / img.max() * peak_photons * rng.uniform(0.03, 0.12)

    # uneven background illumination
    yy, xx = np.mgrid[0:H, 0:W] / max(H, W)
    gy, gx = rng.uniform(-0.5, 0.5, size=2)
    bg_level = peak_photons * rng.uniform(0.03, 0.15) + rng.uniform(2, 8)
    illum = 1.0 + gy * (yy - 0.5) + gx * (xx - 0.5) + 0.2 * _smooth_field(rng, (H, W), 40)
    illum = np.clip(illum, 0.3, None)
    expected = bg_level * illum + signal * (0.85 + 0.15 * illum)

    offset = rng.uniform(100, 500)
    gain = rng.uniform(1.0, 8.0)
    read_noise = rng.uniform(1.5, 6.0)
    counts = rng.poisson(expected)
    noisy = offset + gain * counts + rng.normal(0, read_noise, size=(H, W))
    noisy = np.clip(np.round(noisy), 0, 65535)
    clean = offset + gain * expected
    return SynthImage(noisy.astype(np.float32), clean.astype(np.float32), labels)


def instance_boundaries(labels: np.ndarray) -> np.ndarray:
    """Inner boundary pixels (1 px) of every instance: a labelled pixel with a
    differently labelled (or background) pixel in its 3x3 neighbourhood."""
    mx = ndi.maximum_filter(labels, size=3, mode="nearest")
    mn = ndi.minimum_filter(labels, size=3, mode="nearest")
    return (labels > 0) & ((mx != labels) | (mn != labels))


def instances_from_prediction(
    foreground: np.ndarray,
    boundary: np.ndarray,
    fg_threshold: float = 0.5,
    boundary_threshold: float = 0.5,
    min_size: int = 12,
) -> np.ndarray:
    """Instance labels from foreground and boundary probabilities.

    seeds = connected components of (foreground > t_fg) & (boundary < t_b);
    every foreground pixel then takes the label of the nearest seed, and
    instances smaller than ``min_size`` pixels are dropped.
    """
    mask = foreground > fg_threshold
    seeds = mask & (boundary < boundary_threshold)
    seeds, n = ndi.label(seeds)
    if n == 0:
        return np.zeros(foreground.shape, np.uint16)
    sizes = np.bincount(seeds.ravel())
    small = sizes < max(min_size // 3, 1)
    small[0] = False
    seeds[small[seeds]] = 0
    if seeds.max() == 0:
        return np.zeros(foreground.shape, np.uint16)
    _, (iy, ix) = ndi.distance_transform_edt(seeds == 0, return_indices=True)
    lab = np.where(mask, seeds[iy, ix], 0)
    sizes = np.bincount(lab.ravel())
    keep = sizes >= min_size
    keep[0] = False
    lab = np.where(keep[lab], lab, 0)
    # relabel consecutively
    uniq = np.unique(lab)
    remap = np.zeros(int(uniq.max()) + 1, np.int64)
    remap[uniq] = np.arange(len(uniq))
    return remap[lab].astype(np.uint16)


def match_instances(gt: np.ndarray, pred: np.ndarray, iou_threshold: float = 0.5):
    """(tp, fp, fn, mean IoU of matched pairs); IoU > 0.5 matches are unique."""
    gt = gt.astype(np.int64)
    pred = pred.astype(np.int64)
    ng, npr = int(gt.max()) + 1, int(pred.max()) + 1
    cont = np.bincount((gt * npr + pred).ravel(), minlength=ng * npr).reshape(ng, npr)
    area_g = cont.sum(1)
    area_p = cont.sum(0)
    inter = cont[1:, 1:].astype(np.float64)
    union = area_g[1:, None] + area_p[None, 1:] - inter
    iou = np.where(union > 0, inter / np.maximum(union, 1), 0.0)
    matched = iou > iou_threshold
    tp = int(matched.sum())
    fp = (npr - 1) - tp
    fn = (ng - 1) - tp
    mean_iou = float(iou[matched].mean()) if tp else 0.0
    return tp, fp, fn, mean_iou


def zero_mean_unit_variance(x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Per-sample normalisation over the last two axes (population std)."""
    x = x.astype(np.float64)
    m = x.mean(axis=(-2, -1), keepdims=True)
    s = x.std(axis=(-2, -1), keepdims=True)
    return ((x - m) / (s + eps)).astype(np.float32)


def scale_range(x: np.ndarray, lo: float = 1.0, hi: float = 99.8, eps: float = 1e-6):
    """Per-sample percentile normalisation over the last two axes (numpy 'linear')."""
    x = x.astype(np.float64)
    p_lo = np.percentile(x, lo, axis=(-2, -1), keepdims=True)
    p_hi = np.percentile(x, hi, axis=(-2, -1), keepdims=True)
    return ((x - p_lo) / (p_hi - p_lo + eps)).astype(np.float32), p_lo, p_hi
