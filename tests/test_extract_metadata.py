"""Metadata beyond the samples: level and region from the gazetteer, narrative numerals, subtotal column."""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.blocks import Block, Cell
from extract.match import parse_applications
from extract.narrative import find_facts
from extract.region import classify
from extract.template import templates


@pytest.mark.parametrize(("agency", "level", "province", "city", "county"), [
    ("北京市朝阳区人民政府东湖街道办事处", "乡镇/街道", "北京市", "北京市", "朝阳区"),
    ("淮安市洪泽区人民政府", "县/区", "江苏省", "淮安市", "洪泽区"),
    ("淮安市人民政府", "市", "江苏省", "淮安市", None),
    ("江苏省人民政府", "省", "江苏省", None, None),
    ("江苏省教育厅", "省级部门", "江苏省", None, None),
    ("南京市教育局", "市级部门", "江苏省", "南京市", None),
    ("北京市朝阳区教育委员会", "县级部门", "北京市", "北京市", "朝阳区"),
    ("国家统计局", "国务院部门", None, None, None),
    ("小关街道", "乡镇/街道", None, None, None),
])
def test_level_and_region(agency, level, province, city, county):
    assert classify(agency, templates()) == {"admin_level": level, "province": province, "city": city,
                                             "county": county}


def _facts(text: str) -> dict[str, tuple[object, bool]]:
    blocks = [Block("text", [Cell(text, line=1)])]
    return {f.code: (f.value, f.is_lower_bound) for f in find_facts(blocks, templates())}


def test_chinese_numerals_and_approximate_figures():
    facts = _facts("全年共主动公开政府信息5500余条。共收到政府信息公开申请七件。发生行政复议二起，行政诉讼3件。")
    assert facts == {"proactive_items": (5500, True), "applications_received": (7, False),
                     "review_cases": (2, False), "litigation_cases": (3, False)}


def test_zero_stated_in_words():
    facts = _facts("本年度未收到政府信息公开申请，未发生因政府信息公开引起的行政复议、行政诉讼。")
    assert facts == {"applications_received": (0, False), "review_cases": (0, False),
                     "litigation_cases": (0, False)}


def test_added_subtotal_column_is_recognised_and_checked(tmp_path: Path):
    tpl = templates()
    header = Block("row", [Cell(t) for t in ("", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构",
                                             "其他", "小计", "总计")])
    row = Block("row", [Cell(t, line=5) for t in ("一、本年新收政府信息公开申请数量", "4", "1", "0", "0", "1", "0",
                                                  "3", "6")])
    res = parse_applications([header, row], tpl, "F2021")
    values = {c.col: c.value for c in res.cells}
    assert values == {"natural_person": 4, "commercial": 1, "research": 0, "social_welfare": 0,
                      "legal_service": 1, "other_org": 0, "total": 6}
    mismatch = [i for i in res.issues if i.col == "subtotal_org"]
    assert len(mismatch) == 1 and "differs" in mismatch[0].detail
