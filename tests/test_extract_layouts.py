"""F2021 and the flattenings beyond the samples: markdown tables, crawled text with digit runs, sparse rows."""

from __future__ import annotations

from pathlib import Path

from extract.blocks import Block, Cell
from extract.match import parse_applications
from extract.parse import parse_file
from extract.solve import digit_splits
from extract.template import templates

TEXT = Path(__file__).resolve().parent / "fixtures" / "text"


def _cells(doc) -> dict[tuple[str, str, str], object]:
    return {(c["table"], c["row"], c["col"]): c["value"] for c in doc.as_json()["cells"]}


REFERENCE = _cells(parse_file(TEXT / "f2021_tab_rows.txt"))


def test_f2021_tab_rows_read_completely():
    doc = parse_file(TEXT / "f2021_tab_rows.txt")
    assert doc.status == "parsed"
    assert {k: doc.report[k] for k in ("agency", "year", "template", "variant")} == {
        "agency": "南京市玄武区人民政府梅园新村街道办事处", "year": 2022, "template": "F2021", "variant": "national"}
    assert sum(1 for k in REFERENCE if k[0] == "applications") == 175
    assert REFERENCE[("applications", "other_overdue_correction", "other_org")] == 1
    assert REFERENCE[("disclosure", "normative_documents", "in_force")] == 12
    assert REFERENCE[("disclosure", "licensing", "decisions")] == 125
    assert REFERENCE[("disclosure", "enforcement", "decisions")] is None
    assert REFERENCE[("disclosure", "fees", "amount_10k_yuan")] == 96171.6
    assert REFERENCE[("review_litigation", "review", "total")] == 2
    assert doc.as_json()["narrative"] == {"applications_received": 14, "proactive_items": 1205, "review_cases": 2}


def test_markdown_tables_read_like_tab_rows():
    doc = parse_file(TEXT / "f2021_markdown.md")
    assert (doc.layout, doc.status) == ("markdown", "parsed")
    assert _cells(doc) == REFERENCE


def test_digit_runs_are_split_only_where_the_identities_allow_one_split():
    doc = parse_file(TEXT / "f2021_digit_runs.txt")
    cells = _cells(doc)
    assert doc.layout == "plain"
    wrong = {k: v for k, v in cells.items() if v is not None and v != REFERENCE[k]}
    assert wrong == {}
    assert all(cells[k] == REFERENCE[k] for k in REFERENCE if k[0] in ("applications", "review_litigation"))
    ambiguous = [i for i in doc.issues if i.code == "ambiguous_digit_run"]
    assert [(i.table, i.row) for i in ambiguous] == [("disclosure", "normative_documents")]
    assert [cells[("disclosure", "normative_documents", c)] for c in ("issued", "repealed", "in_force")] == [
        None, None, None]


def test_digit_splits_respect_spaces_and_leading_zeros():
    splits = digit_splits("230 000023", 7)
    assert (23, 0, 0, 0, 0, 0, 23) in splits and all(len(s) == 7 for s in splits)
    assert digit_splits("0000000", 7) == [(0,) * 7]


def _row(label: str, *values: str) -> Block:
    return Block("row", [Cell(label, line=1), *(Cell(v, line=1) for v in values)])


def test_sparse_row_is_placed_only_when_column_identities_fix_it():
    tpl = templates()
    zeros = ["0"] * 7
    blocks = [_row("一、本年新收政府信息公开申请数量", "3", "3"),  # sparse: 3 could be any applicant column
              _row("二、上年结转政府信息公开申请数量", *zeros),
              _row("（一）予以公开", "3", "0", "0", "0", "0", "0", "3"),
              _row("（七）总计", "3", "0", "0", "0", "0", "0", "3"),
              _row("四、结转下年度继续办理", *zeros)]
    res = parse_applications(blocks, tpl, "F2019")
    new = {c.col: c.value for c in res.cells if c.row == "new_received"}
    assert new == {"natural_person": 3, "commercial": None, "research": None, "social_welfare": None,
                   "legal_service": None, "other_org": None, "total": 3}
    assert any(i.code == "placed_by_identities" and i.row == "new_received" for i in res.issues)


def test_sparse_row_without_deciding_identities_stays_null():
    tpl = templates()
    res = parse_applications([_row("一、本年新收政府信息公开申请数量", "3", "3")], tpl, "F2019")
    assert all(c.value is None for c in res.cells)
    assert [i.code for i in res.issues] == ["ambiguous_alignment"]
