"""A backfill of the partitioned extract on this machine, without the Dagster daemon.

    python -m orchestration.backfill [--input DIR ...] [--warehouse FILE] [--parallel N] [--workers N]

Registers every inbox batch as a partition of `extract/inbox_batch` in the instance at $DAGSTER_HOME, then
launches one run of the `stage_inbox_batches` job per batch, `--parallel` at a time, each under the job's
multiprocess executor (its step in a process of its own) — what the daemon does for a backfill launched
from the UI or by `dagster job backfill`. It stages only: the next run of the nianbao job (`nianbao run`)
commits what was staged, in one transaction. A batch whose run fails leaves the others staged.
"""

from __future__ import annotations

import argparse
import multiprocessing
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from itertools import repeat
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestration.paths import dagster_home, default_inputs, default_warehouse

if TYPE_CHECKING:
    from dagster import JobDefinition

PARTITION_TAG = "dagster/partition"
TRIGGER_TAG = "nianbao/trigger"


def staging_job() -> JobDefinition:
    """The staging job as each run process rebuilds it (`reconstructable` needs a module-level function)."""
    from orchestration.definitions import defs
    from orchestration.jobs import STAGING_JOB_NAME

    return defs.resolve_job_def(STAGING_JOB_NAME)


def run_config(warehouse: Path, inputs: Sequence[Path], workers: int) -> dict[str, Any]:
    """The run config of a staging run: the warehouse resource and each step's parse workers."""
    from orchestration.partitions import STAGING_KEY

    resource = {"warehouse": str(warehouse), "inputs": [str(p) for p in inputs]}
    return {"resources": {"warehouse": {"config": resource}},
            "ops": {STAGING_KEY.to_python_identifier(): {"config": {"workers": workers}}}}


def stage_partition(key: str, config: dict[str, Any]) -> tuple[str, bool, str]:
    """One partition's run under the staging job's own executor, recorded in the instance at
    $DAGSTER_HOME: (partition, success, run id)."""
    from dagster import DagsterInstance, execute_job, reconstructable

    with DagsterInstance.get() as instance:
        result = execute_job(reconstructable(staging_job), instance, run_config=config,
                             tags={PARTITION_TAG: key, TRIGGER_TAG: "backfill"})
        return key, result.success, result.run_id


def register_batches(inputs: Sequence[Path]) -> list[str]:
    """Add the inbox's batches missing from the `inbox_batches` partitions; returns every batch key."""
    from dagster import DagsterInstance

    from extract.pipeline import inbox_batches
    from orchestration.partitions import INBOX_BATCHES

    keys = list(inbox_batches(inputs))
    with DagsterInstance.get() as instance:
        known = set(instance.get_dynamic_partitions(INBOX_BATCHES.name))
        instance.add_dynamic_partitions(INBOX_BATCHES.name, [k for k in keys if k not in known])
    return keys


def backfill(keys: Sequence[str], warehouse: Path, inputs: Sequence[Path], *, parallel: int = 2,
             workers: int = 1) -> dict[str, tuple[bool, str]]:
    """Stage the given partitions, `parallel` runs at a time; partition → (success, run id)."""
    config = run_config(warehouse, inputs, workers)
    with ProcessPoolExecutor(max(1, parallel), mp_context=multiprocessing.get_context("spawn")) as pool:
        return {key: (ok, run_id) for key, ok, run_id in pool.map(stage_partition, keys, repeat(config))}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--input", type=Path, action="append", help="inbox folder (repeatable)")
    parser.add_argument("--warehouse", type=Path, help="warehouse path (default $NIANBAO_WAREHOUSE)")
    parser.add_argument("--parallel", type=int, default=2, help="partition runs at once")
    parser.add_argument("--workers", type=int, default=1, help="parse workers per partition (0: every core)")
    args = parser.parse_args(argv)
    inputs = [p.resolve() for p in (args.input or default_inputs())]
    warehouse = (args.warehouse or default_warehouse()).resolve()
    dagster_home()  # creates $DAGSTER_HOME with the project's instance settings
    keys = register_batches(inputs)
    results = backfill(keys, warehouse, inputs, parallel=args.parallel, workers=args.workers)
    for key, (ok, run_id) in results.items():
        print(f"{'staged' if ok else 'FAILED'}  {key}  run {run_id}")
    return 0 if all(ok for ok, _ in results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
