"""Provenance of the kernel's results: the run's provenance plus the software versions.

Written into every result file (Zarr attributes, TIFF description, fine-tuning report) so a
result says which model, settings and package versions produced it.
"""

from __future__ import annotations

import json
from typing import Any, Mapping


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
