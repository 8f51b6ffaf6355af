"""The oracle corpus: real descriptions, seeded mutations of them, and
descriptions written by bioimageio.spec itself in its newest format.

``build_corpus(out_dir)`` writes every case as a YAML file under
``out_dir`` and returns the list of :class:`Case`. It is deterministic: the
same fixtures and the same ``SEED`` give byte-identical files (the mutants
of one fixture depend only on its name and the seed, so adding a fixture
does not reshuffle the others).

Case kinds
----------
``fixture``   every description under ``fixtures/rdf`` and the package yamls
              under ``fixtures/models``, as they are;
``written``   each fixture model loaded by bioimageio.spec, updated to the
              newest format (``format_version="latest"``) and saved with
              ``save_bioimageio_yaml_only``; plus the unet2d_nuclei_broad
              package as ``bioimageio.core.add_weights`` writes it (covers
              and documentation as ``{source, sha256}``, ONNX
              ``external_data``);
``mutant``    seeded mutations of the fixture models: wrong types anywhere,
              deletions, duplicated list entries, hostile strings, numbers
              written as strings, and the field formats the spec checks
              (ORCID, DOI, timestamp, file sources, citations);
``yaml``      hostile YAML documents (alias bomb, binary bytes, duplicate
              keys, a list as the root, an empty file).
"""

from __future__ import annotations

import copy
import os
import hashlib
import io
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator, List, Optional, Tuple

from ruyaml import YAML

# Another seed gives a fresh, held-out corpus: ORACLE_SEED=1 python -m pytest …
SEED = int(os.environ.get("ORACLE_SEED", "20260512"))
MUTANTS_PER_MODEL = 18

_load = YAML(typ="safe", pure=True)
_dump = YAML(typ="safe", pure=True)
_dump.default_flow_style = False
_dump.width = 4096
_dump.allow_unicode = True


@dataclass
class Case:
    """One description of the corpus."""

    name: str
    kind: str
    path: Path
    # What was changed (mutants), for the disagreement report.
    mutation: str = ""


def dump(doc: Any) -> str:
    buf = io.StringIO()
    _dump.dump(doc, buf)
    return buf.getvalue()


def fixture_files(fixtures: Path) -> List[Path]:
    files = sorted((fixtures / "rdf").glob("*.yaml"))
    files += sorted((fixtures / "models").glob("*/*.yaml"))
    return files


def fixture_name(path: Path) -> str:
    return path.name if path.parent.name == "rdf" else f"{path.parent.name}__{path.name}"


# --------------------------------------------------------------------------
# Paths into a parsed document


Loc = Tuple[Any, Any]  # (container, key or index)


def _walk(node: Any, trail: Tuple[Any, ...] = ()) -> Iterator[Tuple[Tuple[Any, ...], Any, Any]]:
    """(trail, container, key) for every value below the root."""
    if isinstance(node, dict):
        for k in list(node):
            yield trail + (k,), node, k
            yield from _walk(node[k], trail + (k,))
    elif isinstance(node, list):
        for i in range(len(node)):
            yield trail + (i,), node, i
            yield from _walk(node[i], trail + (i,))


def _trail_text(trail: Tuple[Any, ...]) -> str:
    out = ""
    for t in trail:
        out += f"[{t}]" if isinstance(t, int) else (f".{t}" if out else str(t))
    return out


def _pick(rng: random.Random, doc: Any, pred: Callable[[Any, Any, Any], bool]):
    locs = [(t, c, k) for t, c, k in _walk(doc) if pred(t, c, k)]
    return rng.choice(locs) if locs else None


def _keyed(doc: Any, key: str) -> List[Tuple[Tuple[Any, ...], Any, Any]]:
    return [(t, c, k) for t, c, k in _walk(doc) if k == key and isinstance(c, dict)]


# --------------------------------------------------------------------------
# Generic mutations (any field)

HOSTILE = [
    "A" * 5000,
    "\x00\x07\x1b[31m control characters",
    "../../../../etc/passwd",
    "",
    " ",
    "<script>alert(1)</script>",
    "${jndi:ldap://example.invalid/a}",
    "'; DROP TABLE models; --",
    "🦠" * 50,
    "line one\nline two\n\ttabbed",
]


def m_delete(rng, doc):
    loc = _pick(rng, doc, lambda t, c, k: isinstance(c, dict))
    if not loc:
        return None
    t, c, k = loc
    del c[k]
    return f"delete {_trail_text(t)}"


