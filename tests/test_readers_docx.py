"""Word .docx: reports built in the test with python-docx (real merged cells: gridSpan, vMerge), read back.

`seed_004_docx` rebuilds bundled sample 004 (西罗园街道 2019, F2019 Beijing variant) as a .docx: its
prose lines from the text dump and its tables, with the merged cells a Word report has, from the
golden values. Read back, it must give exactly the golden file of the text sample.
"""

from __future__ import annotations

import io
import json
from functools import cache
from pathlib import Path

import docx
import pytest

from extract.parse import parse_bytes
from extract.readers import ReadError
from extract.readers import docx as docx_reader

ROOT = Path(__file__).resolve().parent.parent
SEED_004 = ROOT / "data" / "inbox" / "004_e0962b715bf85ce8.txt"
GOLDEN_004 = Path(__file__).resolve().parent / "fixtures" / "golden" / "004_e0962b715bf85ce8.txt.json"

# A grid spec: a row is a list of entries; an entry is text, or (text, rowspan, colspan); positions
# covered by a span from an earlier entry are skipped.
Span = str | tuple[str, int, int]

APP_COLS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total")
RL_COLS = ("upheld", "corrected", "other", "pending", "total")
DENIED = [("denied_state_secret", "1.属于国家秘密"), ("denied_prohibited_by_law", "2.其他法律行政法规禁止公开"),
          ("denied_security_stability", "3.危及“三安全一稳定”"), ("denied_third_party", "4.保护第三方合法权益"),
          ("denied_internal_affairs", "5.属于三类内部事务信息"), ("denied_process_info", "6.属于四类过程性信息"),
          ("denied_enforcement_file", "7.属于行政执法案卷"), ("denied_inquiry", "8.属于行政查询事项")]
UNABLE = [("unable_not_held", "1.本机关不掌握相关政府信息"), ("unable_needs_creation", "2.没有现成信息需要另行制作"),
          ("unable_unclear", "3.补正后申请内容仍不明确")]
REJECTED = [("rejected_petition", "1.信访举报投诉类申请"), ("rejected_duplicate", "2.重复申请"),
            ("rejected_publication", "3.要求提供公开出版物"), ("rejected_excessive", "4.无正当理由大量反复申请"),
            ("rejected_reconfirm", "5.要求行政机关确认或重新出具已获取信息")]


def add_grid(document, spec: list[list[Span]]) -> None:
    """A table from a grid spec, spans made with python-docx `merge` (horizontal and vertical)."""
    taken: dict[tuple[int, int], bool] = {}
    placed: list[tuple[int, int, str, int, int]] = []
    for r, row in enumerate(spec):
        c = 0
        for entry in row:
            while taken.get((r, c)):
                c += 1
            text, rs, cs = (entry, 1, 1) if isinstance(entry, str) else entry
            for dr in range(rs):
                for dc in range(cs):
                    taken[(r + dr, c + dc)] = True
            placed.append((r, c, text, rs, cs))
            c += cs
    width = max(c for _, c in taken) + 1
    table = document.add_table(rows=len(spec), cols=width)
    table.style = "Table Grid"
    for r, c, text, rs, cs in placed:
        cell = table.cell(r, c)
        if rs > 1 or cs > 1:
            cell = cell.merge(table.cell(r + rs - 1, c + cs - 1))
        lines = text.split("\n")
        cell.paragraphs[0].text = lines[0]
        for line in lines[1:]:
            cell.add_paragraph(line)


def _values(row: dict, cols: tuple[str, ...]) -> list[str]:
    return ["" if row.get(c) is None else str(row[c]) for c in cols]


