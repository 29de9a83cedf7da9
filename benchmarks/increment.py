"""The dbt stage of a +N run on a large warehouse (issue 15), beside its floor, in this process.

    python -m benchmarks.increment --warehouse DIR/nianbao.duckdb [--reports 10] [--work DIR]

A copy of a built warehouse (e.g. `make bench N=10000 BENCH_ARGS="--keep DIR"`'s DIR/nianbao.duckdb) gets N
reports reloaded (their documents' loaded_at moved a day on, as the extractor does for a changed file), then
`orchestration.dbt_build.build` runs on it as the job runs it. Printed: CPU seconds (all threads), wall, peak
RSS, dbt's summed node time, the slowest nodes, and the floor: the SQL dbt compiled for the models it ran,
executed directly in DuckDB on a second copy (views as views, the rest as temporary tables; Python models
not run), which is what the run would cost without dbt's per-node work and its tests.
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from benchmarks.run import ROOT

PROJECT = ROOT / "dbt_project"


def reload_reports(warehouse: Path, count: int) -> list[str]:
    """Move the loaded_at of `count` reports' documents a day on: the next build must rebuild them."""
    import duckdb

    with duckdb.connect(str(warehouse)) as con:
        ids = [r for (r,) in con.execute("select distinct report_id from raw.documents where report_id is not null "
                                         "order by report_id limit ?", [count]).fetchall()]
        con.execute("update raw.documents set loaded_at = loaded_at + interval 1 day "
                    "where report_id in (select unnest(?))", [ids])
    return ids


def dbt_stage(warehouse: Path, target: Path) -> dict[str, Any]:
    """One in-process dbt build, timed; its run results summarised."""
    from orchestration import dbt_build

    cpu, wall = time.process_time(), time.monotonic()
    ok, _ = dbt_build.build(PROJECT, warehouse, target)
    cpu, wall = time.process_time() - cpu, time.monotonic() - wall
    results = json.loads((target / dbt_build.RUN_RESULTS).read_text(encoding="utf-8"))["results"]
    slowest = sorted(results, key=lambda r: -r["execution_time"])[:8]
    return {"ok": ok, "cpu_s": round(cpu, 2), "wall_s": round(wall, 2), "nodes": len(results),
            "node_s": round(sum(r["execution_time"] for r in results), 2),
            "slowest": [[r["unique_id"].split(".", 2)[-1], round(r["execution_time"], 2)] for r in slowest]}


def floor(warehouse: Path, target: Path) -> dict[str, Any]:
    """The compiled SELECT of every SQL model the build ran, executed directly (views as views, else tables)."""
    import duckdb

    from orchestration.dbt_build import parsed_dir

    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    nodes = json.loads((parsed_dir(PROJECT, warehouse) / "manifest.json").read_text(encoding="utf-8"))["nodes"]
    cpu, wall = time.process_time(), time.monotonic()
    with duckdb.connect(str(warehouse)) as con:
        for result in sorted(results, key=lambda r: r["timing"][0]["started_at"] if r["timing"] else ""):
            node = nodes.get(result["unique_id"], {})
            if node.get("resource_type") != "model" or node.get("language") == "python":
                continue
            select = (target / "compiled" / node["package_name"] / node["original_file_path"]).read_text(
                encoding="utf-8")
            kind = "view" if node["config"]["materialized"] == "view" else "table"
            con.execute(f"create or replace temp {kind} floor_{node['name']} as {select}")
    return {"cpu_s": round(time.process_time() - cpu, 2), "wall_s": round(time.monotonic() - wall, 2)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.increment", description=__doc__.splitlines()[0])
    ap.add_argument("--warehouse", type=Path, required=True, help="a built warehouse (copied, not changed)")
    ap.add_argument("--reports", type=int, default=10)
    ap.add_argument("--work", type=Path, help="work here and keep it (default: a temporary folder)")
    args = ap.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="nianbao-increment-"))
    shutil.rmtree(work, ignore_errors=True)
    (work / "floor").mkdir(parents=True)
    try:
        built = work / "nianbao.duckdb"
        shutil.copy(args.warehouse, built)
        reload_reports(built, args.reports)
        shutil.copy(built, work / "floor" / "nianbao.duckdb")
        out = {"reports": args.reports, "dbt": dbt_stage(built, work / "target")}
        out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
        out["floor"] = floor(work / "floor" / "nianbao.duckdb", work / "target")
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(out, indent=1))
    return 0 if out["dbt"]["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
