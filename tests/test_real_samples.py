"""Real reports nobody here wrote, exactly as found, against their truth (tests/fixtures/real/README.md).

Every cell the text determines equals the truth; a cell it cannot determine is null with an issue, never a
guess. The truth of three cells of the crawled page came from the page's HTML, which the crawl text lost: those
are asserted null with their issue.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from extract.parse import parse_file

REAL = Path(__file__).resolve().parent / "fixtures" / "real"
# Cells whose truth the file itself cannot give: `行政规范性文件693665` splits ten ways into three counts and
# no relation of the form ties them (the truth's 69|3|665 was read from the original page's HTML).
UNDETERMINABLE = {
    "pingtan-2021-crawl.txt": {("disclosure", "normative_documents", c) for c in ("issued", "repealed", "in_force")},
}
# The table 三 cell each narrative fact beyond the truth's `narrative` states (the truth lists only
# applications_received and proactive_items): the prose's 上年结转, 办结 and 结转下年度 totals.
FACT_CELLS = {
    "carried_over": ("applications", "carried_over", "total"),
    "total_handled": ("applications", "total_processed", "total"),
    "carried_forward": ("applications", "carried_forward", "total"),
}
# The extra facts each file's prose states (pingtan: 办结69件，1件结转下年度; shanghai: 办结1191件（含上年结转189件）)
EXTRA_FACTS = {
    "pingtan-2021-crawl.txt": {"total_handled", "carried_forward"},
    "shanghai-office-2025-pdf2md.md": {"carried_over", "total_handled"},
}


def _truth(name: str) -> dict:
    return json.loads((REAL / f"{name}.json").read_text(encoding="utf-8"))


def _truth_cells(truth: dict) -> dict[tuple[str, str, str], Decimal | None]:
    return {(t, r, c): None if v is None else Decimal(str(v))
            for t, rows in truth["cells"].items() for r, cols in rows.items() for c, v in cols.items()}


@pytest.fixture(scope="module", params=sorted(p.name for p in REAL.iterdir() if p.suffix in (".txt", ".md")
                                               and p.name != "README.md"))
def case(request):
    return request.param, _truth(request.param), parse_file(REAL / request.param)


def test_metadata_equals_truth(case):
    _, truth, doc = case
    report = doc.report or {}
    assert (report.get("agency"), report.get("year"), report.get("template"), report.get("variant")) == (
        truth["agency"], truth["year"], truth["template"], truth["variant"])


def test_every_determinable_cell_equals_truth(case):
    name, truth, doc = case
    parsed = {(c.table, c.row, c.col): c.value for c in doc.cells}
    undeterminable = UNDETERMINABLE.get(name, set())
    expected = {ref: v for ref, v in _truth_cells(truth).items() if ref not in undeterminable}
    assert {ref: parsed.get(ref, "missing") for ref in expected} == expected


def test_undeterminable_cells_are_null_with_their_issue(case):
    name, _, doc = case
    parsed = {(c.table, c.row, c.col): c.value for c in doc.cells}
    for table, row, col in UNDETERMINABLE.get(name, set()):
        assert parsed[(table, row, col)] is None
        assert any(i.code == "ambiguous_digit_run" and i.table == table and i.row == row for i in doc.issues)


def test_no_cell_beyond_the_truth(case):
    _, truth, doc = case
    refs = set(_truth_cells(truth))
    assert {(c.table, c.row, c.col) for c in doc.cells} == refs


def test_narrative_facts_of_the_truth(case):
    """The truth's facts exactly; every other fact the prose states equals the truth table's cell it names."""
    name, truth, doc = case
    facts = {f.code: f.value for f in doc.facts}
    assert {k: facts.get(k) for k in truth["narrative"]} == {k: Decimal(v) for k, v in truth["narrative"].items()}
    extra = {k: v for k, v in facts.items() if k not in truth["narrative"]}
    assert set(extra) == EXTRA_FACTS[name]
    cells = _truth_cells(truth)
    assert extra == {k: cells[FACT_CELLS[k]] for k in extra}
    assert not any(f.is_lower_bound for f in doc.facts if f.code in extra)


def test_converter_placements_are_flagged():
    """Rows placed by printed order and cells placed by their note say so, so a user can see the reading."""
    doc = parse_file(REAL / "shanghai-office-2025-pdf2md.md")
    by_order = {i.row for i in doc.issues if i.code == "placed_by_order"}
    by_note = {(i.row, i.col) for i in doc.issues if i.code == "placed_by_note"}
    assert by_order == {"partially_granted", "rejected_reconfirm", "other_overdue_correction", "other_overdue_fee"}
    assert by_note == {("regulations", "issued"), ("normative_documents", "repealed")}
    assert doc.status == "parsed"


@pytest.mark.parametrize(("text", "code"), [
    ("福州市晋安区2016年政府信息公开工作年度报告\n一、概述\n2016年，我区认真贯彻落实《条例》。\n"
     "附表：政府信息公开情况统计表\n主动公开信息数\t条\t01\t1234\n对申请的答复总数\t条\t17\t5\n", "unsupported_format"),
    ("某某县2022年政府信息公开工作年度报告\n一、总体情况\n2022年，我县认真贯彻落实《条例》。\n"
     "二、主动公开政府信息情况\n详见附件。\n", "prose_only"),
    ("我县召开政务公开工作会议\n会议强调，要做好政务公开工作。\n", "not_a_report"),
])
def test_documents_of_another_form_are_rejected_with_their_own_code(tmp_path, text, code):
    """Pre-2019 reports and prose-only notices are told apart from pages that are no report, and no cell is
    emitted for any of them."""
    path = tmp_path / "x.txt"
    path.write_text(text, encoding="utf-8")
    doc = parse_file(path)
    assert (doc.status, doc.error.split(":")[0], doc.cells) == ("failed", code, [])


def test_ocr_markdown_family():
    """OCR/LLM markdown: table 三 as one table per row group under generic headers (数据1…), labels with an
    ASCII comma and a space after the enumerator, table 四 as three small tables, one per block."""
    doc = parse_file(Path(__file__).resolve().parent / "fixtures" / "text" / "f2021_ocr_markdown.md")
    cells = {(c.table, c.row, c.col): c.value for c in doc.cells}
    row = lambda table, code, cols: [cells[(table, code, c)] for c in cols]  # noqa: E731
    applicants = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total")
    results = ("upheld", "corrected", "other", "pending", "total")
    assert doc.status == "parsed" and len(doc.cells) == 200 and None not in cells.values()
    assert row("applications", "other_overdue_correction", applicants) == [2, 1, 0, 0, 0, 0, 3]
    assert row("applications", "total_processed", applicants) == [51, 3, 0, 0, 1, 0, 55]
    assert row("review_litigation", "review", results) == [2, 1, 0, 1, 4]
    assert row("review_litigation", "litigation_direct", results) == [1, 0, 0, 2, 3]
    assert row("review_litigation", "litigation_after_review", results) == [0, 0, 0, 1, 1]


def test_word_pasted_html_family(tmp_path):
    """Word-pasted HTML: labels split across <span>s, <o:p>, &nbsp; spacer cells, a trailing empty cell past the
    header, CMS chrome with an address in a footer. The agency is the title's; without one, the signature's,
    never the address line's."""
    page = Path(__file__).resolve().parent / "fixtures" / "forms" / "word-pasted-2022.html"
    doc = parse_file(page)
    cells = {(c.table, c.row, c.col): c.value for c in doc.cells}
    assert doc.report["agency"] == "某某县人民政府" and doc.report["year"] == 2022
    assert [cells[("disclosure", "normative_documents", c)] for c in ("issued", "repealed", "in_force")] == [3, 1, 25]
    assert cells[("disclosure", "licensing", "decisions")] == 1024
    assert [cells[("review_litigation", "litigation_direct", c)] for c in ("pending", "total")] == [1, 1]
    untitled = tmp_path / "untitled.html"
    untitled.write_text(page.read_text(encoding="utf-8").replace("某某县人民政府2022年", "2022年"), encoding="utf-8")
    assert parse_file(untitled).report["agency"] == "某某县人民政府办公室"


