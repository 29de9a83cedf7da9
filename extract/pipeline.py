"""The extract-and-load stage: find report files, parse what is new or changed, load it into `raw`."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from extract.frames import to_frames
from extract.limits import DOC_TIME_LIMIT_SECONDS
from extract.load import (
    Known,
    WarehouseError,
    connect,
    ensure_schema,
    has_table,
    known_documents,
    raw_state,
    record_mtimes,
    write_batch,
)
from extract.parse import ParsedDocument, file_sha256
from extract.readers import path_text
from extract.region import annotate
from extract.sandbox import Sandbox
from extract.schema import TABLES, polars_schema
from extract.staging import Staged, commit_staged, staged_batches, write_staged
from extract.template import templates

BATCH_SIZE = 2000
# Documents annotated (level and region, one gazetteer call) and turned into frames together.
CHUNK = 100
# Each worker gets this many files at least: a second worker for a handful of files costs more than it saves.
FILES_PER_WORKER = 8
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
    # what the parse workers cost: their largest resident set, and documents stopped at a limit
    worker_peak_rss_bytes: int = 0
    documents_over_limit: int = 0

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
    given directly are taken as they are."""
    return [Path(p) for p in report_paths(inputs)]


def report_paths(inputs: Sequence[Path]) -> list[str]:
    """`discover`'s files as path strings, in the same order."""
    return sorted(report_path_set(inputs), key=lambda p: p.split(os.sep))  # as Path objects sort: by their parts


def report_path_set(inputs: Sequence[Path]) -> set[str]:
    """`discover`'s files as path strings, unordered. Each folder is resolved once and listed with os.scandir
    (a file's type comes with its name), and paths stay strings: at 100,000 files, building, comparing and
    sorting Path objects costs more than the listing."""
    found: set[str] = set()
    for item in inputs:
        item = Path(item)
        if item.is_file():
            found.add(str(item.resolve()))
        elif item.is_dir():
            _list_reports(str(item.resolve()), found)
    return found


def _list_reports(folder: str, found: set[str]) -> None:
    """Add the report files under `folder` to `found`, hidden files and folders skipped."""
    try:
        entries = list(os.scandir(folder))
    except OSError:  # unreadable or gone since it was listed: os.walk skipped it too
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):  # as os.walk: a linked folder is not entered
            if not entry.name.startswith("."):
                _list_reports(entry.path, found)
        elif is_report_candidate(entry.name) and entry.is_file():
            found.add(entry.path)


FileStat = tuple[int, int, int]  # size, mtime_ns, ctime_ns: what decides that a file need not be read again


@dataclass(frozen=True)
class InputListing:
    """The report files under some inputs with their size and times, taken once: a `nianbao run` fingerprints
    its inputs from this and extracts from the same listing, instead of listing and stat'ing 100,000 files
    twice. A file gone when it was stat'ed has None (the extract gives it its `failed` row)."""

    inputs: tuple[str, ...]
    stats: dict[str, FileStat | None]


def _input_key(inputs: Sequence[Path | str]) -> tuple[str, ...]:
    return tuple(os.path.abspath(p) for p in inputs)


def list_inputs(inputs: Sequence[Path]) -> InputListing:
    """`report_path_set`'s files, each with its size and times now."""
    return InputListing(_input_key(inputs), stat_files(report_path_set(inputs)))


def stat_files(paths: Iterable[str | Path]) -> dict[str, FileStat | None]:
    """Each file's size and times, in the order given; None for one gone or unreadable since it was listed."""
    stats: dict[str, FileStat | None] = {}
    for path in paths:
        try:
            stat = os.stat(path)
        except OSError:
            stats[str(path)] = None
            continue
        stats[str(path)] = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
    return stats


_shared_listings: list[InputListing] = []


@contextmanager
def listed_inputs(listing: InputListing) -> Iterator[None]:
    """Within the block, `extract_and_load` of the listing's inputs works from it rather than listing them
    again. A file added or changed after the listing waits for the next run, whose listing (and fingerprint)
    sees it."""
    _shared_listings.append(listing)
    try:
        yield
    finally:
        _shared_listings.remove(listing)


def _listing(inputs: Sequence[Path]) -> InputListing:
    key = _input_key(inputs)
    return next((listing for listing in _shared_listings if listing.inputs == key), None) or list_inputs(inputs)


def inbox_batches(inputs: Sequence[Path]) -> dict[str, Path]:
    """The batches of the input folders: every folder (the input folder itself or one below it, hidden ones
    skipped as `discover` skips them) that directly holds a report file, keyed by the input folder's name
    and the path below it (`inbox`, `inbox/2024-05`). Together their files are `discover`'s, each file in
    one batch; files given directly as inputs belong to none."""
    found: dict[str, Path] = {}
    for item in inputs:
        root = Path(item).resolve()
        if not root.is_dir():
            continue
        for folder, dirs, names in os.walk(root):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            if not any(is_report_candidate(n) and os.path.isfile(os.path.join(folder, n)) for n in names):
                continue
            key = Path(root.name, os.path.relpath(folder, root)).as_posix().removesuffix("/.")
            if key in found and found[key] != Path(folder):
                raise ValueError(f"two input folders give batch {key!r}: {found[key]} and {folder}")
            found[key] = Path(folder)
    return dict(sorted(found.items()))


