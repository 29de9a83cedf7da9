"""`dq.check_results`: the table the checks write and the report reads, and its registry.

Results replace those of the same reports (and, for one suite, only that suite's checks) in one
transaction, so re-running never accumulates rows and a failed run leaves the previous results intact.

Beside them, in the same transaction, the registry of checked reports: `dq.checked_reports` (per report: its
result rows by kind, a digest of the rows its agency page draws on, when it was checked) and
`dq.report_checks` (per report and check: scopes passing, failing, not assessable). A run finds what is new
or gone, and the report its counts and page fingerprints, from these small tables, not from every result row.
Every write of dq.check_results goes through `replace_results` or `prune`, which keep the registry in step;
a warehouse without it is upgraded in place by one full pass (`upgrade`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb
import pandas as pd

from extract.load import has_table

TABLE = "dq.check_results"
# The stored columns, in order: name → (type, meaning). Numbers are rounded to the stored scale on insert.
COLUMNS: dict[str, tuple[str, str]] = {
    "report_id": ("varchar not null", "marts.dim_report.report_id"),
    "check_id": ("varchar not null", "relation id of report-schema.md (T3_BALANCE, ...) or plausibility id"),
    "scope": ("varchar not null", "column, row, block, table or table.row.col the result is about"),
    "status": ("varchar not null", "pass, fail, not_assessable"),
    "severity": ("varchar not null", "error (statutory / by construction), warning (plausibility), info"),
    "expected": ("decimal(18, 4)", "right side of the relation as written (or the bound)"),
    "actual": ("decimal(18, 4)", "left side of the relation as written (or the value)"),
    "difference": ("decimal(18, 4)", "actual - expected"),
    "agency": ("varchar", "agency as printed"),
    "year": ("integer", "report year"),
    "detail": ("varchar", "one readable sentence, Chinese then English"),
}
NUMBERS = ("expected", "actual", "difference")
SEVERITY_ORDER = "case severity when 'error' then 0 when 'warning' then 1 else 2 end"  # statutory first
DDL = f"create schema if not exists dq; create table if not exists {TABLE} (\n" + "\n".join(
    f"    {name} {kind}{',' if i < len(COLUMNS) - 1 else ''}  -- {meaning}"
    for i, (name, (kind, meaning)) in enumerate(COLUMNS.items())) + "\n)"


REGISTRY = "dq.checked_reports"
REPORT_CHECKS = "dq.report_checks"
# The columns of dq.check_results an agency page draws on (status chooses the rows), and those of raw.cells that
# place a finding (the line or page its numbers were printed on): what a report's digest covers.
RESULT_SOURCE = ("check_id", "scope", "status", "severity", "expected", "actual", "difference", "detail")
CELL_PLACE = ("table_code", "row_code", "col_code", "line", "page")
REGISTRY_DDL = f"""create schema if not exists dq;
create table if not exists {REGISTRY} (
    report_id varchar not null,    -- marts.dim_report.report_id, checked
    result_rows bigint not null,   -- its rows in dq.check_results
    fails bigint not null,         -- failing, severity error
    warnings bigint not null,      -- failing, severity warning
    notes bigint not null,         -- failing, severity info
    unassessed bigint not null,    -- not_assessable
    results_xor ubigint,           -- xor of the 64-bit hashes of its results that are not a pass (RESULT_SOURCE)
    results_sum hugeint,           -- their sum
    cells_xor ubigint,             -- xor of the hashes of its cells' places (CELL_PLACE); a report's cells never change
    cells_sum hugeint,             -- their sum
    checked_at timestamp not null  -- when these results were written
);
create table if not exists {REPORT_CHECKS} (
    report_id varchar not null, check_id varchar not null, severity varchar not null,
    passed bigint not null, failed bigint not null, not_assessable bigint not null
)"""


def cells_source(con: duckdb.DuckDBPyConnection) -> str:
    """raw.cells, or an empty relation of its columns in a warehouse without it."""
    if has_table(con, "raw", "cells"):
        return "raw.cells"
    return ("(select null::varchar report_id, null::varchar table_code, null::varchar row_code,"
            " null::varchar col_code, null::int line, null::int page where false)")


def _hashed(columns: tuple[str, ...]) -> str:
    return f"hash({', '.join(columns)})"


def registry_rows(con: duckdb.DuckDBPyConnection, ids: str, results: str = TABLE) -> str:
    """SQL of the dq.checked_reports rows of the reports that `ids` (SQL of a report_id column) selects, computed
    from their stored results (in `results`: dq.check_results, or their rows taken from it) and cells: 64-bit
    row hashes combined by xor and by sum (order does not matter)."""
    result = _hashed(RESULT_SOURCE)
    return f"""with ids as ({ids}),
        r as (select report_id, count(*) as result_rows,
                     count(*) filter (where status = 'fail' and severity = 'error') as fails,
                     count(*) filter (where status = 'fail' and severity = 'warning') as warnings,
                     count(*) filter (where status = 'fail' and severity = 'info') as notes,
                     count(*) filter (where status = 'not_assessable') as unassessed,
                     bit_xor({result}) filter (where status <> 'pass') as results_xor,
                     sum({result}::hugeint) filter (where status <> 'pass') as results_sum
              from {results} where report_id in (select report_id from ids) group by report_id),
        c as (select report_id, bit_xor({_hashed(CELL_PLACE)}) as cells_xor,
                     sum({_hashed(CELL_PLACE)}::hugeint) as cells_sum
              from {cells_source(con)} where report_id in (select report_id from ids) group by report_id)
        select ids.report_id, coalesce(r.result_rows, 0) as result_rows, coalesce(r.fails, 0) as fails,
               coalesce(r.warnings, 0) as warnings, coalesce(r.notes, 0) as notes,
               coalesce(r.unassessed, 0) as unassessed, r.results_xor, r.results_sum, c.cells_xor, c.cells_sum,
               now()::timestamp as checked_at
        from ids left join r using (report_id) left join c using (report_id)"""


def report_check_rows(ids: str, results: str = TABLE) -> str:
    """SQL of the dq.report_checks rows of the reports that `ids` selects, from their stored results (in
    `results`)."""
    return f"""select report_id, check_id, severity, count(*) filter (where status = 'pass') as passed,
                      count(*) filter (where status = 'fail') as failed,
                      count(*) filter (where status = 'not_assessable') as not_assessable
               from {results} where report_id in ({ids}) group by all"""


ALL_STORED = f"select distinct report_id from {TABLE}"


def register(con: duckdb.DuckDBPyConnection, report_ids: Sequence[str] | None) -> None:
    """Recompute the registry rows of `report_ids` (every report with stored results when None) from what is
    stored now, inside the caller's transaction: a report checked with no result row is registered too."""
    con.execute(REGISTRY_DDL)
    results = TABLE
    if report_ids is None:
        con.execute(f"delete from {REGISTRY}")
        con.execute(f"delete from {REPORT_CHECKS}")
        ids = ALL_STORED
    else:
        con.execute("create or replace temp table registering as select distinct unnest($ids::varchar[]) "
                    "as report_id", {"ids": list(report_ids)})
        ids = "select report_id from registering"
        for table in (REGISTRY, REPORT_CHECKS):
            con.execute(f"delete from {table} where report_id in (select report_id from registering)")
        results = "registering_results"  # their results, taken from the whole table once for both registry tables
        con.execute(f"create or replace temp table registering_results as select * from {TABLE} "
                    "where report_id in (select report_id from registering)")
    con.execute(f"insert into {REGISTRY} by name {registry_rows(con, ids, results)}")
    con.execute(f"insert into {REPORT_CHECKS} by name {report_check_rows(ids, results)}")


