"""Benchmark the pipeline end to end on a synthetic corpus, then an incremental run that adds a few reports.

    python -m benchmarks.run --n 10000 [--mix tab_rows,cell_per_line,markdown,sparse,digit_run,html,docx]
                             [--seed 0] [--jobs 2] [--workers 2] [--add 10] [--keep DIR] [--no-cli] [--json OUT]
    make bench N=10000

Each stage runs in a child process, calling what the Dagster job calls: `extract_and_load` (timed as scan,
parse and load), `dbt build` (in-process on the cached parse, `orchestration.dbt_build.build`, as the job runs it),
`run_checks` (all reports on the full run, only the changed ones on the incremental run) and `build_report`
(from the stored results). For each: wall time, reports per second, and peak memory — the sampled peak of the
summed PSS of the stage's process tree (pool workers and all; shared pages counted once), and the largest
single process's peak RSS (exact, from wait4).

Corpus generation is timed apart (it is not part of the pipeline). With `--keep DIR` the corpus, warehouse
and results stay in DIR and a later run with the same corpus settings reuses the corpus (the warehouse is
always built afresh); without it everything goes to a temporary folder that is removed.

The incremental run generates `--add` new reports (another seed) into the inbox and runs the same stages on
the whole inbox: the unchanged files are skipped by content hash. Unless `--no-cli`, a second increment then
goes through `nianbao run --input INBOX --warehouse PATH --json`, the real (Dagster) path.

Last, issue 15's targets are printed beside floors measured in the same run (benchmarks/targets.py): a parse
sample per layout family beside reading and decoding the same files, the load rolled back beside the same frames
inserted alone, the end-to-end run beside reading every input once, the +N run beside parsing and loading the N.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from benchmarks.targets import print_targets, target_rows

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
DEFAULT_MIX = "tab_rows,cell_per_line,markdown,sparse,digit_run,html,docx"
ENV = {
    "DO_NOT_TRACK": "1",
    "GX_ANALYTICS_ENABLED": "false",
    "DAGSTER_DISABLE_TELEMETRY": "1",
    "DBT_SEND_ANONYMOUS_USAGE_STATS": "false",
}
PAGE = os.sysconf("SC_PAGE_SIZE")


# ------------------------------------------------------------------------------------------ measuring


def _children(pid: int) -> list[int]:
    out: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as f:
                out.extend(int(c) for c in f.read().split())
    except OSError:
        pass
    return out


def _memory(pid: int) -> int:
    """PSS of one process (shared pages split among their users), else its RSS; 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/smaps_rollup") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        with open(f"/proc/{pid}/statm") as f:
            return int(f.read().split()[1]) * PAGE
    except OSError:
        return 0


def tree_memory(pid: int) -> int:
    """Summed memory of a process and all its descendants."""
    total, todo, seen = 0, [pid], set()
    while todo:
        p = todo.pop()
        if p in seen:
            continue
        seen.add(p)
        total += _memory(p)
        todo.extend(_children(p))
    return total


@dataclass
class Measure:
    """One stage: wall time, peak memory, and what the stage reported."""

    stage: str
    seconds: float
    peak_tree: int  # sampled peak of the summed PSS of the process tree
    max_rss: int  # largest single process's peak RSS (wait4)
    returncode: int
    cpu: float = 0.0  # user + system CPU seconds of the process and its reaped descendants (wait4)
    result: dict[str, Any] = field(default_factory=dict)
    stdout: str = ""
    stderr: str = ""


def measure(stage: str, cmd: list[str], env: dict[str, str], *, interval: float = 0.5,
            result_file: Path | None = None) -> Measure:
    """Run `cmd` as a child process, sampling its tree's memory, and wait4 for its exact peak RSS.

    Reading smaps_rollup of processes of several hundred MB costs kernel time: sampled every 0.1 s it took
    ~15 % of a core, so every 0.5 s (the stages that matter last seconds to minutes)."""
    peak = 0
    done = threading.Event()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=err, cwd=ROOT)

        def sample() -> None:
            nonlocal peak
            while not done.is_set():
                peak = max(peak, tree_memory(proc.pid))
                done.wait(interval)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        done.set()
        sampler.join()
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        m = Measure(stage, seconds, peak, usage.ru_maxrss * 1024, proc.returncode, usage.ru_utime + usage.ru_stime,
                    stdout=out.read().decode("utf-8", "replace"), stderr=err.read().decode("utf-8", "replace"))
    if result_file is not None and result_file.exists():
        m.result = json.loads(result_file.read_text(encoding="utf-8"))
    if m.returncode != 0:
        raise RuntimeError(f"stage {stage} failed (exit {m.returncode}):\n{m.stderr[-3000:]}\n{m.stdout[-2000:]}")
    return m


