"""`dbt build` in this process, on a manifest parsed once per project version and database name.

Running dbt as a subprocess cost a `dbt --version` call, a second interpreter importing dbt, and a full
re-parse for every new warehouse (the profile's path is part of dbt's partial-parse check). Here dbt runs
through `dbtRunner` with the parsed manifest handed to it, so a build does no parsing at all; the manifest
is parsed again only when the project's sources, the dbt version or the database name change.

A build writes no manifest.json (the parsed one beside the parse is the same graph; serialising it again
cost ~1 s a run) and logs to its file at warning level only: dbt's debug file log writes every statement
and stats the file before each line, about a third of a node's CPU. DBT_LOG_LEVEL_FILE=debug brings it back.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestration.dbt_sources import PARSE_FILE, is_current, parse_lock, sources_digest
from orchestration.paths import WAREHOUSE_ENV

if TYPE_CHECKING:
    from dbt.cli.main import dbtRunnerResult
    from dbt.contracts.graph.manifest import Manifest

# Parsed manifests by database name (the warehouse file's stem), under the project's target folder.
PARSED_DIR = "parsed"
INDIRECT_SELECTION_ENV = "DBT_INDIRECT_SELECTION"
# dbt events that carry one node's result (model, seed, snapshot or test).
RESULT_EVENTS = frozenset({"LogModelResult", "LogSeedResult", "LogSnapshotResult", "LogTestResult"})
BUILT_EVENTS = frozenset({"LogModelResult", "LogSeedResult", "LogSnapshotResult"})
LOG_LEVEL_FILE_ENV = "DBT_LOG_LEVEL_FILE"
BUILD_LOG_LEVEL_FILE = "warn"
RUN_RESULTS = "run_results.json"
# What the last whole build that succeeded was built from, in its target folder.
BUILT_FROM = "built_from.json"


@contextlib.contextmanager
def dbt_environment(warehouse: Path, **extra: str) -> Iterator[None]:
    """Point the profile (env_var NIANBAO_WAREHOUSE) at `warehouse` while dbt runs, then restore the
    environment so one run's warehouse does not leak into the rest of the process."""
    values = {WAREHOUSE_ENV: str(warehouse), "DBT_SEND_ANONYMOUS_USAGE_STATS": "false", **extra}
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
    """Close the DuckDB database dbt-duckdb keeps open in this process after a command, so the next stage
    (or a reader) can open the file with its own settings."""
    from dbt.adapters.duckdb.connections import DuckDBConnectionManager

    current = DuckDBConnectionManager._ENV
    if current is not None:
        current.close()
    DuckDBConnectionManager.close_all_connections()


def invoke_dbt(args: Sequence[str], manifest: Manifest | None = None,
               callbacks: Sequence[Callable[[Any], None]] = ()) -> dbtRunnerResult:
    """One dbt command in this process; the DuckDB file is released afterwards whatever happened."""
    from dbt.cli.main import dbtRunner

    try:
        return dbtRunner(manifest=manifest, callbacks=list(callbacks)).invoke(list(args))
    finally:
        release_duckdb()


def parsed_dir(root: Path, warehouse: Path, digest: str | None = None) -> Path:
    """Where the parse for building `warehouse` is kept (manifest.json, partial_parse.msgpack): the code
    location's parse for the default database name when it is current, else one folder per database name."""
    from orchestration.dbt_setup import DEFAULT_DATABASE

    shared = root / "target"  # the code location's parse (orchestration.dbt_setup.ensure_manifest)
    current = is_current(shared, digest or sources_digest(root))
    return shared if warehouse.stem == DEFAULT_DATABASE and current else root / "target" / PARSED_DIR / warehouse.stem


