"""Placing values that the layout alone cannot place: sparse rows and digit runs.

A row whose empty cells were dropped, or whose digits ran together, has several possible readings
("candidates"). A reading is kept only when the table's identities (row total = sum of the six applicant
columns; 第一项加第二项之和，等于第三项加第四项之和; （七）总计 = sum of the outcomes) single it out.
Otherwise the row stays null: a wrong number is worse than a missing one.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from contextlib import contextmanager
from decimal import Decimal
from functools import lru_cache
from itertools import product
from math import prod

from extract.limits import DOCUMENT_SEARCH_BUDGET, MAX_DIGIT_RUN_LENGTH, TABLE_SEARCH_BUDGET
from extract.templates import form

Vector = tuple[Decimal | None, ...]
ZERO = Decimal(0)  # a side's sum starts as a Decimal: adding one to an int goes through Decimal's type checks


# A cell's number: no leading zeros, decimals kept together, and no signed zero (`-0` is printed by nobody: in
# `18249-00018249` the `-` is a not-reported cell, and reading `-0` there let a wrong split balance).
_PART = re.compile(r"(?!-0(?:\.0+)?$)[+-]?(?:0|[1-9]\d*)(?:\.\d+)?")
# A run as a flattening leaves it: numbers (a sign starts one, a unit ends one), not-reported markers that are
# cells of their own (`—`, `/`, `无`, a `-` that signs nothing), and spaces between them.
UNITS = "万元|元|件|条|项|个|宗|起"
NULL_MARKERS = "不适用|—+|–|/|无|-(?![\\d.])"
_TOKEN = re.compile(rf"(?P<null>{NULL_MARKERS})|(?P<num>[+-]?\d+(?:\.\d+)?)(?:(?P<yuan>(?<!万)元)|{UNITS})?"
                    r"|(?P<space>\s+)|(?P<other>.)")


def run_pieces(run: str) -> list[str | None] | None:
    """The pieces of a run in order: digit strings to be cut into cells, and None for a cell printed as
    not reported. None when the run holds anything else (it is not a run of cells)."""
    pieces = _run_pieces(run)
    return None if pieces is None else list(pieces)


# Distinct runs whose pieces are remembered: several rules look at each run.
RUN_MEMO_SIZE = 65536


@lru_cache(maxsize=RUN_MEMO_SIZE)
def _run_pieces(run: str) -> tuple[str | None, ...] | None:
    pieces: list[str | None] = []
    for m in _TOKEN.finditer(run):
        if m["other"] or m["yuan"]:
            return None  # `3019218元` is 301.9218 万元 in an amount column: a split would lose the conversion
        if m["null"]:
            pieces.append(None)
        elif m["num"]:
            pieces.append(m["num"])
    return tuple(pieces)
SEARCH_BUDGET = 400_000  # steps of one row's general split search
_steps_left = [DOCUMENT_SEARCH_BUDGET]  # steps left to the table being read (outside a table: to the document)
_budget_ran_out = [False]  # whether a table's or the document's budget ran out in the current document


@contextmanager
def document_budget(steps: int = DOCUMENT_SEARCH_BUDGET):
    """Bound the split searches of one document together: a file of many long runs costs `steps` at most."""
    _steps_left[0], _budget_ran_out[0] = steps, False
    try:
        yield
    finally:
        _steps_left[0], _budget_ran_out[0] = DOCUMENT_SEARCH_BUDGET, False


@contextmanager
def table_budget(steps: int = TABLE_SEARCH_BUDGET):
    """Bound one table's split searches within the document's: a table whose rows never balance (a misprinted
    total keeps every split alive) cannot spend the steps the next table's runs need."""
    document_left = _steps_left[0]
    granted = min(steps, document_left)
    _steps_left[0] = granted
    try:
        yield
    finally:
        if _steps_left[0] < 0:
            _budget_ran_out[0] = True
        _steps_left[0] = document_left - (granted - max(_steps_left[0], 0))


def budget_exhausted() -> bool:
    """Whether a search budget ran out in the current document (the runs it did not finish were left unsplit)."""
    return _budget_ran_out[0] or _steps_left[0] < 0


