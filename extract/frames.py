"""Parsed documents as Polars frames with the `raw` schema (see `extract.schema`)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import polars as pl

from extract.agency import name_rows
from extract.guard import storable
from extract.parse import ParsedDocument
from extract.schema import polars_schema
from extract.template import templates
from extract.transfer import cell_columns

# `raw.cells` is built from columns: each of its columns but report_id is one of `CellColumns` (the value as
# `raw` stores it, as text, cast by Polars), extended per document.
CELL_SOURCES = {"table_code": "table", "row_code": "row", "col_code": "col", "value": "stored", "raw_text": "raw",
                "line": "line", "page": "page", "table_index": "table_index", "row_index": "row_index",
                "col_index": "col_index", "bbox": "bbox"}
# The other tables a document adds many rows to are built from tuples in their schema's column order (a dict per
# row costs more than the row's own conversion); the few rows per document stay named.
ISSUE_COLUMNS = ("sha256", "report_id", "issue_code", "severity", "table_code", "row_code", "col_code", "line",
                 "detail")
FACT_COLUMNS = ("report_id", "fact_code", "value", "is_lower_bound", "sentence", "line")
SECTION_COLUMNS = ("report_id", "section_code", "text")
TUPLE_COLUMNS = {"parse_issues": ISSUE_COLUMNS, "narrative_facts": FACT_COLUMNS,
                 "report_sections": SECTION_COLUMNS}
TABLES = ("documents", "reports", "cells", "parse_issues", "narrative_facts", "agency_names", "report_sections")


def to_frames(docs: list[ParsedDocument], loaded_at: datetime | None = None) -> dict[str, pl.DataFrame]:
    """One frame per raw table for a batch of parsed documents."""
    loaded_at = loaded_at or datetime.now(UTC).replace(tzinfo=None)
    rows: dict[str, list[Any]] = {t: [] for t in TABLES if t != "cells"}
    issues, facts, sections = (rows[t] for t in ("parse_issues", "narrative_facts", "report_sections"))
    cells: dict[str, list[Any]] = {"report_id": [], **{column: [] for column in CELL_SOURCES}}
    seen: set[str] = set()
    for d in docs:
        report_id, sha256 = d.report_id, d.sha256
        rows["documents"].append({
            "path": d.path, "file_name": d.file_name, "sha256": sha256, "size_bytes": d.size_bytes,
            "mtime_ns": d.mtime_ns, "ctime_ns": d.ctime_ns,
            "source_form": d.source_form, "encoding": d.encoding, "layout": d.layout, "status": d.status,
            "error": d.error, "report_id": report_id, "loaded_at": loaded_at,
        })
        issues.extend((sha256, report_id, i.code, i.severity, i.table, i.row, i.col, i.line, i.detail)
                      for i in d.issues)
        if d.report is None or report_id in seen:
            continue
        seen.add(report_id)
        r = d.report
        rows["reports"].append({
            "report_id": report_id, "sha256": sha256, "file_name": d.file_name, "agency": r["agency"],
            "year": r["year"], "template": r["template"], "variant": r["variant"],
            "admin_level": r.get("admin_level"), "province": r.get("province"), "city": r.get("city"),
            "county": r.get("county"), "tables_found": ",".join(r["tables_found"]),
            **{k: r.get(k) for k in ("signed_by", "publisher", "source_domain")},
            "published_on": date.fromisoformat(r["published_on"]) if r.get("published_on") else None,
        })
        rows["agency_names"].extend(name_rows(report_id, r, templates()))
        sections.extend((report_id, code, text) for code, text in d.sections.items())
        packed = cell_columns(d.cells)
        cells["report_id"].extend([report_id] * len(packed))
        for column, attribute in CELL_SOURCES.items():
            cells[column].extend(getattr(packed, attribute))
        facts.extend((report_id, f.code, storable(f.value), f.is_lower_bound, f.sentence, f.line) for f in d.facts)
    return {**{t: _frame(t, r) for t, r in rows.items()}, "cells": _cells_frame(cells)}


def _frame(table: str, rows: list[Any]) -> pl.DataFrame:
    schema = polars_schema(table)
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def _cells_frame(columns: dict[str, list[Any]]) -> pl.DataFrame:
    schema = polars_schema("cells")
    frame = pl.DataFrame(columns, schema={**schema, "value": pl.String})
    return frame.with_columns(pl.col("value").cast(schema["value"])).select(list(schema))