@cache
def seed_004_docx() -> tuple[bytes, dict]:
    """The .docx bytes of sample 004 and its golden file (built once per test session)."""
    gold = json.loads(GOLDEN_004.read_text(encoding="utf-8"))
    cells = gold["cells"]
    lines = [ln.strip() for ln in SEED_004.read_text(encoding="utf-8").splitlines()
             if ln.strip() and not ln.startswith("\t")]
    start_2 = lines.index("二、主动公开政府信息情况")
    start_5 = next(i for i, ln in enumerate(lines) if ln.startswith("五、"))
    document = docx.Document()
    for ln in lines[:start_2 + 1]:
        document.add_paragraph(ln)

    d = cells["disclosure"]
    add_grid(document, [
        [("第二十条第（一）项", 1, 5)],
        [("信息内容", 1, 2), "本年新制作数量", "本年新公开数量", "对外公开总数量"],
        [("规章", 1, 2), *_values(d["regulations"], ("made", "published", "total_public"))],
        [("规范性文件", 1, 2), *_values(d["normative_documents"], ("made", "published", "total_public"))],
        [("第二十条第（五）项", 1, 5)],
        [("信息内容", 1, 2), "上一年项目数量", "本年增/减", "处理决定数量"],
        [("行政许可", 1, 2), *_values(d["licensing"], ("prior_items", "change", "decisions"))],
        [("其他对外管理服务事项", 2, 1), "行政检查", *_values(d["inspection"], ("prior_items", "change", "decisions"))],
        ["行政确认", *_values(d["confirmation"], ("prior_items", "change", "decisions"))],
        [("第二十条第（六）项", 1, 5)],
        [("信息内容", 1, 2), "上一年项目数量", "本年增/减", "处理决定数量"],
        [("行政处罚", 1, 2), *_values(d["penalty"], ("prior_items", "change", "decisions"))],
        [("行政强制", 1, 2), *_values(d["enforcement"], ("prior_items", "change", "decisions"))],
        [("第二十条第（八）项", 1, 5)],
        [("信息内容", 1, 2), "上一年项目数量", "本年增/减", ""],
        [("行政事业性收费", 1, 2), *_values(d["fees"], ("prior_items", "change")), ""],
        [("第二十条第（九）项", 1, 5)],
        [("信息内容", 1, 2), "采购项目数量", ("采购总金额（万元，\n保留四位小数）", 1, 2)],
        [("政府集中采购", 1, 2), str(d["procurement"]["projects"]),
         (str(d["procurement"]["amount_10k_yuan"]), 1, 2)],
    ])

    document.add_paragraph("三、收到和处理政府信息公开申请情况")
    a = cells["applications"]
    spec: list[list[Span]] = [
        [("（本列数据的勾稽关系为：第一项加第二项之和，\n等于第三项加第四项之和）", 3, 3), ("申请人情况", 1, 7)],
        [("自然人", 2, 1), ("法人或其他组织", 1, 5), ("总计", 2, 1)],
        ["商业\n企业", "科研\n机构", "社会公益\n组织", "法律服务\n机构", "其他"],
        [("一、本年新收政府信息公开申请数量", 1, 3), *_values(a["new_received"], APP_COLS)],
        [("二、上年结转政府信息公开申请数量", 1, 3), *_values(a["carried_over"], APP_COLS)],
        [("三、\n本\n年\n度\n办\n理\n结\n果", 20, 1), ("（一）予以公开", 1, 2), *_values(a["granted"], APP_COLS)],
        [("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", 1, 2),
         *_values(a["partially_granted"], APP_COLS)],
    ]
    for group, rows in (("（三）不予\n公开", DENIED), ("（四）无法\n提供", UNABLE), ("（五）不予\n处理", REJECTED)):
        for i, (code, label) in enumerate(rows):
            head: list[Span] = [(group, len(rows), 1)] if i == 0 else []
            spec.append([*head, label, *_values(a[code], APP_COLS)])
    spec += [
        [("（六）其他处理", 1, 2), *_values(a["other"], APP_COLS)],
        [("（七）总计", 1, 2), *_values(a["total_processed"], APP_COLS)],
        [("四、结转下年度继续办理", 1, 3), *_values(a["carried_forward"], APP_COLS)],
    ]
    add_grid(document, spec)

    document.add_paragraph("四、政府信息公开行政复议、行政诉讼情况")
    rl = cells["review_litigation"]
    results = ["结果维持", "结果纠正", "其他结果", "尚未审结", "总计"]
    add_grid(document, [
        [("行政复议", 1, 5), ("行政诉讼", 1, 10)],
        [*[(f"{t[:2]}\n{t[2:]}", 2, 1) for t in results], ("未经复议直接起诉", 1, 5), ("复议后起诉", 1, 5)],
        [*results, *results],
        [*_values(rl["review"], RL_COLS), *_values(rl["litigation_direct"], RL_COLS),
         *_values(rl["litigation_after_review"], RL_COLS)],
    ])
    for ln in lines[start_5:]:
        document.add_paragraph(ln)
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue(), gold


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
