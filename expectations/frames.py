"""Read the marts into pandas frames for the GX suites: one frame per fact area, one row per report.

Each frame has the report's labels (agency, year, template), whether its table was found, and one column
per cell named `<row>__<col>` (e.g. `total_processed__natural_person`), so every relation of
report-schema.md is an expectation over named columns of one row. Values are floats (exact for counts);
a null cell, or a cell the marts do not hold, is NaN — never 0.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import duckdb
import pandas as pd

from expectations.codes import APPLICANT_TYPES, APPLICATION_ROWS, OTHER_SPLIT, REVIEW_BLOCKS, REVIEW_RESULTS

SEP = "__"
# Section 二 cells of both formats (report-schema.md); a report holds those of its template and variant.
DISCLOSURE_CELLS: tuple[tuple[str, str], ...] = (
    *((item, m) for item in ("regulations", "normative_documents") for m in ("made", "published", "total_public")),
    *(
        (item, m)
        for item in ("licensing", "other_services", "inspection", "confirmation", "penalty", "enforcement")
        for m in ("prior_items", "change", "decisions")
    ),
    ("fees", "prior_items"),
    ("fees", "change"),
    ("procurement", "projects"),
    ("procurement", "amount_10k_yuan"),
    *((item, m) for item in ("regulations", "normative_documents") for m in ("issued", "repealed", "in_force")),
    ("fees", "amount_10k_yuan"),
)
# Narrative facts: a marts model if dbt provides one, else the staging view.
NARRATIVE_SOURCES = ("marts.fct_narrative_facts", "staging.stg_nianbao__narrative_facts")
# Agency names of the 街道/乡/镇 level (Beijing's 地区办事处 are 乡-level). The prefecture-level 地区 are excluded.
_TOWNSHIP = re.compile(r"(街道|乡|镇|地区)(办事处|人民政府|政府)?$")
_PREFECTURE_DIQU = ("阿里地区", "和田地区", "喀什地区", "阿克苏地区", "塔城地区", "阿勒泰地区", "大兴安岭地区")


def column(row: str, col: str) -> str:
    """Frame column of one cell."""
    return f"{row}{SEP}{col}"


def split_column(name: str) -> tuple[str, str]:
    """(row, col) of a cell column."""
    row, _, col = name.partition(SEP)
    return row, col


def is_township(agency: object) -> bool:
    """Whether an agency name is that of a 街道/乡/镇-level office (plausibility thresholds differ)."""
    if not isinstance(agency, str) or not agency.strip():
        return False  # a report whose agency was not found has NaN (pandas) or None here
    name = agency.strip()
    return bool(_TOWNSHIP.search(name)) and not any(name.endswith(p) or p in name for p in _PREFECTURE_DIQU)


def _wide(cells: Sequence[tuple[str, str]]) -> str:
    """`wide`: one row per report of `reports` and one column per cell, pivoted from the long `cells`
    relation (report_id, row_code, col_code, value). The explicit IN list fixes the columns even when a
    report (or every report) lacks some cells."""
    names = ", ".join(f"'{column(r, c)}'" for r, c in cells)
    return f"""wide as (
        pivot (
            select report_id, row_code || '{SEP}' || col_code as cell, value from cells
            where report_id in (select report_id from reports)
        ) on cell in ({names}) using max(value) group by report_id
    )"""


def _reports_cte(report_ids: Sequence[str] | None, table: str) -> str:
    where = "" if report_ids is None else "where report_id in (select unnest($ids::varchar[]))"
    return f"""reports as (
        select report_id, agency, year, template, variant,
               coalesce(list_contains(string_split(tables_found, ','), '{table}'), false) as table_found
        from marts.dim_report {where}
    )"""


def _query(con: duckdb.DuckDBPyConnection, sql: str, report_ids: Sequence[str] | None) -> pd.DataFrame:
    params = None if report_ids is None else {"ids": list(report_ids)}
    frame = con.execute(sql, params).df()
    return frame.sort_values("report_id", kind="stable").reset_index(drop=True)


def applications(con: duckdb.DuckDBPyConnection, report_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Table 三, one row per report: 26 rows × 7 columns of cells, plus `outcome_form`.

    `outcome_form` says how the report prints （六）其他处理: `single` (one row, `other`) or `split` (F2021's
    three `other_*` rows), whichever rows the report has; by template when it has neither.
    """
    cells = [(r, c) for r in APPLICATION_ROWS for c in APPLICANT_TYPES]
    balance = " union all ".join(
        f"select report_id, '{r}' as row_code, applicant_type as col_code, cast({r} as double) as value "
        "from marts.fct_applications"
        for r in ("new_received", "carried_over", "total_processed", "carried_forward")
    )
    split = ", ".join(f"'{r}'" for r in OTHER_SPLIT)
    sql = f"""
    with {_reports_cte(report_ids, "applications")},
    cells as (
        {balance}
        union all
        select report_id, outcome_code, applicant_type, cast("count" as double) from marts.fct_outcomes
    ),
    {_wide(cells)},
    forms as (
        select report_id,
               case when bool_or(outcome_code in ({split})) then 'split'
                    when bool_or(outcome_code = 'other') then 'single' end as printed_form
        from marts.fct_outcomes where report_id in (select report_id from reports) group by report_id
    )
    select reports.report_id, agency, year, template, table_found,
           coalesce(printed_form, case when template = 'F2021' then 'split' else 'single' end) as outcome_form,
           wide.* exclude (report_id)
    from reports
    left join forms on forms.report_id = reports.report_id
    left join wide on wide.report_id = reports.report_id
    """
    return _query(con, sql, report_ids)


