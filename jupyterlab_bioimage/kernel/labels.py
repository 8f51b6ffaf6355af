"""Instance labels from a probability map: threshold, split touching objects, drop small ones.

The same three methods the browser offers; scikit-image/SciPy are imported inside.
"""

from __future__ import annotations

from typing import Any


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