def find_batch(inputs: Sequence[Path], key: str) -> Path | None:
    """The folder of the batch `inbox_batches` names `key`, without walking the inbox (None when it is
    not one: gone, hidden, or holding no report file)."""
    first, _, below = key.partition("/")
    for item in inputs:
        root = Path(item).resolve()
        folder = root / below if below else root
        if root.name != first or not folder.is_dir() or any(p.startswith(".") for p in Path(below).parts):
            continue
        if batch_files(folder):
            return folder
    return None


def batch_files(folder: Path) -> list[Path]:
    """The report files directly in a batch folder, sorted, named as `discover` names them."""
    root = folder.resolve()
    return sorted(Path(root, n) for n in os.listdir(root)
                  if is_report_candidate(n) and os.path.isfile(os.path.join(root, n)))


def _changed(stats: dict[str, FileStat | None], known: dict[str, Known],
             touched: list[tuple[str, int, int]]) -> Iterator[Path]:
    """Files whose content differs from what the warehouse holds for their path. A file whose size,
    modification time and status-change time (ctime, which no user tool sets back: an edit in place with
    its mtime restored still changes it) are those recorded is not read again; otherwise its hash
    decides, and an unchanged one goes to `touched` so its new times are recorded. Unreadable files are
    yielded too: they must get their `failed` row."""
    for name, stat in stats.items():
        key = path_text(name)
        seen = known.get(key)
        if stat is None:
            yield Path(name)
            continue
        if seen and seen.unchanged(*stat):
            continue
        try:
            digest = file_sha256(Path(name)) if seen is not None else None
        except OSError:
            yield Path(name)
            continue
        if seen is None or seen.sha256 != digest:
            yield Path(name)
        else:
            touched.append((key, stat[1], stat[2]))


def warehouse_raw_state(warehouse: Path) -> str | None:
    """`raw_state` of a warehouse file (opened read-only), or None when there is no file or no `raw` in it, or
    it cannot be read (then nothing can be compared with it: the next run extracts)."""
    if not warehouse.is_file():
        return None
    try:
        con = connect(warehouse, read_only=True)
        try:
            return raw_state(con) if has_table(con, "raw", "documents") else None
        finally:
            con.close()
    except (duckdb.Error, WarehouseError):
        return None


def record_if_only_touched(listing: InputListing, warehouse: Path, expected_raw: str) -> bool:
    """When the extract of `listing` would read no file, do what it would do instead and say so.

    That is the case when every listed file's content is what the warehouse holds for its path (a file touched,
    or downloaded again with the same bytes, or one removed: the extract removes nothing), and `raw` is still
    `expected_raw` (the state the caller last saw: nothing else wrote it since). The new times of the files found
    unchanged by their hash are then recorded, as the extract records them, so the next extract does not hash
    them again. Otherwise nothing is written and False is returned: the run must extract. So it is when the
    warehouse cannot be read or written here (locked by another client, damaged, of an older schema): the
    extract then says why, or brings the schema up to date."""
    if not warehouse.is_file():
        return False
    touched: list[tuple[str, int, int]] = []
    try:
        if next(_changed(listing.stats, known_documents(warehouse), touched), None) is not None:
            return False
        con = connect(warehouse)
        try:
            if not has_table(con, "raw", "documents") or raw_state(con) != expected_raw:
                return False
            record_mtimes(con, touched)
        finally:
            con.close()
    except (duckdb.Error, WarehouseError):
        return False
    return True


