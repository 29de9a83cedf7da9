"""What the converter slow tier found (issue 11), each pinned to the draw that found it: the converter's real
output of a generated report, parsed, with the cells that class reads asserted against the truth. Each class is
now read right or left null with an issue, never read as another number."""

from __future__ import annotations

from decimal import Decimal

from synthetic.convert import BY_NAME, Outcome, case_for, check
from synthetic.render import Noise

ALL_NOISE = dict(cell_forms=False, null_forms=False, blanks=True, split_labels=True, stray_cells=True, encodings=True,
                 heading_variants=True)


def _outcome(converter: str, shape: tuple, seed: int, source: str, inject: tuple[str, ...], **noise: bool) -> Outcome:
    return check(BY_NAME[converter], case_for(shape, seed, source, inject, Noise(**noise)))


def _row(o: Outcome, table: str, row: str) -> dict[str, Decimal | None]:
    return {c.col: c.value for c in o.doc.cells if c.table == table and c.row == row}


def _truth(o: Outcome, table: str, row: str) -> dict[str, Decimal | None]:
    return {col: None if v is None else Decimal(v) for col, v in o.cells[table][row].items()}


def _issue(o: Outcome, code: str, table: str, row: str | None = None) -> list[str]:
    return [i.detail for i in o.doc.issues if i.code == code and i.table == table and i.row == row]


def test_a_spaced_section_four_run_one_number_short_is_left_null():
    """inscriptis spaces the 四 row's numbers and drops the blank 总计: `0 0 10 1 1 0 …` (14 numbers) split `10`
    into `1 0` to fill 15 columns, and the blocks balanced on the wrong cells."""
    o = _outcome("inscriptis", ("F2019", "national", True), 879, "html", ("doubled_total_processed",), **ALL_NOISE)
    assert not o.failures
    assert _truth(o, "review_litigation", "review")["other"] == 10
    assert set(_row(o, "review_litigation", "review").values()) == {None}
    assert any("spaces 14 numbers for 15 columns" in d for d in _issue(o, "ambiguous_alignment", "review_litigation"))


def test_markitdown_header_rows_off_the_value_columns_do_not_hide_a_spacer_column():
    """markitdown over pdfminer lays columns out by x position: the header labels sit one column off the values,
    so the column empty in every row of values was kept, and （六）其他处理's leading blank read 294 as 自然人."""
    o = _outcome("markitdown_pdf", ("F2021", "single_other", False), 2142946, "pdf", ("row_total_off", "t4_total_off"),
                 **{**ALL_NOISE, "stray_cells": False})
    assert not o.failures
    assert _row(o, "applications", "other") == _truth(o, "applications", "other")
    assert _row(o, "applications", "other")["commercial"] == 294
    assert _row(o, "applications", "other")["natural_person"] is None


def test_markitdown_row_under_a_spaced_header_but_off_its_positions_is_left_null():
    """markitdown over pdfminer printed section 二's 规章 row `| | 规章 | | | | | 0 | | 0 |` under a header with spacer
    cells between its labels, its values off the header's positions (the next row's sit elsewhere again): trimmed
    of its blank edges, the row read `0 | | 0`, the blank between the zeros as 本年新公开数量. Which of the blanks
    is a column cannot be told, so the row is left null."""
    o = _outcome("markitdown_pdf", ("F2019", "beijing", False), 3551521, "pdf", ("t4_total_off", "balance_off"),
                 cell_forms=False, null_forms=True, blanks=True, split_labels=False, stray_cells=False,
                 encodings=False, heading_variants=False)
    assert not o.failures
    assert _truth(o, "disclosure", "regulations") == {"made": None, "published": 0, "total_public": 0}
    assert set(_row(o, "disclosure", "regulations").values()) == {None}
    assert any("laid out by position" in d for d in _issue(o, "cell_count_mismatch", "disclosure", "regulations"))


