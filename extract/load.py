"""Loading parsed documents into the DuckDB `raw` schema: idempotent by content hash, one transaction
per batch, and the only place that writes `raw`."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from extract.schema import LOAD_SEQ, REPORT_TABLES, TABLES, duckdb_ddl, missing_columns

__all__ = ["REPORT_TABLES"]  # re-exported: the staging area splits frames by it


@dataclass(frozen=True)
class Known:
    """What the warehouse recorded of a file: its hash, size and the times it had when loaded."""

    sha256: str
    size_bytes: int
    mtime_ns: int | None
    ctime_ns: int | None

    def unchanged(self, size: int, mtime_ns: int, ctime_ns: int) -> bool:
        """The file is the one loaded, without reading it: size and both times as recorded. ctime cannot be
        set back by a user, so an edit in place to the same size with the mtime restored is still seen."""
        return None not in (self.mtime_ns, self.ctime_ns) and (self.size_bytes, self.mtime_ns, self.ctime_ns) == (
            size, mtime_ns, ctime_ns)


class WarehouseError(RuntimeError):
    """The warehouse cannot be opened for writing (locked by another process, or not writable)."""


def connect(warehouse: Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse, turning DuckDB's lock and permission errors into one readable line."""
    try:
        if not read_only:
            warehouse.parent.mkdir(parents=True, exist_ok=True)
        return duckdb.connect(str(warehouse), read_only=read_only)
    except duckdb.IOException as exc:
        msg = str(exc)
        if "lock" in msg.lower():
            raise WarehouseError(f"warehouse {warehouse} is locked by another process; "
                                 "wait for it to finish or close it") from exc
        raise WarehouseError(f"cannot open warehouse {warehouse}: {msg.splitlines()[0]}") from exc
    except OSError as exc:
        raise WarehouseError(f"cannot write warehouse {warehouse}: {exc.strerror or exc}") from exc


def has_table(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    """Whether the warehouse has this table or view (the one test every stage uses on a warehouse of any age)."""
    # fetchall, not fetchone: DuckDB 2 refuses new work on a connection with an unfinished result.
    ((count,),) = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?", [schema, table]
    ).fetchall()
    return bool(count)


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the raw tables, and add any column a warehouse made by an older version lacks."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for table in TABLES:
        con.execute(duckdb_ddl(table))
        existing = {c for (c,) in con.execute("SELECT column_name FROM information_schema.columns "
                                              "WHERE table_schema = 'raw' AND table_name = ?", [table]).fetchall()}
        for statement in missing_columns(table, existing):
            con.execute(statement)


def known_documents(warehouse: Path) -> dict[str, Known]:
    """path → what was recorded of every document already loaded (empty for a new warehouse)."""
    if not warehouse.exists():
        return {}
    con = connect(warehouse, read_only=True)
    try:
        if not has_table(con, "raw", "documents"):
            return {}
        columns = {c for (c,) in con.execute("SELECT column_name FROM information_schema.columns "
                                             "WHERE table_schema = 'raw' AND table_name = 'documents'").fetchall()}
        times = ", ".join(c if c in columns else "NULL" for c in ("mtime_ns", "ctime_ns"))
        rows = con.execute(f"SELECT path, sha256, size_bytes, {times} FROM raw.documents").fetchall()
        return {path: Known(sha, size, mt, ct) for path, sha, size, mt, ct in rows}
    finally:
        con.close()


def write_batch(con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame]) -> tuple[set[str], set[str]]:
    """Replace the batch's documents and add their reports in one transaction.

    Returns (report ids added, report ids removed because no document refers to them any more).
    """
    con.execute("BEGIN TRANSACTION")
    try:
        changes = replace_documents(con, frames)
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise
    return changes


