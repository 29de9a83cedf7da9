"""Parse one input file into a `ParsedDocument`: never raises, a bad file becomes a `failed` document."""

from __future__ import annotations

import hashlib
import stat
import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from decimal import Decimal
from pathlib import Path

from extract.agency import source_facts
from extract.blocks import Block
from extract.guard import sanitize
from extract.issues import Issue
from extract.limits import MAX_TEXT_CHARS
from extract.match import (
    ParsedCell,
    expected_application_rows,
    expected_disclosure_rows,
    locate,
    parse_applications,
    parse_disclosure,
    parse_review_litigation,
)
from extract.metadata import find_agency, find_year, prose, why_no_tables
from extract.narrative import Fact, find_facts
from extract.readers import ReadError, Reading, max_file_bytes, path_text, reader_for, source_form
from extract.sections import section_texts
from extract.solve import budget_exhausted, document_budget, table_budget
from extract.template import templates
from extract.templates import form
from extract.transfer import CellColumns, PackedCells, cell_columns


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
    ctime_ns: int | None = None
    status: str = "failed"
    error: str | None = None
    report: dict[str, object] | None = None
    cells: Sequence[ParsedCell] = field(default_factory=list)  # PackedCells once received from a worker
    issues: list[Issue] = field(default_factory=list)
    facts: list[Fact] = field(default_factory=list)
    sections: dict[str, str] = field(default_factory=dict)

    @property
    def report_id(self) -> str | None:
        return self.sha256 if self.report is not None else None

    def __reduce__(self) -> tuple[object, tuple[dict[str, object], CellColumns]]:
        """Pickled (a parse worker sends every document to the loader) with its cells as columns of plain values
        (`extract.transfer`): pickle's own way with slotted dataclasses calls Python for each field of each cell
        and its source, which cost more than a third of a text report's parse."""
        state = {name: getattr(self, name) for name in _DOCUMENT_FIELDS}
        return _unpack_document, (state, cell_columns(self.cells))

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


_DOCUMENT_FIELDS = tuple(f.name for f in fields(ParsedDocument) if f.name != "cells")


def _unpack_document(state: dict[str, object], columns: CellColumns) -> ParsedDocument:
    """The document `ParsedDocument.__reduce__` packed; its cells stay columns until one is asked for."""
    doc = ParsedDocument(**state)
    doc.cells = PackedCells(columns)
    return doc


def _json_number(value: Decimal | None) -> int | float | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def parse_file(path: Path) -> ParsedDocument:
    """Read and parse a file; never raises. What is not a readable regular file (a directory, FIFO, broken
    link, or a file over the size limit) comes back as a failed document with the reason."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            return _fail(_empty(path), Issue("not_a_file", "not a regular file (a directory, FIFO or device)"))
        limit = max_file_bytes(path)
        if info.st_size > limit:
            doc = _empty(path)
            doc.sha256, doc.size_bytes = file_sha256(path), info.st_size
            return _fail(doc, Issue("resource_limit", f"file of {info.st_size} bytes is over the limit of "
                                    f"{limit} bytes for {doc.source_form} files"))
        with path.open("rb") as f:
            data = f.read(limit + 1)
    except OSError as exc:
        return _fail(_empty(path), Issue("unreadable_file", f"cannot read file: {exc.strerror or exc}"))
    doc = parse_bytes(data, path)
    doc.mtime_ns, doc.ctime_ns = info.st_mtime_ns, info.st_ctime_ns
    return doc


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """Content hash of a file read in chunks: memory stays flat whatever its size."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def _empty(path: Path, data: bytes = b"") -> ParsedDocument:
    """A document with nothing read yet (status failed until a parse says otherwise)."""
    sha = hashlib.sha256(data).hexdigest() if data else ""
    return ParsedDocument(path_text(path), path_text(path.name), sha, len(data), source_form(path))


def _fail(doc: ParsedDocument, issue: Issue) -> ParsedDocument:
    doc.status = "failed"
    doc.error = f"{issue.code}: {issue.detail}"
    doc.issues.append(issue)
    return doc


def parse_bytes(data: bytes, path: Path) -> ParsedDocument:
    """Parse the bytes of a file read from `path`; never raises. Any fault of a reader or the matcher makes
    the document `failed` with the reason (`internal_error` names the exception and where it arose), so one
    bad file never stops a batch."""
    try:
        with document_budget():
            return sanitize(_parse(data, path))
    except (MemoryError, RecursionError) as exc:
        what = "memory" if isinstance(exc, MemoryError) else "nesting depth"
        return _fail(_empty(path, data), Issue("resource_limit", f"over the {what} limit while parsing"))
    except Exception as exc:
        return _fail(_empty(path, data), Issue("internal_error", describe_exception(exc)))


def describe_exception(exc: BaseException) -> str:
    """`Type: message (at module.py:line in function)`: enough to find the bug from the document's row."""
    frames = traceback.extract_tb(exc.__traceback__)
    where = f" (at {Path(frames[-1].filename).name}:{frames[-1].lineno} in {frames[-1].name})" if frames else ""
    return f"{type(exc).__name__}: {str(exc)[:300]}{where}"


