"""Warehouses of the bundled samples for the test modules that check them: extracted and built by dbt once
per test session, then copied, so each module edits and checks its own.
"""

from __future__ import annotations

import atexit
import functools
import shutil
import tempfile
from pathlib import Path
from typing import Any

import duckdb
from dbt.cli.main import dbtRunnerResult
from dbt_runner import assert_all_passed, run_dbt

from extract.pipeline import extract_and_load

INBOX = Path(__file__).resolve().parents[1] / "data" / "inbox"


@functools.cache
def _built_once() -> Path:
    """The samples extracted and built by dbt once per test session (the modules that check them copy it):
    every node of the build passes, with no warning."""
    folder = Path(tempfile.mkdtemp(prefix="nianbao-dq-"))
    atexit.register(shutil.rmtree, folder, ignore_errors=True)
    warehouse, result = _extract_and_run_build(folder, INBOX)
    assert_all_passed(result)
    return warehouse


def build_sample_warehouse(folder: Path) -> Path:
    """A warehouse of the samples in `folder/nianbao.duckdb`, marts built, no checks yet: a copy of the one
    built by extract_and_load + dbt build in this session, so each test module edits and checks its own."""
    warehouse = folder / "nianbao.duckdb"
    shutil.copyfile(_built_once(), warehouse)
    return warehouse


def extract_and_build(folder: Path, inbox: Path = INBOX) -> Path:
    """`inbox` extracted into `folder/nianbao.duckdb` and built by dbt; the build succeeds (warnings allowed)."""
    warehouse, result = _extract_and_run_build(folder, inbox)
    assert result.success, f"dbt build failed: {result.exception}"
    return warehouse


def _extract_and_run_build(folder: Path, inbox: Path) -> tuple[Path, dbtRunnerResult]:
    warehouse = folder / "nianbao.duckdb"
    extract_and_load([inbox], warehouse)
    return warehouse, run_dbt(["build"], warehouse, folder / "dbt")


def rebuild_relation_sides(warehouse: Path, folder: Path) -> None:
    """Recompute marts.fct_relation_sides (a table, built by dbt from the marts) after a test edited the marts."""
    result = run_dbt(["run", "--select", "fct_relation_sides", "--full-refresh"], warehouse, folder)
    assert result.success, f"dbt run failed: {result.exception}"


def query(warehouse: Path, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


def report_ids(warehouse: Path) -> dict[str, str]:
    """file name → report_id."""
    return dict(query(warehouse, "select file_name, report_id from marts.dim_report"))
