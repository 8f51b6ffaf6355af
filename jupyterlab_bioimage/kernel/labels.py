"""Instance labels from a probability map: threshold, split touching objects, drop small ones.

The same methods as the browser (``src/core/analysis/arrays.ts`` ``instanceLabels`` and
``src/core/metrics/watershed.ts``), giving identical label images; the shared corpus
``tests/conformance/labels.v1.json`` checks both. With F the foreground probability, t the
threshold and "full connectivity" 8 neighbours in 2D (26 in 3D):

* ``none``: the mask F > t as labels 0/1 (no size filter);
* ``connected_components``: the connected components of F > t (full connectivity), numbered
  1, 2, ... in raster order of their first pixel (``skimage.measure.label``);
* ``watershed`` (seeded, one definition in both places):

  1. mask = F > t;
  2. seeds = connected components (full connectivity, raster-order numbering) of
     mask AND B < 0.5, with B the boundary probability (the model's other output channel);
     without a boundary channel: mask AND F > 0.9;
  3. elevation E = B (without a boundary channel: 1 - F), in float64;
  4. flooding: ``skimage.segmentation.watershed(E, seeds, mask=mask, connectivity=ndim)``,
     i.e. a priority flood where a pixel is queued with priority max(E(pixel), priority of
     the pixel it was reached from) and age (seed pixels: age 0, queued in raster order;
     then 1, 2, ...), the queue pops the smallest (priority, age) in skimage's binary heap
     order, and a pixel takes the label of the pixel it was reached from when it is queued;
  5. a connected component of the mask that contains no seed is kept as one object, with
     the next labels in raster order of its first pixel (so no foreground is lost);

* then, for every method but ``none``: objects under ``min_size`` pixels are removed and the
  others renumbered 1...n keeping their order (``skimage.segmentation.relabel_sequential``).

scikit-image/SciPy are imported inside.
"""

from __future__ import annotations

from typing import Any, Optional

#: Boundary threshold of the seeds (B < 0.5) and seed threshold without a boundary map.
BOUNDARY_THRESHOLD = 0.5
SEED_THRESHOLD = 0.9


def seeded_watershed(foreground: Any, boundary: Optional[Any], threshold: float = 0.5) -> Any:
    """Steps 1-5 of the seeded watershed in this module's docstring (int32 labels)."""
    import numpy as np
    from skimage import measure
    from skimage.segmentation import watershed

    fg = np.asarray(foreground)
    mask = fg > threshold
    if boundary is not None:
        bd = np.asarray(boundary)
        if bd.shape != fg.shape:
            raise ValueError(f"boundary {bd.shape} and foreground {fg.shape} differ in shape")
        seed_mask = mask & (bd < BOUNDARY_THRESHOLD)
        elevation = bd.astype(np.float64)
    else:
        seed_mask = mask & (fg > SEED_THRESHOLD)
        elevation = 1.0 - fg.astype(np.float64)
    full = fg.ndim
    seeds = measure.label(seed_mask, connectivity=full).astype(np.int32)
    labels = watershed(elevation, seeds, mask=mask, connectivity=full).astype(np.int32)
    unreached = mask & (labels == 0)
    if unreached.any():
        extra, n = measure.label(unreached, connectivity=full, return_num=True)
        base = int(seeds.max())
        labels[unreached] = (extra[unreached] + base).astype(np.int32)
    return labels


def instances(
    probability: Any,
    threshold: float = 0.5,
    min_size: int = 0,
    method: str = "connected_components",
    boundary: Optional[Any] = None,
) -> Any:
    """Label image from a probability map (see the module docstring for the methods).

    ``boundary``: the boundary probability for ``watershed`` (same shape), or None.
    """
    import numpy as np
    from skimage import measure

    prob = np.asarray(probability)
    mask = prob > threshold
    if method == "none":
        return mask.astype(np.int32)
    if method == "connected_components":
        labels = measure.label(mask, connectivity=mask.ndim).astype(np.int32)
    elif method == "watershed":
        labels = seeded_watershed(prob, boundary, threshold)
    else:
        raise ValueError(f"unknown instance method {method!r}")
    if min_size > 0:
        from skimage.segmentation import relabel_sequential

        counts = np.bincount(labels.ravel())
        small = counts < int(min_size)
        small[0] = False
        labels[small[labels]] = 0
        labels = relabel_sequential(labels)[0].astype(np.int32)
    return labels


def boundary_plane(prediction: Any, axes: Any, channel: int) -> Optional[Any]:
    """The boundary channel for the seeded watershed: the other channel of a two-channel
    output (channel 1 when objects come from channel 0, else 0), as the browser takes it;
    None when the output has fewer than two channels."""
    import numpy as np

    from .images import output_plane

    arr = np.asarray(prediction)
    names = list(axes)
    if "channel" not in names or arr.shape[names.index("channel")] < 2:
        return None
    return output_plane(prediction, axes, 1 if int(channel) == 0 else 0)
