"""Helpers for the notebook cells that jupyterlab-bioimage generates: ``bia.*``.

The generated cells (and the notebooks users saved from them) do
``from jupyterlab_bioimage import analysis as bia`` and call ``bia.fetch_model``,
``bia.load_image``, ``bia.apply_processing``, ``bia.tiled_predict_onnx``, ... This module
is only that facade: the code lives in :mod:`jupyterlab_bioimage.kernel` (one module per
role, see its docstring), and every name is re-exported here so those notebooks keep
working whatever the internal layout. Add a name here whenever a generator starts using it.

It imports the kernel modules (and :mod:`jupyterlab_bioimage.layout`) only; they import
NumPy, onnxruntime, Dask... inside their functions, so importing this stays light.
"""

from __future__ import annotations

from .kernel.batch import batch_predict_dask, pipeline_spec, run_pipeline
from .kernel.core_predict import core_block_shape, core_predict_whole, sample_output
from .kernel.images import (
    LETTER_TO_AXIS,
    image_plane,
    image_to_input,
    load_image,
    output_plane,
    rescale_yx,
    select_planes,
    yx_size,
)
from .kernel.labels import boundary_plane, instances
from .kernel.metrics import (
    compare_with_browser,
    compute_metrics,
    matching,
    methods_markdown,
    print_comparison,
    print_metrics,
)
from .kernel.models import (
    CACHE_DIR_ENV,
    HYPHA_RDF,
    RDF_NAMES,
    ModelFiles,
    cache_dir,
    check_sha256,
    download_file,
    fetch_model,
    find_rdf,
    hypha_rdf_url,
    read_description,
)
from .kernel.processing import apply_processing, apply_step
from .kernel.provenance import provenance_json, software_versions
from .kernel.tiling import fold, plan_axis, tiled_predict_onnx
from .layout import SHA256_RE, sha256_of

__all__ = [
    # model files
    "ModelFiles", "cache_dir", "fetch_model", "sha256_of", "check_sha256", "read_description",
    "find_rdf", "download_file", "hypha_rdf_url", "HYPHA_RDF", "RDF_NAMES", "CACHE_DIR_ENV",
    "SHA256_RE",
    # images and axes
    "load_image", "LETTER_TO_AXIS", "image_to_input", "select_planes", "yx_size", "rescale_yx",
    "image_plane", "output_plane",
    # bioimageio.core glue
    "core_block_shape", "core_predict_whole", "sample_output",
    # processing, tiling
    "apply_step", "apply_processing", "fold", "plan_axis", "tiled_predict_onnx",
    # objects and metrics, provenance
    "instances", "boundary_plane", "compute_metrics", "matching", "print_metrics",
    "compare_with_browser", "print_comparison", "methods_markdown",
    "software_versions", "provenance_json",
    # scale out
    "batch_predict_dask", "pipeline_spec", "run_pipeline",
]

# The former private names of this module, which code outside it used (the fine-tuning and
# batch modules, tests, perhaps notebooks); they are public in the kernel modules now.
_SHA256_RE = SHA256_RE
_RDF_NAMES = RDF_NAMES
_LETTER_TO_AXIS = LETTER_TO_AXIS
_check_sha = check_sha256
_read_yaml = read_description
_find_rdf = find_rdf
_download = download_file
_fold = fold
