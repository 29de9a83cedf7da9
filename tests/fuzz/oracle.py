"""The mutation oracle: a mutant that still parses gives the original values, or null with an issue,
never a value in another cell.

One mutation changes the printed text of at most one cell in place (a swap of two lines, of two: each line
may be a cell of its own), so a mutant of k mutations may change k cells (2 per swap). Of the cells whose
parsed value differs from the truth, that many may be explained by the mutations, and only each one whose own
printed text changed where it stands: the other cells of its row were read from the same texts as before, or
its new text is not simply a neighbour's text moved over. Every other differing value was misplaced: a wrong
number in a cell the mutation never touched. A value under a code the truth does not have (a row read as
another row) is misplaced too.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from extract.cells import clean
from tests.fuzz.seeds import Ref

# Cells one mutation step may change where they stand; a swap of two lines moves two.
CELLS_PER_SWAP = 2


def _by_ref(doc: Any) -> dict[Ref, Any]:
    out: dict[Ref, Any] = {}
    for c in doc.cells:
        out.setdefault((c.table, c.row, c.col), c)
    return out


def cells_changed_in_place(how: str) -> int:
    """How many cells the mutation steps described by `how` (`campaign` and `mutate` wording) may change."""
    steps = [s for s in how.split(": ", 1)[-1].split("; ") if s.strip()]
    return max(1, sum(CELLS_PER_SWAP if s.startswith("swap lines") else 1 for s in steps))


def misplaced(truth: dict[Ref, Decimal | None], original: Any, mutant: Any, how: str = "") -> list[str]:
    """The mutant's values that break the oracle, described (empty when it holds)."""
    if mutant.report is None:
        return []
    before, after = _by_ref(original), _by_ref(mutant)
    wrong = [ref for ref, c in after.items()
             if c.value is not None and (ref not in truth or c.value != truth[ref])
             and not (ref in before and before[ref].value == c.value)]  # the seed's own misreading
    changed = {ref for ref, c in after.items() if ref in before and clean(c.raw) != clean(before[ref].raw)}
    row_texts: dict[tuple[str, str], set[str]] = {}
    for (t, r, _), c in before.items():
        row_texts.setdefault((t, r), set()).add(clean(c.raw))

    def in_place(ref: Ref) -> bool:
        if ref not in before or ref not in truth or ref not in changed:
            return False
        row_alone = not any(other[:2] == ref[:2] and other != ref for other in changed)
        return row_alone or clean(after[ref].raw) not in row_texts[ref[:2]] - {clean(before[ref].raw)}

    budget = cells_changed_in_place(how)
    excused = {ref for ref in wrong if in_place(ref)} if len(wrong) <= budget else set()
    return [f"{'.'.join(ref)}: truth={truth.get(ref)} parsed={after[ref].value} raw={after[ref].raw!r}"
            for ref in wrong if ref not in excused]
