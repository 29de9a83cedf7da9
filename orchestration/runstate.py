"""The state a finished `nianbao run` left, so a run with nothing new can say so without starting the job.

After each successful run the CLI records a fingerprint of everything the run's result depends on — every
input file's path, size, modification and status-change times (what extract reads to decide a file is
unchanged), the options, the dbt project's sources — with the run's summary. A run whose fingerprint is
the recorded one, whose published warehouse and report are still there, and that does not ask to recheck,
has nothing to do: no job, no dbt, no Great Expectations, no subprocess.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from orchestration import snapshot

STATE_FILE = "last_run.json"


def fingerprint(inputs: Sequence[Path], report_dir: str, dbt_sources: str) -> str:
    """A value that changes whenever a run over `inputs` could produce another warehouse or report."""
    from extract.pipeline import report_paths

    digest = hashlib.sha256(json.dumps([[str(p) for p in inputs], report_dir, dbt_sources]).encode())
    for path in report_paths(inputs):
        try:
            stat = os.stat(path)
        except OSError:  # gone since listing: the run must see it
            digest.update(f"{path}\0missing\n".encode())
            continue
        digest.update(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}\0{stat.st_ctime_ns}\n".encode())
    return digest.hexdigest()


def _state_path(warehouse: Path) -> Path:
    return snapshot.run_dir(warehouse) / STATE_FILE


def unchanged_summary(warehouse: Path, current: str) -> dict[str, Any] | None:
    """The last run's summary when nothing it depends on has changed since, else None."""
    path = _state_path(warehouse)
    try:
        state = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    summary = state.get("summary") or {}
    report = Path(summary.get("dq_report") or "")
    if state.get("fingerprint") != current or not warehouse.is_file() or not report.is_file():
        return None
    return summary


def record(warehouse: Path, current: str, summary: dict[str, Any]) -> None:
    """Remember a successful run (written atomically: a run killed here leaves the previous state)."""
    path = _state_path(warehouse)
    partial = path.with_name(f"{STATE_FILE}.{os.getpid()}.tmp")
    partial.write_text(json.dumps({"fingerprint": current, "summary": summary}, ensure_ascii=False),
                       encoding="utf-8")
    partial.replace(path)


def forget(warehouse: Path) -> None:
    """Drop the recorded state before a run writes: a run that dies part-way is never taken as done."""
    _state_path(warehouse).unlink(missing_ok=True)
