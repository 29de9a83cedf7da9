"""The one job: every asset and asset check of the warehouse, in lineage order."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job, in_process_executor

JOB_NAME = "nianbao"
# Runs carrying this tag are queued one at a time by the project's dagster.yaml (one DuckDB writer).
WRITER_TAG = "nianbao/warehouse"

nianbao_job = define_asset_job(
    JOB_NAME,
    selection=AssetSelection.all(),
    # One process, one step at a time: the stages share a DuckDB file that admits a single writer.
    executor_def=in_process_executor,
    tags={WRITER_TAG: "writer"},
    description="Extract the inbox into raw, build the dbt models, run the GX suites, write the report.",
)
