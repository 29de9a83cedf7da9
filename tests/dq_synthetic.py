"""A warehouse with N synthetic reports' check results, generated directly in SQL (no files parsed), so
the data-quality report can be built and measured at 100,000 reports in seconds.

Every report gets a region, level and year; a known share fails T3_BALANCE (with the cell and source line
of its numbers), has plausibility or info notes, or could not be assessed; some documents are partial or
failed. The counts are deterministic functions of the report number, so tests can assert exact values.
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb

PROVINCES = 31
CITIES_PER_PROVINCE = 10
LEVELS = ("省级部门", "市级部门", "县级部门", "乡镇/街道", "县/区", "市")
FAIL_EVERY = 12  # report i fails T3_BALANCE when i % FAIL_EVERY == 0
WARN_EVERY = 40  # PLAUSIBLE_PROCUREMENT warning
INFO_EVERY = 25  # X5 info note
UNASSESSED_EVERY = 5  # T4_TOTAL not assessable
PARTIAL_EVERY = 50  # partly read document
FAILED_DOCUMENTS_EVERY = 100  # one unreadable document per this many reports
SOURCE_LINE = 118


def expected_counts(n: int) -> dict[str, int]:
    """The counts the report must show for `n` synthetic reports."""
    return {
        "reports": n,
        "failing": len(range(0, n, FAIL_EVERY)),
        "warned": len(range(0, n, WARN_EVERY)),
        "noted": len(range(0, n, INFO_EVERY)),
        "failed_documents": len(range(0, n, FAILED_DOCUMENTS_EVERY)),
        "partial_documents": len(range(0, n, PARTIAL_EVERY)),
    }


def _execute(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, object]) -> None:
    """Run `sql` with the parameters it names (DuckDB refuses unused ones)."""
    con.execute(sql, {k: v for k, v in params.items() if re.search(rf"\${k}\b", sql)})


def build_warehouse(path: Path, n: int, inbox: Path = Path("/srv/nianbao/inbox")) -> Path:
    """Write the synthetic warehouse to `path` and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(path))
    try:
        con.execute("set enable_progress_bar = false")
        for schema in ("raw", "marts", "dq"):
            con.execute(f"create schema if not exists {schema}")
        params = {
            "n": n, "p": PROVINCES, "c": CITIES_PER_PROVINCE, "levels": list(LEVELS), "inbox": str(inbox),
            "fail": FAIL_EVERY, "warn": WARN_EVERY, "info": INFO_EVERY, "na": UNASSESSED_EVERY,
            "partial": PARTIAL_EVERY, "failed": FAILED_DOCUMENTS_EVERY, "line": SOURCE_LINE,
        }
        _execute(
            con,
            """create table marts.dim_report as
               select md5(i::varchar) as report_id, format('{:06d}.txt', i) as file_name, md5(i::varchar) as sha256,
                      format('第{}省第{}市第{}号机关', i % $p, (i // $p) % $c, i) as agency, 2019 + i % 6 as year,
                      'F2021' as template, 'national' as variant,
                      $levels[1 + (i // 7) % len($levels)] as admin_level,
                      format('第{}省', i % $p) as province, format('第{}省第{}市', i % $p, (i // $p) % $c) as city,
                      null::varchar as county,
                      case when i % $partial = 0 then 'partial' else 'parsed' end as parse_status,
                      case when i % $partial = 0 then 1 else 0 end as parse_issue_count,
                      'disclosure,applications,review_litigation' as tables_found, i
               from range($n) t(i)""",
            params,
        )
        _execute(
            con,
            """create table raw.documents as
               select $inbox || '/' || file_name as path, file_name, sha256, 1000 as size_bytes, 0 as mtime_ns,
                      'text' as source_form, 'utf-8' as encoding, 'tab_rows' as layout, parse_status as status,
                      case when parse_status = 'partial' then 'table 四 not found' end as error, report_id,
                      now()::timestamp as loaded_at
               from marts.dim_report
               union all
               select format('{}/broken_{:05d}.pdf', $inbox, i), format('broken_{:05d}.pdf', i), md5('x' || i),
                      10, 0, 'pdf', null, null, 'failed', 'PDF has no text layer (scanned image)', null,
                      now()::timestamp
               from range(0, $n, $failed) t(i)""",
            params,
        )
        _execute(
            con,
            """create table dq.check_results as
               with r as (select report_id, agency, year, i from marts.dim_report)
               select report_id, 'T3_BALANCE' as check_id, 'total' as scope,
                      case when i % $fail = 0 then 'fail' else 'pass' end as status, 'error' as severity,
                      100::decimal(18,4) as expected,
                      case when i % $fail = 0 then 103 else 100 end::decimal(18,4) as actual,
                      case when i % $fail = 0 then 3 else 0 end::decimal(18,4) as difference, agency, year,
                      '总计列：第一项加第二项 103，第三项加第四项 100，不一致，相差 3。'
                      || 'T3_BALANCE total: 103 vs 100.' as detail
               from r
               union all
               select report_id, 'T4_TOTAL', 'review', case when i % $na = 0 then 'not_assessable' else 'pass' end,
                      'error', 5, 5, 0, agency, year, '行政复议：未填报，无法核对。T4_TOTAL review: not assessable.'
               from r
               union all
               select report_id, 'PLAUSIBLE_PROCUREMENT', 'disclosure.procurement.count', 'fail', 'warning',
                      10000, 278454, 268454, agency, year,
                      '采购项目数量 278454 超过合理上限。PLAUSIBLE_PROCUREMENT: high.'
               from r where i % $warn = 0
               union all
               select report_id, 'X5', 'litigation_after_review', 'fail', 'info', 0, 2, 2, agency, year,
                      '本年行政复议为0而复议后起诉为2。X5: lawsuits after review without a review.'
               from r where i % $info = 0""",
            params,
        )
        _execute(
            con,
            """create table raw.cells as
               select report_id, 'applications' as table_code, row_code, 'total' as col_code,
                      100::decimal(18,4) as value, '100' as raw_text, $line + k as line, null::integer as page,
                      null::integer as table_index, null::integer as row_index, null::integer as col_index,
                      null::varchar as bbox
               from marts.dim_report, (values (0, 'new_received'), (1, 'carried_over'), (2, 'total_processed'),
                                              (3, 'carried_forward')) v(k, row_code)
               where i % $fail = 0""",
            params,
        )
        con.execute(
            """create table raw.parse_issues as
               select sha256, report_id, 'table_not_found' as issue_code, 'warning' as severity,
                      'review_litigation' as table_code, null::varchar as row_code, null::varchar as col_code,
                      null::integer as line, '表四未找到' as detail
               from marts.dim_report where parse_status = 'partial'""",
        )
    finally:
        con.close()
    return path
