"""Issue 17: `kill -9` of `nianbao run` at each stage, then a re-run, gives the warehouse a clean run gives, and
no process outlives the killed run.

The run is the real console entry point in a real process. A small hook (this file's `_LAUNCHER`) wraps the
stages' progress reports: when the chosen stage reports progress, the run writes its pid to a marker file and
holds there, so the kill lands inside that stage every time. Every process the run started (sandbox workers,
the dbt subprocess, …) is listed from /proc just before the kill and must be gone shortly after it.

The default tier kills a run inside extract (the stage with worker processes); the slow tier kills at every
stage and compares the re-run's warehouse with a clean run's.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from orchestration import snapshot
from tests.fuzz import crafted

REPO = Path(__file__).resolve().parent.parent
NIANBAO = Path(sys.executable).parent / "nianbao"
STAGES = ("extract", "dbt", "checks", "publish", "report")
# How long a run may take to reach a stage, and how long its processes may take to die after the kill.
REACH_STAGE_S = 300
DIE_S = 10
RUN_TIMEOUT_S = 600
# Columns that record when or by which run a row was written, not what was read.
VOLATILE_TYPES = ("TIMESTAMP", "TIMESTAMP WITH TIME ZONE", "DATE")
VOLATILE_COLUMNS = ("mtime_ns", "ctime_ns", "run_id", "load_seq")  # load_seq: which load batch wrote the row
COMPARED_SCHEMAS = ("raw", "marts", "dq")

_LAUNCHER = textwrap.dedent("""
    import os, sys, time
    from orchestration import progress
    from orchestration.cli import main

    target, marker = os.environ["KILL_AT_STAGE"], os.environ["KILL_MARKER"]
    original = progress.report

    def report(stage, done, total, detail=""):
        original(stage, done, total, detail)
        if stage == target and (done >= 1 or total <= 1):  # inside the stage: work under way
            with open(marker, "w") as f:
                f.write(str(os.getpid()))
            time.sleep(3600)  # held here until killed

    progress.report = report
    sys.exit(main(sys.argv[1:]))
""")


def _env(root: Path) -> dict[str, str]:
    return {**os.environ, "DAGSTER_HOME": str(root / "dagster_home"), "NIANBAO_LANG": "en", "DO_NOT_TRACK": "1",
            "GX_ANALYTICS_ENABLED": "false", "DAGSTER_DISABLE_TELEMETRY": "1"}


def _warehouse(root: Path) -> Path:
    return root / "warehouse" / "nianbao.duckdb"


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three small reports of three forms; one inbox shared by every run, so paths and file times agree."""
    folder = tmp_path_factory.mktemp("kill_inbox")
    for i, (layout, suffix) in enumerate((("tab_rows", ".txt"), ("html", ".html"), ("markdown", ".md"))):
        (folder / f"report{i}{suffix}").write_bytes(crafted.rendered(layout, 100 + i))
    return folder


def _run(root: Path, inbox: Path) -> subprocess.CompletedProcess[str]:
    (root / "dagster_home").mkdir(parents=True, exist_ok=True)
    return subprocess.run([str(NIANBAO), "run", "--input", str(inbox), "--warehouse", str(_warehouse(root)), "--json"],
                          capture_output=True, text=True, env=_env(root), timeout=RUN_TIMEOUT_S, cwd=REPO)


def _children() -> dict[int, list[int]]:
    """Every live process's children, from /proc."""
    out: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        out.setdefault(ppid, []).append(int(entry.name))
    return out


def _descendants(pid: int) -> set[int]:
    children, found, todo = _children(), set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is dead: only its exit status is left
    except OSError:
        return False


def _kill_inside(stage: str, root: Path, inbox: Path) -> set[int]:
    """Start a run, kill -9 it once it is inside `stage`; the processes it had started, still alive after
    `DIE_S`."""
    marker = root / "inside_stage"
    (root / "dagster_home").mkdir(parents=True, exist_ok=True)
    env = {**_env(root), "KILL_AT_STAGE": stage, "KILL_MARKER": str(marker)}
    run = subprocess.Popen([sys.executable, "-c", _LAUNCHER, "run", "--input", str(inbox), "--warehouse",
                            str(_warehouse(root))], env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + REACH_STAGE_S
        while not marker.exists() and run.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert marker.exists(), f"the run never reached stage {stage} (exit {run.poll()})"
        started = _descendants(run.pid)
        run.send_signal(signal.SIGKILL)
        run.wait()
    finally:
        if run.poll() is None:
            run.kill()
            run.wait()
    deadline = time.monotonic() + DIE_S
    while any(_alive(p) for p in started) and time.monotonic() < deadline:
        time.sleep(0.1)
    return {p for p in started if _alive(p)}


def _contents(warehouse: Path) -> dict[str, list[tuple]]:
    """Every table of the compared schemas, without the columns that say when or by which run it was written."""
    out: dict[str, list[tuple]] = {}
    with duckdb.connect(str(warehouse), read_only=True) as con:
        tables = con.execute("select table_schema, table_name from information_schema.tables where table_type = "
                             "'BASE TABLE' and table_schema in (select unnest(?))", [list(COMPARED_SCHEMAS)]).fetchall()
        for schema, table in tables:
            cols = [name for name, kind in con.execute(
                "select column_name, data_type from information_schema.columns where table_schema = ? and "
                "table_name = ? order by ordinal_position", [schema, table]).fetchall()
                if kind not in VOLATILE_TYPES and name not in VOLATILE_COLUMNS]
            select = ", ".join(f'"{c}"' for c in cols)
            rows = con.execute(f'select {select} from "{schema}"."{table}"').fetchall()
            out[f"{schema}.{table}"] = sorted(rows, key=repr)
    return out


def _lock_is_free(warehouse: Path) -> bool:
    try:
        with snapshot.writer_lock(warehouse, wait_s=0):
            return True
    except snapshot.WarehouseBusy:
        return False


def test_a_run_killed_inside_extract_leaves_no_process_and_no_lock(inbox: Path, tmp_path: Path):
    survivors = _kill_inside("extract", tmp_path, inbox)
    assert not survivors, f"processes outlived the killed run: {sorted(survivors)}"
    assert _lock_is_free(_warehouse(tmp_path))
    assert not _warehouse(tmp_path).exists()  # nothing half-written was published


@pytest.fixture(scope="module")
def clean(inbox: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, list[tuple]]]:
    root = tmp_path_factory.mktemp("clean_run")
    done = _run(root, inbox)
    assert done.returncode == 0, done.stderr
    yield _contents(_warehouse(root))


@pytest.mark.slow
@pytest.mark.parametrize("stage", STAGES)
def test_a_run_killed_at_any_stage_then_run_again_equals_a_clean_run(stage: str, inbox: Path, tmp_path: Path,
                                                                     clean: dict[str, list[tuple]]):
    survivors = _kill_inside(stage, tmp_path, inbox)
    assert not survivors, f"processes outlived the run killed in {stage}: {sorted(survivors)}"
    again = _run(tmp_path, inbox)
    assert again.returncode == 0, again.stderr
    assert _contents(_warehouse(tmp_path)) == clean
