"""The Python package's layout: server and kernel apart, no import circles, and every name
the generated notebook cells use still importable where they import it from.

The generated cells do ``from jupyterlab_bioimage import analysis as bia, show`` and
``from jupyterlab_bioimage import finetune``; notebooks saved from them must keep working
whatever the package's internal layout, so the names are collected from the generators
(``src/notebook/*.ts``) and the example notebooks as well as listed here.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECK = ROOT / "scripts" / "check_python_imports.py"

#: ``bia.<name>`` used by the generators and notebooks today (a floor: more are found below).
FACADE_NAMES = {
    "apply_processing", "apply_step", "batch_predict_dask", "compute_metrics",
    "core_block_shape", "core_predict_whole", "fetch_model", "image_plane", "image_to_input",
    "instances", "load_image", "output_plane", "pipeline_spec", "print_metrics", "rescale_yx",
    "sample_output", "select_planes", "sha256_of", "software_versions", "tiled_predict_onnx",
    "yx_size", "provenance_json", "plan_axis", "run_pipeline", "cache_dir", "ModelFiles",
}
FINETUNE_NAMES = {"fine_tune", "print_report", "load_base_model", "split_units",
                  "WEIGHTS_FILE", "REPORT_FILE"}


def _run_check(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(CHECK), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def test_import_check_passes() -> None:
    run = _run_check()
    assert run.returncode == 0, run.stdout + run.stderr
    assert "no circles" in run.stdout


def _write(root: Path, files: dict[str, str]) -> Path:
    pkg = root / "jupyterlab_bioimage"
    for name, text in files.items():
        path = pkg / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return pkg


def test_import_check_reports_circles_and_crossings(tmp_path: Path) -> None:
    """The check itself: a circle made inside a function, kernel -> server, server -> kernel."""
    pkg = _write(tmp_path, {
        "__init__.py": "",
        "layout.py": "",
        "kernel/__init__.py": "",
        "kernel/a.py": "from . import b\n",
        "kernel/b.py": "def f():\n    from .a import x\n",
        "kernel/c.py": "from ..server import handlers\nimport tornado\n",
        "server/__init__.py": "",
        "server/handlers.py": "def g():\n    import jupyterlab_bioimage.kernel.a\n",
    })
    run = _run_check("--package-dir", str(pkg))
    assert run.returncode == 1, run.stdout + run.stderr
    err = run.stderr
    assert "import circle: jupyterlab_bioimage.kernel.a -> jupyterlab_bioimage.kernel.b -> " \
           "jupyterlab_bioimage.kernel.a" in err
    assert "(in a function)" in err
    assert "(b) kernel imports server" in err and "kernel/c.py:1" in err
    assert "server library tornado" in err
    assert "(c) server imports kernel" in err and "server/handlers.py:2" in err


def test_import_check_reports_a_way_round_through_the_facade(tmp_path: Path) -> None:
    pkg = _write(tmp_path, {
        "__init__.py": "",
        "layout.py": "",
        "analysis.py": "from .server import cache\n",
        "kernel/__init__.py": "",
        "kernel/models.py": "from .. import analysis\nfrom .. import layout\n",
        "server/__init__.py": "",
        "server/cache.py": "",
    })
    run = _run_check("--package-dir", str(pkg))
    assert run.returncode == 1
    assert "(d) kernel/ may import only kernel/" in run.stderr
    assert "kernel/models.py:1" in run.stderr and "kernel/models.py:2" not in run.stderr


def _used_names(pattern: str, texts: list[str]) -> set[str]:
    return {m for text in texts for m in re.findall(pattern, text)}


def _sources() -> list[str]:
    generators = sorted((ROOT / "src" / "notebook").glob("*.ts"))
    texts = [p.read_text(encoding="utf-8") for p in generators]
    for nb in sorted((ROOT / "examples").glob("*.ipynb")):
        cells = json.loads(nb.read_text(encoding="utf-8"))["cells"]
        texts.extend("".join(c["source"]) for c in cells if c["cell_type"] == "code")
    return texts


def test_generated_cells_names_are_importable() -> None:
    from jupyterlab_bioimage import analysis as bia, finetune, show

    texts = _sources()
    facade = FACADE_NAMES | _used_names(r"\bbia\.([A-Za-z_]\w*)", texts)
    missing = sorted(n for n in facade if not hasattr(bia, n))
    assert not missing, f"jupyterlab_bioimage.analysis lacks {missing}"
    assert set(bia.__all__) >= FACADE_NAMES

    tuning = FINETUNE_NAMES | _used_names(r"\bfinetune\.([A-Za-z_]\w*)\(", texts)
    missing = sorted(n for n in tuning if not hasattr(finetune, n))
    assert not missing, f"jupyterlab_bioimage.finetune lacks {missing}"

    assert callable(show) and show.__module__ == "jupyterlab_bioimage.kernel.show"


@pytest.mark.parametrize("module", [
    "jupyterlab_bioimage.analysis", "jupyterlab_bioimage.batch", "jupyterlab_bioimage.finetune",
    "jupyterlab_bioimage.show", "jupyterlab_bioimage.cache", "jupyterlab_bioimage.config",
    "jupyterlab_bioimage.handlers", "jupyterlab_bioimage.cache_handlers",
])
def test_former_module_paths_still_import(module: str) -> None:
    code = (f"import {module}, jupyterlab_bioimage as j; "
            "from jupyterlab_bioimage import show; assert callable(show) and callable(j.show)")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stderr


def test_kernel_side_does_not_load_the_server() -> None:
    """What the generated cells import pulls in neither tornado nor the server modules."""
    code = ("import sys; from jupyterlab_bioimage import analysis, finetune, show; "
            "bad = [m for m in sys.modules if m.split('.')[0] in ('tornado', 'jupyter_server') "
            "or m.startswith('jupyterlab_bioimage.server')]; print(bad); assert not bad")
    run = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 0, run.stdout + run.stderr


def test_one_cache_layout_and_one_hash() -> None:
    """Server cache and kernel agree on where a file of a given sha256 lives."""
    from jupyterlab_bioimage import analysis, layout
    from jupyterlab_bioimage.server.cache import ModelCache

    assert analysis.sha256_of is layout.sha256_of
    digest = "ab" * 32
    cache = ModelCache.__new__(ModelCache)  # no directory needed for path arithmetic
    cache.root = Path("/cache")
    assert cache.path_for(f"sha256-{digest}") == layout.by_sha256("/cache", digest)
