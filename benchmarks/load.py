"""The load beside DuckDB's own bulk insert (issue 15): one batch of parsed documents written into a warehouse,
measured in the same run as the floor, the same frames inserted with nothing else.

    python -m benchmarks.load WAREHOUSE INBOX [-n 2000] [--rounds 3]

INBOX's first `n` files are parsed once. Each round then builds the batch's frames (`to_frames`) and writes them
with `replace_documents` inside a transaction that is rolled back, so WAREHOUSE (a copy: it is opened for
writing) is left as it was and every round sees the same warehouse size. The floor inserts the same frames'
rows into the raw tables, in a transaction rolled back too. The first round includes Polars' start-up.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

import duckdb
import polars as pl

from extract.frames import to_frames
from extract.load import replace_documents
from extract.parse import parse_file


def _timed(con: duckdb.DuckDBPyConnection, work: Callable[[], object]) -> tuple[float, float]:
    """(wall s, CPU s) of `work` inside a transaction that is rolled back."""
    con.execute("BEGIN TRANSACTION")
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        work()
        return time.perf_counter() - wall, time.process_time() - cpu
    finally:
        con.execute("ROLLBACK")


def _insert_only(con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame]) -> None:
    for table, frame in frames.items():
        con.register("floor_rows", frame)
        con.execute(f"INSERT INTO raw.{table} BY NAME SELECT * FROM floor_rows")
        con.unregister("floor_rows")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("warehouse", type=Path)
    parser.add_argument("inbox", type=Path)
    parser.add_argument("-n", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    docs = [parse_file(p) for p in sorted(args.inbox.iterdir())[: args.n] if p.is_file()]
    with duckdb.connect(str(args.warehouse)) as con:
        reports = con.execute("SELECT count(*) FROM raw.reports").fetchone()[0]
        print(f"{len(docs)} documents into a warehouse of {reports:,} reports")
        for _ in range(args.rounds):
            start = time.process_time()
            frames = to_frames(docs)
            build = time.process_time() - start
            write_wall, write_cpu = _timed(con, lambda frames=frames: replace_documents(con, frames))
            floor_wall, floor_cpu = _timed(con, lambda frames=frames: _insert_only(con, frames))
            print(f"frames {build:.3f} CPU s | write {write_wall:.3f} s ({write_cpu:.3f} CPU s) | "
                  f"floor, the inserts alone {floor_wall:.3f} s ({floor_cpu:.3f} CPU s) | "
                  f"write / floor {write_cpu / floor_cpu:.2f}×, frames and write / floor "
                  f"{(build + write_cpu) / floor_cpu:.2f}× CPU")


if __name__ == "__main__":
    main()
