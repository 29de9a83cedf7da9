"""Rows whose label a conversion lost or cut, placed by their printed order.

A PDF converted to markdown can leave a section-三 row without its label (the label went to loose text
before the table) or with a label cut short (`行政机关不再处理其政府信息公`). Such a row still sits in its
printed place: between two rows whose labels were read. When exactly as many rows are missing there as the
template expects, and every cut label is a piece of the label it is placed under, the rows take those codes
in order. The placement stands only if the table's identities through those rows can be evaluated and hold;
otherwise the rows stay unread, with an issue.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from extract.blocks import Block, Cell
from extract.issues import Issue
from extract.template import LabelIndex
from extract.text import squash

Readings = tuple[list[list[Cell | None]], str]
Equation = tuple[list[str], list[str]]


@dataclass
class Orphan:
    """A row with values whose label is missing (`label_at` None) or unknown."""

    block: Block
    label_at: int | None
    issue: Issue | None

    @property
    def fragment(self) -> str:
        """What is left of the label: the text of the cells before the values."""
        if self.label_at is None:
            return ""
        return squash("".join(c.text for c in self.block.cells[: self.label_at + 1]))

    @property
    def values(self) -> list[Cell]:
        return self.block.cells[(self.label_at if self.label_at is not None else -1) + 1:]


@dataclass
class Orphans:
    """The table's rows in printed order: codes read from their labels, and orphans between them."""

    sequence: list[str | Orphan] = field(default_factory=list)

    def add(self, block: Block, label_at: int | None, issue: Issue | None) -> None:
        self.sequence.append(Orphan(block, label_at, issue))

    def mark(self, code: str) -> None:
        self.sequence.append(code)

    def groups(self) -> list[tuple[str | None, list[Orphan], str | None]]:
        """Each run of consecutive orphans with the row codes printed before and after it."""
        out = []
        i = 0
        while i < len(self.sequence):
            if isinstance(self.sequence[i], str):
                i += 1
                continue
            j = i
            while j < len(self.sequence) and isinstance(self.sequence[j], Orphan):
                j += 1
            before = self.sequence[i - 1] if i > 0 else None
            after = self.sequence[j] if j < len(self.sequence) else None
            out.append((before, [o for o in self.sequence[i:j] if isinstance(o, Orphan)], after))
            i = j
        return out


def place_orphans(res, orphans: Orphans, rows: dict[str, tuple], expected: list[str] | None, index: LabelIndex,
                  readings: Callable[[Block, int, list[Cell]], Readings], groups: tuple[str, ...] = ()) -> set[str]:
    """Give orphan rows the codes of the rows missing between their neighbours; the codes placed. `groups`: the
    table's group labels (三、本年度办理结果, （三）不予公开 …), whose pieces a cut label may start with."""
    placed: set[str] = set()
    group_chars = frozenset(squash("".join(groups)).replace("、", ","))
    for before, group, after in orphans.groups():
        codes = _gap(before, after, expected, rows)
        if codes is None or len(codes) != len(group) or not all(
                _fits(o.fragment, index[c], group_chars) for o, c in zip(group, codes, strict=True)):
            res.issues.extend(o.issue or Issue("unknown_label", "row of values without a label; its place in the "
                                               "table could not be fixed, values not read", "applications",
                                               line=o.block.line) for o in group)
            continue
        for orphan, code in zip(group, codes, strict=True):
            label_at = orphan.label_at if orphan.label_at is not None else -1
            cands, how = readings(orphan.block, label_at, orphan.values)
            label_cell = orphan.block.cells[max(label_at, 0)]
            rows[code] = (orphan.block, label_cell, cands, how)
            placed.add(code)
    return placed


def _gap(before: str | None, after: str | None, expected: list[str] | None, rows: dict[str, tuple]
         ) -> list[str] | None:
    """The expected codes strictly between two printed rows, when none of them was printed; before the first
    printed row (`before` None: the table starts with orphans) or after the last, the table's edge bounds the
    gap. A run of orphans with no printed row on either side has no place."""
    if expected is None or (before is None and after is None):
        return None
    if (before is not None and before not in expected) or (after is not None and after not in expected):
        return None
    lo = expected.index(before) + 1 if before is not None else 0
    hi = expected.index(after) if after is not None else len(expected)
    between = expected[lo:hi]
    if lo > hi or any(code in rows for code in between):
        return None
    return between


