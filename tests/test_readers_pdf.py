"""Born-digital PDFs: three real reports (淮安市 2024, 洪泽区 2023 and 2024) read through their ruled tables.

Each PDF is parsed once per module. Values are pinned against the printed reports; the relations of the
schema are evaluated on the parsed cells, so a misplaced value shows up as a broken identity.
"""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path

import pytest
from documents import glyph_id_pdf, scanned_pdf
from form_groups import APPLICANT_PARTS, BALANCE_IN, BALANCE_OUT, OTHER_SINGLE, OTHER_SPLIT, OUTCOMES_BASE

from extract.blocks import Block, Cell
from extract.parse import ParsedDocument, parse_bytes, parse_file
from extract.readers import ReadError, pdf

PDF_DIR = Path(__file__).resolve().parent / "fixtures" / "pdf"
FILES = {"huaian-2024": "huaian-city-2024.pdf", "hongze-2023": "hongze-district-2023.pdf",
         "hongze-2024": "hongze-district-2024.pdf"}
APP_COLS = (*APPLICANT_PARTS, "total")
# Both 洪泽区 reports print row （三）2 with a typo, `2.其他法律行政止公开` (法规禁 missing, as printed); the
# reader hands it on verbatim and the template knows it as an alias.

@pytest.fixture(scope="module")
def docs() -> dict[str, ParsedDocument]:
    return {name: parse_file(PDF_DIR / file) for name, file in FILES.items()}


@pytest.fixture(scope="module")
def readings() -> dict[str, list[Block]]:
    return {name: pdf.read((PDF_DIR / file).read_bytes(), PDF_DIR / file).blocks for name, file in FILES.items()}


def _value(doc: ParsedDocument, table: str, row: str, col: str) -> Decimal | None:
    found = [c for c in doc.cells if (c.table, c.row, c.col) == (table, row, col)]
    assert len(found) == 1, f"{table}/{row}/{col}: {len(found)} cells"
    return found[0].value


def _cell(doc: ParsedDocument, table: str, row: str, col: str):
    return next(c for c in doc.cells if (c.table, c.row, c.col) == (table, row, col))


def test_huaian_2024_reads_completely(docs):
    doc = docs["huaian-2024"]
    assert (doc.status, doc.error, doc.source_form) == ("parsed", None, "pdf")
    assert {k: doc.report[k] for k in ("agency", "year", "template")} == {
        "agency": "淮安市人民政府", "year": 2024, "template": "F2021"}
    counts = {t: sum(1 for c in doc.cells if c.table == t) for t in ("disclosure", "applications", "review_litigation")}
    assert counts == {"disclosure": 10, "applications": 175, "review_litigation": 15}
    assert all(c.value is not None for c in doc.cells)
    assert not [i for i in doc.issues if i.severity in ("error", "warning")]


@pytest.mark.parametrize(("table", "row", "col", "expected"), [
    ("applications", "new_received", "total", 3119),
    ("applications", "new_received", "natural_person", 3001),
    ("applications", "new_received", "legal_service", 61),
    ("applications", "carried_over", "total", 34),
    ("applications", "granted", "total", 1362),
    ("applications", "partially_granted", "total", 454),
    ("applications", "denied_inquiry", "total", 105),
    ("applications", "unable_not_held", "total", 769),
    ("applications", "unable_needs_creation", "total", 11),  # first row after the page break
    ("applications", "other_overdue_correction", "total", 71),
    ("applications", "other_overdue_fee", "total", 6),
    ("applications", "other_other", "total", 110),
    ("applications", "total_processed", "total", 3050),
    ("applications", "carried_forward", "total", 103),
    ("review_litigation", "review", "total", 351),
    ("review_litigation", "review", "other", 178),
    ("review_litigation", "litigation_direct", "total", 26),
    ("review_litigation", "litigation_after_review", "pending", 6),
    ("review_litigation", "litigation_after_review", "total", 20),
    ("disclosure", "regulations", "in_force", 11),
    ("disclosure", "normative_documents", "repealed", 26),
    ("disclosure", "licensing", "decisions", 447228),
    ("disclosure", "penalty", "decisions", 3985758),
    ("disclosure", "enforcement", "decisions", 88283),
    ("disclosure", "fees", "amount_10k_yuan", Decimal("96171.6")),
])
def test_huaian_2024_values(docs, table, row, col, expected):
    assert _value(docs["huaian-2024"], table, row, col) == expected