def test_markitdown_row_a_cell_off_its_header_with_a_blank_is_left_null():
    """The same class without spacers in the header (`| | 信息内容 | | 上一年项目数量 | 本年增/减 | 处理决定数量 | |`):
    行政强制 printed `| | 行政强制 | | | 0 | | 0 |`, a cell right of the header, and its blank edge cell was left out as
    residue: `0 | | 0` read the first zero as 上一年项目数量. A row printing all three values is still read."""
    o = _outcome("markitdown_pdf", ("F2019", "national", True), 257, "pdf",
                 ("negative_count", "doubled_total_processed"), cell_forms=True, null_forms=False, blanks=True,
                 split_labels=True, stray_cells=True, encodings=False, heading_variants=False)
    assert not o.failures
    assert _truth(o, "disclosure", "enforcement") == {"prior_items": None, "change": 0, "decisions": 0}
    assert set(_row(o, "disclosure", "enforcement").values()) == {None}
    assert _row(o, "disclosure", "penalty") == _truth(o, "disclosure", "penalty") == {
        "prior_items": 0, "change": 0, "decisions": 251}


def test_a_sparse_row_balancing_only_through_a_negative_count_is_left_null():
    """docx2txt drops blank cells: `-2 0 0 0 0 2` after a blank 自然人 balanced as `-2 … 2 (total blank)`."""
    o = _outcome("docx2txt", ("F2021", "national", False), 19971, "docx", ("negative_count", "doubled_total_processed"),
                 **{**ALL_NOISE, "split_labels": False, "stray_cells": False, "heading_variants": False})
    assert not o.failures
    assert _truth(o, "applications", "unable_not_held")["commercial"] == -2
    assert set(_row(o, "applications", "unable_not_held").values()) == {None}
    assert _issue(o, "ambiguous_alignment", "applications", "unable_not_held")


def test_a_sparse_row_whose_dropped_cell_may_be_its_total_is_left_null():
    """A blank 总计 dropped like any blank: `1 0 0 0 0 1 1` read as a blank 自然人 and a total of 1 balanced,
    while the printed row was 1 … 1, 小计 1 and no total. The blank total's reading competes, and the table's
    columns refute both."""
    o = _outcome("docx2txt", ("F2021", "national", True), 16058, "docx", ("row_total_off",),
                 **{**ALL_NOISE, "null_forms": True, "split_labels": False, "encodings": False})
    assert not o.failures
    assert _truth(o, "applications", "rejected_petition")["total"] is None
    assert set(_row(o, "applications", "rejected_petition").values()) == {None}
    assert _issue(o, "ambiguous_alignment", "applications", "rejected_petition")


def test_a_glued_run_that_dropped_a_blank_is_refuted_by_the_rows_beside_it():
    """bs4 `get_text()` glues `28 35 0 0 · 12 75` into `2835001275`, whose one full split `2 8 3 50 0 12 75` holds
    its own total; (七)总计 then has no reading that balances the 勾稽, so the whole reading is refuted."""
    o = _outcome("bs4_get_text", ("F2019", "beijing", False), 449351453, "html", ("t4_total_off",),
                 **{**ALL_NOISE, "null_forms": True, "stray_cells": False, "heading_variants": False})
    assert not o.failures
    assert _truth(o, "applications", "new_received")["natural_person"] == 28
    assert set(_row(o, "applications", "new_received").values()) == {None}
    assert _issue(o, "ambiguous_digit_run", "applications", "new_received")


def test_a_glued_run_in_a_table_that_dropped_blanks_needs_its_columns_to_confirm_it():
    """bs4 `get_text()`: 7.属于行政执法案卷 printed `0 · · 0 0 0 279` (two blanks whose 279 is in the total) glues
    into `0000279`, whose one full split `0 0 0 0 2 7 9` balances. Other runs of the table read only with a blank,
    so a blank may hide in any run: only a column identity could confirm the split, and none can here."""
    o = _outcome("bs4_get_text", ("F2021", "national", False), 2578239945, "html", (),
                 **{**ALL_NOISE, "null_forms": True, "stray_cells": False, "encodings": False,
                    "heading_variants": False})
    assert not o.failures
    assert _truth(o, "applications", "denied_enforcement_file")["total"] == 279
    assert set(_row(o, "applications", "denied_enforcement_file").values()) == {None}
    assert any("a blank may hide in this run" in d
               for d in _issue(o, "ambiguous_digit_run", "applications", "denied_enforcement_file"))


