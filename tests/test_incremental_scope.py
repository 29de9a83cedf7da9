"""Issue 15: a run that adds reports to a built warehouse touches only the new reports' rows.

Three golden reports are built; the other two are then added and `dbt build` runs again. Every row of the
three unchanged reports in every incremental mart carries a marker planted after the first build: a run that
rebuilt, deleted or re-inserted any of them would lose it. The build's scope table, the compiled SQL of the
marts (the new reports' ids as literals, which DuckDB's plan applies to the raw.cells scan) and the data tests
(scoped to the new reports: a fault planted in an unchanged report's raw rows is not seen by the next build,
but is by a plain `dbt test`) show the same thing; a test that fails keeps its reports in scope.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt.cli.main import dbtRunnerResult
from dbt_runner import failing_properties, run_dbt
from golden_raw import GoldenReport, insert_reports, load_golden_raw, read_golden

STAMP = datetime(2026, 1, 1, 12, 0, 0)
MARKER = -7
# incremental model (schema.name) → a numeric column set to MARKER in every row of the unchanged reports
MARKED = {
    "marts.fct_applications": "new_received",
    "marts.fct_outcomes": '"count"',
    "marts.fct_disclosure": "value",
    "marts.fct_procurement": "projects",
    "marts.fct_litigation": '"count"',
    "intermediate.int_report_contents": "cells_read",
    "marts.fct_relation_sides": "actual",
}
SCOPE = "intermediate.nianbao_build_scope"


def query(warehouse: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def statuses(result: dbtRunnerResult) -> dict[str, str]:
    """Node name → status of every node the command ran."""
    assert result.result is not None, f"dbt failed: {result.exception}"
    return {r.node.name: str(r.status) for r in result.result.results}


def failed(result: dbtRunnerResult) -> set[str]:
    return {name for name, status in statuses(result).items() if status not in ("success", "pass")}


def plant_duplicate_cell(warehouse: Path, report_id: str) -> None:
    """A second raw cell on the key of one of the report's cells, without reloading the report: the
    uniqueness test of stg_nianbao__cells fails on that report's rows."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute("insert into raw.cells select * from raw.cells where report_id = ? limit 1", [report_id])


@pytest.fixture(scope="module")
def golden() -> list[GoldenReport]:
    return read_golden()


@pytest.fixture(scope="module")
def plus_one(tmp_path_factory: pytest.TempPathFactory, golden: list[GoldenReport]) -> dict[str, Any]:
    """Three reports built, markers planted in every incremental mart row, the other two added and built."""
    root = tmp_path_factory.mktemp("plus_one")
    warehouse = root / "warehouse" / "nianbao.duckdb"
    old, new = golden[:3], golden[3:]
    load_golden_raw(warehouse, old, loaded_at=STAMP)
    first = run_dbt(["build"], warehouse, root)
    assert not failed(first), failed(first)
    with duckdb.connect(str(warehouse)) as con:
        for mart, column in MARKED.items():
            con.execute(f"update {mart} set {column} = {MARKER}")
        counts = {mart: con.execute(f"select count(*) from {mart}").fetchone()[0] for mart in MARKED}
        insert_reports(con, new, loaded_at=STAMP + timedelta(days=1))
    second = run_dbt(["build"], warehouse, root / "second")
    return {"warehouse": warehouse, "root": root, "old": [g.report_id for g in old],
            "new": sorted(g.report_id for g in new), "counts_before": counts, "second": second}


def test_increment_passes_and_scopes_to_the_new_reports(plus_one: dict[str, Any]) -> None:
    """The second build passed and its scope is the new reports alone."""
    assert not failed(plus_one["second"]), failed(plus_one["second"])
    assert query(plus_one["warehouse"], f"select report_id, change from {SCOPE} order by 1") \
        == [(r, "build") for r in plus_one["new"]]