def _other_type(rng: random.Random, v: Any) -> Any:
    if isinstance(v, bool):
        return rng.choice(["true", 1, [v], None])
    if isinstance(v, int):
        return rng.choice([str(v), v + 0.5, -abs(v) - 1, 0, True, [v], None, {"value": v}])
    if isinstance(v, float):
        return rng.choice([str(v), "one", [v], True, None])
    if isinstance(v, str):
        return rng.choice([7, 1.5, [v], {"value": v}, True, None])
    if isinstance(v, list):
        return rng.choice([None, {}, "x", [], v[:1] if v else [1], 3])
    if isinstance(v, dict):
        return rng.choice([None, [], "x", True, [v]])
    return rng.choice(["x", 1, [], {}])


def m_retype(rng, doc):
    loc = _pick(rng, doc, lambda t, c, k: True)
    if not loc:
        return None
    t, c, k = loc
    new = _other_type(rng, c[k])
    c[k] = new
    return f"retype {_trail_text(t)} -> {type(new).__name__} {str(new)[:30]!r}"


def m_duplicate(rng, doc):
    loc = _pick(rng, doc, lambda t, c, k: isinstance(c[k], list) and len(c[k]) > 0)
    if not loc:
        return None
    t, c, k = loc
    lst = c[k]
    lst.append(copy.deepcopy(rng.choice(lst)))
    return f"duplicate an entry of {_trail_text(t)}"


def m_hostile(rng, doc):
    loc = _pick(rng, doc, lambda t, c, k: isinstance(c[k], str))
    if not loc:
        return None
    t, c, k = loc
    s = rng.choice(HOSTILE)
    c[k] = s
    return f"hostile string at {_trail_text(t)}: {s[:20]!r}"


def m_number_as_string(rng, doc):
    loc = _pick(
        rng, doc, lambda t, c, k: isinstance(c[k], (int, float)) and not isinstance(c[k], bool)
    )
    if not loc:
        return None
    t, c, k = loc
    c[k] = str(c[k])
    return f"number as string at {_trail_text(t)}"


def m_empty_list(rng, doc):
    loc = _pick(rng, doc, lambda t, c, k: isinstance(c[k], list) and len(c[k]) > 0)
    if not loc:
        return None
    t, c, k = loc
    c[k] = []
    return f"empty list at {_trail_text(t)}"


def m_extra_field(rng, doc):
    loc = _pick(rng, doc, lambda t, c, k: isinstance(c[k], dict))
    target = doc if loc is None or rng.random() < 0.3 else loc[1][loc[2]]
    target["unexpected_field"] = rng.choice(["x", 1, [1, 2], {"a": 1}])
    return f"extra field at {_trail_text(loc[0]) if target is not doc else '<root>'}"


# --------------------------------------------------------------------------
# Targeted mutations (the field rules of the spec)


def _set_random(rng, locs, value, label):
    if not locs:
        return None
    t, c, k = rng.choice(locs)
    c[k] = copy.deepcopy(value)
    return f"{label} at {_trail_text(t)}"


def t_kwargs_bool(rng, doc):
    return _set_random(rng, _keyed(doc, "kwargs"), True, "kwargs: true")


def t_author_list(rng, doc):
    authors = doc.get("authors")
    if not isinstance(authors, list) or not authors:
        return None
    i = rng.randrange(len(authors))
    a = authors[i]
    authors[i] = list(a.values()) if isinstance(a, dict) else [a]
    return f"authors[{i}] as a list"


def t_author_string(rng, doc):
    authors = doc.get("authors")
    if not isinstance(authors, list) or not authors or not isinstance(authors[0], dict):
        return None
    authors[0] = str(authors[0].get("name", "Jane Doe"))
    return "authors[0] as a plain string"


def t_processing_null(rng, doc):
    locs = _keyed(doc, "preprocessing") + _keyed(doc, "postprocessing")
    return _set_random(rng, locs, None, "processing: null")


def t_processing_dup(rng, doc):
    locs = [l for l in _keyed(doc, "preprocessing") + _keyed(doc, "postprocessing") if isinstance(l[1][l[2]], list) and l[1][l[2]]]
    if not locs:
        return None
    t, c, k = rng.choice(locs)
    c[k].append(copy.deepcopy(c[k][-1]))
    return f"repeat the last step of {_trail_text(t)}"


def t_version_list(rng, doc):
    locs = [l for key in ("pytorch_version", "tensorflow_version") for l in _keyed(doc, key)]
    if not locs:
        return None
    t, c, k = rng.choice(locs)
    c[k] = [c[k]]
    return f"{k} as a list"


def t_version_delete(rng, doc):
    locs = [l for key in ("pytorch_version", "tensorflow_version", "opset_version") for l in _keyed(doc, key)]
    if not locs:
        return None
    t, c, k = rng.choice(locs)
    del c[k]
    return f"delete {_trail_text(t)}"


