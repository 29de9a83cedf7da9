"""The `nianbao` CLI: help, one-line errors, and a real run of the job on the samples (twice: the
second run of an unchanged inbox changes nothing)."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from pathlib import Path
from typing import Any

import duckdb
import pytest
from cli_probe import probed_run

from extract.pipeline import discover
from orchestration.cli import main
from orchestration.paths import DEFAULT_INBOX

for _var, _value in {"DO_NOT_TRACK": "1", "GX_ANALYTICS_ENABLED": "false", "DAGSTER_DISABLE_TELEMETRY": "1"}.items():
    os.environ.setdefault(_var, _value)

# The CLI records its runs in $DAGSTER_HOME: a test's, never the project's .dagster_home.
os.environ["DAGSTER_HOME"] = tempfile.mkdtemp(prefix="nianbao-test-dagster-")

NIANBAO = Path(sys.executable).with_name("nianbao")
SAMPLES = discover([DEFAULT_INBOX])


def _one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    """The error output of a failed command, which must be exactly one readable line."""
    err = capsys.readouterr().err.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("nianbao: error: ")
    return err


def test_help_lists_commands_and_options(capsys: pytest.CaptureFixture[str]) -> None:
    """The console script is installed and its help names the commands; each command's help its options."""
    top = subprocess.run([str(NIANBAO), "--help"], capture_output=True, text=True, check=True).stdout
    for command in ("run", "parse", "export", "bundle", "sql"):
        assert command in top
    assert "政府信息公开工作年度报告" in top and "--version" in top and "--lang" in top
    helps = {}
    for command in ("run", "parse"):
        with pytest.raises(SystemExit) as exit_info:
            main([command, "--help"])
        assert exit_info.value.code == 0
        helps[command] = capsys.readouterr().out
    for option in ("--input", "--warehouse", "--json", "data/inbox", "warehouse/nianbao.duckdb", "Exit status"):
        assert option in helps["run"]
    assert "FILE" in helps["parse"] and "--json" in helps["parse"]


def test_usage_error_exits_2(capsys: pytest.CaptureFixture[str]) -> None:
    """An unknown option is argparse's usage error (status 2), not a traceback."""
    with pytest.raises(SystemExit) as exit_info:
        main(["run", "--no-such-option"])
    assert exit_info.value.code == 2
    assert "Traceback" not in capsys.readouterr().err


def test_missing_input_folder_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A mistyped inbox is reported before anything is created."""
    code = main(["run", "--input", str(tmp_path / "nope"), "--warehouse", str(tmp_path / "w.duckdb")])
    assert code == 1
    assert "input folder not found" in _one_line_error(capsys)
    assert not (tmp_path / "w.duckdb").exists()


def test_unwritable_warehouse_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A warehouse that cannot be created (its folder would be inside a file) is one line."""
    blocker = tmp_path / "a_file"
    blocker.write_text("x")
    code = main(["run", "--warehouse", str(blocker / "w.duckdb")])
    assert code == 1
    assert "warehouse" in _one_line_error(capsys)


def test_locked_warehouse_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A working file held open for writing by a process outside nianbao (not a reader of the published
    snapshot, which never blocks) is named as locked, with its holder."""
    from orchestration.snapshot import ensure_working

    warehouse = tmp_path / "w.duckdb"
    working = ensure_working(warehouse)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
                import duckdb, sys, time
                con = duckdb.connect({str(working)!r})
                print("ready", flush=True)
                sys.stdin.read()
            """),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "ready"
        code = main(["run", "--warehouse", str(warehouse)])
    finally:
        holder.communicate("")
    assert code == 1
    err = _one_line_error(capsys)
    assert "locked by another process" in err and f"PID {holder.pid}" in err


