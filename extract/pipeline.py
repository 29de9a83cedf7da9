"""The extract-and-load stage: find report files, parse what is new or changed, load it into `raw`."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

from extract.frames import to_frames
from extract.load import connect, ensure_schema, known_documents, write_batch
from extract.parse import ParsedDocument, parse_bytes, parse_file

BATCH_SIZE = 500
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


def _changed(files: list[Path], known: dict[str, str]) -> Iterator[tuple[Path, bytes | None]]:
    """Files whose content differs from what the warehouse holds for their path."""
    for path in files:
        try:
            data = path.read_bytes()
        except OSError:
            yield path, None
            continue
        if known.get(str(path)) != hashlib.sha256(data).hexdigest():
            yield path, data


def extract_and_load(inputs: Sequence[Path], warehouse: Path, *, progress: Progress | None = None,
                     batch_size: int = BATCH_SIZE) -> LoadSummary:
    """Parse the new or changed files under `inputs` and load them, one transaction per batch."""
    files = discover(inputs)
    known = known_documents(warehouse)
    summary = LoadSummary()
    todo = list(_changed(files, known))
    summary.documents_unchanged = len(files) - len(todo)
    con = connect(warehouse)
    try:
        ensure_schema(con)
        batch: list[ParsedDocument] = []
        for done, (path, data) in enumerate(todo, start=1):
            doc = parse_file(path) if data is None else parse_bytes(data, path)
            batch.append(doc)
            if progress:
                progress(done, len(todo), path.name)
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
