"""The state a finished `nianbao run` left, so a run with nothing new can say so without starting the job.

After each successful run the CLI records a fingerprint of everything the run's result depends on — every
input file's path, size, modification and status-change times (what extract reads to decide a file is
unchanged), the options, the dbt project's sources — with the run's summary. A run whose fingerprint is
the recorded one, whose published warehouse and report are still there, and that does not ask to recheck,
has nothing to do: no job, no dbt, no Great Expectations, no subprocess.

A run whose fingerprint differs only because files were touched (downloaded again with the same bytes, their
times changed) has nothing to do either, and it can know that without the job: the record also keeps the run's
*scope* (the fingerprint without the files' times) and the state of `raw` it left. With the same scope and `raw`
unchanged, the CLI asks the extract whether any listed file's content differs from what the warehouse holds.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from orchestration import snapshot

if TYPE_CHECKING:
    from extract.pipeline import InputListing

STATE_FILE = "last_run.json"


def _scope_digest(listing: InputListing, report_dir: str, dbt_sources: str) -> hashlib._Hash:
    return hashlib.sha256(json.dumps([list(listing.inputs), report_dir, dbt_sources]).encode())


def scope(listing: InputListing, report_dir: str, dbt_sources: str) -> str:
    """What a run depends on besides its files: the inputs named, the report folder, the dbt project."""
    return _scope_digest(listing, report_dir, dbt_sources).hexdigest()


def fingerprint(listing: InputListing, report_dir: str, dbt_sources: str) -> str:
    """A value that changes whenever a run over the listed inputs could produce another warehouse or report."""
    digest = _scope_digest(listing, report_dir, dbt_sources)
    for path in sorted(listing.stats):
        stat = listing.stats[path]
        if stat is None:  # gone since listing: the run must see it
            digest.update(f"{path}\0missing\n".encode())
        else:
            digest.update(f"{path}\0{stat[0]}\0{stat[1]}\0{stat[2]}\n".encode())
    return digest.hexdigest()


def _state_path(warehouse: Path) -> Path:
    return snapshot.run_dir(warehouse) / STATE_FILE


@dataclass(frozen=True)
class LastRun:
    """What the last successful run recorded: its fingerprint, its scope, the `raw` state it left (None when
    recorded by a version that did not keep one), and its summary."""

    fingerprint: str
    scope: str
    raw: str | None
    summary: dict[str, Any]


def last_run(warehouse: Path) -> LastRun | None:
    """The last successful run's record, while its published warehouse and report are still there."""
    try:
        state = json.loads(_state_path(warehouse).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    summary = state.get("summary") or {}
    if not warehouse.is_file() or not Path(summary.get("dq_report") or "").is_file():
        return None
    return LastRun(state.get("fingerprint", ""), state.get("scope", ""), state.get("raw"), summary)


def record(warehouse: Path, current: str, run_scope: str, raw: str | None, summary: dict[str, Any]) -> None:
    """Remember a successful run (written atomically: a run killed here leaves the previous state)."""
    path = _state_path(warehouse)
    partial = path.with_name(f"{STATE_FILE}.{os.getpid()}.tmp")
    state = {"fingerprint": current, "scope": run_scope, "raw": raw, "summary": summary}
    partial.write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
    partial.replace(path)


def forget(warehouse: Path) -> None:
    """Drop the recorded state before a run writes: a run that dies part-way is never taken as done."""
    _state_path(warehouse).unlink(missing_ok=True)
