"""Verdicts of the reference, bioimageio.spec, on corpus files.

Run as a script (``python -m tests.oracle.reference FILE...``) it prints
one JSON line per file; the oracle test imports :func:`verdict` instead.
Offline: ``perform_io_checks=False``, so referenced files are not read.
"""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path
from typing import Dict


def verdict(path: Path) -> Dict[str, object]:
    """{verdict: valid | other | invalid | error, type, errors: [...]}"""
    from bioimageio.spec import InvalidDescr, load_description

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            descr = load_description(path, perform_io_checks=False)
    except Exception as e:  # the reference itself could not read it
        return {"verdict": "invalid", "type": None, "errors": [f"{type(e).__name__}: {str(e)[:300]}"]}
    if isinstance(descr, InvalidDescr):
        errors = [f"{'.'.join(map(str, e.loc))}: {e.msg}"[:300] for e in descr.validation_summary.errors]
        return {"verdict": "invalid", "type": None, "errors": errors}
    kind = "valid" if descr.type == "model" else "other"
    return {"verdict": kind, "type": descr.type, "errors": []}


if __name__ == "__main__":
    for arg in sys.argv[1:]:
        print(json.dumps({"file": arg, **verdict(Path(arg))}))
