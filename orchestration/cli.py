"""`nianbao`: build the warehouse from a folder of reports, or parse single files.

`nianbao run` executes the Dagster job of `orchestration.definitions` in this process — the same assets,
checks and resources that `dagster dev`, the schedule and the sensor run — and summarises what it did.
Errors the user can act on (a missing folder, an unwritable or locked warehouse) are one line on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import re
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from orchestration import progress
from orchestration.paths import default_inputs, default_warehouse

if TYPE_CHECKING:
    from dagster import Definitions, ExecuteInProcessResult
    from dagster_shared.error import SerializableErrorInfo

    from orchestration.resources import WarehouseResource

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

STAGE_LABELS = {
    "extract": "Reading reports",
    "dbt": "Building models (dbt)",
    "checks": "Running GX suites",
    "report": "Writing data-quality report",
}


SEVERITY_WORDS = {"error": "statutory", "warning": "plausibility", "info": "notice"}


class CliError(Exception):
    """An error to show the user as one line, without a traceback."""


# ---------------------------------------------------------------------------------------------- parser


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of `nianbao` and its subcommands."""
    parser = argparse.ArgumentParser(
        prog="nianbao",
        description="A DuckDB warehouse of China's 政府信息公开工作年度报告 (government information "
        "disclosure annual reports): read a folder of reports, model them, check them.",
        epilog="Run `nianbao COMMAND --help` for a command's options. Environment: NIANBAO_WAREHOUSE "
        "(default warehouse path), NIANBAO_INBOX (default input folders, separated by ':').",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    run = sub.add_parser(
        "run",
        help="build or update the warehouse from folders of reports",
        description="Read every report under the input folders, load what is new or changed into the "
        "DuckDB warehouse, rebuild the dbt models, run the data-quality suites and write the HTML "
        "data-quality report. This runs the Dagster job `nianbao` in-process. Exit status is 0 when the "
        "pipeline did its job, whatever the data-quality checks found; 1 when it could not.",
    )
    run.add_argument(
        "--input",
        "-i",
        action="append",
        metavar="DIR",
        type=Path,
        help="folder of report files (txt, md, html, docx, pdf), searched recursively; repeat for several "
        "folders (default: the bundled sample inbox data/inbox, or $NIANBAO_INBOX)",
    )
    run.add_argument(
        "--warehouse",
        "-w",
        metavar="PATH",
        type=Path,
        help="DuckDB file to build or update (default: warehouse/nianbao.duckdb, or $NIANBAO_WAREHOUSE)",
    )
    run.add_argument(
        "--report-dir",
        metavar="DIR",
        type=Path,
        help="folder for the HTML data-quality report (default: dq_report/ beside the warehouse)",
    )
    run.add_argument(
        "--recheck",
        action="store_true",
        help="re-run the consistency checks on every report, not only on new ones (after the checks changed)",
    )
    run.add_argument("--json", action="store_true", help="print the summary as one JSON object on stdout")
    run.set_defaults(func=cmd_run)

    parse = sub.add_parser(
        "parse",
        help="parse report files and print what was read, without touching the warehouse",
        description="Parse single report files and print the cells, issues and narrative facts read "
        "from them. Nothing is written to the warehouse.",
    )
    parse.add_argument("files", nargs="+", type=Path, metavar="FILE", help="report file to parse")
    parse.add_argument("--json", action="store_true", help="print the result as JSON")
    parse.set_defaults(func=cmd_parse)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `nianbao` console script."""
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args))
    except CliError as err:
        print(f"nianbao: error: {err}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("nianbao: interrupted", file=sys.stderr)
        return 130


# ---------------------------------------------------------------------------------------------- parse


def cmd_parse(args: argparse.Namespace) -> int:
    """Hand the files to the extractor's own parse command."""
    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        raise CliError(f"file not found: {', '.join(missing)}")
    from extract.parse_cli import run as parse_run

    return int(parse_run([f.resolve() for f in args.files], args.json))


# ---------------------------------------------------------------------------------------------- run


def _lock_message(text: str, warehouse: Path) -> str | None:
    """A one-line explanation when `text` is DuckDB's 'file is locked' error, else None."""
    if "lock" not in text.lower():
        return None
    pid = re.search(r"PID (\d+)", text)
    holder = f" (PID {pid.group(1)})" if pid else ""
    return f"warehouse is locked by another process{holder}: {warehouse}"


def check_inputs(inputs: Sequence[Path]) -> list[Path]:
    """Absolute input paths; a missing one is the user's error, reported before any work starts."""
    resolved = []
    for path in inputs:
        if not path.exists():
            raise CliError(f"input folder not found: {path}")
        resolved.append(path.resolve())
    return resolved


def check_warehouse(warehouse: Path) -> Path:
    """Fail fast, in one line, when the warehouse cannot be created, written or is held by a writer."""
    import duckdb

    warehouse = warehouse.expanduser().resolve()
    if warehouse.is_dir():
        raise CliError(f"warehouse path is a folder, expected a DuckDB file: {warehouse}")
    try:
        warehouse.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise CliError(f"cannot create the warehouse folder {warehouse.parent}: {err.strerror}") from None
    if not os.access(warehouse.parent, os.W_OK) or (warehouse.exists() and not os.access(warehouse, os.W_OK)):
        raise CliError(f"warehouse is not writable: {warehouse}")
    try:
        duckdb.connect(str(warehouse)).close()
    except duckdb.Error as err:
        text = str(err)
        raise CliError(
            _lock_message(text, warehouse) or f"cannot open the warehouse {warehouse}: {text.splitlines()[0]}"
        ) from None
    return warehouse


class ProgressDisplay:
    """Stage-by-stage progress on stderr: live bars on a terminal, one line per stage otherwise."""

    def __init__(self, console: Console) -> None:
        self.console = console
        self.live = console.is_terminal
        self.bars = Progress(
            SpinnerColumn(),
            TextColumn("{task.description:<28}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("[dim]{task.fields[detail]}"),
            console=console,
        )
        self.tasks: dict[str, TaskID] = {}
        self.finished: set[str] = set()

    def __enter__(self) -> ProgressDisplay:
        if self.live:
            self.bars.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.live:
            self.bars.stop()

    def update(self, stage: str, done: int, total: int, detail: str) -> None:
        """Listener for `orchestration.progress.report`."""
        label = STAGE_LABELS.get(stage, stage)
        detail = Path(detail).name if os.sep in detail else detail
        if self.live:
            if stage not in self.tasks:
                self.tasks[stage] = self.bars.add_task(label, total=total or None, detail="")
            self.bars.update(self.tasks[stage], completed=done, total=total or None, detail=detail[:40])
        elif stage not in self.finished and total and done >= total:
            self.finished.add(stage)
            self.console.print(f"{label}: {done}/{total} done")


def _materialization_metadata(result: ExecuteInProcessResult, key_path: Sequence[str]) -> dict[str, Any]:
    """Metadata values of the run's materialization of one asset."""
    for event in result.get_asset_materialization_events():
        if event.asset_key is not None and list(event.asset_key.path) == list(key_path):
            materialization = event.step_materialization_data.materialization
            return {k: getattr(v, "value", v) for k, v in materialization.metadata.items()}
    return {}


def summarize(result: ExecuteInProcessResult, warehouse: Path, seconds: float) -> dict[str, Any]:
    """The run summary, read from the run's own materialization records (what the UI shows too)."""
    from orchestration.assets import DQ_REPORT_KEY, DQ_RESULTS_KEY, RAW_KEYS

    load = _materialization_metadata(result, RAW_KEYS["documents"].path)
    dq = _materialization_metadata(result, DQ_RESULTS_KEY.path)
    report = _materialization_metadata(result, DQ_REPORT_KEY.path)
    suites = dq.get("suites", {})
    by_severity: dict[str, int] = {}
    for suite in suites.values():
        for severity, count in suite["failed_by_severity"].items():
            by_severity[severity] = by_severity.get(severity, 0) + count
    return {
        "ok": True,
        "documents": {
            "parsed": load.get("documents_parsed", 0),
            "partial": load.get("documents_partial", 0),
            "failed": load.get("documents_failed", 0),
            "unchanged": load.get("documents_unchanged", 0),
        },
        "reports": load.get("reports", 0),
        "cells": load.get("cells", 0),
        "reports_changed": load.get("changed_reports", 0),
        "reports_removed": load.get("removed_reports", 0),
        "checks_failing": dq.get("checks_failing", 0),
        "checks_failing_by_severity": by_severity,
        "reports_failing_statutory_checks": dq.get("failing_reports", 0),
        "reports_checked_this_run": dq.get("checked_reports", 0),
        "suites": {
            name: {k: s[k] for k in ("passed", "failed", "not_assessable", "failed_by_severity")}
            for name, s in suites.items()
        },
        "warehouse": str(warehouse),
        "dq_report": str(report.get("path", "")),
        "run_id": result.run_id,
        "seconds": round(seconds, 2),
    }


def _innermost(error: SerializableErrorInfo) -> SerializableErrorInfo:
    """The root cause of a Dagster error (user code errors are wrapped by the framework)."""
    while error.cause is not None:
        error = error.cause
    return error


def resource_config(resource: WarehouseResource) -> dict[str, Any]:
    """Run config of the warehouse resource (what the Dagster UI shows for the run)."""
    return {"warehouse": resource.warehouse, "inputs": list(resource.inputs), "report_dir": resource.report_dir}


def describe_failure(result: ExecuteInProcessResult, warehouse: Path) -> str:
    """One line saying which step failed and why."""
    for event in result.all_events:
        if event.is_step_failure and event.step_failure_data.error is not None:
            error = event.step_failure_data.error
            text = error.to_string()
            locked = _lock_message(text, warehouse) if "Could not set lock" in text else None
            if locked:
                return locked
            root = _innermost(error)
            message = (root.message.strip().splitlines() or [""])[0]
            return f"step {event.step_key} failed: {message}"
    return "the pipeline run failed (see the Dagster event log)"


def failure_details(result: ExecuteInProcessResult) -> str:
    """The full errors of the failed steps, for the run log."""
    parts = [
        f"\n--- step {event.step_key} failed ---\n{event.step_failure_data.error.to_string()}"
        for event in result.all_events
        if event.is_step_failure and event.step_failure_data.error is not None
    ]
    return "".join(parts)


def print_summary(summary: dict[str, Any], console: Console) -> None:
    """The human-readable summary."""
    docs = summary["documents"]
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold")
    table.add_column()
    read = docs["parsed"] + docs["partial"] + docs["failed"]
    table.add_row(
        "documents read",
        f"{read} (parsed {docs['parsed']} / partial {docs['partial']} / failed {docs['failed']}); "
        f"{docs['unchanged']} unchanged",
    )
    table.add_row("reports", f"{summary['reports']:,} ({summary['reports_changed']} new or changed this run)")
    table.add_row("cells", f"{summary['cells']:,}")
    failing = summary["checks_failing"]
    statutory = summary["reports_failing_statutory_checks"]
    kinds = [
        f"{n} {SEVERITY_WORDS.get(k, k)}"
        + (f" (in {statutory} report{'' if statutory == 1 else 's'})" if k == "error" else "")
        for k, n in sorted(summary["checks_failing_by_severity"].items())
    ]
    colour = "yellow" if failing else "green"
    table.add_row("checks failing", f"[{colour}]{failing}[/]" + (f" — {', '.join(kinds)}" if kinds else ""))
    table.add_row("warehouse", summary["warehouse"])
    table.add_row("data-quality report", summary["dq_report"])
    console.print(f"[bold green]nianbao run finished[/] in {summary['seconds']:.1f} s")
    console.print(table)
    if failing:
        console.print("[dim]Failing checks are findings about the reports, not errors of the pipeline.[/]")


def load_definitions() -> Definitions:
    """Import the code location (preparing the dbt manifest if needed); a failure is one line."""
    try:
        from orchestration.definitions import defs
    except Exception as err:
        raise CliError(f"cannot load the pipeline: {_first_lines(err)}") from None
    return defs


def _first_lines(err: BaseException) -> str:
    """The gist of an exception: dbt's own error lines when dbt reported them, else the first line."""
    text = str(err)
    marker = "Errors parsed from dbt logs:"
    if marker in text:
        text = text.split(marker, 1)[1]
    lines = [line.strip() for line in text.splitlines() if line.strip() and not set(line.strip()) <= {"-"}]
    return " / ".join(lines[:3]) or type(err).__name__


def cmd_run(args: argparse.Namespace) -> int:
    """Run the Dagster job in-process on the given inputs and warehouse, then summarise."""
    started = time.monotonic()
    inputs = check_inputs(args.input or default_inputs())
    warehouse = check_warehouse(args.warehouse or default_warehouse())
    err = Console(stderr=True)
    with err.status("Loading the pipeline…"):
        # Imported here, not at the top: `nianbao --help` and argument errors stay instant.
        from dagster import DagsterInstance

        from orchestration.assets import DQ_RESULTS_KEY
        from orchestration.jobs import JOB_NAME
        from orchestration.resources import WarehouseResource

    resource = WarehouseResource(
        warehouse=str(warehouse),
        inputs=[str(p) for p in inputs],
        report_dir=str(args.report_dir.resolve()) if args.report_dir else "",
    )
    log_path = resource.run_dir / "nianbao.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)

    # dagster-dbt echoes dbt's log to stdout; stdout is kept for the summary (one JSON object with --json).
    with log_path.open("w", encoding="utf-8") as log, contextlib.redirect_stdout(log):
        with err.status("Loading the pipeline definitions (preparing the dbt manifest on first use)…"):
            defs = load_definitions()
        job = defs.resolve_job_def(JOB_NAME)
        run_config = {
            "resources": {"warehouse": {"config": resource_config(resource)}},
            "ops": {DQ_RESULTS_KEY.to_python_identifier(): {"config": {"recheck_all": bool(args.recheck)}}},
            # The terminal gets progress and a summary; the run's full record goes to the log file.
            "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
        }
        # An ephemeral instance: a CLI run never waits on, or leaves state in, a Dagster deployment's queue.
        with (
            DagsterInstance.ephemeral() as instance,
            ProgressDisplay(err) as display,
            progress.listening(display.update),
        ):
            result = job.execute_in_process(
                run_config=run_config, instance=instance, raise_on_error=False, tags={"nianbao/trigger": "cli"}
            )
        if not result.success:
            log.write(failure_details(result))
    if not result.success:
        raise CliError(f"{describe_failure(result, warehouse)} (details: {log_path})")

    summary = summarize(result, warehouse, time.monotonic() - started)
    summary["log"] = str(log_path)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        # Not a terminal (a pipe, a log): no wrapping at 80 columns.
        print_summary(summary, Console() if sys.stdout.isatty() else Console(width=200))
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
