"""`clean_text` and `cell_text` (shared by the HTML, Word and PDF readers) keep their answers with their
shortcuts (issue 15): a line with nothing to rewrite is only stripped, a cell of one line is one cleaned
line, short texts are remembered. The regular expressions they replace are kept here as the reference."""

from __future__ import annotations

import random
import re

import pytest

from extract.readers import grid

_WIDE = grid._WIDE
_SPACE_NEXT_TO_WIDE = re.compile(rf"(?<=[{_WIDE}])[ \t]+|[ \t]+(?=[{_WIDE}])")
_SPACES = re.compile(r"[ \t\u00a0\u2002\u2003\u2009\u200b]+")


def clean_reference(raw: str) -> str:
    s = _SPACES.sub(" ", raw.replace("&nbsp;", " ").replace("\u3000", " "))
    return _SPACE_NEXT_TO_WIDE.sub("", s).strip()


def cell_reference(raw: str) -> str:
    out = ""
    for line in (clean_reference(x) for x in re.split(r"[\r\n\v\f\u2028\u2029]+", raw)):
        if not line:
            continue
        if out and not re.match(rf"[{_WIDE}]", line[0]) and not re.match(rf"[{_WIDE}]", out[-1]):
            out += " "
        out += line
    return out


CRAFTED = ["", " ", "\t", "\u3000", "&nbsp;", "一、 总体情况", "本年 新收 5 件", "  商业企\n业 ", "a\nb",
           "三、\n本\n年", "5\u00a0件", "x\u200by", "12 345", "（一）\u3000部分公开", "abc&nbsp;def",
           "\r\n", "\u2028a\u2029b\u2028",
           "a \t b", "“引号” 内", "数\x0b字", "\x0c", "A" * 300 + " 中 文", "中" * 250, "  trailing\u2003"]
ALPHABET = ["中", "文", "a", "1", " ", "\t", "\n", "\r", "\u3000", "\u00a0", "\u2002", "\u200b", "&nbsp;", "、", "“",
            "\x0b", "\u2028", "-", "（"]


def _random_texts(n: int) -> list[str]:
    rng = random.Random(15)
    return ["".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 40))) for _ in range(n)]


@pytest.mark.parametrize("raw", CRAFTED)
def test_crafted_texts(raw: str):
    assert grid.clean_text(raw) == clean_reference(raw)
    assert grid.cell_text(raw) == cell_reference(raw)


def test_random_texts_twice_each_remembered_or_not():
    texts = _random_texts(3000)
    for _ in range(2):
        assert [grid.clean_text(t) for t in texts] == [clean_reference(t) for t in texts]
        assert [grid.cell_text(t) for t in texts] == [cell_reference(t) for t in texts]


def test_real_values():
    assert grid.clean_text(" 本年\u3000新收&nbsp;5 件 ") == "本年新收5件"
    assert grid.clean_text("Total  count\t 12") == "Total count 12"
    assert grid.cell_text("商业企\n业") == "商业企业"
    assert grid.cell_text("total\n12") == "total 12"
    long = "甲 " * 150
    assert grid.clean_text(long) == "甲" * 150  # past the remembered length: the same cleaning