def is_registered(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse keeps the registry (a warehouse checked before it was introduced does not)."""
    return all(has_table(con, *table.split(".")) for table in (REGISTRY, REPORT_CHECKS))


def upgrade(warehouse: Path) -> bool:
    """Give a warehouse whose results predate the registry its registry, from every stored result (one full
    pass, once); True when it did."""
    with connect(warehouse) as con:
        if not has_table(con, "dq", "check_results") or is_registered(con):
            return False
        con.execute("begin transaction")
        register(con, None)
        con.execute("commit")
    return True


def connect(warehouse: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """A connection to the warehouse without DuckDB's progress bar (it would fill the pipeline's logs)."""
    con = duckdb.connect(str(warehouse), read_only=read_only)
    con.execute("set enable_progress_bar = false")
    return con


def replace_results(
    warehouse: Path,
    rows: pd.DataFrame,
    report_ids: Sequence[str] | None,
    check_scope: str | None = None,
    also: Callable[[duckdb.DuckDBPyConnection], None] | None = None,
) -> int:
    """Replace the stored results of `report_ids` (all when None) by `rows`, in one transaction (closing the
    connection on an error rolls it back).

    `check_scope` is an SQL predicate on (check_id, scope) limiting what is replaced to one suite's checks;
    `also` writes what must be kept with the results, in the same transaction.
    Returns the number of rows written.
    """
    of = "true" if report_ids is None else "report_id in (select unnest($ids::varchar[]))"
    with connect(warehouse) as con:
        con.execute("begin transaction")
        registered = is_registered(con)
        con.execute(DDL)
        con.execute(f"delete from {TABLE} where {of} and ({check_scope or 'true'})",
                    None if report_ids is None else {"ids": list(report_ids)})
        con.register("new_results", rows)
        rounded = ", ".join(f"round({c}, 4) as {c}" for c in NUMBERS)  # by name: DuckDB casts to the stored types
        # straight from the frame: DuckDB 2.0.0 inserted no row at all from a temp table filled from it once that
        # held more than one row group (122,880 rows: a batch of 10,000 reports), and said so only in the count
        # it returns
        written = con.execute(f"insert into {TABLE} by name select * replace ({rounded}) from new_results").fetchone()
        if written is None or written[0] != len(rows):
            raise RuntimeError(f"{TABLE}: {written[0] if written else 0} rows written of {len(rows)}; nothing stored")
        if not registered:  # a warehouse older than the registry: all of it
            register(con, None)
        else:  # read back from the table: the rows just inserted, as a temp table, lost rows too (above)
            register(con, report_ids)
        if also is not None:
            also(con)
        con.execute("commit")
    return len(rows)


def prune(warehouse: Path, *, every_row: bool = False) -> int:
    """Drop the results of reports that are no longer in the warehouse (a replaced or removed file), found in
    the registry (its rows are as many as the reports, not the results), with their registry rows, in one
    transaction; with `every_row` (a full run, which reads every row anyway), also any result row of such a
    report that was written by hand, past the registry. Returns the number of result rows dropped."""
    upgrade(warehouse)
    with connect(warehouse) as con:
        con.execute("begin transaction")
        con.execute(DDL)
        con.execute(REGISTRY_DDL)
        con.execute(f"create or replace temp table vanished as select report_id from {REGISTRY} "
                    "where report_id not in (select report_id from marts.dim_report)")
        for table in (REGISTRY, REPORT_CHECKS):
            con.execute(f"delete from {table} where report_id in (select report_id from vanished)")
        gone = ("report_id not in (select report_id from marts.dim_report)" if every_row
                else "report_id in (select report_id from vanished)")
        any_vanished = con.execute("select count(*) from vanished").fetchone()[0] > 0
        dropped = con.execute(f"delete from {TABLE} where {gone}").fetchone()[0] if every_row or any_vanished else 0
        con.execute("commit")
        return dropped
