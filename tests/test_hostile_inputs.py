"""Issue 17, one file at a time: every crafted crash class ends as a document with a status and a
reason, never an exception, a hang or a value the warehouse cannot hold."""

from __future__ import annotations

import os
import time
from decimal import Decimal
from pathlib import Path

import pytest

from extract.guard import VALUE_LIMIT
from extract.limits import MAX_SPAN
from extract.parse import parse_bytes, parse_file
from extract.parse_cli import run as parse_run
from extract.readers.html import _span
from extract.solve import digit_splits, row_sum_splits
from tests.fuzz import crafted
from tests.fuzz.crafted import cases

# A crafted file is read in well under this much CPU (the hostile ones are refused before any real work). CPU time,
# not wall time: a shared machine's load must not fail a test of the parser's own work.
FAST_CPU_SECONDS = 8.0


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.name)
def test_crafted_case_ends_with_its_expected_status(case: crafted.Case):
    start = time.process_time()
    doc = parse_bytes(case.make(), Path(case.name))
    assert time.process_time() - start < FAST_CPU_SECONDS
    assert doc.status in case.statuses, doc.error
    if case.error:
        assert doc.error.startswith(case.error)
    assert (doc.status == "failed") == (doc.error is not None and doc.report is None) or doc.status == "partial"
    assert all(c.value is None or abs(c.value) < VALUE_LIMIT for c in doc.cells)
    assert not any(i.code == "internal_error" for i in doc.issues)


def _cell(doc, table: str, row: str, col: str):
    return next(c for c in doc.cells if (c.table, c.row, c.col) == (table, row, col))


@pytest.mark.parametrize("digits", [14, 15, 19])
def test_a_number_too_long_for_the_warehouse_is_null_with_an_issue(digits: int):
    doc = parse_bytes(crafted.digits_in_cell(digits)(), Path("long.txt"))
    cell = _cell(doc, "applications", "new_received", "total")
    assert cell.value is None and cell.raw == "5" + "9" * (digits - 1)
    assert any(i.code == "value_out_of_range" and i.row == "new_received" for i in doc.issues)
    others = [c for c in doc.cells if c.row == "new_received" and c.col != "total"]
    assert others and all(c.value is not None for c in others)  # the rest of the row is read, not shifted


def test_more_decimals_than_the_warehouse_holds_are_kept_with_an_issue():
    doc = parse_bytes(crafted.many_decimals(), Path("decimals.txt"))
    assert _cell(doc, "applications", "new_received", "total").value == Decimal("1.123456789")
    assert any(i.code == "rounded_for_storage" and i.row == "new_received" for i in doc.issues)


def test_a_report_without_an_agency_name_is_read_with_a_null_agency():
    doc = parse_bytes(crafted.no_agency(), Path("no_agency.txt"))
    assert doc.status in ("parsed", "partial") and doc.report["agency"] is None
    assert doc.report["template"] == "F2019"
    assert len([c for c in doc.cells if c.value is not None]) > 100


def test_a_report_without_section_two_is_partial():
    doc = parse_bytes(crafted.no_section_two(), Path("no2.txt"))
    assert doc.status == "partial" and "table_not_found" in doc.error
    assert "disclosure" not in doc.report["tables_found"] and "applications" in doc.report["tables_found"]


def test_rows_printed_twice_with_other_numbers_keep_no_value_of_either():
    doc = parse_bytes(crafted.duplicated_rows(), Path("dup.txt"))
    refs = [(c.table, c.row, c.col) for c in doc.cells]
    assert len(refs) == len(set(refs))  # one value per cell reaches the warehouse


def test_a_5000_digit_number_in_the_prose_is_no_fact():
    doc = parse_bytes(crafted.prose_digits(), Path("prose.txt"))
    assert doc.status == "parsed"
    received = [f for f in doc.facts if f.code == "applications_received"]
    assert received and received[0].value < 10**8  # the real sentence, further down, states it


def test_a_long_digit_run_is_left_null_quickly():
    assert digit_splits("9" * 120, 7) is None and row_sum_splits("9" * 120) == []
    doc = parse_bytes(crafted.digit_run(120)(), Path("nines.txt"))
    assert doc.status == "partial" and "ambiguous_digit_run" in doc.error
    assert _cell(doc, "applications", "new_received", "total").value is None


def test_spans_of_any_size_are_clipped():
    assert _span("2147483647", MAX_SPAN) == MAX_SPAN and _span("9" * 5000, 7) == 7 and _span("0", 5) == 5
    doc = parse_bytes(crafted.docx_grid_span(), Path("span.docx"))
    assert doc.status == "parsed"


def test_a_hostile_html_table_fails_its_file_only(tmp_path: Path):
    doc = parse_bytes(crafted.html_rowspan(), Path("rowspan.html"))
    assert doc.status == "failed" and doc.error.startswith("resource_limit")


def test_a_non_utf8_file_name_gives_valid_text(tmp_path: Path, capsysbinary: pytest.CaptureFixture[bytes]):
    path = tmp_path / os.fsdecode(b"bad\xff\xfename.txt")
    path.write_bytes(crafted.rendered("tab_rows"))
    doc = parse_file(path)
    assert doc.status == "parsed" and doc.file_name == "bad\\xff\\xfename.txt"
    parse_run([path], as_json=True)
    out = capsysbinary.readouterr().out
    assert b'"file": "bad\\\\xff\\\\xfename.txt"' in out
    out.decode("utf-8")


def test_parse_prints_a_line_for_a_directory_fifo_and_broken_link(tmp_path: Path, capsys):
    (tmp_path / "x.txt").mkdir()
    os.mkfifo(tmp_path / "fifo.txt")
    (tmp_path / "broken.txt").symlink_to(tmp_path / "nowhere")
    good = tmp_path / "good.txt"
    good.write_bytes(crafted.rendered("tab_rows"))
    paths = [tmp_path / "x.txt", tmp_path / "fifo.txt", tmp_path / "broken.txt", good]
    assert parse_run(paths, as_json=False) == 0
    out = capsys.readouterr().out
    assert f"{tmp_path / 'x.txt'}: failed (not_a_file" in out
    assert f"{tmp_path / 'fifo.txt'}: failed (not_a_file" in out
    assert f"{tmp_path / 'broken.txt'}: failed (unreadable_file" in out
    assert f"{good}: parsed" in out


def test_an_exception_inside_the_matcher_is_a_failed_document(monkeypatch: pytest.MonkeyPatch):
    import extract.parse as parse

    def broken(doc, blocks):
        raise StopIteration

    monkeypatch.setattr(parse, "parse_blocks", broken)
    doc = parse_bytes(crafted.rendered("tab_rows"), Path("x.txt"))
    assert doc.status == "failed" and doc.error.startswith("internal_error: StopIteration")
    assert "test_hostile_inputs.py" in doc.error and doc.cells == [] and doc.report is None


def test_memory_exhaustion_inside_the_parse_is_resource_limit(monkeypatch: pytest.MonkeyPatch):
    import extract.parse as parse

    def hungry(doc, blocks):
        raise MemoryError

    monkeypatch.setattr(parse, "parse_blocks", hungry)
    doc = parse_bytes(crafted.rendered("tab_rows"), Path("x.txt"))
    assert doc.status == "failed" and doc.error.startswith("resource_limit")


def test_out_of_range_values_from_a_solver_are_nulled():
    from extract.guard import fits

    assert fits(Decimal("999999999999.9999")) and not fits(Decimal("1000000000000"))
    assert fits(None) and not fits(Decimal("NaN")) and not fits(Decimal("-1e13"))
