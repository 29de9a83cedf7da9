"""The extract-and-load stage: find report files, parse what is new or changed, load it into `raw`."""

from __future__ import annotations

import gc
import hashlib
import os
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

import polars as pl

from extract.frames import to_frames
from extract.load import connect, ensure_schema, known_documents, record_mtimes, write_batch
from extract.parse import parse_file
from extract.region import annotate
from extract.template import templates

BATCH_SIZE = 2000
# Below this many files a process pool costs more than it saves.
PARALLEL_THRESHOLD = 64
Progress = Callable[[int, int, str], None]


@dataclass
class LoadSummary:
    """What one extract-and-load run did; `reports` and `cells` count the whole warehouse."""

    documents_parsed: int = 0
    documents_partial: int = 0
    documents_failed: int = 0
    documents_unchanged: int = 0
    reports: int = 0
    cells: int = 0
    changed_report_ids: list[str] = field(default_factory=list)
    removed_report_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


# Files that sit beside reports but are never reports (metadata sidecars, OS litter): skipped, not failed.
NOT_REPORT_NAMES = frozenset({"thumbs.db", "desktop.ini"})
NOT_REPORT_SUFFIXES = (".json",)


def is_report_candidate(name: str) -> bool:
    """Whether a file name found in an input folder may be a report (hidden files and sidecars are not)."""
    lower = name.lower()
    return not (name.startswith(".") or lower in NOT_REPORT_NAMES or lower.endswith(NOT_REPORT_SUFFIXES))


def discover(inputs: Sequence[Path]) -> list[Path]:
    """Report files under the input folders (recursive, hidden files and folders skipped), sorted; files
    given directly are taken as they are. Each folder is resolved once and walked with os.walk, which at
    100,000 files is several times faster than resolving every path."""
    found: set[Path] = set()
    for item in inputs:
        item = Path(item)
        if item.is_file():
            found.add(item.resolve())
            continue
        for folder, dirs, names in os.walk(item.resolve()):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            found.update(Path(folder, n) for n in names
                         if is_report_candidate(n) and os.path.isfile(os.path.join(folder, n)))
    return sorted(found)


def _changed(files: list[Path], known: dict[str, tuple[str, int, int | None]],
             touched: list[tuple[str, int]]) -> Iterator[Path]:
    """Files whose content differs from what the warehouse holds for their path. A file whose size and
    modification time are those recorded is not read again; otherwise its hash decides, and an unchanged
    one goes to `touched` so its new time is recorded. Unreadable files are yielded too: they must get
    their `failed` row."""
    for path in files:
        seen = known.get(str(path))
        try:
            stat = path.stat()
            if seen and seen[2] is not None and (seen[1], seen[2]) == (stat.st_size, stat.st_mtime_ns):
                continue
            data = path.read_bytes()
        except OSError:
            yield path
            continue
        if seen is None or seen[0] != hashlib.sha256(data).hexdigest():
            yield path
        else:
            touched.append((str(path), stat.st_mtime_ns))


def _tune_gc() -> None:
    """Parsing allocates many small objects that live until their batch is written; the default cyclic
    collector rescans them all the time (a third of parse time). Collect far less often."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


CHUNK = 100
Frames = dict[str, pl.DataFrame]


def _parse_chunk(paths: list[Path]) -> tuple[Frames, list[str]]:
    """Parse a chunk of files into raw frames (compact to send between processes) and their names."""
    docs = [parse_file(p) for p in paths]
    annotate(docs, templates())
    return to_frames(docs), [d.file_name for d in docs]


def _chunks(todo: list[Path], workers: int) -> Iterator[tuple[Frames, list[str]]]:
    """Frames of consecutive chunks in input order; with a pool, at most two chunks per worker are in
    flight, so memory stays bounded however many files there are."""
    pieces = [todo[i:i + CHUNK] for i in range(0, len(todo), CHUNK)]
    if workers <= 1 or len(todo) < PARALLEL_THRESHOLD:
        yield from map(_parse_chunk, pieces)
        return
    with ProcessPoolExecutor(max_workers=workers, initializer=_tune_gc) as pool:
        pending: deque = deque()
        for piece in pieces:
            pending.append(pool.submit(_parse_chunk, piece))
            if len(pending) >= 2 * workers:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def extract_and_load(inputs: Sequence[Path], warehouse: Path, *, progress: Progress | None = None,
                     batch_size: int = BATCH_SIZE, workers: int | None = None) -> LoadSummary:
    """Parse the new or changed files under `inputs` (on every core) and load them, one transaction per
    batch; memory holds about one batch of parsed rows whatever the number of files."""
    files = discover(inputs)
    known = known_documents(warehouse)
    summary = LoadSummary()
    touched: list[tuple[str, int]] = []
    todo = list(_changed(files, known, touched))
    summary.documents_unchanged = len(files) - len(todo)
    thresholds = gc.get_threshold()
    _tune_gc()
    con = connect(warehouse)
    try:
        ensure_schema(con)
        batch: list[Frames] = []
        done = pending_docs = 0
        for frames, names in _chunks(todo, workers or os.cpu_count() or 1):
            batch.append(frames)
            done += len(names)
            pending_docs += len(names)
            if progress:
                progress(done, len(todo), names[-1])
            if pending_docs >= batch_size:
                _flush(con, batch, summary)
                pending_docs = 0
        _flush(con, batch, summary)
        record_mtimes(con, touched)
        summary.reports = con.execute("SELECT count(*) FROM raw.reports").fetchone()[0]
        summary.cells = con.execute("SELECT count(*) FROM raw.cells").fetchone()[0]
    finally:
        con.close()
        gc.set_threshold(*thresholds)
        gc.unfreeze()
    return summary


def _flush(con, batch: list[Frames], summary: LoadSummary) -> None:
    """Write the chunks gathered so far in one transaction. The same content read from two files in
    different chunks gives identical rows: keep one."""
    if not batch:
        return
    frames = {t: pl.concat([b[t] for b in batch]) for t in batch[0]}
    for t in ("reports", "cells", "narrative_facts", "parse_issues"):
        frames[t] = frames[t].unique(maintain_order=True)
    counts = dict(frames["documents"]["status"].value_counts().iter_rows())
    summary.documents_parsed += counts.get("parsed", 0)
    summary.documents_partial += counts.get("partial", 0)
    summary.documents_failed += counts.get("failed", 0)
    added, removed = write_batch(con, frames)
    summary.changed_report_ids.extend(sorted(added))
    summary.removed_report_ids.extend(sorted(removed))
    batch.clear()
