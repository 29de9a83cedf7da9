"""The `raw` schema: the contract between the extractor and everything downstream.

Each table exists twice here, as a Polars schema (what the parser produces) and as DuckDB DDL (what the
loader creates); both are derived from one column list so they cannot drift apart.
"""

from __future__ import annotations

import polars as pl

DECIMAL = pl.Decimal(18, 4)

# (column, polars dtype, duckdb type, description)
TABLES: dict[str, list[tuple[str, pl.DataType, str, str]]] = {
    "documents": [
        ("path", pl.String, "VARCHAR NOT NULL", "input file path as given (absolute)"),
        ("file_name", pl.String, "VARCHAR NOT NULL", "file name"),
        ("sha256", pl.String, "VARCHAR NOT NULL", "content hash of the file bytes"),
        ("size_bytes", pl.Int64, "BIGINT NOT NULL", "file size in bytes"),
        ("mtime_ns", pl.Int64, "BIGINT", "file modification time (ns) when loaded: unchanged files skip hashing"),
        ("ctime_ns", pl.Int64, "BIGINT", "file status-change time (ns) when loaded: with size and mtime, "
         "unchanged files skip hashing"),
        ("source_form", pl.String, "VARCHAR", "text, markdown, html, docx, pdf, doc"),
        ("encoding", pl.String, "VARCHAR", "detected text encoding (null for binary forms)"),
        ("layout", pl.String, "VARCHAR", "how the tables were flattened (tab_rows, cell_per_line, grid, ...)"),
        ("status", pl.String, "VARCHAR NOT NULL", "parsed, partial or failed"),
        ("error", pl.String, "VARCHAR", "why the document failed or is partial"),
        ("report_id", pl.String, "VARCHAR", "report parsed from it (null when failed)"),
        ("loaded_at", pl.Datetime("us"), "TIMESTAMP NOT NULL", "when this version was loaded"),
    ],
    "reports": [
        ("report_id", pl.String, "VARCHAR NOT NULL", "stable id of the report: sha256 of its file"),
        ("sha256", pl.String, "VARCHAR NOT NULL", "content hash of the file"),
        ("file_name", pl.String, "VARCHAR NOT NULL", "file name it was read from"),
        ("agency", pl.String, "VARCHAR", "publishing agency, the fullest name the text gives"),
        ("year", pl.Int32, "INTEGER", "report year"),
        ("template", pl.String, "VARCHAR", "F2019 or F2021"),
        ("variant", pl.String, "VARCHAR", "national or beijing"),
        ("admin_level", pl.String, "VARCHAR", "administrative level where the text allows"),
        ("province", pl.String, "VARCHAR", "province name where the text allows"),
        ("city", pl.String, "VARCHAR", "city name where the text allows"),
        ("county", pl.String, "VARCHAR", "county/district name where the text allows"),
        ("tables_found", pl.String, "VARCHAR", "comma-separated table codes found"),
        ("signed_by", pl.String, "VARCHAR", "name the report is signed with (line above the closing date)"),
        ("publisher", pl.String, "VARCHAR", "发布机构 of a crawled page's header"),
        ("source_domain", pl.String, "VARCHAR", "host of a crawled page's 原文链接, without www."),
        ("published_on", pl.Date, "DATE", "发布时间 of a crawled page's header"),
    ],
    "cells": [
        ("report_id", pl.String, "VARCHAR NOT NULL", "report"),
        ("table_code", pl.String, "VARCHAR NOT NULL", "disclosure, applications, review_litigation"),
        ("row_code", pl.String, "VARCHAR NOT NULL", "row code of the spec"),
        ("col_code", pl.String, "VARCHAR NOT NULL", "column code of the spec"),
        ("value", DECIMAL, "DECIMAL(18,4)", "value; null = not reported"),
        ("raw_text", pl.String, "VARCHAR", "cell text as printed"),
        ("line", pl.Int32, "INTEGER", "source line (text forms)"),
        ("page", pl.Int32, "INTEGER", "source page (pdf)"),
        ("table_index", pl.Int32, "INTEGER", "source table index (html, docx, pdf)"),
        ("row_index", pl.Int32, "INTEGER", "source row index within the table"),
        ("col_index", pl.Int32, "INTEGER", "source column index within the row"),
        ("bbox", pl.String, "VARCHAR", "cell box x0,top,x1,bottom (pdf)"),
    ],
    "parse_issues": [
        ("sha256", pl.String, "VARCHAR NOT NULL", "document content hash"),
        ("report_id", pl.String, "VARCHAR", "report (null when the document failed)"),
        ("issue_code", pl.String, "VARCHAR NOT NULL", "stable code, e.g. table_not_found"),
        ("severity", pl.String, "VARCHAR NOT NULL", "error, warning or info"),
        ("table_code", pl.String, "VARCHAR", "table concerned"),
        ("row_code", pl.String, "VARCHAR", "row concerned"),
        ("col_code", pl.String, "VARCHAR", "column concerned"),
        ("line", pl.Int32, "INTEGER", "source line"),
        ("detail", pl.String, "VARCHAR", "human-readable explanation"),
    ],
    "narrative_facts": [
        ("report_id", pl.String, "VARCHAR NOT NULL", "report"),
        ("fact_code", pl.String, "VARCHAR NOT NULL", "applications_received, proactive_items, ..."),
        ("value", DECIMAL, "DECIMAL(18,4)", "the number stated"),
        ("is_lower_bound", pl.Boolean, "BOOLEAN NOT NULL", "true for approximate figures such as 5500余条"),
        ("sentence", pl.String, "VARCHAR NOT NULL", "the sentence it came from"),
        ("line", pl.Int32, "INTEGER", "source line"),
    ],
    "agency_names": [
        ("report_id", pl.String, "VARCHAR NOT NULL", "report"),
        ("role", pl.String, "VARCHAR NOT NULL", "where the report gives the name: title, signature, publisher"),
        ("name", pl.String, "VARCHAR NOT NULL", "the name as printed"),
        ("body", pl.String, "VARCHAR NOT NULL", "the body it names, canonical form (东湖街道, 人民政府, 教育局)"),
        ("admin_level", pl.String, "VARCHAR", "administrative level from the name's structure"),
        ("province", pl.String, "VARCHAR", "province from the gazetteer"),
        ("city", pl.String, "VARCHAR", "city from the gazetteer"),
        ("county", pl.String, "VARCHAR", "county/district from the gazetteer"),
        ("region_ambiguous", pl.Boolean, "BOOLEAN NOT NULL",
         "a county name printed alone that several provinces share"),
    ],
    "report_sections": [
        ("report_id", pl.String, "VARCHAR NOT NULL", "report"),
        ("section_code", pl.String, "VARCHAR NOT NULL", "overview, disclosure, applications, review_litigation, "
         "problems, other_matters"),
        ("text", pl.String, "VARCHAR NOT NULL", "the section's prose, tables left out"),
    ],
}


