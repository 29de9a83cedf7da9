"""The split searches' memo (extract/solve.py) answers a repeated search with the same readings and charges the
document's budget the same steps: a budget runs out on exactly the inputs it ran out on without the memo."""

from __future__ import annotations

import random
from decimal import Decimal
from functools import partial

from extract import solve

AMPLE = 10**6
DIGITS = "0123456789"
SMALL_SEARCH = 20_000  # steps


def _steps(search) -> tuple[object, int]:
    with solve.document_budget(AMPLE):
        result = search()
        return result, AMPLE - solve._steps_left[0]


def _with_budget(steps: int, search) -> tuple[object, bool]:
    with solve.document_budget(steps):
        return search(), solve.budget_exhausted()


def test_a_repeated_digit_split_gives_the_same_readings_for_the_same_steps():
    def search():
        return solve.digit_splits("3 10 0 1 4 9 27", 7)
    first, spent = _steps(search)
    again, spent_again = _steps(search)
    assert first == again == [tuple(Decimal(v) for v in (3, 10, 0, 1, 4, 9, 27))]
    assert spent == spent_again > 0
    assert _with_budget(spent, search) == (first, False)
    assert _with_budget(spent - 1, search) == (None, True)  # the memo does not finish a search the budget cannot


def test_accept_filters_a_remembered_search_like_a_fresh_one():
    def search():
        return solve.digit_splits("12 3 45", 4, lambda v: v[0] == Decimal(12))
    first, spent = _steps(search)
    again, spent_again = _steps(search)
    assert first == again == [tuple(Decimal(v) for v in (12, 3, 4, 5))]
    assert spent == spent_again
    assert _steps(lambda: solve.digit_splits("12 3 45", 4)) == (
        [tuple(Decimal(v) for v in parts) for parts in ((1, 2, 3, 45), (12, 3, 4, 5))], spent)


def test_a_repeated_row_sum_split_gives_the_same_readings_for_the_same_steps():
    def search():
        return solve.row_sum_splits("12345621")
    first, spent = _steps(search)
    again, spent_again = _steps(search)
    assert first == again == [tuple(Decimal(v) for v in (1, 2, 3, 4, 5, 6, 21))]
    assert spent == spent_again > 0
    assert _with_budget(spent, search) == (first, False)
    short, exhausted = _with_budget(spent - 1, search)
    assert exhausted and short != first


def _split_with(search, pieces: list[str | None], n: int, steps: int) -> tuple[object, int]:
    with solve.document_budget(steps):
        return search(pieces, n), solve._steps_left[0]


def _random_runs(seed: int, count: int) -> list[tuple[str, int]]:
    """Runs as flattenings print them (glued digits, spaces, signs, decimals, markers) with a cell count."""
    rng = random.Random(seed)
    runs = []
    while len(runs) < count:
        parts = []
        for _ in range(rng.randint(1, 5)):
            kind = rng.random()
            if kind < 0.1:
                parts.append(rng.choice(["—", "/", "无", "-"]))
            elif kind < 0.2:
                parts.append(rng.choice("+-") + "".join(rng.choice(DIGITS) for _ in range(rng.randint(1, 4))))
            elif kind < 0.25:
                parts.append(f"{rng.randint(0, 99)}.{rng.randint(0, 9)}")
            else:
                parts.append("".join(rng.choice("0001123456789") for _ in range(rng.randint(1, 10))))
        run = " ".join(parts)
        pieces = solve.run_pieces(run)
        n = rng.choice([1, 2, 3, 6, 7, 8, 15, len(pieces or ()) + 1])
        if pieces and len(pieces) <= n:
            runs.append((run, n))
    return runs