def test_markdown_spacer_columns_between_values_are_dropped():
    """markitdown over pdfminer lays rows out by x position: columns empty in every row sit between the value
    columns, and a blank value cell would slide under the wrong header if they were kept."""
    from extract.match import parse_applications
    from extract.readers.text import read
    from extract.template import templates

    rows = ["| （一）予以公开 |  | 0 |  | 149 | 0 |  | 0 | 0 | 0 | 149 |",
            "| 1.属于国家秘密 |  | 0 |  | 0 | 0 |  | 0 | 3 | 0 | 3 |",
            "| 7.属于行政执法案卷 |  |  |  | 211 | 0 |  | 0 | 7 | 0 | 218 |",
            "| 8.属于行政查询事项 |  | 0 |  | 28 | 0 |  | 0 | 4 | 0 | 32 |",
            "| 2.重复申请 |  | 0 |  | 0 | 0 |  | 0 | 9 | 0 | 9 |"]
    blocks = read("\n".join(rows).encode("utf-8"), Path("x.md")).blocks
    res = parse_applications(blocks, templates(), "F2021")
    cells = {(c.row, c.col): c.value for c in res.cells}
    assert [cells[("denied_enforcement_file", c)] for c in ("natural_person", "commercial", "legal_service", "total")
            ] == [None, 211, 7, 218]
    assert cells[("granted", "commercial")] == 149
