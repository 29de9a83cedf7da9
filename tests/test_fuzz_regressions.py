"""Regression tests for what the mutation oracle and the campaign's internal errors found (issue 17): a row whose
printed cells no longer fit its header or its label is left null with an issue, never read shifted or as
another row; the matcher never raises on a damaged table; and the oracle itself judges in-place changes right."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

from extract.parse import ParsedDocument, parse_bytes
from tests.fuzz import crafted
from tests.fuzz.oracle import cells_changed_in_place, misplaced

F2021_TAB_ROWS = 11  # a clean F2021 report of the synthetic corpus (rows （六）1.–3.)
SUBTOTAL_TAB_ROWS = 15  # a clean report with an agency-added 法人或其他组织小计 column


def _parse(data: bytes, name: str) -> ParsedDocument:
    return parse_bytes(data, Path(name))


def _values(doc: ParsedDocument, table: str, row: str | None = None) -> dict[tuple[str, str], Decimal | None]:
    return {(c.row, c.col): c.value for c in doc.cells if c.table == table and (row is None or c.row == row)}


def _issues(doc: ParsedDocument, code: str, table: str, row: str | None = None) -> list:
    return [i for i in doc.issues if i.code == code and i.table == table and (row is None or i.row == row)]


def _no_internal_error(doc: ParsedDocument) -> None:
    assert not any(i.code == "internal_error" for i in doc.issues), doc.error


def _tab_report(index: int) -> str:
    return crafted.rendered("tab_rows", index).decode("utf-8")


def _html_report(index: int = F2021_TAB_ROWS) -> str:
    return crafted.rendered("html", index).decode("utf-8")


# --------------------------------------------------------------------------- labels


def test_a_corrupted_sub_label_is_not_read_as_its_group_row():
    text = _tab_report(F2021_TAB_ROWS).replace("1.申请人无正当理由", "1.申请亻无正当理由")
    doc = _parse(text.encode("utf-8"), "label.txt")
    assert not _values(doc, "applications", "other")  # （六）其他处理 is the group here, not a data row
    assert not any(v is not None for v in _values(doc, "applications", "other_overdue_correction").values())
    assert _issues(doc, "row_not_found", "applications", "other_overdue_correction")
    assert doc.status == "partial"
    clean = _parse(_tab_report(F2021_TAB_ROWS).encode("utf-8"), "clean.txt")
    assert _values(doc, "applications", "other_overdue_fee") == _values(clean, "applications", "other_overdue_fee")


def test_another_rows_text_glued_into_the_label_leaves_the_row_unread():
    lines = _tab_report(F2021_TAB_ROWS).split("\n")
    i = next(k for k, line in enumerate(lines) if line.startswith("\t\t3.其他\t"))
    # a deletion joins `3.其他 … 0` with the next row: `… | 0 ）总计 | | 29484 …` (markdown m001404, as tab rows)
    lines[i:i + 2] = [lines[i].rsplit("\t", 1)[0] + "\t0 ）" + lines[i + 1].split("（", 1)[1]]
    doc = _parse("\n".join(lines).encode("utf-8"), "glued.txt")
    _no_internal_error(doc)
    assert not any(v is not None for v in _values(doc, "applications", "other_other").values())
    assert not any(v is not None for v in _values(doc, "applications", "total_processed").values())
    assert doc.status == "partial"


# --------------------------------------------------------------------------- grids that lost a cell


def test_an_html_row_that_lost_a_cell_is_left_null_not_shifted():
    html = _html_report()
    row = "<tr><td>2.其他法律行政法规禁止公开</td><td>795</td><td>0</td>"
    assert row in html
    doc = _parse(html.replace(row, "<tr><td>2.其他法律行政法规禁止公开</td><td>795</td>").encode("utf-8"), "td.html")
    assert set(_values(doc, "applications", "denied_prohibited_by_law").values()) == {None}
    assert _issues(doc, "ambiguous_alignment", "applications", "denied_prohibited_by_law")
    assert _values(doc, "applications", "denied_state_secret")[("denied_state_secret", "total")] == 2693
    assert doc.status == "partial"


def test_rows_under_a_lost_merged_label_are_still_read():
    """A lost rowspan label moves every row under it one column left, but each still prints all its cells."""
    html = _html_report()
    group = '<td rowspan="22">三、本年度办理结果</td>'
    assert group in html
    doc = _parse(html.replace(group, "").encode("utf-8"), "rowspan.html")
    clean = _parse(html.encode("utf-8"), "clean.html")
    assert _values(doc, "applications") == _values(clean, "applications")


def test_a_section_four_grid_row_that_lost_a_cell_is_left_null():
    html = _html_report()
    data = "<tr><td>0</td><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td>"
    assert data in html
    doc = _parse(html.replace(data, "<tr><td>0</td><td>0</td><td>0</td><td>0</td><td>1</td>").encode("utf-8"),
                 "four.html")
    assert set(_values(doc, "review_litigation").values()) == {None}
    assert _issues(doc, "ambiguous_alignment", "review_litigation")
    assert doc.status == "partial"


def test_a_section_four_text_row_short_of_its_header_is_left_null():
    lines = _tab_report(F2021_TAB_ROWS).split("\n")
    i = next(k for k, line in enumerate(lines) if "尚未审结" in line and line.startswith("\t"))
    data = lines[i + 1].split("\t")
    k = next(k for k in range(len(data) - 1) if data[k] not in ("", "0") and data[k + 1] == "0")
    lines[i + 1] = "\t".join([*data[:k], data[k] + data[k + 1], *data[k + 2:]])  # `1\t0` lost its tab: `10`
    doc = _parse("\n".join(lines).encode("utf-8"), "four.txt")
    assert set(_values(doc, "review_litigation").values()) == {None}
    assert _issues(doc, "ambiguous_alignment", "review_litigation")


def test_cells_lost_to_huge_grid_spans_make_the_document_partial():
    """Every Word cell spanning the whole grid pushes table 四's header past its data row: its cells are null
    with an error, not only info-level stray cells."""
    doc = _parse(crafted.docx_grid_span_everywhere(), Path("span.docx").name)
    assert doc.status == "partial"
    assert any(i.severity == "error" for i in doc.issues if i.table == "review_litigation")
    assert not any(v is not None for v in _values(doc, "review_litigation").values())


# --------------------------------------------------------------------------- no exception from a damaged table


def test_a_subtotal_header_printed_below_rows_widens_every_row_alike():
    lines = _tab_report(SUBTOTAL_TAB_ROWS).split("\n")
    header = next(k for k, line in enumerate(lines) if "法人或其他组织小计" in line)
    later = header + 12
    lines[header], lines[later] = lines[later], lines[header]  # swap lines: the 小计 header below rows
    doc = _parse("\n".join(lines).encode("utf-8"), "subtotal.txt")
    _no_internal_error(doc)
    assert doc.status in ("parsed", "partial")
    clean = _parse(_tab_report(SUBTOTAL_TAB_ROWS).encode("utf-8"), "clean.txt")
    assert _values(doc, "applications", "new_received") == _values(clean, "applications", "new_received")


def test_a_glued_disclosure_header_in_a_grid_row_is_no_internal_error():
    html = _html_report()
    header = "<tr><td colspan=\"2\">信息内容</td><td>本年制发件数</td><td>本年废止件数</td><td>现行有效件数</td></tr>"
    assert header in html
    glued = "<tr><td colspan=\"5\">信息内容本年制发件数本年废止件数现行有效件数</td></tr>"
    doc = _parse(html.replace(header, glued).encode("utf-8"), "glued.html")
    _no_internal_error(doc)
    assert doc.status in ("parsed", "partial")


# --------------------------------------------------------------------------- the oracle


def _doc(cells: dict[tuple[str, str, str], tuple[str, str | None]]) -> SimpleNamespace:
    return SimpleNamespace(report={}, cells=[
        SimpleNamespace(table=t, row=r, col=c, raw=raw, value=None if v is None else Decimal(v))
        for (t, r, c), (raw, v) in cells.items()])


ROW = [("review_litigation", "review", c) for c in ("upheld", "corrected", "other", "pending", "total")]


def _row(*raws: str) -> SimpleNamespace:
    return _doc({ref: (raw, raw or None) for ref, raw in zip(ROW, raws, strict=True)})


TRUTH = {ref: Decimal(v) for ref, v in zip(ROW, ("0", "10", "1", "0", "11"), strict=True)}


def test_oracle_excuses_a_digit_changed_in_place_even_to_a_neighbours_text():
    original = _row("0", "10", "1", "0", "11")
    assert misplaced(TRUTH, original, _row("0", "10", "1", "1", "11"), "set byte 3334 to 0x31") == []


def test_oracle_flags_a_row_read_one_column_off():
    original = _row("0", "10", "1", "0", "11")
    assert misplaced(TRUTH, original, _row("10", "1", "0", "11", ""), "drop delimiter at 5")


def test_oracle_excuses_one_changed_cell_per_mutation_step():
    original = _row("0", "10", "1", "0", "11")
    two = _row("0", "17", "1", "0", "12")
    assert misplaced(TRUTH, original, two, "digit at 5 to 7")
    assert misplaced(TRUTH, original, two, "digit at 5 to 7; digit at 9 to 2") == []
    assert cells_changed_in_place("word/document.xml: swap lines 3 and 9") == 2


# --------------------------------------------------------------------------- damaged bytes


def _refs(doc: ParsedDocument) -> dict[tuple[str, str, str], Decimal | None]:
    return {(c.table, c.row, c.col): c.value for c in doc.cells}


def test_a_utf8_text_with_one_damaged_byte_is_read_with_the_character_replaced():
    data = crafted.text_report(1).encode("utf-8")
    at = data.index("行政许可".encode()) + 1
    doc = _parse(data[:at] + b"\xff" + data[at + 1:], "damaged.txt")
    assert doc.status == "partial" and doc.encoding == "utf-8"  # read, not `undecodable`
    assert [i.severity for i in doc.issues if i.code == "damaged_bytes"] == ["warning"]
    clean, read = _refs(_parse(data, "clean.txt")), _refs(doc)
    changed = {ref for ref in clean.keys() | read.keys() if read.get(ref) != clean.get(ref)}
    assert changed and all(read.get(ref) is None for ref in changed)  # what the damage touched is not read
    assert {ref[1] for ref in changed} == {"licensing"}


def test_a_damaged_digit_is_never_read_as_another_number():
    data = crafted.text_report(1).encode("utf-8").replace(b"\t208\t", b"\t2\xb08\t", 1)
    doc = _parse(data, "digit.txt")
    assert doc.encoding == "utf-8" and doc.status != "failed"
    assert not any(c.value in (Decimal(2), Decimal(8), Decimal(28)) and "\ufffd" in c.raw for c in doc.cells)
    assert all(c.value is None for c in doc.cells if "\ufffd" in c.raw)


def test_a_text_damaged_throughout_stays_undecodable():
    data = crafted.text_report(1).encode("utf-8")
    damaged = bytes(b ^ 0x40 if k % 97 == 0 and b >= 0x80 else b for k, b in enumerate(data))
    doc = _parse(damaged, "noise.txt")
    assert doc.status == "failed" or not any(i.code == "damaged_bytes" for i in doc.issues)


# --------------------------------------------------------------------------- rows and headers that no longer fit


def _damaged_and_clean(text: str, row: str, damaged: str) -> tuple[ParsedDocument, ParsedDocument]:
    """The report with one printed row replaced by its damaged form (the document is then partial), and as is."""
    assert row in text
    doc = _parse(text.replace(row, damaged).encode("utf-8"), "delimiter.txt")
    assert doc.status == "partial"
    return doc, _parse(text.encode("utf-8"), "clean.txt")


def test_a_text_row_that_lost_a_delimiter_is_not_read_with_its_trailing_blank_as_total():
    """Rows ending in a blank residue cell (`…\\t958\\t`): `624\\t0` read as `6240` leaves the row one cell short,
    and the trailing blank would otherwise be read as its total."""
    lines = [line + "\t" if "\t" in line else line for line in _tab_report(F2021_TAB_ROWS).split("\n")]
    text = "\n".join(lines)
    row = "\t\t8.属于行政查询事项\t624\t0\t0\t0\t269\t65\t958\t"
    doc, clean = _damaged_and_clean(text, row, row.replace("624\t0", "6240"))
    assert set(_values(doc, "applications", "denied_inquiry").values()) == {None}
    assert _values(doc, "applications", "denied_process_info") == _values(clean, "applications", "denied_process_info")


def test_a_row_beside_its_group_that_lost_a_delimiter_is_not_read_from_its_label_blank():
    """Fuzz m007779: a row label printed beside its group's leaves a blank sub-label cell before the values; a
    delimiter turned into a digit (`1\t0` read as `100`) leaves the row one cell short, and that blank would
    otherwise be read as its first value, shifting every other value one column right."""
    text = _tab_report(SUBTOTAL_TAB_ROWS)
    row = "\t（二）部分公开（区分处理的，只计这一情形，不计其他情形）\t\t1\t0\t0\t0\t0\t0\t0\t1"
    doc, clean = _damaged_and_clean(text, row, row.replace("\t\t1\t0\t", "\t\t100\t"))
    assert set(_values(doc, "applications", "partially_granted").values()) == {None}
    assert _values(doc, "applications", "granted") == _values(clean, "applications", "granted")
    assert _values(clean, "applications", "partially_granted")[("partially_granted", "natural_person")] == 1


def test_a_section_four_header_with_an_added_cell_leaves_the_row_null():
    lines = _tab_report(F2021_TAB_ROWS).split("\n")
    i = next(k for k, line in enumerate(lines) if "尚未审结" in line and line.startswith("\t"))
    lines[i] = lines[i].replace("其他结果\t", "其他结果\t尚未宖结果\t", 1)  # a duplicated range in the header
    doc = _parse("\n".join(lines).encode("utf-8"), "header.txt")
    assert set(_values(doc, "review_litigation").values()) == {None}
    assert _issues(doc, "ambiguous_alignment", "review_litigation")


def test_an_html_header_whose_cells_moved_fixes_no_column():
    """A lost colspan moves 总计 left of 科研机构: the header's positions no longer run in the columns' order, so
    the rows are read by their own printed order, which still fits."""
    html = _html_report()
    group = '<td colspan="5">法人或其他组织</td>'
    assert group in html
    doc = _parse(html.replace(group, "<td>法人或其他组织</td>").encode("utf-8"), "colspan.html")
    clean = _parse(html.encode("utf-8"), "clean.html")
    assert _values(doc, "applications") == _values(clean, "applications")


def test_a_disclosure_row_whose_block_header_was_lost_takes_its_own_blocks_columns():
    """Lines swapped or cut so that 行政事业性收费 sits under 行政强制's header (本年处理决定数量): the fee is read as
    its own block's 本年收费金额, never as a 处理决定数量."""
    text = _tab_report(F2021_TAB_ROWS)
    lost = "第二十条第(八)项\t\t\t\t\n信息内容\t\t本年收费金额（单位：万元）\t\t\n"
    assert lost in text
    doc = _parse(text.replace(lost, "").encode("utf-8"), "block.txt")
    fees = _values(doc, "disclosure", "fees")
    assert ("fees", "decisions") not in fees
    assert fees.get(("fees", "amount_10k_yuan")) in (None, Decimal("413.6045"))
