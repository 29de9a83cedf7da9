"""Parse one input file into a `ParsedDocument`: never raises, a bad file becomes a `failed` document."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from extract.blocks import Block
from extract.issues import Issue
from extract.match import (
    ParsedCell,
    expected_application_rows,
    locate,
    parse_applications,
    parse_disclosure,
    parse_review_litigation,
)
from extract.metadata import find_agency, find_year, prose
from extract.narrative import Fact, find_facts
from extract.readers import ReadError, reader_for, source_form
from extract.template import templates


@dataclass
class ParsedDocument:
    """Everything read from one file; `report` is None when the file is not a readable report."""

    path: str
    file_name: str
    sha256: str
    size_bytes: int
    source_form: str
    encoding: str | None = None
    layout: str | None = None
    mtime_ns: int | None = None
    status: str = "failed"
    error: str | None = None
    report: dict[str, object] | None = None
    cells: list[ParsedCell] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)

    @property
    def report_id(self) -> str | None:
        return self.sha256 if self.report is not None else None

    def as_json(self) -> dict[str, object]:
        """The `nianbao parse --json` object for this file (codes of the spec)."""
        return {
            "file": self.file_name,
            "path": self.path,
            "sha256": self.sha256,
            "status": self.status,
            "error": self.error,
            "source_form": self.source_form,
            "encoding": self.encoding,
            "layout": self.layout,
            "report": self.report,
            "cells": [
                {"table": c.table, "row": c.row, "col": c.col, "value": _json_number(c.value), "raw": c.raw,
                 **{k: v for k, v in c.source.provenance().items() if v is not None}}
                for c in self.cells
            ],
            "narrative": {f.code: _json_number(f.value) for f in self.facts},
            "narrative_sentences": {f.code: f.sentence for f in self.facts},
            "issues": [i.as_dict() for i in self.issues],
        }


def _json_number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def parse_file(path: Path) -> ParsedDocument:
    """Read and parse a file; unreadable files come back as failed documents with the reason."""
    try:
        mtime_ns = path.stat().st_mtime_ns
        data = path.read_bytes()
    except OSError as exc:
        doc = ParsedDocument(str(path), path.name, "", 0, source_form(path))
        return _fail(doc, Issue("unreadable_file", f"cannot read file: {exc.strerror or exc}"))
    doc = parse_bytes(data, path)
    doc.mtime_ns = mtime_ns
    return doc


def _fail(doc: ParsedDocument, issue: Issue) -> ParsedDocument:
    doc.status = "failed"
    doc.error = f"{issue.code}: {issue.detail}"
    doc.issues.append(issue)
    return doc


def parse_bytes(data: bytes, path: Path) -> ParsedDocument:
    """Parse the bytes of a file read from `path`."""
    doc = ParsedDocument(str(path), path.name, hashlib.sha256(data).hexdigest(), len(data), source_form(path))
    try:
        reading = reader_for(path)(data, path)
    except ReadError as exc:
        return _fail(doc, Issue(exc.code, str(exc)))
    except Exception as exc:  # a reader's library choking on garbage must not stop the batch
        return _fail(doc, Issue("unreadable_file", f"{type(exc).__name__}: {exc}"))
    doc.source_form, doc.layout, doc.encoding = reading.source_form, reading.layout, reading.encoding
    return parse_blocks(doc, reading.blocks)


def parse_blocks(doc: ParsedDocument, blocks: list[Block]) -> ParsedDocument:
    """Match the template against a block stream (shared by every source form)."""
    tpl = templates()
    regions, issues = locate(blocks, tpl)
    doc.issues.extend(issues)

    def region(code: str) -> list[Block]:
        start, end = regions.get(code, (0, 0))
        return blocks[start:end]

    texts = prose(blocks)
    year = find_year(texts, tpl)
    disclosure = parse_disclosure(region("disclosure"), tpl, year)
    template = _template(disclosure.formats, year)
    applications = parse_applications(region("applications"), tpl, template)
    if template is None:
        template = _template(applications.formats, year)
    review = parse_review_litigation(region("review_litigation"), tpl)
    if applications.sparse or review.sparse or disclosure.sparse:
        # this flattening drops blank cells: a short section-二 row is never read left to right
        disclosure = parse_disclosure(region("disclosure"), tpl, year, sparse_document=True)
    found = [code for code, res in zip(("disclosure", "applications", "review_litigation"),
                                       (disclosure, applications, review), strict=True) if res.found]
    if not found:
        return _fail(doc, Issue("not_a_report", "none of the tables of an annual report (sections 二, 三, "
                                "四) were found"))
    for code, res in (("disclosure", disclosure), ("applications", applications),
                      ("review_litigation", review)):
        doc.cells.extend(res.cells)
        doc.issues.extend(res.issues)
        if not res.found:
            doc.issues.append(Issue("table_not_found", f"table {code} not found", code))
    if applications.found and template:
        printed = {c.row for c in applications.cells}
        for row in expected_application_rows(template, tpl, printed):
            if row not in printed:
                doc.issues.append(Issue("row_not_found", f"row {row} not found in section 三",
                                        "applications", row))
    if template is None:
        doc.issues.append(Issue("format_uncertain", "template could not be determined from the headers "
                                "or the year"))
    variant = "beijing" if any(c.row in ("inspection", "confirmation") for c in disclosure.cells) else (
        "national" if disclosure.found else None)
    agency = find_agency(texts, tpl)
    doc.report = {
        "agency": agency,
        "year": year,
        "template": template,
        "variant": variant,
        "tables_found": found,
        # level and region are added per batch by `extract.region.annotate` (one gazetteer call)
        "admin_level": None, "province": None, "city": None, "county": None,
    }
    doc.facts = find_facts(blocks, tpl)
    errors = [i for i in doc.issues if i.severity == "error"]
    doc.status = "partial" if errors else "parsed"
    doc.error = "; ".join(sorted({f"{i.code}" for i in errors})) or None
    return doc


def _template(formats: set[str], year: int | None) -> str | None:
    """Template from the table headers; the year decides only when the headers do not."""
    if len(formats) == 1:
        return next(iter(formats))
    if year is not None:
        return "F2019" if year <= 2020 else "F2021"
    return None
