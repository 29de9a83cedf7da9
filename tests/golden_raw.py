"""Load the golden fixtures into a DuckDB `raw` schema, independently of the parser.

The golden files (`tests/fixtures/golden/<file>.json`) are the hand-checked truth for the sample reports in
`data/inbox/`. This helper writes them into the same `raw` tables the extractor writes (DDL from
`extract/schema.py`, the contract), so that dbt models and their tests can be checked against known values
without depending on the parser.

What the golden files do not hold is synthesised and documented here: `raw_text` is the value's canonical
text (null for a null cell), source positions are null, every document is `parsed`, a table whose golden
confidence is not `exact` gets one `warning` parse issue, and narrative facts carry a placeholder sentence.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

from extract.schema import TABLES, duckdb_ddl

REPO = Path(__file__).resolve().parents[1]
GOLDEN_DIR = REPO / "tests" / "fixtures" / "golden"
INBOX_DIR = REPO / "data" / "inbox"
RAW_TABLES = tuple(TABLES)  # every table of the extractor's contract (those the golden files lack stay empty)
# Printed order of the three tables, as in the spec.
TABLE_ORDER = ("disclosure", "applications", "review_litigation")


@dataclass
class GoldenReport:
    """One golden fixture: the truth for one sample file."""

    file_name: str
    path: Path
    sha256: str
    size_bytes: int
    agency: str | None
    year: int | None
    template: str | None
    variant: str | None
    cells: dict[str, dict[str, dict[str, Any]]]
    narrative: dict[str, Any] = field(default_factory=dict)
    confidence: dict[str, str] = field(default_factory=dict)

    @property
    def report_id(self) -> str:
        """The report id: the sha256 of the file bytes."""
        return self.sha256

    def cell(self, table: str, row: str, col: str) -> Decimal | None:
        """The golden value of one cell (None when not reported)."""
        return to_decimal(self.cells[table][row][col])


def to_decimal(value: Any) -> Decimal | None:
    """A JSON number as an exact Decimal (None stays None)."""
    return None if value is None else Decimal(str(value))


def read_golden(golden_dir: Path = GOLDEN_DIR, inbox_dir: Path = INBOX_DIR) -> list[GoldenReport]:
    """Read every golden fixture, hashing the inbox file it describes."""
    reports = []
    for fixture in sorted(golden_dir.glob("*.json")):
        data = json.loads(fixture.read_text(encoding="utf-8"))
        source = inbox_dir / data["file"]
        content = source.read_bytes()
        reports.append(
            GoldenReport(
                file_name=data["file"],
                path=source.resolve(),
                sha256=hashlib.sha256(content).hexdigest(),
                size_bytes=len(content),
                agency=data.get("agency"),
                year=data.get("year"),
                template=data.get("template"),
                variant=data.get("variant"),
                cells=data["cells"],
                narrative=data.get("narrative") or {},
                confidence=data.get("confidence") or {},
            )
        )
    if not reports:
        raise FileNotFoundError(f"no golden fixtures in {golden_dir}")
    return reports


def _raw_text(value: Decimal | None) -> str | None:
    """Canonical text of a value (the golden files do not keep the printed text)."""
    if value is None:
        return None
    return format(value.normalize(), "f") if value != value.to_integral_value() else str(int(value))


def raw_rows(report: GoldenReport, loaded_at: datetime) -> dict[str, list[tuple[Any, ...]]]:
    """The rows of every raw table for one golden report, in `extract.schema` column order."""
    rid = report.report_id
    tables_found = [t for t in TABLE_ORDER if t in report.cells]
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in RAW_TABLES}
    rows["documents"].append(
        {
            "path": str(report.path),
            "file_name": report.file_name,
            "sha256": report.sha256,
            "size_bytes": report.size_bytes,
            "source_form": "text",
            "encoding": "utf-8",
            "status": "parsed",
            "report_id": rid,
            "loaded_at": loaded_at,
        }
    )
    rows["reports"].append(
        {
            "report_id": rid,
            "sha256": report.sha256,
            "file_name": report.file_name,
            "agency": report.agency,
            "year": report.year,
            "template": report.template,
            "variant": report.variant,
            "tables_found": ",".join(tables_found),
        }
    )
    for table in tables_found:
        for row_code, cols in report.cells[table].items():
            for col_code, value in cols.items():
                dec = to_decimal(value)
                rows["cells"].append(
                    {
                        "report_id": rid,
                        "table_code": table,
                        "row_code": row_code,
                        "col_code": col_code,
                        "value": dec,
                        "raw_text": _raw_text(dec),
                    }
                )
    for table, confidence in report.confidence.items():
        if confidence != "exact":
            rows["parse_issues"].append(
                {
                    "sha256": report.sha256,
                    "report_id": rid,
                    "issue_code": f"{confidence}_reading",
                    "severity": "warning",
                    "table_code": table,
                    "detail": f"golden fixture marks table {table} as {confidence}",
                }
            )
    for fact_code, value in report.narrative.items():
        rows["narrative_facts"].append(
            {
                "report_id": rid,
                "fact_code": fact_code,
                "value": to_decimal(value),
                "is_lower_bound": False,
                "sentence": f"(golden fixture: {fact_code})",
            }
        )
    return {
        name: [tuple(r.get(col) for col, *_ in TABLES[name]) for r in table_rows]
        for name, table_rows in rows.items()
    }


def create_raw_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the `raw` schema and its tables (the extractor's DDL) if absent."""
    con.execute("CREATE SCHEMA IF NOT EXISTS raw")
    for name in RAW_TABLES:
        con.execute(duckdb_ddl(name))


def delete_report(con: duckdb.DuckDBPyConnection, report_id: str) -> None:
    """Remove every raw row of one report, as the extractor does for a removed report."""
    for name in RAW_TABLES:
        con.execute(f"DELETE FROM raw.{name} WHERE report_id = ?", [report_id])


def insert_reports(
    con: duckdb.DuckDBPyConnection, reports: Iterable[GoldenReport], loaded_at: datetime | None = None
) -> list[str]:
    """Insert (replacing any earlier version) the raw rows of the given reports; return their ids."""
    stamp = loaded_at or datetime.now()
    ids = []
    for report in reports:
        delete_report(con, report.report_id)
        for name, table_rows in raw_rows(report, stamp).items():
            if table_rows:
                columns = ", ".join(col for col, *_ in TABLES[name])
                marks = ", ".join("?" for _ in TABLES[name])
                con.executemany(f"INSERT INTO raw.{name} ({columns}) VALUES ({marks})", table_rows)
        ids.append(report.report_id)
    return ids


def load_golden_raw(
    warehouse: Path, reports: list[GoldenReport] | None = None, loaded_at: datetime | None = None
) -> list[str]:
    """Write the golden reports into `raw` of the DuckDB file `warehouse`; return the report ids."""
    warehouse.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse)) as con:
        create_raw_schema(con)
        con.execute("BEGIN")
        ids = insert_reports(con, reports if reports is not None else read_golden(), loaded_at)
        con.execute("COMMIT")
    return ids
