"""The extract partitioned by inbox batch, for backfills that fan out over processes or machines.

A partition is one batch folder of the inbox (`extract.pipeline.inbox_batches`: `inbox`, `inbox/2024-05`),
registered as a dynamic partition when it appears. Partitions are batches rather than years because a
batch is known before anything is read (the year is only known after parsing), a folder is what an operator
drops into the inbox and may re-drop, and re-staging a batch touches no other.

Each partition of `extract/inbox_batch` parses its folder in its own step and writes its raw frames as
Parquet under the warehouse's run folder (`<stem>_run/staging/`); it never opens the warehouse for writing,
so any number run at once under any executor. The extract-and-load asset (`raw/*`, assets.py) is the one
loader: it commits everything staged in one transaction, then parses whatever no batch staged.
"""

from pathlib import Path

from dagster import (
    AssetExecutionContext,
    AssetKey,
    Config,
    DynamicPartitionsDefinition,
    Failure,
    MaterializeResult,
    MetadataValue,
    asset,
)
from pydantic import Field

from orchestration import snapshot
from orchestration.resources import WarehouseResource

INBOX_BATCHES = DynamicPartitionsDefinition(name="inbox_batches")
STAGING_KEY = AssetKey(["extract", "inbox_batch"])


def staging_path(warehouse: WarehouseResource) -> Path:
    """Where batches are staged: beside the working file, in the run folder (shared storage on a cluster)."""
    return snapshot.staging_dir(warehouse.published_path)


class StagingConfig(Config):
    """How many sandboxed parse workers one partition's step uses (0: one per core of its machine)."""

    workers: int = Field(default=0, ge=0)


@asset(
    key=STAGING_KEY,
    partitions_def=INBOX_BATCHES,
    group_name="extract",
    kinds={"python", "parquet"},
    description="One inbox batch parsed and staged as Parquet, for the extract-and-load step to commit.",
)
def inbox_batch(context: AssetExecutionContext, warehouse: WarehouseResource,
                config: StagingConfig) -> MaterializeResult:
    """Stage the partition's batch: its new or changed files (judged against the published snapshot)
    parsed in sandboxed workers, their frames written as Parquet. A folder gone from the inbox is a
    configuration fault; a bad file is a `failed` document, as in a sequential run."""
    from extract.pipeline import batch_files, find_batch, stage_batch

    key = context.partition_key
    folder = find_batch(warehouse.input_paths, key)
    if folder is None:
        raise Failure(f"inbox batch {key!r} is not a folder of report files under "
                      f"{', '.join(str(p) for p in warehouse.input_paths)}")
    summary = stage_batch(batch_files(folder), key, staging_path(warehouse), warehouse.published_path,
                          workers=config.workers or None)
    context.log.info(f"staged {key}: {summary.as_dict()}")
    return MaterializeResult(metadata={
        "folder": MetadataValue.path(str(folder)),
        "documents_parsed": summary.documents_parsed,
        "documents_partial": summary.documents_partial,
        "documents_failed": summary.documents_failed,
        "documents_unchanged": summary.documents_unchanged,
        "staging": MetadataValue.path(str(staging_path(warehouse))),
    })
