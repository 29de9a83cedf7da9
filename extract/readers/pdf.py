"""Born-digital PDFs through pdfplumber: ruled tables read as grids, the prose around them as paragraphs.

Tables are found from the ruling lines, so a value is placed by the cell it is printed in, never by its
position in a stream of numbers. Provenance of a cell is its page and box (`x0,top,x1,bottom` in PDF
points from the top-left), plus the table, row and column of the grid.

Real reports need three repairs, each general rather than tuned to one file:
- filled rectangles without a stroke (white backgrounds behind every text line, cell shading) are not
  rulings, or every line of prose becomes a one-column "table";
- a table cut by a page break has no ruling where the page cuts it, so the edge is closed at the ends
  of its vertical rulings (else the first cell on the new page, e.g. 信息内容, is lost);
- a table continued on the next page keeps its table index and row numbering (when its grid has the
  same width), its repeated header rows are dropped, and a row the page break cut through is joined
  again — only where the cut cells line up and the joined text completes a known label or a value.
Page numbers and running headers/footers (the same line at the same height on three or more pages) are
not prose, and would otherwise stand between a table and its continuation.
"""

from __future__ import annotations

import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extract.blocks import Block, Cell
from extract.cells import clean, is_value_like, read_cell
from extract.limits import MAX_PDF_PAGES
from extract.readers import ReadError, Reading
from extract.readers.grid import cell_text, join_lines

# A text layer with fewer characters than this on every page is a scan (or an empty shell).
MIN_CHARS_PER_DOCUMENT = 20
_PAGE_NUMBER = re.compile(r"^[-—–\s]*(第\s*)?\d{1,4}(\s*页)?(\s*[/／]\s*\d{1,4})?(\s*共\s*\d+\s*页)?[-—–\s]*$")
_TOL = 2.0
_SNAP = 3.5  # pdfplumber snaps a page's rulings within 3pt together, so parts' edges can differ as much
_UNITS = {"件", "条", "项", "个", "宗", "起", "元", "万元"}


@dataclass
class _Line:
    text: str
    page: int
    x0: float
    top: float
    x1: float
    bottom: float


@dataclass
class _Table:
    page: int
    top: float
    rows: list[list[Cell]]
    boxes: list[list[tuple[float, float, float, float] | None]] = field(default_factory=list)
    bottom: float = 0.0


def read(data: bytes, path: Path) -> Reading:
    """Blocks of a PDF; raises `ReadError` for a file that is not a complete, text-bearing PDF."""
    _check_container(data)
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect

    try:
        pdf = pdfplumber.open(io.BytesIO(data))
    except (PDFPasswordIncorrect, PDFEncryptionError) as exc:
        raise ReadError("unreadable_file", f"encrypted PDF, cannot be read without its password ({exc})") from exc
    except Exception as exc:
        raise ReadError("unreadable_file", f"not a readable PDF: {type(exc).__name__}: {exc}") from exc
    with pdf:
        try:
            pages = list(pdf.pages)
        except Exception as exc:
            raise ReadError("unreadable_file", f"PDF page tree unreadable: {type(exc).__name__}: {exc}") from exc
        if not pages:
            raise ReadError("unreadable_file", "PDF has no pages")
        if len(pages) > MAX_PDF_PAGES:
            raise ReadError("resource_limit", f"PDF has {len(pages)} pages, over the limit of {MAX_PDF_PAGES}")
        items: list[_Line | _Table] = []
        chars = unmapped = images = 0
        sources = _compiled_pages(data, len(pages))
        for number, page in enumerate(pages, start=1):
            try:
                _use_compiled_objects(page, sources[number - 1])
                chars += len(page.chars)
                unmapped += sum(1 for c in page.chars if c["text"].startswith("(cid:"))
                images += len(page.images)
                items.extend(_page_items(page, number))
            except Exception as exc:
                raise ReadError("unreadable_file", f"page {number} unreadable: {type(exc).__name__}: {exc}") from exc
            finally:
                page.close()
    if chars < MIN_CHARS_PER_DOCUMENT:
        if images:
            return _scanned(data, len(pages))
        raise ReadError("empty_file", f"PDF has {len(pages)} page(s) but no text and no images")
    if unmapped > chars / 2:
        raise ReadError("needs_ocr", f"the PDF's fonts have no Unicode mapping ({unmapped} of {chars} characters "
                        "are glyph ids); its text cannot be extracted, OCR is needed to read it")
    return Reading(_blocks(_drop_running_lines(items)), "pdf", "pdf_grid", None)


