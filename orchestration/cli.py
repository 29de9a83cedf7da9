"""`nianbao`: build the warehouse from a folder of reports, or parse single files.

`nianbao run` executes the Dagster job of `orchestration.definitions` in this process — the same assets,
checks and resources that `dagster dev`, the schedule and the sensor run — and summarises what it did.
Errors the user can act on (a missing folder, an unwritable or locked warehouse) are one line on stderr.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import json
import os
import re
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

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
from orchestration.messages import detect_language, set_language, t
from orchestration.paths import dagster_home, default_inputs, default_warehouse

if TYPE_CHECKING:
    from dagster import DagsterInstance, Definitions, ExecuteInProcessResult
    from dagster_shared.error import SerializableErrorInfo

    from extract.pipeline import InputListing
    from orchestration.outcome import RunOutcome
    from orchestration.resources import WarehouseResource

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

STAGES = ("extract", "dbt", "checks", "publish", "report")


def stage_label(stage: str) -> str:
    """The progress label of a stage, in the CLI's language."""
    return t(f"stage_{stage}") if stage in STAGES else stage


def severity_word(severity: str) -> str:
    """What a failing check of that severity is called: statutory, plausibility or notice."""
    return t(f"severity_{severity}") if severity in ("error", "warning", "info") else severity


class CliError(Exception):
    """An error to show the user as one line, without a traceback (already in the CLI's language)."""


