"""`make fuzz`: a campaign of mutated and crafted inputs through the sandboxed parse, with its figures.

    python -m tests.fuzz.campaign --inputs 10000 [--seeds-per-form 6] [--workers 2] [--big] [--keep DIR]

Every input runs in the pipeline's own sandbox (extract.sandbox: the real per-document time and memory
limits). Printed: inputs by form, escapes (a worker that died: an exception or crash got out of the
parse), internal errors (exceptions the parse caught, each a bug to fix, by where they arose), hangs
(documents over the time limit plus a grace, which the sandbox must never let happen), documents stopped at
a limit (`resource_limit`), lost documents (inputs without a result), peak memory per worker, and the
mutation oracle's violations (a value in another cell than the truth's), with reproducers in --keep.
Exit status 1 when any of escapes, hangs, lost documents or oracle violations is not 0.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from extract.limits import DOC_TIME_LIMIT_SECONDS, WORKER_MEMORY_LIMIT_BYTES
from extract.parse import ParsedDocument, parse_bytes
from extract.sandbox import Sandbox
from tests.fuzz.crafted import cases
from tests.fuzz.mutate import mutate
from tests.fuzz.oracle import misplaced
from tests.fuzz.seeds import FORMS, Seed, seeds

BATCH = 400
# A document may overrun the limit by the time the parent takes to notice and kill its worker.
HANG_GRACE_SECONDS = 5.0


@dataclass
class Figures:
    """The campaign's counts; `ok` when nothing escaped, hung, got lost or was misplaced."""

    inputs: int = 0
    by_form: Counter = field(default_factory=Counter)
    statuses: Counter = field(default_factory=Counter)
    escapes: int = 0
    crashes: int = 0
    internal_errors: Counter = field(default_factory=Counter)
    hangs: int = 0
    resource_limit: int = 0
    lost: int = 0
    mutants_read: int = 0
    oracle_violations: int = 0
    violations_by_form: Counter = field(default_factory=Counter)
    peak_rss_bytes: int = 0
    slowest_seconds: float = 0.0
    seconds: float = 0.0
    crafted_unexpected: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not (self.escapes or self.hangs or self.lost or self.oracle_violations or self.crafted_unexpected)

    def as_dict(self) -> dict[str, object]:
        return {
            "inputs": self.inputs, "by_form": dict(self.by_form), "statuses": dict(self.statuses),
            "escapes": self.escapes, "worker_crashes": self.crashes,
            "internal_errors": sum(self.internal_errors.values()),
            "internal_error_sites": dict(self.internal_errors), "hangs": self.hangs,
            "resource_limit": self.resource_limit, "lost_documents": self.lost,
            "mutants_still_read": self.mutants_read, "oracle_violations": self.oracle_violations,
            "violations_by_form": dict(self.violations_by_form),
            "peak_rss_per_worker_mb": round(self.peak_rss_bytes / 2**20, 1),
            "memory_limit_per_worker_mb": WORKER_MEMORY_LIMIT_BYTES // 2**20,
            "time_limit_seconds": DOC_TIME_LIMIT_SECONDS, "slowest_document_seconds": round(self.slowest_seconds, 1),
            "crafted_unexpected": self.crafted_unexpected, "seconds": round(self.seconds, 1), "ok": self.ok,
        }


@dataclass
class _Input:
    path: Path
    form: str
    seed: Seed | None = None
    how: str = ""
    crafted: object = None


def _write_batch(folder: Path, start: int, count: int, pool: list[Seed], rng: random.Random) -> list[_Input]:
    out = []
    for i in range(start, start + count):
        seed = pool[i % len(pool)]
        data, how = mutate(seed.data, seed.suffix, rng)
        path = folder / f"m{i:06d}_{seed.layout}{seed.suffix}"
        path.write_bytes(data)
        out.append(_Input(path, seed.layout, seed, how))
    return out


def _record(fig: Figures, item: _Input, doc: ParsedDocument, keep: Path | None,
            originals: dict[str, ParsedDocument]) -> None:
    fig.inputs += 1
    fig.by_form[item.form] += 1
    fig.statuses[doc.status] += 1
    code = (doc.error or "").split(":", 1)[0]
    if "resource_limit" in (doc.error or ""):
        fig.resource_limit += 1
    if code == "internal_error":
        site = doc.error.rsplit("(at ", 1)[-1].rstrip(")") if "(at " in doc.error else doc.error[:80]
        fig.internal_errors[site] += 1
        _keep(keep, "internal_error", item, doc.error)
    if item.crafted is not None:
        case = item.crafted
        if doc.status not in case.statuses or (case.error and not (doc.error or "").startswith(case.error)):
            fig.crafted_unexpected.append(f"{case.name}: {doc.status} {doc.error}")
    if item.seed is not None and doc.status != "failed":
        fig.mutants_read += 1
        bad = misplaced(item.seed.truth, originals[item.seed.name], doc, item.how)
        if bad:
            fig.oracle_violations += 1
            fig.violations_by_form[item.form] += 1
            _keep(keep, "misplaced", item, "\n".join([item.how, *bad]))