def _parse(data: bytes, path: Path) -> ParsedDocument:
    doc = _empty(path, data)
    limit = max_file_bytes(path)
    if len(data) > limit:
        return _fail(doc, Issue("resource_limit", f"file of {len(data)} bytes is over the limit of {limit} bytes "
                                f"for {doc.source_form} files"))
    try:
        reading = reader_for(path)(data, path)
    except ReadError as exc:
        return _fail(doc, Issue(exc.code, str(exc)))
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:  # a reader's library choking on garbage must not stop the batch
        return _fail(doc, Issue("unreadable_file", f"{type(exc).__name__}: {exc}"))
    chars = sum([len(c.text) for b in reading.blocks for c in b.cells])
    if chars > MAX_TEXT_CHARS:
        return _fail(doc, Issue("resource_limit", f"{chars} characters of text, over the limit of {MAX_TEXT_CHARS}"))
    doc.source_form, doc.layout, doc.encoding = reading.source_form, reading.layout, reading.encoding
    doc.issues.extend(reading.issues)
    doc = parse_blocks(doc, reading.blocks)
    if reading.ocr:
        _verify_ocr(doc, reading)
    if budget_exhausted():
        doc.issues.append(Issue("search_budget_exhausted", "the digit-run split search reached a table's or the "
                                "document's budget; the runs it did not finish are left null"))
    return doc


def _verify_ocr(doc: ParsedDocument, reading: Reading) -> None:
    """An OCR'd number stays only where the table's identities prove it (extract/ocr/verify.py)."""
    from extract.ocr.verify import verify

    uncertain = verify(doc.cells, reading.ocr, doc.issues)
    if uncertain and doc.status in ("parsed", "partial"):
        doc.issues.extend(uncertain)
        doc.status = "partial"
        doc.error = "; ".join(sorted({i.code for i in doc.issues if i.severity == "error"}))


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
    markdown = doc.layout == "markdown"
    with table_budget():
        disclosure = parse_disclosure(region("disclosure"), tpl, year, markdown=markdown)
    template = _template(disclosure.formats, year)
    with table_budget():
        applications = parse_applications(region("applications"), tpl, template)
    if template is None:
        template = _template(applications.formats, year)
    own_lines = doc.layout == "cell_per_line"
    with table_budget():
        review = parse_review_litigation(region("review_litigation"), tpl, cells_on_own_lines=own_lines)
    if applications.sparse or review.sparse or disclosure.sparse:
        # this flattening drops blank cells: a short section-二 row is never read left to right
        with table_budget():
            disclosure = parse_disclosure(region("disclosure"), tpl, year, sparse_document=True, markdown=markdown)
        with table_budget():
            review = parse_review_litigation(region("review_litigation"), tpl, sparse_document=True,
                                             cells_on_own_lines=own_lines)
    found = [code for code, res in zip(("disclosure", "applications", "review_litigation"),
                                       (disclosure, applications, review), strict=True) if res.found]
    if not found:
        return _fail(doc, why_no_tables([b.text for b in blocks], year, tpl))
    if year is None:
        doc.issues.append(Issue("year_not_found", "the tables were read but no report year was found in the title, "
                                "the statistics period or the prose"))
    cells: list[ParsedCell] = []
    for code, res in (("disclosure", disclosure), ("applications", applications),
                      ("review_litigation", review)):
        cells.extend(res.cells)
        doc.issues.extend(res.issues)
        if not res.found:
            doc.issues.append(Issue("table_not_found", f"table {code} not found", code))
    doc.cells = [*doc.cells, *cells]
    if applications.found and template:
        printed = {c.row for c in applications.cells}
        expected = expected_application_rows(template, tpl, printed)
        if template == "F2021" and not printed & _OTHER_ROWS:
            expected.append("other")  # （六） read neither as one row nor as three: either form is missing
        for row in expected:
            if row not in printed:
                doc.issues.append(Issue("row_not_found", f"row {row} not found in section 三",
                                        "applications", row))
    if disclosure.found and template:
        printed = {c.row for c in disclosure.cells}
        for row in expected_disclosure_rows(template, tpl, printed):
            if row not in printed:
                doc.issues.append(Issue("row_not_found", f"row {row} not found in section 二", "disclosure", row))
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
        **source_facts(texts, tpl),
    }
    doc.facts = find_facts(blocks, tpl)
    doc.sections = section_texts(blocks, tpl)
    errors = [i for i in doc.issues if i.severity == "error"]
    doc.status = "partial" if errors else "parsed"
    doc.error = "; ".join(sorted({f"{i.code}" for i in errors})) or None
    return doc


_OTHER_ROWS = set(form.printed_forms()[0])  # the rows of either way of printing （六）其他处理


def _template(formats: set[str], year: int | None) -> str | None:
    """Template from the table headers; the year decides only when the headers do not."""
    if len(formats) == 1:
        return next(iter(formats))
    if year is not None:
        return form.template_of_year(year)
    return None
