"""What the data-quality report shows, queried from the warehouse in a few set-based passes.

Everything is read from `dq.check_results` and its registry (`dq.checked_reports`, `dq.report_checks`:
expectations.store), `marts.dim_report`, `raw.documents`, `raw.cells` and `raw.parse_issues` (the tables that
are missing in a warehouse are treated as empty), so the report can be rebuilt from stored results at any
time. The counts and the page digests come from the registry, whose rows are per report (and check), not per
result; a warehouse without it (results written by hand) gets the same rows computed for the build.
"""

from __future__ import annotations

import hashlib
import re
from typing import Any

import duckdb

from expectations.codes import WORDING
from expectations.store import (
    ALL_STORED,
    REGISTRY,
    REPORT_CHECKS,
    RESULT_SOURCE,
    SEVERITY_ORDER,
    cells_source,
    is_registered,
    registry_rows,
    report_check_rows,
)
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


def prepare_registry(con: duckdb.DuckDBPyConnection) -> None:
    """rep_checked and rep_report_checks: the registry's rows (per report; per report and check), or, in a
    warehouse without it, the same rows computed from every stored result."""
    if is_registered(con):
        con.execute(f"create or replace temp view rep_checked as select * from {REGISTRY}")
        con.execute(f"create or replace temp view rep_report_checks as select * from {REPORT_CHECKS}")
    else:
        con.execute(f"create or replace temp table rep_checked as {registry_rows(con, ALL_STORED)}")
        con.execute(f"create or replace temp table rep_report_checks as {report_check_rows(ALL_STORED)}")