def _fits(fragment: str, label, group_chars: frozenset[str] = frozenset()) -> bool:
    """A cut label must be a piece of the label it is placed under (a missing one fits any). Text laid out by
    position (`pdftotext -layout`) prints pieces of the group labels' column before it on the same line
    (`果  开` of 结果 and 不予公开 stacked beside the rows): those may come first, then the piece."""
    piece = fragment.replace("、", ",")
    texts = [squash(t).replace("、", ",") for t in (label.label, *label.aliases)]
    for start in range(len(piece) + 1):
        if not piece[start:] or any(piece[start:] in t for t in texts):
            return True
        if piece[start] not in group_chars:
            return False
    return False


def verify_by_order(placed: set[str], decided: dict[str, list[Cell | None]],
                    values: Callable[[list[Cell | None]], tuple[Decimal | None, ...]],
                    equations: list[Equation]) -> set[str]:
    """The placed rows whose placement the identities do not confirm: an equation through them must be
    evaluable in at least one column and hold in every column it can be evaluated in."""
    if not placed:
        return set()
    for lhs, rhs in equations:
        through = placed & set(lhs + rhs)
        if not through:
            continue
        if any(code not in decided for code in lhs + rhs):
            return set(placed)
        vectors = {code: values(decided[code]) for code in lhs + rhs}
        ncols = len(next(iter(vectors.values())))
        evaluated = 0
        for col in range(ncols):
            left = [vectors[c][col] for c in lhs]
            right = [vectors[c][col] for c in rhs]
            if any(v is None for v in left + right):
                continue
            evaluated += 1
            if sum(left) != sum(right):
                return set(placed)
        if not evaluated:
            return set(placed)
    return set()


def contradicted(placed: set[str], decided: dict[str, list[Cell | None]],
                 values: Callable[[list[Cell | None]], tuple[Decimal | None, ...]],
                 equations: list[Equation]) -> set[str]:
    """The rows of `placed` (read from digit runs or sparse cells, i.e. by the identities) that sit in an
    equation failing in a column where every cell is printed. A glued or sparse row read as if no blank had
    been dropped can balance on its own and still be wrong; the table's columns are the check. A printed
    inconsistency cannot be told from a misread there, so those rows are left unread."""
    out: set[str] = set()
    for lhs, rhs in equations:
        through = placed & set(lhs + rhs)
        if not through or any(code not in decided for code in lhs + rhs):
            continue
        vectors = {code: values(decided[code]) for code in lhs + rhs}
        for col in range(len(next(iter(vectors.values())))):
            left = [vectors[c][col] for c in lhs]
            right = [vectors[c][col] for c in rhs]
            if None not in left + right and sum(left) != sum(right):
                out |= through
                break
    return out


def exceeded(placed: set[str], decided: dict[str, list[Cell | None]],
             values: Callable[[list[Cell | None]], tuple[Decimal | None, ...]], equations: list[Equation]) -> set[str]:
    """The rows of `placed` that break an equation no missing row can mend: one side read whole, and in some
    column the other side's rows read so far already sum to more (counts are never negative, so the rows left
    unread could only add). A row read only through its own row total is not confirmed by the columns where
    another row is unread, and a printed row total off can balance a wrong split of its run by chance
    (`1120` of 0 0 0 1 12 0, total printed 22, as 1 1 20): the bound still refutes it. Blamed are the placed rows of
    the whole side, and those of the other side that print a number in the column."""
    out: set[str] = set()
    for lhs, rhs in equations:
        if not placed & set(lhs + rhs):
            continue
        for whole, partial in ((lhs, rhs), (rhs, lhs)):
            if any(code not in decided for code in whole) or all(code in decided for code in partial):
                continue
            read = [code for code in partial if code in decided]
            vectors = {code: values(decided[code]) for code in whole + read}
            for col in range(len(next(iter(vectors.values())))):
                bound = [vectors[c][col] for c in whole]
                parts = {c: vectors[c][col] for c in read if vectors[c][col]}
                if None in bound or any(v < 0 for v in parts.values()) or sum(parts.values()) <= sum(bound):
                    continue
                out |= placed & (set(whole) | set(parts))
    return out


def confirmed(code: str, decided: dict[str, list[Cell | None]],
              values: Callable[[list[Cell | None]], tuple[Decimal | None, ...]], equations: list[Equation]) -> bool:
    """Whether an equation through `code` has every row read and holds in every column where its cells are
    printed: the table's columns, not the row alone, confirm the row's reading."""
    for lhs, rhs in equations:
        if code not in lhs + rhs or any(c not in decided for c in lhs + rhs):
            continue
        vectors = {c: values(decided[c]) for c in lhs + rhs}
        columns = range(len(vectors[code]))
        if all(sum(vectors[c][col] or 0 for c in lhs) == sum(vectors[c][col] or 0 for c in rhs) for col in columns):
            return True
    return False
