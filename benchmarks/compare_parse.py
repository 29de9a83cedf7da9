"""Parse CPU time of two source trees side by side: two fresh worker processes, one per tree, parse the same files
in interleaved chunks, so both see the same machine load. On a shared machine the CPU time of one run varies by
±10–15 % with the load; runs alternated minutes apart do not cancel that, chunks alternated every few ms do.

    python -m benchmarks.compare_parse OLD_TREE NEW_TREE INBOX [-n 600] [--rounds 3] [--chunk 10]

A tree is a directory holding an `extract/` package (e.g. `git archive <commit> extract | tar -x -C DIR`). Each
round starts fresh workers (memos empty, as for a corpus of new reports) and prints each tree's CPU ms per report.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

READY = "ready"


def worker(inbox: Path, n: int) -> int:
    """Parse the chunks of files asked for on stdin (`start end`), answering each with its CPU seconds."""
    import extract
    from extract.parse import parse_file
    from extract.pipeline import _tune_gc

    _tune_gc()  # as in the pool's workers
    files = _files(inbox, n)
    parse_file(files[0])  # templates and imports loaded before timing
    print(READY, Path(extract.__file__).resolve().parents[1], flush=True)
    for line in sys.stdin:
        start, end = map(int, line.split())
        cpu = time.process_time()
        for path in files[start:end]:
            parse_file(path)
        print(f"{time.process_time() - cpu:.6f}", flush=True)
    return 0


def _files(inbox: Path, n: int) -> list[Path]:
    return sorted(p for p in inbox.iterdir() if p.is_file() and not p.name.endswith(".json"))[:n]


def _start(tree: Path, inbox: Path, n: int) -> subprocess.Popen[str]:
    """A worker importing `extract` from `tree`: run as a script from inside the tree (`python -m` would put the
    working directory, perhaps the repository, first on the path)."""
    env = dict(os.environ, PYTHONPATH=str(tree.resolve()))
    proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--worker", str(inbox.resolve()),
                             "-n", str(n)], cwd=tree, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)
    assert proc.stdout is not None
    answer = proc.stdout.readline().split()
    assert answer[:1] == [READY] and Path(answer[1]) == tree.resolve(), f"worker for {tree} imported {answer[1:]}"
    return proc


def compare(trees: list[Path], inbox: Path, n: int, chunk: int, round_no: int) -> list[float]:
    """CPU ms per report of each tree over one round; the tree that goes first alternates chunk by chunk."""
    procs = [_start(tree, inbox, n) for tree in trees]
    cpu = [0.0] * len(trees)
    count = len(_files(inbox, n))
    for i, start in enumerate(range(0, count, chunk)):
        order = range(len(trees)) if (i + round_no) % 2 == 0 else reversed(range(len(trees)))
        for k in order:
            proc = procs[k]
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(f"{start} {start + chunk}\n")
            proc.stdin.flush()
            cpu[k] += float(proc.stdout.readline())
    for proc in procs:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.wait()
    return [1000 * c / count for c in cpu]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.compare_parse", description=__doc__.split("\n\n")[0])
    ap.add_argument("paths", type=Path, nargs="+", help="OLD_TREE NEW_TREE INBOX (or, with --worker, INBOX)")
    ap.add_argument("-n", type=int, default=600, help="files (the first n by name)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--chunk", type=int, default=10, help="files parsed by one tree before the other's turn")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        return worker(args.paths[0], args.n)
    *trees, inbox = args.paths
    if len(trees) != 2:
        ap.error("give two trees and an inbox")
    for round_no in range(args.rounds):
        ms = compare(trees, inbox, args.n, args.chunk, round_no)
        print(f"round {round_no + 1}: " + "   ".join(f"{tree} {m:.2f} ms CPU/report" for tree, m in zip(trees, ms,
                                                                                                        strict=True))
              + f"   ({100 * (ms[1] / ms[0] - 1):+.1f} %)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
