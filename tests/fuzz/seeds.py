"""Seed reports for mutation: synthetic reports of every source form, each with its truth."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from synthetic.corpus import generate, truth_json
from synthetic.render import Noise

# Every source form the extractor reads; the text layouts are the five flattenings of the corpus.
FORMS = ("tab_rows", "cell_per_line", "markdown", "sparse", "digit_run", "html", "docx", "pdf")

Ref = tuple[str, str, str]


@dataclass
class Seed:
    """One rendered report and its truth (table → row → col → value), by cell reference."""

    name: str
    layout: str
    suffix: str
    data: bytes
    truth: dict[Ref, Decimal | None] = field(default_factory=dict)
    undeterminable: set[Ref] = field(default_factory=set)


def _truth_cells(cells: dict[str, Any]) -> dict[Ref, Decimal | None]:
    return {(t, r, c): None if v is None else Decimal(str(v))
            for t, rows in cells.items() for r, cols in rows.items() for c, v in cols.items()}


def make_seed(layout: str, index: int, seed: int = 17) -> Seed:
    """Report `index` of layout `layout`, without injected inconsistencies (the truth is what is printed)."""
    truth, rendered = generate(index, seed, {layout: 1.0}, inject_rate=0.0, noise=Noise())
    name = f"seed_{layout}_{index}{rendered.suffix}"
    t = truth_json(truth, name, rendered)
    return Seed(name, layout, rendered.suffix, rendered.data, _truth_cells(t["cells"]),
                {tuple(u) for u in rendered.undeterminable})


def seeds(per_form: int, seed: int = 17, forms: tuple[str, ...] = FORMS) -> list[Seed]:
    """`per_form` seed reports of each form."""
    return [make_seed(layout, i, seed) for layout in forms for i in range(per_form)]
