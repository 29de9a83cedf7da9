"""The one GX expectation every relation check uses: `actual <relation> expected` over a sides frame's rows of
one check and relation (the per-report suites and the agencies suite alike)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from great_expectations.expectations.expectation import Expectation

GX_SEVERITY = {"error": "critical", "warning": "warning", "info": "info"}


def pair_expectation(check_id: str, relation: str, info: Any) -> Expectation:
    """`info` gives the check's rule, severity and side labels (a `codes.CheckInfo` or an agency check)."""
    import great_expectations.expectations as gxe  # GX is imported only where a suite is validated
    from great_expectations.expectations.row_conditions import Column

    common = {
        "row_condition": (Column("check_id") == check_id) & (Column("relation") == relation),
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