def test_a_disclosure_row_whose_blocks_header_follows_it_is_left_null():
    """pdfminer prints a page's text block by block: `政府集中采购 0 0` (行政事业性收费's two values) came before
    the 采购 header and its own values `0 8.6748`, and was read as 采购项目数量 0, 采购总金额 0."""
    o = _outcome("pdfminer", ("F2019", "national", False), 2989213544, "pdf", ("balance_off",),
                 **{**ALL_NOISE, "null_forms": True, "encodings": False, "heading_variants": False})
    assert not o.failures
    assert str(o.cells["disclosure"]["procurement"]["amount_10k_yuan"]) == "8.6748"
    assert set(_row(o, "disclosure", "procurement").values()) == {None}
    assert any("printed after the row" in d for d in _issue(o, "ambiguous_alignment", "disclosure", "procurement"))


def test_a_disclosure_table_laid_out_by_position_is_read_at_its_value_columns():
    """markitdown over pdfminer prints `| | 规范性文件 | | 139 | | 35 | | |` under header labels a column to the left
    of the values: 规范性文件's blank 对外公开总数量 was read as 35, and 35 moved out of 本年新公开数量."""
    o = _outcome("markitdown_pdf", ("F2019", "national", False), 2046930732, "pdf", (),
                 **{**ALL_NOISE, "split_labels": False, "encodings": False, "heading_variants": False})
    assert not o.failures
    for row in ("regulations", "normative_documents", "licensing", "other_services", "procurement"):
        assert _row(o, "disclosure", row) == _truth(o, "disclosure", row), row
    assert _row(o, "disclosure", "normative_documents")["total_public"] is None


def test_a_row_read_where_most_labels_print_alone_needs_its_columns_to_confirm_it():
    """pdfminer's block order prints section 三's labels as lines of their own and the values in columns
    elsewhere: `四、结转下年度继续办理` was followed by seven zeros of another column, which hold their own total."""
    o = _outcome("pdfminer", ("F2021", "single_other", False), 2726418465, "pdf", ("t4_total_off",),
                 **{**ALL_NOISE, "cell_forms": True, "blanks": False, "split_labels": False, "encodings": False})
    assert not o.failures
    assert _truth(o, "applications", "carried_forward")["total"] == 1
    assert set(_row(o, "applications", "carried_forward").values()) == {None}
    assert any("printed without values" in d for d in _issue(o, "ambiguous_alignment", "applications",
                                                             "carried_forward"))


def test_a_glued_run_whose_column_identity_fails_is_left_null():
    """bs4 `get_text()`: `20 783 7 79 70 · 959` glues into `2078377970 959`, whose one full split
    `2 0 783 77 97 0 959` holds its own total while no other run of the table shows a dropped blank; the 勾稽 fails
    in the columns it fills, so the split is refuted (a printed inconsistency reads the same, and is left null too)."""
    o = _outcome("bs4_get_text", ("F2021", "national", False), 269566078, "html", ("t4_total_off", "balance_off"),
                 **{**ALL_NOISE, "null_forms": True, "stray_cells": False, "encodings": False,
                    "heading_variants": False})
    assert not o.failures
    assert _truth(o, "applications", "new_received")["commercial"] == 783
    assert set(_row(o, "applications", "new_received").values()) == {None}
    assert _issue(o, "ambiguous_digit_run", "applications", "new_received")


def test_a_marker_glued_to_a_number_is_not_read_as_a_minus_sign():
    """bs4 crawl of section 四: `…0-１10` is `0`, `-` (not reported), `1`, `10`, whose 总计 counts the value the
    marker hid; read as `0 -1 1 0` the block balanced. Counts are never negative in a glued run's reading."""
    o = _outcome("bs4_crawl", ("F2019", "beijing", False), 9100, "html", (),
                 **{**ALL_NOISE, "cell_forms": True, "null_forms": True, "heading_variants": False})
    assert not o.failures
    assert _truth(o, "review_litigation", "litigation_after_review")["other"] is None
    assert set(_row(o, "review_litigation", "litigation_after_review").values()) == {None}
    assert _issue(o, "ambiguous_digit_run", "review_litigation")


