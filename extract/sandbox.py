"""Parsing in worker processes that no file can take down, hang or starve.

Each document is parsed in a worker process with an address-space limit (RLIMIT_AS) and a wall-time
limit: a worker that runs past the limit is killed and replaced, its document recorded as `failed` with
`resource_limit`, and its neighbours go on. A worker that dies for any other reason (a reader library
crashing) costs its one document, recorded with the reason. Workers die with the process that started
them (PR_SET_PDEATHSIG, and an end-of-file on their pipe), so a killed run leaves nothing running.

A worker holds a few documents at a time (the one it parses, the rest queued in its pipe), so that it never
waits for the loader; a queued document's clock starts when the parent sees the one before it done, and the
documents queued behind a killed or dead worker go to its replacement first.

Workers are forked from a fork server that has the extractor imported, so starting or replacing one
costs milliseconds, and the caller's threads (DuckDB, Polars) are never forked.
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import resource
import signal
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from multiprocessing.connection import Connection, wait
from pathlib import Path

from extract.issues import Issue
from extract.limits import DOC_TIME_LIMIT_SECONDS, WORKER_MEMORY_LIMIT_BYTES, answer_time_requests
from extract.parse import ParsedDocument, _empty, _fail, file_sha256, parse_file

PR_SET_PDEATHSIG = 1
# Documents handed out ahead of the oldest unfinished one: bounds what waits to be yielded in order.
WINDOW_PER_WORKER = 64
# Documents queued to a worker behind the one it parses. With one at a time, a worker that finished waited for
# its next path while the loader built a chunk's frames or wrote a batch (the workers were 65 % busy at 100k).
QUEUED_PER_WORKER = 16
# Memory a worker keeps aside so that it can still report a document that exhausted the rest.
EMERGENCY_RESERVE_BYTES = 16 * 1024 * 1024
# How often the parent looks at the clock while every worker is busy.
POLL_SECONDS = 0.5
# What a worker sends, with seconds, to ask for more time for its document (a scan's OCR, per page).
TIME_REQUEST = "more time"


@dataclass
class WorkerStats:
    """What the workers cost: the largest resident set any of them reached, and how many were replaced."""

    peak_rss_bytes: int = 0
    slowest_seconds: float = 0.0
    restarts: int = 0
    killed_over_time: int = 0
    # workers ended by a signal (under RLIMIT_AS, mostly an allocation failing inside a C library)
    crashed: int = 0
    # workers that exited on an exception: one escaped the parse, which never happens by design
    escaped: int = 0


def _die_with_parent(owner_pid: int) -> None:
    """Ask the kernel to kill this process when its parent (the fork server, which itself exits when the
    run does) dies (Linux); exit now if the run that wants this worker is already gone.

    The fork server exits when the run's end of its "alive" pipe closes, but each child it forks inherits a
    copy of that end (for children of its own): a busy worker would keep the server, and so itself, alive
    after a kill -9 of the run. A worker starts no process, so it closes its copy."""
    from multiprocessing import forkserver

    alive = forkserver._forkserver._forkserver_alive_fd
    if alive is not None:
        with contextlib.suppress(OSError):
            os.close(alive)
        forkserver._forkserver._forkserver_alive_fd = None
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        pass  # not Linux: the closed pipe still ends an idle worker
    try:
        os.kill(owner_pid, 0)
    except ProcessLookupError:
        os._exit(0)
    except PermissionError:
        pass


def _limit_memory(limit: int) -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    soft = limit if hard == resource.RLIM_INFINITY else min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (soft, hard))


def peak_rss_bytes() -> int:
    """This process's largest resident set so far (ru_maxrss is in KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def _worker(conn: Connection, parent_pid: int, memory_limit: int) -> None:
    """Parse the paths sent on `conn` one at a time, sending back (index, document, peak RSS). Level and
    region are added by the caller: the gazetteer would cost each worker a gigabyte of address space."""
    _die_with_parent(parent_pid)
    _limit_memory(memory_limit)
    answer_time_requests(lambda seconds: conn.send((TIME_REQUEST, seconds)))
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    # set aside once, not per document: 16 MB allocated and freed around each parse made glibc move its heap
    # top every time, and that cost more than the parse itself (10.7 against 4.5 ms CPU a text report)
    reserve: bytearray | None = bytearray(EMERGENCY_RESERVE_BYTES)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            return
        if job is None:
            return
        index, path = job
        try:
            if reserve is None:
                reserve = bytearray(EMERGENCY_RESERVE_BYTES)
            conn.send((index, parse_file(Path(path)), peak_rss_bytes()))
        except MemoryError:
            reserve = None  # room to report the failure; what the parse held is garbage now
            gc.collect()
            conn.send((index, _failed(Path(path), Issue("resource_limit", "over the memory limit while parsing")),
                       peak_rss_bytes()))


