"""``jupyterlab_bioimage.batch``: kept at this path for notebooks and tests that import it.

The code is :mod:`jupyterlab_bioimage.kernel.batch`; the generated cells reach it as
``bia.pipeline_spec`` / ``bia.batch_predict_dask`` (:mod:`jupyterlab_bioimage.analysis`).
"""

from .kernel.batch import (
    IMAGE_SUFFIXES,
    batch_predict_dask,
    pipeline_spec,
    predict_file,
    predict_volume_dask,
    run_pipeline,
)

__all__ = [
    "IMAGE_SUFFIXES", "batch_predict_dask", "pipeline_spec", "predict_file",
    "predict_volume_dask", "run_pipeline",
]
