"""`dq.check_results`: the table the checks write and the report reads.

Results replace those of the same reports (and, for one suite, only that suite's checks) in one
transaction, so re-running never accumulates rows and a failed run leaves the previous results intact.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import duckdb
import pandas as pd

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
        con.execute(DDL)
        con.execute(f"delete from {TABLE} where {of} and ({check_scope or 'true'})",
                    None if report_ids is None else {"ids": list(report_ids)})
        con.register("new_results", rows)
        rounded = ", ".join(f"round({c}, 4) as {c}" for c in NUMBERS)  # by name: DuckDB casts to the stored types
        con.execute(f"insert into {TABLE} by name select * replace ({rounded}) from new_results")
        if also is not None:
            also(con)
        con.execute("commit")
    return len(rows)


def prune(warehouse: Path) -> int:
    """Drop the results of reports that are no longer in the warehouse (a replaced or removed file)."""
    with connect(warehouse) as con:
        con.execute(DDL)
        return con.execute(f"delete from {TABLE} where report_id not in (select report_id from marts.dim_report)"
                           ).fetchone()[0]
