"""Word .docx: reports built in the test with python-docx (real merged cells: gridSpan, vMerge), read back.

`seed_004_docx` (tests/documents.py) rebuilds bundled sample 004 as a .docx; read back, it must give exactly
the golden file of the text sample.
"""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from documents import add_grid, seed_004_docx

from extract.parse import parse_bytes
from extract.readers import ReadError
from extract.readers import docx as docx_reader

# --------------------------------------------------------------------------- tests


@pytest.fixture(scope="module")
def seed_004() -> tuple[bytes, dict]:
    return seed_004_docx()


def _by_code(doc) -> dict:
    out: dict = {}
    for c in doc.as_json()["cells"]:
        out.setdefault(c["table"], {}).setdefault(c["row"], {})[c["col"]] = c["value"]
    return out


def test_docx_of_sample_004_reads_to_its_golden_file(seed_004):
    """The same report as a Word file gives exactly what its text dump gives: every cell, the metadata,
    the narrative facts."""
    data, gold = seed_004
    doc = parse_bytes(data, Path("西罗园街道2019.docx"))
    assert (doc.status, doc.error, doc.source_form, doc.layout) == ("parsed", None, "docx", "docx_grid")
    assert _by_code(doc) == gold["cells"]
    assert {k: doc.report[k] for k in ("agency", "year", "template", "variant")} == {
        k: gold[k] for k in ("agency", "year", "template", "variant")}
    assert doc.as_json()["narrative"] == gold["narrative"]
    assert doc.issues == []


def test_merges_resolved_into_the_grid(seed_004):
    """Horizontal spans and vertical merges: text at the origin, empty cells elsewhere, one grid width."""
    blocks = docx_reader.read(seed_004[0], Path("x.docx")).blocks
    tables: dict[int, list] = {}
    for b in blocks:
        if b.kind == "row":
            tables.setdefault(b.cells[0].table_index, []).append([c.text for c in b.cells])
    disclosure, applications, review = tables[0], tables[1], tables[2]
    assert {len(r) for r in disclosure} == {5} and {len(r) for r in applications} == {10}
    assert {len(r) for r in review} == {15}
    assert disclosure[0] == ["第二十条第（一）项", "", "", "", ""]
    assert disclosure[7][:2] == ["其他对外管理服务事项", "行政检查"]
    assert disclosure[8][:2] == ["", "行政确认"]  # vMerge continuation
    assert disclosure[18] == ["政府集中采购", "", "182", "1167.3159", ""]
    assert applications[2][3:9] == ["", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert applications[5][0] == "三、本年度办理结果"
    assert applications[7][1:3] == ["（三）不予公开", "1.属于国家秘密"]
    assert [r[0] for r in applications[6:25]] == [""] * 19
    assert review[1][:6] == ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计", "未经复议直接起诉"]
    assert review[2][:5] == [""] * 5


def test_provenance_is_table_row_column(seed_004):
    doc = parse_bytes(seed_004[0], Path("x.docx"))
    cell = next(c for c in doc.cells if (c.row, c.col) == ("litigation_direct", "pending"))
    assert (cell.source.table_index, cell.source.row_index, cell.source.col_index) == (2, 3, 8)
    amount = next(c for c in doc.cells if c.col == "amount_10k_yuan")
    assert (amount.source.table_index, amount.source.row_index, amount.source.col_index) == (0, 18, 3)


def test_grid_before_and_content_controls():
    """Cells skipped with w:gridBefore are empty positions; rows inside a content control still count."""
    from copy import deepcopy

    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    document.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    add_grid(document, [
        [("行政复议", 1, 5), ("行政诉讼", 1, 10)],
        [*[("结果维持", 2, 1), ("结果纠正", 2, 1), ("其他结果", 2, 1), ("尚未审结", 2, 1), ("总计", 2, 1)],
         ("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
        ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"] * 2,
        [str(v) for v in (9, 9, 9, 9, 9, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1)],
    ])
    tbl = document.tables[0]._tbl
    data_row = tbl.tr_lst[3]
    # the data row begins one grid column later (w:gridBefore=1) and has one cell fewer
    data_row.remove(data_row.tc_lst[0])
    tr_pr = parse_xml(f'<w:trPr {nsdecls("w")}><w:gridBefore w:val="1"/></w:trPr>')
    data_row.insert(0, tr_pr)
    # the header row with the 结果维持… labels is wrapped in a content control
    sdt = parse_xml(f'<w:sdt {nsdecls("w")}><w:sdtContent/></w:sdt>')
    third = tbl.tr_lst[2]
    third.addprevious(sdt)
    sdt[0].append(deepcopy(third))
    tbl.remove(third)
    buf = io.BytesIO()
    document.save(buf)
    doc = parse_bytes(buf.getvalue(), Path("gb.docx"))
    values = {(c.row, c.col): (c.value, c.raw) for c in doc.cells}
    assert values[("review", "upheld")] == (None, "")  # the skipped grid column: not reported
    assert [values[("review", r)][0] for r in ("corrected", "other", "pending", "total")] == [9, 9, 9, 9]
    assert [values[("litigation_after_review", r)][0] for r in ("upheld", "total")] == [1, 1]


def test_tracked_deletions_and_line_breaks():
    """A soft line break splits a heading from its text; text deleted with tracked changes is not read."""
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    document = docx.Document()
    p = document.add_paragraph("一、总体情况")
    p.runs[0].add_break()
    p.add_run("本年收到申请5件。")
    p._p.append(parse_xml(f'<w:del {nsdecls("w")} w:id="1" w:author="a"><w:r><w:delText>（已删除：7件）</w:delText>'
                          "</w:r></w:del>"))
    buf = io.BytesIO()
    document.save(buf)
    texts = [b.text for b in docx_reader.read(buf.getvalue(), Path("x.docx")).blocks]
    assert texts == ["一、总体情况", "本年收到申请5件。"]


@pytest.mark.parametrize(("data", "code", "message"), [
    (b"", "empty_file", "empty file"),
    (b"this is not a zip archive at all" * 10, "unreadable_file", "not a valid .docx (zip) file"),
])
def test_broken_docx(data, code, message):
    with pytest.raises(ReadError) as err:
        docx_reader.read(data, Path("x.docx"))
    assert err.value.code == code and message in str(err.value)


def test_zip_that_is_not_a_word_document():
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "not word")
    doc = parse_bytes(buf.getvalue(), Path("x.docx"))
    assert doc.status == "failed" and doc.error.startswith("unreadable_file: not a Word .docx document")


def test_non_zip_docx_error_text():
    doc = parse_bytes(b"PK but not really a zip" * 20, Path("broken.docx"))
    assert doc.error == "unreadable_file: not a valid .docx (zip) file"


def test_docx_of_pasted_scans_needs_ocr():
    from PIL import Image

    picture = io.BytesIO()
    Image.new("L", (200, 300), 255).save(picture, format="PNG")
    document = docx.Document()
    document.add_paragraph("附件")
    for _ in range(2):
        picture.seek(0)
        document.add_picture(picture)
    buf = io.BytesIO()
    document.save(buf)
    doc = parse_bytes(buf.getvalue(), Path("scan.docx"))
    assert doc.status == "failed"
    assert doc.error.startswith("needs_ocr: Word file holds 2 image(s) and almost no text")