def litigation(con: duckdb.DuckDBPyConnection, report_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Table 四, one row per report: 3 blocks × 5 results."""
    cells = [(b, r) for b in REVIEW_BLOCKS for r in REVIEW_RESULTS]
    sql = f"""
    with {_reports_cte(report_ids, "review_litigation")},
    cells as (
        select report_id, block_code as row_code, result_code as col_code, cast("count" as double) as value
        from marts.fct_litigation
    ),
    {_wide(cells)}
    select reports.report_id, agency, year, template, table_found, wide.* exclude (report_id)
    from reports left join wide on wide.report_id = reports.report_id
    """
    return _query(con, sql, report_ids)


def disclosure(con: duckdb.DuckDBPyConnection, report_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Section 二, one row per report: the cells of both formats, `reported_cells` (the `row.col` the marts
    hold for the report: which cells its template has) and `township` (街道/乡/镇-level agency name)."""
    sql = f"""
    with {_reports_cte(report_ids, "disclosure")},
    cells as (
        select report_id, item_code as row_code, measure_code as col_code, cast(value as double) as value
        from marts.fct_disclosure
    ),
    {_wide(DISCLOSURE_CELLS)},
    held as (
        select report_id, list(row_code || '.' || col_code) as reported_cells from cells
        where report_id in (select report_id from reports) group by report_id
    )
    select reports.report_id, agency, year, template, table_found, held.reported_cells, wide.* exclude (report_id)
    from reports
    left join held on held.report_id = reports.report_id
    left join wide on wide.report_id = reports.report_id
    """
    frame = _query(con, sql, report_ids)
    frame["reported_cells"] = [_cell_set(v) for v in frame["reported_cells"]]
    frame["township"] = [is_township(a) for a in frame["agency"]]
    return frame


def _cell_set(held: object) -> frozenset[str]:
    """The cells a report holds; a report without section 二 has none (pandas gives NA, not a list)."""
    if isinstance(held, str) or not hasattr(held, "__iter__"):
        return frozenset()
    return frozenset(held)


def _narrative_source(con: duckdb.DuckDBPyConnection) -> str:
    existing = {
        f"{s}.{t}" for s, t in con.execute("select table_schema, table_name from information_schema.tables").fetchall()
    }
    for source in NARRATIVE_SOURCES:
        if source in existing:
            return source
    raise LookupError(f"no narrative facts model: looked for {', '.join(NARRATIVE_SOURCES)}")


def narrative(con: duckdb.DuckDBPyConnection, report_ids: Sequence[str] | None = None) -> pd.DataFrame:
    """Prose vs tables, one row per report: `stated` (applications received, as the prose says), whether the
    prose gives it as a lower bound (`5500余件`), the sentence, and table 三's `new_received__total`."""
    sql = f"""
    with {_reports_cte(report_ids, "applications")},
    facts as (
        select report_id, cast(value as double) as stated, is_lower_bound, sentence
        from {_narrative_source(con)} where fact_code = 'applications_received'
    ),
    totals as (
        select report_id, cast(new_received as double) as new_received
        from marts.fct_applications where applicant_type = 'total'
    )
    select reports.report_id, agency, year, template, table_found,
           facts.stated, coalesce(facts.is_lower_bound, false) as stated_is_lower_bound, facts.sentence,
           totals.new_received as "{column("new_received", "total")}"
    from reports
    left join facts on facts.report_id = reports.report_id
    left join totals on totals.report_id = reports.report_id
    """
    return _query(con, sql, report_ids)


LOADERS = {"applications": applications, "litigation": litigation, "disclosure": disclosure, "narrative": narrative}
