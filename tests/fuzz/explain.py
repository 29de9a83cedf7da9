"""Explain a kept reproducer: what the mutation changed and how the mutant's reading differs from the seed's.

    python -m tests.fuzz.explain warehouse/fuzz_reproducers/misplaced/m000159_markdown.md [--seeds-per-form 6]

The campaign names a mutant `m<index>_<form><suffix>` and takes its seed round-robin from the pool of
`--seeds-per-form` seeds per form, so the seed is found again from the name alone.
"""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path

from extract.parse import parse_bytes
from tests.fuzz.oracle import misplaced
from tests.fuzz.seeds import FORMS, Seed, make_seed

TEXT_SUFFIXES = (".txt", ".md", ".html", ".htm")
DIFF_CONTEXT_LINES = 1


def seed_of(name: str, per_form: int) -> Seed:
    """The seed a mutant was made from, by its index in the campaign's round-robin pool."""
    index = int(name[1:7])
    slot = index % (per_form * len(FORMS))
    return make_seed(FORMS[slot // per_form], slot % per_form)


def _text_diff(before: bytes, after: bytes) -> list[str]:
    a = before.decode("utf-8", "replace").splitlines()
    b = after.decode("utf-8", "replace").splitlines()
    return [ln for ln in difflib.unified_diff(a, b, lineterm="", n=DIFF_CONTEXT_LINES)][2:]


def explain(path: Path, per_form: int) -> str:
    """The mutation's diff (text forms), the oracle's verdict and the issues of the rows it names."""
    seed = seed_of(path.name, per_form)
    data = path.read_bytes()
    original, mutant = parse_bytes(seed.data, Path(seed.name)), parse_bytes(data, path)
    out = [f"seed {seed.name}; mutant {mutant.status} {mutant.error or ''}".rstrip()]
    if path.suffix in TEXT_SUFFIXES:
        out += _text_diff(seed.data, data)
    why = path.with_name(path.name + ".why.txt")
    how = why.read_text(encoding="utf-8").split("\n", 1)[0] if why.exists() else ""
    bad = misplaced(seed.truth, original, mutant, how)
    out += ["oracle:", *bad] if bad else ["oracle: holds"]
    rows = {tuple(line.split(":")[0].split(".")[:2]) for line in bad}
    for table, row in sorted(rows):
        cells = [f"{c.col}={c.value} {c.raw!r}" for c in mutant.cells if (c.table, c.row) == (table, row)]
        out.append(f"{table}.{row}: {'; '.join(cells)}")
        out += [f"  {i.code}: {i.detail}" for i in mutant.issues if i.table == table and i.row in (row, None)]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", type=Path, nargs="+")
    parser.add_argument("--seeds-per-form", type=int, default=6)
    args = parser.parse_args(argv)
    for path in args.paths:
        print(f"== {path.name}\n{explain(path, args.seeds_per_form)}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
