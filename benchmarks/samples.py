"""A user's first contact, measured (issue 15): `nianbao run` on the bundled samples into a fresh warehouse,
then again with nothing new, then after a file was touched (the same bytes, a new time: the CLI finds its content
unchanged and starts no job), then after a file was edited (the job runs for that one report), beside the floor
measured in the same run.

    python -m benchmarks.samples [--inbox DIR] [--keep DIR] [--json OUT]

Each run is a child process (`measure`: CPU seconds of the process and its reaped descendants from wait4, wall
time, sampled peak memory of its tree). Two floors are measured beside them:
- the work without the frameworks: the extractor into a fresh warehouse, then the SELECT dbt compiled for each
  model in that run (`<run dir>/dbt/compiled/**.sql`, in the order dbt ran them) executed directly in DuckDB as
  the view or table the model is — no dbt tests, no checks, no report;
- the frameworks without the work: a process that only imports what a run with new reports imports (Dagster,
  dagster-dbt with dbt-core and its DuckDB adapter, Great Expectations, and the code location).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.run import ROOT, Measure, measure

DEFAULT_INBOX = ROOT / "data" / "inbox"
TARGETS_CPU_S = {"fresh": 6.0, "nothing new": 2.0, "touched": 2.0}
BUILT = "built"  # the fresh run's published warehouse, attached read-only by the floor
FLOOR_SCRIPT = """
import json, sys
from pathlib import Path
import duckdb
from extract.pipeline import extract_and_load
inbox, warehouse, statements = Path(sys.argv[1]), Path(sys.argv[2]), json.loads(Path(sys.argv[3]).read_text())
extract_and_load([inbox], warehouse)
with duckdb.connect(str(warehouse)) as con:
    con.execute(f"attach '{sys.argv[4]}' as built (read_only)")
    for sql in statements:
        con.execute(sql)
"""
# What a run with new reports imports, whatever it has to do.
STACK_IMPORTS = ("dagster", "dagster_dbt", "dbt.cli.main", "dbt.adapters.duckdb", "great_expectations",
                 "orchestration.definitions")


def _env(workdir: Path) -> dict[str, str]:
    return {**os.environ, "DAGSTER_HOME": str(workdir / "dagster_home"), "NIANBAO_LANG": "en",
            "DO_NOT_TRACK": "1", "GX_ANALYTICS_ENABLED": "false", "DAGSTER_DISABLE_TELEMETRY": "1"}


def nianbao_run(inbox: Path, warehouse: Path, env: dict[str, str], label: str) -> Measure:
    """`nianbao run --json` in its own process."""
    cmd = [sys.executable, "-m", "orchestration.cli", "run", "--input", str(inbox), "--warehouse", str(warehouse),
           "--json"]
    m = measure(label, cmd, env)
    m.result = json.loads(m.stdout.strip().splitlines()[-1])
    return m


def compiled_sql(run_dir: Path, warehouse: Path) -> list[str]:
    """dbt's compiled SELECT of each model the run built, as the view or table it materializes, in the
    order dbt ran them (run_results.json); seeds and tests excluded."""
    from orchestration.dbt_build import parsed_dir

    target = run_dir / "dbt"
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    manifest_path = parsed_dir(ROOT / "dbt_project", warehouse) / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))["nodes"]
    statements = []
    for result in sorted(results, key=lambda r: r["timing"][0]["started_at"] if r["timing"] else ""):
        node = manifest.get(result["unique_id"], {})
        if node.get("resource_type") != "model":
            continue
        name = f'"{node["schema"]}"."{node.get("alias") or node["name"]}"'
        if node.get("language") == "python":  # not SQL: its result is copied from the run's warehouse
            statements.append(f"create or replace table {name} as select * from {BUILT}.{name}")
            continue
        select = (target / "compiled" / node["package_name"] / node["original_file_path"]).read_text(encoding="utf-8")
        kind = "view" if node["config"]["materialized"] == "view" else "table"
        statements.append(f"create or replace {kind} {name} as {select}")
    return statements


def floor(inbox: Path, workdir: Path, statements: list[str], built: Path, env: dict[str, str]) -> Measure:
    """The extractor and dbt's compiled SQL, without Dagster, dbt or GX, in its own process."""
    sql_file = workdir / "floor_sql.json"
    sql_file.write_text(json.dumps(statements), encoding="utf-8")
    warehouse = workdir / "floor" / "nianbao.duckdb"
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    seed_tables(warehouse)
    cmd = [sys.executable, "-c", FLOOR_SCRIPT, str(inbox), str(warehouse), str(sql_file), str(built)]
    return measure("floor", cmd, env)


