"""What runs in the notebook kernel: the helpers the generated cells call.

* :mod:`.models`        -- model files pinned by sha256 (bundled zoo, server cache, download);
* :mod:`.images`        -- reading images, planes, image axes -> model axes, resizing;
* :mod:`.processing`    -- bioimage.io pre/postprocessing steps in NumPy;
* :mod:`.tiling`        -- tiled ONNX prediction, the browser's tiling plan;
* :mod:`.core_predict`  -- prediction with bioimageio.core, as the browser runs it;
* :mod:`.labels`        -- instance labels from probabilities;
* :mod:`.metrics`       -- segmentation and restoration metrics;
* :mod:`.provenance`    -- software versions and provenance JSON;
* :mod:`.batch`         -- the pipeline over many images or a volume with Dask;
* :mod:`.finetune_model`, :mod:`.finetune_data`, :mod:`.finetune` -- fine-tuning (PyTorch);
* :mod:`.show`          -- ``show(array)``: an array in the BioImage viewer.

Notebooks use them through :mod:`jupyterlab_bioimage.analysis` (``bia.*``), which re-exports
them all, and ``jupyterlab_bioimage.finetune`` / ``.show``.

Import rule: kernel modules import each other and :mod:`jupyterlab_bioimage.layout` (the
cache layout shared with the server, and the sha256 helper), never ``server/``, tornado or
jupyter_server: the kernel may run where no server does. NumPy, onnxruntime, Dask, torch...
are imported inside functions, because the server extension imports the package (for
``show``) and must stay light. ``scripts/check_python_imports.py`` checks the rule.
This file imports nothing, so importing one kernel module does not load the others.
"""
