"""The Dagster layer: the job runs every stage for real on the samples, the GX suites surface as asset
checks that never fail the run, the inbox sensor fires only on change, and the code location loads."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dagster import AssetKey, DagsterInstance, build_sensor_context

from extract.pipeline import discover
from orchestration.paths import DEFAULT_INBOX, REPO_ROOT
from orchestration.resources import WarehouseResource
from orchestration.sensors import inbox_sensor

for _var, _value in {"DO_NOT_TRACK": "1", "GX_ANALYTICS_ENABLED": "false", "DAGSTER_DISABLE_TELEMETRY": "1"}.items():
    os.environ.setdefault(_var, _value)

SAMPLES = discover([DEFAULT_INBOX])
MARTS = ["fct_applications", "fct_outcomes", "fct_disclosure", "fct_procurement", "fct_litigation", "dim_report"]


def _evaluate(inbox: Path, cursor: str | None) -> tuple[list[Any], str | None, str | None]:
    """One sensor tick on `inbox`: (run requests, new cursor, skip message)."""
    with DagsterInstance.ephemeral() as instance:
        context = build_sensor_context(
            instance=instance,
            cursor=cursor,
            resources={"warehouse": WarehouseResource(inputs=[str(inbox)], warehouse=str(inbox / "w.duckdb"))},
        )
        data = inbox_sensor.evaluate_tick(context)
    return list(data.run_requests or []), data.cursor, data.skip_message


def test_sensor_fires_on_added_or_changed_files_only(tmp_path: Path) -> None:
    """An unchanged inbox starts nothing; an added, a changed and a removed file each start one run."""
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    for sample in SAMPLES[:2]:
        shutil.copy2(sample, inbox / sample.name)

    runs, cursor, _ = _evaluate(inbox, None)
    assert len(runs) == 1 and cursor is not None
    assert json.loads(cursor)["files"] == 2

    runs, again, skip = _evaluate(inbox, cursor)
    assert runs == [] and again in (None, cursor) and skip and "unchanged" in skip

    shutil.copy2(SAMPLES[2], inbox / SAMPLES[2].name)
    runs, after_add, _ = _evaluate(inbox, cursor)
    assert len(runs) == 1 and after_add != cursor and json.loads(after_add)["files"] == 3

    runs, _, _ = _evaluate(inbox, after_add)
    assert runs == []

    changed = inbox / SAMPLES[0].name
    changed.write_bytes(changed.read_bytes() + "\n（修订）\n".encode())
    runs, after_change, _ = _evaluate(inbox, after_add)
    assert len(runs) == 1 and after_change != after_add and json.loads(after_change)["files"] == 3

    changed.unlink()
    runs, after_remove, _ = _evaluate(inbox, after_change)
    assert len(runs) == 1 and json.loads(after_remove)["files"] == 2


def test_sensor_cursor_is_the_digest_of_discovered_files_so_an_older_cursor_carries_over(tmp_path: Path) -> None:
    """The cursor hashes each file `discover` lists, as its path, size and mtime in ns, in discover's order: the
    value the sensor wrote before it listed paths as strings, so an upgrade requests no run for an unchanged
    inbox."""
    inbox = tmp_path / "inbox"
    folders = (inbox / "2024", inbox / "2024-05", inbox)  # as strings "2024-05/" sorts first; as parts, "2024"
    for sample, folder in zip(SAMPLES[:3], folders, strict=True):
        folder.mkdir(parents=True, exist_ok=True)
        shutil.copy2(sample, folder / sample.name)
    (inbox / ".hidden.txt").write_text("not a report", encoding="utf-8")
    digest = hashlib.sha256()
    for path in discover([inbox]):
        stat = path.stat()
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())

    runs, cursor, _ = _evaluate(inbox, None)
    assert len(runs) == 1 and json.loads(cursor) == {"files": 3, "sha256": digest.hexdigest()}
    runs, _, skip = _evaluate(inbox, cursor)
    assert runs == [] and skip and "unchanged" in skip


def test_sensor_requests_again_when_its_run_failed(tmp_path: Path) -> None:
    """A run lost to contention (failed) is requested again at the next tick: the files are not forgotten."""
    from dagster import DagsterRun, DagsterRunStatus

    from orchestration.sensors import FINGERPRINT_TAG, RETRY_TAG, SENSOR_NAME, TRIGGER_TAG

    inbox = tmp_path / "inbox"
    inbox.mkdir()
    shutil.copy2(SAMPLES[0], inbox / SAMPLES[0].name)
    resources = {"warehouse": WarehouseResource(inputs=[str(inbox)], warehouse=str(tmp_path / "w.duckdb"))}
    with DagsterInstance.ephemeral() as instance:
        first = inbox_sensor.evaluate_tick(build_sensor_context(instance=instance, cursor=None, resources=resources))
        (request,) = first.run_requests
        instance.add_run(DagsterRun(job_name="nianbao", run_id="f" * 36, status=DagsterRunStatus.FAILURE,
                                    tags=dict(request.tags)))
        retry = inbox_sensor.evaluate_tick(
            build_sensor_context(instance=instance, cursor=first.cursor, resources=resources)
        )
        assert [r.tags[RETRY_TAG] for r in retry.run_requests] == ["f" * 36]
        assert retry.run_requests[0].tags[FINGERPRINT_TAG] == request.tags[FINGERPRINT_TAG]
        instance.add_run(DagsterRun(job_name="nianbao", run_id="s" * 36, status=DagsterRunStatus.SUCCESS,
                                    tags={TRIGGER_TAG: SENSOR_NAME, FINGERPRINT_TAG: request.tags[FINGERPRINT_TAG]}))
        quiet = inbox_sensor.evaluate_tick(
            build_sensor_context(instance=instance, cursor=first.cursor, resources=resources)
        )
        assert not quiet.run_requests and "unchanged" in (quiet.skip_message or "")


def test_sensor_skips_when_no_input_folder_exists(tmp_path: Path) -> None:
    """A missing inbox is a skip with a reason, not an error and not a run."""
    runs, cursor, skip = _evaluate(tmp_path / "absent", None)
    assert runs == [] and cursor is None and skip and "no input folder" in skip


def test_schedule_cron_is_configurable(monkeypatch: pytest.MonkeyPatch) -> None:
    """Daily by default; NIANBAO_SCHEDULE_CRON replaces the cron (read when the code location loads)."""
    code = "from orchestration.schedules import nianbao_schedule as s; print(s.cron_schedule)"
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT)}
    env.pop("NIANBAO_SCHEDULE_CRON", None)
    default = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert default.stdout.strip() == "0 6 * * *"
    env["NIANBAO_SCHEDULE_CRON"] = "*/15 * * * *"
    custom = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    assert custom.stdout.strip() == "*/15 * * * *"


# ------------------------------------------------------------------------------------- the code location


@pytest.fixture(scope="module")
def defs(dbt_manifest: Path) -> Any:
    """The code location, loaded as `dagster dev` loads it once the manifest is prepared."""
    from orchestration.definitions import defs

    return defs


def test_importing_the_code_location_only_wires(dbt_manifest: Path) -> None:
    """Importing `orchestration.definitions` parses nothing, starts no process, walks no folder, leaves the
    environment as it found it, and does not import Great Expectations (its step does). The libraries it
    wires are imported first: their own import-time habits (polars sets an allocator variable, dagster's
    croniter runs `file`) are theirs, not the code location's."""
    probe = textwrap.dedent("""
        import json, os, pathlib, subprocess, sys
        import dagster, dagster_dbt, duckdb, polars, pydantic  # noqa: F401
        calls = []
        real_popen_init, real_walk, real_rglob = subprocess.Popen.__init__, os.walk, pathlib.Path.rglob
        def popen_init(self, *a, **k):
            calls.append("subprocess")
            real_popen_init(self, *a, **k)
        def walk(*a, **k):
            calls.append("os.walk")
            return real_walk(*a, **k)
        def rglob(self, *a, **k):
            calls.append("rglob")
            return real_rglob(self, *a, **k)
        subprocess.Popen.__init__, os.walk, pathlib.Path.rglob = popen_init, walk, rglob
        env = dict(os.environ)
        import orchestration.definitions
        print(json.dumps({"calls": calls, "env_changed": sorted(set(os.environ.items()) ^ set(env.items())),
                          "gx": "great_expectations" in sys.modules, "report": "expectations.report" in sys.modules}))
    """)
    before = dbt_manifest.stat().st_mtime_ns
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=REPO_ROOT,
                          env={k: v for k, v in os.environ.items() if k != "DAGSTER_IS_DEV_CLI"})
    assert proc.returncode == 0, proc.stderr
    seen = json.loads(proc.stdout.strip().splitlines()[-1])
    assert seen == {"calls": [], "env_changed": [], "gx": False, "report": False}
    assert dbt_manifest.stat().st_mtime_ns == before