def _spend() -> bool:
    """Take one step from the budget; False once it is spent."""
    _steps_left[0] -= 1
    return _steps_left[0] >= 0


def _too_long(run: str) -> bool:
    return sum(ch.isdigit() for ch in run) > MAX_DIGIT_RUN_LENGTH


# A batch repeats searches (the same run looked at by two rules, the same row printed in many reports). A memo
# answers them, charging the budget the steps the search took, and only when the budget left would
# have let that search finish: a budget runs out on exactly the inputs it ran out on without the memo.
MEMO_SEARCHES = 4096  # searches remembered (the memo is cleared when full)
MEMO_READINGS = 4096  # a search with more readings than this is not remembered (memory stays small)


class _SearchMemo:
    """Finished searches' readings with the budget steps each took."""

    def __init__(self) -> None:
        self._done: dict[tuple[object, ...], tuple[tuple[Vector, ...] | None, int]] = {}

    def take(self, key: tuple[object, ...]) -> tuple[tuple[Vector, ...] | None] | None:
        """The remembered readings (in a 1-tuple) with their steps spent, or None when not remembered or
        when the budget left is short of the steps (the search then runs, and runs out, as it always did)."""
        hit = self._done.get(key)
        if hit is None or hit[1] > _steps_left[0]:
            return None
        _steps_left[0] -= hit[1]
        return (hit[0],)

    def keep(self, key: tuple[object, ...], readings: tuple[Vector, ...] | None, budget_before: int) -> None:
        """Remember a search that ran with the budget never spent (its answer is then the budget's alone)."""
        if _steps_left[0] < 0 or (readings is not None and len(readings) > MEMO_READINGS):
            return
        if len(self._done) >= MEMO_SEARCHES:
            self._done.clear()
        self._done[key] = (readings, budget_before - _steps_left[0])


_split_memo = _SearchMemo()
_row_sum_memo = _SearchMemo()


def digit_splits(run: str, n: int, accept: Callable[[Vector], bool] | None = None) -> list[Vector] | None:
    """Every reading of a run of digits as `n` numbers that `accept` allows; None when the search is too big.

    Spaces are certain cell boundaries, and so are a sign (`0+4339`: the `+` starts a cell), a unit (`1件`
    ends one) and a not-reported marker (`—` is a cell of its own, read as None). A part is a number without
    leading zeros, with its decimals kept together. `accept` only filters the readings found: the search and
    the steps it spends do not depend on it.
    """
    if _too_long(run):
        return None
    pieces = run_pieces(run)
    if not pieces or len(pieces) > n:
        return []
    hit = _split_memo.take((run, n))
    if hit is None:
        budget_before = _steps_left[0]
        readings = _split_search(pieces, n)
        _split_memo.keep((run, n), readings, budget_before)
    else:
        readings = hit[0]
    if readings is None:
        return None
    return [vec for vec in readings if accept is None or accept(vec)]


def _split_search(pieces: list[str | None], n: int) -> tuple[Vector, ...] | None:
    """Every reading of the pieces as `n` numbers, in search order; None when a budget ran out.

    The budgets count the calls of `_stepwise_split_search`'s `rec`. Where a call's subtree depends only on
    (piece, position in it, cells placed), `_SplitTree` counts those calls and lists the readings without
    walking the dead branches: when both budgets cover the count, it is charged at once and the readings are
    the same; otherwise the step-by-step search runs and runs out at the same step as it always did."""
    tree = _SplitTree(pieces, n)
    steps = tree.steps(0, 0, 0)
    if steps <= SEARCH_BUDGET and steps <= _steps_left[0]:
        _steps_left[0] -= steps
        return tree.readings()
    return _stepwise_split_search(pieces, n)