def _keep(keep: Path | None, kind: str, item: _Input, why: str) -> None:
    """Save a reproducer: the input and why it is one."""
    if keep is None:
        return
    folder = keep / kind
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(item.path, folder / item.path.name)
    (folder / f"{item.path.name}.why.txt").write_text(f"{item.how}\n{why}\n", encoding="utf-8")


def run(inputs: int, seeds_per_form: int, workers: int, big: bool, keep: Path | None, seed: int = 1) -> Figures:
    """The campaign: crafted cases first, then mutants of the seeds until `inputs` documents were read."""
    start = time.monotonic()
    pool = seeds(seeds_per_form)
    originals = {s.name: parse_bytes(s.data, Path(s.name)) for s in pool}
    fig = Figures()
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory(prefix="nianbao-fuzz-") as tmp, Sandbox(workers) as sandbox:
        folder = Path(tmp)
        crafted = []
        for case in cases(big):
            path = folder / case.name
            path.write_bytes(case.make())
            crafted.append(_Input(path, "crafted", crafted=case))
        batches = [crafted]
        done = len(crafted)
        while done < inputs:
            n = min(BATCH, inputs - done)
            batches.append(None)  # written lazily below, so the disk holds one batch at a time
            done += n
        written = len(crafted)
        for batch in batches:
            if batch is None:
                n = min(BATCH, inputs - written)
                batch = _write_batch(folder, written, n, pool, rng)
                written += n
            results = 0
            for item, doc in zip(batch, sandbox.parse([b.path for b in batch]), strict=False):
                results += 1
                _record(fig, item, doc, keep, originals)
            fig.lost += len(batch) - results
            for item in batch:
                item.path.unlink(missing_ok=True)
            print(f"\r{fig.inputs}/{inputs} inputs, {fig.oracle_violations} misplaced, "
                  f"{sum(fig.internal_errors.values())} internal errors", end="", file=sys.stderr, flush=True)
        fig.peak_rss_bytes = sandbox.stats.peak_rss_bytes
        fig.slowest_seconds = sandbox.stats.slowest_seconds
        fig.escapes, fig.crashes = sandbox.stats.escaped, sandbox.stats.crashed
        # the sandbox stops a document at the limit; one that ran past it (plus the time to notice) hung
        fig.hangs = int(fig.slowest_seconds > DOC_TIME_LIMIT_SECONDS + HANG_GRACE_SECONDS)
    print(file=sys.stderr)
    fig.seconds = time.monotonic() - start
    return fig


def report(fig: Figures) -> str:
    """The figures as docs/reliability.md shows them."""
    d = fig.as_dict()
    lines = [
        f"inputs: {d['inputs']} ({', '.join(f'{k} {v}' for k, v in sorted(fig.by_form.items()))})",
        f"statuses: {', '.join(f'{k} {v}' for k, v in sorted(fig.statuses.items()))}",
        f"escapes: {d['escapes']}   hangs: {d['hangs']}   lost documents: {d['lost_documents']}   "
        f"workers ended by a signal: {d['worker_crashes']}",
        f"internal errors caught: {d['internal_errors']} {d['internal_error_sites'] or ''}".rstrip(),
        f"stopped at a limit (resource_limit): {d['resource_limit']}",
        f"mutants still read: {d['mutants_still_read']}, oracle violations (value in another cell): "
        f"{d['oracle_violations']} {d['violations_by_form'] or ''}".rstrip(),
        f"peak memory per worker: {d['peak_rss_per_worker_mb']} MB (limit {d['memory_limit_per_worker_mb']} MB); "
        f"slowest document {d['slowest_document_seconds']} s (limit {d['time_limit_seconds']:g} s)",
        f"crafted cases off their expected outcome: {len(fig.crafted_unexpected)}",
        *(f"  {c}" for c in fig.crafted_unexpected),
        f"time: {d['seconds']} s",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=10_000)
    parser.add_argument("--seeds-per-form", type=int, default=6, help=f"seed reports per form ({', '.join(FORMS)})")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--big", action="store_true", help="include the crafted files of tens of megabytes")
    parser.add_argument("--keep", type=Path, help="folder for reproducers (internal errors, misplaced values)")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)
    fig = run(args.inputs, args.seeds_per_form, args.workers, args.big, args.keep, args.seed)
    print(json.dumps(fig.as_dict(), ensure_ascii=False) if args.json else report(fig))
    return 0 if fig.ok else 1


if __name__ == "__main__":
    sys.exit(main())