def stack_imports(env: dict[str, str]) -> Measure:
    """The frameworks' own start-up: a process that imports them and the code location, and does nothing."""
    return measure("imports", [sys.executable, "-c", f"import {', '.join(STACK_IMPORTS)}"], env)


def seed_tables(warehouse: Path) -> None:
    """The schemas and the seeds as plain tables, which dbt's models read (made outside the floor's timing)."""
    import duckdb

    with duckdb.connect(str(warehouse)) as con:
        for schema in ("staging", "intermediate", "marts"):
            con.execute(f"create schema if not exists {schema}")
        for csv in sorted((ROOT / "dbt_project" / "seeds").glob("*.csv")):
            con.execute(f"create table marts.{csv.stem} as select * from read_csv_auto(?, header = true)",
                        [str(csv)])


def run(inbox: Path, workdir: Path) -> dict[str, Any]:
    """Fresh run, run with nothing new, and the floor; every figure in CPU seconds, wall seconds and MB."""
    env = _env(workdir)
    inbox = Path(shutil.copytree(inbox, workdir / "inbox"))  # a copy: its files are touched and edited below
    warehouse = workdir / "warehouse" / "nianbao.duckdb"
    fresh = nianbao_run(inbox, warehouse, env, "fresh")
    # a first build's SQL: no increments
    statements = compiled_sql(warehouse.parent / f"{warehouse.stem}_run", warehouse)
    again = nianbao_run(inbox, warehouse, env, "nothing new")
    first, last = min(p for p in inbox.iterdir() if p.is_file()), max(p for p in inbox.iterdir() if p.is_file())
    os.utime(first)  # the same bytes, a new mtime
    touched = nianbao_run(inbox, warehouse, env, "touched")
    with last.open("ab") as report:  # a line more: the job reads this report again
        report.write(b"\n")
    edited = nianbao_run(inbox, warehouse, env, "one edited")
    low = floor(inbox, workdir, statements, warehouse, env)
    rows = [_row(fresh), _row(again), _row(touched), _row(edited), _row(low), _row(stack_imports(env))]
    return {"reports": fresh.result["reports"], "models_in_floor": len(statements), "rows": rows,
            "nothing_new_started_job": again.result["run_id"] is not None,
            "touched_started_job": touched.result["run_id"] is not None,
            "edited_started_job": edited.result["run_id"] is not None,
            "edited_checked": edited.result["reports_checked_this_run"]}


def _row(m: Measure) -> dict[str, Any]:
    return {"what": m.stage, "cpu_s": round(m.cpu, 2), "wall_s": round(m.seconds, 2),
            "peak_mb": round(m.peak_tree / 1e6), "target_cpu_s": TARGETS_CPU_S.get(m.stage)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.samples", description=__doc__.splitlines()[0])
    ap.add_argument("--inbox", type=Path, default=DEFAULT_INBOX)
    ap.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary folder)")
    ap.add_argument("--json", type=Path, help="also write the figures here")
    args = ap.parse_args(argv)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="nianbao-samples-bench-"))
    if args.keep:
        shutil.rmtree(workdir, ignore_errors=True)
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        out = run(args.inbox.resolve(), workdir)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(f"nianbao run on {out['reports']} reports (floor: extract + {out['models_in_floor']} models' SQL; "
          "imports: the frameworks and the code location, nothing run)")
    print(f"{'what':<12} {'CPU s':>7} {'wall s':>7} {'peak MB':>8} {'target CPU s':>13}")
    for r in out["rows"]:
        target = f"<= {r['target_cpu_s']:g}" if r["target_cpu_s"] is not None else ""
        print(f"{r['what']:<12} {r['cpu_s']:>7.2f} {r['wall_s']:>7.2f} {r['peak_mb']:>8} {target:>13}")
    if args.json:
        args.json.write_text(json.dumps(out, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
