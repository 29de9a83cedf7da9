"""Where parse time goes: what one pool worker does (`parse_file`, `annotate`, `to_frames` per chunk of 100) over
a sample of report files, in one process, with per-layout CPU times (process time: the machine is shared, so wall
time says little) and optionally cProfile.

    python -m benchmarks.profile_parse INBOX [-n 2000] [--profile OUT.prof]

Layouts are read from the synthetic file names (`000123_digit_run.txt`).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import time
from collections import Counter, defaultdict
from pathlib import Path

from extract.frames import to_frames
from extract.parse import parse_file
from extract.pipeline import _tune_gc
from extract.region import annotate
from extract.template import templates


def layout_of(path: Path) -> str:
    return path.name.split("_", 1)[-1].rsplit(".", 1)[0]


def run(files: list[Path]) -> tuple[dict[str, float], Counter[str], dict[str, float]]:
    """CPU seconds of `parse_file` per layout, files per layout, and CPU seconds of annotate and frames."""
    by_layout: dict[str, float] = defaultdict(float)
    counts: Counter[str] = Counter()
    other = {"annotate": 0.0, "frames": 0.0}
    for i in range(0, len(files), 100):
        docs = []
        for path in files[i:i + 100]:
            start = time.process_time()
            docs.append(parse_file(path))
            by_layout[layout_of(path)] += time.process_time() - start
            counts[layout_of(path)] += 1
        start = time.process_time()
        annotate(docs, templates())
        other["annotate"] += time.process_time() - start
        start = time.process_time()
        to_frames(docs)
        other["frames"] += time.process_time() - start
    return by_layout, counts, other


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.profile_parse", description=__doc__.split("\n\n")[0])
    ap.add_argument("inbox", type=Path)
    ap.add_argument("-n", type=int, default=2000, help="files (the first n by name)")
    ap.add_argument("--profile", type=Path, default=None, help="run under cProfile and write the stats here")
    args = ap.parse_args(argv)
    files = sorted(p for p in args.inbox.iterdir() if p.is_file() and not p.name.endswith(".json"))[:args.n]
    _tune_gc()  # as in the pool's workers
    parse_file(files[0])  # templates and imports loaded before timing
    profiler = cProfile.Profile() if args.profile else None
    start, cpu_start = time.perf_counter(), time.process_time()
    if profiler:
        profiler.enable()
    by_layout, counts, other = run(files)
    if profiler:
        profiler.disable()
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    mode = "under cProfile" if profiler else "unprofiled"
    print(f"{len(files)} files in {cpu:.2f} CPU s ({elapsed:.1f}s wall) {mode}, one process "
          f"({len(files) / cpu:.0f}/CPU s); annotate {other['annotate']:.2f} CPU s, frames {other['frames']:.2f} CPU s")
    parse_cpu = sum(by_layout.values())
    print(f"  {'parse, all':14s} {len(files):6d} {1000 * parse_cpu / len(files):7.2f} ms CPU/report")
    for layout in sorted(by_layout, key=lambda k: -by_layout[k] / counts[k]):
        ms = 1000 * by_layout[layout] / counts[layout]
        print(f"  {layout:14s} {counts[layout]:6d} {ms:7.2f} ms CPU/report {1000 / ms:7.0f}/CPU s")
    if profiler and args.profile:
        profiler.dump_stats(args.profile)
        stats = pstats.Stats(profiler)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
