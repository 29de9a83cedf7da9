"""The data-quality report: one static HTML page for a supervising office (政务公开办), no SQL needed.

Rendered from `dq.check_results` (and `marts.dim_report` for file names) only, so it can be rebuilt at
any time from stored results. It must stay usable at 100,000 reports: the page shows totals per check
first, then the failing reports with the printed numbers side by side, then plausibility warnings and
what could not be assessed, each list capped with a count of what is not shown ("及另外 N 份"); the full
detail stays in the warehouse. Inline CSS only: it works offline and loads nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
from jinja2 import Environment, FileSystemLoader, select_autoescape

from expectations.codes import CHECKS, SEVERITY_LABELS, STATUS_LABELS, format_number, scope_label, scope_order
from expectations.store import connect

TEMPLATES = Path(__file__).parent / "templates"
PAGE = "data_quality.html"
FAILING_REPORTS_SHOWN = 100  # failing reports listed in full
ROWS_PER_REPORT_SHOWN = 30  # failing relations listed per report
WARNINGS_SHOWN = 200
NOT_ASSESSABLE_SHOWN = 100


@dataclass(frozen=True)
class Caps:
    """How many items each list shows (the rest are counted)."""

    failing_reports: int = FAILING_REPORTS_SHOWN
    rows_per_report: int = ROWS_PER_REPORT_SHOWN
    warnings: int = WARNINGS_SHOWN
    not_assessable: int = NOT_ASSESSABLE_SHOWN


def _records(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(
        con.execute(
            "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, table]
        ).fetchone()[0]
    )


def _results_view(con: duckdb.DuckDBPyConnection) -> None:
    """`results`: dq.check_results with the report's file name (from dim_report when the marts exist)."""
    if _has_table(con, "marts", "dim_report"):
        source = """select r.*, d.file_name from dq.check_results r
                    left join marts.dim_report d on d.report_id = r.report_id"""
    else:
        source = "select *, null::varchar as file_name from dq.check_results"
    con.execute(f"create or replace temp view results as {source}")