def _application_rows(doc: ParsedDocument) -> dict[str, dict[str, Decimal | None]]:
    rows: dict[str, dict[str, Decimal | None]] = {}
    for c in doc.cells:
        if c.table == "applications":
            rows.setdefault(c.row, {})[c.col] = c.value
    return rows


@pytest.mark.parametrize("name", ["huaian-2024", "hongze-2024"])
def test_section_three_relations_hold(docs, name):
    """T3_BALANCE, T3_OUTCOMES and T3_ROW_TOTAL over the cells read from the grid: any value placed in
    the wrong row or column would break one of them (both reports balance as printed)."""
    rows = _application_rows(docs[name])
    other = OTHER_SPLIT if "other_other" in rows else OTHER_SINGLE
    for col in APP_COLS:
        assert sum(rows[r][col] for r in BALANCE_IN) == sum(rows[r][col] for r in BALANCE_OUT), col
        assert rows["total_processed"][col] == sum(rows[r][col] for r in (*OUTCOMES_BASE, *other)), col
    for code, values in rows.items():
        assert values["total"] == sum(values[c] for c in APPLICANT_PARTS), code


@pytest.mark.parametrize("name", ["hongze-2023", "hongze-2024"])
def test_hongze_reads_completely(docs, name):
    """Every printed row of section 三 is read (23 rows: （六）其他处理 is a single row here)."""
    doc = docs[name]
    assert (doc.status, doc.error) == ("parsed", None)
    assert _value(doc, "applications", "denied_prohibited_by_law", "total") == 0
    assert len({c.row for c in doc.cells if c.table == "applications"}) == 23


def test_review_totals(docs):
    """T4_TOTAL holds for 淮安市 2024; 洪泽区 2023 prints 行政复议 10+1 with a total of 0 — a finding in
    the report itself, read as printed."""
    for name in ("huaian-2024", "hongze-2024"):
        for block in ("review", "litigation_direct", "litigation_after_review"):
            parts = [_value(docs[name], "review_litigation", block, r) for r in ("upheld", "corrected", "other",
                                                                                  "pending")]
            assert _value(docs[name], "review_litigation", block, "total") == sum(parts), (name, block)
    doc = docs["hongze-2023"]
    assert [_value(doc, "review_litigation", "review", r) for r in ("upheld", "corrected", "total")] == [10, 1, 0]
    assert _value(doc, "review_litigation", "litigation_after_review", "upheld") == 5


@pytest.mark.parametrize(("name", "agency", "year", "values"), [
    ("hongze-2023", "洪泽区人民政府", 2023,
     {"new_received": 21, "partially_granted": 4, "unable_not_held": 10, "other": 0, "total_processed": 21}),
    ("hongze-2024", "淮安市洪泽区人民政府", 2024,
     {"new_received": 95, "granted": 50, "unable_not_held": 31, "other": 0, "total_processed": 95}),
])
def test_hongze_reports(docs, name, agency, year, values):
    """洪泽区 prints （六）其他处理 as a single row; its other rows are F2021."""
    doc = docs[name]
    assert {k: doc.report[k] for k in ("agency", "year", "template")} == {
        "agency": agency, "year": year, "template": "F2021"}
    assert doc.report["tables_found"] == ["disclosure", "applications", "review_litigation"]
    assert {row: _value(doc, "applications", row, "total") for row in values} == values
    assert sum(1 for c in doc.cells if c.table == "review_litigation") == 15
    assert sum(1 for c in doc.cells if c.table == "disclosure") == 10


@pytest.mark.parametrize(("name", "licensing", "penalty", "fees"), [
    ("hongze-2023", 550, 4119, Decimal("7730.28")), ("hongze-2024", 9487, 2776, Decimal("7545"))])
def test_hongze_section_two(docs, name, licensing, penalty, fees):
    """Section 二 is cut by a page break between 第二十条第（六）项 and its header (2023: the header's
    信息内容 cell has no ruling on top and is recovered by closing the table's edge)."""
    doc = docs[name]
    assert _value(doc, "disclosure", "licensing", "decisions") == licensing
    assert _value(doc, "disclosure", "penalty", "decisions") == penalty
    assert _value(doc, "disclosure", "fees", "amount_10k_yuan") == fees
    assert not [i for i in doc.issues if i.table == "disclosure"]