def parsed_manifest(root: Path, warehouse: Path) -> Manifest:
    """The parsed manifest for building `warehouse`: dbt names the database by the file's stem, so one parse
    is kept per stem, and reused until the project's sources change."""
    from dbt.contracts.graph.manifest import Manifest
    from dbt.parser.manifest import extended_mashumuro_decoder

    from orchestration.dbt_setup import parse_into

    digest = sources_digest(root)
    with parse_lock(root):
        target = parsed_dir(root, warehouse, digest)
        if not is_current(target, digest):
            fresh = target.with_name(f"{warehouse.stem}.{os.getpid()}.tmp")
            shutil.rmtree(fresh, ignore_errors=True)
            parse_into(root, fresh, warehouse)
            shutil.rmtree(target, ignore_errors=True)
            fresh.rename(target)
        data = (target / PARSE_FILE).read_bytes()
    return Manifest.from_msgpack(data, decoder=extended_mashumuro_decoder)


def lean_run_options() -> list[str]:
    """Options for a command that runs nodes on a parsed manifest: no manifest.json written again, and the file
    log at warning level unless DBT_LOG_LEVEL_FILE asks for more (see the module's docstring)."""
    file_log = [] if os.environ.get(LOG_LEVEL_FILE_ENV) else ["--log-level-file", BUILD_LOG_LEVEL_FILE]
    return ["--no-write-json", *file_log]


def build_inputs(root: Path, warehouse: Path) -> dict[str, str]:
    """What a whole build's marts follow from: the project's sources with dbt's version, and `raw`."""
    from extract.load import connect, raw_state

    with connect(warehouse, read_only=True) as con:
        raw = raw_state(con)
    return {"sources_sha256": sources_digest(root), "raw_sha256": raw}


def is_up_to_date(root: Path, warehouse: Path, target: Path) -> bool:
    """Whether the last build into `target` was a whole build that succeeded on this project and on `raw` as
    it is now: its marts are what a build would make again (the models read nothing but `raw` and seeds)."""
    try:
        recorded = json.loads((target / BUILT_FROM).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return recorded == build_inputs(root, warehouse)


def build(root: Path, warehouse: Path, target: Path, select: Sequence[str] = (),
          indirect_selection: str | None = None,
          on_result: Callable[[dict[str, Any]], None] = lambda _: None,
          whole: bool = False) -> tuple[bool, list[dict[str, Any]]]:
    """`dbt build` of `select` (everything when empty) into `warehouse`: (success, result events as dbt's
    JSON log writes them). dbt's own output goes to stdout and to `target`/logs, its run results to
    `target`/run_results.json. A `whole` build (of every node) that succeeds records what it was built from
    (`is_up_to_date`); any other build forgets it first, since it may change the marts."""
    from dbt_common.events.functions import msg_to_dict

    manifest = parsed_manifest(root, warehouse)
    inputs = build_inputs(root, warehouse) if whole else None
    (target / BUILT_FROM).unlink(missing_ok=True)
    results: list[dict[str, Any]] = []

    def collect(event: Any) -> None:
        if event.info.name in RESULT_EVENTS:
            raw = msg_to_dict(event)
            results.append(raw)
            on_result(raw)

    extra = {INDIRECT_SELECTION_ENV: indirect_selection} if indirect_selection else {}
    with dbt_environment(warehouse, **extra):
        outcome = invoke_dbt(["build", *select, "--project-dir", str(root), "--profiles-dir", str(root),
                              "--target-path", str(target), "--log-path", str(target / "logs"),
                              *lean_run_options()],
                             manifest=manifest, callbacks=[collect])
    if outcome.exception is not None:
        raise outcome.exception
    if hasattr(outcome.result, "write"):
        outcome.result.write(str(target / RUN_RESULTS))
    if outcome.success and inputs is not None:
        (target / BUILT_FROM).write_text(json.dumps(inputs), encoding="utf-8")
    return outcome.success, results


def node_name(raw: dict[str, Any]) -> str:
    """The dbt node a result event is about."""
    return raw.get("data", {}).get("node_info", {}).get("node_name", "")


def is_built(raw: dict[str, Any]) -> bool:
    """Whether a result event is a model, seed or snapshot (not a test)."""
    return raw.get("info", {}).get("name") in BUILT_EVENTS


def is_passing_test(raw: dict[str, Any]) -> bool:
    """Whether a result event is a dbt test that passed (nothing to record beyond dbt's own log)."""
    return raw.get("info", {}).get("name") == "LogTestResult" and raw["data"]["node_info"].get("node_status") == "pass"
