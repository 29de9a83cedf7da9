"""The inbox sensor: start a run when report files are added, changed or removed.

The cursor is a fingerprint of the inbox — every report file's (path, size, mtime_ns), as listed by the
extractor's own `discover` — so an unchanged inbox starts nothing and the sensor never opens DuckDB.
"""

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path

from dagster import DefaultSensorStatus, RunRequest, SensorEvaluationContext, SkipReason, sensor

from extract.pipeline import discover
from orchestration.jobs import nianbao_job
from orchestration.resources import WarehouseResource
from orchestration.schedules import automation_running

SENSOR_NAME = "inbox_sensor"


def inbox_fingerprint(inputs: Sequence[Path]) -> str:
    """A cursor value that changes whenever a report file under `inputs` is added, changed or removed."""
    digest = hashlib.sha256()
    count = 0
    for path in discover(inputs):
        try:
            stat = path.stat()
        except FileNotFoundError:  # removed since listing: the next evaluation sees the removal
            continue
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
        count += 1
    return json.dumps({"files": count, "sha256": digest.hexdigest()})


@sensor(
    name=SENSOR_NAME,
    job=nianbao_job,
    minimum_interval_seconds=30,
    default_status=DefaultSensorStatus.RUNNING if automation_running() else DefaultSensorStatus.STOPPED,
    description="Run the pipeline when files in the input folders are added, changed or removed.",
)
def inbox_sensor(context: SensorEvaluationContext, warehouse: WarehouseResource) -> RunRequest | SkipReason:
    """Compare the inbox with the cursor; request one run per change."""
    inputs = [p for p in warehouse.input_paths if p.exists()]
    if not inputs:
        return SkipReason(f"no input folder exists: {', '.join(warehouse.inputs)}")
    fingerprint = inbox_fingerprint(inputs)
    if fingerprint == context.cursor:
        return SkipReason("inbox unchanged since the last run request")
    context.update_cursor(fingerprint)
    files = json.loads(fingerprint)["files"]
    return RunRequest(tags={"nianbao/trigger": "inbox_sensor", "nianbao/inbox_files": str(files)})
