"""Running dbt in-process for tests, as the pipeline runs it (orchestration.dbt_build): one place that sets the
warehouse, hands a build the parse cached per project version (no re-parse per test) with the pipeline's lean
options (no manifest.json rewritten, a warning-level file log), and releases the DuckDB file that dbt-duckdb
keeps open afterwards so the tests can open it read-only."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from dbt.cli.main import dbtRunnerResult

from orchestration.dbt_build import (
    dbt_environment,
    invoke_dbt,
    lean_run_options,
    parsed_dir,
    parsed_manifest,
    release_duckdb,
)

__all__ = ["PROJECT", "assert_all_passed", "dbt_environment", "failing_properties", "manifest_json", "release_duckdb",
           "run_dbt"]

PROJECT = Path(__file__).resolve().parent.parent / "dbt_project"
# Commands that run the project's nodes and can take a parsed manifest instead of parsing.
RUNS_NODES = frozenset({"build", "run", "test", "seed"})


def run_dbt(
    args: list[str], warehouse: Path, workdir: Path, callbacks: list[Callable[[Any], None]] | None = None
) -> dbtRunnerResult:
    """Run one dbt command in-process against `warehouse`, with target and logs under `workdir`."""
    runs_nodes = args[0] in RUNS_NODES
    manifest = parsed_manifest(PROJECT, warehouse) if runs_nodes else None
    with dbt_environment(warehouse, DO_NOT_TRACK="1"):
        return invoke_dbt(
            [
                *args,
                *(lean_run_options() if runs_nodes else []),
                "--project-dir", str(PROJECT),
                "--profiles-dir", str(PROJECT),
                "--target-path", str(workdir / "target"),
                "--log-path", str(workdir / "logs"),
                "--quiet",
            ],
            manifest=manifest,
            callbacks=callbacks or [],
        )


def assert_all_passed(result: dbtRunnerResult) -> None:
    """Every node of a dbt run/build succeeded (models, seeds, hooks) or passed (tests), with no warning."""
    assert result.result is not None, f"dbt failed: {result.exception}"
    bad = {r.node.unique_id: (str(r.status), r.message) for r in result.result.results
           if str(r.status) not in ("success", "pass")}
    assert not bad, bad
    assert result.success, f"dbt failed: {result.exception}"


def manifest_json(warehouse: Path) -> dict[str, Any]:
    """The manifest.json of the parse that builds of `warehouse` run on (a build does not write its own)."""
    import json

    parsed_manifest(PROJECT, warehouse)  # parse first if the project changed since
    return json.loads((parsed_dir(PROJECT, warehouse) / "manifest.json").read_text(encoding="utf-8"))


def failing_properties(result: dbtRunnerResult, warehouse: Path) -> set[tuple[str, str, str]]:
    """(test, column(s), property) of every column property a dbt command found broken: each failing
    `column_properties` test's compiled query, run again, names them (one row per broken property)."""
    import duckdb

    assert result.result is not None, f"dbt failed: {result.exception}"
    broken: set[tuple[str, str, str]] = set()
    with duckdb.connect(str(warehouse), read_only=True) as con:
        for r in result.result.results:
            if str(r.status) == "fail" and r.node.name.startswith("column_properties_"):
                rows = con.execute(r.node.compiled_code).fetchall()
                broken |= {(r.node.name, column, prop) for column, prop, _ in rows}
    return broken
