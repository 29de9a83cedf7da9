"""Stored dumps of the converters that take about a second per file (`Converter.stored`), for the fast tier.

The fast tier's round trips read these dumps instead of running pymupdf4llm, mammoth or pdfminer on every
run. Each dump is recorded with the content key of the rendering it was made from, and reading it checks that
the generator still draws that rendering: a generator change fails loudly instead of testing stale text. The
slow tier converts live and checks that every stored dump is still the tool's output
(`test_converter_roundtrip.py::test_stored_dumps_are_the_tools_output`).

Regenerate after a generator or tool change: `python -m tests.converted_dumps`.
"""

from __future__ import annotations

import hashlib
import io
import json
import shutil
import zipfile
from functools import cache
from pathlib import Path

from synthetic.convert import CONVERTERS, SHAPES, Case, Converter, Shape, cached_case, convert, shape_id

FAST_SEEDS = (1, 2)  # fixed reports: the fast tier reads the same files on every run
STORE = Path(__file__).parent / "fixtures" / "converted"
MANIFEST = STORE / "manifest.json"
STORED_CONVERTERS = tuple(c for c in CONVERTERS if c.stored)
REGENERATE = "python -m tests.converted_dumps"


class StaleDump(AssertionError):
    """A stored dump was made from a rendering the generator no longer draws."""


def input_key(data: bytes) -> str:
    """sha256 of a rendering's content; a Word file by its parts, since the zip stamps each with the time."""
    if not zipfile.is_zipfile(io.BytesIO(data)):
        return hashlib.sha256(data).hexdigest()
    digest = hashlib.sha256()
    with zipfile.ZipFile(io.BytesIO(data)) as package:
        for name in sorted(package.namelist()):
            digest.update(name.encode("utf-8") + b"\0" + hashlib.sha256(package.read(name)).digest())
    return digest.hexdigest()


def dump_name(conv: Converter, shape: Shape, seed: int) -> str:
    """The dump's path under STORE, as the manifest keys it."""
    return f"{conv.name}/{shape_id(shape)}-seed{seed}{conv.suffix}"


@cache
def manifest() -> dict[str, str]:
    """Stored dump → content key of the rendering it was converted from."""
    return json.loads(MANIFEST.read_text(encoding="utf-8")) if MANIFEST.exists() else {}


def stored_dump(conv: Converter, case: Case) -> str:
    """The tool's stored output for `case`; fails when it is missing or was made from another rendering."""
    name = dump_name(conv, case.shape, case.seed)
    recorded = manifest().get(name)
    if recorded is None:
        raise LookupError(f"no stored dump {name}: run `{REGENERATE}`")
    if recorded != input_key(case.rendered.data):
        raise StaleDump(f"{name} was converted from another rendering than the generator's now: run `{REGENERATE}`")
    return (STORE / name).read_text(encoding="utf-8")


def store_all() -> dict[str, str]:
    """Convert every fast-tier case with each stored converter and write the dumps and the manifest, afresh."""
    shutil.rmtree(STORE, ignore_errors=True)
    keys: dict[str, str] = {}
    for conv in STORED_CONVERTERS:
        for shape in SHAPES:
            for seed in FAST_SEEDS:
                case = cached_case(shape, seed, conv.source)
                name = dump_name(conv, shape, seed)
                path = STORE / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(convert(conv, case), encoding="utf-8")
                keys[name] = input_key(case.rendered.data)
    STORE.mkdir(parents=True, exist_ok=True)
    MANIFEST.write_text(json.dumps(keys, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    manifest.cache_clear()
    return keys


if __name__ == "__main__":
    print(f"stored {len(store_all())} dumps in {STORE}")
