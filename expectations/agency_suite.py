"""The suite `agencies`: the checks beyond one report's tables, asserted with GX over the rows of
`marts.fct_agency_relation_sides` (sides computed in dbt), and their dq.check_results rows.

CROSS_CARRY and CROSS_IN_FORCE compare an agency's consecutive current reports, the NARRATIVE_* checks the
prose with the tables, TEXT_REUSE the text with last year's and other agencies'. The catalogue (labels,
severity, relations) is `agency_checks.yaml`. A row is not assessable when its table was not found, a side
is null or the other year is missing. Because a pair spans two reports, `with_neighbours` adds to a set of
reports to check the current reports of the same agencies in the years beside them (and their other
versions of the same year), so a new year re-checks its pairs and nothing else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb
import pandas as pd

from expectations.codes import AGENCY_CHECKS, CHECKS, WORDING, format_number
from expectations.results import COLUMNS, WORDS, empty, judged
from expectations.suites import Suite

SIDES = "marts.fct_agency_relation_sides"


def detail(check_id: str, scope: str, relation: str, status: str, found: bool, actual: float, expected: float,
           related: str | None) -> str:
    """One sentence, Chinese then English, saying what was compared and how it came out."""
    info, templates = CHECKS[check_id], WORDING["agency"]
    fields = {"label": info.label, "scope": scope, "head": f"{check_id} {scope}", "rule": info.rule,
              "actual_label": info.actual_label, "expected_label": info.expected_label}
    if not found:
        return templates["not_found"].format_map(fields)
    if status == "not_assessable":
        paired = check_id.startswith("CROSS") or check_id == "TEXT_REUSE"
        return templates["blank"].format_map({**fields, "why": "上一年度报告缺失或" if paired else ""})
    related = related if isinstance(related, str) else None  # pandas gives NaN for a null id
    return templates[status].format_map({
        **fields, **WORDS[relation], "a": format_number(actual), "e": format_number(expected),
        "diff": format_number(actual - expected), "other": f"，对照报告 {related[:12]}" if related else "",
        "other_en": f", compared with report {related[:12]}" if related else ""})


@dataclass(frozen=True)
class AgencySuite(Suite):
    """The suite of the checks beyond one report's tables: its own sides and sentences, a Suite otherwise."""

    name: str = "agencies"
    table: str = "applications"
    checks: tuple[str, ...] = tuple(AGENCY_CHECKS)

    def load(self, con: duckdb.DuckDBPyConnection, report_ids: Sequence[str] | None = None) -> pd.DataFrame:
        """The side-by-side rows of the given reports (all when None)."""
        where = "" if report_ids is None else "where report_id in (select unnest($ids::varchar[]))"
        sql = f"select * from {SIDES} {where} order by report_id, check_id, scope"
        return con.execute(sql, None if report_ids is None else {"ids": list(report_ids)}).df()

    def rows(self, frame: pd.DataFrame, failing: set[tuple[str, str, str]]) -> pd.DataFrame:
        """dq.check_results rows of the frame, given the (report_id, check_id, scope) GX found unexpected."""
        if frame.empty:
            return empty()
        frame = judged(frame, failing)
        frame["detail"] = [detail(*values) for values in zip(
            frame["check_id"], frame["scope"], frame["relation"], frame["status"], frame["table_found"],
            frame["actual"], frame["expected"], frame["related_report_id"], strict=True)]
        return frame[list(COLUMNS)]


def with_neighbours(con: duckdb.DuckDBPyConnection, report_ids: Sequence[str]) -> list[str]:
    """The reports, and every report of the same agencies in the same year or the years beside them: the
    other ends of their cross-year pairs and the versions a new report may have superseded."""
    if not report_ids:
        return []
    return [r for (r,) in con.execute("""
        with new as (
            select agency_id, year from marts.dim_report
            where report_id in (select unnest($ids::varchar[])) and agency_id is not null and year is not null
        )
        select report_id from marts.dim_report where report_id in (select unnest($ids::varchar[]))
        union
        select r.report_id from marts.dim_report r join new
            on r.agency_id = new.agency_id and r.year between new.year - 1 and new.year + 1
        order by 1""", {"ids": list(report_ids)}).fetchall()]
