"""Word .docx through python-docx: body paragraphs and tables in document order.

Merged cells are resolved from the table XML itself (`w:gridSpan`, `w:vMerge`, `w:gridBefore`/`After`),
so a cell's text sits at its span's origin and the positions it covers are empty, exactly like the
merged-cell residue of the flattened text dumps. Provenance of a cell is its table, row and column.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from docx.oxml.ns import qn

from extract.blocks import Block, Cell
from extract.limits import (
    MAX_DOCX_PART_BYTES,
    MAX_GRID_COLUMNS,
    MAX_GRID_ROWS,
    MAX_SPAN,
    MAX_TABLE_CELLS,
    MAX_TABLES,
)
from extract.readers import ReadError, Reading
from extract.readers.grid import cell_text, clean_text, grid_blocks

_P, _TBL, _TR, _TC, _SDT, _SDT_CONTENT, _CUSTOM_XML = (
    qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"))
_T, _TAB, _BR, _CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# Fewer characters than this next to pictures: the report is a scan pasted into the document.
MIN_TEXT_CHARS = 50


def read(data: bytes, path: Path) -> Reading:
    """Blocks of a .docx; a file that is not a Word zip package is `unreadable_file`."""
    if not data.strip():
        raise ReadError("empty_file", "empty file (no bytes)")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ReadError("unreadable_file", "not a valid .docx (zip) file")
    _check_package(data)
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError/ValueError/PackageNotFoundError for non-Word zips
        raise ReadError("unreadable_file", f"not a Word .docx document: {type(exc).__name__}: {exc}") from exc
    body = document.element.body
    flow = _Flow()
    flow.walk(body)
    text = sum(len(b.text) for b in flow.blocks)
    images = len(body.findall(".//" + qn("w:drawing"))) + len(body.findall(".//" + qn("w:pict")))
    if text < MIN_TEXT_CHARS and images:
        from extract import ocr

        what = (f"Word file holds {images} image(s) and almost no text ({text} characters): "
                "a scan pasted into a document")
        if not ocr.available():
            raise ReadError("needs_ocr", f"{what}; OCR is needed to read it; {ocr.INSTALL_HINT}")
        from extract.ocr.reader import read_docx_pictures

        return read_docx_pictures(data, what)
    return Reading(flow.blocks, "docx", "docx_grid", None)


def _check_package(data: bytes) -> None:
    """A part that inflates past the limit is a zip bomb, not a report: refuse it before it is read."""
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ReadError("unreadable_file", f"not a valid .docx (zip) file: {exc}") from exc
    big = [i for i in infos if i.file_size > MAX_DOCX_PART_BYTES]
    if big:
        raise ReadError("resource_limit", f"part {big[0].filename} inflates to {big[0].file_size} bytes, over the "
                        f"limit of {MAX_DOCX_PART_BYTES}")


def paragraph_text(p) -> str:
    """Text of a `w:p` in order; line breaks kept as newlines, deleted text and VML fallbacks skipped."""
    out = []
    for el in p.iter(_T, _TAB, _BR, _CR):
        if any(a.tag == _FALLBACK for a in el.iterancestors()):
            continue
        if el.tag == _T:
            out.append(el.text or "")
        elif el.tag == _TAB:
            out.append("\t")
        elif el.tag == _BR and el.get(qn("w:type")) == "page":
            continue
        else:
            out.append("\n")
    return "".join(out)


def _children(el, tag: str) -> list:
    """Direct children with `tag`, looking through content controls and custom-XML wrappers."""
    out = []
    for child in el:
        if child.tag == tag:
            out.append(child)
        elif child.tag in (_SDT, _CUSTOM_XML):
            inner = child.find(_SDT_CONTENT) if child.tag == _SDT else child
            if inner is not None:
                out.extend(_children(inner, tag))
    return out


class _Flow:
    """Body content in order: each paragraph line a text block, each table a grid of rows."""

    def __init__(self) -> None:
        self.blocks: list[Block] = []
        self.tables = 0

    def walk(self, el) -> None:
        for child in el:
            if child.tag == _P:
                for line in paragraph_text(child).split("\n"):
                    text = clean_text(line)
                    if text:
                        self.blocks.append(Block("text", [Cell(text)]))
            elif child.tag == _TBL:
                self.table(child)
            elif child.tag == _SDT:
                inner = child.find(_SDT_CONTENT)
                if inner is not None:
                    self.walk(inner)
            elif child.tag == _CUSTOM_XML:
                self.walk(child)

    def table(self, tbl) -> None:
        """A table with nested tables or a single column is page layout: its content is read as flow."""
        rows = _children(tbl, _TR)
        if tbl.find(".//" + _TBL) is not None or _grid_width(tbl, rows) <= 1:
            for tr in rows:
                for tc in _children(tr, _TC):
                    self.walk(tc)
            return
        index = self.tables
        self.tables += 1
        if index >= MAX_TABLES or len(rows) > MAX_GRID_ROWS:
            raise ReadError("resource_limit", f"table {index + 1} of {len(rows)} rows is over the limits "
                            f"({MAX_TABLES} tables, {MAX_GRID_ROWS} rows)")
        grid: list[list[Cell]] = []
        cells = 0
        declared = _declared_columns(tbl)  # Word clips a span at the table's grid; so does this reader
        for r, tr in enumerate(rows):
            row: list[Cell] = []

            def put(text: str, r: int = r, row: list[Cell] = row) -> None:
                row.append(Cell(text, table_index=index, row_index=r, col_index=len(row)))

            for _ in range(_int_val(tr, "w:trPr/w:gridBefore")):
                put("")
            for tc in _children(tr, _TC):
                span = max(1, min(_int_val(tc, "w:tcPr/w:gridSpan"), (declared or MAX_SPAN) - len(row)))
                vmerge = tc.find(qn("w:tcPr") + "/" + qn("w:vMerge"))
                continued = vmerge is not None and vmerge.get(qn("w:val"), "continue") == "continue"
                text = "" if continued else cell_text("\n".join(paragraph_text(p) for p in _children(tc, _P)))
                put(text)
                for _ in range(span - 1):
                    put("")
            for _ in range(_int_val(tr, "w:trPr/w:gridAfter")):
                put("")
            cells += len(row)
            if len(row) > MAX_GRID_COLUMNS or cells > MAX_TABLE_CELLS:
                raise ReadError("resource_limit", f"table {index + 1} spans more than {MAX_GRID_COLUMNS} columns "
                                f"or {MAX_TABLE_CELLS} cells: not a report's table")
            grid.append(row)
        self.blocks.extend(grid_blocks(grid))


def _int_val(el, path: str) -> int:
    """A span or count attribute, clipped to MAX_SPAN (`w:gridSpan="2147483647"` must not become a loop)."""
    found = el.find("/".join(qn(p) for p in path.split("/")))
    try:
        value = int(found.get(qn("w:val"))) if found is not None else 0
    except (TypeError, ValueError):
        return 0
    return max(0, min(value, MAX_SPAN))


def _declared_columns(tbl) -> int:
    """Columns of the table's declared grid (`w:tblGrid`), 0 when it declares none."""
    grid = tbl.find(qn("w:tblGrid"))
    return len(grid.findall(qn("w:gridCol"))) if grid is not None else 0


def _grid_width(tbl, rows: list) -> int:
    """Columns of a table: its declared grid, else the widest row."""
    declared = _declared_columns(tbl)
    widest = max((sum(max(1, _int_val(tc, "w:tcPr/w:gridSpan")) for tc in _children(tr, _TC)) for tr in rows),
                 default=0)
    return max(declared, widest)
