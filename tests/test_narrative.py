"""The prose's 上年结转, 办结 and 结转下年度 (extract/templates/narrative.yaml): each sentence form read as the
fact it states, and the neighbouring counts (共收到, 予以公开, 未办结, 办结 of proposals) never taken for it."""

from __future__ import annotations

from decimal import Decimal

import pytest

from extract.blocks import Block, Cell
from extract.narrative import find_facts
from extract.template import templates

TABLE_FACTS = ("carried_over", "total_handled", "carried_forward")


def _facts(text: str) -> dict[str, tuple[Decimal, bool]]:
    blocks = [Block("text", [Cell(text, line=1)])]
    return {f.code: (f.value, f.is_lower_bound) for f in find_facts(blocks, templates()) if f.code in TABLE_FACTS}


@pytest.mark.parametrize(("text", "facts"), [
    # pingtan-2021: new 70, handled 69, carried forward 1
    ("本年度全区共收到70件申请，及时依法依规办结69件，1件结转下年度继续办理。",
     {"total_handled": (69, False), "carried_forward": (1, False)}),
    # shanghai-office-2025: the 189 inside the parenthesis is the carry-over, 1191 the （七）总计
    ("市政府共受理政府信息公开申请 1295 件，办结 1191 件（含上年结转 189 件），均在法定期限内答复。",
     {"total_handled": (1191, False), "carried_over": (189, False)}),
    # huaian-city-2024: 答复 right after the applications received, 顺延到下年度 = carried forward
    ("全市共受理政府信息公开申请3119件，答复3050件（含上年度结转申请34件，另有103件顺延到下年度答复），均在法定期限内予以答复。",
     {"total_handled": (3050, False), "carried_over": (34, False), "carried_forward": (103, False)}),
    # huamu-2023 (tests/fixtures/forms)
    ("全年共收到政府信息公开申请16件，上年结转2件，均在法定期限内答复。", {"carried_over": (2, False)}),
    ("全年共收到政府信息公开申请二十三件，办结二十件，结转下年度继续办理三件。",
     {"total_handled": (20, False), "carried_forward": (3, False)}),
    ("共办结政府信息公开申请1200余件，另有30多件结转至下一年度办理。",
     {"total_handled": (1200, True), "carried_forward": (30, True)}),
    # 办结 of the carried-over applications is that part of the work, not all of it: no total_handled
    ("年初办结上年结转申请3件，本年新收申请均按期答复。", {"carried_over": (3, False)}),
])
def test_sentence_forms(text, facts):
    assert _facts(text) == {k: (Decimal(v), b) for k, (v, b) in facts.items()}


@pytest.mark.parametrize("text", [
    "全年共收到政府信息公开申请16件，予以公开10件。",  # new applications and one outcome, nothing handled
    "共收到政府信息公开申请12件，截至年底尚有3件未办结。",  # 未办结 is not 办结
    "共收到政府信息公开申请12件，因需征求第三方意见未能办结3件。",
    "全年办结人大代表建议25件、政协提案18件，依申请公开工作平稳有序。",  # 办结 of proposals
    "共收到政府信息公开申请20件，以告知形式答复15件。",  # one way of answering, not all answered
    "全年办结行政复议案件3件。",  # reviews, and no 申请 in the sentence
    "二、上年结转政府信息公开申请数量0000000三、本年度办理结果",  # a table flattened into prose
])
def test_neighbouring_counts_are_not_these_facts(text):
    assert _facts(text) == {}
