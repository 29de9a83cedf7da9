"""What the data-quality report shows, queried from the warehouse in a few set-based passes.

Everything is read from `dq.check_results`, `marts.dim_report`, `raw.documents`, `raw.cells` and
`raw.parse_issues` (the tables that are missing in a warehouse are treated as empty), so the report can be
rebuilt from stored results at any time and costs a few aggregate queries whatever the corpus size.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import duckdb

from expectations.codes import WORDING
from expectations.store import SEVERITY_ORDER
from extract.load import has_table
from extract.templates import form

# Which table of the form each check reads (relations.yaml): its failing relations are located in these cells.
CHECK_TABLES: dict[str, str] = {s.check_id: s.table for s in form.relation_scopes() if s.check_id != "NON_NEGATIVE"}
# Chinese first, then the same in English: the report shows the Chinese sentence only.
_ENGLISH_PART = re.compile(r"(?<=[。；）])\s*(?=[A-Za-z][A-Za-z0-9_]*[\s:(])")

UNKNOWN = WORDING["unknown"]  # region and level the extractor could not tell
Row = dict[str, Any]


def records(con: duckdb.DuckDBPyConnection, sql: str, params: dict[str, Any] | None = None) -> list[Row]:
    cursor = con.execute(sql, params)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def chinese_detail(detail: str | None) -> str:
    """The Chinese sentence of a detail that reads 'Chinese。English.'"""
    if not detail:
        return ""
    return _ENGLISH_PART.split(detail, maxsplit=1)[0].strip()


def slug(text: str) -> str:
    """A short ASCII file-name key for a region or an agency (names are Chinese and may hold anything)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


def prepare_views(con: duckdb.DuckDBPyConnection) -> None:
    """Temp views every query below reads: reports with region and level, results with the report."""
    if has_table(con, "marts", "dim_report"):
        reports = ("select report_id, agency, year, file_name, admin_level, province, city, parse_status, "
                   "parse_issue_count from marts.dim_report")
    else:
        reports = """select distinct report_id, agency, year, null::varchar as file_name, null::varchar as admin_level,
                            null::varchar as province, null::varchar as city, 'parsed' as parse_status,
                            0 as parse_issue_count from dq.check_results"""
    documents = (
        "select path, file_name, status, error, report_id, source_form from raw.documents"
        if has_table(con, "raw", "documents")
        else "select null::varchar as path, null::varchar as file_name, null::varchar as status,"
        " null::varchar as error, null::varchar as report_id, null::varchar as source_form where false"
    )
    con.execute(f"create or replace temp view rep_documents as {documents}")
    con.execute(
        f"""create or replace temp table rep_status as
            select r.report_id, coalesce(r.agency, r.file_name, left(r.report_id, 12)) as agency_label, r.agency,
                   r.year, r.file_name, coalesce(r.admin_level, '{UNKNOWN["level"]}') as level,
                   coalesce(r.province, '{UNKNOWN["province"]}') as province,
                   coalesce(r.city, '{UNKNOWN["city"]}') as city, coalesce(r.parse_status, 'parsed') as parse_status,
                   r.parse_issue_count as issues, d.path, d.source_form, coalesce(p.fails, 0) as fails,
                   coalesce(p.warnings, 0) as warnings, coalesce(p.notes, 0) as notes,
                   coalesce(p.unassessed, 0) as unassessed, p.report_id is not null as checked,
                   coalesce(p.fails + p.warnings + p.notes > 0 or r.parse_status = 'partial', false) as needs_page
            from ({reports}) r
            left join (select report_id, any_value(path) as path, any_value(source_form) as source_form
                       from rep_documents where report_id is not null group by report_id) d using (report_id)
            left join (select report_id,
                              count(*) filter (where status = 'fail' and severity = 'error') as fails,
                              count(*) filter (where status = 'fail' and severity = 'warning') as warnings,
                              count(*) filter (where status = 'fail' and severity = 'info') as notes,
                              count(*) filter (where status = 'not_assessable') as unassessed
                       from dq.check_results group by report_id) p using (report_id)"""
    )