def test_version_and_chinese_messages(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """`nianbao --version` prints the package version; `--lang zh` (or a Chinese locale) speaks Chinese."""
    from importlib.metadata import version

    out = subprocess.run([str(NIANBAO), "--version"], capture_output=True, text=True, check=True).stdout
    assert out.strip() == f"nianbao {version('nianbao')}"
    assert main(["--lang", "zh", "run", "--input", str(tmp_path / "absent")]) == 1
    assert capsys.readouterr().err.strip() == f"nianbao：错误：找不到输入文件夹：{tmp_path / 'absent'}"
    env = {**os.environ, "LC_ALL": "zh_CN.UTF-8", "LANG": "zh_CN.UTF-8", "NIANBAO_LANG": ""}
    proc = subprocess.run([str(NIANBAO), "parse", str(tmp_path / "absent.txt")], capture_output=True, text=True,
                          env=env)
    assert proc.returncode == 1 and proc.stderr.strip() == f"nianbao：错误：找不到文件：{tmp_path / 'absent.txt'}"


def test_parse_missing_file_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`nianbao parse` on a path that is not there is one line too."""
    assert main(["parse", str(tmp_path / "absent.txt")]) == 1
    assert "file not found" in _one_line_error(capsys)


@pytest.fixture(scope="module")
def cli_runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Any], str, Path]:
    """`nianbao run --json` on the samples, then a plain `nianbao run` of the same unchanged inbox."""
    warehouse = tmp_path_factory.mktemp("cli") / "wh" / "nianbao.duckdb"
    args = ["run", "--input", str(DEFAULT_INBOX), "--warehouse", str(warehouse)]
    outputs = []
    for extra in (["--json"], []):
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            assert main([*args, *extra]) == 0
        outputs.append(buffer.getvalue())
    return json.loads(outputs[0]), outputs[1], warehouse


def test_run_json_summary_matches_the_warehouse(cli_runs: tuple[dict[str, Any], str, Path]) -> None:
    """The summary is one JSON object whose counts are the warehouse's own."""
    summary, _, warehouse = cli_runs
    docs = summary["documents"]
    assert docs["parsed"] + docs["partial"] + docs["failed"] == len(SAMPLES) and docs["unchanged"] == 0
    with duckdb.connect(str(warehouse), read_only=True) as con:
        reports, cells = con.execute(
            "SELECT (SELECT count(*) FROM raw.reports), (SELECT count(*) FROM raw.cells)"
        ).fetchone()
        failing, statutory = con.execute(
            "SELECT count(*), count(DISTINCT report_id) FILTER (WHERE severity = 'error') "
            "FROM dq.check_results WHERE status = 'fail'"
        ).fetchone()
    assert summary["reports"] == reports == len(SAMPLES)
    assert summary["cells"] == cells > 0
    assert summary["checks_failing"] == failing == sum(summary["checks_failing_by_severity"].values())
    assert summary["reports_failing_statutory_checks"] == statutory
    assert summary["warehouse"] == str(warehouse)
    assert Path(summary["dq_report"]).is_file()
    assert set(summary["suites"]) == {"applications", "litigation", "disclosure", "narrative", "agencies"}
    assert summary["reports_checked_this_run"] == len(SAMPLES)


def test_rerun_of_unchanged_inbox_changes_nothing(cli_runs: tuple[dict[str, Any], str, Path]) -> None:
    """The human summary of the second run reads nothing new and keeps every report."""
    summary, text, warehouse = cli_runs
    assert re.search(rf"documents read +0 \(parsed 0 / partial 0 / failed 0\); {len(SAMPLES)} unchanged", text)
    assert re.search(rf"reports +{summary['reports']} \(0 new or changed this run\)", text)
    assert str(warehouse) in text and "data-quality report" in text
    # nothing new: the checks ran on no report, yet the summary still counts every stored finding
    assert re.search(r"checks failing +[1-9]", text)


def test_run_with_nothing_new_starts_no_dbt_no_gx_no_process(cli_runs: tuple[dict[str, Any], str, Path]) -> None:
    """An unchanged inbox is answered from the last run's record: no Dagster job, no dbt, no Great
    Expectations, no subprocess — and the same counts as the last run."""
    summary, _, warehouse = cli_runs
    again, probed = probed_run(DEFAULT_INBOX, warehouse)
    assert probed == {"code": 0, "started": [], "loaded": []}
    assert again["run_id"] is None and again["reports_changed"] == 0 and again["reports_checked_this_run"] == 0
    assert again["documents"] == {"parsed": 0, "partial": 0, "failed": 0, "unchanged": len(SAMPLES)}
    assert (again["reports"], again["cells"], again["checks_failing"]) == (
        summary["reports"], summary["cells"], summary["checks_failing"])


def _run_again(warehouse: Path, option: str) -> tuple[dict[str, Any], dict[Any, Any]]:
    """`nianbao run OPTION --json` on the samples' warehouse: its summary, and its materializations by asset key."""
    from dagster import DagsterEventType, DagsterInstance

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        assert main(["run", "--input", str(DEFAULT_INBOX), "--warehouse", str(warehouse), option, "--json"]) == 0
    summary = json.loads(buffer.getvalue())
    with DagsterInstance.get() as instance:
        records = instance.get_records_for_run(summary["run_id"],
                                               of_type=DagsterEventType.ASSET_MATERIALIZATION).records
    return summary, {r.event_log_entry.asset_materialization.asset_key: r.event_log_entry.asset_materialization
                     for r in records}


def test_recheck_revalidates_every_report(cli_runs: tuple[dict[str, Any], str, Path]) -> None:
    """--recheck re-runs the suites on all reports and leaves the same results. Neither raw nor the dbt project
    changed since the last build, so dbt is not started: its run results stay the first run's, and every
    model's materialization in this run says it was not rebuilt."""
    from orchestration.assets import UNCHANGED, mart_key
    from orchestration.snapshot import run_dir

    first, _, warehouse = cli_runs
    run_results = run_dir(warehouse) / "dbt" / "run_results.json"
    built = run_results.stat().st_mtime_ns
    again, materialized = _run_again(warehouse, "--recheck")
    assert again["reports_checked_this_run"] == len(SAMPLES)
    assert again["checks_failing"] == first["checks_failing"]
    assert run_results.stat().st_mtime_ns == built
    unchanged = {key for key, m in materialized.items() if m.metadata.get("nianbao/unchanged") is not None}
    assert {mart_key("fct_applications"), mart_key("dim_report"), mart_key("stg_nianbao__cells")} <= unchanged
    assert all(materialized[key].metadata["nianbao/unchanged"].value == UNCHANGED for key in unchanged)


def test_rebuild_builds_the_models_again(cli_runs: tuple[dict[str, Any], str, Path]) -> None:
    """--rebuild starts dbt although neither raw nor the project changed since the last build: its run results
    are written again and no model says it was not rebuilt. The reports were checked already, so none is
    checked again, and the summary is the first run's."""
    from orchestration.assets import mart_key
    from orchestration.snapshot import run_dir

    first, _, warehouse = cli_runs
    run_results = run_dir(warehouse) / "dbt" / "run_results.json"
    built = run_results.stat().st_mtime_ns
    again, materialized = _run_again(warehouse, "--rebuild")
    assert run_results.stat().st_mtime_ns > built
    assert {mart_key("fct_applications"), mart_key("dim_report")} <= set(materialized)
    assert not [key for key, m in materialized.items() if "nianbao/unchanged" in m.metadata]
    assert again["reports_checked_this_run"] == 0
    assert (again["reports"], again["cells"], again["checks_failing"]) == (
        first["reports"], first["cells"], first["checks_failing"])