def _compiled_pages(data: bytes, count: int) -> list[Any]:
    """The document's pages read by PLAYA (`pdf_objects`), or none to be had: pdfplumber then reads each page
    with pdfminer, which gives the same objects, only slower. A page refers to its document weakly, so the
    document is kept beside its pages."""
    from extract.readers import pdf_objects  # PLAYA is imported with the first PDF, as pdfplumber is

    try:
        document = pdf_objects.open_document(data)
        pages = [(document, page) for page in document.pages]
    except Exception:
        return [None] * count
    return pages if len(pages) == count else [None] * count


def _use_compiled_objects(page, source: Any) -> None:
    """Give pdfplumber's page the objects PLAYA read (pdfplumber keeps a page's objects in `_objects`, which
    it fills from pdfminer on first use); a page PLAYA cannot read, or not as pdfminer would, is left to
    pdfminer."""
    if source is None:
        return
    from extract.readers.pdf_objects import page_objects

    try:
        objects = page_objects(page, source[1])
    except Exception:
        return
    if objects is not None:
        page._objects = objects


def _scanned(data: bytes, pages: int) -> Reading:
    """A PDF of page images: read by OCR when the engine is installed (`extract.ocr`)."""
    from extract import ocr

    what = f"scanned PDF: {pages} page(s) of images without a text layer"
    if not ocr.available():
        raise ReadError("needs_ocr", f"{what}; OCR is needed to read it; {ocr.INSTALL_HINT}")
    return ocr.load_reader().read_pdf(data, what)


def _check_container(data: bytes) -> None:
    """A PDF starts with `%PDF-` and ends with `%%EOF`; a file cut short has lost pages or tables."""
    if not data.strip():
        raise ReadError("empty_file", "empty file (no bytes)")
    if b"%PDF-" not in data[:1024]:
        raise ReadError("unreadable_file", "not a PDF file (no %PDF- header)")
    if b"%%EOF" not in data[-1024:]:
        raise ReadError("unreadable_file", "truncated PDF: no %%EOF marker at the end of the file")


# --------------------------------------------------------------------------- one page


def _is_ruling(obj: dict[str, Any]) -> bool:
    """Keep every object except filled, unstroked rectangles that are too big to be a drawn line."""
    if obj.get("object_type") != "rect" or obj.get("stroke"):
        return True
    return min(float(obj.get("width", 0)), float(obj.get("height", 0))) <= 3


def _closing_edges(page, tables) -> list[dict[str, float | str]]:
    """Horizontal rulings at both ends of each table's vertical rulings (page breaks leave them open)."""
    lines: list[dict[str, float | str]] = []
    verticals = [e for e in page.edges if e["orientation"] == "v"]
    for t in tables:
        x0, top, x1, bottom = t.bbox
        vs = [e for e in verticals
              if x0 - _TOL <= e["x0"] <= x1 + _TOL and e["bottom"] > top - _TOL and e["top"] < bottom + _TOL]
        if len(vs) < 2:
            continue
        left, right = min(e["x0"] for e in vs), max(e["x0"] for e in vs)
        for y in (min(e["top"] for e in vs), max(e["bottom"] for e in vs)):
            lines.append({"object_type": "line", "x0": left, "x1": right, "top": y, "bottom": y,
                          "width": right - left, "height": 0})
    return lines


def _find_tables(page) -> list:
    tables = page.find_tables()
    if any(None in t.rows[0].cells or None in t.rows[-1].cells for t in tables if t.rows):
        extra = _closing_edges(page, tables)
        if extra:
            tables = page.find_tables({"explicit_horizontal_lines": extra})
    return [t for t in tables if t.rows]


def _inside(obj: dict[str, Any], boxes: list[tuple[float, float, float, float]]) -> bool:
    cx, cy = (obj["x0"] + obj["x1"]) / 2, (obj["top"] + obj["bottom"]) / 2
    return any(x0 <= cx <= x1 and top <= cy <= bottom for x0, top, x1, bottom in boxes)


def _page_items(page, number: int) -> list[_Line | _Table]:
    """Text lines outside table cells and the tables of one page, in reading (top-down) order."""
    page = page.filter(_is_ruling)
    found = _find_tables(page)
    tables: list[_Table] = []
    boxes: list[tuple[float, float, float, float]] = []
    for t in found:
        texts = t.extract()
        rows: list[list[Cell]] = []
        geometry: list[list[tuple[float, float, float, float] | None]] = []
        for r, (row, raw) in enumerate(zip(t.rows, texts, strict=True)):
            cells, geo = [], []
            for c, (box, text) in enumerate(zip(row.cells, raw, strict=True)):
                if box is None:
                    cells.append(Cell("", page=number, row_index=r, col_index=c))
                    geo.append(None)
                    continue
                boxes.append(box)
                cells.append(Cell(cell_text(text or ""), page=number, row_index=r, col_index=c,
                                  bbox=",".join(f"{v:.1f}" for v in box)))
                geo.append(tuple(box))
            rows.append(cells)
            geometry.append(geo)
        tables.append(_Table(number, t.bbox[1], rows, geometry, t.bbox[3]))
    rest = page.filter(lambda o: o.get("object_type") != "char" or not _inside(o, boxes))
    lines = []
    for ln in rest.extract_text_lines(strip=True, return_chars=False):
        text = ln["text"].strip()
        if text and not _PAGE_NUMBER.match(text):
            lines.append(_Line(text, number, ln["x0"], ln["top"], ln["x1"], ln["bottom"]))
    items: list[_Line | _Table] = [*lines, *tables]
    items.sort(key=lambda it: it.top)
    return items


