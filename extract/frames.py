"""Parsed documents as Polars frames with the `raw` schema (see `extract.schema`)."""

from __future__ import annotations

from datetime import UTC, date, datetime

import polars as pl

from extract.agency import name_rows
from extract.guard import storable
from extract.parse import ParsedDocument
from extract.schema import polars_schema
from extract.template import templates


def to_frames(docs: list[ParsedDocument], loaded_at: datetime | None = None) -> dict[str, pl.DataFrame]:
    """One frame per raw table for a batch of parsed documents."""
    loaded_at = loaded_at or datetime.now(UTC).replace(tzinfo=None)
    rows: dict[str, list[dict[str, object]]] = {t: [] for t in
                                                ("documents", "reports", "cells", "parse_issues",
                                                 "narrative_facts", "agency_names", "report_sections")}
    seen: set[str] = set()
    for d in docs:
        rows["documents"].append({
            "path": d.path, "file_name": d.file_name, "sha256": d.sha256, "size_bytes": d.size_bytes,
            "mtime_ns": d.mtime_ns, "ctime_ns": d.ctime_ns,
            "source_form": d.source_form, "encoding": d.encoding, "layout": d.layout, "status": d.status,
            "error": d.error, "report_id": d.report_id, "loaded_at": loaded_at,
        })
        for i in d.issues:
            rows["parse_issues"].append({
                "sha256": d.sha256, "report_id": d.report_id, "issue_code": i.code, "severity": i.severity,
                "table_code": i.table, "row_code": i.row, "col_code": i.col, "line": i.line,
                "detail": i.detail,
            })
        if d.report is None or d.report_id in seen:
            continue
        seen.add(d.report_id)
        r = d.report
        rows["reports"].append({
            "report_id": d.report_id, "sha256": d.sha256, "file_name": d.file_name, "agency": r["agency"],
            "year": r["year"], "template": r["template"], "variant": r["variant"],
            "admin_level": r.get("admin_level"), "province": r.get("province"), "city": r.get("city"),
            "county": r.get("county"), "tables_found": ",".join(r["tables_found"]),
            **{k: r.get(k) for k in ("signed_by", "publisher", "source_domain")},
            "published_on": date.fromisoformat(r["published_on"]) if r.get("published_on") else None,
        })
        rows["agency_names"].extend(name_rows(d.report_id, r, templates()))
        rows["report_sections"].extend({"report_id": d.report_id, "section_code": code, "text": text}
                                       for code, text in d.sections.items())
        for c in d.cells:
            rows["cells"].append({
                "report_id": d.report_id, "table_code": c.table, "row_code": c.row, "col_code": c.col,
                "value": storable(c.value), "raw_text": c.raw, **c.source.provenance(),
            })
        for f in d.facts:
            rows["narrative_facts"].append({
                "report_id": d.report_id, "fact_code": f.code, "value": storable(f.value),
                "is_lower_bound": f.is_lower_bound, "sentence": f.sentence, "line": f.line,
            })
    return {t: pl.DataFrame(r, schema=polars_schema(t), orient="row") if r else
            pl.DataFrame(schema=polars_schema(t)) for t, r in rows.items()}