class _SplitTree:
    """`_stepwise_split_search`'s call tree folded on its states (piece, position in it, cells placed)."""

    def __init__(self, pieces: list[str | None], n: int) -> None:
        self.pieces, self.n = pieces, n
        self._children: dict[tuple[int, int, int], list[tuple[Decimal | None, tuple[int, int, int]]]] = {}
        self._steps: dict[tuple[int, int, int], int] = {}
        self._live: dict[tuple[int, int, int], bool] = {}
        self._numbers: dict[str, Decimal | None] = {}

    def children(self, state: tuple[int, int, int]) -> list[tuple[Decimal | None, tuple[int, int, int]]]:
        """The calls `rec` makes from this state, in order, with the value each appends (the same rules)."""
        hit = self._children.get(state)
        if hit is not None:
            return hit
        i, pos, k = state
        pieces, n = self.pieces, self.n
        out: list[tuple[Decimal | None, tuple[int, int, int]]] = []
        n_pieces = len(pieces)
        if i < n_pieces and n - k >= n_pieces - i:
            piece = pieces[i]
            cells_left, pieces_left = n - k, n_pieces - i
            if piece is None:
                out.append((None, (i + 1, 0, k + 1)))
            elif pos == len(piece):
                out.append((_NO_CELL, (i + 1, 0, k)))
            else:
                length = len(piece)
                last_cell = cells_left == 1 or (cells_left == pieces_left and pos == 0)
                for end in ((length,) if last_cell else range(pos + 1, length + 1)):
                    part = piece[pos:end]
                    if part not in self._numbers:
                        self._numbers[part] = Decimal(part) if _PART.fullmatch(part) else None
                    value = self._numbers[part]
                    if value is not None:
                        out.append((value, (i + 1, 0, k + 1) if end == length else (i, end, k + 1)))
        self._children[state] = out
        return out

    def steps(self, i: int, pos: int, k: int) -> int:
        """Calls of `rec` from this state on, itself included."""
        state = (i, pos, k)
        hit = self._steps.get(state)
        if hit is None:
            hit = self._steps[state] = 1 + sum(self.steps(*child) for _, child in self.children(state))
        return hit

    def live(self, state: tuple[int, int, int]) -> bool:
        """Whether some reading is found below this state."""
        hit = self._live.get(state)
        if hit is None:
            i, _, k = state
            hit = (k == self.n if i == len(self.pieces) else any(self.live(child) for _, child in self.children(state)))
            self._live[state] = hit
        return hit

    def readings(self) -> tuple[Vector, ...]:
        """Every reading, in `rec`'s order."""
        out: list[Vector] = []
        acc: list[Decimal | None] = []

        def walk(state: tuple[int, int, int]) -> None:
            if state[0] == len(self.pieces):
                out.append(tuple(acc))
                return
            for value, child in self.children(state):
                if not self.live(child):
                    continue
                if value is _NO_CELL:
                    walk(child)
                    continue
                acc.append(value)
                walk(child)
                acc.pop()

        if self.live((0, 0, 0)):
            walk((0, 0, 0))
        return tuple(out)


_NO_CELL = object()  # a move to the next piece that places no cell


def _stepwise_split_search(pieces: list[str | None], n: int) -> tuple[Vector, ...] | None:
    """The split search step by step: each call of `rec` is one step of the row's budget and of the
    table's."""
    out: list[Vector] = []
    budget = [SEARCH_BUDGET]
    document = _steps_left
    n_pieces = len(pieces)
    numbers: dict[str, Decimal | None] = {}

    def number(part: str) -> Decimal | None:
        if part not in numbers:
            numbers[part] = Decimal(part) if _PART.fullmatch(part) else None
        return numbers[part]

    def rec(i: int, pos: int, acc: list[Decimal | None]) -> bool:
        budget[0] -= 1
        if budget[0] < 0:
            return False
        document[0] -= 1
        if document[0] < 0:
            return False
        if i == n_pieces:
            if len(acc) == n:
                out.append(tuple(acc))
            return True
        piece = pieces[i]
        cells_left = n - len(acc)
        pieces_left = n_pieces - i
        if cells_left < pieces_left:
            return True
        if piece is None:  # a not-reported marker is one cell
            acc.append(None)
            ok = rec(i + 1, 0, acc)
            acc.pop()
            return ok
        length = len(piece)
        if pos == length:
            return rec(i + 1, 0, acc)
        last_cell = cells_left == 1 or (cells_left == pieces_left and pos == 0)
        for end in ((length,) if last_cell else range(pos + 1, length + 1)):
            value = number(piece[pos:end])
            if value is None:
                continue
            acc.append(value)
            ok = rec(i + 1, 0, acc) if end == length else rec(i, end, acc)
            acc.pop()
            if not ok:
                return False
        return True

    return tuple(out) if rec(0, 0, []) else None


