"""Issue 15: a run that adds reports to a built warehouse touches only the new reports' rows.

Three golden reports are built; the other two are then added and `dbt build` runs again. Every row of the
three unchanged reports in every incremental mart carries a marker planted after the first build: a run that
rebuilt, deleted or re-inserted any of them would lose it. The build's scope table, the compiled SQL of the
marts (the new reports' ids as literals, which DuckDB's plan applies to the raw.cells scan) and the data tests
(scoped to the new reports: a fault planted in an unchanged report's raw rows is not seen by the next build,
but is by a plain `dbt test`) show the same thing; a test that fails keeps its reports in scope.
"""

from __future__ import annotations

import hashlib
import json
import random
import shutil
from dataclasses import replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt.cli.main import dbtRunnerResult
from dbt_runner import failing_properties, run_dbt
from golden_raw import GoldenReport, delete_report, insert_reports, load_golden_raw, read_golden

from extract.load import REPORT_TABLES, ensure_schema, next_load_seq

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
# what dbt-duckdb leaves of an incremental Python model's run, planted as if an earlier run had left it
LEFT_BEHIND = "int_text_signatures__dbt_tmp20250101120000000000"


def query(warehouse: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def statuses(result: dbtRunnerResult) -> dict[str, str]:
    """Node name → status of every node the command ran."""
    assert result.result is not None, f"dbt failed: {result.exception}"
    return {r.node.name: str(r.status) for r in result.result.results}


def failed(result: dbtRunnerResult) -> set[str]:
    return {name for name, status in statuses(result).items() if status not in ("success", "pass")}


def number_as_one_load(con: duckdb.DuckDBPyConnection, report_ids: list[str]) -> int:
    """Give the reports' raw rows the load_seq the extractor's loader gives one batch (golden_raw writes the
    column's default, 0); return it."""
    seq = next_load_seq(con)
    for table in REPORT_TABLES:
        con.execute(f"update raw.{table} set load_seq = ? where report_id in (select unnest(?))", [seq, report_ids])
    return seq


def plant_duplicate_cell(warehouse: Path, report_id: str) -> None:
    """A second raw cell on the key of one of the report's cells, without reloading the report: the
    uniqueness test of stg_nianbao__cells fails on that report's rows."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute("insert into raw.cells select * from raw.cells where report_id = ? limit 1", [report_id])


@pytest.fixture(scope="module")
def golden() -> list[GoldenReport]:
    return read_golden()


@pytest.fixture(scope="module")
def four_built(tmp_path_factory: pytest.TempPathFactory, golden: list[GoldenReport]) -> Path:
    """Four golden reports loaded and built once; the tests that add the fifth work on their own copy."""
    root = tmp_path_factory.mktemp("four_built")
    warehouse = root / "warehouse" / "nianbao.duckdb"
    load_golden_raw(warehouse, golden[:4], loaded_at=STAMP)
    assert not failed(run_dbt(["build"], warehouse, root))
    return warehouse


def copy_of(warehouse: Path, folder: Path) -> Path:
    """A copy of a closed DuckDB file in `folder/warehouse/`, to edit and build without touching the original."""
    copy = folder / "warehouse" / warehouse.name
    copy.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(warehouse, copy)
    return copy


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
        number_as_one_load(con, [g.report_id for g in new])
        con.execute(f"create table main.{LEFT_BEHIND} as select 1 as x")  # as a run that stopped would leave it
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


def test_an_increment_leaves_no_temp_table_behind(plus_one: dict[str, Any]) -> None:
    """The increment ran both incremental Python models (int_text_signatures, int_text_reuse_sides), whose
    dbt-duckdb materialization leaves a `__dbt_tmp` table each in `main`: none is left, nor the one an earlier
    run left, and `main` holds nothing."""
    assert {"int_text_signatures", "int_text_reuse_sides"} <= set(statuses(plus_one["second"]))
    assert query(plus_one["warehouse"], "select schema_name, table_name from duckdb_tables() "
                                        "where contains(table_name, '__dbt_tmp') or schema_name = 'main'") == []


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


# models reading raw rows through a view that passes load_seq: their scan of raw.cells skips the earlier loads
LOAD_SEQ_FILTERED = ("marts.fct_applications", "marts.fct_outcomes", "marts.fct_litigation", "marts.fct_disclosure",
                     "marts.fct_procurement", "intermediate.int_report_contents")


def test_compiled_marts_add_the_scopes_load_range_to_the_raw_scan(plus_one: dict[str, Any]) -> None:
    """The new reports are the second load (load_seq 1, the old ones 0): every model reading raw.cells filters
    on `load_seq >= 1` beside the report ids, and DuckDB's plan applies both in the raw.cells scan, where its
    zone maps skip the row groups of earlier loads; the scope table records each report's load."""
    wh = plus_one["warehouse"]
    assert query(wh, f"select distinct load_seq from {SCOPE}") == [(1,)]
    compiled = plus_one["root"] / "second" / "target" / "compiled" / "nianbao" / "models"
    for mart in LOAD_SEQ_FILTERED:
        sql = (compiled / "{}/{}.sql".format(*mart.split("."))).read_text(encoding="utf-8")
        assert "load_seq >= 1" in sql, mart
        plan = json.loads(query(wh, "explain (format json) " + sql)[0][1])[0]
        cells = [s for s in scans(plan) if s["extra_info"]["Table"].endswith("raw.cells")]
        assert len(cells) == 1, mart
        filters = cells[0]["extra_info"].get("Filters", [])
        filters = filters if isinstance(filters, str) else " ".join(filters)
        assert "load_seq>=1" in filters.replace(" ", "") and "report_id" in filters, (mart, filters)
    first = plus_one["root"] / "target" / "compiled" / "nianbao" / "models"  # the first build: every report
    assert "load_seq >=" not in (first / "marts" / "fct_outcomes.sql").read_text(encoding="utf-8")


def test_scoped_tests_of_raw_views_filter_on_the_load_range(plus_one: dict[str, Any]) -> None:
    """The data tests of the views passing load_seq read the scope's loads only (and the report ids)."""
    compiled = plus_one["root"] / "second" / "target" / "compiled" / "nianbao" / "models"
    tests = {p.name: p.read_text(encoding="utf-8")
             for p in compiled.rglob("column_properties_*.sql")}
    cells = next(sql for name, sql in tests.items() if name.startswith("column_properties_stg_nianbao__cells"))
    assert "load_seq >= 1 and (report_id is null or report_id in (" in cells
    outcomes = next(sql for name, sql in tests.items() if name.startswith("column_properties_fct_outcomes"))
    assert "load_seq" not in outcomes and "report_id in (" in outcomes


def full_refresh_rows(warehouse: Path, workdir: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every incremental model's rows after a `dbt build --full-refresh` of a copy of `warehouse`."""
    copy = workdir / "nianbao.duckdb"
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(warehouse.read_bytes())
    assert not failed(run_dbt(["build", "--full-refresh"], copy, workdir))
    return model_rows(copy)


def model_rows(warehouse: Path) -> dict[str, list[tuple[Any, ...]]]:
    return {m: query(warehouse, f"select * from {m} order by all") for m in MARKED}


@pytest.mark.slow  # ~30 s: two dbt builds and two increments; the default tier keeps the scoped-SQL tests
def test_upgraded_warehouse_increments_equal_a_full_refresh(tmp_path: Path, golden: list[GoldenReport]) -> None:
    """A warehouse built before load_seq existed (its raw rows get 0 when the extractor upgrades it), then two
    increments: new reports alone (load_seq 1: the models skip every earlier load), then a new report with an
    old report reloaded (load_seq 2 and 0 in one scope: the range starts at 0). After each, every incremental
    model holds row for row what a full refresh builds."""
    warehouse = tmp_path / "warehouse" / "nianbao.duckdb"
    load_golden_raw(warehouse, golden[:2], loaded_at=STAMP)
    with duckdb.connect(str(warehouse)) as con:
        for table in REPORT_TABLES:
            con.execute(f"alter table raw.{table} drop column load_seq")
    with duckdb.connect(str(warehouse)) as con:
        ensure_schema(con)  # the extractor's upgrade of an older warehouse
    assert query(warehouse, "select distinct load_seq from raw.cells") == [(0,)]
    assert not failed(run_dbt(["build"], warehouse, tmp_path / "first"))
    with duckdb.connect(str(warehouse)) as con:
        insert_reports(con, golden[2:4], loaded_at=STAMP + timedelta(days=1))
        assert number_as_one_load(con, [g.report_id for g in golden[2:4]]) == 1
    assert not failed(run_dbt(["build"], warehouse, tmp_path / "plus_two"))
    assert query(warehouse, f"select distinct load_seq from {SCOPE}") == [(1,)]
    assert model_rows(warehouse) == full_refresh_rows(warehouse, tmp_path / "full_1")
    with duckdb.connect(str(warehouse)) as con:
        insert_reports(con, golden[4:], loaded_at=STAMP + timedelta(days=2))
        assert number_as_one_load(con, [golden[4].report_id]) == 2
        con.execute("update raw.documents set loaded_at = ? where report_id = ?",
                    [STAMP + timedelta(days=2), golden[0].report_id])
    assert not failed(run_dbt(["build"], warehouse, tmp_path / "reloaded"))
    assert query(warehouse, f"select report_id, load_seq from {SCOPE} order by 1") == sorted(
        [(golden[0].report_id, 0), (golden[4].report_id, 2)])
    rows = model_rows(warehouse)
    assert all(len({r[0] for r in rows[m]}) == 5 for m in ("marts.fct_applications", "marts.fct_outcomes")), rows
    assert rows == full_refresh_rows(warehouse, tmp_path / "full_2")


def test_scoped_tests_skip_unchanged_reports_and_dbt_test_covers_all(
    tmp_path: Path, four_built: Path, golden: list[GoldenReport]
) -> None:
    """A fault planted in an unchanged report's raw rows is outside the next build's scope (its tests read the
    new reports' rows only), while `dbt test` tests every row and finds it."""
    root = tmp_path
    warehouse = copy_of(four_built, root)
    with duckdb.connect(str(warehouse)) as con:
        insert_reports(con, [golden[4]], loaded_at=STAMP + timedelta(days=1))
    plant_duplicate_cell(warehouse, golden[0].report_id)
    scoped = run_dbt(["build"], warehouse, root / "scoped")
    assert not failed(scoped), failed(scoped)
    everything = run_dbt(["test", "--select", "stg_nianbao__cells"], warehouse, root / "all")
    assert failed(everything) == {"column_properties_stg_nianbao__cells"}
    assert failing_properties(everything, warehouse) == {
        ("column_properties_stg_nianbao__cells", "report_id, table_code, row_code, col_code", "unique_key")}


def test_a_failing_test_keeps_its_reports_in_scope(
    tmp_path: Path, four_built: Path, golden: list[GoldenReport]
) -> None:
    """A new report whose mart rows fail a test (an outcome row the code list does not know) fails the build
    although every mart recorded it, and the next build (nothing new) tests it again and fails again, instead
    of the report dropping out of scope once built."""
    warehouse = copy_of(four_built, tmp_path)
    new = golden[4].report_id
    with duckdb.connect(str(warehouse)) as con:
        insert_reports(con, [golden[4]], loaded_at=STAMP + timedelta(days=1))
        con.execute("insert into raw.cells select * replace ('not_an_outcome' as row_code) from raw.cells "
                    "where report_id = ? and table_code = 'applications' limit 1", [new])
    unknown = ("column_properties_fct_outcomes", "outcome_group", "not_null")
    assert unknown in failing_properties(run_dbt(["build"], warehouse, tmp_path / "first"), warehouse)
    again = run_dbt(["build"], warehouse, tmp_path / "again")
    assert unknown in failing_properties(again, warehouse)
    assert query(warehouse, f"select report_id from {SCOPE} where change = 'build'") == [(new,)]



@pytest.mark.slow
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


@pytest.mark.slow  # two dbt builds for an upgrade path
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


@pytest.mark.slow  # two dbt builds for a lost state
def test_relation_sides_that_lost_their_state_are_rebuilt_whole_without_duplicates(
    tmp_path: Path, golden: list[GoldenReport]
) -> None:
    """fct_relation_sides kept but its build state lost (it has recorded no report): the next build computes every
    report's sides, and its pre-hook deletes every row first, so each row is there once, as before."""
    warehouse = tmp_path / "warehouse" / "nianbao.duckdb"
    load_golden_raw(warehouse, golden[:3], loaded_at=STAMP)
    assert not failed(run_dbt(["build"], warehouse, tmp_path / "first"))
    before = query(warehouse, "select * from marts.fct_relation_sides order by all")
    with duckdb.connect(str(warehouse)) as con:
        con.execute("delete from intermediate.nianbao_build_state where model_name = 'fct_relation_sides'")
    assert not failed(run_dbt(["build"], warehouse, tmp_path / "again"))
    assert len({r[0] for r in before}) == 3
    assert query(warehouse, "select * from marts.fct_relation_sides order by all") == before


# ------------------------------------------------------------------------- text reuse across reports (issue 15)

REUSE = "intermediate.int_text_reuse_sides"
AGENCY_SIDES = "marts.fct_agency_relation_sides"
# Every row's `per` set to this after the first build, in both tables (neither model reads it back: the agency
# sides compare the text-reuse rows with their own, and both hold it), so a row that still holds it after the
# increment was not rewritten. It is restored from check_id afterwards.
REUSE_MARKER = "marker"
PER = "case check_id when 'CROSS_CARRY' then 'column' when 'CROSS_IN_FORCE' then 'row' else 'report' end"
PROSE_CHARS = 400
VOCABULARY = "本机关依法主动公开政府信息申请办理行政复议诉讼年度工作情况平台建设制度规范落实监督检查培训宣传"
EDITS = "甲乙丙丁戊己庚辛壬癸"


def prose(seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(VOCABULARY) for _ in range(PROSE_CHARS))


def edited(text: str, edits: int, seed: int) -> str:
    """`text` with `edits` characters replaced (a near copy: LSH proposes it, rapidfuzz scores it below 1)."""
    rng = random.Random(seed)
    chars = list(text)
    for i in rng.sample(range(len(chars)), edits):
        chars[i] = rng.choice(EDITS)
    return "".join(chars)


def sectioned(base: GoldenReport, year: int, tag: str, text: str, id_prefix: str = "") -> tuple[GoldenReport, str]:
    """A copy of a golden report (its agency and cells) for another year and file, with `text` as sections 一
    and 五; `id_prefix` sets where its id sorts (ties between reports go by id)."""
    sha = hashlib.sha256(f"{base.file_name}|{year}|{tag}".encode()).hexdigest()
    sha = id_prefix + sha[len(id_prefix):]
    return replace(base, file_name=f"{tag}.txt", path=base.path.with_name(f"{tag}.txt"), sha256=sha,
                   size_bytes=len(tag), year=year), text


def insert_sectioned(con: duckdb.DuckDBPyConnection, reports: list[tuple[GoldenReport, str]],
                     loaded_at: datetime) -> None:
    insert_reports(con, [r for r, _ in reports], loaded_at=loaded_at)
    half = PROSE_CHARS // 2
    con.executemany("insert into raw.report_sections (report_id, section_code, text) values (?, ?, ?)",
                    [row for r, text in reports
                     for row in ((r.report_id, "overview", text[:half]), (r.report_id, "problems", text[half:]))])


def reuse_rows(warehouse: Path) -> list[tuple[Any, ...]]:
    return query(warehouse, f"select report_id, scope, actual, related_report_id, per from {REUSE} order by all")


def marked(warehouse: Path, table: str) -> tuple[set[str], set[str]]:
    """The reports all of whose rows hold the marker, and those none of whose rows do."""
    rows = query(warehouse, f"select report_id, bool_and(per = '{REUSE_MARKER}'), bool_or(per = '{REUSE_MARKER}') "
                            f"from {table} group by 1")
    return {r for r, every, _ in rows if every}, {r for r, _, some in rows if not some}


@pytest.fixture(scope="module")
def reuse(tmp_path_factory: pytest.TempPathFactory, golden: list[GoldenReport]) -> dict[str, Any]:
    """Five agencies (the golden reports' A–E) with prose in sections 一 and 五, built; every text-reuse row
    marked; then an increment that changes old reports' rows every way a new report can:
      e22  E 2022 prints a22's text exactly: a22's best match becomes e22 (score 1); b22 gains a candidate as
           good as its best (a22), and e22's larger id wins the tie;
      c22  removed: it was a22's and b22's best match;
      d22b a second version of d22 that becomes current: d22 leaves, d22b takes part;
      b20  B 2020: b21's previous year appears.
    a21, f24 and g24 are untouched by all of it. The increment is built, its rows kept, then rebuilt with
    --full-refresh."""
    root = tmp_path_factory.mktemp("reuse")
    warehouse = root / "warehouse" / "nianbao.duckdb"
    a, b, c, d, e = golden
    p, q = prose(1), prose(2)
    first = {tag: sectioned(base, year, tag, text) for tag, base, year, text in (
        ("a21", a, 2021, edited(p, 60, 3)), ("a22", a, 2022, p), ("b21", b, 2021, q),
        ("b22", b, 2022, edited(p, 16, 4)), ("c22", c, 2022, edited(p, 12, 5)), ("d22", d, 2022, prose(6)),
        ("f24", a, 2024, p), ("g24", b, 2024, edited(p, 20, 7)))}
    load_golden_raw(warehouse, [], loaded_at=STAMP)
    with duckdb.connect(str(warehouse)) as con:
        insert_sectioned(con, list(first.values()), STAMP)
    assert not failed(run_dbt(["build"], warehouse, root / "first"))
    before = reuse_rows(warehouse)
    # e22's id sorts last (it wins b22's tie with a22), d22b's first (it is d22's current version)
    added = {tag: sectioned(base, year, tag, text, prefix) for tag, base, year, text, prefix in (
        ("e22", e, 2022, p, "f" * 8), ("d22b", d, 2022, first["d22"][1], "0" * 8),
        ("b20", b, 2020, edited(q, 10, 8), ""))}
    with duckdb.connect(str(warehouse)) as con:
        for table in (REUSE, AGENCY_SIDES):
            con.execute(f"update {table} set per = ?", [REUSE_MARKER])
        delete_report(con, first["c22"][0].report_id)
        insert_sectioned(con, list(added.values()), STAMP + timedelta(days=1))
    increment = run_dbt(["build"], warehouse, root / "increment")
    after = reuse_rows(warehouse)
    kept = {table: marked(warehouse, table) for table in (REUSE, AGENCY_SIDES)}
    with duckdb.connect(str(warehouse)) as con:  # the markers off again, as the rows were before them
        for table in (REUSE, AGENCY_SIDES):
            con.execute(f"update {table} set per = {PER}")
    tables = (REUSE, AGENCY_SIDES, "marts.fct_agency_years")
    incremental = {t: query(warehouse, f"select * exclude (agency_id) from {t} order by all"
                            if t == REUSE else f"select * from {t} order by all") for t in tables}
    assert not failed(run_dbt(["build", "--full-refresh"], warehouse, root / "full"))
    full = {t: query(warehouse, f"select * exclude (agency_id) from {t} order by all"
                     if t == REUSE else f"select * from {t} order by all") for t in tables}
    ids = {tag: r.report_id for tag, (r, _) in (first | added).items()}
    return {"ids": ids, "before": before, "after": after, "increment": increment, "incremental": incremental,
            "full": full, "kept": kept}


@pytest.mark.slow  # the reuse fixture: three dbt builds (~40 s)
def test_text_reuse_increment_equals_a_full_refresh(reuse: dict[str, Any]) -> None:
    """The incremental run passed, and its text-reuse rows, the agency sides built on them and the agency-years
    equal a full rebuild's, row for row."""
    assert not failed(reuse["increment"]), failed(reuse["increment"])
    for table, rows in reuse["incremental"].items():
        assert rows, table
        assert rows == reuse["full"][table], table


@pytest.mark.slow  # the reuse fixture
def test_new_reports_change_old_reports_text_reuse_rows(reuse: dict[str, Any]) -> None:
    """The increment rewrote old reports' rows: a22's best match was c22 and is now e22 (the same text, score
    1), b21 now has a previous year, and the rows of the removed and superseded reports are gone."""
    ids = reuse["ids"]
    name = {v: k for k, v in ids.items()}

    def rows(state: str) -> dict[tuple[str, str], tuple[float | None, str | None]]:
        return {(name[r], scope): (actual, name.get(related)) for r, scope, actual, related, _ in reuse[state]}

    before, after = rows("before"), rows("after")
    assert before[("a22", "cross_agency")][1] == "c22"
    assert after[("a22", "cross_agency")] == (1.0, "e22")
    assert after[("e22", "cross_agency")] == (1.0, "a22")
    assert before[("b21", "overview_previous_year")] == (None, None)
    assert after[("b21", "overview_previous_year")][1] == "b20"
    assert {r for r, _ in after} == {"a21", "a22", "b20", "b21", "b22", "d22b", "e22", "f24", "g24"}
    # b22's best was a22, not changed: e22 (the same text) is added to it, the larger id winning the tie
    assert before[("b22", "cross_agency")][1] == "a22"
    assert after[("b22", "cross_agency")][1] == "e22"


@pytest.mark.slow  # the reuse fixture
def test_text_reuse_increment_rewrites_only_the_affected_reports(reuse: dict[str, Any]) -> None:
    """Every row of the reports no change reaches (a21, and 2024's f24 and g24, candidates of each other) kept
    its marker, in the text-reuse rows and in the agency sides; every row of the others was rewritten."""
    name = {v: k for k, v in reuse["ids"].items()}
    for table in (REUSE, AGENCY_SIDES):
        kept, rewritten = reuse["kept"][table]
        assert {name[r] for r in kept} == {"a21", "f24", "g24"}, table
        assert {name[r] for r in rewritten} == {"a22", "b20", "b21", "b22", "d22b", "e22"} | (
            {"d22"} if table == AGENCY_SIDES else set()), table  # d22, superseded, keeps its narrative rows
    assert ("g24", "cross_agency") in {(name[r], s) for r, s, *_ in reuse["after"]}
