"""Checks grow with what is new: only reports the registry does not list are validated, removed reports lose
their results, the totals still count every stored result, and the registry (dq.checked_reports,
dq.report_checks) always equals what the stored results and cells give, also on a warehouse checked before it
existed."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest
from sample_warehouse import build_sample_warehouse, query

from expectations import store
from expectations.checks import SUITES, run_checks, run_incremental, stored_totals, unchecked_report_ids
from expectations.suites import stage_batch

REGISTRY_NOW = "select * exclude (checked_at) from dq.checked_reports order by all"
CHECKS_NOW = "select * from dq.report_checks order by all"


def assert_registry_is_what_is_stored(warehouse: Path) -> None:
    """The registry lists every report of the marts, each with the rows that its stored results and cells give
    when computed again from scratch."""
    with duckdb.connect(str(warehouse)) as con:
        registered = con.execute(REGISTRY_NOW).fetchall()
        again = con.execute(f"select * exclude (checked_at) from "
                            f"({store.registry_rows(con, 'select report_id from marts.dim_report')}) order by all"
                            ).fetchall()
        checks = con.execute(CHECKS_NOW).fetchall()
        checks_again = con.execute(f"select * from ({store.report_check_rows(store.ALL_STORED)}) order by all"
                                   ).fetchall()
    assert registered == again and len(registered) == len(query(warehouse, "select * from marts.dim_report"))
    assert checks == checks_again and len(checks) > 0


def test_only_unchecked_reports_are_validated(tmp_path: Path) -> None:
    warehouse = build_sample_warehouse(tmp_path)
    assert unchecked_report_ids(warehouse) is None
    first = run_incremental(warehouse, data_docs=False)
    assert first.reports == 5
    assert_registry_is_what_is_stored(warehouse)
    rows = query(warehouse, "select count(*) from dq.check_results")[0][0]
    again = run_incremental(warehouse, data_docs=False)
    assert again.reports == 0 and again.rows == 0
    assert query(warehouse, "select count(*) from dq.check_results")[0][0] == rows
    totals = stored_totals(warehouse)
    assert totals.reports == 5 and totals.rows == rows and totals.failing_reports == 1
    assert totals.suites["applications"].failed == first.suites["applications"].failed == 6


def test_totals_read_from_the_registry_equal_those_counted_over_every_result(tmp_path: Path) -> None:
    """Every stored result's totals take their reports and failing reports from the registry (one row per
    report); without it they are counted over the results, with the same answer."""
    warehouse = build_sample_warehouse(tmp_path)
    run_incremental(warehouse, data_docs=False)
    with_registry = stored_totals(warehouse, sample=None)
    with duckdb.connect(str(warehouse)) as con:
        con.execute("drop table dq.checked_reports")
        failing = con.execute("select list(distinct report_id order by report_id) from dq.check_results "
                              "where status = 'fail' and severity = 'error'").fetchone()[0]
    counted = stored_totals(warehouse, sample=None)
    assert with_registry == counted
    assert with_registry.reports == 5 and with_registry.failing_report_ids == failing and len(failing) == 1
    assert with_registry.rows == query(warehouse, "select count(*) from dq.check_results")[0][0]


def test_a_batch_reads_each_sides_mart_once_and_every_suite_the_same_rows(tmp_path: Path) -> None:
    """The suites of a batch read their rows from one temp table per sides mart, holding that batch's rows and
    no other: each suite's frame is the one it reads from the mart itself."""
    warehouse = build_sample_warehouse(tmp_path)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        first_two = "select report_id from marts.dim_report order by report_id limit 2"
        ids = [r for (r,) in con.execute(first_two).fetchall()]
        staged = stage_batch(con, list(SUITES.values()), ids)
        assert sorted(staged) == ["marts.fct_agency_relation_sides", "marts.fct_relation_sides"]
        for mart, table in staged.items():
            assert con.execute(f"select list(distinct report_id order by report_id) from {table}").fetchone()[0] == ids
            assert (con.execute(f"select count(*) from {table}").fetchone()[0]
                    == con.execute(f"select count(*) from {mart} where report_id in (?, ?)", ids).fetchone()[0])
        for suite in SUITES.values():
            by_mart, by_batch = suite.load(con, ids), suite.load(con, ids, staged[suite.sides])
            key = ["report_id", "check_id", "scope"]
            assert len(by_mart) > 0 and by_mart.sort_values(key, ignore_index=True).equals(
                by_batch.sort_values(key, ignore_index=True))


