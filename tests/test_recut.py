"""Cells a converter or a damaged byte glued, cut or duplicated (issues 11 and 17): a row whose printed values break
its identities, where such a fault would make them hold, is left null; a printed inconsistency no fault explains
is kept as printed."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from extract.cells import read_cell
from extract.parse import parse_bytes
from extract.solve import block_totals_hold, recut_readings, row_total_holds


def _value(text: str | None) -> Decimal | None:
    return read_cell(text).value if text is not None else None


def _d(*values: int | None) -> tuple[Decimal | None, ...]:
    return tuple(None if v is None else Decimal(v) for v in values)


def test_a_digit_moved_across_a_cell_boundary_is_found():
    # pymupdf4llm's layout mode: `２３７１７` `0` printed as `２３７１` `７0`
    row = ["２３７１", "７0", "5", "0", "0", "0", "23722"]
    assert recut_readings(row, _value, row_total_holds) == [_d(23717, 0, 5, 0, 0, 0, 23722)]


def test_a_last_cell_glued_to_a_stray_cell_is_found():
    # a 16th stray `0` glued to the 15th cell: `1` + `0` → `10`
    row = ["1", "0", "0", "0", "1"] * 2 + ["0", "1", "0", "0", "10"]
    assert recut_readings(row, _value, block_totals_hold) == [_d(*[1, 0, 0, 0, 1] * 2, 0, 1, 0, 0, 1)]


def test_a_lost_delimiter_padded_by_the_labels_residue_is_found():
    # `\t\t0\t1\t0\t0\t1\t0项\t2\t2` with the tab inside `1\t0项` lost: the residue blank pads the row back
    row = [None, "0", "1", "0", "0", "10项", "2", "2"]
    readings = recut_readings(row, _value, lambda v: row_total_holds(v, has_subtotal=True))
    assert _d(0, 1, 0, 0, 1, 0, 2, 2) in readings


def test_a_duplicated_range_is_dropped_and_the_cells_after_the_row_taken_back():
    printed = ["0", "0", "无", "1", "1", "无", "1", "1", "1", "0", "0", "0", "1", "0", "0"]
    assert recut_readings(printed, _value, block_totals_hold, after=["0", "0", "0"]) == [
        _d(0, 0, None, 1, 1, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0)]


def test_a_printed_inconsistency_no_fault_explains_is_not_recut():
    # a 总计 printed one too high, as agencies do: no cut, move or repeat makes the blocks add up
    row = ["1", "0", "0", "0", "2", "0", "0", "0", "0", "0", "0", "0", "0", "0", "0"]
    assert recut_readings(row, _value, block_totals_hold) == []
    # a stray cell that is only empty is no evidence of a duplicated range
    assert recut_readings(row, _value, block_totals_hold, after=["", " "]) == []
    assert recut_readings(["1", "2", "0", "0", "0", "0", "3"], _value, row_total_holds) == []


SECTION_FOUR = """## 四、政府信息公开行政复议、行政诉讼情况

|行政复议|||||行政诉讼||||||||||
|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|
|结果维持|结果纠正|其他结果|尚未审结|总计|未经复议直接起诉|||||复议后起诉|||||
||||||结果维持|结果纠正|其他结果|尚未审结|总计|结果维持|结果纠正|其他结果|尚未审结|总计|
|{cells}|

