"""The mutation oracle: a mutant that still parses gives the original values, or null with an issue,
never a value in another cell.

One mutation changes the printed text of at most one cell in place. So of the cells whose parsed value
differs from the truth, at most one may be explained by the mutation, and only if its own printed text
changed (and is not simply a neighbour's text moved over). Every other differing value was misplaced: a
wrong number in a cell the mutation never touched. A value under a code the truth does not have (a row
read as another row) is misplaced too.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from extract.cells import clean
from tests.fuzz.seeds import Ref


def _by_ref(doc: Any) -> dict[Ref, Any]:
    out: dict[Ref, Any] = {}
    for c in doc.cells:
        out.setdefault((c.table, c.row, c.col), c)
    return out


def misplaced(truth: dict[Ref, Decimal | None], original: Any, mutant: Any) -> list[str]:
    """The mutant's values that break the oracle, described (empty when it holds)."""
    if mutant.report is None:
        return []
    before, after = _by_ref(original), _by_ref(mutant)
    wrong = [ref for ref, c in after.items()
             if c.value is not None and (ref not in truth or c.value != truth[ref])
             and not (ref in before and before[ref].value == c.value)]  # the seed's own misreading
    row_texts: dict[tuple[str, str], set[str]] = {}
    for (t, r, _), c in before.items():
        row_texts.setdefault((t, r), set()).add(clean(c.raw))
    in_place = [ref for ref in wrong if ref in before and ref in truth
                and clean(after[ref].raw) != clean(before[ref].raw)
                and clean(after[ref].raw) not in row_texts[ref[:2]] - {clean(before[ref].raw)}]
    excused = set(in_place[:1]) if len(wrong) == 1 else set()
    return [f"{'.'.join(ref)}: truth={truth.get(ref)} parsed={after[ref].value} raw={after[ref].raw!r}"
            for ref in wrong if ref not in excused]