# 装载序号 — the load batch that wrote a report's rows, a column of every table of report rows, written by the
# loader (not by the parser): one value per batch, above every value already in the warehouse, and the same on
# all of a report's rows (a report's rows are inserted and deleted as a whole). Report ids are content hashes, so
# DuckDB's zone maps (min/max per row group) cannot skip rows by report id; they can by load_seq, which grows
# with the table. dbt's incremental marts add `load_seq >= <the build scope's lowest>` to their report filter.
# Rows loaded before the column existed get 0, a value below every batch's.
LOAD_SEQ = ("load_seq", "BIGINT NOT NULL DEFAULT 0", "load batch that wrote the row (0 before batches were numbered)")
# The tables of report rows: a report's rows in them are written and removed together.
REPORT_TABLES = ("reports", "cells", "narrative_facts", "agency_names", "report_sections")


def warehouse_columns(table: str) -> list[tuple[str, str]]:
    """(column, duckdb type) of a raw table in the warehouse: the parser's columns, then those the loader writes."""
    columns = [(name, sqltype) for name, _, sqltype, _ in TABLES[table]]
    return columns + ([LOAD_SEQ[:2]] if table in REPORT_TABLES else [])


def polars_schema(table: str) -> dict[str, pl.DataType]:
    """The Polars schema of a raw table."""
    return {name: dtype for name, dtype, _, _ in TABLES[table]}


def duckdb_ddl(table: str, schema: str = "raw") -> str:
    """CREATE TABLE statement for a raw table."""
    cols = ",\n  ".join(f"{name} {sqltype}" for name, sqltype in warehouse_columns(table))
    return f"CREATE TABLE IF NOT EXISTS {schema}.{table} (\n  {cols}\n)"


def missing_columns(table: str, existing: set[str]) -> list[str]:
    """ALTER statements adding columns a warehouse made by an older version lacks. Their rows get null, or the
    DEFAULT where there is one (load_seq 0), and then such a column is NOT NULL as in a new warehouse."""
    statements = []
    for name, sqltype in warehouse_columns(table):
        if name not in existing:
            statements.append(f"ALTER TABLE raw.{table} ADD COLUMN {name} {sqltype.replace(' NOT NULL', '')}")
            if "NOT NULL" in sqltype and "DEFAULT" in sqltype:
                statements.append(f"ALTER TABLE raw.{table} ALTER COLUMN {name} SET NOT NULL")
    return statements


def empty_frame(table: str) -> pl.DataFrame:
    """An empty frame with the table's schema."""
    return pl.DataFrame(schema=polars_schema(table))
