"""The jobs: the whole pipeline, and the extract partitioned by inbox batch."""

from __future__ import annotations

from dagster import AssetSelection, define_asset_job, in_process_executor, multiprocess_executor

from orchestration.partitions import INBOX_BATCHES, STAGING_KEY

JOB_NAME = "nianbao"
STAGING_JOB_NAME = "stage_inbox_batches"
# Runs carrying this tag are queued one at a time by the project's dagster.yaml (one DuckDB writer).
WRITER_TAG = "nianbao/warehouse"

nianbao_job = define_asset_job(
    JOB_NAME,
    # Everything but the partitioned staging: its extract-and-load step commits what partitions staged.
    selection=AssetSelection.all() - AssetSelection.assets(STAGING_KEY),
    # One process, one step at a time: the stages share a DuckDB file that admits a single writer.
    executor_def=in_process_executor,
    tags={WRITER_TAG: "writer"},
    description="Extract the inbox into raw, build the dbt models, run the GX suites, write the report.",
)

stage_inbox_batches_job = define_asset_job(
    STAGING_JOB_NAME,
    selection=AssetSelection.assets(STAGING_KEY),
    partitions_def=INBOX_BATCHES,
    # A partition's step never writes the warehouse, so its runs carry no writer tag and run side by side;
    # each step runs in its own process (a pod under the k8s executor, a worker under Celery).
    executor_def=multiprocess_executor,
    description="Parse one inbox batch and stage its raw frames as Parquet (backfill it over many batches); "
    "the nianbao job's extract-and-load commits them.",
)
