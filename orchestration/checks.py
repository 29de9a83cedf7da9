"""The Great Expectations suites as Dagster asset checks, one per suite, on the mart it validates.

The suites run once per run in the `dq/check_results` asset (they share one pass over the warehouse and
one write of dq.check_results); these checks publish each suite's outcome on its mart. A finding is a
result, not a fault: a check with failing reports is reported as failed with WARN severity and never
blocks or fails the run. Only a fault (no results to report) raises.
"""

from collections.abc import Iterator
from typing import Any

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    Failure,
    MetadataValue,
    multi_asset_check,
)

from orchestration.assets import DQ_RESULTS_KEY, mart_key

# suite (expectations/) → the mart whose rows it validates
SUITE_MARTS: dict[str, str] = {
    "applications": "fct_applications",
    "litigation": "fct_litigation",
    "disclosure": "fct_disclosure",
    "narrative": "fct_applications",
}
SUITE_DESCRIPTIONS: dict[str, str] = {
    "applications": "Table 三: T3_BALANCE (新收 + 上年结转 = 办理结果总计 + 结转下年度, the statutory relation), "
    "T3_OUTCOMES, T3_ROW_TOTAL and NON_NEGATIVE, per report.",
    "litigation": "Table 四: T4_TOTAL (总计 = 维持 + 纠正 + 其他 + 尚未审结) in each block, per report.",
    "disclosure": "Section 二: NON_NEGATIVE (every count ≥ 0 except 本年增/减) and plausibility checks, per report.",
    "narrative": "The prose against the tables: applications received as stated in the text vs table 三, per report.",
}


def check_name(suite: str) -> str:
    """The Dagster check name of a GX suite."""
    return f"gx_{suite}"


@multi_asset_check(
    name="gx_suites",
    specs=[
        AssetCheckSpec(
            check_name(suite),
            asset=mart_key(mart),
            additional_deps=[DQ_RESULTS_KEY],
            description=SUITE_DESCRIPTIONS[suite],
        )
        for suite, mart in SUITE_MARTS.items()
    ],
)
def gx_suites(context: AssetCheckExecutionContext) -> Iterator[AssetCheckResult]:
    """Publish each suite's counts from the latest dq/check_results materialization."""
    event = context.instance.get_latest_materialization_event(DQ_RESULTS_KEY)
    if event is None or event.asset_materialization is None:
        raise Failure("dq/check_results has never been materialized: there are no suite results to report")
    suites: dict[str, Any] = event.asset_materialization.metadata["suites"].value  # type: ignore[attr-defined]
    for suite, mart in SUITE_MARTS.items():
        if suite not in suites:
            raise Failure(f"the expectations stage returned no result for suite {suite!r}")
        result = suites[suite]
        yield AssetCheckResult(
            check_name=check_name(suite),
            asset_key=mart_key(mart),
            passed=result["failed"] == 0,
            severity=AssetCheckSeverity.WARN,
            metadata={
                "passed": result["passed"],
                "failed": result["failed"],
                "not_assessable": result["not_assessable"],
                "failed_by_severity": MetadataValue.json(result["failed_by_severity"]),
                "failing_sample": MetadataValue.json(result["failing_sample"]),
                "results_run_id": event.run_id,
            },
        )
