"""Readers, writers and the tools users already have, on real processes.

`nianbao run` (the console script, a subprocess) builds a warehouse; then: a DuckDB reader held open in
another process during a second run (the run exits 0, the reader keeps reading its snapshot, a new reader
sees the new one); a run that cannot get the writer lock waits visibly and fails in one line; the README's
shell command works as written; exports open back in the libraries people use; the Dagster instance that
`make dev` opens shows the CLI's run.
"""

from __future__ import annotations

import csv
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import duckdb
import openpyxl
import polars as pl
import pytest
from dagster import AssetCheckKey, AssetKey, DagsterInstance

from extract.pipeline import discover
from orchestration.paths import DEFAULT_INBOX, REPO_ROOT
from orchestration.snapshot import working_path

BIN = Path(sys.executable).parent
NIANBAO = BIN / "nianbao"
SAMPLES = discover([DEFAULT_INBOX])
FIRST_RUN = 4  # samples in the first run; the last one arrives while a reader is connected
RUN_TIMEOUT_S = 600
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")  # terminal control sequences (colours, cursor moves)


class Built:
    """A warehouse built by `nianbao run` from an inbox, with the environment the runs used."""

    def __init__(self, root: Path) -> None:
        self.inbox = root / "inbox"
        self.warehouse = root / "warehouse" / "nianbao.duckdb"
        self.env = {**os.environ, "DAGSTER_HOME": str(root / "dagster_home"), "NIANBAO_LANG": "en"}
        self.terminal = ""

    def run(self, *extra: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(NIANBAO), "run", "--input", str(self.inbox), "--warehouse", str(self.warehouse), *extra],
            capture_output=True, text=True, env={**self.env, **(env or {})}, timeout=RUN_TIMEOUT_S,
        )

    def run_in_terminal(self) -> str:
        """`nianbao run` under a pseudo-terminal (util-linux `script`), as a user at a shell sees it."""
        command = shlex.join([str(NIANBAO), "run", "--input", str(self.inbox), "--warehouse", str(self.warehouse)])
        proc = subprocess.run(["script", "-qec", command, "/dev/null"], capture_output=True, text=True,
                              env={**self.env, "COLUMNS": "120"}, timeout=RUN_TIMEOUT_S)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        return ANSI.sub("", proc.stdout)

    def count(self, sql: str) -> int:
        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return int(con.execute(sql).fetchone()[0])


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("readers")
    b = Built(root)
    b.inbox.mkdir()
    for sample in SAMPLES[:FIRST_RUN]:
        shutil.copy2(sample, b.inbox / sample.name)
    (b.inbox / "meta.json").write_text("{}", encoding="utf-8")
    (b.inbox / "Thumbs.db").write_bytes(b"\0")
    b.terminal = b.run_in_terminal()
    return b


def _holder(code: str) -> subprocess.Popen[str]:
    """A Python process running `code`, which prints 'ready' and then waits for stdin to close."""
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "ready"
    return proc


def test_sidecar_files_are_skipped_not_failed(built: Built) -> None:
    assert built.count("select count(*) from raw.documents where status = 'failed'") == 0
    assert built.count("select count(*) from raw.documents") == FIRST_RUN
    assert re.search(r"skipped \(not reports\)\s+2: Thumbs\.db, meta\.json", built.terminal)


def test_terminal_shows_progress_and_summary_and_no_dbt_log(built: Built) -> None:
    """dbt's log lines go to the run log; the terminal shows the progress display and the summary."""
    assert "Building models (dbt)" in built.terminal and "nianbao run finished" in built.terminal
    assert "OK created" not in built.terminal and "Running with dbt" not in built.terminal
    log = (built.warehouse.parent / "nianbao_run" / "nianbao.log").read_text(encoding="utf-8")
    assert "OK created" in log


@pytest.mark.slow
def test_reader_held_open_during_a_run_never_breaks_it(built: Built) -> None:
    reader = _holder(f"""
        import duckdb, sys
        con = duckdb.connect({str(built.warehouse)!r}, read_only=True)
        print("ready", flush=True)
        sys.stdin.readline()
        print(con.execute("select count(*) from marts.dim_report").fetchone()[0], flush=True)
        sys.stdin.read()
    """)
    try:
        shutil.copy2(SAMPLES[FIRST_RUN], built.inbox / SAMPLES[FIRST_RUN].name)
        proc = built.run()
        assert proc.returncode == 0, proc.stderr
        reader.stdin.write("query\n")
        reader.stdin.flush()
        seen_by_open_reader = int(reader.stdout.readline())
    finally:
        reader.communicate("")
    assert seen_by_open_reader == FIRST_RUN  # its snapshot, consistent, still readable
    assert built.count("select count(*) from marts.dim_report") == FIRST_RUN + 1  # a new reader sees the run
    assert os.stat(built.warehouse).st_mode & 0o222 == 0  # the published snapshot is read-only


def test_run_waits_for_another_writer_then_fails_in_one_line(built: Built) -> None:
    writer = _holder(f"""
        import sys
        from pathlib import Path
        from orchestration.snapshot import writer_lock
        with writer_lock(Path({str(built.warehouse)!r})):
            print("ready", flush=True)
            sys.stdin.read()
    """)
    try:
        proc = built.run(env={"NIANBAO_WRITER_WAIT": "3"})
    finally:
        writer.communicate("")
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 1
    assert any("waiting for another run" in line for line in lines[:-1])
    assert lines[-1].startswith("nianbao: error: another run is writing the warehouse")
    assert f"PID {writer.pid}" in lines[-1] and "Traceback" not in proc.stderr


