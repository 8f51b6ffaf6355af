"""Our validator against the reference, bioimageio.spec, as an oracle.

The corpus (tests/oracle/corpus.py, deterministic) is every fixture
description, seeded mutations of the fixture models and descriptions that
bioimageio.spec writes itself in its newest format; it is generated into a
temporary folder. Each case is judged

* by ours: the same path as ``jupyterlab-bioimage validate`` (package
  opening, description parsing, the CLI's exit-code rule), all cases in one
  Node process (tests/oracle/ours.js over the CLI build in lib-cli/);
* by the reference: ``bioimageio.spec.load_description(path,
  perform_io_checks=False)``, offline.

Only the verdict is compared: valid model / valid but not a model /
invalid. A case where the reference is known to be wrong is judged by the
allow-list (tests/oracle/allow_list.py) instead. The test fails when fewer
than 99% of the cases agree, and prints the agreement and every
disagreement, grouped by class (false accept / false reject / kind).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(os.environ.get("BIOIMAGE_FIXTURES", ROOT.parent / "shared" / "fixtures"))
CLI_MAIN = ROOT / "lib-cli" / "cli" / "main.js"
OURS = ROOT / "tests" / "oracle" / "ours.js"
REQUIRED_AGREEMENT = 0.99
MIN_CASES = 600

pytest.importorskip("bioimageio.spec")
pytest.importorskip("ruyaml")
if not (FIXTURES / "rdf").is_dir():
    pytest.skip(f"fixtures not found at {FIXTURES}", allow_module_level=True)

sys.path.insert(0, str(ROOT))
from tests.oracle.allow_list import allowed_for  # noqa: E402
from tests.oracle.corpus import build_corpus  # noqa: E402
from tests.oracle.reference import verdict as reference_verdict  # noqa: E402


def _ensure_cli_built() -> None:
    """Build lib-cli/ when it is missing or older than the TypeScript sources."""
    newest = max(p.stat().st_mtime for p in (ROOT / "src").rglob("*.ts"))
    if CLI_MAIN.exists() and CLI_MAIN.stat().st_mtime >= newest:
        return
    tsc = ROOT / "node_modules" / ".bin" / "tsc"
    if not tsc.exists():
        pytest.skip("node_modules missing: run `make` (jlpm install) first")
    subprocess.run([str(tsc), "-p", "tsconfig.cli.json"], cwd=ROOT, check=True, timeout=600)


def _ours(paths):
    if shutil.which("node") is None:
        pytest.skip("node is not installed")
    _ensure_cli_built()
    done = subprocess.run(
        ["node", str(OURS)],
        input="".join(f"{p}\n" for p in paths),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=True,
    )
    verdicts = {}
    for line in done.stdout.splitlines():
        v = json.loads(line)
        verdicts[v["file"]] = v
    return verdicts


@pytest.fixture(scope="module")
def judged(tmp_path_factory):
    cache = tmp_path_factory.mktemp("bioimageio-cache")
    os.environ.setdefault("BIOIMAGEIO_CACHE_PATH", str(cache))
    cases = build_corpus(FIXTURES, tmp_path_factory.mktemp("oracle-corpus"))
    ours = _ours([str(c.path) for c in cases])
    rows = []
    for case in cases:
        text = f"{case.name} {case.mutation}"
        allowed = allowed_for(text)
        mine = ours[str(case.path)]
        if allowed and allowed.skip_reference:
            ref = {"verdict": allowed.ours, "errors": ["(not run: " + allowed.reason[:60] + "…)"]}
        else:
            ref = reference_verdict(case.path)
        agree = mine["verdict"] == ref["verdict"] or (allowed is not None and mine["verdict"] == allowed.ours)
        rows.append((case, mine, ref, agree, allowed))
    return rows


def _klass(mine, ref):
    if ref["verdict"] == "invalid" and mine["verdict"] == "valid":
        return "false accept"
    if ref["verdict"] == "valid" and mine["verdict"] in ("invalid", "error"):
        return "false reject"
    return f"ours {mine['verdict']} / reference {ref['verdict']}"


def test_agreement_with_bioimageio_spec(judged, capsys):
    total = len(judged)
    agreed = sum(1 for r in judged if r[3])
    kinds = Counter(r[0].kind for r in judged)
    disagreements = [r for r in judged if not r[3]]
    lines = [
        f"oracle: {agreed}/{total} agree ({100 * agreed / total:.1f}%) with bioimageio.spec "
        f"(cases: {dict(kinds)}; allow-listed: {sum(1 for r in judged if r[4])})"
    ]
    by_class = Counter(_klass(m, r) for _, m, r, _, _ in disagreements)
    for klass, n in by_class.most_common():
        lines.append(f"  {klass}: {n}")
    for case, mine, ref, _, _ in disagreements:
        lines.append(f"  - [{_klass(mine, ref)}] {case.name}: {case.mutation}")
        lines.append(f"      ours: {mine['errors'][:2]}")
        lines.append(f"      reference: {ref['errors'][:2]}")
    report = "\n".join(lines)
    with capsys.disabled():
        print("\n" + report)
    assert total >= MIN_CASES
    assert agreed / total >= REQUIRED_AGREEMENT, report


def test_no_case_crashes_our_validator(judged):
    """Every case gets a verdict (exit 0 or 1); none is 'could not run'."""
    crashed = [(c.name, m["errors"][:1]) for c, m, _, _, _ in judged if m["verdict"] == "error"]
    assert crashed == []


def test_written_by_the_reference_validates(judged):
    """What bioimageio.spec writes in its newest format (0.5.12) is valid for us."""
    written = [(c.name, m["errors"][:3]) for c, m, r, _, _ in judged if c.kind == "written" and m["verdict"] != r["verdict"]]
    assert written == []