# The row identities the solver checks, as the relations declare them (extract/templates/relations.yaml), in the
# columns' printed order: section 三's total sums the applicant columns before it (自然人 and five kinds of
# 法人或其他组织), and an agency-added 法人或其他组织小计 sits after them, before the total (it sums the five
# organisations); each block of section 四 prints its results, then their 总计.
ROW_TOTAL_PARTS = form.identity("T3_ROW_TOTAL")[1]
APPLICANT_PARTS = len(ROW_TOTAL_PARTS)
SUBTOTAL_COLUMN = APPLICANT_PARTS
BLOCK_TOTAL_PARTS = form.identity("T4_TOTAL")[1]
BLOCK_WIDTH = len(BLOCK_TOTAL_PARTS) + 1


def row_total_holds(vec: Vector, has_subtotal: bool = False) -> bool:
    """total = sum of the six applicant columns (and an added 小计 = its five organisation columns);
    cells not printed count as nothing."""
    v = [x or ZERO for x in vec]
    if has_subtotal and v[SUBTOTAL_COLUMN] != sum(v[1:SUBTOTAL_COLUMN], ZERO):
        return False
    return v[-1] == sum(v[:APPLICANT_PARTS], ZERO)


def block_totals_hold(vec: Vector) -> bool:
    """Section 四: each block's 总计 = its four results; cells not printed count as nothing."""
    v = [x or Decimal(0) for x in vec]
    parts = len(BLOCK_TOTAL_PARTS)
    return all(v[i + parts] == sum(v[i:i + parts]) for i in range(0, len(v), BLOCK_WIDTH))


# Rows still open in one equation are tried together when their readings combine to at most this many
# cases (two digit-run rows with two readings each are common; the search stays small and bounded).
JOINT_CASES_LIMIT = 4096


def solve(candidates: dict[str, list[Vector]], equations: list[tuple[list[str], list[str]]],
          ncols: int) -> dict[str, Vector | None]:
    """Each row's one reading left by the column equations (see `narrow`), None where none or several are."""
    return {row: c[0] if len(c) == 1 else None for row, c in narrow(candidates, equations, ncols).items()}


def narrow(candidates: dict[str, list[Vector]], equations: list[tuple[list[str], list[str]]],
           ncols: int) -> dict[str, list[Vector]]:
    """Narrow each row's candidates with the column equations until nothing changes.

    `equations` are (lhs rows, rhs rows) that must balance in every column. The rows of an equation that are
    still open are tried together: a candidate is kept only if some combination with the other open rows'
    candidates balances the equation in every column it can be evaluated in (a cell not printed makes its
    column not assessable). A row left with none has no reading the table's columns admit.
    """
    live = {row: list(c) for row, c in candidates.items()}
    changed = True
    while changed:
        changed = False
        for lhs, rhs in equations:
            rows = [r for r in dict.fromkeys(lhs + rhs) if r in live]
            if len(rows) != len(set(lhs + rhs)) or any(not live[r] for r in rows):
                continue  # a row of the equation was not printed or not read: it cannot be evaluated
            open_rows = [r for r in rows if len(live[r]) > 1]
            if not open_rows or prod(len(live[r]) for r in open_rows) > JOINT_CASES_LIMIT:
                continue
            fixed = {r: live[r][0] for r in rows if r not in open_rows}
            # a column is assessed where every decided row prints its cell, whichever readings are tried
            assessed = [col for col in range(ncols) if all(v[col] is not None for v in fixed.values())]
            kept: dict[str, set[Vector]] = {r: set() for r in open_rows}
            # one combination is a reading per row of `rows` (a decided row has its one); each side picks its own
            at = {r: i for i, r in enumerate(rows)}
            left, right = [at[r] for r in lhs], [at[r] for r in rhs]
            tried = [(kept[r], at[r]) for r in open_rows]
            for combo in product(*(live[r] if r in kept else [fixed[r]] for r in rows)):
                if _balances([combo[i] for i in left], [combo[i] for i in right], assessed):
                    for readings, i in tried:
                        readings.add(combo[i])
            for r in open_rows:
                narrowed = [v for v in live[r] if v in kept[r]]
                if len(narrowed) != len(live[r]):
                    live[r] = narrowed
                    changed = True
    return live