def test_job_covers_every_stage_in_lineage_order(defs: Any) -> None:
    """One job holds extract, every dbt model, the dq results and report; extract feeds dbt's sources;
    one process, one step at a time (one DuckDB writer)."""
    from orchestration.assets import DQ_REPORT_KEY, DQ_RESULTS_KEY, RAW_KEYS, mart_key
    from orchestration.checks import SUITE_MARTS, check_name

    job = defs.resolve_job_def("nianbao")
    assert job.executor_def.name == "in_process"
    graph = defs.resolve_asset_graph()
    keys = set(job.asset_layer.selected_asset_keys)
    marts = {mart_key(m) for m in MARTS}
    assert set(RAW_KEYS.values()) | marts | {DQ_RESULTS_KEY, DQ_REPORT_KEY} <= keys

    def upstream(key: AssetKey) -> set[AssetKey]:
        seen: set[AssetKey] = set()
        todo = [key]
        while todo:
            for parent in graph.get(todo.pop()).parent_keys:
                if parent not in seen:
                    seen.add(parent)
                    todo.append(parent)
        return seen

    for mart in marts:
        assert RAW_KEYS["reports"] in upstream(mart) or RAW_KEYS["cells"] in upstream(mart), mart
    assert marts - {mart_key("fct_procurement")} <= upstream(DQ_RESULTS_KEY)
    assert DQ_RESULTS_KEY in upstream(DQ_REPORT_KEY)

    check_keys = {(k.asset_key, k.name) for k in job.asset_layer.asset_graph.asset_check_keys}
    for suite, mart in SUITE_MARTS.items():
        assert (mart_key(mart), check_name(suite)) in check_keys


