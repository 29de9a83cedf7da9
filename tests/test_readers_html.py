"""HTML pages: charset from the page or detection, tables with rowspan/colspan expanded into a grid, the
report cut out of a government site's page chrome.

`fixtures/forms/huamu-2023-gbk.html` is a hand-made page in GBK (declared gb2312, with a GBK-only
character, 喆), with navigation, a sidebar linking other years' reports, a hidden counter, a footer and
a script, and the three tables built the way Word-exported pages build them (merged header cells, a
vertical 三、本年度办理结果, `<br>` inside labels, `&nbsp;/&nbsp;` for not reported).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from extract.parse import ParsedDocument, parse_bytes, parse_file
from extract.readers import ReadError, html

FORMS = Path(__file__).resolve().parent / "fixtures" / "forms"
PAGE = FORMS / "huamu-2023-gbk.html"


@pytest.fixture(scope="module")
def doc() -> ParsedDocument:
    return parse_file(PAGE)


def _values(doc: ParsedDocument, table: str, row: str) -> list:
    return [int(c.value) if c.value is not None else None for c in doc.cells if (c.table, c.row) == (table, row)]


def test_page_reads_completely(doc):
    assert (doc.status, doc.error, doc.source_form, doc.encoding) == ("parsed", None, "html", "gb2312")
    assert {k: doc.report[k] for k in ("agency", "year", "template")} == {
        "agency": "上海市浦东新区花木街道办事处", "year": 2023, "template": "F2021"}
    counts = {t: sum(1 for c in doc.cells if c.table == t) for t in ("disclosure", "applications", "review_litigation")}
    assert counts == {"disclosure": 10, "applications": 175, "review_litigation": 15}
    assert doc.issues == []


def test_values_are_placed_by_the_grid(doc):
    assert _values(doc, "applications", "new_received") == [12, 3, 0, 0, 1, 0, 16]
    assert _values(doc, "applications", "partially_granted") == [2, 0, 0, 0, 0, 0, 2]
    assert _values(doc, "applications", "denied_third_party") == [1, 0, 0, 0, 0, 0, 1]
    assert _values(doc, "applications", "unable_not_held") == [3, 1, 0, 0, 1, 0, 5]
    assert _values(doc, "applications", "total_processed") == [13, 2, 0, 0, 1, 0, 16]
    assert _values(doc, "applications", "carried_forward") == [1, 1, 0, 0, 0, 0, 2]
    assert _values(doc, "review_litigation", "review") == [1, 0, 0, 1, 2]
    assert _values(doc, "review_litigation", "litigation_direct") == [0, 0, 0, 1, 1]
    assert _values(doc, "disclosure", "normative_documents") == [2, 1, 9]
    assert _values(doc, "disclosure", "licensing") == [135]  # a value spanning three columns is one value


def test_slash_is_not_reported(doc):
    fees = next(c for c in doc.cells if c.row == "fees")
    assert (fees.value, fees.raw) == (None, "/")


def test_provenance_is_table_row_column(doc):
    total = next(c for c in doc.cells if (c.row, c.col) == ("new_received", "total"))
    assert (total.source.table_index, total.source.row_index, total.source.col_index) == (1, 3, 9)
    after = next(c for c in doc.cells if (c.row, c.col) == ("litigation_direct", "pending"))
    assert (after.source.table_index, after.source.row_index, after.source.col_index) == (2, 3, 8)


def test_merged_cells_keep_their_text_at_the_origin_only():
    blocks = html.read(PAGE.read_bytes(), PAGE).blocks
    rows = [b for b in blocks if b.kind == "row" and b.cells[0].table_index == 1]
    assert {len(b.cells) for b in rows} == {10}
    note = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
    assert [c.text for c in rows[0].cells] == [note, "", "", "申请人情况", "", "", "", "", "", ""]
    assert [c.text for c in rows[2].cells[3:9]] == ["", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他"]
    assert rows[5].cells[0].text == "三、本年度办理结果"
    assert [r.cells[0].text for r in rows[6:27]] == [""] * 21
    assert rows[6].cells[1].text == "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"


def test_page_chrome_is_left_out():
    texts = [b.text for b in html.read(PAGE.read_bytes(), PAGE).blocks if b.kind == "text"]
    assert texts[0] == "上海市浦东新区花木街道办事处2023年政府信息公开工作年度报告"
    assert texts[-1] == "本年度未收取信息处理费。"
    joined = "".join(texts)
    for chrome in ("首页", "2022年政府信息公开工作年度报告", "浏览次数", "主办单位", "统计代码"):
        assert chrome not in joined
    assert "联系人：王喆" in joined  # a GBK character outside GB2312, decoded


def test_page_without_a_report_is_not_a_report():
    doc = parse_file(FORMS / "news-no-report.html")
    assert (doc.status, doc.source_form) == ("failed", "html")
    assert doc.error.startswith("not_a_report")


def _page(body: str, head: str = "") -> str:
    return f"<html><head>{head}</head><body>{body}</body></html>"


REPORT_BODY = (
    "<h2>某街道2022年政府信息公开工作年度报告</h2><p>一、总体情况</p><p>本年共收到申请1件。</p>"
    "<p>四、政府信息公开行政复议、行政诉讼情况</p>"
    "<table><tr><td colspan=5>行政复议</td><td colspan=10>行政诉讼</td></tr>"
    "<tr><td rowspan=2>结果维持</td><td rowspan=2>结果纠正</td><td rowspan=2>其他结果</td><td rowspan=2>尚未审结</td>"
    "<td rowspan=2>总计</td><td colspan=5>未经复议直接起诉</td><td colspan=5>复议后起诉</td></tr><tr>"
    + "<td>结果维持</td><td>结果纠正</td><td>其他结果</td><td>尚未审结</td><td>总计</td>" * 2 + "</tr><tr>"
    + "".join(f"<td>{v}</td>" for v in (0, 1, 0, 0, 1, 2, 0, 0, 0, 2, 0, 0, 0, 3, 3)) + "</tr></table>"
    "<p>五、存在的主要问题及改进情况</p><p>无。</p>"
)


@pytest.mark.parametrize(("encoding", "head"), [
    ("utf-8", '<meta charset="utf-8">'),
    ("gbk", '<meta http-equiv="Content-Type" content="text/html; charset=GBK">'),
    ("gb18030", ""),  # no declaration: detected
    ("utf-8", '<meta charset="gbk">'),  # declared wrong: detection wins
    ("gbk", '<meta charset="iso-8859-1">'),  # declared Latin-1, really Chinese
])
def test_charset_declared_or_detected(encoding, head):
    data = _page(REPORT_BODY, head).encode(encoding)
    doc = parse_bytes(data, Path("r.htm"))
    assert doc.status == "partial"  # only section 四 is printed
    assert doc.report["agency"] == "某街道" and doc.report["year"] == 2022
    assert [int(c.value) for c in doc.cells if c.row == "litigation_after_review"] == [0, 0, 0, 3, 3]


def test_layout_tables_are_read_as_flow():
    """A page framed by a layout table (tables nested inside it) still yields the report's own tables."""
    data = _page(f"<table><tr><td>导航</td><td>{REPORT_BODY}</td></tr></table>", '<meta charset="utf-8">')
    doc = parse_bytes(data.encode("utf-8"), Path("r.shtml"))
    assert [int(c.value) for c in doc.cells if c.row == "litigation_direct"] == [2, 0, 0, 0, 2]


@pytest.mark.parametrize(("data", "code"), [(b"", "empty_file"), (b"   \n", "empty_file"),
                                            (b"\x00\x01\x02binary\x00" * 50, "binary_file")])
def test_unreadable_pages(data, code):
    with pytest.raises(ReadError) as err:
        html.read(data, Path("x.html"))
    assert err.value.code == code


def test_text_dump_inside_pre_is_read_by_the_text_layouts():
    """A crawled page that posts the report as a `<pre>` text dump reads like the dump itself."""
    import html as html_escape

    dump = (Path(__file__).resolve().parent.parent / "data" / "inbox" / "003_c61ea60888540bc5.txt")
    text = dump.read_text(encoding="utf-8")
    page = _page(f"<div>首页 &gt; 年报</div><pre>{html_escape.escape(text)}</pre>", '<meta charset="utf-8">')
    from_page = parse_bytes(page.encode("utf-8"), Path("guanlin.html"))
    from_dump = parse_file(dump)
    assert from_page.status == "parsed" and from_page.source_form == "html"
    assert {(c.table, c.row, c.col): c.value for c in from_page.cells} == {
        (c.table, c.row, c.col): c.value for c in from_dump.cells}
    assert from_page.report["agency"] == from_dump.report["agency"]