def test_disclosure_rows_where_most_labels_print_alone_are_left_null():
    """pdfminer's block order prints section 二's labels on lines of their own and a column of values after the
    last of them: `行政检查`, `行政确认`, `３０２ 2 24` (the 上一年项目数量 of 行政许可, 行政检查 and 行政确认)
    read as 行政确认's row."""
    o = _outcome("pdfminer", ("F2019", "beijing", True), 142175476, "pdf",
                 ("doubled_total_processed", "negative_count"),
                 **{**ALL_NOISE, "cell_forms": True, "split_labels": False, "heading_variants": False})
    assert not o.failures
    assert _truth(o, "disclosure", "confirmation")["prior_items"] == 24
    assert set(_row(o, "disclosure", "confirmation").values()) == {None}
    assert any("printed without values" in d for d in _issue(o, "ambiguous_alignment", "disclosure", "confirmation"))


def test_fifteen_values_before_any_section_four_result_label_are_not_its_row():
    """pdfminer's block order put section 三's 总计 column (`0 347 8 276 329 …`, fifteen values) under section 四's
    heading, before its result labels (printed one character a line further down): counted as the row, it read
    347 as 结果纠正. A row no result label precedes is now kept only when its blocks' 总计 add up."""
    o = _outcome("pdfminer", ("F2019", "beijing", True), 1756, "pdf", (),
                 **dict.fromkeys(ALL_NOISE, False))
    assert not o.failures
    assert _truth(o, "review_litigation", "review")["upheld"] == 1
    assert set(_row(o, "review_litigation", "review").values()) == {None}
    assert any("15 cells for 15 columns" in d for d in _issue(o, "ambiguous_alignment", "review_litigation"))


def test_a_blank_edge_cell_where_other_rows_print_values_is_a_column_not_residue():
    """pymupdf4llm's layout mode adds a spacer column among section 三's values; a row whose 自然人 was blank
    printed nine cells with a blank at each end of the spacer-shifted row, and leaving the leading blank out as a
    merged label's residue read 商业企业's 0 as 自然人."""
    o = _outcome("pymupdf4llm_layout", ("F2021", "single_other", True), 4710, "pdf", (),
                 **{**ALL_NOISE, "null_forms": True, "stray_cells": False})
    assert not o.failures
    assert _truth(o, "applications", "denied_third_party")["natural_person"] is None
    assert set(_row(o, "applications", "denied_third_party").values()) == {None}
    assert _issue(o, "cell_count_mismatch", "applications", "denied_third_party")


def test_a_glued_section_four_run_in_a_document_that_drops_blanks_is_left_null():
    """lxml's text_content() glues every cell: section 四 printed `(blank) 0 0 0 11 | 0 1 0 0 1 | 0 0 0 1 1` (the
    blank 结果维持's value still in its 总计 11) came out as fifteen digits, and `0 0 0 1 1` balanced. Section 三's
    runs show this flattening drops blanks, so a glued 四 run is no longer split by its totals."""
    o = _outcome("lxml_text_content", ("F2021", "single_other", True), 3182414506, "html", ("doubled_total_processed",),
                 **{**dict.fromkeys(ALL_NOISE, False), "null_forms": True, "blanks": True, "encodings": True})
    assert not o.failures
    assert _truth(o, "review_litigation", "review")["total"] == 11
    assert set(_row(o, "review_litigation", "review").values()) == {None}
    assert any("drops blank cells" in d for d in _issue(o, "ambiguous_digit_run", "review_litigation"))


def test_a_row_placed_by_order_but_not_confirmed_says_only_that_it_is_unplaced():
    """docx2txt lost （七）总计's label; its printed place was not confirmed by the identities (a row total printed
    off), so the row is null with `unplaced_row` — and no longer also flagged `placed_by_order` ("the table's
    identities hold"), which told a user the opposite."""
    o = _outcome("docx2txt", ("F2019", "national", True), 3344573380, "docx", ("t4_total_off", "row_total_off"),
                 **{**dict.fromkeys(ALL_NOISE, False), "cell_forms": True, "null_forms": True})
    assert not o.failures
    assert set(_row(o, "applications", "total_processed").values()) == {None}
    assert _issue(o, "unplaced_row", "applications", "total_processed")
    assert not _issue(o, "placed_by_order", "applications", "total_processed")