# --------------------------------------------------------------------------- the document


def _drop_running_lines(items: list[_Line | _Table]) -> list[_Line | _Table]:
    """Without running headers and footers: a line printed at the same height on three or more pages."""
    by_text: dict[str, list[_Line]] = {}
    for it in items:
        if isinstance(it, _Line):
            by_text.setdefault(it.text, []).append(it)
    running: set[int] = set()
    for lines in by_text.values():
        for line in lines:
            same = [o for o in lines if abs(o.top - line.top) <= _TOL]
            if len({o.page for o in same}) >= 3:
                running.update(id(o) for o in same)
    return [it for it in items if id(it) not in running]


def _blocks(items: list[_Line | _Table]) -> list[Block]:
    """Paragraphs and table rows in document order; continued tables joined across pages."""
    _common_columns(items)
    blocks: list[Block] = []
    para: list[_Line] = []
    margins = _margins([it for it in items if isinstance(it, _Line)])
    last_table: _Table | None = None
    head: list[list[str]] = []  # the first rows of the current logical table, to spot repeated headers
    table_index = -1
    next_row = 0
    for it in items:
        if isinstance(it, _Line):
            if para and _starts_paragraph(para[-1], it, margins):
                blocks.append(_paragraph(para))
                para = []
            para.append(it)
            last_table = None
            continue
        if para:
            blocks.append(_paragraph(para))
            para = []
        continued = last_table is not None and it.page == last_table.page + 1
        if continued:
            repeated = _repeated_header(head, it)
            it.rows, it.boxes = it.rows[repeated:], it.boxes[repeated:]
            if it.rows and _join_split_row(last_table, it):
                it.rows, it.boxes = it.rows[1:], it.boxes[1:]
        if not (continued and it.rows and len(it.rows[0]) == len(last_table.rows[0])):
            table_index += 1
            next_row = 0
            head = [_texts(row) for row in it.rows] if not continued else head
        for row in it.rows:
            for c in row:
                c.table_index, c.row_index = table_index, next_row
            next_row += 1
            if any(c.text.strip() for c in row):
                blocks.append(Block("row", row))
        last_table = it if it.rows else last_table
    if para:
        blocks.append(_paragraph(para))
    return blocks


def _common_columns(items: list[_Line | _Table]) -> None:
    """Parts of a table continued over pages, ruled with different column sets, put on one grid.

    A part whose rows all merge some columns draws no ruling between them (section 三 cut after its
    header and `一、本年新收…`, which spans the three label columns), so it reads narrower than the rest.
    When every part's column edges are among those of the widest part, the narrower parts are re-gridded
    on the widest part's edges (a merged cell keeps its text at its first column, as in every grid), so
    the parts have one width and continue as one table. Parts whose edges do not nest are left alone.
    """
    runs: list[list[_Table]] = []
    last: _Table | None = None
    for it in items:
        if isinstance(it, _Line):
            last = None
            continue
        if last is not None and it.page == last.page + 1 and runs:
            runs[-1].append(it)
        else:
            runs.append([it])
        last = it if it.rows else last
    for run in runs:
        parts = [t for t in run if t.rows]
        if len({len(t.rows[0]) for t in parts}) < 2:
            continue
        edges = [_edges(t) for t in parts]
        widest = max(edges, key=len)
        if not all(any(abs(x - w) <= _SNAP for w in widest) for e in edges for x in e):
            continue
        for t, e in zip(parts, edges, strict=True):
            if len(e) != len(widest):
                _regrid(t, widest)


def _edges(t: _Table) -> list[float]:
    xs: list[float] = []
    for box in (b for row in t.boxes for b in row if b is not None):
        for x in (box[0], box[2]):
            if not any(abs(x - o) <= _TOL for o in xs):
                xs.append(x)
    return sorted(xs)


