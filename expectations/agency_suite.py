"""The suite `agencies`: the checks beyond one report's tables, asserted with GX over the rows of
`marts.fct_agency_relation_sides` (sides computed in dbt), and their dq.check_results rows.

CROSS_CARRY and CROSS_IN_FORCE compare an agency's consecutive current reports, the NARRATIVE_* checks the
prose with the tables, TEXT_REUSE the text with last year's and other agencies'. The catalogue (labels,
severity, relations) is `agency_checks.yaml`. A row is not assessable when its table was not found, a side
is null or the other year is missing. Because a pair spans two reports, a new report changes the rows of
others (its agency's years beside it, the versions it supersedes, the reports whose text it now matches
best): beside its results, a report keeps a digest of the rows they were computed from
(`dq.agency_sides_checked`), and `changed_sides` finds the reports whose rows differ from it now.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import duckdb
import pandas as pd

from expectations.codes import AGENCY_CHECKS, CHECKS, WORDING, format_number
from expectations.results import COLUMNS, WORDS, empty, judged
from expectations.suites import Suite
from extract.load import has_table

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
    sides: ClassVar[str] = SIDES

    def load(self, con: duckdb.DuckDBPyConnection, report_ids: Sequence[str] | None = None,
             source: str | None = None) -> pd.DataFrame:
        """The side-by-side rows of the given reports (all when None), from `source` (the batch's rows of
        `sides`) or else `sides`."""
        where = "" if report_ids is None else "where report_id in (select unnest($ids::varchar[]))"
        sql = f"select * from {source or self.sides} {where} order by report_id, check_id, scope"
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


CHECKED = "dq.agency_sides_checked"
NOTHING_KEPT = "(select null::varchar as report_id, null::ubigint as digest where false)"
CHECKED_DDL = (f"create schema if not exists dq; create table if not exists {CHECKED} "
               "(report_id varchar not null, digest ubigint not null)")
# Every column of a report's rows, digested (xor of row hashes: the order of rows does not matter).
DIGESTS = (f"select report_id, bit_xor(hash(check_id, scope, per, relation, table_found, any_null, expected, actual, "
           f"term_values, agency, year, related_report_id)) as digest from {SIDES}")


def changed_sides(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The reports whose rows differ from those their stored results were computed from (rows gained, lost or
    changed): every report with rows when no digest was ever kept."""
    kept = CHECKED if has_table(con, "dq", "agency_sides_checked") else NOTHING_KEPT
    return [r for (r,) in con.execute(f"""
        with now as ({DIGESTS} group by report_id)
        select r.report_id from marts.dim_report r
        left join now on now.report_id = r.report_id
        left join {kept} as kept on kept.report_id = r.report_id
        where now.digest is distinct from kept.digest
        order by 1""").fetchall()]


def keep_digests(con: duckdb.DuckDBPyConnection, report_ids: Sequence[str] | None) -> None:
    """Record the digests of the rows the given reports' results were just computed from (all when None), and
    forget those of reports no longer in the warehouse."""
    con.execute(CHECKED_DDL)
    of = "true" if report_ids is None else "report_id in (select unnest($ids::varchar[]))"
    params = None if report_ids is None else {"ids": list(report_ids)}
    con.execute(f"delete from {CHECKED} where {of} or report_id not in (select report_id from marts.dim_report)",
                params)
    con.execute(f"insert into {CHECKED} {DIGESTS} where {of} group by report_id", params)