def test_a_disclosure_row_without_header_in_a_table_laid_out_by_position_is_left_null():
    """markitdown over pdfminer: section 二's header labels wrapped down to `量`, so no header was found, and the
    row `| | 规范性文件 | | | | 30 | | 30 |` was read with the template's columns by leaving its blank edge cells out
    as residue: 30 read as 本年新制作数量. Its table has spacer columns, and with no header which cells are its
    columns cannot be told: the row is null."""
    o = _outcome("markitdown_pdf", ("F2019", "national", True), 235, "pdf", (),
                 **{**ALL_NOISE, "cell_forms": True, "encodings": False})
    assert not o.failures
    assert _truth(o, "disclosure", "normative_documents")["published"] == 30
    assert set(_row(o, "disclosure", "normative_documents").values()) == {None}
    assert _issue(o, "ambiguous_alignment", "disclosure", "normative_documents")


def test_a_blank_edge_cell_is_a_column_where_rows_as_wide_print_a_spacer():
    """markitdown over pdfminer: section 四 (结转下年度继续办理) printed its label a column left of the sub-rows', so
    no row of its own shape showed the table's spacer column; leaving its blank 自然人 out as a merged label's
    residue read 商业企业's 21 as 自然人. Rows as wide print values across nine cells for eight columns: the row is
    null."""
    o = _outcome("markitdown_pdf", ("F2021", "national", True), 394034, "pdf", ("negative_count", "balance_off"),
                 **{**ALL_NOISE, "cell_forms": True, "null_forms": True, "heading_variants": False})
    assert not o.failures
    assert _truth(o, "applications", "carried_forward")["natural_person"] is None
    assert _truth(o, "applications", "carried_forward")["commercial"] == 21
    assert set(_row(o, "applications", "carried_forward").values()) == {None}
    assert _issue(o, "cell_count_mismatch", "applications", "carried_forward")


def test_pdftotext_layout_rows_whose_label_line_starts_with_the_group_column_are_placed_by_order():
    """`pdftotext -layout` prints section 三 by position: a row label wrapped over the lines around its values, and
    on the value line itself pieces of the group labels stacked beside the rows (`果  开` of 三、本年度办理结果 and
    （三）不予公开, `无法提` of （四）无法提供). Such a fragment is a cut label that starts with pieces of the group
    labels; the rows are placed by their printed order, and the identities through them hold."""
    o = _outcome("pdftotext_layout", ("F2021", "national", True), 1, "pdf", (), **dict.fromkeys(ALL_NOISE, False))
    assert not o.failures
    assert (o.exact, o.determinable) == (200, 200)
    assert any("'果  开'" in d for d in _issue(o, "placed_by_order", "applications", "denied_prohibited_by_law"))
    assert _row(o, "applications", "unable_needs_creation") == _truth(o, "applications", "unable_needs_creation")
    assert _truth(o, "applications", "unable_needs_creation")["total"] == 56


def test_pdftotext_layout_rows_before_the_first_labelled_row_and_beside_a_stacked_year_are_placed():
    """The same layout, labels wrapped deeper: the table's first two rows print no label on their value lines
    (`一、本年新收政府信息公开申` above, `数量` below), so no read row precedes them, and a value line starts with
    `年` of the stacked 本年度办理结果, which was taken for a date. The table's start bounds the first gap, and a
    lone `年` before three or more values is a row."""
    o = _outcome("pdftotext_layout", ("F2021", "national", False), 2, "pdf", (), **dict.fromkeys(ALL_NOISE, False))
    assert not o.failures
    assert (o.exact, o.determinable) == (200, 200)
    assert _issue(o, "placed_by_order", "applications", "new_received")
    assert any("'年'" in d for d in _issue(o, "placed_by_order", "applications", "denied_enforcement_file"))
    assert _row(o, "applications", "new_received") == _truth(o, "applications", "new_received")


def test_a_subtotal_column_wrapped_cell_by_cell_in_the_header_is_a_column():
    """markitdown over pdfminer wrapped 法人或其他组织小计 over five header rows (`或 其`, `他 组`, `织小`, then `计`
    as loose text), so the 小计 column went unseen; （七）总计, its blank 社会公益组织 dropped, printed seven values,
    read as the seven columns: the 小计's 0 went to 法律服务机构 and a 0 to 社会公益组织. A character only the 小计
    label has (`小`), in the header before the first row of values, shows the column."""
    o = _outcome("markitdown_pdf", ("F2019", "beijing", True), 628361310, "pdf", ("t4_total_off", "balance_off"),
                 **{**ALL_NOISE, "encodings": False})
    assert not o.failures
    assert _truth(o, "applications", "total_processed")["social_welfare"] is None
    assert _row(o, "applications", "total_processed")["social_welfare"] is None