def test_increment_leaves_every_unchanged_row_of_every_incremental_mart_alone(plus_one: dict[str, Any]) -> None:
    """Every row of the unchanged reports still carries the marker and their row counts did not change;
    the new reports' rows were built (no marker: real values)."""
    wh, old = plus_one["warehouse"], plus_one["old"]
    for mart, column in MARKED.items():
        kept = query(wh, f"select count(*), count(*) filter (where {column} = {MARKER}) from {mart} "
                         "where report_id in (select unnest(?))", [old])
        assert kept == [(plus_one["counts_before"][mart], plus_one["counts_before"][mart])], mart
    for new in plus_one["new"]:
        assert query(wh, "select count(*) from marts.fct_outcomes where report_id = ? and \"count\" = ?",
                     [new, MARKER]) == [(0,)]
        assert query(wh, "select count(*) from marts.fct_outcomes where report_id = ?", [new])[0][0] > 0
        assert query(wh, "select count(*) from marts.fct_applications where report_id = ?", [new]) == [(7,)]


def test_build_state_records_the_new_reports_for_every_incremental_mart(plus_one: dict[str, Any]) -> None:
    """The state holds the old reports at their first load and the new ones at theirs, once per mart."""
    rows = query(plus_one["warehouse"], "select model_name, report_id, loaded_at from intermediate.nianbao_build_state")
    assert len(rows) == len(MARKED) * 5
    models = [m.split(".")[1] for m in MARKED]
    assert {(m, r) for m, r, _ in rows} == {(m, r) for m in models for r in (*plus_one["old"], *plus_one["new"])}
    assert {loaded for _, r, loaded in rows if r in plus_one["new"]} == {STAMP + timedelta(days=1)}
    assert {loaded for _, r, loaded in rows if r in plus_one["old"]} == {STAMP}


def scans(plan: dict[str, Any]) -> list[dict[str, Any]]:
    """The table scans of a JSON query plan (EXPLAIN (FORMAT JSON))."""
    found = [plan] if "Table" in plan.get("extra_info", {}) else []
    for child in plan.get("children", []):
        found += scans(child)
    return found


def test_compiled_marts_filter_the_raw_scan_on_the_new_reports(plus_one: dict[str, Any]) -> None:
    """The SQL of every incremental model on the second run names the new reports as literals, and DuckDB's
    plan applies them in the scan of raw.cells (before it aggregates or joins)."""
    compiled = plus_one["root"] / "second" / "target" / "compiled" / "nianbao" / "models"
    literals = ", ".join(f"'{r}'" for r in plus_one["new"])
    for mart in MARKED:
        sql = (compiled / "{}/{}.sql".format(*mart.split("."))).read_text(encoding="utf-8")
        assert f"in ({literals})" in sql, mart
        assert "nianbao_build_scope" not in sql, mart
    for mart in ("marts.fct_applications", "marts.fct_outcomes", "marts.fct_litigation", "marts.fct_disclosure",
                 "intermediate.int_report_contents"):
        sql = (compiled / "{}/{}.sql".format(*mart.split("."))).read_text(encoding="utf-8")
        plan = json.loads(query(plus_one["warehouse"], "explain (format json) " + sql)[0][1])[0]
        cells = [s for s in scans(plan) if s["extra_info"]["Table"].endswith("raw.cells")]
        assert len(cells) == 1, mart
        filters = cells[0]["extra_info"].get("Filters", [])  # a list, or one string for a single filter
        filters = filters if isinstance(filters, str) else " ".join(filters)
        assert all(f"'{r}'" in filters and "report_id" in filters for r in plus_one["new"]), (mart, filters)


def test_scoped_tests_skip_unchanged_reports_and_dbt_test_covers_all(
    tmp_path: Path, plus_one: dict[str, Any], golden: list[GoldenReport]
) -> None:
    """A fault planted in an unchanged report's raw rows is outside the next build's scope (its tests read the
    new reports' rows only), while `dbt test` tests every row and finds it."""
    root = tmp_path
    warehouse = root / "warehouse" / "nianbao.duckdb"
    load_golden_raw(warehouse, golden[:4], loaded_at=STAMP)
    assert not failed(run_dbt(["build"], warehouse, root))
    with duckdb.connect(str(warehouse)) as con:
        insert_reports(con, [golden[4]], loaded_at=STAMP + timedelta(days=1))
    plant_duplicate_cell(warehouse, golden[0].report_id)
    scoped = run_dbt(["build"], warehouse, root / "scoped")
    assert not failed(scoped), failed(scoped)
    everything = run_dbt(["test", "--select", "stg_nianbao__cells"], warehouse, root / "all")
    assert failed(everything) == {"column_properties_stg_nianbao__cells"}
    assert failing_properties(everything, warehouse) == {
        ("column_properties_stg_nianbao__cells", "report_id, table_code, row_code, col_code", "unique_key")}