def test_dagster_definitions_validate(dbt_manifest: Path, tmp_path: Path) -> None:
    """`dagster definitions validate` passes from the repository root (code location in pyproject)."""
    dagster = Path(sys.executable).with_name("dagster")
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    proc = subprocess.run(
        [str(dagster), "definitions", "validate"], cwd=REPO_ROOT, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "nianbao" in proc.stdout + proc.stderr


# ------------------------------------------------------------------------------------- the whole job


@pytest.fixture(scope="module")
def job_run(defs: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path]]:
    """The whole job on the bundled samples into a temporary warehouse, as `dagster dev` would run it."""
    out = tmp_path_factory.mktemp("job")
    warehouse = out / "nianbao.duckdb"
    config = {"warehouse": str(warehouse), "inputs": [str(DEFAULT_INBOX)], "report_dir": str(out / "dq")}
    with DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("nianbao").execute_in_process(
            run_config={"resources": {"warehouse": {"config": config}}}, instance=instance, raise_on_error=False
        )
        yield result, warehouse


def test_missing_inbox_fails_the_run(defs: Any, tmp_path: Path) -> None:
    """A pipeline fault fails the run: an input folder that does not exist stops it at extract, with the
    path in the error, before anything is written."""
    config = {"warehouse": str(tmp_path / "w.duckdb"), "inputs": [str(tmp_path / "absent")]}
    with DagsterInstance.ephemeral() as instance:
        result = defs.resolve_job_def("nianbao").execute_in_process(
            run_config={"resources": {"warehouse": {"config": config}}}, instance=instance, raise_on_error=False
        )
    assert not result.success
    failures = [e for e in result.all_events if e.is_step_failure]
    assert [e.step_key for e in failures] == ["extract_and_load"]
    assert str(tmp_path / "absent") in failures[0].step_failure_data.error.message
    assert not (tmp_path / "w.duckdb").exists()