def headline(con: duckdb.DuckDBPyConnection) -> Row:
    """Counts for the cards: reports checked, failing, passing, with warnings, with notes (the documents not
    read in full are `unreadable_documents`' total); and the relations not assessable, split by whether the
    report was read in full (the agency left the cells blank) or only in part (the parser could not read them:
    not a blank the agency left)."""
    return records(
        con,
        """select count(*) filter (where checked) as checked,
                  count(*) filter (where fails > 0) as failing,
                  count(*) filter (where checked and fails = 0) as clean,
                  count(*) filter (where warnings > 0) as warned,
                  count(*) filter (where notes > 0) as noted,
                  coalesce(sum(unassessed) filter (where parse_status <> 'partial'), 0) as agency_blank,
                  coalesce(sum(unassessed) filter (where parse_status = 'partial'), 0) as not_read,
                  count(*) filter (where unassessed > 0 and parse_status <> 'partial') as agency_blank_reports,
                  count(*) filter (where unassessed > 0 and parse_status = 'partial') as not_read_reports
           from rep_status""",
    )[0]


def check_summary(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """Per check: reports passing (every scope passes), failing (any fails), not assessable (the rest)."""
    return records(
        con,
        """with per_report as (
               select check_id, any_value(severity) as severity, report_id,
                      bool_or(status = 'fail') as failed, bool_or(status = 'not_assessable') as unassessed,
                      count(*) filter (where status = 'fail') as failing_scopes,
                      count(*) filter (where status = 'not_assessable') as unassessed_scopes
               from dq.check_results group by check_id, report_id
           )
           select check_id, any_value(severity) as severity,
                  count(*) filter (where not failed and not unassessed) as passing,
                  count(*) filter (where failed) as failing,
                  count(*) filter (where not failed and unassessed) as not_assessable,
                  sum(failing_scopes) as failing_scopes, sum(unassessed_scopes) as unassessed_scopes
           from per_report group by check_id order by check_id""",
    )


def by_dimension(con: duckdb.DuckDBPyConnection, column: str, province: str | None = None) -> list[Row]:
    """Reports, failing, warned and partly read, per year, level, province or (of one province) city."""
    return records(
        con,
        f"""select {column} as key, count(*) as reports, count(*) filter (where fails > 0) as failing,
                   count(*) filter (where warnings > 0) as warned, count(*) filter (where notes > 0) as noted,
                   count(*) filter (where parse_status = 'partial') as partial
            from rep_status where $p::varchar is null or province = $p
            group by 1 order by failing desc, reports desc, 1""",
        {"p": province},
    )


def region_reports(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """Every report with its counts, ordered for the city pages (level, then most failures)."""
    return records(con, "select * from rep_status order by province, city, level, fails desc, warnings desc, "
                        "agency_label, year, report_id")  # report_id last: the same order on every build


def _first_results(status: str, order: str, columns: str) -> str:
    """`columns` of the first results of one status of each chosen report (rep_ids), at most $cap, numbered `n`
    in `order`."""
    return f"""select {columns}, n from (
                   select r.*, row_number() over (partition by r.report_id order by {order}) as n
                   from dq.check_results r join rep_ids using (report_id) where r.status = '{status}'
               ) where n <= $cap"""


# The columns of dq.check_results an agency page draws on (status chooses the rows): its findings show all but
# status, its unassessed relations the check and the scope.
RESULT_SOURCE = ("check_id", "scope", "status", "severity", "expected", "actual", "difference", "detail")
FINDING_COLUMNS = ", ".join(("report_id", *(c for c in RESULT_SOURCE if c != "status")))
UNASSESSED_COLUMNS = "report_id, check_id, scope"
# The columns of raw.cells that place a finding (the line or page its numbers were printed on).
CELL_PLACE = ("table_code", "row_code", "col_code", "line", "page")


def choose_reports(con: duckdb.DuckDBPyConnection, report_ids: list[str]) -> None:
    """The reports whose findings and unassessed relations the queries below read (rep_ids)."""
    con.execute("create or replace temp table rep_ids as select unnest($ids::varchar[]) as report_id",
                {"ids": report_ids})


def _cells(con: duckdb.DuckDBPyConnection) -> str:
    if has_table(con, "raw", "cells"):
        return "raw.cells"
    return ("(select null::varchar report_id, null::varchar table_code, null::varchar row_code,"
            " null::varchar col_code, null::int line, null::int page where false)")


def source_digests(con: duckdb.DuckDBPyConnection) -> dict[str, tuple[int | None, ...]]:
    """Per report, a digest of every row its agency page's findings and unassessed relations are drawn from:
    its results that are not a pass (dq.check_results, the RESULT_SOURCE columns) and its cells' places
    (raw.cells, CELL_PLACE). Those rows are drawn per report (gather_results), so equal digests mean equal rows
    on the page.

    DuckDB's 64-bit hash of each row, combined by xor and by sum: 1-2 s at 100,000 reports, where drawing the
    rows themselves takes twice that and reading them into Python costs gigabytes. Every report is digested (a
    filter by the reports with a page would cost more than it saves)."""
    def digest(table: str, columns: tuple[str, ...], where: str) -> str:
        row = f"hash({', '.join(columns)})"
        return f"""select report_id, bit_xor({row}) as xor_hash, sum({row}::hugeint) as sum_hash
                   from {table} where {where} group by report_id"""

    rows = con.execute(
        f"""select report_id, r.xor_hash, r.sum_hash, c.xor_hash, c.sum_hash
            from ({digest("dq.check_results", RESULT_SOURCE, "status <> 'pass'")}) r
            full join ({digest(_cells(con), CELL_PLACE, "true")}) c using (report_id)"""
    ).fetchall()
    return {report_id: tuple(digests) for report_id, *digests in rows}


def gather_results(con: duckdb.DuckDBPyConnection, findings_per_report: int, unassessed_per_report: int) -> None:
    """Temp tables of what the agency pages of the chosen reports show, kept in DuckDB: rep_findings, the failing
    relations (every severity, at most `findings_per_report`) each with where its numbers were printed (one
    join with raw.cells for all pages), and rep_unassessed, the relations that could not be checked."""
    tables = ", ".join(f"('{k}', '{v}')" for k, v in CHECK_TABLES.items())
    severity_first = f"{SEVERITY_ORDER}, r.check_id, r.scope"
    con.execute(
        f"""create or replace temp table rep_findings as
            with chosen as ({_first_results("fail", severity_first, FINDING_COLUMNS)}),
            located as (
                select ch.report_id, ch.check_id, ch.scope, min(c.line) as line, min(c.page) as page
                from chosen ch
                left join (values {tables}) as t(check_id, table_code) on t.check_id = ch.check_id
                join {_cells(con)} c on c.report_id = ch.report_id
                    and c.table_code = coalesce(t.table_code, split_part(ch.scope, '.', 1))
                    and (ch.scope in (c.col_code, c.row_code, c.table_code)
                         or ch.scope = c.table_code || '.' || c.row_code
                         or ch.scope = c.table_code || '.' || c.row_code || '.' || c.col_code)
                group by all
            )
            select ch.*, l.line, l.page from chosen ch
            left join located l using (report_id, check_id, scope)""",
        {"cap": findings_per_report},
    )
    con.execute("create or replace temp table rep_unassessed as "
                + _first_results("not_assessable", "r.check_id, r.scope", UNASSESSED_COLUMNS),
                {"cap": unassessed_per_report})


def findings(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """Failing relations of the chosen reports (from rep_findings), ordered by report, severity first."""
    return records(con, "select x.* from rep_findings x join rep_ids using (report_id) order by report_id, n")


def unassessed(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """Relations that could not be checked, of the chosen reports (from rep_unassessed), for the agency pages."""
    return records(con, "select x.* from rep_unassessed x join rep_ids using (report_id) order by report_id, n")


def unreadable_documents(con: duckdb.DuckDBPyConnection, limit: int) -> tuple[list[Row], int]:
    """Documents that were read only in part or not at all, with the reason, failed first; and how many."""
    total = con.execute("select count(*) from rep_documents where status in ('failed', 'partial')").fetchone()[0]
    rows = records(
        con,
        """select d.path, d.file_name, d.status, d.error, d.source_form, s.agency_label, s.year, s.report_id,
                  s.province, s.city
           from rep_documents d left join rep_status s using (report_id)
           where d.status in ('failed', 'partial')
           order by case d.status when 'failed' then 0 else 1 end, d.file_name, d.path, s.report_id limit $n""",
        {"n": limit},
    )
    return rows, int(total)
