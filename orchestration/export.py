"""Tables out of the warehouse for people who work in Excel, R or pandas.

`export_table` writes one mart (or a query's result) as CSV (UTF-8 with a BOM, so Excel on Chinese Windows
reads the Chinese correctly), Parquet (DuckDB's COPY) or XLSX (Polars + xlsxwriter). `export_bundle` writes
every mart as Parquet with a data dictionary (CSV and Markdown) made from the column comments that each dbt
run writes into the warehouse, zipped for download. Both read the published snapshot, read-only.
"""

from __future__ import annotations

import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from extract.load import has_table

FORMATS = ("csv", "parquet", "xlsx")
BOM = b"\xef\xbb\xbf"
XLSX_MAX_ROWS = 1_048_575  # Excel's sheet limit, less the header row
BUNDLE_SCHEMA = "marts"
DICTIONARY_CSV = "data_dictionary.csv"
DICTIONARY_MD = "data_dictionary.md"
# `table` or `schema.table`; anything else is taken as a query.
_RELATION = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$")
_LABEL_SEPARATOR = " — "


class ExportError(Exception):
    """The export cannot be done as asked (unknown table, bad query, too many rows for Excel)."""


@dataclass(frozen=True)
class Column:
    """One column of a relation with its description as stored in the warehouse."""

    schema: str
    table: str
    name: str
    data_type: str
    comment: str

    @property
    def label_zh(self) -> str:
        """The Chinese label: the description's part before ' — ' (the descriptions read '中文 — English')."""
        return self.comment.split(_LABEL_SEPARATOR, 1)[0].strip() if _LABEL_SEPARATOR in self.comment else ""

    @property
    def meaning(self) -> str:
        return self.comment.split(_LABEL_SEPARATOR, 1)[1].strip() if _LABEL_SEPARATOR in self.comment else self.comment


def source_sql(con: duckdb.DuckDBPyConnection, what: str, current_only: bool = False) -> str:
    """The query behind `what`: a relation (a bare name is looked up in marts) or a SELECT as given."""
    what = what.strip().rstrip(";")
    if _RELATION.match(what):
        schema, _, table = what.rpartition(".")
        schema = schema or BUNDLE_SCHEMA
        if not has_table(con, schema, table):
            raise ExportError(f"no table or view {schema}.{table} in the warehouse")
        sql = f'select * from "{schema}"."{table}"'
        if current_only:
            sql = _only_current(con, schema, table, sql)
        return sql
    if current_only:
        raise ExportError("--current-only applies to a table, not to a query")
    return what


def _only_current(con: duckdb.DuckDBPyConnection, schema: str, table: str, sql: str) -> str:
    """Restrict to reports that are current (marts.dim_report.is_current), when the warehouse has that."""
    names = {c.name for c in columns(con, schema, table)}
    report_columns = {c.name for c in columns(con, BUNDLE_SCHEMA, "dim_report")}
    if "is_current" not in report_columns or "report_id" not in names:
        raise ExportError("--current-only needs marts.dim_report.is_current, which this warehouse does not have")
    return f"{sql} where report_id in (select report_id from marts.dim_report where is_current)"


def columns(con: duckdb.DuckDBPyConnection, schema: str, table: str | None = None) -> list[Column]:
    """The columns of a schema's relations (or one relation), with their stored comments, in order."""
    rows = con.execute(
        """select schema_name, table_name, column_name, data_type, coalesce(comment, '')
           from duckdb_columns() where schema_name = $schema and ($table is null or table_name = $table)
           order by table_name, column_index""",
        {"schema": schema, "table": table},
    ).fetchall()
    return [Column(*row) for row in rows]


def _chinese_headers(con: duckdb.DuckDBPyConnection, what: str, frame: pl.DataFrame) -> pl.DataFrame:
    """Column headers as 'label_zh (code)' where the warehouse has a label for a column of that name."""
    labels: dict[str, str] = {}
    for column in columns(con, BUNDLE_SCHEMA):
        if column.label_zh:
            labels.setdefault(column.name, column.label_zh)
    return frame.rename({name: f"{labels[name]} ({name})" for name in frame.columns if name in labels})


