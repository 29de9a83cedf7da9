"""The inbox sensor: start a run when report files are added, changed or removed.

The cursor is a fingerprint of the inbox — every report file's (path, size, mtime_ns), as listed by the
extractor's own `discover` (its paths as strings) — so an unchanged inbox starts nothing and the sensor never
opens DuckDB.

A change is never forgotten: each run request carries the fingerprint it was made for, and when the last
run the sensor requested failed (for instance after waiting too long for another writer), the next tick
requests it again even though the cursor already holds that fingerprint.

The batch sensor is its counterpart for the partitioned extract (off unless switched on): it registers
each new inbox batch as a partition and requests a staging run of every batch whose files changed.
"""

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path

from dagster import (
    DagsterInstance,
    DagsterRun,
    DagsterRunStatus,
    DefaultSensorStatus,
    RunRequest,
    RunsFilter,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    sensor,
)

from orchestration.jobs import JOB_NAME, nianbao_job, stage_inbox_batches_job
from orchestration.partitions import INBOX_BATCHES
from orchestration.resources import WarehouseResource
from orchestration.schedules import automation_running

SENSOR_NAME = "inbox_sensor"
BATCH_SENSOR_NAME = "inbox_batches_sensor"
TRIGGER_TAG = "nianbao/trigger"
FINGERPRINT_TAG = "nianbao/inbox_sha256"
RETRY_TAG = "nianbao/retry_of"
FAILED = (DagsterRunStatus.FAILURE, DagsterRunStatus.CANCELED)


def inbox_fingerprint(inputs: Sequence[Path]) -> str:
    """A cursor value that changes whenever a report file under `inputs` is added, changed or removed."""
    from extract.pipeline import report_paths

    count, sha256 = _files_digest(report_paths(inputs))  # discover's files as strings: half the CPU at 100k
    return json.dumps({"files": count, "sha256": sha256})


def _files_digest(paths: Sequence[str | Path]) -> tuple[int, str]:
    """How many of the files exist, and a digest of their paths, sizes and modification times."""
    digest = hashlib.sha256()
    count = 0
    for path in paths:
        try:
            stat = os.stat(path)
        except FileNotFoundError:  # removed since listing: the next evaluation sees the removal
            continue
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        count += 1
    return count, digest.hexdigest()


@sensor(
    name=SENSOR_NAME,
    job=nianbao_job,
    minimum_interval_seconds=30,
    default_status=DefaultSensorStatus.RUNNING if automation_running() else DefaultSensorStatus.STOPPED,
    description="Run the pipeline when files in the input folders are added, changed or removed.",
)
def inbox_sensor(context: SensorEvaluationContext, warehouse: WarehouseResource) -> RunRequest | SkipReason:
    """Compare the inbox with the cursor; request one run per change, and again when that run failed."""
    inputs = [p for p in warehouse.input_paths if p.exists()]
    if not inputs:
        return SkipReason(f"no input folder exists: {', '.join(warehouse.inputs)}")
    fingerprint = inbox_fingerprint(inputs)
    state = json.loads(fingerprint)
    if fingerprint == context.cursor:
        failed = last_failed_request(context.instance, state["sha256"])
        if failed is None:
            return SkipReason("inbox unchanged since the last run request")
        return _request(state, {RETRY_TAG: failed.run_id})
    context.update_cursor(fingerprint)
    return _request(state, {})


def _request(state: dict[str, object], extra: dict[str, str]) -> RunRequest:
    return RunRequest(
        tags={
            TRIGGER_TAG: SENSOR_NAME,
            "nianbao/inbox_files": str(state["files"]),
            FINGERPRINT_TAG: str(state["sha256"]),
            **extra,
        }
    )


def last_failed_request(instance: DagsterInstance, sha256: str) -> DagsterRun | None:
    """The sensor's latest run, when it was made for this inbox state and failed or was canceled."""
    runs = instance.get_runs(filters=RunsFilter(job_name=JOB_NAME, tags={TRIGGER_TAG: SENSOR_NAME}), limit=1)
    if runs and runs[0].status in FAILED and runs[0].tags.get(FINGERPRINT_TAG) == sha256:
        return runs[0]
    return None


@sensor(
    name=BATCH_SENSOR_NAME,
    job=stage_inbox_batches_job,
    minimum_interval_seconds=30,
    default_status=DefaultSensorStatus.STOPPED,
    description="Register each inbox batch folder as a partition and stage the batches whose files changed "
    "(for the partitioned extract; run the nianbao job afterwards to commit them).",
)
def inbox_batches_sensor(context: SensorEvaluationContext, warehouse: WarehouseResource) -> SensorResult:
    """One staging run per batch added or changed since the cursor (a batch → digest map); new batches are
    added to the `inbox_batches` partitions in the same tick."""
    from extract.pipeline import batch_files, inbox_batches

    batches = inbox_batches([p for p in warehouse.input_paths if p.exists()])
    digests = {key: _files_digest(batch_files(folder))[1] for key, folder in batches.items()}
    seen = json.loads(context.cursor) if context.cursor else {}
    changed = [key for key, digest in digests.items() if seen.get(key) != digest]
    new = sorted(set(batches) - set(context.instance.get_dynamic_partitions(INBOX_BATCHES.name)))
    context.update_cursor(json.dumps(digests, sort_keys=True))
    return SensorResult(
        run_requests=[RunRequest(run_key=f"{key}@{digests[key]}", partition_key=key,
                                 tags={TRIGGER_TAG: BATCH_SENSOR_NAME}) for key in changed],
        dynamic_partitions_requests=[INBOX_BATCHES.build_add_request(new)] if new else [],
    )
