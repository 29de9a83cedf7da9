"""Word .docx: body paragraphs and tables in document order.

Merged cells are resolved from the table XML itself (`w:gridSpan`, `w:vMerge`, `w:gridBefore`/`After`),
so a cell's text sits at its span's origin and the positions it covers are empty, exactly like the
merged-cell residue of the flattened text dumps. Provenance of a cell is its table, row and column.

Only the main document part is read, but the package is checked the way python-docx's `Document()` checks
it (`extract.readers.docx_package`); whatever that check does not accept is handed to python-docx itself,
so its refusal (and its message) is the reader's.
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
from extract.readers.docx_package import NotPlainPackage, main_document
from extract.readers.grid import cell_text, clean_text, grid_blocks

_P, _TBL, _TR, _TC, _SDT, _SDT_CONTENT, _CUSTOM_XML = (
    qn("w:p"), qn("w:tbl"), qn("w:tr"), qn("w:tc"), qn("w:sdt"), qn("w:sdtContent"), qn("w:customXml"))
_T, _TAB, _BR, _CR = qn("w:t"), qn("w:tab"), qn("w:br"), qn("w:cr")
_BODY, _DRAWING, _PICT, _VAL, _TYPE = qn("w:body"), qn("w:drawing"), qn("w:pict"), qn("w:val"), qn("w:type")
_WRAPPERS = (_SDT, _CUSTOM_XML)
_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
# The span and count properties, as (properties element, property) tag pairs: `w:tcPr/w:gridSpan` …
_GRID_SPAN = (qn("w:tcPr"), qn("w:gridSpan"))
_V_MERGE = (qn("w:tcPr"), qn("w:vMerge"))
_GRID_BEFORE = (qn("w:trPr"), qn("w:gridBefore"))
_GRID_AFTER = (qn("w:trPr"), qn("w:gridAfter"))
_GRID_COL = qn("w:gridCol")
_TBL_GRID = qn("w:tblGrid")
_PAIRS = frozenset((_GRID_SPAN, _V_MERGE, _GRID_BEFORE, _GRID_AFTER))
_PROPERTIES = tuple(sorted({tag for _, tag in _PAIRS}))
_NONE: dict = {}  # the properties of a row or cell that holds none
_GRID_PARTS = frozenset((_TBL, _TR, _TC))
# Fewer characters than this next to pictures: the report is a scan pasted into the document.
MIN_TEXT_CHARS = 50


def read(data: bytes, path: Path) -> Reading:
    """Blocks of a .docx; a file that is not a Word zip package is `unreadable_file`."""
    if not data.strip():
        raise ReadError("empty_file", "empty file (no bytes)")
    if not zipfile.is_zipfile(io.BytesIO(data)):
        raise ReadError("unreadable_file", "not a valid .docx (zip) file")
    package = _check_package(data)
    body = _body(data, package)
    flow = _Flow()
    flow.walk(body)
    text = sum(len(b.text) for b in flow.blocks)
    if text < MIN_TEXT_CHARS:
        images = len(body.findall(".//" + _DRAWING)) + len(body.findall(".//" + _PICT))
        if images:
            return _scan(data, images, text)
    return Reading(flow.blocks, "docx", "docx_grid", None)


def _scan(data: bytes, images: int, text: int) -> Reading:
    """A document of pictures and almost no text: read by OCR when it is installed, else refused."""
    from extract import ocr

    what = (f"Word file holds {images} image(s) and almost no text ({text} characters): "
            "a scan pasted into a document")
    if not ocr.available():
        raise ReadError("needs_ocr", f"{what}; OCR is needed to read it; {ocr.INSTALL_HINT}")
    return ocr.load_reader().read_docx_pictures(data, what)


def _body(data: bytes, package: zipfile.ZipFile):
    """`w:body` of the main document part (None when it has none), straight from the zip when the package is
    one python-docx reads as plain Word; anything else goes through python-docx (slower), whose refusal, or
    whose reading of an odd package, is the reader's."""
    try:
        return main_document(package).find(_BODY)  # how python-docx's `document.element.body` finds it
    except NotPlainPackage:
        pass
    import docx

    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises KeyError/ValueError/PackageNotFoundError for non-Word zips
        raise ReadError("unreadable_file", f"not a Word .docx document: {type(exc).__name__}: {exc}") from exc
    return document.element.body