五、存在的主要问题及改进情况
无。
"""


def _section_four(cells: list[str]) -> tuple[dict[tuple[str, str], Decimal | None], list]:
    text = "2021年政府信息公开工作年度报告\n\n" + SECTION_FOUR.format(cells="|".join(cells))
    doc = parse_bytes(text.encode("utf-8"), Path("converted.md"))
    return {(c.row, c.col): c.value for c in doc.cells if c.table == "review_litigation"}, doc.issues


def test_section_four_glued_to_a_stray_cell_is_left_null():
    values, issues = _section_four(["1", "0", "0", "0", "1"] * 2 + ["0", "1", "0", "0", "10"])
    assert len(values) == 15 and all(v is None for v in values.values())
    assert any(i.code == "ambiguous_alignment" and i.table == "review_litigation" and "总计" in i.detail
               for i in issues)


def test_section_four_printed_inconsistency_is_read_as_printed():
    values, _ = _section_four(["1", "0", "0", "0", "2"] + ["0"] * 10)
    assert values[("review", "total")] == Decimal(2)
    assert values[("review", "upheld")] == Decimal(1)


def test_two_numbers_stacked_in_a_markdown_cell_are_not_one_number():
    # pymupdf4llm glues a stray 16th cell under the 15th as `5<br>0`: neither 50 nor a guess, the cell is null
    values, issues = _section_four(["0"] * 5 + ["1", "1", "0", "1", "3"] + ["0", "0", "0", "0", "5<br>0"])
    assert values[("litigation_after_review", "total")] is None
    assert values[("litigation_direct", "total")] == Decimal(3)
    assert any(i.code == "non_numeric_cell" and "two values" in i.detail for i in issues)


def _parse_text(text: str):
    return parse_bytes(text.encode("utf-8"), Path("converted.txt"))


SECTION_TWO_OUT_OF_ORDER = """2020年政府信息公开工作年度报告
二、主动公开政府信息情况
第二十条第（八）项
信息内容\t上一年项目数量\t本年增/减
第二十条第（九）项
政府集中采购\t36\t+44
信息内容\t采购项目数量\t采购总金额
"""


def test_a_signed_value_under_a_column_that_is_no_change_leaves_the_row_null():
    doc = _parse_text(SECTION_TWO_OUT_OF_ORDER)
    procurement = {c.col: c.value for c in doc.cells if c.row == "procurement"}
    assert procurement and all(v is None for v in procurement.values())
    assert any(i.code == "ambiguous_alignment" and i.row == "procurement" for i in doc.issues)


SECTION_THREE = """2020年政府信息公开工作年度报告
三、收到和处理政府信息公开申请情况
\t\t自然人\t商业企业\t科研机构\t社会公益组织\t法律服务机构\t其他\t总计
{rows}"""


def test_a_lone_row_that_breaks_its_sums_is_not_kept_as_printed():
    # pdfminer: labels and values apart, a column of values after one label; nothing else of the table read
    doc = _parse_text(SECTION_THREE.format(rows="\t\t5\t0\t0\t0\t0\t0\t5\n（六）其他处理\t17\t32\t0\t10\t0\t0\t0\n"))
    assert {c.col: c.value for c in doc.cells if c.row == "other"} == dict.fromkeys(
        ["natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total"])
    assert any(i.code == "ambiguous_alignment" and i.row == "other" and "half" in i.detail for i in doc.issues)


def test_a_row_that_breaks_its_sums_among_rows_that_hold_is_kept_as_printed():
    rows = ("一、本年新收政府信息公开申请数量\t1\t0\t0\t0\t0\t0\t1\n"
            "二、上年结转政府信息公开申请数量\t0\t0\t0\t0\t0\t0\t0\n"
            "（一）予以公开\t1\t0\t0\t0\t0\t0\t2\n")
    doc = _parse_text(SECTION_THREE.format(rows=rows))
    assert {c.col: c.value for c in doc.cells if c.row == "granted"}["total"] == Decimal(2)


SECTION_TWO_FEES = """2020年政府信息公开工作年度报告
二、主动公开政府信息情况
第二十条第（八）项
信息内容\t上一年项目数量\t本年增/减
行政事业性收费\t{cells}
"""


def test_a_negative_value_moved_under_a_count_leaves_the_row_null():
    # a damaged `<td>` moved `-48` from 本年增/减 under 上一年项目数量
    moved = _parse_text(SECTION_TWO_FEES.format(cells="-48\t"))
    assert {c.col: c.value for c in moved.cells if c.row == "fees"} == {"prior_items": None, "change": None}
    printed = _parse_text(SECTION_TWO_FEES.format(cells="3\t-1"))
    assert {c.col: c.value for c in printed.cells if c.row == "fees"} == {"prior_items": Decimal(3),
                                                                         "change": Decimal(-1)}


def test_a_single_row_table_that_breaks_its_sums_is_read_as_printed():
    # nothing says the text is out of order: the agency's inconsistency is kept for the checks to find
    doc = _parse_text(SECTION_THREE.format(rows="（六）其他处理\t17\t32\t0\t10\t0\t0\t0\n"))
    assert {c.col: c.value for c in doc.cells if c.row == "other"}["natural_person"] == Decimal(17)


def test_a_delimiter_turned_into_a_digit_is_found():
    # `1\t0项` with the tab overwritten by `0`: `100项`
    row = [None, "0", "1", "0", "0", "100项", "2", "2"]
    assert _d(0, 1, 0, 0, 1, 0, 2, 2) in recut_readings(row, _value, lambda v: row_total_holds(v, has_subtotal=True))


def test_a_blank_in_a_table_whose_conversion_merges_cells_leaves_its_row_null():
    rows = ("一、本年新收政府信息公开申请数量\t\t0\t1\t0\t0\t0\t1\n"
            "二、上年结转政府信息公开申请数量\t0\t0 0\t0\t0\t0\t0\n"
            "（一）予以公开\t1\t0\t0\t0\t0\t0\t1\n")
    doc = _parse_text(SECTION_THREE.format(rows=rows))
    values = {(c.row, c.col): c.value for c in doc.cells}
    assert values[("new_received", "total")] is None  # its blank may have moved: markitdown over pdfminer
    assert values[("granted", "total")] == Decimal(1)  # every cell printed: its columns are certain
    assert any(i.code == "ambiguous_alignment" and i.row == "new_received" and "blank" in i.detail
               for i in doc.issues)


def test_a_damaged_value_line_stays_in_its_cell_per_line_row():
    # fuzz m002361: the total `２` of a cell-per-line row overwritten by `ﴒ`; read as a new row, it let the
    # row's leading residue blank become its first value and every value move a column
    cells = ["", "0", "1", "0", "0", "1", "0", "ﴒ"]
    text = ("2020年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"
            + "".join(f"\t{t}\n" for t in ["", "自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构",
                                            "其他", "总计"])
            + "\n\t（一）予以公开\n" + "".join(f"\t{t}\n" for t in cells))
    doc = _parse_text(text)
    granted = {c.col: c.value for c in doc.cells if c.row == "granted"}
    assert not any(v is not None for v in granted.values())  # was: commercial 0, research 1 … (shifted)
    assert any(i.row == "granted" for i in doc.issues)


def test_a_markdown_file_that_ends_inside_a_table_drops_its_last_row():
    # fuzz m000113: truncated after `| 0  | `, the last row looks whole but lost its last cells
    values, issues = _section_four_cut(["1", "0", "0", "0", "1"] * 3)
    assert values == {} or all(v is None for v in values.values())
    assert any(i.table == "review_litigation" for i in issues)


def _section_four_cut(cells: list[str]) -> tuple[dict[tuple[str, str], Decimal | None], list]:
    text = "2021年政府信息公开工作年度报告\n\n" + SECTION_FOUR.split("\n\n五、")[0].format(cells="|".join(cells))
    doc = parse_bytes(text.encode("utf-8"), Path("converted.md"))
    return {(c.row, c.col): c.value for c in doc.cells if c.table == "review_litigation"}, doc.issues


def test_a_spaced_run_short_of_a_cell_is_not_filled_by_splitting_a_number():
    # inscriptis: `（七）总计 6 [blank] 0 0 0 0 17` — the blank hid a value, so 6 0 0 0 0 1 7 balancing is chance
    doc = _parse_text("2020年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"
                      "（七）总计 6 0 0 0 0 17\n")
    assert not any(c.value is not None for c in doc.cells if c.row == "total_processed")
    assert any(i.row == "total_processed" for i in doc.issues)
    # a crawl that spaces one cell alone glued the rest: the identities still split it (pingtan `500000 5`)
    crawl = _parse_text("2020年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"
                        "（二）部分公开（区分处理的，只计这一情形，不计其他情形）500000 5\n")
    assert {c.col: c.value for c in crawl.cells if c.row == "partially_granted"}["natural_person"] == Decimal(5)


def test_a_markdown_row_that_lost_its_closing_pipe_keeps_every_cell():
    # fuzz m006209: `| 规章 |  | 210 | 6 | 6 ` — the last cell is a cell, not a cut one
    text = ("2021年政府信息公开工作年度报告\n二、主动公开政府信息情况\n\n"
            "| 第二十条第（一）项 | | | | |\n| --- | --- | --- | --- | --- |\n"
            "| 信息内容 |  | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n"
            "| 规章 |  | 210 | 6 | 6 \n"
            "| 行政规范性文件 |  | 0 |  0 | 154 |\n\n"
            "| 第二十条第（五）项 | | | | |\n| --- | --- | --- | --- | --- |\n"
            "| 信息内容 |  | 本年处理决定数量 | | |\n| 行政许可 |  | 12 | | |\n\n三、收到和处理政府信息公开申请情况\n")
    doc = _parse_text(text)
    regulations = {c.col: c.value for c in doc.cells if c.row == "regulations"}
    assert regulations == {"issued": Decimal(210), "repealed": Decimal(6), "in_force": Decimal(6)}


SECTION_THREE_BY_POSITION = """2020年政府信息公开工作年度报告
三、收到和处理政府信息公开申请情况
|  |  | 自然人 |  |  |  |  |  | 总计 |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
| 一、本年新收政府信息公开申请数量 |  | 1 | 0 | 0 | 0 | 0 | 0 | 1 |
| 二、上年结转政府信息公开申请数量 |  | 0 | 0 | 0 | 0 | 0 | 0 | 0 |

