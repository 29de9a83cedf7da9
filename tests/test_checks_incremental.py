"""Checks grow with what is new: only reports without results are validated, removed reports lose theirs,
and the totals still count every stored result."""

from __future__ import annotations

from pathlib import Path

import duckdb
from sample_warehouse import build_sample_warehouse, query

from expectations.checks import run_checks, run_incremental, stored_totals, unchecked_report_ids


def test_only_unchecked_reports_are_validated(tmp_path: Path) -> None:
    warehouse = build_sample_warehouse(tmp_path)
    assert unchecked_report_ids(warehouse) is None
    first = run_incremental(warehouse, data_docs=False)
    assert first.reports == 5
    rows = query(warehouse, "select count(*) from dq.check_results")[0][0]
    again = run_incremental(warehouse, data_docs=False)
    assert again.reports == 0 and again.rows == 0
    assert query(warehouse, "select count(*) from dq.check_results")[0][0] == rows
    totals = stored_totals(warehouse)
    assert totals.reports == 5 and totals.rows == rows and totals.failing_reports == 1
    assert totals.suites["applications"].failed == first.suites["applications"].failed == 6


def test_removed_report_loses_its_results_and_a_new_one_is_checked(tmp_path: Path) -> None:
    warehouse = build_sample_warehouse(tmp_path)
    run_incremental(warehouse, data_docs=False)
    jinzhan = query(warehouse, "select report_id from marts.dim_report where agency = '金盏地区'")[0][0]
    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from marts.dim_report where report_id = ?", [jinzhan])
        con.execute("delete from dq.check_results where report_id = (select min(report_id) from marts.dim_report)")
    unchecked = unchecked_report_ids(warehouse)
    assert unchecked is not None and len(unchecked) == 1
    run = run_incremental(warehouse, data_docs=False)
    assert run.reports == 1
    assert query(warehouse, "select count(*) from dq.check_results where report_id = ?", [jinzhan])[0][0] == 0
    assert stored_totals(warehouse).failing_reports == 0


def test_batches_give_the_same_results_as_one_pass(tmp_path: Path) -> None:
    """Reports are validated in batches (bounded memory); the stored results do not depend on the size."""
    (tmp_path / "one").mkdir()
    (tmp_path / "many").mkdir()
    one = build_sample_warehouse(tmp_path / "one")
    run_checks(one, data_docs=False, batch_size=100)
    many = build_sample_warehouse(tmp_path / "many")
    run = run_checks(many, data_docs=True, batch_size=2)
    sql = ("select report_id, check_id, scope, status, severity, expected, actual from dq.check_results "
           "order by all")
    assert query(one, sql) == query(many, sql)
    assert run.reports == 5 and run.failing_reports == 1
    assert run.suites["applications"].failed == 6 and run.data_docs is not None and run.data_docs.is_file()