def _context() -> multiprocessing.context.BaseContext:
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["extract.sandbox"])
    return ctx


@dataclass
class _Slot:
    process: multiprocessing.process.BaseProcess
    conn: Connection
    # handed to the worker, in order: it parses the first, the others wait in its pipe
    jobs: deque[tuple[int, Path]] = field(default_factory=deque)
    started: float = 0.0  # when the first job began, as far as the parent knows
    granted: float = 0.0  # seconds the first job's worker asked for beyond the time limit


@dataclass
class Sandbox:
    """A pool of sandboxed parse workers; use as a context manager, then `parse(paths)`."""

    workers: int = 1
    time_limit: float = DOC_TIME_LIMIT_SECONDS
    memory_limit: int = WORKER_MEMORY_LIMIT_BYTES
    stats: WorkerStats = field(default_factory=WorkerStats)
    _slots: list[_Slot] = field(default_factory=list)
    # jobs queued to a worker that was killed or died: handed again before any new one
    _again: deque[tuple[int, Path]] = field(default_factory=deque)

    def __enter__(self) -> Sandbox:
        self._slots = [self._start() for _ in range(max(1, self.workers))]
        return self

    def __exit__(self, *exc: object) -> None:
        for slot in self._slots:
            self._stop(slot)
        self._slots = []

    def _start(self) -> _Slot:
        ctx = _context()
        parent, child = ctx.Pipe()
        process = ctx.Process(target=_worker, args=(child, os.getpid(), self.memory_limit), daemon=True,
                              name="nianbao-parse")
        process.start()
        child.close()
        return _Slot(process, parent)

    def _stop(self, slot: _Slot, kill: bool = False) -> None:
        if not kill:
            try:
                slot.conn.send(None)
            except OSError:
                kill = True
        if kill and slot.process.is_alive():
            slot.process.kill()
        slot.process.join(timeout=5)
        if slot.process.is_alive():
            slot.process.kill()
            slot.process.join()
        slot.conn.close()

    def _replace(self, slot: _Slot, kill: bool) -> _Slot:
        self._stop(slot, kill=kill)
        self.stats.restarts += 1
        fresh = self._start()
        self._slots[self._slots.index(slot)] = fresh
        return fresh

    def parse(self, paths: Iterable[Path]) -> Iterator[ParsedDocument]:
        """Parsed documents in the order of `paths`, one per path whatever happens to its worker."""
        todo = iter(enumerate(paths))
        done: dict[int, ParsedDocument] = {}
        next_out = 0
        handed = 0
        exhausted = False
        window = WINDOW_PER_WORKER * len(self._slots)
        while True:
            while True:  # one job at a time to the least loaded worker, so a short list is shared evenly
                slot = min(self._slots, key=lambda s: len(s.jobs))
                if len(slot.jobs) > QUEUED_PER_WORKER:
                    break
                if self._again:
                    self._hand(slot, self._again.popleft())
                    continue
                if exhausted or handed >= next_out + window:
                    break
                item = next(todo, None)
                if item is None:
                    exhausted = True
                    break
                self._hand(slot, item)
                handed += 1
            busy = [s for s in self._slots if s.jobs]
            if not busy:
                yield from (done.pop(i) for i in sorted(done))
                return
            self._collect(busy, done)
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1

    def _hand(self, slot: _Slot, item: tuple[int, Path]) -> None:
        if not slot.jobs:
            slot.started, slot.granted = time.monotonic(), 0.0
        slot.jobs.append(item)
        with contextlib.suppress(OSError):  # a worker gone: `_collect` sees its sentinel, records the file
            slot.conn.send((item[0], str(item[1])))

    def _collect(self, busy: list[_Slot], done: dict[int, ParsedDocument]) -> None:
        """Wait for a result, a worker's death or the next deadline; record whichever happened."""
        now = time.monotonic()
        deadline = min(s.started + s.granted for s in busy) + self.time_limit
        ready = wait([s.conn for s in busy] + [s.process.sentinel for s in busy],
                     timeout=max(0.0, min(deadline - now, POLL_SECONDS)))
        for slot in busy:
            if slot.conn in ready:
                try:
                    message = slot.conn.recv()
                except (EOFError, OSError):
                    self._lost(slot, done)
                    continue
                if message[0] == TIME_REQUEST:
                    slot.granted += message[1]
                    continue
                index, doc, rss = message
                now = time.monotonic()
                self.stats.peak_rss_bytes = max(self.stats.peak_rss_bytes, rss)
                self.stats.slowest_seconds = max(self.stats.slowest_seconds, now - slot.started)
                if slot.jobs[0][0] != index:
                    raise RuntimeError(f"parse worker answered document {index}, expected {slot.jobs[0][0]}")
                done[index] = doc
                slot.jobs.popleft()
                slot.started, slot.granted = now, 0.0  # the next job's clock starts when this one is seen done
            elif slot.process.sentinel in ready:
                self._lost(slot, done)
            elif time.monotonic() - slot.started > self.time_limit + slot.granted:
                self._over_time(slot, done)

    def _over_time(self, slot: _Slot, done: dict[int, ParsedDocument]) -> None:
        index, path = self._take_first(slot)
        self.stats.killed_over_time += 1
        self.stats.slowest_seconds = max(self.stats.slowest_seconds, time.monotonic() - slot.started)
        self._replace(slot, kill=True)
        done[index] = _failed(path, Issue("resource_limit", f"parsing took longer than the limit of "
                                          f"{self.time_limit + slot.granted:g} s; stopped"))

    def _take_first(self, slot: _Slot) -> tuple[int, Path]:
        """The job the worker was parsing; the ones queued behind it go to the next worker, first."""
        first = slot.jobs.popleft()
        self._again.extendleft(reversed(slot.jobs))
        slot.jobs.clear()
        return first

    def _lost(self, slot: _Slot, done: dict[int, ParsedDocument]) -> None:
        index, path = self._take_first(slot)
        slot.process.join(timeout=5)
        code = slot.process.exitcode
        self._replace(slot, kill=True)
        if code is not None and code < 0:
            self.stats.crashed += 1
            issue = Issue("resource_limit", f"the parse worker was ended by signal {-code} while reading this file "
                          "(its memory limit was reached, or a reader library crashed)")
        else:
            self.stats.escaped += 1
            issue = Issue("internal_error", f"the parse worker exited (status {code}) while reading this file")
        done[index] = _failed(path, issue)


def _failed(path: Path, issue: Issue) -> ParsedDocument:
    """The document of a file whose worker did not come back: hash and size from the file itself."""
    doc = _empty(path)
    try:
        doc.size_bytes = path.stat().st_size
        doc.sha256 = file_sha256(path)
    except OSError:
        pass
    return _fail(doc, issue)