|  |  |  | 自然人 |  |  |  |  | 总计 |
| --- | --- | --- | --- | --- | --- | --- | --- | --- |
| 四、结转下年度继续办理 |  |  |  | 0 | 0 | 1 |  | 1 |
四、政府信息公开行政复议、行政诉讼情况
"""


def test_a_row_read_by_leaving_edge_blanks_out_must_start_at_the_header_in_force():
    # markitdown over pdfminer prints each table with its own header, laid out by x position: the lone row's
    # seven-cell window starts a cell left of its header's 自然人, so a spacer or a blank column lies among its
    # cells; the rows above, under their own header as wide, start at its 自然人 and are read
    doc = _parse_text(SECTION_THREE_BY_POSITION)
    values = {(c.row, c.col): c.value for c in doc.cells}
    assert values[("new_received", "natural_person")] == Decimal(1)
    assert values[("new_received", "total")] == Decimal(1)
    assert values[("carried_over", "total")] == Decimal(0)
    assert {v for (row, _), v in values.items() if row == "carried_forward"} == {None}
    assert any(i.code == "cell_count_mismatch" and i.row == "carried_forward" and "spacer" in i.detail
               for i in doc.issues)


CRAWL_THREE = ("2021年政府信息公开工作年度报告\n三、收到和处理政府信息公开申请情况\n"
               "申请人情况自然人法人或其他组织总计商业企业科研机构社会公益组织法律服务机构其他\n{rows}")
CRAWL_FOUR = ("四、政府信息公开行政复议、行政诉讼情况\n行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计"
              "未经复议直接起诉复议后起诉结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计\n"
              "010 01 00条0件1100112\n五、存在的主要问题及改进情况\n")
RESULTS = ("upheld", "corrected", "other", "pending", "total")


def _after_review(rows: str) -> tuple[dict[str, Decimal | None], list]:
    doc = _parse_text(CRAWL_THREE.format(rows=rows) + CRAWL_FOUR)
    return {c.col: c.value for c in doc.cells if c.row == "litigation_after_review"}, doc.issues


def test_section_four_glued_in_a_crawl_whose_section_three_reads_only_with_blanks_is_left_null():
    # bs4 crawl: `1016条 571 0001587` and `03740 00374` read as no full row, but each as six numbers and a blank
    # (its value 0, the row total holding); 四's `…00112` may then be 0 0 1 12 and a blank 总计 as well as 0 0 1 1 2
    shows_blanks = "（五）不予处理2.重复申请1016条 571 0001587\n四、结转下年度继续办理03740 00374\n"
    values, issues = _after_review(shows_blanks)
    assert set(values.values()) == {None}
    assert any(i.code == "ambiguous_digit_run" and i.table == "review_litigation" for i in issues)
    # every cell printed, section 三 shows no dropped blank: 四's one balancing split is read
    values, _ = _after_review("（五）不予处理2.重复申请1016条 571 0 0 0 0 1587\n"
                              "四、结转下年度继续办理0 374 0 0 0 0 374\n")
    assert values == dict(zip(RESULTS, _d(0, 0, 1, 1, 2), strict=True))


def test_one_row_total_printed_off_that_reads_with_a_blank_does_not_unread_section_four():
    # `81001120` (8 1 0 0 1 1 and a total printed 20) also reads 8 10 0 1 1 · 20, as if a blank were dropped: one
    # printed inconsistency reads like that, so one such row does not show that the flattening drops blanks
    values, issues = _after_review("一、本年新收政府信息公开申请数量9 2 0 0 1 1 13\n"
                                   "二、上年结转政府信息公开申请数量0 0 0 0 0 0 0\n"
                                   "（七）总计1 1 0 0 0 0 2\n四、结转下年度继续办理81001120\n")
    assert values == dict(zip(RESULTS, _d(0, 0, 1, 1, 2), strict=True))
    assert any(i.code == "ambiguous_digit_run" and i.row == "carried_forward" for i in issues)


def test_a_glued_split_past_its_column_total_is_left_null_where_a_row_is_unread():
    # `0001120 22` (0 0 0 1 12 0, total printed off at 22) splits only as 0 0 0 1 1 20 to balance; 不予处理's run
    # reads no way, so no equation is whole, but 其他's 20 already passes the （七）总计's 0 there
    rows = ("（一）予以公开0 0 0 0 0 0 0\n（三）不予公开2.其他法律行政法规禁止公开0001120 22\n"
            "（五）不予处理1.信访举报投诉类申请00000000\n（六）其他处理3.其他0 0 0 0 0 0 0\n"
            "（七）总计1 0 0 1 12 0 14\n")
    doc = _parse_text(CRAWL_THREE.format(rows=rows))
    values = {c.col: c.value for c in doc.cells if c.row == "denied_prohibited_by_law"}
    assert values and set(values.values()) == {None}
    assert any(i.code == "ambiguous_digit_run" and i.row == "denied_prohibited_by_law" for i in doc.issues)
    # the same split where it stays within every column total is the row's own reading
    doc = _parse_text(CRAWL_THREE.format(rows=rows.replace("1 12 0 14", "1 1 20 23")))
    values = {c.col: c.value for c in doc.cells if c.row == "denied_prohibited_by_law"}
    assert values == dict(zip(("natural_person", "commercial", "research", "social_welfare", "legal_service",
                                "other_org", "total"), _d(0, 0, 0, 1, 1, 20, 22), strict=True))
