"""The extract-and-load stage: find report files, parse what is new or changed, load it into `raw`."""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

from extract.frames import to_frames
from extract.load import connect, ensure_schema, known_documents, write_batch
from extract.parse import ParsedDocument, parse_file

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


def discover(inputs: Sequence[Path]) -> list[Path]:
    """Report files under the input folders (recursive, hidden files skipped), sorted; files given
    directly are taken as they are."""
    found: set[Path] = set()
    for item in inputs:
        item = Path(item)
        if item.is_file():
            found.add(item.resolve())
            continue
        for p in item.rglob("*"):
            rel = p.relative_to(item)
            if p.is_file() and not any(part.startswith(".") for part in rel.parts):
                found.add(p.resolve())
    return sorted(found)


def _changed(files: list[Path], known: dict[str, str]) -> Iterator[Path]:
    """Files whose content differs from what the warehouse holds for their path (unreadable ones too:
    they must get their `failed` row)."""
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:
            yield path
            continue
        if known.get(str(path)) != hashlib.sha256(data).hexdigest():
            yield path


def _parsed(todo: list[Path], workers: int) -> Iterator[ParsedDocument]:
    """Parsed documents in input order, over a process pool when there is enough work for one."""
    if workers <= 1 or len(todo) < PARALLEL_THRESHOLD:
        yield from map(parse_file, todo)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for start in range(0, len(todo), BATCH_SIZE):
            yield from pool.map(parse_file, todo[start:start + BATCH_SIZE], chunksize=64)


def extract_and_load(inputs: Sequence[Path], warehouse: Path, *, progress: Progress | None = None,
                     batch_size: int = BATCH_SIZE, workers: int | None = None) -> LoadSummary:
    """Parse the new or changed files under `inputs` (on every core) and load them, one transaction per
    batch; memory holds one batch of parsed documents whatever the number of files."""
    files = discover(inputs)
    known = known_documents(warehouse)
    summary = LoadSummary()
    todo = list(_changed(files, known))
    summary.documents_unchanged = len(files) - len(todo)
    con = connect(warehouse)
    try:
        ensure_schema(con)
        batch: list[ParsedDocument] = []
        for done, doc in enumerate(_parsed(todo, workers or os.cpu_count() or 1), start=1):
            batch.append(doc)
            if progress:
                progress(done, len(todo), doc.file_name)
            if len(batch) >= batch_size:
                _flush(con, batch, summary)
        _flush(con, batch, summary)
        summary.reports = con.execute("SELECT count(*) FROM raw.reports").fetchone()[0]
        summary.cells = con.execute("SELECT count(*) FROM raw.cells").fetchone()[0]
    finally:
        con.close()
    return summary


def _flush(con, batch: list[ParsedDocument], summary: LoadSummary) -> None:
    if not batch:
        return
    for doc in batch:
        if doc.status == "parsed":
            summary.documents_parsed += 1
        elif doc.status == "partial":
            summary.documents_partial += 1
        else:
            summary.documents_failed += 1
    added, removed = write_batch(con, to_frames(batch))
    summary.changed_report_ids.extend(sorted(added))
    summary.removed_report_ids.extend(sorted(removed))
    batch.clear()
