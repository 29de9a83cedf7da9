"""Readers and writers: the pipeline writes a working copy and publishes read-only snapshots.

DuckDB admits one writer per file, and a read-only connection holds a shared lock that a writer cannot
take. So readers (a DuckDB shell left open all day, a notebook, a BI tool) never open the file the
pipeline writes. The pipeline builds in `<warehouse folder>/<stem>_run/<name>` (the *working* file) and,
at the end of a run, publishes a checkpointed copy to the warehouse path by atomic rename. A reader keeps
the snapshot it opened (its inode lives on until it closes); the next reader opens the new one. Neither
ever sees a half-written warehouse, and a reader can never make a run fail.

Writers are serialised by an advisory lock (`writer.lock` beside the working file), which the operating
system releases when its process dies, so a crashed run never wedges the next. A run that finds the lock
taken waits, saying so, up to `NIANBAO_WRITER_WAIT` seconds, then fails with one line naming the holder.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

# New warehouses are written in a storage format the DuckDB CLI on PyPI (duckdb-cli 1.5.x), the JDBC/ODBC
# drivers and DBeaver of that line can open; the pinned Python package (2.0) reads and writes it too.
STORAGE_COMPATIBILITY = "v1.5.0"
WRITER_WAIT_ENV = "NIANBAO_WRITER_WAIT"
DEFAULT_WRITER_WAIT_S = 600.0
RETRY_EVERY_S = 2.0
LOCK_NAME = "writer.lock"
STAGING_DIR = "staging"
PUBLISHED_MODE = 0o444  # the snapshot is for reading; writes belong in the working file

# Lock files this process holds, with their open file and re-entry depth: the CLI holds the lock for a
# whole run and each writing step takes it again, in the same process.
_held: dict[Path, tuple[int, int]] = {}

WaitListener = Callable[[str], None]


class WarehouseBusy(Exception):
    """Another run kept the writer lock for longer than this run was willing to wait."""


def run_dir(published: Path) -> Path:
    """The folder of a warehouse's run artifacts: working file, writer lock, dbt target, run log."""
    return published.parent / f"{published.stem}_run"


def staging_dir(published: Path) -> Path:
    """Where inbox batches are staged as Parquet for the next run to commit: in the run folder (shared storage
    on a cluster)."""
    return run_dir(published) / STAGING_DIR


def working_path(published: Path) -> Path:
    """The file the pipeline writes; same file name as the published one, so that dbt's views, which name
    the database (the file's stem), resolve in both."""
    return run_dir(published) / published.name


def writer_wait_seconds() -> float:
    """How long a run waits for another run's writer lock (NIANBAO_WRITER_WAIT, seconds)."""
    try:
        return max(0.0, float(os.environ.get(WRITER_WAIT_ENV, DEFAULT_WRITER_WAIT_S)))
    except ValueError:
        return DEFAULT_WRITER_WAIT_S


def _holder(fd: int) -> str:
    """What the lock file says about its holder (PID), for messages."""
    os.lseek(fd, 0, os.SEEK_SET)
    text = os.read(fd, 200).decode(errors="replace").strip()
    return text or "unknown"


@contextmanager
def writer_lock(published: Path, on_wait: WaitListener | None = None, wait_s: float | None = None) -> Iterator[None]:
    """Hold the warehouse's writer lock while the block runs (re-entrant within one process).

    Waits with a visible retry (each `RETRY_EVERY_S`, told to `on_wait`) while another process holds it,
    up to `wait_s` (default `writer_wait_seconds()`), then raises `WarehouseBusy`.
    """
    lock = run_dir(published.resolve()) / LOCK_NAME
    if lock in _held:
        fd, depth = _held[lock]
        _held[lock] = (fd, depth + 1)
        try:
            yield
        finally:
            _release(lock)
        return
    lock.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        _acquire(fd, on_wait, writer_wait_seconds() if wait_s is None else wait_s)
    except BaseException:
        os.close(fd)
        raise
    os.ftruncate(fd, 0)
    os.write(fd, f"PID {os.getpid()}\n".encode())
    _held[lock] = (fd, 1)
    try:
        yield
    finally:
        _release(lock)


def _acquire(fd: int, on_wait: WaitListener | None, wait_s: float) -> None:
    """Take the lock, retrying until `wait_s` has passed."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return
        except BlockingIOError:
            holder = _holder(fd)
            left = deadline - time.monotonic()
            if left <= 0:
                raise WarehouseBusy(
                    f"another run is writing the warehouse ({holder}); waited {wait_s:.0f} s "
                    f"(set {WRITER_WAIT_ENV} to wait longer)"
                ) from None
            if on_wait:
                on_wait(f"waiting for another run to finish writing the warehouse ({holder}), {left:.0f} s left")
            time.sleep(min(RETRY_EVERY_S, left))


def _release(lock: Path) -> None:
    fd, depth = _held[lock]
    if depth > 1:
        _held[lock] = (fd, depth - 1)
        return
    del _held[lock]
    os.close(fd)  # closing releases the flock


def ensure_working(published: Path) -> Path:
    """The working file, created on first use: a copy of a warehouse published by an earlier version of
    nianbao (which wrote in place), or a new database in the compatible storage format."""
    working = working_path(published)
    if working.exists():
        return working
    working.parent.mkdir(parents=True, exist_ok=True)
    if published.exists():
        for suffix in ("", ".wal"):
            source = Path(f"{published}{suffix}")
            if source.exists():
                shutil.copyfile(source, f"{working}{suffix}")
    else:
        duckdb.connect(str(working), config={"storage_compatibility_version": STORAGE_COMPATIBILITY}).close()
    return working


def publish(published: Path) -> Path:
    """Checkpoint the working file and replace the published snapshot with a copy of it, atomically.

    Call with the writer lock held and no connection to the working file open.
    """
    working = working_path(published)
    con = duckdb.connect(str(working))
    try:
        con.execute("checkpoint")
    finally:
        con.close()
    partial = published.with_name(f".{published.name}.publishing-{os.getpid()}")
    try:
        shutil.copyfile(working, partial)
        os.chmod(partial, PUBLISHED_MODE)
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        # A write-ahead log beside the published file would be replayed onto the new snapshot.
        Path(f"{published}.wal").unlink(missing_ok=True)
        os.replace(partial, published)
    finally:
        partial.unlink(missing_ok=True)
    return published