def test_readme_shell_command_runs_as_written(built: Built) -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    command = re.search(r"^(\.venv/bin/duckdb -readonly warehouse/nianbao\.duckdb)$", readme, re.M)
    assert command, "the README names the shell command"
    words = command.group(1).split()
    words[0] = str(BIN / "duckdb")
    proc = subprocess.run([*words, "-csv", "-c", "select count(*) as n from marts.dim_report"],
                          cwd=built.warehouse.parent.parent, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["n", str(built.count("select count(*) from marts.dim_report"))]
    comments = subprocess.run(
        [*words, "-csv", "-noheader", "-c",
         "select comment from duckdb_columns() where schema_name = 'marts' and table_name = 'fct_applications' "
         "and column_name = 'new_received'"],
        cwd=built.warehouse.parent.parent, capture_output=True, text=True, timeout=60,
    )
    assert "本年新收" in comments.stdout  # the column's Chinese label, from dbt's persist_docs


def test_nianbao_sql_opens_the_shell_read_only(built: Built) -> None:
    proc = subprocess.run(
        [str(NIANBAO), "sql", "--warehouse", str(built.warehouse), "-csv", "-c", "select count(*) from raw.reports"],
        capture_output=True, text=True, timeout=60, env=built.env,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split()[-1] == str(built.count("select count(*) from raw.reports"))


def _export(built: Built, *args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([str(NIANBAO), "export", *args, "--warehouse", str(built.warehouse)],
                          capture_output=True, text=True, timeout=120, env=built.env)
    assert proc.returncode == 0, proc.stderr
    return proc


def test_exports_open_back(built: Built, tmp_path: Path) -> None:
    rows = built.count("select count(*) from marts.fct_applications")
    _export(built, "marts.fct_applications", "--format", "csv", "--output", str(tmp_path / "a.csv"))
    raw = (tmp_path / "a.csv").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert table[0][:3] == ["report_id", "applicant_type", "is_total"] and len(table) == rows + 1

    _export(built, "fct_applications", "--format", "parquet", "--output", str(tmp_path / "a.parquet"))
    assert pl.read_parquet(tmp_path / "a.parquet").height == rows

    _export(built, "marts.dim_report", "--format", "xlsx", "--labels", "zh", "--output", str(tmp_path / "r.xlsx"))
    sheet = openpyxl.load_workbook(tmp_path / "r.xlsx", read_only=True).active
    values = list(sheet.values)
    assert "行政层级 (admin_level)" in values[0]
    assert len(values) == built.count("select count(*) from marts.dim_report") + 1

    query = "select agency, year from marts.dim_report where agency like '%金盏%'"
    _export(built, query, "--format", "csv", "--output", str(tmp_path / "q.csv"))
    assert "金盏地区,2019" in (tmp_path / "q.csv").read_text(encoding="utf-8-sig")


def test_export_of_an_unknown_table_is_one_line(built: Built, tmp_path: Path) -> None:
    proc = subprocess.run([str(NIANBAO), "export", "marts.nope", "--output", str(tmp_path / "x.csv"),
                           "--warehouse", str(built.warehouse)], capture_output=True, text=True, env=built.env)
    assert proc.returncode == 1 and proc.stderr.strip().splitlines() == [
        "nianbao: error: cannot export marts.nope: no table or view marts.nope in the warehouse"
    ]


def test_bundle_has_every_mart_and_a_data_dictionary(built: Built, tmp_path: Path) -> None:
    proc = subprocess.run([str(NIANBAO), "bundle", "--output", str(tmp_path / "nianbao_data"),
                           "--warehouse", str(built.warehouse)], capture_output=True, text=True, env=built.env)
    assert proc.returncode == 0, proc.stderr
    with zipfile.ZipFile(tmp_path / "nianbao_data.zip") as zf:
        names = set(zf.namelist())
    for mart in ("fct_applications", "fct_outcomes", "fct_litigation", "dim_report", "dim_outcome"):
        assert f"nianbao_data/{mart}.parquet" in names
    dictionary = pl.read_csv(tmp_path / "nianbao_data" / "data_dictionary.csv")
    row = dictionary.filter((pl.col("table") == "marts.dim_report") & (pl.col("column") == "province")).row(
        0, named=True
    )
    assert row["label_zh"] == "省" and row["meaning"].startswith("province")
    assert "## marts.fct_applications" in (tmp_path / "nianbao_data" / "data_dictionary.md").read_text(encoding="utf-8")


def test_dagster_instance_shows_the_cli_run(built: Built) -> None:
    with DagsterInstance.from_config(built.env["DAGSTER_HOME"]) as instance:
        runs = instance.get_runs()
        assert runs and all(r.tags.get("nianbao/trigger") == "cli" for r in runs)
        assert instance.get_latest_materialization_event(AssetKey(["dq", "report"])) is not None
        assert instance.get_latest_materialization_event(AssetKey(["warehouse", "snapshot"])) is not None
        checks = instance.event_log_storage.get_asset_check_execution_history(
            check_key=_check_key("fct_applications", "gx_applications"), limit=1
        )
        assert checks and checks[0].run_id in {r.run_id for r in runs}


def _check_key(mart: str, name: str) -> AssetCheckKey:

    from orchestration.assets import mart_key

    return AssetCheckKey(mart_key(mart), name)


def test_working_file_is_not_the_published_one(built: Built) -> None:
    assert working_path(built.warehouse).is_file() and working_path(built.warehouse) != built.warehouse