def t_orcid(rng, doc):
    locs = _keyed(doc, "orcid")
    authors = doc.get("authors")
    if not locs and isinstance(authors, list) and authors and isinstance(authors[0], dict):
        locs = [(("authors", 0, "orcid"), authors[0], "orcid")]
    # A wrong checksum digit, junk, a wrong length, the URL form.
    bad = rng.choice(["0000-0002-1825-0098", "not-an-orcid", "0000-0001-2345-678", "https://orcid.org/0000-0002-1825-0097"])
    return _set_random(rng, locs, bad, f"orcid {bad!r}")


def t_doi(rng, doc):
    locs = [l for l in _keyed(doc, "doi")]
    bad = rng.choice(["https://doi.org/10.1000/xyz123", "not a doi", "10.1000", "doi:10.1000/xyz"])
    if not locs and isinstance(doc.get("cite"), list) and doc["cite"] and isinstance(doc["cite"][0], dict):
        locs = [(("cite", 0, "doi"), doc["cite"][0], "doi")]
    return _set_random(rng, locs, bad, f"doi {bad!r}")


def t_timestamp(rng, doc):
    bad = rng.choice(["yesterday", "2023-13-45T99:00:00", "12/05/2023", "2023-05-12T10:00:00Z", "2023-05-12"])
    doc["timestamp"] = bad
    return f"timestamp {bad!r}"


def t_empty_source(rng, doc):
    return _set_random(rng, _keyed(doc, "source"), "", "source ''")


def t_bad_sha(rng, doc):
    bad = rng.choice(["abc", "g" * 64, "A" * 64])
    return _set_random(rng, _keyed(doc, "sha256"), bad, f"sha256 {bad[:8]!r}")


def t_cite_no_link(rng, doc):
    cite = doc.get("cite")
    if not isinstance(cite, list) or not cite or not isinstance(cite[0], dict):
        return None
    i = rng.randrange(len(cite))
    if not isinstance(cite[i], dict):
        return None
    cite[i].pop("doi", None)
    cite[i].pop("url", None)
    return f"cite[{i}] without doi and url"


def t_size_string(rng, doc):
    locs = [l for key in ("size", "step", "min", "halo", "offset", "scale") for l in _keyed(doc, key)
            if isinstance(l[1][l[2]], (int, float)) and not isinstance(l[1][l[2]], bool)]
    if not locs:
        return None
    t, c, k = rng.choice(locs)
    c[k] = str(c[k])
    return f"{_trail_text(t)} as a string"


def t_same_id(rng, doc):
    ins, outs = doc.get("inputs"), doc.get("outputs")
    if not (isinstance(ins, list) and isinstance(outs, list) and ins and outs):
        return None
    key = "id" if "id" in ins[0] else "name"
    if key not in ins[0] or key not in outs[0]:
        return None
    outs[0][key] = ins[0][key]
    return f"outputs[0].{key} = inputs[0].{key}"


def t_file_descr(rng, doc):
    """covers/documentation as file descriptions (the 0.5.12 form)."""
    sha = hashlib.sha256(b"oracle").hexdigest()
    changed = []
    if isinstance(doc.get("covers"), list) and doc["covers"]:
        doc["covers"] = [{"source": c, "sha256": sha} if isinstance(c, str) else c for c in doc["covers"]]
        changed.append("covers")
    if isinstance(doc.get("documentation"), str):
        doc["documentation"] = {"source": doc["documentation"], "sha256": sha}
        changed.append("documentation")
    return f"{', '.join(changed)} as {{source, sha256}}" if changed else None


def t_license(rng, doc):
    bad = rng.choice(["my own licence", "mit", "CC-BY-4.0 ", "GPL"])
    doc["license"] = bad
    return f"license {bad!r}"


def t_tag_types(rng, doc):
    doc["tags"] = rng.choice([["a", 1, None], "segmentation", [["nested"]], {"a": 1}])
    return "tags of the wrong types"


GENERIC = [m_delete, m_delete, m_retype, m_retype, m_retype, m_duplicate, m_hostile,
           m_number_as_string, m_empty_list, m_extra_field]
TARGETED = [t_kwargs_bool, t_author_list, t_author_string, t_processing_null, t_processing_dup,
            t_version_list, t_version_delete, t_orcid, t_doi, t_timestamp, t_empty_source,
            t_bad_sha, t_cite_no_link, t_size_string, t_same_id, t_file_descr, t_license,
            t_tag_types]