def test_provenance_is_page_and_cell_box(docs):
    doc = docs["huaian-2024"]
    first = _cell(doc, "applications", "new_received", "total")
    assert first.source.page == 4 and first.raw == "3119"
    x0, top, x1, bottom = (float(v) for v in first.source.bbox.split(","))
    assert 0 < x0 < x1 < 600 and 0 < top < bottom < 850
    assert (first.source.row_index, first.source.col_index) == (3, 9)
    # the table continues on page 5: same table, row numbering carries on
    last = _cell(doc, "applications", "carried_forward", "total")
    assert last.source.page == 5 and last.raw == "103"
    assert last.source.table_index == first.source.table_index
    assert last.source.row_index == 27
    as_json = next(c for c in doc.as_json()["cells"] if c["row"] == "carried_forward" and c["col"] == "total")
    assert as_json["page"] == 5 and as_json["bbox"] == last.source.bbox


def test_labels_broken_inside_cells_are_rejoined(readings):
    texts = [c.text for b in readings["huaian-2024"] if b.kind == "row" for c in b.cells]
    assert "商业企业" in texts and "社会公益组织" in texts
    assert "三、本年度办理结果" in texts  # printed vertically, one character per line
    assert "5.要求行政机关确认或重新出具已获取信息" in texts
    assert not any("\n" in t for t in texts)


def test_prose_is_paragraphs_not_lines(readings):
    """Prose lines are joined into paragraphs (a sentence broken over two lines stays one sentence), and
    the invisible white boxes behind each line of 洪泽区's prose are not read as tables."""
    blocks = readings["hongze-2024"]
    texts = [b.text for b in blocks if b.kind == "text"]
    assert "2024年政府信息公开工作年度报告" in texts
    assert any("区政府办代表区政府受理政府信息公开申请17件" in t for t in texts)
    rows = [b for b in blocks if b.kind == "row"]
    assert all(len(b.cells) >= 2 for b in rows)
    assert not any("习近平" in b.text for b in rows)
    assert [b.text for b in blocks if b.kind == "text" and b.text.startswith(("一、", "二、", "三、", "四、", "五、",
                                                                              "六、"))] == [
        "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
        "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"]


def test_narrative_from_pdf_prose(docs):
    assert docs["huaian-2024"].as_json()["narrative"]["applications_received"] == 3119
    assert docs["hongze-2024"].as_json()["narrative"]["applications_received"] == 17


# --------------------------------------------------------------------------- broken and scanned PDFs


def test_scanned_pdf_needs_ocr(tmp_path):
    path = tmp_path / "scan.pdf"
    path.write_bytes(scanned_pdf())
    doc = parse_file(path)
    assert doc.status == "failed" and doc.report is None and doc.cells == []
    assert doc.error.startswith("needs_ocr: scanned PDF: 2 page(s)")


