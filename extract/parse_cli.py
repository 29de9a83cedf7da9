"""`nianbao parse FILE... [--json]`: parse files without touching the warehouse."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections import Counter
from pathlib import Path

from extract.parse import ParsedDocument
from extract.region import annotate
from extract.sandbox import Sandbox
from extract.template import templates


def run(files: list[Path], as_json: bool) -> int:
    """Print one JSON object per file (JSON lines) or a readable summary, a line for every argument
    whatever it is (a directory, FIFO or broken link is a failed document with its reason); 0 always:
    what was read is in the output. A reader that closes the pipe early (`| head`) ends the output quietly."""
    try:
        _print_all(files, as_json)
    except BrokenPipeError:
        # the reader has all it wants; stdout is closed, so nothing more can be said there
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - replaces the closed stream for the interpreter's exit
    return 0


def _print_all(files: list[Path], as_json: bool) -> None:
    with Sandbox(1) as sandbox:
        for doc in sandbox.parse(files):
            with contextlib.suppress(Exception):  # level and region are labels: a gazetteer fault leaves them null
                annotate([doc], templates())
            if as_json:
                sys.stdout.write(json.dumps(doc.as_json(), ensure_ascii=False) + "\n")
            else:
                _print_summary(doc)
            sys.stdout.flush()


def _print_summary(doc: ParsedDocument) -> None:
    """The readable lines of one document (its path as valid text, whatever bytes its name has)."""
    r = doc.report or {}
    filled = sum(1 for c in doc.cells if c.value is not None)
    print(f"{doc.path}: {doc.status}" + (f" ({doc.error})" if doc.error else ""))
    if doc.report is not None:
        print(f"  {r.get('agency') or '?'} · {r.get('year') or '?'} · {r.get('template') or '?'} · "
              f"{r.get('variant') or '?'} · tables: {', '.join(r.get('tables_found', []))}")
        print(f"  cells: {len(doc.cells)} ({filled} with a value, {len(doc.cells) - filled} not reported)")
    if doc.facts:
        print("  narrative: " + ", ".join(f"{f.code}={f.value}" for f in doc.facts))
    counts = Counter(i.code for i in doc.issues)
    if counts:
        print("  issues: " + ", ".join(f"{code}×{n}" for code, n in sorted(counts.items())))
