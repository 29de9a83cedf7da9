"""The Dagster code location of nianbao (declared in pyproject.toml `[tool.dagster]`).

`dagster dev` from the repository root loads `defs`; `nianbao run` executes `nianbao_job` from it
in-process, so the CLI and Dagster run one pipeline. Importing it only wires: it reads the prepared dbt
manifest (`orchestration.dbt_setup`), and imports neither Great Expectations nor the report.
"""

from __future__ import annotations

from dagster import Definitions, in_process_executor

from orchestration.assets import (
    RAW_KEYS,
    dbt_models,
    dq_check_results,
    dq_report,
    raw_tables,
    warehouse_snapshot,
)
from orchestration.checks import gx_suites
from orchestration.jobs import nianbao_job, stage_inbox_batches_job
from orchestration.partitions import inbox_batch
from orchestration.resources import WarehouseResource
from orchestration.schedules import nianbao_schedule
from orchestration.sensors import inbox_batches_sensor, inbox_sensor


def _check_raw_lineage() -> None:
    """Fail loading if a dbt model reads a raw table the extract asset does not produce.

    Otherwise that table would be an external asset and the job could run dbt before extract.
    """
    produced = set(RAW_KEYS.values())
    read = {dep.asset_key for spec in dbt_models.specs for dep in spec.deps if dep.asset_key.path[0] == "raw"}
    missing = read - produced
    if missing:
        names = ", ".join(sorted(k.to_user_string() for k in missing))
        raise ValueError(f"dbt reads raw tables that extract/ does not write: {names}")


_check_raw_lineage()

defs = Definitions(
    assets=[inbox_batch, raw_tables, dbt_models, dq_check_results, warehouse_snapshot, dq_report],
    asset_checks=[gx_suites],
    jobs=[nianbao_job, stage_inbox_batches_job],
    schedules=[nianbao_schedule],
    sensors=[inbox_sensor, inbox_batches_sensor],
    resources={"warehouse": WarehouseResource()},
    executor=in_process_executor,
)