def test_a_row_of_zeros_in_text_printed_column_group_by_group_is_left_null():
    """pdfminer printed section 三 column group by column group: seven zeros under 二、上年结转 were cells of
    several rows (its 商业企业 is blank, its 总计 3278 printed further on under a lone `总计`). A row of zeros holds
    its sums whatever row it is; where no row printing a number holds its own, it is left null."""
    o = _outcome("pdfminer", ("F2021", "national", False), 254, "pdf", ("negative_count",), cell_forms=False,
                 null_forms=True, blanks=True, split_labels=True, stray_cells=False, encodings=False,
                 heading_variants=True)
    assert not o.failures
    assert _truth(o, "applications", "carried_over")["total"] == 3278
    assert _truth(o, "applications", "carried_over")["commercial"] is None
    assert set(_row(o, "applications", "carried_over").values()) == {None}
    assert any("a row of zeros holds its sums" in d for d in _issue(o, "ambiguous_alignment", "applications",
                                                                    "carried_over"))


def test_digits_that_change_width_inside_a_glued_run_are_not_one_number():
    """bs4 `get_text()` glued （二）部分公开's cells as `６８27000 95` (truth 68 · 27 · 0 · blank · 0 · 0 · 95, the
    first printed in full-width digits). Normalised to `6827000 95`, its one split summing to 95 was 6 · 82 · 7 ·
    0 · 0 · 0, and the table's injected imbalance kept the columns from refuting it. The width change is where two
    cells met: no split crosses it, no reading is left, and the row is null."""
    o = _outcome("bs4_get_text", ("F2019", "beijing", False), 400000, "html", ("negative_count", "balance_off"),
                 cell_forms=True, null_forms=True, blanks=True, split_labels=True, stray_cells=False, encodings=True,
                 heading_variants=False)
    assert not o.failures
    assert "不计其他情形）６８27000\xa095\n" in o.text
    assert _truth(o, "applications", "partially_granted")["natural_person"] == 68
    assert set(_row(o, "applications", "partially_granted").values()) == {None}
    assert _issue(o, "ambiguous_digit_run", "applications", "partially_granted") == [
        "0 readings of the printed values fit the table; row left null"]


def test_a_dash_before_zeros_in_a_glued_run_is_not_read_as_a_signed_zero():
    """bs4_crawl glues 结转下年度继续办理 as `18249-00018249` (18249, `-` not reported, 0 0 0, a dropped blank,
    18249). Read with `-0` as a number, `182 49 -0 0 0 18 249` balanced the row and no column could refute it:
    four wrong numbers. Nobody prints `-0`: the row has no reading and is left null."""
    o = _outcome("bs4_crawl", ("F2021", "single_other", False), 1128949956, "html", ("t4_total_off", "negative_count"),
                 cell_forms=False, null_forms=True, blanks=True, split_labels=True, stray_cells=True, encodings=True,
                 heading_variants=False)
    assert not o.failures
    assert _truth(o, "applications", "carried_forward")["natural_person"] == 18249
    assert set(_row(o, "applications", "carried_forward").values()) <= {None}
    assert _row(o, "applications", "total_processed")["natural_person"] == 41233


def test_a_row_alone_under_a_header_laid_out_by_position_is_not_read_by_leaving_its_edge_cells_out():
    """markitdown over pdfminer printed 结转下年度继续办理 as a table of its own with its header, laid out by x
    position: `| 四、结转下年度继续办理 | | | | | | 0 | 0 | 56 | | 0 | | 56 |` under a header naming 自然人 in its
    fifth cell and 总计 in its last. Its values span seven cells, so no row showed the spacer columns, and leaving
    its five leading blanks out as a merged label's residue read 商业企业's 0 as 自然人 (printed blank), 56 as
    科研机构 (truth 0) and left 社会公益组织 null without an issue. That reading starts two cells right of 自然人,
    while a label sits over its values or one cell left of them: a spacer or a blank column lies between, which
    of the row's blanks are columns is unknown, and the row is null."""
    o = _outcome("markitdown_pdf", ("F2019", "beijing", False), 1485, "pdf", ("row_total_off",),
                 **{**ALL_NOISE, "encodings": False})
    printed = "| 四、结转下年度继续办理 |     |     |     |     |     | 0   | 0   | 56  |     | 0   |     | 56  |"
    assert printed in o.text
    assert not o.failures
    truth = _truth(o, "applications", "carried_forward")
    assert (truth["natural_person"], truth["research"], truth["social_welfare"]) == (None, 0, 56)
    assert set(_row(o, "applications", "carried_forward").values()) == {None}
    assert any("names a column off the cells left after the row's blank edges" in d
               for d in _issue(o, "cell_count_mismatch", "applications", "carried_forward"))


