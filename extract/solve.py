"""Placing values that the layout alone cannot place: sparse rows and digit runs.

A row whose empty cells were dropped, or whose digits ran together, has several possible readings
("candidates"). A reading is kept only when the table's identities (row total = sum of the six applicant
columns; 第一项加第二项之和，等于第三项加第四项之和; （七）总计 = sum of the outcomes) single it out.
Otherwise the row stays null: a wrong number is worse than a missing one.
"""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from itertools import combinations

Vector = tuple[Decimal | None, ...]
MAX_CANDIDATES = 20_000


def placements(values: list[Decimal | None], n: int) -> list[Vector]:
    """Every order-preserving placement of k printed values into n columns (the rest not printed)."""
    k = len(values)
    if k > n or k == 0:
        return []
    out = []
    for positions in combinations(range(n), k):
        vec: list[Decimal | None] = [None] * n
        for pos, v in zip(positions, values, strict=True):
            vec[pos] = v
        out.append(tuple(vec))
    return out


def _split_token(token: str, parts: int) -> Iterator[tuple[int, ...]]:
    """Ways to cut a digit string into `parts` numbers without leading zeros."""
    if parts == 1:
        if token == "0" or not token.startswith("0"):
            yield (int(token),)
        return
    for cut in range(1, len(token) - parts + 2):
        head = token[:cut]
        if len(head) > 1 and head.startswith("0"):
            continue
        for rest in _split_token(token[cut:], parts - 1):
            yield (int(head), *rest)


def digit_splits(run: str, n: int) -> list[Vector] | None:
    """Every reading of a digit run (spaces are certain cell boundaries) as n numbers; None if too many."""
    tokens = run.split()
    if sum(len(t) for t in tokens) < n or len(tokens) > n:
        return []
    out: list[Vector] = []

    def rec(i: int, remaining: int, acc: tuple[int, ...]) -> bool:
        if i == len(tokens):
            if remaining == 0:
                out.append(tuple(Decimal(v) for v in acc))
            return len(out) <= MAX_CANDIDATES
        left = len(tokens) - i - 1
        for parts in range(1, min(len(tokens[i]), remaining - left) + 1):
            for split in _split_token(tokens[i], parts):
                if not rec(i + 1, remaining - parts, acc + split):
                    return False
        return True

    return out if rec(0, n, ()) else None


def row_total_holds(vec: Vector) -> bool:
    """total = sum of the six applicant columns; cells not printed count as nothing."""
    *parts, total = vec
    return (total or 0) == sum(p or 0 for p in parts)


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