def _query(warehouse: Path, sql: str) -> list[tuple[Any, ...]]:
    """Read the warehouse the way a reader should: read-only."""
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_job_builds_the_warehouse_from_the_samples(job_run: tuple[Any, Path]) -> None:
    """Every sample becomes a document; reports, cells and every mart are filled; the report exists."""
    result, warehouse = job_run
    assert result.success, [e.message for e in result.all_events if e.is_failure]
    names = {row[0] for row in _query(warehouse, "SELECT file_name FROM raw.documents")}
    assert names == {p.name for p in SAMPLES}
    ((reports,),) = _query(warehouse, "SELECT count(*) FROM raw.reports")
    ((cells,),) = _query(warehouse, "SELECT count(*) FROM raw.cells WHERE value IS NOT NULL")
    assert reports == len(SAMPLES) and cells > 100 * len(SAMPLES)
    ((in_dim,),) = _query(warehouse, "SELECT count(*) FROM marts.dim_report")
    assert in_dim == reports
    ((apps,),) = _query(warehouse, "SELECT count(DISTINCT report_id) FROM marts.fct_applications")
    assert apps == reports

    report_events = [e for e in result.get_asset_materialization_events() if e.asset_key == AssetKey(["dq", "report"])]
    assert len(report_events) == 1
    path = Path(report_events[0].step_materialization_data.materialization.metadata["path"].value)
    assert path.is_file() and path.is_relative_to(warehouse.parent / "dq")
    assert "<html" in path.read_text(encoding="utf-8").lower()


def test_job_publishes_each_suite_as_a_check_matching_dq_results(job_run: tuple[Any, Path]) -> None:
    """Each suite's asset check reports the counts of dq.check_results for that suite, and a suite with
    failures is a WARN-level finding that leaves the run successful."""
    from orchestration.checks import SUITE_MARTS, check_name

    result, warehouse = job_run
    evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
    rows = _query(warehouse, "SELECT status, count(*) FROM dq.check_results GROUP BY status")
    by_status = dict(rows)
    assert set(by_status) <= {"pass", "fail", "not_assessable"} and by_status.get("pass", 0) > 0
    totals = {"passed": 0, "failed": 0, "not_assessable": 0}
    for suite in SUITE_MARTS:
        evaluation = evaluations[check_name(suite)]
        counts = {k: evaluation.metadata[k].value for k in totals}
        assert evaluation.passed == (counts["failed"] == 0)
        assert evaluation.severity.value == "WARN" and not evaluation.blocking
        for k in totals:
            totals[k] += counts[k]
    assert totals == {
        "passed": by_status.get("pass", 0),
        "failed": by_status.get("fail", 0),
        "not_assessable": by_status.get("not_assessable", 0),
    }
    assert result.success


def test_readme_sql_runs_on_the_built_warehouse(job_run: tuple[Any, Path]) -> None:
    """Every ```sql block of the README runs as written, read-only; the mart queries return rows."""
    _, warehouse = job_run
    blocks = re.findall(r"```sql\n(.*?)```", (REPO_ROOT / "README.md").read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 4
    for sql in blocks:
        rows = _query(warehouse, sql)
        if "from marts." in sql:
            assert rows, sql