def _check_summary(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Per check: reports passing (all scopes pass), failing (any scope fails), not assessable (the rest)."""
    rows = _records(
        con,
        """with per_report as (
               select check_id, any_value(severity) as severity, report_id,
                      bool_or(status = 'fail') as failed, bool_or(status = 'not_assessable') as unassessed,
                      count(*) filter (where status = 'fail') as failing_scopes,
                      count(*) filter (where status = 'not_assessable') as unassessed_scopes
               from results group by check_id, report_id
           )
           select check_id, any_value(severity) as severity,
                  count(*) filter (where not failed and not unassessed) as passing,
                  count(*) filter (where failed) as failing,
                  count(*) filter (where not failed and unassessed) as not_assessable,
                  sum(failing_scopes) as failing_scopes, sum(unassessed_scopes) as unassessed_scopes
           from per_report group by check_id""",
    )
    order = {c: i for i, c in enumerate(CHECKS)}
    for row in rows:
        info = CHECKS.get(row["check_id"])
        row["label"] = info.label if info else row["check_id"]
        row["rule"] = info.rule if info else ""
        row["severity_label"] = SEVERITY_LABELS.get(row["severity"], row["severity"])
    return sorted(rows, key=lambda r: order.get(r["check_id"], len(order)))


def _with_labels(row: dict[str, Any]) -> dict[str, Any]:
    info = CHECKS.get(row["check_id"])
    row["check_label"] = info.label if info else row["check_id"]
    row["scope_label"] = scope_label(row["check_id"], row["scope"])
    row["actual_label"] = info.actual_label if info else "左边"
    row["expected_label"] = info.expected_label if info else "右边"
    row["agency_label"] = row.get("agency") or row.get("file_name") or row["report_id"][:12]
    return row


def _failing_reports(con: duckdb.DuckDBPyConnection, caps: Caps) -> tuple[list[dict[str, Any]], int]:
    """Reports with a failing statutory relation, most failures first, each with its failing relations."""
    total = con.execute(
        "select count(distinct report_id) from results where status = 'fail' and severity = 'error'"
    ).fetchone()[0]
    reports = _records(
        con,
        """select report_id, any_value(agency) as agency, any_value(year) as year, any_value(file_name) as file_name,
                  count(*) as failing
           from results where status = 'fail' and severity = 'error'
           group by report_id order by failing desc, agency, year, report_id limit $n""",
        {"n": caps.failing_reports},
    )
    if not reports:
        return [], 0
    rows = _records(
        con,
        """select * from (
               select *, row_number() over (partition by report_id order by check_id, scope) as n
               from results
               where status = 'fail' and severity = 'error' and report_id in (select unnest($ids::varchar[]))
           ) where n <= $cap""",
        {"ids": [r["report_id"] for r in reports], "cap": caps.rows_per_report},
    )
    order = {c: i for i, c in enumerate(CHECKS)}
    by_report: dict[str, list[dict[str, Any]]] = {}
    for row in rows:
        by_report.setdefault(row["report_id"], []).append(_with_labels(row))
    for report in reports:
        report["agency_label"] = report["agency"] or report["file_name"] or report["report_id"][:12]
        report["rows"] = sorted(
            by_report.get(report["report_id"], []),
            key=lambda r: (order.get(r["check_id"], 99), scope_order(r["scope"]), r["scope"]),
        )
        report["more"] = report["failing"] - len(report["rows"])
    return reports, total


def _warnings(con: duckdb.DuckDBPyConnection, caps: Caps) -> tuple[list[dict[str, Any]], int]:
    """Plausibility findings (severity warning/info): not statutory failures, listed apart."""
    total = con.execute("select count(*) from results where status = 'fail' and severity <> 'error'").fetchone()[0]
    rows = _records(
        con,
        """select * from results where status = 'fail' and severity <> 'error'
           order by case severity when 'warning' then 0 else 1 end, check_id, agency, year, scope limit $n""",
        {"n": caps.warnings},
    )
    for row in rows:
        _with_labels(row)
        row["severity_label"] = SEVERITY_LABELS.get(row["severity"], row["severity"])
    return rows, total


def _not_assessable(con: duckdb.DuckDBPyConnection, caps: Caps) -> tuple[list[dict[str, Any]], int]:
    """Reports with relations that could not be assessed (blank cells, missing tables), grouped by report."""
    total = con.execute(
        "select count(distinct report_id) from results where status = 'not_assessable' and severity = 'error'"
    ).fetchone()[0]
    reports = _records(
        con,
        """select report_id, any_value(agency) as agency, any_value(year) as year, any_value(file_name) as file_name,
                  count(*) as scopes, list(check_id order by check_id, scope)[1:12] as check_ids,
                  list(scope order by check_id, scope)[1:12] as scopes_list
           from results where status = 'not_assessable' and severity = 'error'
           group by report_id order by scopes desc, agency, year, report_id limit $n""",
        {"n": caps.not_assessable},
    )
    for report in reports:
        report["agency_label"] = report["agency"] or report["file_name"] or report["report_id"][:12]
        report["entries"] = [
            f"{CHECKS[c].label if c in CHECKS else c}：{scope_label(c, s)}"
            for c, s in zip(report["check_ids"], report["scopes_list"], strict=True)
        ]
        report["more"] = report["scopes"] - len(report["entries"])
    return reports, total


def render(con: duckdb.DuckDBPyConnection, caps: Caps = Caps()) -> str:
    """The report page as HTML text, from a connection that holds dq.check_results."""
    _results_view(con)
    reports_total = con.execute("select count(distinct report_id) from results").fetchone()[0]
    summary = _check_summary(con)
    failing, failing_total = _failing_reports(con, caps)
    warnings, warnings_total = _warnings(con, caps)
    unassessed, unassessed_total = _not_assessable(con, caps)
    warned_reports = con.execute(
        "select count(distinct report_id) from results where status = 'fail' and severity <> 'error'"
    ).fetchone()[0]
    env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html", "j2"]))
    env.filters["num"] = format_number
    return env.get_template("data_quality.html.j2").render(
        generated=datetime.now().strftime("%Y-%m-%d %H:%M"),
        reports_total=reports_total,
        failing_total=failing_total,
        clean_total=reports_total - failing_total,
        warned_reports=warned_reports,
        summary=summary,
        failing=failing,
        warnings=warnings,
        warnings_total=warnings_total,
        unassessed=unassessed,
        unassessed_total=unassessed_total,
        status_labels=STATUS_LABELS,
        checks=CHECKS,
    )


def build_report(warehouse: Path, out_dir: Path) -> Path:
    """Write `out_dir/data_quality.html` from the stored check results and return its path."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with connect(warehouse, read_only=True) as con:
        if not _has_table(con, "dq", "check_results"):
            raise LookupError(f"{warehouse} has no dq.check_results: run the checks first (expectations.checks)")
        html = render(con)
    path = out_dir / PAGE
    tmp = path.with_suffix(".html.tmp")
    tmp.write_text(html, encoding="utf-8")
    tmp.replace(path)
    return path