def test_removed_report_loses_its_results_and_a_new_one_is_checked(tmp_path: Path) -> None:
    warehouse = build_sample_warehouse(tmp_path)
    run_incremental(warehouse, data_docs=False)
    jinzhan = query(warehouse, "select report_id from marts.dim_report where agency = '金盏地区'")[0][0]
    first = query(warehouse, "select min(report_id) from marts.dim_report where agency <> '金盏地区'")[0][0]
    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from marts.dim_report where report_id = ?", [jinzhan])
        # as if `first` were new: never checked, so neither in the registry nor with results
        for table in ("dq.check_results", "dq.checked_reports", "dq.report_checks"):
            con.execute(f"delete from {table} where report_id = ?", [first])
    assert unchecked_report_ids(warehouse) == [first]
    run = run_incremental(warehouse, data_docs=False)
    assert run.reports == 1
    for table in ("dq.check_results", "dq.checked_reports", "dq.report_checks"):
        assert query(warehouse, f"select count(*) from {table} where report_id = ?", [jinzhan])[0][0] == 0
    assert query(warehouse, "select count(*) from dq.check_results where report_id = ?", [first])[0][0] > 0
    assert stored_totals(warehouse).failing_reports == 0
    assert_registry_is_what_is_stored(warehouse)


def test_a_warehouse_checked_before_the_registry_is_upgraded_on_its_next_run(tmp_path: Path) -> None:
    """No report is checked again for want of a registry; one gone meanwhile loses its results; the registry
    then equals the one a warehouse checked with it has, and so do the results."""
    (tmp_path / "old").mkdir()
    (tmp_path / "new").mkdir()
    old, new = build_sample_warehouse(tmp_path / "old"), build_sample_warehouse(tmp_path / "new")
    for warehouse in (old, new):
        run_checks(warehouse, data_docs=False)
    with duckdb.connect(str(old)) as con:
        con.execute("drop table dq.checked_reports")
        con.execute("drop table dq.report_checks")
    jinzhan = query(old, "select report_id from marts.dim_report where agency = '金盏地区'")[0][0]
    for warehouse in (old, new):
        with duckdb.connect(str(warehouse)) as con:
            con.execute("delete from marts.dim_report where report_id = ?", [jinzhan])
    run = run_incremental(old, data_docs=False)
    assert run.reports == 0
    assert query(old, "select count(*) from dq.check_results where report_id = ?", [jinzhan])[0][0] == 0
    assert_registry_is_what_is_stored(old)
    run_incremental(new, data_docs=False)
    results = "select * from dq.check_results order by all"
    assert query(old, results) == query(new, results) and len(query(old, results)) > 100
    assert query(old, REGISTRY_NOW) == query(new, REGISTRY_NOW) and len(query(old, REGISTRY_NOW)) == 4
    assert query(old, CHECKS_NOW) == query(new, CHECKS_NOW)


@pytest.mark.slow  # checks run twice over a synthetic corpus (~15 s)
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


def test_a_batch_of_more_than_one_row_group_is_stored_whole_with_its_registry(tmp_path: Path) -> None:
    """A batch of 10,000 reports stores ~690,000 result rows. Through a temp table of more than one row group
    (122,880 rows), DuckDB 2.0.0 stored none of them while the registry listed the reports as checked: every
    row must be stored, and the registry must count them."""
    warehouse = build_sample_warehouse(tmp_path)
    run_incremental(warehouse, data_docs=False)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        stored = con.execute("select * from dq.check_results").df()
    rows = 130_000
    many = stored.sample(n=rows, replace=True, random_state=1).reset_index(drop=True)
    many["scope"] = [f"{scope}#{i}" for i, scope in enumerate(many["scope"])]  # distinct rows
    ids = sorted(set(many["report_id"]))
    assert store.replace_results(warehouse, many, ids) == rows
    assert query(warehouse, "select count(*) from dq.check_results")[0][0] == rows
    assert query(warehouse, "select sum(result_rows) from dq.checked_reports")[0][0] == rows
    assert_registry_is_what_is_stored(warehouse)
