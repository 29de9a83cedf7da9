"""Where parse time goes, by sampling: every few ms of the process's CPU time (`ITIMER_PROF`), the function
running and the functions below it on the stack are counted. Unlike cProfile, nothing runs per call, so code
that makes many small calls is not inflated; the shares are of CPU time.

    python -m benchmarks.sample_parse INBOX [-n 600] [--passes 3] [--top 40]

Each pass parses the same files, so from the second pass on the per-process memos answer what the first pass
computed: read one pass for a corpus of new reports.
"""

from __future__ import annotations

import argparse
import signal
from collections import Counter
from pathlib import Path
from types import FrameType

from extract.parse import parse_file
from extract.pipeline import _tune_gc

# The sampling interval asked for; the kernel's timer tick (often 4 ms) bounds it from below.
INTERVAL_S = 0.0005


def frame_name(frame: FrameType) -> str:
    """`file:function`, and for comprehensions and generated `__init__`s the line they run from."""
    code = frame.f_code
    name = f"{Path(code.co_filename).name}:{code.co_name}"
    if (code.co_name.startswith("<") or code.co_name == "__init__") and frame.f_back is not None:
        back = frame.f_back
        name += f" (from {Path(back.f_code.co_filename).name}:{back.f_lineno})"
    return name


class Sampler:
    """Counts, per sample, the function running (self) and every function on its stack once (inclusive)."""

    def __init__(self) -> None:
        self.samples = 0
        self.own: Counter[str] = Counter()
        self.inclusive: Counter[str] = Counter()

    def take(self, _signum: int, frame: FrameType | None) -> None:
        self.samples += 1
        seen: set[str] = set()
        if frame is not None:
            self.own[frame_name(frame)] += 1
        while frame is not None:
            name = frame_name(frame)
            if name not in seen:
                seen.add(name)
                self.inclusive[name] += 1
            frame = frame.f_back

    def report(self, top: int) -> None:
        print(f"{self.samples} samples of CPU time")
        for title, counts in (("inclusive", self.inclusive), ("own", self.own)):
            print(f"--- {title}")
            for name, n in counts.most_common(top):
                print(f"{100 * n / self.samples:5.1f} %  {name}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.sample_parse", description=__doc__.split("\n\n")[0])
    ap.add_argument("inbox", type=Path)
    ap.add_argument("-n", type=int, default=600, help="files (the first n by name)")
    ap.add_argument("--passes", type=int, default=1, help="passes over the files (more samples, warmer memos)")
    ap.add_argument("--top", type=int, default=40)
    args = ap.parse_args(argv)
    files = sorted(p for p in args.inbox.iterdir() if p.is_file() and not p.name.endswith(".json"))[:args.n]
    _tune_gc()  # as in the pool's workers
    parse_file(files[0])  # templates and imports loaded before sampling
    sampler = Sampler()
    signal.signal(signal.SIGPROF, sampler.take)
    signal.setitimer(signal.ITIMER_PROF, INTERVAL_S, INTERVAL_S)
    try:
        for _ in range(args.passes):
            for path in files:
                parse_file(path)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0, 0)
    sampler.report(args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
