"""Write a synthetic corpus: report files of every format, variant and layout, each with its truth.

`<file>.truth.json` has the shape of tests/fixtures/golden (file, agency, year, template, variant, cells,
narrative) plus `undeterminable` ([table, row, col] cells the layout cannot determine), `injected` (the
inconsistencies deliberately printed) and `shape` (variant details, layout, encoding, options).

    python -m synthetic.corpus OUT_DIR -n 1000 --seed 7 [--layouts tab_rows,markdown] [--inject-rate 0.2]
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

from synthetic.render import ALL_LAYOUTS, Noise, Rendered, render_report
from synthetic.render_text import LAYOUTS
from synthetic.truth import FORMATS, INJECTION_KINDS, VARIANTS, ReportTruth, random_truth

DEFAULT_MIX: dict[str, float] = {layout: 1.0 for layout in LAYOUTS}


def json_number(v: Any) -> Any:
    """Numbers as the parser's `as_json` writes them: integral values as int, amounts as float."""
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v


def truth_json(truth: ReportTruth, file_name: str, rendered: Rendered | None = None) -> dict[str, Any]:
    """The truth file's object (golden-file shape plus undeterminable, injected and shape)."""
    cells = {t: {r: {c: json_number(v) for c, v in cols.items()} for r, cols in rows.items()}
             for t, rows in truth.cells.items()}
    out: dict[str, Any] = {
        "file": file_name,
        "agency": truth.agency,
        "year": truth.year,
        "template": truth.template,
        "variant": truth.report_variant,
        "cells": cells,
        "narrative": dict(truth.narrative),
        "undeterminable": [list(ref) for ref in (rendered.undeterminable if rendered else [])],
        "injected": truth.injected,
        "shape": {
            "variant": truth.variant,
            "subtotal_column": truth.subtotal_column,
            "layout": rendered.layout if rendered else None,
            "source_form": rendered.source_form if rendered else None,
            "encoding": rendered.encoding if rendered else None,
            "blanked": [list(ref) for ref in (rendered.blanked if rendered else [])],
        },
    }
    return out


def generate(index: int, seed: int, mix: dict[str, float], inject_rate: float,
             noise: Noise | None = None) -> tuple[ReportTruth, Rendered]:
    """Report number `index` of the corpus `seed`: reproducible on its own, whatever else is generated."""
    rng = random.Random(seed * 1_000_003 + index)
    layouts = list(mix)
    layout = rng.choices(layouts, weights=[mix[k] for k in layouts])[0]
    template = rng.choice(FORMATS)
    variant = rng.choice(VARIANTS[template])
    inject: tuple[str, ...] = ()
    if rng.random() < inject_rate:
        inject = (rng.choice(INJECTION_KINDS),)
    truth = random_truth(rng, template, variant, subtotal_column=rng.random() < 0.1, inject=inject)
    return truth, render_report(truth, layout, rng, noise)


def _write_range(args: tuple[Path, range, int, int, dict[str, float], float, Noise | None]) -> list[Path]:
    out_dir, indices, n, seed, mix, inject_rate, noise = args
    width = max(6, len(str(n)))
    paths = []
    for i in indices:
        truth, rendered = generate(i, seed, mix, inject_rate, noise)
        name = f"{i:0{width}d}_{rendered.layout}{rendered.suffix}"
        path = out_dir / name
        path.write_bytes(rendered.data)
        (out_dir / f"{name}.truth.json").write_text(
            json.dumps(truth_json(truth, name, rendered), ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return paths


def write_corpus(out_dir: Path, n: int, seed: int, mix: dict[str, float] | None = None,
                 inject_rate: float = 0.1, noise: Noise | None = None, jobs: int = 1) -> list[Path]:
    """Write `n` reports and their truth files into `out_dir`; returns the report paths.

    Report i depends only on (seed, i), so `jobs` processes can share the work with identical output.
    """
    mix = mix or DEFAULT_MIX
    unknown = set(mix) - set(ALL_LAYOUTS)
    if unknown:
        raise ValueError(f"unknown layouts {sorted(unknown)}; known: {list(ALL_LAYOUTS)}")
    out_dir.mkdir(parents=True, exist_ok=True)
    if jobs <= 1 or n < 200:
        return _write_range((out_dir, range(n), n, seed, mix, inject_rate, noise))
    from concurrent.futures import ProcessPoolExecutor

    chunk = max(100, n // (jobs * 8))
    tasks = [(out_dir, range(a, min(n, a + chunk)), n, seed, mix, inject_rate, noise) for a in range(0, n, chunk)]
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        return [p for part in pool.map(_write_range, tasks) for p in part]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m synthetic.corpus", description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("-n", type=int, default=100, help="number of reports")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--layouts", default=",".join(LAYOUTS),
                    help=f"comma-separated, any of {','.join(ALL_LAYOUTS)} (optionally layout:weight)")
    ap.add_argument("--inject-rate", type=float, default=0.1, help="share of reports with an injected inconsistency")
    ap.add_argument("--no-noise", action="store_true", help="clean renderings (no blanks, forms, splits, strays)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (output is identical for any value)")
    args = ap.parse_args(argv)
    mix: dict[str, float] = {}
    for part in args.layouts.split(","):
        name, _, weight = part.partition(":")
        mix[name.strip()] = float(weight or 1)
    start = time.perf_counter()
    paths = write_corpus(args.out_dir, args.n, args.seed, mix, args.inject_rate,
                         Noise.none() if args.no_noise else None, jobs=args.jobs)
    elapsed = time.perf_counter() - start
    counts = Counter(p.name.split("_", 1)[1].rsplit(".", 1)[0] for p in paths)
    print(f"wrote {len(paths)} reports to {args.out_dir} in {elapsed:.1f}s "
          f"({len(paths) / max(elapsed, 1e-9):.0f}/s): {dict(sorted(counts.items()))}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