def _regrid(t: _Table, edges: list[float]) -> None:
    """The part's rows on the given column edges: each boxed cell at the column its left edge starts."""
    rows, boxes = [], []
    for r, (row, geo) in enumerate(zip(t.rows, t.boxes, strict=True)):
        cells: list[Cell] = [Cell("", page=t.page, row_index=r, col_index=i) for i in range(len(edges) - 1)]
        placed: list[tuple[float, float, float, float] | None] = [None] * (len(edges) - 1)
        for cell, box in zip(row, geo, strict=True):
            if box is None:
                continue
            i = min(range(len(edges) - 1), key=lambda k: abs(edges[k] - box[0]))
            cell.col_index = i
            cells[i], placed[i] = cell, box
        rows.append(cells)
        boxes.append(placed)
    t.rows, t.boxes = rows, boxes


def _repeated_header(head: list[list[str]], part: _Table) -> int:
    """How many leading rows of a continued table repeat the table's own first rows (Word's "repeat as
    header row"); they are dropped, the original header stays where it was printed."""
    n = 0
    while n < min(len(head), len(part.rows) - 1) and _texts(part.rows[n]) == head[n]:
        n += 1
    return n


def _texts(row: list[Cell]) -> list[str]:
    return [c.text for c in row if c.text]


def _margins(lines: list[_Line]) -> dict[int, tuple[float, float, float]]:
    """Per page: left margin (the most common line start), right margin and the typical line height."""
    out = {}
    for page in {ln.page for ln in lines}:
        on = [ln for ln in lines if ln.page == page]
        left = Counter(round(ln.x0) for ln in on).most_common(1)[0][0]
        right = max(ln.x1 for ln in on)
        size = sorted(ln.bottom - ln.top for ln in on)[len(on) // 2]
        out[page] = (left, right, max(size, 6.0))
    return out


def _starts_paragraph(prev: _Line, line: _Line, margins: dict[int, tuple[float, float, float]]) -> bool:
    """A line is a new paragraph when it is indented (or centred), or the line before it stopped short."""
    left, _, size = margins[line.page]
    _, right, prev_size = margins[prev.page]
    return line.x0 > left + 0.8 * size or prev.x1 < right - 1.5 * prev_size


def _paragraph(lines: list[_Line]) -> Block:
    first = lines[0]
    on_first = [ln for ln in lines if ln.page == first.page]
    box = (min(ln.x0 for ln in on_first), first.top, max(ln.x1 for ln in on_first), on_first[-1].bottom)
    return Block("text", [Cell(join_lines([ln.text for ln in lines]), page=first.page,
                               bbox=",".join(f"{v:.1f}" for v in box))])


def _join_split_row(prev: _Table, nxt: _Table) -> bool:
    """Join the first row of a continued table to the row the page break cut, when it is one.

    The cells a page break can cut are those touching the bottom of the table on the earlier page (the
    last row's cells, and cells merged down to it). Every non-empty cell of the next page's first row
    must continue one of them (same left and right edges), and every value part must complete a value
    (`1276` + `2`, `0` + `条`, or a cell left empty above it). If the first row holds label text, the
    joined text must also complete a label of the template that neither part was on its own. Otherwise
    the rows stay apart: a header row above a data row, a group label over its first item, a caption.
    """
    bottom = [(c, box) for row, boxes in zip(prev.rows, prev.boxes, strict=True)
              for c, box in zip(row, boxes, strict=True) if box is not None and abs(box[3] - prev.bottom) <= _TOL]
    first = [(c, box) for c, box in zip(nxt.rows[0], nxt.boxes[0], strict=True) if c.text.strip()]
    if not first:
        return False
    pairs = []
    for cell, box in first:
        target = next((c for c, b in bottom if abs(b[0] - box[0]) <= _TOL and abs(b[2] - box[2]) <= _TOL), None)
        if target is None:
            return False
        pairs.append((target, cell))
    labels = [(t, c) for t, c in pairs if not _value_part(c.text)]
    values = [(t, c) for t, c in pairs if _value_part(c.text)]
    if any(t.text.strip() and read_cell(t.text + c.text).kind != "number" for t, c in values):
        return False
    if labels and (any(_known_label(c.text) for _, c in labels) or not any(
            t.text.strip() and _known_label(t.text + c.text) and not _known_label(t.text) for t, c in labels)):
        return False
    for target, cell in pairs:
        if target.text.strip():
            target.text = join_lines([target.text, cell.text])
        else:
            target.text, target.page, target.bbox = cell.text, cell.page, cell.bbox
    return True


def _value_part(text: str) -> bool:
    """A value, or the unit a value wrapped onto the next line (`0` / `条`)."""
    return is_value_like(text) or clean(text) in _UNITS


def _known_label(text: str) -> bool:
    """A row, column or block label of any of the three tables."""
    from extract.template import templates

    tpl = templates()
    indexes = [tpl.app_rows, tpl.app_columns, tpl.disc_rows, tpl.rl_blocks, tpl.rl_results,
               *tpl.disc_columns.values()]
    return any(idx.match(text) is not None for idx in indexes)