def test_truncated_pdf_is_unreadable():
    data = (PDF_DIR / "hongze-district-2023.pdf").read_bytes()
    doc = parse_bytes(data[: len(data) // 2], Path("cut.pdf"))
    assert doc.status == "failed"
    assert doc.error.startswith("unreadable_file: truncated PDF")


@pytest.mark.parametrize(("data", "code", "message"), [
    (b"", "empty_file", "empty file"),
    (b"<html><body>not a pdf</body></html>", "unreadable_file", "not a PDF file"),
    (b"%PDF-1.7\n" + b"garbage " * 200 + b"\n%%EOF\n", "unreadable_file", "not a readable PDF"),
])
def test_broken_pdf_raises_read_error(data, code, message):
    with pytest.raises(ReadError) as err:
        pdf.read(data, Path("x.pdf"))
    assert err.value.code == code and message in str(err.value)


def test_pdf_without_text_or_images_is_empty():
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    with pytest.raises(ReadError) as err:
        pdf.read(bytes(doc.output()), Path("blank.pdf"))
    assert err.value.code == "empty_file"


def test_pdf_without_rulings_is_read_as_prose():
    """A text-only PDF (no ruled table) gives paragraphs; the matcher then says it is not a report."""
    from fpdf import FPDF

    doc = FPDF()
    doc.add_page()
    doc.set_font("helvetica", size=12)
    for i in range(5):
        doc.cell(0, 10, f"Line {i} of a notice that is not an annual report.", new_x="LMARGIN", new_y="NEXT")
    data = bytes(io.BytesIO(doc.output()).getvalue())
    reading = pdf.read(data, Path("notice.pdf"))
    assert all(b.kind == "text" for b in reading.blocks) and reading.blocks
    assert parse_bytes(data, Path("notice.pdf")).error.startswith("not_a_report")


# --------------------------------------------------------------------------- a table broken across pages

SPLIT = Path(__file__).resolve().parent / "fixtures" / "forms" / "xiluoyuan-2019-split.pdf"
GOLDEN_004 = Path(__file__).resolve().parent / "fixtures" / "golden" / "004_e0962b715bf85ce8.txt.json"


def test_table_over_three_pages_with_split_rows_reads_to_golden():
    """Sample 004 printed from Word: section 三 repeats its header rows on every page and two rows are cut
    by a page break inside the row; read back it equals the golden file of the text sample."""
    import json

    gold = json.loads(GOLDEN_004.read_text(encoding="utf-8"))
    doc = parse_file(SPLIT)
    assert (doc.status, doc.error) == ("parsed", None)
    got: dict = {}
    for c in doc.as_json()["cells"]:
        got.setdefault(c["table"], {}).setdefault(c["row"], {})[c["col"]] = c["value"]
    assert got == gold["cells"]
    assert {k: doc.report[k] for k in ("agency", "year", "template", "variant")} == {
        k: gold[k] for k in ("agency", "year", "template", "variant")}
    split = _cell(doc, "applications", "denied_prohibited_by_law", "total")
    assert (split.source.page, split.source.row_index) == (3, 8)
    after = _cell(doc, "applications", "unable_unclear", "total")
    assert (after.source.page, after.source.table_index) == (5, split.source.table_index)


def test_split_labels_joined_and_repeated_headers_dropped():
    blocks = pdf.read(SPLIT.read_bytes(), SPLIT).blocks
    texts = [c.text for b in blocks if b.kind == "row" for c in b.cells]
    assert "2.其他法律行政法规禁止公开" in texts and "2.没有现成信息需要另行制作" in texts
    assert "开" not in texts and "作" not in texts
    assert texts.count("申请人情况") == 1  # printed on three pages, read once


def _part(page: int, rows: list[list[str]], xs: list[float], top: float = 80.0) -> pdf._Table:
    """A table part as the page reader makes it: one cell per column edge pair, rows 20pt high."""
    cells, boxes = [], []
    for r, texts in enumerate(rows):
        y = top + 20 * r
        cells.append([Cell(t, page=page) for t in texts])
        boxes.append([(xs[i], y, xs[i + 1], y + 20) for i in range(len(texts))])
    return pdf._Table(page, top, cells, boxes, top + 20 * len(rows))


REVIEW_HEAD = [["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]]
XS = [70.0, 140.0, 210.0, 280.0, 350.0, 420.0]


@pytest.mark.parametrize(("second", "joined"), [
    (["", "", "", "0", "件"], ["1", "2", "3", "0", "6件"]),  # a value and a unit wrapped onto the next page
    (["", "", "", "", ""], None),  # nothing on the next page: nothing to join
])
def test_values_cut_by_a_page_break_are_joined(second, joined):
    first = _part(1, [*REVIEW_HEAD, ["1", "2", "3", "", "6"]], XS, top=600)
    rest = _part(2, [second, ["9", "9", "9", "9", "9"]], XS)
    blocks = pdf._blocks([first, rest])
    rows = [[c.text for c in b.cells] for b in blocks]
    if joined:
        assert rows[1] == joined and rows[2] == ["9"] * 5
        assert [c.page for c in blocks[1].cells] == [1, 1, 1, 2, 1]
    else:
        assert rows[1] == ["1", "2", "3", "", "6"]


def test_header_row_is_never_glued_to_the_next_pages_first_row():
    xs = [70.0, 200.0, 300.0, 400.0]
    first = _part(1, [["第二十条第（六）项", "", ""], ["信息内容", "本年处理决定数量", ""]], xs)
    rest = _part(2, [["行政处罚", "3985758", ""], ["行政强制", "88283", ""]], xs)
    rows = [[c.text for c in b.cells] for b in pdf._blocks([first, rest])]
    assert rows[1] == ["信息内容", "本年处理决定数量", ""] and rows[2][:2] == ["行政处罚", "3985758"]


def test_label_cut_by_a_page_break_is_joined_only_into_a_known_label():
    xs = [70.0, 200.0, 300.0]
    cut = _part(1, [["（一）予以公", "12"]], xs, top=700)
    rest = _part(2, [["开", ""], ["（二）部分公开", "3"]], xs)
    rows = [[c.text for c in b.cells] for b in pdf._blocks([cut, rest])]
    assert rows == [["（一）予以公开", "12"], ["（二）部分公开", "3"]]
    # 8.属于行政查询事项 is complete; a group label under it on the next page stays a row of its own
    cut = _part(1, [["8.属于行政查询事项", "0"]], xs, top=700)
    rest = _part(2, [["（四）无法提供", ""], ["1.本机关不掌握相关政府信息", "5"]], xs)
    assert len(pdf._blocks([cut, rest])) == 3


def test_text_layer_without_unicode_mapping_needs_ocr():
    """Fonts without a ToUnicode map give glyph ids, `(cid:1)`…: no text to read, so OCR, not a report."""
    doc = parse_bytes(glyph_id_pdf(), Path("cid.pdf"))
    assert doc.status == "failed"
    assert doc.error.startswith("needs_ocr: the PDF's fonts have no Unicode mapping (60 of 60 characters")


def test_running_header_does_not_break_a_continued_table():
    """A running header on every page is dropped, so the table on page 2 still continues page 1's."""
    xs = [70.0, 200.0, 300.0]
    items = []
    for page in (1, 2, 3):
        items.append(pdf._Line("淮安市人民政府办公室", page, 70.0, 40.0, 200.0, 52.0))
    items.insert(1, _part(1, [["（一）予以公", "12"]], xs, top=700))
    items.insert(3, _part(2, [["开", ""], ["（二）部分公开", "3"]], xs))
    blocks = pdf._blocks(pdf._drop_running_lines(items))
    assert [[c.text for c in b.cells] for b in blocks] == [["（一）予以公开", "12"], ["（二）部分公开", "3"]]
    assert {c.table_index for b in blocks for c in b.cells} == {0}


def test_continued_part_ruled_with_fewer_columns_is_regridded():
    """Section 三 cut right after `一、本年新收…` (merged over the three label columns): page 1 rules no
    edge between the label columns, page 2 does. The parts share one grid and continue as one table."""
    narrow = [70.0, 282.5, 351.8, 420.0]  # pdfplumber snaps a page's rulings: edges move up to 3pt
    wide = [70.0, 140.0, 210.0, 280.0, 350.0, 420.0]
    first = _part(1, [["", "自然人", "总计"], ["一、本年新收政府信息公开申请数量", "5", "5"]], narrow, top=700)
    rest = _part(2, [["三、本年度办理结果", "（一）予以公开", "", "3", "3"], ["", "（七）总计", "", "", "5"]], wide)
    blocks = pdf._blocks([first, rest])
    rows = [[c.text for c in b.cells] for b in blocks]
    assert rows == [["", "", "", "自然人", "总计"], ["一、本年新收政府信息公开申请数量", "", "", "5", "5"],
                    ["三、本年度办理结果", "（一）予以公开", "", "3", "3"], ["", "（七）总计", "", "", "5"]]
    assert {c.table_index for b in blocks for c in b.cells} == {0}
    assert [b.cells[0].row_index for b in blocks] == [0, 1, 2, 3]
    assert [c.col_index for c in blocks[1].cells] == [0, 1, 2, 3, 4]
    # a table whose column edges do not nest in the one before is another table
    other = _part(3, [["结果维持", "结果纠正", "其他结果"], ["1", "2", "3"]], [70.0, 190.0, 300.0, 420.0])
    blocks = pdf._blocks([first, rest, other])
    assert [b.cells[0].table_index for b in blocks] == [0, 0, 0, 0, 1, 1]