def package_version() -> str:
    """The installed version of nianbao (pyproject.toml), for `nianbao --version`."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("nianbao")
    except PackageNotFoundError:
        return "unknown"


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
    parser.add_argument("--version", action="version", version=f"nianbao {package_version()}")
    parser.add_argument(
        "--lang",
        choices=("en", "zh"),
        help="language of the CLI's messages (default: $NIANBAO_LANG, else zh under a Chinese locale, else en)",
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
    run.add_argument(
        "--rebuild",
        action="store_true",
        help="build the dbt models again even when neither the reports nor the dbt project changed (after a "
        "DuckDB or dbt-duckdb upgrade, or a mart edited by hand)",
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
    _add_export_parsers(sub)
    return parser


def _warehouse_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--warehouse",
        "-w",
        metavar="PATH",
        type=Path,
        help="the published warehouse to read (default: warehouse/nianbao.duckdb, or $NIANBAO_WAREHOUSE)",
    )


def _add_export_parsers(sub: argparse._SubParsersAction) -> None:
    """`export`, `bundle` and `sql`: the warehouse for people who use SQL clients, Excel or Parquet."""
    from orchestration.export import FORMATS

    export = sub.add_parser(
        "export",
        help="write a mart or a query's result as CSV, Parquet or Excel",
        description="Write a table (marts.fct_applications, or a bare mart name) or the result of a SELECT "
        "query to a file. CSV is UTF-8 with a byte-order mark, so Excel on Chinese Windows shows the Chinese "
        "correctly. Columns carry the codes of the report schema; --labels zh puts the Chinese labels in the "
        "headers.",
    )
    export.add_argument("what", metavar="TABLE_OR_QUERY", help="a table or view, or a SELECT query")
    export.add_argument("--format", "-f", choices=FORMATS, default="csv", help="file format (default: csv)")
    export.add_argument("--output", "-o", type=Path, required=True, metavar="PATH", help="file to write")
    export.add_argument("--labels", choices=("codes", "zh"), default="codes",
                        help="column headers: codes (default) or Chinese labels with the code")
    export.add_argument("--current-only", action="store_true",
                        help="only reports that are current (needs marts.dim_report.is_current)")
    _warehouse_option(export)
    export.set_defaults(func=cmd_export)

    bundle = sub.add_parser(
        "bundle",
        help="every mart as Parquet plus a data dictionary, zipped: the download-everything bundle",
        description="Write every table of schema marts as Parquet, with data_dictionary.csv and "
        "data_dictionary.md (each column's type, Chinese label and meaning), into a folder and a .zip of it.",
    )
    bundle.add_argument("--output", "-o", type=Path, required=True, metavar="DIR", help="folder to write")
    _warehouse_option(bundle)
    bundle.set_defaults(func=cmd_bundle)

    sql = sub.add_parser(
        "sql",
        help="open the DuckDB shell on the warehouse, read-only",
        description="Start the DuckDB shell installed with nianbao (.venv/bin/duckdb) on the published "
        "warehouse in read-only mode; any other arguments go to the shell, e.g. nianbao sql -csv -c 'select 1'.",
    )
    _warehouse_option(sql)
    sql.set_defaults(func=cmd_sql, shell_args=[])


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `nianbao` console script."""
    parser = build_parser()
    # Arguments after `nianbao sql [--warehouse PATH]` belong to the DuckDB shell (e.g. -csv -c 'select 1').
    args, extra = parser.parse_known_args(argv)
    if args.command == "sql":
        args.shell_args = [*args.shell_args, *extra]
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    set_language(detect_language(args.lang))
    try:
        return int(args.func(args))
    except CliError as err:
        print(t("error", text=err), file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print(t("interrupted"), file=sys.stderr)
        return 130
    except OSError as err:
        if err.errno != errno.ENOSPC:
            raise
        where = f" ({err.filename})" if err.filename else ""
        print(t("error", text=t("disk_full", where=where)), file=sys.stderr)
        return EXIT_FAILED


# ---------------------------------------------------------------------------------------------- parse


def cmd_parse(args: argparse.Namespace) -> int:
    """Hand the files to the extractor's own parse command."""
    missing = [str(f) for f in args.files if not f.is_file()]
    if missing:
        raise CliError(t("file_not_found", paths=", ".join(missing)))
    from extract.parse_cli import run as parse_run

    return int(parse_run([f.resolve() for f in args.files], args.json))


# ---------------------------------------------------------------------------------------------- run


def _lock_message(text: str, warehouse: Path) -> str | None:
    """A one-line explanation when `text` is DuckDB's 'file is locked' error, else None."""
    if "lock" not in text.lower():
        return None
    pid = re.search(r"PID (\d+)", text)
    holder = f" (PID {pid.group(1)})" if pid else ""
    return t("locked", holder=holder, path=warehouse)


def check_inputs(inputs: Sequence[Path]) -> list[Path]:
    """Absolute input paths; a missing one is the user's error, reported before any work starts."""
    resolved = []
    for path in inputs:
        if not path.exists():
            raise CliError(t("input_not_found", path=path))
        resolved.append(path.resolve())
    return resolved


def check_warehouse(warehouse: Path) -> Path:
    """Fail fast, in one line, when the warehouse's folder cannot be created or written.

    The published file itself is never opened here: readers may hold it, and the run replaces it by rename.
    """
    warehouse = warehouse.expanduser().resolve()
    if warehouse.is_dir():
        raise CliError(t("warehouse_is_dir", path=warehouse))
    try:
        warehouse.parent.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise CliError(t("cannot_create_folder", path=warehouse.parent, reason=err.strerror)) from None
    if not os.access(warehouse.parent, os.W_OK):
        raise CliError(t("not_writable", path=warehouse))
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
            # Rich would otherwise capture sys.stdout (dbt's log, via dagster-dbt) and print it above the bars.
            redirect_stdout=False,
            redirect_stderr=False,
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
        label = stage_label(stage)
        detail = Path(detail).name if os.sep in detail else detail
        if self.live:
            if stage not in self.tasks:
                self.tasks[stage] = self.bars.add_task(label, total=total or None, detail="")
            self.bars.update(self.tasks[stage], completed=done, total=total or None, detail=detail[:40])
        elif stage not in self.finished and total and done >= total:
            self.finished.add(stage)
            self.console.print(t("stage_done", label=label, done=done, total=total))


def summarize(outcome: RunOutcome, run_id: str | None, warehouse: Path, seconds: float) -> dict[str, Any]:
    """The run summary, from the typed results the stages returned (see orchestration.outcome)."""
    from orchestration.inbox import SKIPPED_SHOWN

    load, checks, report = outcome.load, outcome.checks, outcome.report
    if load is None or checks is None or report is None or outcome.checked_reports is None:
        missing = [name for name, value in (("extract", load), ("checks", checks), ("report", report)) if value is None]
        raise CliError(t("step_failed", step=", ".join(missing), message="returned no result"))
    by_severity: dict[str, int] = {}
    for suite in checks.suites.values():
        for severity, count in suite.failed_by_severity.items():
            by_severity[severity] = by_severity.get(severity, 0) + count
    return {
        "ok": True,
        "documents": {
            "parsed": load.documents_parsed,
            "partial": load.documents_partial,
            "failed": load.documents_failed,
            "unchanged": load.documents_unchanged,
        },
        "skipped": {"count": len(outcome.skipped), "sample": [p.name for p in outcome.skipped[:SKIPPED_SHOWN]]},
        "reports": load.reports,
        "cells": load.cells,
        "reports_changed": len(load.changed_report_ids),
        "reports_removed": len(load.removed_report_ids),
        "checks_failing": sum(s.failed for s in checks.suites.values()),
        "checks_failing_by_severity": by_severity,
        "reports_failing_statutory_checks": len(checks.failing_report_ids),
        "reports_checked_this_run": outcome.checked_reports,
        "suites": {
            name: {"passed": s.passed, "failed": s.failed, "not_assessable": s.not_assessable,
                   "failed_by_severity": dict(s.failed_by_severity)}
            for name, s in checks.suites.items()
        },
        "warehouse": str(warehouse),
        "dq_report": str(report),
        "run_id": run_id,
        "seconds": round(seconds, 2),
    }


def unchanged_since(warehouse: Path, listing: InputListing, state: str, run_scope: str) -> dict[str, Any] | None:
    """The last run's summary when this run has nothing to do, else None. That is so when nothing the last run
    depended on changed (its fingerprint), or when only files' times did: the same scope, `raw` as the last
    run left it, and no listed file whose content the warehouse lacks. The extract then records the touched
    files' times in the working file, and this run's fingerprint is recorded as the last run's. Batches staged
    by a backfill or the batch sensor always need the job, which commits them."""
    from extract.pipeline import record_if_only_touched
    from extract.staging import staged_batches
    from orchestration import runstate, snapshot

    last = runstate.last_run(warehouse)
    if last is None or staged_batches(snapshot.staging_dir(warehouse)):  # staged batches: the job commits them
        return None
    if last.fingerprint == state:
        return last.summary
    if last.scope != run_scope or last.raw is None:
        return None
    if not record_if_only_touched(listing, snapshot.working_path(warehouse), last.raw):
        return None
    runstate.record(warehouse, state, run_scope, last.raw, last.summary)
    return last.summary


def nothing_new(previous: dict[str, Any], listed: int, seconds: float) -> dict[str, Any]:
    """The summary of a run that found nothing new: the last run's warehouse, with no document read (the
    `listed` files all unchanged), no report changed, no check run and no Dagster run started."""
    return {
        **previous,
        "documents": {"parsed": 0, "partial": 0, "failed": 0, "unchanged": listed},
        "reports_changed": 0,
        "reports_removed": 0,
        "reports_checked_this_run": 0,
        "run_id": None,
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
            return t("step_failed", step=event.step_key, message=message)
    return t("run_failed")


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
    table.add_row(t("documents_read"), t("documents_value", read=read, **docs))
    skipped = summary["skipped"]
    if skipped["count"]:
        more = skipped["count"] - len(skipped["sample"])
        table.add_row(t("skipped"), f"{skipped['count']}: {', '.join(skipped['sample'])}" + (" …" if more else ""))
    table.add_row(t("reports"), t("reports_value", n=summary["reports"], changed=summary["reports_changed"]))
    table.add_row(t("cells"), f"{summary['cells']:,}")
    failing = summary["checks_failing"]
    statutory = summary["reports_failing_statutory_checks"]
    kinds = [
        f"{n} {severity_word(k)}"
        + (t("in_reports", n=statutory, s="" if statutory == 1 else "s") if k == "error" else "")
        for k, n in sorted(summary["checks_failing_by_severity"].items())
    ]
    colour = "yellow" if failing else "green"
    table.add_row(t("checks_failing"), f"[{colour}]{failing}[/]" + (f" — {', '.join(kinds)}" if kinds else ""))
    table.add_row(t("warehouse"), summary["warehouse"])
    table.add_row(t("dq_report"), summary["dq_report"])
    table.add_row(t("dagster_run"), summary["run_id"] or t("no_run"))
    console.print(f"[bold green]{t('finished', seconds=summary['seconds'])}[/]")
    console.print(table)
    if failing:
        console.print(f"[dim]{t('findings_note')}[/]")


def load_definitions() -> Definitions:
    """Prepare the dbt manifest when the project changed, then import the code location; a failure is one
    line."""
    try:
        from orchestration.dbt_setup import ensure_manifest

        ensure_manifest()
        from orchestration.definitions import defs
    except Exception as err:
        raise CliError(t("cannot_load", reason=_first_lines(err))) from None
    return defs


def _first_lines(err: BaseException) -> str:
    """The gist of an exception: dbt's own error lines when dbt reported them, else the first line."""
    text = str(err)
    marker = "Errors parsed from dbt logs:"
    if marker in text:
        text = text.split(marker, 1)[1]
    lines = [line.strip() for line in text.splitlines() if line.strip() and not set(line.strip()) <= {"-"}]
    return " / ".join(lines[:3]) or type(err).__name__


@contextlib.contextmanager
def terminal_to_log(log: IO[str]) -> Iterator[Console]:
    """Send everything written to stdout and stderr — by Python, by logging handlers, by dbt's
    subprocess — to the run log while the block runs, and yield a console on the real terminal for the
    progress display, so no log line ever scrolls over it."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = {fd: os.dup(fd) for fd in (1, 2)}
    terminal = os.fdopen(os.dup(saved[2]), "w", encoding="utf-8", errors="replace")
    console = Console(file=terminal, force_terminal=os.isatty(saved[2]) or None)
    try:
        for fd in saved:
            os.dup2(log.fileno(), fd)
        with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
            yield console
    finally:
        # a full disk fails these flushes (ENOSPC): the terminal is given back whatever they raise
        for stream in (sys.stdout, sys.stderr, log):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        for fd, copy in saved.items():
            os.dup2(copy, fd)
            os.close(copy)
        terminal.close()


def cli_instance() -> DagsterInstance:
    """The project's persistent Dagster instance (the one `make dev` opens), so the UI shows CLI runs."""
    from dagster import DagsterInstance

    home = dagster_home()
    os.environ["DAGSTER_HOME"] = str(home)
    return DagsterInstance.get()


def cmd_run(args: argparse.Namespace) -> int:
    """Run the Dagster job in-process on the given inputs and warehouse, then summarise; when nothing the
    last run depended on has changed, say so without starting the job."""
    from extract.pipeline import list_inputs, listed_inputs, warehouse_raw_state
    from orchestration import runstate, snapshot
    from orchestration.dbt_sources import project_dir, sources_digest

    started = time.monotonic()
    inputs = check_inputs(args.input or default_inputs())
    warehouse = check_warehouse(args.warehouse or default_warehouse())
    report_dir = str(args.report_dir.resolve()) if args.report_dir else ""
    err = Console(stderr=True)
    log_path = snapshot.run_dir(warehouse) / "nianbao.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)

    def waiting(reason: str) -> None:
        err.print(f"[yellow]{t('waiting', reason=reason)}[/]")

    try:
        with snapshot.writer_lock(warehouse, on_wait=waiting):
            listing = list_inputs(inputs)  # the run extracts from this listing too
            sources = sources_digest(project_dir())
            state, run_scope = (runstate.fingerprint(listing, report_dir, sources),
                                runstate.scope(listing, report_dir, sources))
            previous = None if args.recheck or args.rebuild else unchanged_since(warehouse, listing, state, run_scope)
            if previous is not None:
                summary = nothing_new(previous, len(listing.stats), time.monotonic() - started)
            else:
                runstate.forget(warehouse)
                with listed_inputs(listing):
                    summary = _run_job(args, inputs, warehouse, report_dir, log_path, err, started)
                raw = warehouse_raw_state(snapshot.working_path(warehouse))
                runstate.record(warehouse, state, run_scope, raw, summary)
    except snapshot.WarehouseBusy as busy:
        raise CliError(t("busy", reason=busy)) from None
    summary["log"] = str(log_path)
    if args.json:
        print(json.dumps(summary, ensure_ascii=False))
    else:
        # Not a terminal (a pipe, a log): no wrapping at 80 columns.
        print_summary(summary, Console() if sys.stdout.isatty() else Console(width=200))
    return EXIT_OK


def _run_job(args: argparse.Namespace, inputs: list[Path], warehouse: Path, report_dir: str, log_path: Path,
             err: Console, started: float) -> dict[str, Any]:
    """Execute the job and summarise it; a failed run is one line naming the step (details in the log)."""
    with err.status(t("loading")):
        # Imported here, not at the top: `nianbao --help` and a run with nothing new stay instant.
        from orchestration.resources import WarehouseResource

    resource = WarehouseResource(warehouse=str(warehouse), inputs=[str(p) for p in inputs], report_dir=report_dir)
    result, outcome = _execute(args, resource, log_path)
    if not result.success:
        raise CliError(t("details", text=describe_failure(result, warehouse), log=log_path))
    return summarize(outcome, result.run_id, warehouse, time.monotonic() - started)


def _execute(args: argparse.Namespace, resource: WarehouseResource,
             log_path: Path) -> tuple[ExecuteInProcessResult, RunOutcome]:
    """Execute the job in this process, recorded in the project's Dagster instance; the terminal gets
    progress only, and the run's full record (dbt's log included) goes to the log file."""
    from orchestration.outcome import collecting

    with log_path.open("w", encoding="utf-8") as log, terminal_to_log(log) as terminal:
        with terminal.status(t("loading_defs")):
            defs = load_definitions()
        from orchestration.assets import DQ_RESULTS_KEY, dbt_models
        from orchestration.jobs import JOB_NAME

        job = defs.resolve_job_def(JOB_NAME)
        run_config = {
            "resources": {"warehouse": {"config": resource_config(resource)}},
            "ops": {DQ_RESULTS_KEY.to_python_identifier(): {"config": {"recheck_all": bool(args.recheck)}},
                    dbt_models.op.name: {"config": {"rebuild": bool(args.rebuild)}}},
            "loggers": {"console": {"config": {"log_level": "CRITICAL"}}},
        }
        with (
            cli_instance() as instance,
            ProgressDisplay(terminal) as display,
            progress.listening(display.update),
            collecting() as outcome,
        ):
            result = job.execute_in_process(
                run_config=run_config, instance=instance, raise_on_error=False, tags={"nianbao/trigger": "cli"}
            )
        if not result.success:
            log.write(failure_details(result))
    return result, outcome


def published_warehouse(args: argparse.Namespace) -> Path:
    """The warehouse a reading command opens; a missing one is the user's error."""
    warehouse = (args.warehouse or default_warehouse()).expanduser().resolve()
    if not warehouse.is_file():
        raise CliError(t("no_warehouse", path=warehouse))
    return warehouse


def cmd_export(args: argparse.Namespace) -> int:
    """Write one table or query result to a file."""
    from orchestration.export import ExportError, export_table

    warehouse = published_warehouse(args)
    try:
        rows = export_table(warehouse, args.what, args.format, args.output.resolve(),
                            labels_zh=args.labels == "zh", current_only=args.current_only)
    except ExportError as err:
        raise CliError(t("export_failed", what=args.what, reason=err)) from None
    print(t("exported", rows=rows, path=args.output.resolve()))
    return EXIT_OK


def cmd_bundle(args: argparse.Namespace) -> int:
    """Write every mart as Parquet with the data dictionary, and a zip of it all."""
    from orchestration.export import export_bundle

    archive, tables = export_bundle(published_warehouse(args), args.output.resolve())
    print(t("bundled", tables=tables, path=archive))
    return EXIT_OK


def duckdb_shell() -> str:
    """The DuckDB shell installed beside this interpreter (package duckdb-cli), else one on PATH."""
    import shutil

    beside = Path(sys.executable).with_name("duckdb")
    return str(beside) if beside.exists() else (shutil.which("duckdb") or "duckdb")


def cmd_sql(args: argparse.Namespace) -> int:
    """Replace this process by the DuckDB shell on the published warehouse, read-only."""
    warehouse = published_warehouse(args)
    extra = [a for a in args.shell_args if a != "--"]
    shell = duckdb_shell()
    try:
        os.execv(shell, [shell, "-readonly", str(warehouse), *extra])
    except OSError as err:
        raise CliError(f"{shell}: {err.strerror}") from None
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
