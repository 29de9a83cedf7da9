"""The parse's shortcuts give the answers of the code they replace (issue 15's parse speed).

Each shortcut skips work whose answer is known in advance; these tests compare it with the longer way on many
inputs, so a later edit to either side that makes them disagree fails here, not silently in a report's cells.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

from extract.blocks import Block, Cell
from extract.cells import merged_values, read_cell
from extract.layouts import _RUN, _may_end_a_run, _piece_block
from extract.match import _last_label_at, _without_spacers, candidates, window_readings
from extract.narrative import _literal_in_every_match, _searches
from extract.template import templates
from extract.text import width

FIXTURES = Path(__file__).parent / "fixtures" / "text"

# Cell texts a section-三 row prints: labels, counts, units, not-reported markers, merged cells, blanks.
TEXTS = ("（一）予以公开", "自然人", "1.申请人无正当理由", "0", "12", "1 3", "251000元", "3件", "—", "/", "无",
         "不适用", "", "  ", "0 不适用", "合计", "09", "-", "1.5", "+4", "Col3")


def _forward_last_label(texts: tuple[str, ...]) -> int | None:
    """The definition `_last_label_at` had: every cell read left to right, the last label kept."""
    idx = None
    for i, text in enumerate(texts):
        if text.strip() and read_cell(text, amount=True).kind == "text" and not merged_values(text):
            idx = i
    return idx


def test_last_label_read_from_the_right_is_the_last_label():
    rng = random.Random(15)
    rows = [tuple(rng.choice(TEXTS) for _ in range(rng.randint(0, 10))) for _ in range(3000)]
    found = [_last_label_at(row) for row in rows]
    assert found == [_forward_last_label(row) for row in rows]
    assert _last_label_at(("（一）予以公开", "0", "1 3", "251000元")) == 0
    assert _last_label_at(("0", "1", "—")) is None
    assert {i for i in found if i is not None} >= {0, 1, 5}  # the rows drawn put labels in many places


def test_a_row_as_wide_as_its_columns_has_the_one_window_reading():
    rng = random.Random(7)
    for _ in range(500):
        values = [Cell(rng.choice(TEXTS), line=3) for _ in range(7)]
        got = candidates(values, 7)
        assert got == window_readings(values, 7)  # the window search the exact-width shortcut skips
        assert got[1] == "exact" and got[0][0] is not values and got[0][0] == values


def test_the_run_prefilter_passes_every_piece_the_run_pattern_matches():
    rng = random.Random(3)
    parts = ("本年新收政府信息公开申请数量", "年", "第", " ", "\u3000", "23", "0", "１２", "1.5", "+4", "-3", "件",
             "元", "万元", "—", "——", "–", "/", "无", "不适用", "-", "。", "，", "情况", "\n", "a", "²")
    matched = 0
    for _ in range(20000):
        piece = "".join(rng.choice(parts) for _ in range(rng.randint(1, 8)))
        if _RUN.match(piece):
            matched += 1
            assert _may_end_a_run(piece), piece
    assert matched > 2000  # the drawn pieces reach the pattern often enough to test the filter
    assert _piece_block("行政许可 0 12", 1).kind == "run"
    assert _piece_block("行政强制 无", 1).kind == "run"
    assert _piece_block("本机关全年共收到申请。", 1).kind == "text"


def _spacer_rows(widths: list[list[str]]) -> list[Block]:
    return [Block("row", [Cell(t, line=i) for t in texts]) for i, texts in enumerate(widths)]


def test_spacer_columns_found_from_each_cell_read_once():
    group = _spacer_rows([["（一）予以公开", "1", "", "2", "", "3"],
                          ["（二）部分公开", "0", "", "5", "", "5"],
                          ["自然人", "", "", "", "", ""],
                          ["（三）不予公开", "4", "", "—", "", "4"]])
    rows = _without_spacers(group, 3)
    assert rows is not None
    assert [[c.text for c in r.cells] for r in rows] == [
        ["（一）予以公开", "1", "2", "3"], ["（二）部分公开", "0", "5", "5"], ["自然人", "", "", "", "", ""],
        ["（三）不予公开", "4", "—", "4"]]
    assert _without_spacers(group, 4) is None  # the columns left are three, not four: read as printed
    spaced = [["（一）予以公开", "", "1", "", "2"], ["（二）部分公开", "", "0", "", "5"],
              ["（三）不予公开", "", "4", "", "4"]]
    assert [[c.text for c in r.cells] for r in _without_spacers(_spacer_rows(spaced), 2) or []] == [
        ["（一）予以公开", "", "1", "2"], ["（二）部分公开", "", "0", "5"], ["（三）不予公开", "", "4", "4"]]
    # a label standing in the first value column: the rows are read as printed
    spaced[1] = ["", "", "（二）部分公开", "", "5"]
    assert _without_spacers(_spacer_rows(spaced), 2) is None


def test_a_fact_pattern_matches_only_sentences_holding_its_literal():
    assert _literal_in_every_match(re.compile(r"行政复议\s*(?P<n>\d+)\s*(?:起|件)")) == "行政复议"
    assert _literal_in_every_match(re.compile(r"未(?:发生|出现)[^。]{0,20}行政诉讼")) == "行政诉讼"
    assert _literal_in_every_match(re.compile(r"a|bc")) == ""  # a top-level choice: no text every match holds
    assert _literal_in_every_match(re.compile(r"x(?:y)?zz")) == "zz"
    # flags that change what a literal matches: no shortcut ("PDF" matches "pdf"; verbose drops the space)
    assert _literal_in_every_match(re.compile(r"(?i)PDF\d+")) == ""
    assert _literal_in_every_match(re.compile(r"PD F\d+", re.VERBOSE)) == ""
    sentences = [width(s) for path in sorted(FIXTURES.iterdir())
                 for s in re.split(r"(?<=[。；;!?！？\n])", path.read_text(encoding="utf-8"))]
    sentences += ["本年度共收到政府信息公开申请12件", "受理各类政府信息公开申请二十三件", "未收到政府信息公开申请",
                  "全年主动公开我区各级单位政府信息2645条", "共发布信息30余条", "发生行政复议3起", "行政诉讼2件",
                  "未发生行政复议纠错", "未发生被行政诉讼的情况", "上年结转申请3件", "办结申请15件",
                  "5件结转下年度办理", "结转至下年度继续办理4件", "共受理政府信息公开申请3119件,答复3050件"]
    matched = 0
    for _code, patterns in _searches(templates()):
        for _requires, literal, search in patterns:
            for sentence in sentences:
                if search(sentence):
                    matched += 1
                    assert literal in sentence, (literal, sentence)
    assert matched >= 20