# ------------------------------------------------------------------------------------------ the stages


@dataclass
class Bench:
    """Where a benchmark works: the inbox, the warehouse and everything the stages write."""

    workdir: Path
    workers: int | None = None
    data_docs: bool = True

    @property
    def inbox(self) -> Path:
        return self.workdir / "inbox"

    @property
    def warehouse(self) -> Path:
        return self.workdir / "nianbao.duckdb"

    @property
    def env(self) -> dict[str, str]:
        return {**os.environ, **ENV, "NIANBAO_WAREHOUSE": str(self.warehouse.resolve())}

    def _stage(self, stage: str, args: dict[str, Any]) -> Measure:
        scratch = self.workdir / "stage"
        scratch.mkdir(exist_ok=True)
        args_file, out_file = scratch / f"{stage}.args.json", scratch / f"{stage}.out.json"
        args_file.write_text(json.dumps(args), encoding="utf-8")
        out_file.unlink(missing_ok=True)
        cmd = [sys.executable, "-m", "benchmarks.stage", stage, str(args_file), str(out_file)]
        return measure(stage, cmd, self.env, result_file=out_file)

    def extract(self) -> Measure:
        return self._stage("extract", {"inputs": [str(self.inbox)], "warehouse": str(self.warehouse),
                                       "workers": self.workers})

    def dbt_build(self) -> Measure:
        target = self.workdir / "dbt_target"
        m = self._stage("dbt", {"warehouse": str(self.warehouse.resolve()), "target": str(target)})
        m.stage = "dbt build"
        m.result = {**m.result, **dbt_profile(target / "run_results.json")}
        return m

    def checks(self, report_ids: list[str] | None) -> Measure:
        return self._stage("checks", {"warehouse": str(self.warehouse), "report_ids": report_ids,
                                      "data_docs": self.data_docs})

    def report(self) -> Measure:
        return self._stage("report", {"warehouse": str(self.warehouse),
                                      "report_dir": str(self.workdir / "dq_report")})

    def floors(self) -> Measure:
        """The floors issue 15's targets are printed beside (benchmarks/targets.py), in a child process."""
        out_file = self.workdir / "stage" / "floors.out.json"
        out_file.parent.mkdir(exist_ok=True)
        out_file.unlink(missing_ok=True)
        cmd = [sys.executable, "-m", "benchmarks.targets", str(self.inbox), str(self.warehouse), str(out_file)]
        return measure("floors", cmd, self.env, result_file=out_file)

    def cli_run(self) -> Measure:
        cmd = [str(BIN / "nianbao"), "run", "--input", str(self.inbox), "--warehouse", str(self.warehouse),
               "--json"]
        m = measure("nianbao run", cmd, self.env)
        m.result = json.loads(m.stdout.strip().splitlines()[-1])
        return m


def dbt_profile(run_results: Path) -> dict[str, Any]:
    """Time per dbt node type and the slowest nodes, from dbt's run_results.json."""
    if not run_results.exists():
        return {}
    results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    by_kind: dict[str, float] = {}
    for r in results:
        kind = r["unique_id"].split(".", 1)[0]
        by_kind[kind] = by_kind.get(kind, 0.0) + r["execution_time"]
    slowest = sorted(results, key=lambda r: -r["execution_time"])[:8]
    return {
        "elapsed": json.loads(run_results.read_text(encoding="utf-8")).get("elapsed_time"),
        "nodes": len(results),
        "by_kind": by_kind,
        "slowest": [[r["unique_id"].split(".", 2)[-1], round(r["execution_time"], 2)] for r in slowest],
        "not_success": [r["unique_id"] for r in results if r["status"] not in ("success", "pass")],
    }


# ------------------------------------------------------------------------------------------ the corpus


