"""The Great Expectations suites as Dagster asset checks, one per suite, on the mart it validates.

The suites run once per run in the `dq/check_results` asset (they share one pass over the warehouse and
one write of dq.check_results). Each check evaluates its suite's verdict from what that step stored in the
warehouse — the totals of dq.check_results, read from the run's working file — never from another step's
metadata. A finding is a result, not a fault: a check with failing reports is reported as failed with
WARN severity and never blocks or fails the run. Only a fault (a suite with no stored results) raises.
"""

from collections.abc import Iterator

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    Failure,
    MetadataValue,
    multi_asset_check,
)

from orchestration.assets import DQ_RESULTS_KEY, jsonable, mart_key
from orchestration.resources import WarehouseResource

# suite (expectations/) → the mart whose rows it validates
SUITE_MARTS: dict[str, str] = {
    "applications": "fct_applications",
    "litigation": "fct_litigation",
    "disclosure": "fct_disclosure",
    "narrative": "fct_applications",
    "agencies": "fct_agency_relation_sides",
}
SUITE_DESCRIPTIONS: dict[str, str] = {
    "applications": "Table 三: T3_BALANCE (新收 + 上年结转 = 办理结果总计 + 结转下年度, the statutory relation), "
    "T3_OUTCOMES, T3_ROW_TOTAL and NON_NEGATIVE, per report.",
    "litigation": "Table 四: T4_TOTAL (总计 = 维持 + 纠正 + 其他 + 尚未审结) in each block, per report.",
    "disclosure": "Section 二: NON_NEGATIVE (every count ≥ 0 except 本年增/减) and plausibility checks, per report.",
    "narrative": "The prose against the tables: applications received as stated in the text vs table 三, per report.",
    "agencies": "Beyond one report: CROSS_CARRY and CROSS_IN_FORCE between an agency's consecutive years, the prose's "
    "review and litigation cases, fees and section 五 against the tables, and TEXT_REUSE, per current report.",
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
def gx_suites(context: AssetCheckExecutionContext, warehouse: WarehouseResource) -> Iterator[AssetCheckResult]:
    """Each suite's verdict over every stored result of the warehouse this run wrote."""
    from expectations.checks import FAILING_SAMPLE, stored_totals

    with warehouse.writing(context.log.warning) as working:
        totals = stored_totals(working, sample=FAILING_SAMPLE)
    for suite, mart in SUITE_MARTS.items():
        result = totals.suites.get(suite)
        if result is None:
            raise Failure(f"dq.check_results holds no result for suite {suite!r}")
        yield AssetCheckResult(
            check_name=check_name(suite),
            asset_key=mart_key(mart),
            passed=result.failed == 0,
            severity=AssetCheckSeverity.WARN,
            metadata={
                "passed": result.passed,
                "failed": result.failed,
                "not_assessable": result.not_assessable,
                "failed_by_severity": MetadataValue.json(dict(result.failed_by_severity)),
                "failing_sample": MetadataValue.json(jsonable(result.failing[:FAILING_SAMPLE])),
            },
        )
