"""Placing values that the layout alone cannot place: sparse rows and digit runs.

A row whose empty cells were dropped, or whose digits ran together, has several possible readings
("candidates"). A reading is kept only when the table's identities (row total = sum of the six applicant
columns; 第一项加第二项之和，等于第三项加第四项之和; （七）总计 = sum of the outcomes) single it out.
Otherwise the row stays null: a wrong number is worse than a missing one.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from decimal import Decimal

Vector = tuple[Decimal | None, ...]


_PART = re.compile(r"[+-]?(?:0|[1-9]\d*)(?:\.\d+)?")
_PIECES = re.compile(r"[+-]?[^+\-]+")
SEARCH_BUDGET = 400_000


def digit_splits(run: str, n: int, accept: Callable[[Vector], bool] | None = None) -> list[Vector] | None:
    """Every reading of a run of digits as `n` numbers that `accept` allows; None when the search is too big.

    Spaces are certain cell boundaries, and so is a sign (`0+4339`: the `+` starts a cell). A part is a
    number without leading zeros, with its decimals kept together.
    """
    pieces = [p for token in run.split() for p in _PIECES.findall(token)]
    if not pieces or len(pieces) > n:
        return []
    out: list[Vector] = []
    budget = [SEARCH_BUDGET]

    def rec(i: int, pos: int, acc: list[Decimal]) -> bool:
        budget[0] -= 1
        if budget[0] < 0:
            return False
        if i == len(pieces):
            if len(acc) == n:
                vec = tuple(acc)
                if accept is None or accept(vec):
                    out.append(vec)
            return True
        piece = pieces[i]
        cells_left = n - len(acc)
        pieces_left = len(pieces) - i
        if cells_left < pieces_left:
            return True
        if pos == len(piece):
            return rec(i + 1, 0, acc)
        last_cell = cells_left == 1 or (cells_left == pieces_left and pos == 0)
        ends = [len(piece)] if last_cell else range(pos + 1, len(piece) + 1)
        for end in ends:
            part = piece[pos:end]
            if not _PART.fullmatch(part):
                continue
            acc.append(Decimal(part))
            ok = rec(i + 1, 0, acc) if end == len(piece) else rec(i, end, acc)
            acc.pop()
            if not ok:
                return False
        return True

    return out if rec(0, 0, []) else None


def row_total_holds(vec: Vector, has_subtotal: bool = False) -> bool:
    """total = sum of the six applicant columns (and an added 小计 = its five organisation columns);
    cells not printed count as nothing."""
    v = [x or Decimal(0) for x in vec]
    if has_subtotal:
        return v[7] == sum(v[:6]) and v[6] == sum(v[1:6])
    return v[6] == sum(v[:6])


def solve(candidates: dict[str, list[Vector]], equations: list[tuple[list[str], list[str]]],
          ncols: int) -> dict[str, Vector | None]:
    """Narrow each row's candidates with the column equations until nothing changes.

    `equations` are (lhs rows, rhs rows) that must balance in every column. A candidate is rejected when
    some equation through it can be evaluated (every other row decided and printed in that column) and
    fails. Rows left with exactly one candidate are decided; the others come back as None.
    """
    live = {row: list(c) for row, c in candidates.items()}
    changed = True
    while changed:
        changed = False
        decided = {row: c[0] for row, c in live.items() if len(c) == 1}
        for row, cands in live.items():
            if len(cands) <= 1:
                continue
            kept = [v for v in cands if _consistent(row, v, decided, equations, ncols)]
            if len(kept) != len(cands):
                live[row] = kept
                changed = True
    return {row: c[0] if len(c) == 1 else None for row, c in live.items()}


def _consistent(row: str, vec: Vector, decided: dict[str, Vector],
                equations: list[tuple[list[str], list[str]]], ncols: int) -> bool:
    for lhs, rhs in equations:
        if row not in lhs and row not in rhs:
            continue
        others = [r for r in lhs + rhs if r != row]
        if not all(r in decided for r in others):
            continue
        for col in range(ncols):
            def value(r: str, col: int = col) -> Decimal | None:
                return (vec if r == row else decided[r])[col]

            values = [value(r) for r in others]
            if any(v is None for v in values):
                continue
            own = vec[col] or Decimal(0)
            left = sum((own if r == row else value(r)) for r in lhs)
            right = sum((own if r == row else value(r)) for r in rhs)
            if left != right:
                return False
    return True


def row_sum_splits(run: str, has_subtotal: bool = False) -> list[Vector] | None:
    """Readings of a section-三 row's digit run whose last cell is the sum of the six before it (and an
    added 小计 the sum of the five organisation cells). The total's length bounds every part (and one part
    must be nearly as long), and the last column and the 小计 follow from the sums instead of being searched.
    None when the run has signs or decimals (the general search handles those)."""
    if any(ch in run for ch in "+-."):
        return None
    pieces = run.split()
    digits = "".join(pieces)
    forced, pos = [], 0
    for piece in pieces[:-1]:
        pos += len(piece)
        forced.append(pos)
    n_parts = 7 if has_subtotal else 6
    out: list[Vector] = []
    for t in range(1, len(digits)):
        tail, prefix = digits[-t:], digits[:-t]
        if (len(tail) > 1 and tail.startswith("0")) or not n_parts <= len(prefix) <= n_parts * t:
            continue
        if any(f > len(prefix) for f in forced):
            continue
        total = int(tail)

        def completions(start: int, k: int, running: int, first: int, longest: int, prefix: str = prefix,
                        t: int = t, total: int = total) -> list[tuple[int, ...]]:
            left = n_parts - k
            rest = len(prefix) - start
            if left == 0:
                return [()] if rest == 0 and running == total else []
            if rest > left * t or rest < left:
                return []
            # a t-digit total is the sum of at most seven numbers: one of them has at least t-1 digits
            if max(longest, rest - left + 1) < t - 1:
                return []
            if k == 5 or k == 6:  # the last applicant column, and an added 小计, are determined by the sums
                value = total - running if k == 5 else running - first
                text = str(value)
                end = start + len(text)
                if value < 0 or prefix[start:end] != text or any(start < f < end for f in forced):
                    return []
                nxt = completions(end, k + 1, running + (value if k == 5 else 0), first, max(longest, len(text)))
                return [(value, *r) for r in nxt]
            found: list[tuple[int, ...]] = []
            for end in range(start + 1, min(start + t, len(prefix) - left + 1) + 1):
                if any(start < f < end for f in forced):
                    break
                part = prefix[start:end]
                if len(part) > 1 and part.startswith("0"):
                    break
                value = int(part)
                if running + value > total:
                    break
                nxt = completions(end, k + 1, running + value, value if k == 0 else first, max(longest, end - start))
                found.extend((value, *r) for r in nxt)
            return found

        out.extend(tuple(Decimal(v) for v in (*parts, total)) for parts in completions(0, 0, 0, 0, 0))
    return out