def generate(workdir: Path, dest: Path, n: int, seed: int, mix: str, jobs: int) -> Measure:
    """Write `n` synthetic reports into `dest`, their truth files into workdir/truth (out of the inbox)."""
    gen = workdir / "gen"
    shutil.rmtree(gen, ignore_errors=True)
    cmd = [sys.executable, "-m", "synthetic.corpus", str(gen), "-n", str(n), "--seed", str(seed),
           "--layouts", mix, "--jobs", str(jobs)]
    m = measure("generate", cmd, {**os.environ, **ENV})
    truth = workdir / "truth" / dest.name
    truth.mkdir(parents=True, exist_ok=True)
    dest.mkdir(parents=True, exist_ok=True)
    for p in gen.iterdir():
        p.rename((truth if p.name.endswith(".truth.json") else dest) / p.name)
    gen.rmdir()
    m.result = {"reports": n}
    return m


def corpus(workdir: Path, n: int, seed: int, mix: str, jobs: int) -> Measure | None:
    """The base corpus in workdir/inbox, generated unless a matching one is there (then None)."""
    stamp = workdir / "corpus.json"
    settings = {"n": n, "seed": seed, "mix": mix}
    inbox = workdir / "inbox"
    for old in inbox.glob("increment_*"):
        shutil.rmtree(old)
    if stamp.exists() and json.loads(stamp.read_text()) == settings and inbox.is_dir():
        return None
    shutil.rmtree(inbox, ignore_errors=True)
    shutil.rmtree(workdir / "truth", ignore_errors=True)
    m = generate(workdir, inbox, n, seed, mix, jobs)
    stamp.write_text(json.dumps(settings))
    return m


def fresh_warehouse(workdir: Path) -> None:
    for name in ("nianbao.duckdb", "nianbao.duckdb.wal"):
        (workdir / name).unlink(missing_ok=True)
    for name in ("dbt_target", "dbt_logs", "dq_report", "gx_data_docs", "nianbao_run", "stage"):
        shutil.rmtree(workdir / name, ignore_errors=True)


# ------------------------------------------------------------------------------------------ a run


@dataclass
class Row:
    """One line of the table."""

    phase: str
    stage: str
    seconds: float
    reports: int  # the reports (documents) the stage handled, for reports/s
    peak_tree: int
    max_rss: int
    note: str = ""
    cpu: float | None = None  # CPU seconds, all processes of the stage (None for the phases within extract)

    @property
    def rate(self) -> float:
        return self.reports / self.seconds if self.seconds > 0 else 0.0


STAGES = ("extract", "dbt", "checks", "report")


def _extract_rows(phase: str, n_files: int, extract: Measure) -> list[Row]:
    x = extract.result
    s = x["seconds"]
    read = x["documents_read"]
    note = (f"{read} read ({x['documents_parsed']} parsed, {x['documents_partial']} partial, "
            f"{x['documents_failed']} failed), {x['documents_unchanged']} unchanged")
    return [
        Row(phase, "scan (discover + hash)", s["scan"], n_files, extract.peak_tree, x["main_max_rss"],
            f"{n_files} files hashed"),
        Row(phase, "parse", s["parse"], read, extract.peak_tree, x["parse_worker_max_rss"], note),
        Row(phase, "load", s["load"], read, extract.peak_tree, x["main_max_rss"],
            f"frames {s.get('frames', 0):.1f}s, write {s.get('write', 0):.1f}s"),
        Row(phase, "extract_and_load (wall)", extract.seconds, read, extract.peak_tree, extract.max_rss,
            "scan + parse + load + process start", extract.cpu),
    ]


def _stage_row(phase: str, m: Measure, n_reports: int) -> Row:
    if m.stage == "dbt build":
        by_kind = m.result.get("by_kind", {})
        note = "node time " + ", ".join(f"{k} {v:.1f}s" for k, v in sorted(by_kind.items()))
        return Row(phase, "dbt build", m.seconds, n_reports, m.peak_tree, m.max_rss, note, m.cpu)
    if m.stage == "checks":
        c = m.result
        return Row(phase, "checks", m.seconds, c["reports"], m.peak_tree, m.max_rss,
                   f"{c['reports']} reports checked, {c['rows']} result rows", m.cpu)
    return Row(phase, "report", m.seconds, n_reports, m.peak_tree, m.max_rss,
               f"HTML {m.result['html_bytes'] / 1e6:.2f} MB from dq.check_results", m.cpu)


def _total(phase: str, rows: list[Row], n: int) -> Row:
    stages = [r for r in rows if r.stage in ("extract_and_load (wall)", "dbt build", "checks", "report")]
    return Row(phase, "TOTAL (end to end)", sum(r.seconds for r in stages), n,
               max(r.peak_tree for r in stages), max(r.max_rss for r in stages),
               cpu=sum(r.cpu or 0.0 for r in stages))