def _check_package(data: bytes) -> zipfile.ZipFile:
    """A part that inflates past the limit is a zip bomb, not a report: refuse it before it is read."""
    try:
        package = zipfile.ZipFile(io.BytesIO(data))
        infos = package.infolist()
    except (zipfile.BadZipFile, ValueError, OSError) as exc:
        raise ReadError("unreadable_file", f"not a valid .docx (zip) file: {exc}") from exc
    big = [i for i in infos if i.file_size > MAX_DOCX_PART_BYTES]
    if big:
        raise ReadError("resource_limit", f"part {big[0].filename} inflates to {big[0].file_size} bytes, over the "
                        f"limit of {MAX_DOCX_PART_BYTES}")
    return package


def paragraph_text(p) -> str:
    """Text of a `w:p` in order; line breaks kept as newlines, deleted text and VML fallbacks skipped."""
    if _only_text(p):
        return _runs_text(p)
    out = []
    for el in p.iter(_T, _TAB, _BR, _CR):
        if next(el.iterancestors(_FALLBACK), None) is not None:
            continue
        tag = el.tag
        if tag == _T:
            out.append(el.text or "")
        elif tag == _TAB:
            out.append("\t")
        elif tag == _BR and el.get(_TYPE) == "page":
            continue
        else:
            out.append("\n")
    return "".join(out)


def _only_text(el) -> bool:
    """Whether the text under `el` is its `w:t` texts alone: no tab or break under it, no VML fallback
    under or above it."""
    return next(el.iter(_TAB, _BR, _CR, _FALLBACK), None) is None and next(el.iterancestors(_FALLBACK), None) is None


def _runs_text(p) -> str:
    """`paragraph_text` of a paragraph `_only_text` holds for: its `w:t` texts in order."""
    return "".join(p.itertext(_T, with_tail=False))


