"""``jupyterlab_bioimage.finetune``: the module the generated fine-tuning cell imports.

``from jupyterlab_bioimage import finetune`` then ``finetune.fine_tune(...)`` and
``finetune.print_report(...)``. The code is split by role in
:mod:`jupyterlab_bioimage.kernel.finetune` (training loop, report),
:mod:`~jupyterlab_bioimage.kernel.finetune_model` (base model, freezing, prediction) and
:mod:`~jupyterlab_bioimage.kernel.finetune_data` (arrays, held-out split).
"""

from .kernel.finetune import REPORT_FILE, TASKS, fine_tune, print_report
from .kernel.finetune_data import AXES_2D, Unit, inner_boundaries, split_units
from .kernel.finetune_model import (
    WEIGHTS_FILE,
    BaseModel,
    freeze_early_layers,
    import_torch,
    load_base_model,
    predict,
)

__all__ = [
    "AXES_2D", "BaseModel", "REPORT_FILE", "TASKS", "Unit", "WEIGHTS_FILE", "fine_tune",
    "freeze_early_layers", "import_torch", "inner_boundaries", "load_base_model", "predict",
    "print_report", "split_units",
]