def prepare_views(con: duckdb.DuckDBPyConnection) -> None:
    """Temp views every query below reads: reports with region and level and their results' counts."""
    prepare_registry(con)
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
                   coalesce(p.unassessed, 0) as unassessed, coalesce(p.result_rows, 0) > 0 as checked,
                   coalesce(p.fails + p.warnings + p.notes > 0 or r.parse_status = 'partial', false) as needs_page
            from ({reports}) r
            left join (select report_id, any_value(path) as path, any_value(source_form) as source_form
                       from rep_documents where report_id is not null group by report_id) d using (report_id)
            left join rep_checked p using (report_id)"""
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
    """Per check: reports passing (every scope passes), failing (any fails), not assessable (the rest).

    The registry's rows are per report, check and severity, so a check stored with one severity has one row per
    report and is counted as stored; only a check stored with several (none that the suites declare today) is
    summed per report first (a grouping of a million rows by report at 100,000 reports)."""
    return records(
        con,
        """with one_severity as (
               select check_id from rep_report_checks group by check_id having count(distinct severity) = 1
           ),
           per_report as (
               select check_id, severity, report_id, failed, not_assessable from rep_report_checks
               where check_id in (select check_id from one_severity)
               union all
               select check_id, any_value(severity), report_id, sum(failed), sum(not_assessable)
               from rep_report_checks where check_id not in (select check_id from one_severity)
               group by check_id, report_id
           )
           select check_id, any_value(severity) as severity,
                  count(*) filter (where failed = 0 and not_assessable = 0) as passing,
                  count(*) filter (where failed > 0) as failing,
                  count(*) filter (where failed = 0 and not_assessable > 0) as not_assessable,
                  sum(failed) as failing_scopes, sum(not_assessable) as unassessed_scopes
           from per_report group by check_id order by check_id""",
    )


def by_dimension(con: duckdb.DuckDBPyConnection, column: str, within: str | None = None) -> list[Row]:
    """Reports, failing, warned and partly read, per year, level or province; with `within` (the province), per
    value of both (each province's cities), ordered by it first and its value kept as `within`."""
    keys = f"{within} as within, {column} as key" if within else f"{column} as key"
    first = "within, " if within else ""
    return records(
        con,
        f"""select {keys}, count(*) as reports, count(*) filter (where fails > 0) as failing,
                   count(*) filter (where warnings > 0) as warned, count(*) filter (where notes > 0) as noted,
                   count(*) filter (where parse_status = 'partial') as partial
            from rep_status group by all order by {first}failing desc, reports desc, key""",
    )


# How the city pages order their reports (level, then most failures); report_id last: the same order on every
# build. The search index names each agency by its first report in this order. (column, direction)
REGION_ORDER_BY = (("province", ""), ("city", ""), ("level", ""), ("fails", " desc"), ("warnings", " desc"),
                   ("agency_label", ""), ("year", ""), ("report_id", ""))
REGION_ORDER = ", ".join(column + direction for column, direction in REGION_ORDER_BY)
# The pages that list reports, by the columns that name a page (expectations.report makes the file names), and
# the rows each is rendered from: a city page its reports' rows (rep_status); an agency page its reports' rows and
# the registry's digests of every row their findings and unassessed relations are drawn from (rep_checked: the
# results that are not a pass, the RESULT_SOURCE columns, and the cells' places, CELL_PLACE). Those rows are drawn
# per report (gather_results), so equal digests mean equal rows on the page. The checks write the registry with
# the results; a report's cells never change (its id is the hash of its file, whose rows are loaded once).
CITY_PAGE = ("province", "city")
AGENCY_PAGE = ("province", "city", "agency_label")
CITY_ROWS = "select * from rep_status"
AGENCY_ROWS = """select s.*, c.results_xor, c.results_sum, c.cells_xor, c.cells_sum
                 from rep_status s left join rep_checked c using (report_id) where s.needs_page"""


def page_rows(con: duckdb.DuckDBPyConnection, key: tuple[str, ...], pages: list[tuple[str, ...]],
              where: str = "true") -> list[Row]:
    """The rep_status rows (those `where` holds of) of the pages named by `pages` (values of the `key` columns),
    in REGION_ORDER."""
    chosen = ", ".join(f"unnest(${column}::varchar[]) as {column}" for column in key)
    con.execute(f"create or replace temp table rep_pages as select {chosen}",
                {column: [page[i] for page in pages] for i, column in enumerate(key)})
    return records(con, f"select s.* from rep_status s join rep_pages using ({', '.join(key)}) "
                        f"where {where} order by {REGION_ORDER}")


def search_entries(con: duckdb.DuckDBPyConnection) -> list[Row]:
    """Per agency as named in a place (agency_label, province, city), in the order of its first report in
    REGION_ORDER: that report (its id, whether it has an agency page), the years of its reports, their failures."""
    first = ", ".join(f"{column} := {column}" for column, _ in REGION_ORDER_BY)
    by_first = ", ".join(f"first.{column}{direction}" for column, direction in REGION_ORDER_BY)
    return records(
        con,
        f"""select agency_label, province, city, first.report_id, first.needs_page, years, fails from (
                select agency_label, province, city,
                       first(struct_pack({first}, needs_page := needs_page) order by {REGION_ORDER}) as first,
                       list_sort(list_distinct(list(year) filter (where year <> 0))) as years, sum(fails) as fails
                from rep_status group by agency_label, province, city)
            order by {by_first}""",
    )


def top_failing(con: duckdb.DuckDBPyConnection, limit: int) -> list[Row]:
    """The `limit` reports with the most failures (then by agency; ties in REGION_ORDER)."""
    return records(con, f"select * from rep_status where fails > 0 order by fails desc, agency_label, {REGION_ORDER} "
                        "limit $n", {"n": limit})


def _first_results(status: str, order: str, columns: str) -> str:
    """`columns` of the first results of one status of each chosen report (rep_ids), at most $cap, numbered `n`
    in `order`."""
    return f"""select {columns}, n from (
                   select r.*, row_number() over (partition by r.report_id order by {order}) as n
                   from dq.check_results r join rep_ids using (report_id) where r.status = '{status}'
               ) where n <= $cap"""


# The columns of dq.check_results an agency page draws on (store.RESULT_SOURCE; status chooses the rows): its
# findings show all but status, its unassessed relations the check and the scope.
FINDING_COLUMNS = ", ".join(("report_id", *(c for c in RESULT_SOURCE if c != "status")))
UNASSESSED_COLUMNS = "report_id, check_id, scope"


def choose_reports(con: duckdb.DuckDBPyConnection, report_ids: list[str]) -> None:
    """The reports whose findings and unassessed relations the queries below read (rep_ids)."""
    con.execute("create or replace temp table rep_ids as select unnest($ids::varchar[]) as report_id",
                {"ids": report_ids})


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
                join {cells_source(con)} c on c.report_id = ch.report_id
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


def unreadable_rows(limit: int) -> str:
    """SQL of the first `limit` documents that were read only in part or not at all, with the reason, failed first."""
    return f"""select d.path, d.file_name, d.status, d.error, d.source_form, s.agency_label, s.year, s.report_id,
                      s.province, s.city
               from rep_documents d left join rep_status s using (report_id)
               where d.status in ('failed', 'partial')
               order by case d.status when 'failed' then 0 else 1 end, d.file_name, d.path, s.report_id
               limit {int(limit)}"""


def unreadable_documents(con: duckdb.DuckDBPyConnection, limit: int) -> tuple[list[Row], int]:
    """Documents that were read only in part or not at all, with the reason, failed first (unreadable_rows); and
    how many."""
    return records(con, unreadable_rows(limit)), unreadable_count(con)


def unreadable_count(con: duckdb.DuckDBPyConnection) -> int:
    """How many documents were read only in part or not at all."""
    return int(con.execute("select count(*) from rep_documents where status in ('failed', 'partial')").fetchone()[0])