def _children(el, tag: str) -> list:
    """Direct children with `tag`, looking through content controls and custom-XML wrappers."""
    out = []
    for child in el:
        child_tag = child.tag
        if child_tag == tag:
            out.append(child)
        elif child_tag in _WRAPPERS:
            inner = child.find(_SDT_CONTENT) if child_tag == _SDT else child
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
            tag = child.tag
            if tag == _P:
                for line in paragraph_text(child).split("\n"):
                    text = clean_text(line)
                    if text:
                        self.blocks.append(Block("text", [Cell(text)]))
            elif tag == _TBL:
                self.table(child)
            elif tag == _SDT:
                inner = child.find(_SDT_CONTENT)
                if inner is not None:
                    self.walk(inner)
            elif tag == _CUSTOM_XML:
                self.walk(child)

    def table(self, tbl) -> None:
        """A table with nested tables or a single column is page layout: its content is read as flow."""
        wrapped = _wrapped(tbl)
        children = _children if wrapped else _plain_children
        props = _properties(tbl)
        rows = [(tr, [(tc, _int_val(props[tc].get(_GRID_SPAN)) if tc in props else 0) for tc in children(tr, _TC)])
                for tr in children(tbl, _TR)]
        declared = _declared_columns(tbl)  # Word clips a span at the table's grid; so does this reader
        if next(tbl.iterdescendants(_TBL), None) is not None or _grid_width(declared, rows) <= 1:
            for _, cells in rows:
                for tc, _ in cells:
                    self.walk(tc)
            return
        index = self.tables
        self.tables += 1
        if index >= MAX_TABLES or len(rows) > MAX_GRID_ROWS:
            raise ReadError("resource_limit", f"table {index + 1} of {len(rows)} rows is over the limits "
                            f"({MAX_TABLES} tables, {MAX_GRID_ROWS} rows)")
        grid: list[list[Cell]] = []
        cells = 0
        only_text = _only_text(tbl)  # one test for all its paragraphs
        plain_runs = only_text and not wrapped  # each cell's paragraphs are its `w:p` children, each one's runs
        text_of = _runs_text if only_text else paragraph_text
        for r, (tr, tcs) in enumerate(rows):
            found = props.get(tr, _NONE)
            texts = [""] * _int_val(found.get(_GRID_BEFORE))
            for tc, grid_span in tcs:
                span = 1 if not grid_span else max(1, min(grid_span, (declared or MAX_SPAN) - len(texts)))
                vmerge = props[tc].get(_V_MERGE) if tc in props else None
                if vmerge is not None and vmerge.get(_VAL, "continue") == "continue":
                    texts.append("")
                elif plain_runs:
                    texts.append(cell_text("\n".join(["".join(p.itertext(_T, with_tail=False))
                                                       for p in tc.iterchildren(_P)])))
                else:
                    texts.append(cell_text("\n".join([text_of(p) for p in children(tc, _P)])))
                if span > 1:
                    texts.extend([""] * (span - 1))
            texts.extend([""] * _int_val(found.get(_GRID_AFTER)))
            row = [Cell(text, None, None, index, r, c) for c, text in enumerate(texts)]
            cells += len(row)
            if len(row) > MAX_GRID_COLUMNS or cells > MAX_TABLE_CELLS:
                raise ReadError("resource_limit", f"table {index + 1} spans more than {MAX_GRID_COLUMNS} columns "
                                f"or {MAX_TABLE_CELLS} cells: not a report's table")
            grid.append(row)
        self.blocks.extend(grid_blocks(grid))


def _wrapped(tbl) -> bool:
    """Whether a content control or custom-XML wrapper sits directly in the table, a row or a cell: only then
    do `_children` and the plain children of its rows and cells differ."""
    return any(w.getparent().tag in _GRID_PARTS for w in tbl.iter(*_WRAPPERS))


def _plain_children(el, tag: str):
    """`_children` of an element without wrappers among its children."""
    return el.iterchildren(tag)


def _properties(tbl) -> dict:
    """The span and count properties under `tbl` by the element holding them: for each, `el.find("a/b")` of each
    pair (a, b) of `_GRID_SPAN` … it has (the first in document order), found in one pass over the table rather
    than by a search in each row and cell. A row or cell not in it has none (most cells of a report's table)."""
    found: dict = {}
    for prop in tbl.iter(*_PROPERTIES):
        holder = prop.getparent()
        pair = (holder.tag, prop.tag)
        if pair in _PAIRS:
            found.setdefault(holder.getparent(), {}).setdefault(pair, prop)
    return found


def _int_val(found) -> int:
    """A span or count attribute of a property found (0 when there is none), clipped to MAX_SPAN
    (`w:gridSpan="2147483647"` must not become a loop)."""
    try:
        value = int(found.get(_VAL)) if found is not None else 0
    except (TypeError, ValueError):
        return 0
    return max(0, min(value, MAX_SPAN))


def _declared_columns(tbl) -> int:
    """Columns of the table's declared grid (`w:tblGrid`), 0 when it declares none."""
    grid = tbl.find(_TBL_GRID)
    return len(grid.findall(_GRID_COL)) if grid is not None else 0


def _grid_width(declared: int, rows: list) -> int:
    """Columns of a table: its declared grid, else the widest row (each cell's `w:gridSpan`, at least 1)."""
    widest = max((sum(max(1, span) for _, span in cells) for _, cells in rows), default=0)
    return max(declared, widest)
