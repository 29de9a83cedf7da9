"""Custom GX expectations for the relations of report-schema.md: a linear identity over named columns
(Σ lhs = Σ rhs, row by row) and no negative value among named columns.

The consistency relations of report-schema.md are all of this form (`a + b = c + d`), so one small
expectation states each of them literally, over the mart's own columns, without precomputed helper
columns. A row with a null component is skipped (`ignore_row_if="any_value_is_missing"`): blank is not
zero, so such a row is not assessable rather than passing or failing. Pandas only — the SQL datasource
does not work on DuckDB here, so the checks run on frames read from the marts.
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal

import pandas as pd
from great_expectations.compatibility import pydantic
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import MulticolumnMapExpectation
from great_expectations.expectations.metrics.map_metric_provider import MulticolumnMapMetricProvider
from great_expectations.expectations.metrics.map_metric_provider.multicolumn_condition_partial import (
    multicolumn_condition_partial,
)


class MulticolumnLinearIdentity(MulticolumnMapMetricProvider):
    """Row-wise truth of Σ lhs == Σ rhs (exact: the components are counts)."""

    condition_metric_name = "multicolumn_values.linear_identity"
    condition_domain_keys = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")
    condition_value_keys = ("lhs", "rhs")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, lhs: list[str], rhs: list[str], **kwargs: Any) -> pd.Series:
        left = column_list[list(lhs)].sum(axis=1, skipna=False)
        right = column_list[list(rhs)].sum(axis=1, skipna=False)
        return left == right


class ExpectLinearIdentity(MulticolumnMapExpectation):
    """Expect Σ lhs = Σ rhs in every row, e.g. new_received + carried_over = total_processed + carried_forward.

    `column_list` is filled from lhs + rhs; give only the two sides.
    """

    lhs: list[str] = pydantic.Field(description="Columns summed on the left-hand side")
    rhs: list[str] = pydantic.Field(description="Columns summed on the right-hand side")
    ignore_row_if: Literal["all_values_are_missing", "any_value_is_missing", "never"] = "any_value_is_missing"

    map_metric: ClassVar[str] = "multicolumn_values.linear_identity"
    success_keys: ClassVar[tuple[str, ...]] = ("mostly", "lhs", "rhs")
    args_keys: ClassVar[tuple[str, ...]] = ("column_list", "lhs", "rhs")

    @pydantic.root_validator(pre=True)
    def _column_list_from_sides(cls, values: dict[str, Any]) -> dict[str, Any]:
        if not values.get("column_list"):
            values["column_list"] = list(dict.fromkeys([*values.get("lhs", []), *values.get("rhs", [])]))
        return values

    def formula(self) -> str:
        """The identity in plain text, e.g. `a + b = c + d`."""
        return f"{' + '.join(self.lhs)} = {' + '.join(self.rhs)}"


class MulticolumnNonNegative(MulticolumnMapMetricProvider):
    """Row-wise truth of "no value below 0" (a null is not negative; it is reported as not assessable)."""

    condition_metric_name = "multicolumn_values.non_negative"
    condition_domain_keys = ("batch_id", "table", "column_list", "row_condition", "condition_parser", "ignore_row_if")

    @multicolumn_condition_partial(engine=PandasExecutionEngine)
    def _pandas(cls, column_list: pd.DataFrame, **kwargs: Any) -> pd.Series:
        return ~(column_list < 0).any(axis=1)


class ExpectValuesToBeNonNegative(MulticolumnMapExpectation):
    """Expect every named column of a row to be ≥ 0, e.g. the seven cells of one row of table 三.

    One expectation per printed row rather than per cell: the relation is per cell, but a report fails
    the row when any of its cells is negative, and the cells are named in the result.
    """

    map_metric: ClassVar[str] = "multicolumn_values.non_negative"
    success_keys: ClassVar[tuple[str, ...]] = ("mostly",)
    args_keys: ClassVar[tuple[str, ...]] = ("column_list",)
