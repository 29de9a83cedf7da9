"""One pipeline stage in its own process, so that its wall time and peak memory are its own.

    python -m benchmarks.stage STAGE ARGS_JSON_FILE OUT_JSON_FILE

STAGE is `extract`, `dbt`, `checks` or `report`; each calls the entry point the Dagster asset calls
(`extract_and_load`, `orchestration.dbt_build.build`, `run_checks`, `build_report`) and writes what it did to
OUT_JSON.

`extract` times its phases by wrapping the module-level functions `extract.pipeline` calls (nothing in
extract/ is changed): scan (discover + the content hashes of every file), parse (the process pool, the rest of
the time), load (building the Polars frames and writing each batch in its transaction).
"""

from __future__ import annotations

import json
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any


def _kib(value: int) -> int:
    """ru_maxrss is in KiB on Linux."""
    return int(value) * 1024


def _timed(timers: dict[str, float], name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            timers[name] += time.perf_counter() - start

    return wrapper


def run_extract(args: dict[str, Any]) -> dict[str, Any]:
    import extract.pipeline as pipeline

    timers: dict[str, float] = defaultdict(float)
    pipeline.list_inputs = _timed(timers, "discover", pipeline.list_inputs)
    pipeline.known_documents = _timed(timers, "known", pipeline.known_documents)
    changed = pipeline._changed

    def listed_changed(files: dict[str, Any], *rest: Any) -> Any:
        return iter(_timed(timers, "hash", lambda: list(changed(files, *rest)))())

    pipeline._changed = listed_changed
    pipeline.to_frames = _timed(timers, "frames", pipeline.to_frames)
    pipeline.write_batch = _timed(timers, "write", pipeline.write_batch)

    start = time.perf_counter()
    summary = pipeline.extract_and_load([Path(p) for p in args["inputs"]], Path(args["warehouse"]),
                                        workers=args.get("workers"))
    total = time.perf_counter() - start
    scan = timers["discover"] + timers["known"] + timers["hash"]
    load = timers["frames"] + timers["write"]
    out = summary.as_dict()
    return {
        "documents_parsed": out["documents_parsed"],
        "documents_partial": out["documents_partial"],
        "documents_failed": out["documents_failed"],
        "documents_unchanged": out["documents_unchanged"],
        "documents_read": out["documents_parsed"] + out["documents_partial"] + out["documents_failed"],
        "reports": out["reports"],
        "cells": out["cells"],
        "changed_report_ids": out["changed_report_ids"],
        "removed_report_ids": out["removed_report_ids"],
        "seconds": {"total": total, "scan": scan, "load": load, "parse": max(0.0, total - scan - load),
                    **{k: v for k, v in timers.items()}},
        # the pool's workers are this process's children: the largest of them, and this process (load)
        "parse_worker_max_rss": _kib(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss),
        "main_max_rss": _kib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
    }


def run_checks(args: dict[str, Any]) -> dict[str, Any]:
    from expectations.checks import run_checks as checks

    ids = args.get("report_ids")
    start = time.perf_counter()
    run = checks(Path(args["warehouse"]), ids, data_docs=args.get("data_docs", True))
    return {
        "seconds": {"total": time.perf_counter() - start},
        "reports": run.reports,
        "rows": run.rows,
        "failing_reports": run.failing_reports,
        "suites": {name: {"passed": s.passed, "failed": s.failed, "not_assessable": s.not_assessable}
                   for name, s in run.suites.items()},
        "main_max_rss": _kib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
    }


def run_dbt(args: dict[str, Any]) -> dict[str, Any]:
    """`dbt build` as the Dagster asset runs it: in this process, on the manifest parsed once per project
    version (orchestration.dbt_build)."""
    from orchestration.dbt_build import build
    from orchestration.dbt_sources import project_dir

    start = time.perf_counter()
    ok, results = build(project_dir(), Path(args["warehouse"]), Path(args["target"]))
    if not ok:
        raise RuntimeError("dbt build failed: see " + str(Path(args["target"]) / "logs"))
    return {
        "seconds": {"total": time.perf_counter() - start},
        "nodes": len(results),
        "main_max_rss": _kib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
    }


def run_report(args: dict[str, Any]) -> dict[str, Any]:
    from expectations.report import build_report

    start = time.perf_counter()
    path = build_report(Path(args["warehouse"]), Path(args["report_dir"]))
    return {
        "seconds": {"total": time.perf_counter() - start},
        "path": str(path),
        "html_bytes": path.stat().st_size,
        "main_max_rss": _kib(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
    }


STAGES: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "extract": run_extract,
    "dbt": run_dbt,
    "checks": run_checks,
    "report": run_report,
}


def main(argv: list[str]) -> int:
    stage, args_json, out_json = argv
    result = STAGES[stage](json.loads(Path(args_json).read_text(encoding="utf-8")))
    Path(out_json).write_text(json.dumps(result, ensure_ascii=False, default=str), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
