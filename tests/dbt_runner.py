"""Running dbt in-process for tests: one place that sets the warehouse, and releases the DuckDB file that
dbt-duckdb keeps open afterwards so the tests can open it read-only."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from dbt.adapters.duckdb.connections import DuckDBConnectionManager
from dbt.cli.main import dbtRunner, dbtRunnerResult

PROJECT = Path(__file__).resolve().parent.parent / "dbt_project"


@contextlib.contextmanager
def env(**values: str) -> Iterator[None]:
    """Set environment variables for the duration of the block."""
    saved = {key: os.environ.get(key) for key in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


def release_duckdb() -> None:
    """Close the DuckDB database dbt-duckdb keeps open in this process after a command, so that the file
    can be opened read-only (or by another process) as a researcher would."""
    current = DuckDBConnectionManager._ENV
    if current is not None:
        current.close()
    DuckDBConnectionManager.close_all_connections()


def run_dbt(
    args: list[str], warehouse: Path, workdir: Path, callbacks: list[Callable[[Any], None]] | None = None
) -> dbtRunnerResult:
    """Run one dbt command in-process against `warehouse`, with target and logs under `workdir`."""
    with env(NIANBAO_WAREHOUSE=str(warehouse), DO_NOT_TRACK="1", DBT_SEND_ANONYMOUS_USAGE_STATS="false"):
        try:
            return dbtRunner(callbacks=callbacks or []).invoke(
                [
                    *args,
                    "--project-dir", str(PROJECT),
                    "--profiles-dir", str(PROJECT),
                    "--target-path", str(workdir / "target"),
                    "--log-path", str(workdir / "logs"),
                    "--quiet",
                ]
            )
        finally:
            release_duckdb()