def test_the_folded_split_search_reads_and_spends_as_the_stepwise_one():
    """`_split_search` counts the stepwise search's calls without walking its dead branches: for every budget,
    the same readings (or None) and the same budget left, including a budget one step short."""
    compared = exhausted = 0
    for run, n in _random_runs(15, 250):
        pieces = solve.run_pieces(run)
        _, left = _split_with(solve._stepwise_split_search, pieces, n, AMPLE)
        steps = AMPLE - left
        if steps > SMALL_SEARCH:
            continue  # kept small; a search past one row's budget has a test of its own
        for budget in (AMPLE, steps, steps - 1, steps // 2, 0):
            stepwise = _split_with(solve._stepwise_split_search, pieces, n, budget)
            assert _split_with(solve._split_search, pieces, n, budget) == stepwise, (run, n, budget)
            compared += 1
            exhausted += stepwise[0] is None
    assert compared >= 1100 and exhausted >= 600  # most runs were compared, those out of budget too


def test_the_folded_split_search_stops_where_a_row_budget_stops_the_stepwise_one():
    run = "3141592653589793238462643383"  # 28 digits as 15 numbers: more calls than one row's budget allows
    pieces = solve.run_pieces(run)
    stepwise = _split_with(solve._stepwise_split_search, pieces, 15, AMPLE)
    assert stepwise == (None, AMPLE - solve.SEARCH_BUDGET)
    assert _split_with(solve._split_search, pieces, 15, AMPLE) == stepwise


ROW_SUM_STEPS = [  # (run, 小计 column, readings, budget steps), as the search counted them before it was sped up
    ("101146272014280350721321", False, [(10114, 6272, 0, 1428, 0, 3507, 21321)], 5293),
    ("73814792002750266017583", False, [(7381, 4792, 0, 0, 2750, 2660, 17583)], 2800),
    ("000011011", False, [(0, 0, 0, 0, 1, 10, 11), (0, 0, 0, 0, 11, 0, 11)], 9),
    ("016100017", False, [(0, 1, 6, 10, 0, 0, 17), (0, 16, 1, 0, 0, 0, 17)], 14),
    ("147613700001371613", True, [(1476, 137, 0, 0, 0, 0, 137, 1613)], 828),
]


def test_the_row_sum_search_spends_the_steps_its_budget_is_counted_in():
    """The document's budget is counted in the row-sum search's calls: a faster search must find the same readings
    in the same number of steps, or the budget would run out on other inputs."""
    for run, has_subtotal, readings, steps in ROW_SUM_STEPS:
        with solve.document_budget(AMPLE):
            found = solve._row_sum_search(run, has_subtotal)
            assert (found, AMPLE - solve._steps_left[0]) == (
                [tuple(Decimal(v) for v in r) for r in readings], steps), run
        short, exhausted = _with_budget(steps - 1, partial(solve._row_sum_search, run, has_subtotal))
        assert exhausted and len(short) <= len(readings)


HARD_RUN = ("9" * 40, 20)  # forty glued digits as twenty cells: millions of readings, no budget finishes it


def test_a_table_that_runs_out_of_steps_leaves_the_next_table_its_share():
    run, n = HARD_RUN
    with solve.document_budget(3 * SMALL_SEARCH):
        with solve.table_budget(SMALL_SEARCH):
            assert solve.digit_splits(run, n) is None
        assert solve.budget_exhausted()
        assert solve._steps_left[0] == 2 * SMALL_SEARCH  # the table spent its share, and only its share
        with solve.table_budget(SMALL_SEARCH):
            assert solve.digit_splits("3 10 0 1 4 9 27", 7) == [tuple(Decimal(v) for v in (3, 10, 0, 1, 4, 9, 27))]
        assert solve.budget_exhausted()  # the document still says a search was left unfinished


def test_the_document_budget_bounds_its_tables_together():
    run, n = HARD_RUN
    with solve.document_budget(SMALL_SEARCH + 100):
        with solve.table_budget(SMALL_SEARCH):
            assert solve.digit_splits(run, n) is None
        with solve.table_budget(SMALL_SEARCH):  # granted the 100 steps left, not a new share
            assert solve.digit_splits(run, n) is None
            assert solve._steps_left[0] < 0
        assert solve._steps_left[0] == 0
        with solve.table_budget(SMALL_SEARCH):
            assert solve.digit_splits("3 10 0 1 4 9 27", 7) is None