def _phase(bench: Bench, phase: str, n_files: int, stages: tuple[str, ...], full: bool, console: Console,
           out: dict[str, Any]) -> list[Row]:
    """extract, dbt build, checks (all reports on a full run, the changed ones otherwise), report."""
    console.print(f"{phase} run: extract …")
    x = bench.extract()
    reports = x.result["reports"]
    changed = sorted(set(x.result["changed_report_ids"]) | set(x.result["removed_report_ids"]))
    rows = _extract_rows(phase, n_files, x)
    measures = [x]
    for stage in stages[1:]:
        console.print(f"  {measures[-1].seconds:.1f}s; {stage} …")
        if stage == "dbt":
            m = bench.dbt_build()
        elif stage == "checks":
            m = bench.checks(None if full else changed)
        else:
            m = bench.report()
        measures.append(m)
        rows.append(_stage_row(phase, m, reports))
    out[phase] = _stage_dicts(*measures)
    out[phase]["changed_report_ids"] = changed if len(changed) <= 100 else len(changed)
    out[f"warehouse_bytes_{phase}"] = bench.warehouse.stat().st_size
    return [*rows, _total(phase, rows, n_files if full else x.result["documents_read"])]


def run_benchmark(n: int, *, mix: str = DEFAULT_MIX, seed: int = 0, jobs: int = 2, workers: int | None = None,
                  add: int = 10, keep: Path | None = None, cli: bool = True, data_docs: bool = True,
                  stages: tuple[str, ...] = STAGES, console: Console | None = None) -> dict[str, Any]:
    """Run the benchmark; returns the figures (also printed as a table).

    `stages` limits the run to a prefix of extract, dbt, checks, report (extract always runs).
    """
    console = console or Console(stderr=True, width=None if sys.stderr.isatty() else 200)
    stages = tuple(s for s in STAGES if s in stages or s == "extract")
    tmp = None
    if keep is None:
        tmp = tempfile.mkdtemp(prefix="nianbao-bench-")
        workdir = Path(tmp)
    else:
        workdir = keep.resolve()
        workdir.mkdir(parents=True, exist_ok=True)
    try:
        return _run(workdir, n, mix, seed, jobs, workers, add, cli, data_docs, stages, console)
    finally:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)


def _run(workdir: Path, n: int, mix: str, seed: int, jobs: int, workers: int | None, add: int, cli: bool,
         data_docs: bool, stages: tuple[str, ...], console: Console) -> dict[str, Any]:
    bench = Bench(workdir, workers=workers, data_docs=data_docs)
    out: dict[str, Any] = {"n": n, "mix": mix, "seed": seed, "workers": workers or os.cpu_count(), "add": add,
                           "stages": list(stages), "workdir": str(workdir), "machine": machine()}
    console.print(f"[bold]nianbao benchmark[/] N={n:,} in {workdir}")
    gen = corpus(workdir, n, seed, mix, jobs)
    out["generate"] = _measure_dict(gen) if gen else {"cached": True}
    if gen:
        console.print(f"generated {n:,} reports in {gen.seconds:.1f}s ({n / gen.seconds:.0f}/s)")
    fresh_warehouse(workdir)

    rows = _phase(bench, "full", n, stages, True, console, out)
    # incremental: `add` new reports, the same stages over the whole inbox (unchanged files skipped by hash)
    generate(workdir, bench.inbox / "increment_1", add, seed + 1_000_001, mix, 1)
    rows += _phase(bench, "incremental", n + add, stages, False, console, out)

    if cli:
        console.print(f"incremental run through `nianbao run`: +{add} reports …")
        generate(workdir, bench.inbox / "increment_2", add, seed + 2_000_002, mix, 1)
        m = bench.cli_run()
        s = m.result
        checked = {name: v["passed"] + v["failed"] + v["not_assessable"] for name, v in s["suites"].items()}
        docs = s["documents"]
        # reports_checked_this_run since checks are incremental; before, the narrative suite had one result
        # row per report evaluated
        reports_checked = s.get("reports_checked_this_run", checked.get("narrative"))
        rows.append(Row("nianbao run", "TOTAL (Dagster job, in-process)", m.seconds, add, m.peak_tree, m.max_rss,
                        f"{docs['parsed'] + docs['partial'] + docs['failed']} read, {docs['unchanged']} unchanged; "
                        f"{s['reports_changed']} reports changed; reports checked {reports_checked}", m.cpu))
        out["cli"] = {**_measure_dict(m), "summary": s, "check_rows_evaluated": checked}

    out["warehouse_bytes"] = bench.warehouse.stat().st_size
    out["rows"] = [{**asdict(row), "rate": row.rate} for row in rows]
    print_table(rows, out, console)
    console.print("floors: a parse sample, the load rolled back, every input read …")
    out["floors"] = bench.floors().result
    targets = target_rows(out, out["floors"])
    out["targets"] = [asdict(t) for t in targets]
    print_targets(targets, console)
    (workdir / "results.json").write_text(json.dumps(out, ensure_ascii=False, indent=1, default=str))
    return out