def replace_documents(con: duckdb.DuckDBPyConnection,
                      frames: dict[str, pl.DataFrame]) -> tuple[set[str], set[str]]:
    """The writes of one batch inside the caller's transaction: its documents replace the rows of their
    paths, a report is added only when the warehouse lacks it (a content is loaded once), a document's
    issues replace those of its content, and reports no document refers to any more are removed.

    Returns (report ids added, report ids removed).
    """
    docs = frames["documents"]
    con.register("batch_documents", docs)
    replaced = con.execute("SELECT DISTINCT report_id, sha256 FROM raw.documents "
                           "WHERE path IN (SELECT path FROM batch_documents)").fetchall()
    added = set(frames["reports"]["report_id"].to_list()) - _present(con, "reports", "report_id",
                                                                      frames["reports"]["report_id"].to_list())
    con.execute("DELETE FROM raw.documents WHERE path IN (SELECT path FROM batch_documents)")
    con.execute("INSERT INTO raw.documents BY NAME SELECT * FROM batch_documents")
    load_seq = next_load_seq(con) if added else 0
    for table in REPORT_TABLES:
        frame = frames[table].filter(pl.col("report_id").is_in(sorted(added))) \
            .with_columns(pl.lit(load_seq, dtype=pl.Int64).alias(LOAD_SEQ[0]))
        con.register("batch_rows", frame)
        con.execute(f"INSERT INTO raw.{table} BY NAME SELECT * FROM batch_rows")
        con.unregister("batch_rows")
    issues = frames["parse_issues"]
    con.register("batch_issues", issues)
    con.execute("DELETE FROM raw.parse_issues WHERE sha256 IN (SELECT DISTINCT sha256 FROM batch_issues)")
    con.execute("INSERT INTO raw.parse_issues BY NAME SELECT * FROM batch_issues")
    # only the replaced documents' reports and contents can have lost their last document
    old_reports = sorted({r for r, _ in replaced if r is not None})
    removed = set(old_reports) - _present(con, "documents", "report_id", old_reports)
    for table in REPORT_TABLES:
        con.execute(f"DELETE FROM raw.{table} WHERE report_id IN (SELECT unnest(?::VARCHAR[]))",
                    [sorted(removed)])
    old_contents = sorted({sha for _, sha in replaced})
    gone = sorted(set(old_contents) - _present(con, "documents", "sha256", old_contents))
    con.execute("DELETE FROM raw.parse_issues WHERE sha256 IN (SELECT unnest(?::VARCHAR[]))", [gone])
    con.unregister("batch_documents")
    con.unregister("batch_issues")
    return added, removed


# Columns of raw.documents that only let the next run skip reading an unchanged file: no model reads them.
FILE_STAT_COLUMNS = ("mtime_ns", "ctime_ns")


def raw_state(con: duckdb.DuckDBPyConnection) -> str:
    """A digest of `raw` as the models read it, to tell whether the marts built from it are still current.

    Every write to `raw` replaces or deletes document rows (a load writes each document it read with its load
    time; a report's rows come and go with its documents), so the row count of each table and an
    order-free hash of the documents' rows change with any load or removal. Recording a file's times
    (`record_mtimes`) does not change it. One pass over the documents, one count per table.
    """
    counted = " union all ".join(f"select '{table}', count(*) from raw.{table}" for table in TABLES)
    counts = sorted(con.execute(counted).fetchall())
    hashed = ", ".join(f'"{name}"' for name, *_ in TABLES["documents"] if name not in FILE_STAT_COLUMNS)
    ((documents,),) = con.execute(f"select coalesce(bit_xor(hash({hashed})), 0) from raw.documents").fetchall()
    return hashlib.sha256(repr((counts, documents)).encode()).hexdigest()


def next_load_seq(con: duckdb.DuckDBPyConnection) -> int:
    """The load_seq of the batch being written: one above every report's already in the warehouse (a report's
    rows all carry its batch's value, so raw.reports alone says the highest)."""
    ((highest,),) = con.execute(f"SELECT coalesce(max({LOAD_SEQ[0]}), 0) FROM raw.reports").fetchall()
    return int(highest) + 1


def _present(con: duckdb.DuckDBPyConnection, table: str, column: str, keys: list[str]) -> set[str]:
    """Which of `keys` a raw table holds in `column` (a semi-join: the batch's keys, not the table's, come
    back to Python, so a batch costs the same at any warehouse size)."""
    if not keys:
        return set()
    return {k for (k,) in con.execute(f"SELECT DISTINCT {column} FROM raw.{table} "
                                      f"WHERE {column} IN (SELECT unnest(?::VARCHAR[]))", [keys]).fetchall()}


def record_mtimes(con: duckdb.DuckDBPyConnection, touched: list[tuple[str, int, int]]) -> None:
    """Record the modification and status-change times of files found unchanged by their hash, so the
    next run skips them without reading them."""
    if not touched:
        return
    frame = pl.DataFrame(touched, schema={"path": pl.String, "mtime_ns": pl.Int64, "ctime_ns": pl.Int64},
                         orient="row")
    con.register("touched_files", frame)
    con.execute("UPDATE raw.documents SET mtime_ns = t.mtime_ns, ctime_ns = t.ctime_ns FROM touched_files t "
                "WHERE raw.documents.path = t.path")
    con.unregister("touched_files")