def test_a_glued_section_four_run_in_a_document_whose_section_three_shows_blanks_is_left_null():
    """bs4_crawl glues 四's 复议后起诉 block as `００１１２` (0 · 0 · 1 · 12 and a blank 总计). Split `0 0 1 1 2`, the
    block balanced and read pending 1 and a total that was not printed. Section 三 showed the flattening drops
    blanks, though no run of it was too short: two runs (`1016条 571 0001587`, `03740 00374`) read only with a
    blank, more than one printed inconsistency (this report's row total off) explains. 四's glued run may hide a
    blank too, and is left null."""
    o = _outcome("bs4_crawl", ("F2021", "single_other", False), 8057258, "html", ("row_total_off",), cell_forms=True,
                 null_forms=False, blanks=True, split_labels=False, stray_cells=False, encodings=False,
                 heading_variants=False)
    assert not o.failures
    assert "件11００１１２" in o.text
    after_review = _truth(o, "review_litigation", "litigation_after_review")
    assert after_review["pending"] == 12
    assert after_review["total"] is None
    for row in ("review", "litigation_direct", "litigation_after_review"):
        assert set(_row(o, "review_litigation", row).values()) == {None}
    assert any("drops blank cells (section 三 shows it)" in d for d in _issue(o, "ambiguous_digit_run",
                                                                            "review_litigation"))


def test_a_glued_split_balancing_a_row_total_printed_off_is_refuted_by_a_column_total():
    """bs4_crawl glues 其他法律行政法规禁止公开 as `00０ 1120 22` (0 0 0 1 12 0, its row total printed off at 22).
    Split `1 1 20`, the run balanced its own total, and no column identity could be evaluated: the doubled （七）总计
    and eight rows with no reading left every equation with a row unread. Counts are never negative, so the
    outcome rows read so far cannot sum past the （七）总计 printed beside them: the split's 20 under 其他 passes
    its printed 0, and the row is null."""
    o = _outcome("bs4_crawl", ("F2021", "national", False), 2428207048, "html",
                 ("doubled_total_processed", "row_total_off"), cell_forms=True, null_forms=True, blanks=True,
                 split_labels=False, stray_cells=True, encodings=True, heading_variants=True)
    assert "其他法律行政法规禁止公开00０ 1120 22" in o.text
    assert not o.failures
    truth = _truth(o, "applications", "denied_prohibited_by_law")
    assert (truth["social_welfare"], truth["legal_service"], truth["other_org"], truth["total"]) == (1, 12, 0, 22)
    assert set(_row(o, "applications", "denied_prohibited_by_law").values()) == {None}
    assert _issue(o, "ambiguous_digit_run", "applications", "denied_prohibited_by_law")
    assert _row(o, "applications", "denied_process_info")["natural_person"] == 17


def test_a_row_as_wide_as_its_columns_is_held_to_its_header_when_an_edge_is_blank():
    """markitdown over pdfminer printed two header labels in one cell (`社会公 法律服`) and dropped 法律服务机构's blank
    from the row below, which then printed exactly seven cells after its label, the first a blank under the header's
    second empty cell: `| 一、本年新收… | | 3 | 0 | 0 | 0 | 0 | 3 |` read the blank as 自然人, 3 as 商业企业 and 0 as
    法律服务机构, and balanced. The header names 自然人 a cell right of the blank: the row is left null."""
    o = _outcome("markitdown_pdf", ("F2019", "national", False), 210, "pdf", (), **{**ALL_NOISE, "stray_cells": False})
    assert not o.failures
    assert _truth(o, "applications", "new_received")["natural_person"] == 3
    assert set(_row(o, "applications", "new_received").values()) == {None}
    assert any("names a column off its cells" in d for d in _issue(o, "ambiguous_alignment", "applications",
                                                                     "new_received"))
