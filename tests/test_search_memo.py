"""The split searches' memo (extract/solve.py) answers a repeated search with the same readings and charges the
document's budget the same steps: a budget runs out on exactly the inputs it ran out on without the memo."""

from __future__ import annotations

from decimal import Decimal

from extract import solve

AMPLE = 10**6


def _steps(search) -> tuple[object, int]:
    with solve.document_budget(AMPLE):
        result = search()
        return result, AMPLE - solve._document_budget[0]


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
