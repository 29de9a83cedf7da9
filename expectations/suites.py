"""The GX suites: one per fact area, each asserting over that area's rows of `marts.fct_relation_sides`, and the
one GX expectation every relation check uses.

The sides are computed once, in dbt, from the relations declared in extract/templates/relations.yaml.
GX asserts with its own expectations, one per check and relation (`actual = expected`, `actual ≥ expected`
or `actual ≤ expected`), over the rows of that check: a row with a null side is skipped (blank is not
zero), which the results then report as not assessable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import duckdb
import pandas as pd

from expectations.codes import CHECKS, RELATIONS
from expectations.results import dq_rows

if TYPE_CHECKING:
    from great_expectations.expectations.expectation import Expectation

SIDES = "marts.fct_relation_sides"


@dataclass(frozen=True)
class Suite:
    """A fact area: its name, the report table it covers and the checks it asserts."""

    name: str
    table: str
    checks: tuple[str, ...]
    sides: ClassVar[str] = SIDES  # the mart of side-by-side rows it validates

    def predicate(self) -> str:
        """SQL on (check_id, scope) selecting this suite's rows (a cell-wise check belongs to its table's suite)."""
        checks = ", ".join(f"'{c}'" for c in self.checks)
        return f"check_id in ({checks}) and (check_id != 'NON_NEGATIVE' or split_part(scope, '.', 1) = '{self.table}')"

    def load(self, con: duckdb.DuckDBPyConnection, report_ids: Sequence[str] | None = None,
             source: str | None = None) -> pd.DataFrame:
        """This suite's side-by-side rows for the given reports (all when None), read from `source` (a table
        holding the batch's rows of `sides`) or else `sides`: terms NaN when blank (not masked arrays), check,
        scope and condition Python strings (cheap to iterate by row). The reports' agency and year ride along in
        `attrs["reports"]`, joined to the rows stored only (most cells' rows are not stored)."""
        where = "" if report_ids is None else "and report_id in (select unnest($ids::varchar[]))"
        params = None if report_ids is None else {"ids": list(report_ids)}
        frame = con.execute(f"select * replace (list_transform(term_values, lambda v: coalesce(v, 'NaN'::double)) as "
                            f"term_values) from {source or self.sides} where {self.predicate()} {where}",
                            params).df()
        frame = frame.astype({c: object for c in ("check_id", "scope", "condition")})
        frame.attrs["reports"] = con.execute(f"select report_id, agency, year from marts.dim_report where true {where}",
                                             params).df()
        return frame

    def rows(self, frame: pd.DataFrame, failing: set[tuple[str, str, str]]) -> pd.DataFrame:
        """dq.check_results rows of this suite's frame, given the (report_id, check_id, scope) GX failed."""
        return dq_rows(frame, failing, self.checks)

    def build(self) -> list[Expectation]:
        """One expectation per check and relation of this suite, in the order they are declared."""
        return [expectation(c, relation) for c in RELATIONS if c in self.checks for relation in RELATIONS[c]]


GX_SEVERITY = {"error": "critical", "warning": "warning", "info": "info"}


def expectation(check_id: str, relation: str) -> Expectation:
    """`actual <relation> expected` over the rows of one check and relation (the per-report suites and the agencies
    suite alike), described with the catalogue's rule, severity and side labels."""
    import great_expectations.expectations as gxe  # GX is imported only where a suite is validated
    from great_expectations.expectations.row_conditions import Column

    info, condition = CHECKS[check_id], Column("check_id") == check_id
    if len(RELATIONS[check_id]) > 1:  # a check of one relation needs no second comparison (GX's cost per row)
        condition = condition & (Column("relation") == relation)
    common = {
        "row_condition": condition,
        "severity": GX_SEVERITY[info.severity],
        "description": f"{check_id}：{info.rule}（{info.actual_label} {relation} {info.expected_label}）",
        "meta": {"check_id": check_id, "relation": relation, "severity": info.severity},
    }
    if relation == "=":
        return gxe.ExpectColumnPairValuesToBeEqual(column_A="actual", column_B="expected",
                                                   ignore_row_if="either_value_is_missing", **common)
    a, b = ("actual", "expected") if relation == ">=" else ("expected", "actual")
    return gxe.ExpectColumnPairValuesAToBeGreaterThanB(column_A=a, column_B=b, or_equal=True,
                                                       ignore_row_if="either_value_is_missing", **common)


# The suites over one report's tables; the suite `agencies` (agency_suite.py) joins them in checks.SUITES.
def stage_batch(con: duckdb.DuckDBPyConnection, suites: Sequence[Suite], report_ids: Sequence[str] | None
                ) -> dict[str, str]:
    """Each sides mart the suites read → a temp table of the batch's rows of it, taken in one scan per mart (none
    when every report is read). Report ids are content hashes, so a scan for some of them cannot skip row groups:
    at 100,000 reports each suite's own scan of the 4.6 M sides took 0.3-0.7 s."""
    if report_ids is None:
        return {}
    staged = {}
    for number, mart in enumerate(sorted({suite.sides for suite in suites})):
        staged[mart] = f"batch_sides_{number}"
        con.execute(f"create or replace temp table {staged[mart]} as select * from {mart} "
                    "where report_id in (select unnest($ids::varchar[]))", {"ids": list(report_ids)})
    return staged


REPORT_SUITES: dict[str, Suite] = {
    "applications": Suite("applications", "applications",
                          ("T3_BALANCE", "T3_OUTCOMES", "T3_ROW_TOTAL", "NON_NEGATIVE")),
    "litigation": Suite("litigation", "review_litigation", ("T4_TOTAL", "NON_NEGATIVE", "X5")),
    "disclosure": Suite("disclosure", "disclosure", ("NON_NEGATIVE", "X4", "PLAUSIBLE_PROCUREMENT")),
    "narrative": Suite("narrative", "applications", ("NARRATIVE_APPLICATIONS",)),
}