def export_table(warehouse: Path, what: str, fmt: str, output: Path, *, labels_zh: bool = False,
                 current_only: bool = False) -> int:
    """Write `what` (a relation or a query) to `output` in `fmt`; returns the number of rows written."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (expected one of {', '.join(FORMATS)})")
    output.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("set enable_progress_bar = false")
        try:
            sql = source_sql(con, what, current_only)
            if fmt == "xlsx" or labels_zh:
                return _write_frame(con, what, sql, fmt, output, labels_zh)
            return _copy(con, sql, fmt, output)
        except duckdb.Error as err:
            raise ExportError(str(err).splitlines()[0]) from None


def _copy(con: duckdb.DuckDBPyConnection, sql: str, fmt: str, output: Path) -> int:
    """DuckDB's own COPY, streamed (no table held in memory); CSV gets its BOM in front."""
    with tempfile.TemporaryDirectory(dir=output.parent) as tmp:
        staged = Path(tmp) / output.name
        options = "format parquet, compression zstd" if fmt == "parquet" else "format csv, header true"
        con.execute(f"copy ({sql}) to '{_quote(staged)}' ({options})")
        ((rows,),) = con.execute(f"select count(*) from ({sql})").fetchall()
        if fmt == "csv":
            with staged.open("rb") as body, output.open("wb") as out:
                out.write(BOM)
                shutil.copyfileobj(body, out)
        else:
            staged.replace(output)
    return int(rows)


def _write_frame(con: duckdb.DuckDBPyConnection, what: str, sql: str, fmt: str, output: Path,
                 labels_zh: bool) -> int:
    """Through a Polars frame: XLSX, or any format with Chinese headers."""
    frame = con.sql(sql).pl()
    if fmt == "xlsx" and frame.height > XLSX_MAX_ROWS:
        raise ExportError(
            f"{frame.height:,} rows do not fit in one Excel sheet ({XLSX_MAX_ROWS:,}): use csv or parquet"
        )
    if labels_zh:
        frame = _chinese_headers(con, what, frame)
    if fmt == "xlsx":
        frame.write_excel(output, worksheet="data", autofit=True)
    elif fmt == "parquet":
        frame.write_parquet(output)
    else:
        frame.write_csv(output, include_bom=True)
    return frame.height


def _quote(path: Path) -> str:
    return str(path).replace("'", "''")


def dictionary_rows(con: duckdb.DuckDBPyConnection) -> list[Column]:
    """Every column of every mart, for the data dictionary."""
    return columns(con, BUNDLE_SCHEMA)


def _dictionary_markdown(rows: list[Column], tables: dict[str, str]) -> str:
    lines = ["# nianbao data dictionary / 数据字典", ""]
    current = None
    for column in rows:
        if column.table != current:
            current = column.table
            lines += ["", f"## {column.schema}.{column.table}", "", tables.get(column.table, ""), "",
                      "| column | type | 中文 | meaning |", "|---|---|---|---|"]
        meaning = column.meaning.replace("|", "\\|").replace("\n", " ")
        lines.append(f"| `{column.name}` | {column.data_type} | {column.label_zh} | {meaning} |")
    return "\n".join(lines).strip() + "\n"


def export_bundle(warehouse: Path, output: Path) -> tuple[Path, int]:
    """Every mart as Parquet plus the data dictionary, in the folder `output` and as `output`.zip."""
    output.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        con.execute("set enable_progress_bar = false")
        tables = dict(
            con.execute(
                "select table_name, coalesce(comment, '') from duckdb_tables() where schema_name = ? "
                "union all select view_name, coalesce(comment, '') from duckdb_views() where schema_name = ? "
                "order by 1",
                [BUNDLE_SCHEMA, BUNDLE_SCHEMA],
            ).fetchall()
        )
        for table in tables:
            con.execute(f"copy (select * from {BUNDLE_SCHEMA}.\"{table}\") to '{_quote(output / table)}.parquet' "
                        "(format parquet, compression zstd)")
        rows = dictionary_rows(con)
    pl.DataFrame(
        {
            "table": [f"{c.schema}.{c.table}" for c in rows],
            "column": [c.name for c in rows],
            "type": [c.data_type for c in rows],
            "label_zh": [c.label_zh for c in rows],
            "meaning": [c.meaning for c in rows],
        }
    ).write_csv(output / DICTIONARY_CSV, include_bom=True)
    (output / DICTIONARY_MD).write_text(_dictionary_markdown(rows, tables), encoding="utf-8")
    archive = output.with_suffix(".zip")
    with zipfile.ZipFile(archive, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(output.iterdir()):
            zf.write(path, f"{output.name}/{path.name}")
    return archive, len(tables)