def test_a_failing_test_keeps_its_reports_in_scope(tmp_path: Path, golden: list[GoldenReport]) -> None:
    """A new report whose mart rows fail a test (an outcome row the code list does not know) fails the build
    although every mart recorded it, and the next build (nothing new) tests it again and fails again, instead
    of the report dropping out of scope once built."""
    warehouse = tmp_path / "warehouse" / "nianbao.duckdb"
    new = golden[4].report_id
    load_golden_raw(warehouse, golden[:4], loaded_at=STAMP)
    assert not failed(run_dbt(["build"], warehouse, tmp_path))
    with duckdb.connect(str(warehouse)) as con:
        insert_reports(con, [golden[4]], loaded_at=STAMP + timedelta(days=1))
        con.execute("insert into raw.cells select * replace ('not_an_outcome' as row_code) from raw.cells "
                    "where report_id = ? and table_code = 'applications' limit 1", [new])
    unknown = ("column_properties_fct_outcomes", "outcome_group", "not_null")
    assert unknown in failing_properties(run_dbt(["build"], warehouse, tmp_path / "first"), warehouse)
    again = run_dbt(["build"], warehouse, tmp_path / "again")
    assert unknown in failing_properties(again, warehouse)
    assert query(warehouse, f"select report_id from {SCOPE} where change = 'build'") == [(new,)]



def test_relation_sides_computed_in_batches_equal_one_batch(tmp_path: Path, golden: list[GoldenReport]) -> None:
    """fct_relation_sides computed in batches of one report (its SQL the first, its post-hook the others) holds
    the same rows as computed in one statement, on a first build of three reports and an increment of two."""
    one, batched = tmp_path / "one" / "nianbao.duckdb", tmp_path / "batched" / "nianbao.duckdb"

    def build_both(step: str, batches: int) -> None:
        assert not failed(run_dbt(["build"], one, one.parent / step))
        assert not failed(run_dbt(["build", "--vars", "{nianbao_sides_batch_reports: 1}"], batched,
                                  batched.parent / step))
        compiled = batched.parent / step / "target" / "compiled" / "nianbao" / "models" / "marts"
        assert f"hash(report_id) % {batches} = 0" in (compiled / "fct_relation_sides.sql").read_text("utf-8")
        rows = query(one, "select * from marts.fct_relation_sides order by all")
        assert len({r[0] for r in rows}) == len(golden[:5 if step == "increment" else 3])
        assert query(batched, "select * from marts.fct_relation_sides order by all") == rows, step

    for warehouse in (one, batched):
        load_golden_raw(warehouse, golden[:3], loaded_at=STAMP)
    build_both("first", 3)
    for warehouse in (one, batched):
        with duckdb.connect(str(warehouse)) as con:
            insert_reports(con, golden[3:], loaded_at=STAMP + timedelta(days=1))
    build_both("increment", 2)


def test_a_model_new_to_the_warehouse_builds_every_report(tmp_path: Path, golden: list[GoldenReport]) -> None:
    """fct_relation_sides new to a built warehouse (an upgrade adds it; the build scope is empty since no report
    changed) is built for every report, in batches."""
    warehouse = tmp_path / "warehouse" / "nianbao.duckdb"
    load_golden_raw(warehouse, golden[:3], loaded_at=STAMP)
    assert not failed(run_dbt(["build"], warehouse, tmp_path / "first"))
    with duckdb.connect(str(warehouse)) as con:
        con.execute("drop table marts.fct_relation_sides")
        con.execute("delete from intermediate.nianbao_build_state where model_name = 'fct_relation_sides'")
    assert not failed(run_dbt(["build", "--vars", "{nianbao_sides_batch_reports: 1}"], warehouse, tmp_path / "new"))
    assert query(warehouse, f"select count(*) from {SCOPE}") == [(0,)]  # nothing changed in the reports
    compiled = tmp_path / "new" / "target" / "compiled" / "nianbao" / "models" / "marts" / "fct_relation_sides.sql"
    assert "hash(report_id) % 3 = 0" in compiled.read_text(encoding="utf-8")
    assert query(warehouse, "select count(distinct report_id) from marts.fct_relation_sides") == [(3,)]
