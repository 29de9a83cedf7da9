"""Benchmark the partitioned extract: a backfill of inbox batches under the multiprocess executor, then the
one loader, against the sequential `extract_and_load` of the same inbox, measured in the same run.

    python -m benchmarks.partitioned [--batches 4] [--per-batch 500] [--parallel 2] [--workers 2]
                                     [--seed 0] [--keep DIR]

The corpus is `--batches` folders of `--per-batch` synthetic reports (generation timed apart, reused with
`--keep`). Sequential: `extract_and_load` over the inbox with `--workers` sandboxed parse workers.
Partitioned: `python -m orchestration.backfill` (`--parallel` partition runs at a time, one parse worker
each, every step in its own process), then `extract_and_load(staged=...)`, the loader, which parses
nothing. Each phase runs in a child process: wall time, the sampled peak memory of its process tree
(`benchmarks.run.measure`) and CPU seconds of the whole tree, sampled from /proc every 0.2 s (each
process's own user + system time, last value seen). wait4's figure is not enough here: the sandbox's parse
workers are children of a fork server that nobody reaps, so their time never reaches the rusage of the
phase. The two warehouses' raw row counts are compared, so a fast wrong result cannot pass for a
measurement.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import threading
from pathlib import Path

from benchmarks.run import ENV, Measure, _children, measure

PY = sys.executable
LOADER = ("import sys, json; from pathlib import Path; from extract.pipeline import extract_and_load; "
          "s = extract_and_load([Path(sys.argv[1])], Path(sys.argv[2]), workers=int(sys.argv[3]), "
          "staged=Path(sys.argv[4]) if len(sys.argv) > 4 else None); print(json.dumps(s.as_dict()))")
TABLES = ("documents", "reports", "cells", "parse_issues", "narrative_facts", "agency_names", "report_sections")


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
CPU_SAMPLE_S = 0.2


def _own_cpu(pid: int) -> float:
    """A process's own user + system CPU seconds (its threads, not its children); 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


def measure_cpu(stage: str, cmd: list[str], env: dict[str, str]) -> tuple[Measure, float]:
    """`measure` with the CPU seconds of every process of the tree, sampled from /proc."""
    seen: dict[int, float] = {}
    done = threading.Event()
    root = os.getpid()

    def sample() -> None:
        while not done.is_set():
            todo = _children(root)
            while todo:
                pid = todo.pop()
                seen[pid] = max(seen.get(pid, 0.0), _own_cpu(pid))
                todo.extend(_children(pid))
            done.wait(CPU_SAMPLE_S)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        m = measure(stage, cmd, env)
    finally:
        done.set()
        sampler.join()
    return m, sum(seen.values())


def generate(inbox: Path, batches: int, per_batch: int, seed: int) -> Measure | None:
    """Write the corpus unless a kept one has the same shape."""
    folders = [inbox / f"batch{i:02d}" for i in range(batches)]
    if all(f.is_dir() and sum(1 for p in f.iterdir() if not p.name.endswith(".json")) == per_batch
           for f in folders):
        return None
    shutil.rmtree(inbox, ignore_errors=True)
    code = ("import sys; from pathlib import Path; from synthetic.corpus import write_corpus\n"
            f"for i in range({batches}): write_corpus(Path(sys.argv[1]) / f'batch{{i:02d}}', {per_batch}, "
            f"seed={seed} + i, jobs=2)")
    return measure("generate", [PY, "-c", code, str(inbox)], env=_env(inbox.parent))


def _env(workdir: Path) -> dict[str, str]:
    return {**os.environ, **ENV, "DAGSTER_HOME": str(workdir / "dagster_home")}


def counts(warehouse: Path) -> dict[str, int]:
    import duckdb

    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {t: con.execute(f"SELECT count(*) FROM raw.{t}").fetchone()[0] for t in TABLES}


def run(workdir: Path, batches: int, per_batch: int, parallel: int, workers: int, seed: int) -> dict[str, object]:
    inbox = workdir / "inbox"
    gen = generate(inbox, batches, per_batch, seed)
    for old in ("sequential", "partitioned", "dagster_home"):
        shutil.rmtree(workdir / old, ignore_errors=True)
    env = _env(workdir)
    sequential = workdir / "sequential" / "w.duckdb"
    partitioned = workdir / "partitioned" / "w.duckdb"
    # the run folder the backfill stages into and the loader writes, as for the nianbao job
    working = partitioned.parent / "w_run" / "w.duckdb"
    staging = working.parent / "staging"
    seq = measure_cpu("sequential", [PY, "-c", LOADER, str(inbox), str(sequential), str(workers)], env)
    backfill = measure_cpu("backfill", [PY, "-m", "orchestration.backfill", "--input", str(inbox), "--warehouse",
                                        str(partitioned), "--parallel", str(parallel), "--workers", "1"], env)
    load = measure_cpu("loader", [PY, "-c", LOADER, str(inbox), str(working), str(workers), str(staging)], env)
    loaded = json.loads(load[0].stdout.strip().splitlines()[-1])
    same = counts(sequential) == counts(working)
    return {
        "reports": batches * per_batch, "batches": batches, "parallel": parallel, "workers": workers,
        "generate_s": round(gen.seconds, 1) if gen else None,
        "sequential": _figures(seq),
        "backfill": _figures(backfill),
        "loader": _figures(load),
        "partitioned_total": {"wall_s": round(backfill[0].seconds + load[0].seconds, 1),
                              "cpu_s": round(backfill[1] + load[1], 1)},
        "loader_parsed": batches * per_batch - loaded["documents_unchanged"],
        "same_row_counts": same,
        "rows": counts(sequential),
    }


def _figures(measured: tuple[Measure, float]) -> dict[str, float]:
    m, cpu = measured
    return {"wall_s": round(m.seconds, 1), "cpu_s": round(cpu, 1), "wait4_cpu_s": round(m.cpu, 1),
            "peak_tree_mb": round(m.peak_tree / 1e6)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batches", type=int, default=4)
    parser.add_argument("--per-batch", type=int, default=500)
    parser.add_argument("--parallel", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path)
    args = parser.parse_args(argv)
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="nianbao-partitioned-"))
    workdir.mkdir(parents=True, exist_ok=True)
    try:
        out = run(workdir.resolve(), args.batches, args.per_batch, args.parallel, args.workers, args.seed)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    print(json.dumps(out, indent=2))
    return 0 if out["same_row_counts"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
