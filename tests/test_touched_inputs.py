"""Issue 15: a run whose files were only touched (downloaded again with the same bytes, their times changed) has
nothing to do, and `nianbao run` says so without starting the job: the extract checks the changed files' content
against the warehouse and records their new times, as the job's extract would have."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from cli_probe import probed_run

import extract.pipeline as pipeline
from extract.load import known_documents
from extract.pipeline import (
    extract_and_load,
    list_inputs,
    record_if_only_touched,
    stage_batch,
    warehouse_raw_state,
)
from orchestration import runstate, snapshot
from orchestration.cli import unchanged_since

for _var, _value in {"DO_NOT_TRACK": "1", "GX_ANALYTICS_ENABLED": "false", "DAGSTER_DISABLE_TELEMETRY": "1"}.items():
    os.environ.setdefault(_var, _value)

FIXTURES = sorted(p for p in (Path(__file__).parent / "fixtures" / "text").iterdir() if p.suffix in (".txt", ".md"))
TEXTS, SPARE = FIXTURES[:3], FIXTURES[3]  # the inbox's reports, and one that is not in it
SOURCES = "dbt sources"
# What the last run's summary says; a run with nothing to do repeats it.
LAST_SUMMARY = {"ok": True, "documents": {"parsed": 3, "partial": 0, "failed": 0, "unchanged": 0}, "reports": 3,
                "cells": 321, "reports_changed": 3, "reports_removed": 0, "checks_failing": 7,
                "reports_checked_this_run": 3, "run_id": "the-last-run", "seconds": 30.0}


def _touch(path: Path) -> None:
    """A new modification time, the same bytes."""
    stat = path.stat()
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))


@pytest.fixture()
def last_run(tmp_path: Path) -> tuple[Path, Path]:
    """An inbox of three reports and the warehouse a successful run left: loaded in the working file, published,
    its report written and its record kept (scope, `raw` state, summary)."""
    inbox, warehouse = tmp_path / "inbox", tmp_path / "warehouse" / "nianbao.duckdb"
    inbox.mkdir()
    for text in TEXTS:
        shutil.copy(text, inbox)
    extract_and_load([inbox], snapshot.ensure_working(warehouse), workers=1)
    snapshot.publish(warehouse)
    report = tmp_path / "report" / "data_quality.html"
    report.parent.mkdir()
    report.write_text("<html></html>", encoding="utf-8")
    listing = list_inputs([inbox])
    raw = warehouse_raw_state(snapshot.working_path(warehouse))
    assert raw is not None
    runstate.record(warehouse, runstate.fingerprint(listing, "", SOURCES), runstate.scope(listing, "", SOURCES),
                    raw, {**LAST_SUMMARY, "dq_report": str(report)})
    return inbox, warehouse


def _unchanged_since(inbox: Path, warehouse: Path, report_dir: str = "") -> dict[str, Any] | None:
    listing = list_inputs([inbox])
    return unchanged_since(warehouse, listing, runstate.fingerprint(listing, report_dir, SOURCES),
                           runstate.scope(listing, report_dir, SOURCES))


def _times(warehouse: Path) -> dict[str, tuple[int | None, int | None]]:
    return {path: (known.mtime_ns, known.ctime_ns) for path, known in known_documents(warehouse).items()}


def test_a_touched_file_is_recorded_and_the_last_summary_kept(last_run: tuple[Path, Path],
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """The touched file's content is hashed and found unchanged; its new times go to the working file (so the
    next extract does not hash it again) and this run's fingerprint becomes the record, so the next run with
    the same files is answered without hashing anything."""
    inbox, warehouse = last_run
    working = snapshot.working_path(warehouse)
    touched = inbox / TEXTS[1].name
    before = _times(working)
    raw = warehouse_raw_state(working)
    _touch(touched)
    summary = _unchanged_since(inbox, warehouse)
    assert summary is not None and summary["run_id"] == "the-last-run" and summary["checks_failing"] == 7
    after = _times(working)
    stat = touched.stat()
    assert after[str(touched)] == (stat.st_mtime_ns, stat.st_ctime_ns) != before[str(touched)]
    assert {p: t for p, t in after.items() if p != str(touched)} == {p: t for p, t in before.items()
                                                                     if p != str(touched)}
    assert warehouse_raw_state(working) == raw
    recorded = runstate.last_run(warehouse)
    assert recorded is not None and recorded.fingerprint == runstate.fingerprint(list_inputs([inbox]), "", SOURCES)

    def no_hashing(path: Path) -> str:
        raise AssertionError(f"{path} hashed again")

    monkeypatch.setattr(pipeline, "file_sha256", no_hashing)
    assert _unchanged_since(inbox, warehouse) == summary


@pytest.mark.parametrize("change", ["edited", "added", "renamed", "other writer", "other report folder",
                                    "record without raw", "gone after listing", "a batch staged"])
def test_anything_but_touched_files_means_a_run(last_run: tuple[Path, Path], change: str) -> None:
    """An edited, added or renamed file, a `raw` another writer changed since the record, another scope, a record
    made before `raw` was kept, a file that vanished after the listing, or a batch a backfill staged for the
    next run to commit: the run must extract, and nothing is written to the warehouse here."""
    inbox, warehouse = last_run
    working = snapshot.working_path(warehouse)
    report_dir = ""
    for path in inbox.iterdir():
        _touch(path)  # times changed everywhere: only the content decides
    if change == "edited":
        edited = inbox / TEXTS[0].name
        edited.write_bytes(edited.read_bytes() + b"\n")
    elif change == "added":
        shutil.copy(SPARE, inbox)
    elif change == "renamed":
        (inbox / TEXTS[0].name).rename(inbox / f"renamed{TEXTS[0].suffix}")
    elif change == "other writer":  # another folder loaded into the same warehouse since the record
        other = inbox.parent / "other"
        other.mkdir()
        shutil.copy(SPARE, other)
        extract_and_load([other], working, workers=1)
    elif change == "other report folder":
        report_dir = "/elsewhere"
    elif change == "a batch staged":
        other = inbox.parent / "other"
        other.mkdir()
        shutil.copy(SPARE, other)
        stage_batch([other / SPARE.name], "other", snapshot.staging_dir(warehouse), warehouse, workers=1)
    elif change == "record without raw":
        state = json.loads((snapshot.run_dir(warehouse) / runstate.STATE_FILE).read_text(encoding="utf-8"))
        state.pop("raw")
        (snapshot.run_dir(warehouse) / runstate.STATE_FILE).write_text(json.dumps(state), encoding="utf-8")
    before, raw = _times(working), warehouse_raw_state(working)
    if change == "gone after listing":
        listing = list_inputs([inbox])
        (inbox / TEXTS[0].name).unlink()
        assert not record_if_only_touched(listing, working, raw or "")
    else:
        assert _unchanged_since(inbox, warehouse, report_dir) is None
    assert (_times(working), warehouse_raw_state(working)) == (before, raw)


def test_the_cli_answers_a_touched_inbox_without_the_job(last_run: tuple[Path, Path]) -> None:
    """Through `nianbao run`, with one file removed and the others touched: no Dagster, dbt or Great Expectations
    imported, no process started, the last run's counts, the files listed now all unchanged. (The extract removes
    no document whose file is gone, so a removal leaves it nothing to do either.)"""
    inbox, warehouse = last_run
    from orchestration.dbt_sources import project_dir, sources_digest

    listing = list_inputs([inbox])
    sources = sources_digest(project_dir())
    last = runstate.last_run(warehouse)
    assert last is not None
    runstate.record(warehouse, runstate.fingerprint(listing, "", sources), runstate.scope(listing, "", sources),
                    last.raw, last.summary)  # as the CLI records it
    (inbox / TEXTS[0].name).unlink()
    for path in inbox.iterdir():
        _touch(path)
    published = (warehouse.stat().st_mtime_ns, warehouse.read_bytes())
    summary, probed = probed_run(inbox, warehouse)
    assert probed == {"code": 0, "started": [], "loaded": []}
    assert summary["run_id"] is None and summary["reports_checked_this_run"] == 0
    assert summary["documents"] == {"parsed": 0, "partial": 0, "failed": 0, "unchanged": len(TEXTS) - 1}
    assert (summary["reports"], summary["cells"], summary["checks_failing"]) == (3, 321, 7)
    times = _times(snapshot.working_path(warehouse))
    assert all(times[str(p)] == (p.stat().st_mtime_ns, p.stat().st_ctime_ns) for p in inbox.iterdir())
    recorded = runstate.last_run(warehouse)
    assert recorded is not None and recorded.fingerprint == runstate.fingerprint(list_inputs([inbox]), "", sources)
    assert (warehouse.stat().st_mtime_ns, warehouse.read_bytes()) == published  # only the working file is written


def test_a_record_of_the_last_version_still_answers_an_unchanged_inbox(last_run: tuple[Path, Path]) -> None:
    """A record made before the scope and `raw` were kept (fingerprint and summary only) still answers a run
    whose files are as they were, since the fingerprint is computed as it was; with a file touched, the run
    starts the job once, as before."""
    inbox, warehouse = last_run
    path = snapshot.run_dir(warehouse) / runstate.STATE_FILE
    state = json.loads(path.read_text(encoding="utf-8"))
    path.write_text(json.dumps({"fingerprint": state["fingerprint"], "summary": state["summary"]}), encoding="utf-8")
    assert _unchanged_since(inbox, warehouse) == state["summary"]
    _touch(inbox / TEXTS[0].name)
    assert _unchanged_since(inbox, warehouse) is None


def test_a_staged_batch_needs_the_job_even_when_no_file_changed(last_run: tuple[Path, Path]) -> None:
    """The job commits what a backfill staged, whatever its inputs: with a batch waiting, even an inbox that is
    exactly as recorded is not answered from the record."""
    inbox, warehouse = last_run
    assert _unchanged_since(inbox, warehouse) is not None
    other = inbox.parent / "other"
    other.mkdir()
    shutil.copy(SPARE, other)
    stage_batch([other / SPARE.name], "other", snapshot.staging_dir(warehouse), warehouse, workers=1)
    assert _unchanged_since(inbox, warehouse) is None


@pytest.mark.parametrize("damage", ["garbage", "locked"])
def test_a_working_file_that_cannot_be_read_leaves_it_to_the_job(last_run: tuple[Path, Path], damage: str) -> None:
    """A working file overwritten with garbage, or held by another DuckDB client: no traceback here, the run
    starts the job (whose extract says what is wrong in one line)."""
    inbox, warehouse = last_run
    working = snapshot.working_path(warehouse)
    _touch(inbox / TEXTS[0].name)
    if damage == "garbage":
        working.write_bytes(b"not a database" * 1000)
        assert _unchanged_since(inbox, warehouse) is None
        assert warehouse_raw_state(working) is None
        return
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time\n"
                               f"con = duckdb.connect({str(working)!r})\nprint('open', flush=True)\ntime.sleep(60)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        assert _unchanged_since(inbox, warehouse) is None
    finally:
        holder.kill()
        holder.wait()
