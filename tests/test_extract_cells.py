"""Cell rules of the spec: blank is not zero, signs, widths, separators and units."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extract.blocks import Cell
from extract.cells import read_cell
from extract.match import candidates
from extract.text import key


@pytest.mark.parametrize("raw", ["", " ", "/", "—", "-", "无", "不适用", "&nbsp;", "\u3000", "\u00a0"])
def test_not_reported_is_null_with_raw_kept(raw):
    reading = read_cell(raw)
    assert reading.value is None and reading.kind == "null" and reading.raw == raw


@pytest.mark.parametrize(("raw", "value"), [
    ("0", "0"), ("　　0", "0"), ("+35", "35"), ("-38", "-38"), ("１２３", "123"), ("1,036", "1036"),
    ("31.1807", "31.1807"), ("166.3700", "166.37"), (" 5 ", "5"), ("3件", "3"),
])
def test_numbers(raw, value):
    assert read_cell(raw).value == Decimal(value)


def test_yuan_in_an_amount_column_is_converted_to_10k_yuan():
    reading = read_cell("251000元", amount=True)
    assert reading.value == Decimal("25.1000") and reading.converted_from_yuan and reading.raw == "251000元"


def test_yuan_in_a_count_column_is_not_a_number():
    assert read_cell("251000元").kind == "text"


def test_text_is_not_a_number():
    assert read_cell("详见附表").kind == "text" and read_cell("详见附表").value is None


def test_label_keys_ignore_width_spaces_enumerators_and_notes():
    assert key("(二) 部分公开(区分处理的,只计这一情形,不计其他情形)") == key(
        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）") == "部分公开"
    assert key("结 果 维 持") == key("结\n果\n维\n持") == "结果维持"
    assert key("3.危及“三安全一稳定”") == "危及三安全一稳定"


def _cells(*texts: str) -> list[Cell]:
    return [Cell(t) for t in texts]


def test_blank_residue_is_dropped_only_when_certain():
    cands, how = candidates(_cells("", "3", "0", "0", "0", "0", "0", "3", ""), 7)
    assert how == "exact" and [c.text for c in cands[0]] == ["3", "0", "0", "0", "0", "0", "3"]


def test_short_rows_are_read_left_to_right_only_when_a_label_took_the_cell():
    cands, how = candidates(_cells("0", "0"), 3, left_to_right=True)
    assert how == "left_to_right" and len(cands) == 1 and cands[0][2] is None


def test_short_rows_are_otherwise_sparse_with_every_placement():
    cands, how = candidates(_cells("3", "3"), 7)
    assert how == "sparse" and len(cands) == 21


def test_a_shift_is_two_readings_not_a_guess():
    cands, how = candidates(_cells("", "5", "0", "0", "0", "0", "0", "", ""), 7)
    assert how == "window" and len(cands) == 2


def test_too_many_numbers_have_no_reading():
    cands, how = candidates(_cells("1", "2", "3", "4"), 3)
    assert cands == [] and how == "too_many"
