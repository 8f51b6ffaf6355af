"""One processing corpus, three implementations (``processing.v1.json``).

* the committed JSON is exactly what ``make_processing_cases.py`` writes with the
  installed bioimageio.core (so the corpus cannot drift silently);
* every case through ``jupyterlab_bioimage.kernel.processing`` (what the generated
  cells and the batch run call) and through bioimageio.core itself;
* the NumPy lines the notebook generator writes for each case
  (``src/notebook/codegen/processing.ts``, exported by the jest spec
  ``conformance.node.spec.ts`` into ``tests/generated/conformance-codegen.json``),
  executed here with the names the cells define (``raw``, ``RAW_TENSORS``, ``TENSOR_ID``);
  skipped when jest has not run.

Tolerance: |actual - expected| <= atol + rtol * |expected| with rtol = 1e-6 and an
absolute floor atol = 1e-6 (for values near 0); integer and bool results exactly.
Dtypes exactly where the spec fixes them (cases ending in ensure_dtype or binarize).
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Any, Dict

import numpy as np
import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
sys.path.insert(0, str(HERE))

from corpus import array_sha256, decode, materialize  # noqa: E402

CORPUS = json.loads((HERE / "processing.v1.json").read_text())
CASES = CORPUS["cases"]
RTOL = CORPUS["tolerance"]["rtol"]
ATOL = CORPUS["tolerance"]["atol"]
CODEGEN = ROOT / "tests" / "generated" / "conformance-codegen.json"
IDS = [c["name"] for c in CASES]


def _arrays(case: Dict[str, Any]) -> Dict[str, np.ndarray]:
    return {k: materialize(v) for k, v in case["tensors"].items()}


def assert_conforms(actual: Any, case: Dict[str, Any], what: str) -> None:
    expected = decode(case["expected"])
    actual = np.asarray(actual)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    if case["exact_dtype"]:
        assert actual.dtype == expected.dtype, f"{what}: dtype {actual.dtype} != {expected.dtype}"
    if expected.dtype.kind in "biu" and actual.dtype.kind in "biu":
        bad = actual != expected
        assert not bad.any(), f"{what}: {int(bad.sum())} values differ (exact)"
        return
    a, e = actual.astype(np.float64), expected.astype(np.float64)
    diff = np.abs(a - e)
    bad = ~(diff <= ATOL + RTOL * np.abs(e))
    assert not bad.any(), (
        f"{what}: {int(bad.sum())}/{e.size} values beyond atol {ATOL} + rtol {RTOL}; "
        f"max |diff| {np.nanmax(diff):.3g}"
    )


def test_corpus_is_what_the_generator_writes() -> None:
    pytest.importorskip("bioimageio.core")
    import make_processing_cases as gen

    text = (HERE / "processing.v1.json").read_text()
    assert text == gen.dumps(gen.build()), (
        "processing.v1.json differs from what make_processing_cases.py produces with the "
        "installed bioimageio.core: rerun `python tests/conformance/make_processing_cases.py` "
        "and review the diff"
    )


def test_corpus_shape() -> None:
    assert CORPUS["version"] == 1
    assert len(CASES) >= 60
    ops = {c["op"] for c in CASES}
    assert ops >= {
        "binarize", "clip", "scale_linear", "sigmoid", "softmax", "zero_mean_unit_variance",
        "fixed_zero_mean_unit_variance", "scale_range", "scale_mean_variance", "ensure_dtype",
    }
    assert {c["format"] for c in CASES} == {"0.4", "0.5"}
    for c in CASES:
        assert c["expected_from"] == "core" or c.get("note"), c["name"]


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_inputs_materialize_identically(case: Dict[str, Any]) -> None:
    for tid, arr in _arrays(case).items():
        assert array_sha256(arr) == case["tensors"][tid]["sha256"], tid


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_kernel(case: Dict[str, Any]) -> None:
    from jupyterlab_bioimage.kernel.processing import apply_processing

    arrays = _arrays(case)
    x = arrays[case["target"]]
    before = x.copy()
    out = apply_processing(x, case["steps"], case["axes"], references=arrays,
                           tensor_id=case["target"])
    assert_conforms(out, case, "kernel apply_processing")
    np.testing.assert_array_equal(x, before)  # the input is not modified


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_kernel_apply_step_via_analysis(case: Dict[str, Any]) -> None:
    """Step by step through ``bia.apply_step``, as the generated cells' fallback line calls it."""
    from jupyterlab_bioimage import analysis as bia
    from jupyterlab_bioimage.kernel.processing import normalize_step

    arrays = _arrays(case)
    raw = arrays[case["target"]]
    x = raw
    for step in case["steps"]:
        op, kw = normalize_step(step, case["axes"])
        x = bia.apply_step(x, op, kw, axes=case["axes"], reference=raw, references=arrays,
                           tensor_id=case["target"])
    assert_conforms(x, case, "bia.apply_step")


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_bioimageio_core(case: Dict[str, Any]) -> None:
    pytest.importorskip("bioimageio.core")
    from corpus import run_core

    warnings.simplefilter("ignore")
    arrays = _arrays(case)
    if case["core"] == "agrees":
        assert_conforms(run_core(case, arrays), case, "bioimageio.core")
        return
    # A documented deviation of core (see the case's note): check it is still there, so
    # the case is revisited when core changes.
    try:
        out = run_core(case, arrays)
    except Exception:
        assert case["core"] == "raises", f"core raised, but the case says {case['core']!r}"
        return
    if case["core"] == "raises":
        pytest.fail(f"core no longer raises: {case['note']}")
    with pytest.raises(AssertionError):
        assert_conforms(out, case, "bioimageio.core")


def _codegen() -> Dict[str, Any]:
    if not CODEGEN.exists():
        pytest.skip(f"{CODEGEN.relative_to(ROOT)} missing: run the jest conformance spec first")
    return json.loads(CODEGEN.read_text())


@pytest.mark.parametrize("case", CASES, ids=IDS)
def test_generated_numpy_cells(case: Dict[str, Any]) -> None:
    """The lines ``processingLines`` writes into the "numpy" notebook, run as the cell does
    (``raw`` is the tensor's stage input, ``bia`` the analysis facade)."""
    gen = _codegen()
    entry = gen["cases"].get(case["name"])
    assert entry is not None, "jest wrote no lines for this case"
    if entry.get("error"):
        pytest.fail(f"the notebook generator refused the case: {entry['error']}")
    from jupyterlab_bioimage import analysis as bia

    arrays = _arrays(case)
    raw = arrays[case["target"]]
    # As the cells define them: the stage's raw tensors by id, and this tensor's id.
    ns: Dict[str, Any] = {"np": np, "bia": bia, "raw": raw, "x": raw,
                          "RAW_TENSORS": arrays, "TENSOR_ID": case["target"]}
    code = "\n".join(entry["lines"])
    exec(compile(code, f"<cells for {case['name']}>", "exec"), ns)  # noqa: S102
    assert_conforms(ns["x"], case, "generated numpy cells")