def _balances(left: list[Vector], right: list[Vector], assessed: list[int]) -> bool:
    """Both sides are equal in every assessed column (where the decided rows' cells are printed). A cell a reading
    being tried leaves empty counts as nothing (a dropped blank adds nothing): were its column skipped instead, a
    shifted reading could escape exactly the column that refutes it. Each side is summed in its rows' order."""
    return all(_side_sum(left, col) == _side_sum(right, col) for col in assessed)


def _side_sum(side: list[Vector], col: int) -> Decimal:
    """One side's sum in a column, a cell not printed counting as nothing."""
    total: Decimal = ZERO
    for vec in side:
        v = vec[col]
        if v is not None:
            total += v
    return total


def row_sum_splits(run: str, has_subtotal: bool = False) -> list[Vector] | None:
    """Readings of a section-三 row's digit run whose last cell is the sum of the six before it (and an
    added 小计 the sum of the five organisation cells). The total's length bounds every part (and one part
    must be nearly as long), and the last column and the 小计 follow from the sums instead of being searched.
    None when the run has signs or decimals (the general search handles those); no reading when the run
    is longer than any row's digits or the search budget runs out."""
    if any(not (ch.isdigit() or ch.isspace()) for ch in run):
        return None
    if _too_long(run):
        return []
    hit = _row_sum_memo.take((run, has_subtotal))
    if hit is not None:
        return list(hit[0] or ())
    budget_before = _steps_left[0]
    readings = _row_sum_search(run, has_subtotal)
    _row_sum_memo.keep((run, has_subtotal), tuple(readings), budget_before)
    return readings


def _row_sum_search(run: str, has_subtotal: bool) -> list[Vector]:
    """`row_sum_splits`' search: each call of `completions` is one step of the budget."""
    document = _steps_left
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
                        t: int = t, total: int = total, length: int = len(prefix)) -> list[tuple[int, ...]]:
            document[0] -= 1
            if document[0] < 0:
                return []
            left = n_parts - k
            rest = length - start
            if left == 0:
                return [()] if rest == 0 and running == total else []
            if rest > left * t or rest < left:
                return []
            # a t-digit total is the sum of at most seven numbers: one of them has at least t-1 digits
            if longest < t - 1 and rest - left + 1 < t - 1:
                return []
            if k == 5 or k == 6:  # the last applicant column, and an added 小计, are determined by the sums
                value = total - running if k == 5 else running - first
                text = str(value)
                end = start + len(text)
                if value < 0 or prefix[start:end] != text or (forced and any(start < f < end for f in forced)):
                    return []
                nxt = completions(end, k + 1, running + (value if k == 5 else 0), first, max(longest, len(text)))
                return [(value, *r) for r in nxt] if nxt else []
            found: list[tuple[int, ...]] = []
            leading_zero = prefix[start] == "0"  # a part starting with 0 is 0 itself
            last = length - left + 1  # the parts after this one need a digit each
            for end in range(start + 1, (start + t if start + t < last else last) + 1):
                if forced and any(start < f < end for f in forced):
                    break
                if leading_zero and end > start + 1:
                    break
                value = int(prefix[start:end])
                if running + value > total:
                    break
                width = end - start
                nxt = completions(end, k + 1, running + value, value if k == 0 else first,
                                  longest if longest >= width else width)
                if nxt:
                    found.extend((value, *r) for r in nxt)
            return found

        out.extend(tuple(Decimal(v) for v in (*parts, total)) for parts in completions(0, 0, 0, 0, 0))
    return out