def _tune_gc() -> None:
    """Parsing allocates many small objects that live until their batch is written; the default cyclic
    collector rescans them all the time (a third of parse time). Collect far less often."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)


Frames = dict[str, pl.DataFrame]


def _chunks(todo: list[Path], workers: int, stats_into: LoadSummary,
            time_limit: float) -> Iterator[tuple[Frames, list[str]]]:
    """Frames of consecutive chunks in input order, every file parsed in a sandboxed worker process (even
    one file: a parse never runs in the process that writes the warehouse)."""
    if not todo:
        return
    workers = max(1, min(workers, len(todo) // FILES_PER_WORKER))
    with Sandbox(workers, time_limit=time_limit) as sandbox:
        chunk: list[ParsedDocument] = []
        for doc in sandbox.parse(todo):
            chunk.append(doc)
            if len(chunk) >= CHUNK:
                yield _frames(chunk)
                chunk = []
        if chunk:
            yield _frames(chunk)
        stats_into.worker_peak_rss_bytes = sandbox.stats.peak_rss_bytes
        stats_into.documents_over_limit = sandbox.stats.killed_over_time


def _frames(docs: list[ParsedDocument]) -> tuple[Frames, list[str]]:
    """Raw frames of parsed documents, with level and region (one gazetteer call for the chunk)."""
    annotate(docs, templates())
    return to_frames(docs), [d.file_name for d in docs]


def extract_and_load(inputs: Sequence[Path], warehouse: Path, *, progress: Progress | None = None,
                     batch_size: int = BATCH_SIZE, workers: int | None = None,
                     time_limit: float = DOC_TIME_LIMIT_SECONDS, staged: Path | None = None) -> LoadSummary:
    """Parse the new or changed files under `inputs` (on every core) and load them, one transaction per
    batch; memory holds about one batch of parsed rows whatever the number of files.

    With `staged` (a staging folder that `stage_batch` wrote to), the batches staged there are committed
    first, all in one transaction; their files are then known, so only files no batch staged (or changed
    since) are parsed here."""
    summary = LoadSummary()
    if staged is not None:
        _commit(staged, warehouse, summary)
    files = _listing(inputs).stats  # path strings, unordered: only the changed files become Paths, in order
    known = known_documents(warehouse)
    touched: list[tuple[str, int, int]] = []
    todo = sorted(_changed(files, known, touched))
    summary.documents_unchanged = len(files) - len(todo)
    thresholds = gc.get_threshold()
    _tune_gc()
    con = connect(warehouse)
    try:
        ensure_schema(con)
        batch: list[Frames] = []
        done = pending_docs = 0
        for frames, names in _chunks(todo, workers or os.cpu_count() or 1, summary, time_limit):
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
    """Write the chunks gathered so far in one transaction."""
    if not batch:
        return
    frames = merge_frames(batch)
    _count(summary, frames["documents"])
    added, removed = write_batch(con, frames)
    summary.changed_report_ids.extend(sorted(added))
    summary.removed_report_ids.extend(sorted(removed))
    batch.clear()


def merge_frames(batch: list[Frames]) -> Frames:
    """The chunks' frames as one batch, in input order. The same content read from two files in different
    chunks gives identical rows: keep one."""
    frames = {t: pl.concat([b[t] for b in batch]) for t in batch[0]}
    for t in ("cells", "narrative_facts", "parse_issues", "agency_names", "report_sections"):
        frames[t] = frames[t].unique(maintain_order=True)
    # one report per content, whichever of its files came first (twins differ in their file name)
    frames["reports"] = frames["reports"].unique(subset=["report_id"], keep="first", maintain_order=True)
    frames["cells"] = frames["cells"].unique(subset=["report_id", "table_code", "row_code", "col_code"],
                                             keep="first", maintain_order=True)
    frames["narrative_facts"] = frames["narrative_facts"].unique(subset=["report_id", "fact_code"], keep="first",
                                                                 maintain_order=True)
    return frames


def _count(summary: LoadSummary, documents: pl.DataFrame) -> None:
    """Add a batch's documents to the summary's counts by status."""
    counts = dict(documents["status"].value_counts().iter_rows())
    summary.documents_parsed += counts.get("parsed", 0)
    summary.documents_partial += counts.get("partial", 0)
    summary.documents_failed += counts.get("failed", 0)


def stage_batch(files: Sequence[Path], key: str, staging: Path, known_from: Path, *,
                workers: int | None = None, time_limit: float = DOC_TIME_LIMIT_SECONDS) -> LoadSummary:
    """Parse a batch's new or changed files and write their raw frames as Parquet under `staging`,
    replacing what this batch staged before; nothing is written to the warehouse. What is new is judged
    against `known_from` (the published snapshot: a reader's file, never locked by the writer), so a
    batch can be staged while another run writes. Parsing runs in sandboxed workers as in
    `extract_and_load`: the same reading, the same frames."""
    known = known_documents(known_from)
    summary = LoadSummary()
    touched: list[tuple[str, int, int]] = []
    todo = list(_changed(stat_files(files), known, touched))
    summary.documents_unchanged = len(files) - len(todo)
    chunks = [frames for frames, _ in _chunks(todo, workers or os.cpu_count() or 1, summary, time_limit)]
    frames = merge_frames(chunks) if chunks else _empty_frames()
    _count(summary, frames["documents"])
    write_staged(staging, key, frames, touched)
    return summary


def _empty_frames() -> Frames:
    """A batch with no new or changed document."""
    return {t: pl.DataFrame(schema=polars_schema(t)) for t in TABLES}


def _commit(staging: Path, warehouse: Path, summary: LoadSummary) -> None:
    """Commit every staged batch to the warehouse in one transaction, then drop the staging it loaded."""
    if not staged_batches(staging):
        return
    con = connect(warehouse)
    try:
        ensure_schema(con)
        staged: Staged = commit_staged(con, staging)
    finally:
        con.close()
    _count(summary, staged.documents)
    summary.changed_report_ids.extend(sorted(staged.added))
    summary.removed_report_ids.extend(sorted(staged.removed))
    staged.discard()