def mutants(name: str, doc: Any, count: int = MUTANTS_PER_MODEL) -> Iterator[Tuple[str, Any]]:
    """``count`` mutants of ``doc``: half generic, half targeted, seeded by name."""
    rng = random.Random(f"{SEED}:{name}")
    made = 0
    attempts = 0
    while made < count and attempts < count * 10:
        attempts += 1
        pool = GENERIC if made % 2 == 0 else TARGETED
        fn = rng.choice(pool)
        new = copy.deepcopy(doc)
        label = fn(rng, new)
        if label is None:
            continue
        made += 1
        yield f"{fn.__name__}: {label}", new


# --------------------------------------------------------------------------
# Hostile YAML


def hostile_yaml(base_text: str) -> List[Tuple[str, bytes]]:
    bomb = ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        bomb.append(f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]")
    rng = random.Random(f"{SEED}:binary")
    binary = bytes(rng.randrange(256) for _ in range(4096))
    return [
        ("alias bomb at the top level", (base_text + "\n" + "\n".join(bomb) + "\n").encode()),
        ("alias bomb as the config", (base_text + "\nconfig:\n  " + "\n  ".join(bomb) + "\n").encode()),
        ("binary bytes", binary),
        ("binary after a valid start", base_text.encode()[:200] + binary),
        ("duplicate top-level key", (base_text + "\nname: again\n").encode()),
        ("a list as the root", b"- type: model\n- format_version: 0.5.4\n"),
        ("an empty file", b""),
        ("a scalar as the root", b"just some text\n"),
        ("tab indentation", base_text.replace("\n  ", "\n\t").encode()),
        ("unclosed quote", (base_text + '\ndescription: "never closed\n').encode()),
    ]


# --------------------------------------------------------------------------
# Written by bioimageio.spec in the newest format


def written_cases(fixtures: Path, out_dir: Path) -> List[Case]:
    from bioimageio.spec import InvalidDescr, load_description, save_bioimageio_yaml_only

    cases: List[Case] = []
    for f in fixture_files(fixtures):
        descr = load_description(f, perform_io_checks=False, format_version="latest")
        if isinstance(descr, InvalidDescr) or descr.type != "model":
            continue  # cannot be updated (see README): nothing written
        out = out_dir / f"written__{fixture_name(f)}"
        save_bioimageio_yaml_only(descr, out)
        cases.append(Case(out.name, "written", out))
    cases.extend(_add_weights_style(fixtures, out_dir))
    return cases


def _add_weights_style(fixtures: Path, out_dir: Path) -> List[Case]:
    """The fixture package as add_weights(target_format='onnx') writes it:
    format 0.5.12, covers/documentation/test tensors as {source, sha256}
    with the real hashes, and ONNX weights with external data."""
    from bioimageio.spec import load_description, save_bioimageio_yaml_only

    pkg = fixtures / "models" / "unet2d_nuclei_broad"
    descr = load_description(pkg / "bioimageio.yaml", perform_io_checks=False, format_version="latest")
    out = out_dir / "written__add_weights__unet2d_nuclei_broad.bioimageio.yaml"
    save_bioimageio_yaml_only(descr, out)
    doc = _load.load(out.read_text())
    sha = lambda name: hashlib.sha256((pkg / name).read_bytes()).hexdigest()  # noqa: E731
    doc["covers"] = [{"source": "cover0.png", "sha256": sha("cover0.png")}]
    doc["documentation"] = {"source": "README.md", "sha256": sha("README.md")}
    doc["weights"]["onnx"]["external_data"] = {
        "source": "weights.onnx.data",
        "sha256": hashlib.sha256(b"external").hexdigest(),
    }
    out.write_text(dump(doc))
    return [Case(out.name, "written", out)]


# --------------------------------------------------------------------------


def build_corpus(fixtures: Path, out_dir: Path) -> List[Case]:
    out_dir.mkdir(parents=True, exist_ok=True)
    cases: List[Case] = []
    models: List[Tuple[str, Any]] = []
    for f in fixture_files(fixtures):
        name = fixture_name(f)
        cases.append(Case(name, "fixture", f))
        doc = _load.load(f.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and doc.get("type") == "model":
            models.append((name, doc))
    cases.extend(written_cases(fixtures, out_dir))
    for name, doc in models:
        for i, (label, new) in enumerate(mutants(name, doc)):
            out = out_dir / f"mutant{i:02d}__{name}"
            out.write_text(dump(new), encoding="utf-8")
            cases.append(Case(out.name, "mutant", out, label))
    base = (fixtures / "models" / "unet2d_nuclei_broad" / "bioimageio.yaml").read_text()
    for i, (label, data) in enumerate(hostile_yaml(base)):
        out = out_dir / f"yaml{i:02d}.bioimageio.yaml"
        out.write_bytes(data)
        cases.append(Case(out.name, "yaml", out, label))
    return cases