def _measure_dict(m: Measure) -> dict[str, Any]:
    d = asdict(m)
    d.pop("stdout")
    d["stderr"] = d["stderr"][-2000:]
    return d


def _stage_dicts(*measures: Measure) -> dict[str, Any]:
    out = {}
    for m in measures:
        d = _measure_dict(m)
        if m.stage == "extract":
            d["result"] = {k: v for k, v in m.result.items() if not k.endswith("report_ids")}
        out[m.stage] = d
    return out


def machine() -> dict[str, Any]:
    cpu = ""
    with contextlib.suppress(OSError, StopIteration):
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        cpu = next(line.split(":", 1)[1].strip() for line in lines if line.startswith("model name"))
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    git = {}
    with contextlib.suppress(OSError, subprocess.CalledProcessError):
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                              check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "extract", "dbt_project/models",
                                "dbt_project/macros", "expectations", "orchestration"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.split("\n")
        git = {"head": head, "uncommitted_pipeline_files": [line[3:] for line in dirty if line.strip()]}
    return {"git": git, "cpus": os.cpu_count(), "cpu": cpu, "memory_gb": round(mem / 2**30, 1),
            "python": sys.version.split()[0], "load_avg_at_start": os.getloadavg()}


def _mb(b: int) -> str:
    return f"{b / 2**20:,.0f}"


def print_table(rows: list[Row], out: dict[str, Any], console: Console) -> None:
    table = Table(title=f"nianbao benchmark, N = {out['n']:,} (+{out['add']} incremental), "
                        f"{out['workers']} parse workers")
    for col, just in (("phase", "left"), ("stage", "left"), ("wall s", "right"), ("reports", "right"),
                      ("reports/s", "right"), ("CPU s", "right"), ("peak MB (tree PSS)", "right"),
                      ("max RSS MB (1 proc)", "right"), ("note", "left")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for r in rows:
        bold = r.stage.startswith("TOTAL")
        table.add_row(r.phase, r.stage, f"{r.seconds:.2f}", f"{r.reports:,}", f"{r.rate:,.0f}",
                      "" if r.cpu is None else f"{r.cpu:.1f}", _mb(r.peak_tree),
                      _mb(r.max_rss), r.note, style="bold" if bold else None)
    console.print(table)
    console.print(f"warehouse: {out['warehouse_bytes'] / 2**20:,.0f} MB; load average at start "
                  f"{out['machine']['load_avg_at_start']}, at end {os.getloadavg()}; "
                  f"results: {out['workdir']}/results.json")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=int(os.environ.get("N", "10000")), help="reports in the corpus")
    ap.add_argument("--mix", default=DEFAULT_MIX, help="layouts, as synthetic.corpus --layouts (layout[:weight],…)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--jobs", type=int, default=2, help="processes generating the corpus")
    ap.add_argument("--workers", type=int, default=None, help="parse workers (default: every core)")
    ap.add_argument("--add", type=int, default=10, help="reports added for the incremental run")
    ap.add_argument("--keep", type=Path, default=None, help="work folder kept afterwards (corpus reused)")
    ap.add_argument("--no-cli", action="store_true", help="skip the incremental run through `nianbao run`")
    ap.add_argument("--no-data-docs", action="store_true", help="checks without rebuilding the GX Data Docs")
    ap.add_argument("--stages", default=",".join(STAGES), help="stages to run (extract always runs)")
    ap.add_argument("--json", type=Path, default=None, help="also write the figures to this file")
    args = ap.parse_args(argv)
    out = run_benchmark(args.n, mix=args.mix, seed=args.seed, jobs=args.jobs, workers=args.workers, add=args.add,
                        keep=args.keep, cli=not args.no_cli, data_docs=not args.no_data_docs,
                        stages=tuple(args.stages.split(",")))
    if args.json:
        args.json.write_text(json.dumps(out, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