# --------------------------------------------------------------------------- cells a converter glued or cut

_DIGITS = re.compile(rf"(\d+)(?:{UNITS})?")
Row = list[str | None]


def _plain_digits(text: str | None) -> str | None:
    """The cell's digits when it prints a plain whole number (full-width digits and a unit too), else None."""
    if text is None:
        return None
    m = _DIGITS.fullmatch(unicodedata.normalize("NFKC", text).strip())
    return m[1] if m else None


def _whole(digits: str) -> bool:
    """`07` is no count a table prints, so no cut leaves it."""
    return len(digits) == 1 or digits[0] != "0"


def _cuts(digits: str) -> list[tuple[str, str]]:
    return [(digits[:k], digits[k:]) for k in range(1, len(digits)) if _whole(digits[:k]) and _whole(digits[k:])]


def _moved_boundaries(row: Row) -> list[Row]:
    """`２３７１` `７0` printed for `２３７１７` `0`: the boundary between two neighbours moved."""
    digits = [_plain_digits(t) for t in row]
    out = []
    for i in range(len(row) - 1):
        a, b = digits[i], digits[i + 1]
        if a is not None and b is not None:
            out += [[*row[:i], x, y, *row[i + 2:]] for x, y in _cuts(a + b) if x != a]
    return out


def _glued_stray(row: Row) -> list[Row]:
    """`10` printed for a last cell `1` glued to a stray cell `0` after it."""
    last = _plain_digits(row[-1]) if row else None
    return [[*row[:-1], kept] for kept, _ in _cuts(last or "")]


def _lost_delimiter(row: Row) -> list[Row]:
    """`1` `0项` printed as `10项` (or as `100项`, the delimiter turned into a digit), the row padded back to its
    width by an empty cell (a label's residue)."""
    out = []
    for i, text in enumerate(row):
        digits = _plain_digits(text) or ""
        overwritten = [(digits[:k], digits[k + 1:]) for k in range(1, len(digits) - 1)
                       if _whole(digits[:k]) and _whole(digits[k + 1:])]
        for x, y in _cuts(digits) + overwritten:
            split = [*row[:i], x, y, *row[i + 1:]]
            out += [split[:j] + split[j + 1:] for j, t in enumerate(split) if t is None or not t.strip()]
    return out


def _cells_gained(row: Row, after: Row) -> list[Row]:
    """A range of k cells duplicated into the row (it repeats the k cells before it), pushing the row's last
    cells past its columns: the repeat dropped and the k printed cells after the row taken back in."""
    after = [t for t in after if t is not None and t.strip()]
    out = []
    for k in range(1, len(after) + 1):
        out += [[*row[:i], *row[i + k:], *after[:k]] for i in range(k, len(row) - k + 1)
                if all(_repeats(copy, first) for copy, first in zip(row[i:i + k], row[i - k:i], strict=True))]
    return out


def _repeats(copy: str | None, first: str | None) -> bool:
    """A cell that repeats another, or is left empty by a byte-level copy that cut a character in two."""
    return not (copy or "").strip() or _plain_digits(copy) == _plain_digits(first)


def recut_readings(row: Row, value_of: Callable[[str | None], Decimal | None], holds: Callable[[Vector], bool],
                   after: Row = ()) -> list[Vector]:
    """Readings, other than the printed one, that a converter or a damaged byte gluing, cutting or duplicating
    cells could have left this row with, and that satisfy the row's identities where the printed reading
    does not. A printed inconsistency and such a fault read the same, so the row is determinable only when no
    such reading exists (see `extract.match`). `after` holds printed cells past the row's columns."""
    if holds(tuple(value_of(t) for t in row)):
        return []
    moves = (_moved_boundaries(row), _glued_stray(row), _lost_delimiter(row), _cells_gained(row, list(after)))
    readings = (tuple(value_of(t) for t in alt) for move in moves for alt in move if len(alt) == len(row))
    return [r for r in readings if holds(r)]
