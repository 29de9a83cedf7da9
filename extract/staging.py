"""Staged batches: raw frames parsed anywhere, written as Parquet, committed to `raw` by one loader.

Past one machine, each inbox batch is parsed wherever an executor runs it (a process here, a pod on a
cluster) and written under a staging folder every step can reach; DuckDB admits one writer, so one loader
commits every staged batch in one transaction. A batch's staging is a folder named by its key, holding one
folder per staging (named by when it was written, so the newest sorts last) with a Parquet file per raw
table, the files found unchanged (`touched`), and `staged.json`, the mark that the staging is complete.
Staging a batch again supersedes its earlier staging; the loader reads each batch's newest complete
staging and, after its commit, removes exactly what it read (never a staging written meanwhile).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, unquote

import duckdb
import polars as pl

from extract.load import REPORT_TABLES, record_mtimes, replace_documents
from extract.schema import TABLES

COMPLETE_MARK = "staged.json"
TOUCHED = "touched"
TOUCHED_SCHEMA = {"path": pl.String, "mtime_ns": pl.Int64, "ctime_ns": pl.Int64}
TMP_PREFIX = "."
# Which staged batch a row came from, while the loader picks each report's rows from one batch.
BATCH_COLUMN = "__batch"
PATH_SEPARATOR, PART_ORDER = "/", "\x00"

Frames = dict[str, pl.DataFrame]


def staging_folder(staging: Path, key: str) -> Path:
    """The folder of a batch's stagings: its key made one safe file name (`inbox/2024-05` →
    `inbox%2F2024-05`)."""
    return staging / quote(key, safe="")


def write_staged(staging: Path, key: str, frames: Frames, touched: list[tuple[str, int, int]]) -> Path:
    """Write a batch's frames as a new complete staging (written aside, then renamed into place) and
    remove the batch's earlier complete stagings. Returns the staging's folder."""
    folder = staging_folder(staging, key)
    folder.mkdir(parents=True, exist_ok=True)
    stamp = f"{time.time_ns():020d}-{os.getpid()}"
    tmp = folder / f"{TMP_PREFIX}{stamp}"
    tmp.mkdir()
    for table, frame in frames.items():
        frame.write_parquet(tmp / f"{table}.parquet")
    pl.DataFrame(touched, schema=TOUCHED_SCHEMA, orient="row").write_parquet(tmp / f"{TOUCHED}.parquet")
    (tmp / COMPLETE_MARK).write_text(json.dumps({"batch": key, "documents": frames["documents"].height,
                                                 "touched": len(touched)}), encoding="utf-8")
    target = folder / stamp
    tmp.rename(target)
    for older in _complete(folder):
        if older.name < stamp:
            shutil.rmtree(older, ignore_errors=True)
    return target


def _complete(folder: Path) -> Iterator[Path]:
    """A batch's complete stagings, oldest first."""
    if not folder.is_dir():
        return
    for entry in sorted(folder.iterdir()):
        if not entry.name.startswith(TMP_PREFIX) and (entry / COMPLETE_MARK).is_file():
            yield entry


def staged_batches(staging: Path) -> dict[str, Path]:
    """Every batch's newest complete staging, by batch key (sorted)."""
    if not staging.is_dir():
        return {}
    found = {}
    for folder in sorted(staging.iterdir()):
        stagings = list(_complete(folder))
        if stagings:
            found[unquote(folder.name)] = stagings[-1]
    return found


def _read(staged: Path) -> Frames:
    """A staging's frames, every raw table and the touched files."""
    return {t: pl.read_parquet(staged / f"{t}.parquet") for t in (*TABLES, TOUCHED)}


def _owners(stagings: list[Path]) -> pl.DataFrame:
    """For each report, the batch (index into `stagings`) holding its first document in `discover`'s order:
    a sequential load keeps the rows of a content read from the file that comes first, and so does the
    loader. Paths sort as `Path`s do, part by part (`b0/x` before `b0-x/y`): with the separator as the
    lowest character, a string sort is that order."""
    docs = [pl.read_parquet(s / "documents.parquet", columns=["path", "report_id"])
            .with_columns(pl.lit(i, pl.Int32).alias(BATCH_COLUMN)) for i, s in enumerate(stagings)]
    return (pl.concat(docs).drop_nulls("report_id")
            .sort(pl.col("path").str.replace_all(PATH_SEPARATOR, PART_ORDER, literal=True))
            .group_by("report_id", maintain_order=True).first().select("report_id", BATCH_COLUMN))


def _owned(frames: Frames, owners: pl.DataFrame, index: int) -> Frames:
    """A batch's frames with the rows of the reports another batch owns taken out (the batch's documents
    still refer to them)."""
    mine = owners.filter(pl.col(BATCH_COLUMN) == index).select("report_id")
    return {t: frame.join(mine, on="report_id", how="semi") if t in REPORT_TABLES else frame
            for t, frame in frames.items()}


@dataclass
class Staged:
    """What one commit of the staged batches did, and the stagings it read (to remove once committed)."""

    documents: pl.DataFrame
    added: set[str] = field(default_factory=set)
    removed: set[str] = field(default_factory=set)
    read: list[Path] = field(default_factory=list)

    def discard(self) -> None:
        """Remove the committed stagings, and the folders of batches left with nothing staged."""
        for staged in self.read:
            shutil.rmtree(staged, ignore_errors=True)
            folder = staged.parent
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()


def _report_ids(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r for (r,) in con.execute("SELECT report_id FROM raw.reports").fetchall()}


def commit_staged(con: duckdb.DuckDBPyConnection, staging: Path) -> Staged:
    """Commit every batch's newest staging in one transaction, batch by batch in key order (memory holds
    one batch), with the writes of a sequential load (`replace_documents`): nothing is loaded twice, a
    changed file replaces its earlier version, and a content found in several batches keeps the rows of
    its first file by path. The stagings are left in place (see `Staged.discard`)."""
    stagings = list(staged_batches(staging).values())
    if not stagings:
        return Staged(documents=pl.DataFrame(schema={"status": pl.String}))
    owners = _owners(stagings)
    documents = []
    con.execute("BEGIN TRANSACTION")
    try:
        before = _report_ids(con)
        for index, staged in enumerate(stagings):
            frames = _owned(_read(staged), owners, index)
            touched = frames.pop(TOUCHED)
            replace_documents(con, frames)
            record_mtimes(con, list(touched.iter_rows()))
            documents.append(frames["documents"].select("status"))
        after = _report_ids(con)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return Staged(documents=pl.concat(documents), added=after - before, removed=before - after, read=stagings)
