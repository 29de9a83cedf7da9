"""Scanned PDFs, picture-only Word files and images → the blocks the PDF reader produces.

Each page is analysed (`extract.ocr.layout`), its line crops are read by the recogniser, and the lines and
tables go through the PDF reader's own assembly (`extract.readers.pdf`): the same paragraphs, the same
continued tables joined across pages, the same running lines dropped. Boxes are given in PDF points
(pixels × 72 / dpi) so the assembly's tolerances mean what they mean for born-digital PDFs. Every cell's
OCR text, confidence, page and box is kept in `Reading.ocr` for `extract.ocr.verify`.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from extract.blocks import Cell
from extract.limits import MAX_OCR_PAGES, OCR_SECONDS_PER_PAGE, ask_for_time
from extract.ocr.engine import Recognised, recognise
from extract.ocr.layout import PageLayout, analyse
from extract.readers import ReadError, Reading
from extract.readers.grid import cell_text
from extract.readers.pdf import _PAGE_NUMBER, _blocks, _drop_running_lines, _Line, _Table

DPI = 200  # pages of a PDF are rendered at this resolution; an image without a stated one is taken as it
POINTS_PER_INCH = 72.0
LAYOUT = "ocr_grid"
REREAD_SCALE = 1.5
MAX_PAGE_PIXELS = 40_000_000  # an A4 page at 200 dpi is 3.9 million; a poster-sized page is rendered coarser


def page_dpi(width_pt: float, height_pt: float) -> float:
    """The resolution a PDF page is rendered at: `DPI`, or less for a page so large it would not fit."""
    pixels = width_pt * height_pt * (DPI / POINTS_PER_INCH) ** 2
    return DPI if pixels <= MAX_PAGE_PIXELS else DPI * (MAX_PAGE_PIXELS / pixels) ** 0.5


@dataclass(frozen=True)
class OcrCell:
    """What the recogniser read in one table cell: its text, the lowest line confidence, page and box, and
    the line crops it was read from (for a second read)."""

    text: str
    confidence: float
    page: int
    bbox: str
    crops: tuple[np.ndarray, ...] = field(default=(), repr=False, compare=False)


OcrKey = tuple[int | None, str | None]  # (page, bbox) of a cell, as the parsed cell's provenance holds it


def read_pdf(data: bytes, what: str) -> Reading:
    """A PDF without a text layer, page by page; `what` describes the file in the error when no text is read."""
    import pypdfium2 as pdfium

    pdf = pdfium.PdfDocument(data)
    try:
        _ask_for_pages(len(pdf), "scanned PDF")
        pages, dpis = [], []
        for i in range(len(pdf)):
            dpi = page_dpi(*pdf[i].get_size())
            pages.append(_bgr(np.asarray(pdf[i].render(scale=dpi / POINTS_PER_INCH).to_pil().convert("RGB"))))
            dpis.append(dpi)
    finally:
        pdf.close()
    return read_pages(pages, "pdf", dpis, what)


def read_image(data: bytes, path: Path) -> Reading:
    """A PNG, JPEG or (multi-page) TIFF."""
    from PIL import Image, ImageSequence

    try:
        img = Image.open(io.BytesIO(data))
        frames = [f.convert("RGB") for f in ImageSequence.Iterator(img)]
    except Exception as exc:
        raise ReadError("unreadable_file", f"not a readable image: {type(exc).__name__}: {exc}") from exc
    _ask_for_pages(len(frames), "image")
    dpi = round(float((img.info.get("dpi") or (DPI,))[0])) or DPI
    return read_pages([_bgr(np.asarray(f)) for f in frames], "image", [dpi] * len(frames),
                      f"an image of {len(frames)} page(s)")


def read_docx_pictures(data: bytes, what: str) -> Reading:
    """The pictures of a Word file, in the order the document shows them, as pages."""
    from docx import Document
    from docx.oxml.ns import qn
    from PIL import Image

    document = Document(io.BytesIO(data))
    parts = document.part.related_parts
    pages: list[np.ndarray] = []
    dpis: list[float] = []
    for blip in document.element.body.iter(qn("a:blip")):
        part = parts.get(blip.get(qn("r:embed")))
        if part is None:
            continue
        try:
            img = Image.open(io.BytesIO(part.blob))
            pages.append(_bgr(np.asarray(img.convert("RGB"))))
        except (OSError, ValueError, zipfile.BadZipFile):
            continue  # a picture format PIL cannot open (EMF, WMF): not a scan
        dpis.append(round(float((img.info.get("dpi") or (DPI,))[0])) or DPI)
    if not pages:
        raise ReadError("needs_ocr", f"{what}; its pictures are in no format the OCR reader opens")
    _ask_for_pages(len(pages), "Word file")
    return read_pages(pages, "docx", dpis, what)


def reread(cell: OcrCell) -> Recognised:
    """A second, independent read of a cell: its line crops binarised (Otsu) and enlarged by half."""
    import cv2

    crops = []
    for crop in cell.crops:
        _, binary = cv2.threshold(crop, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        crops.append(cv2.resize(binary, None, fx=REREAD_SCALE, fy=REREAD_SCALE, interpolation=cv2.INTER_CUBIC))
    lines = recognise(crops)
    if not lines:
        return Recognised("", 0.0)
    return Recognised(cell_text("\n".join(r.text for r in lines)), min(r.confidence for r in lines))


def _bgr(rgb: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(rgb[:, :, ::-1])


def _ask_for_pages(pages: int, what: str) -> None:
    """Refuse a scan longer than MAX_OCR_PAGES, else ask the sandbox for the time its pages need."""
    if pages > MAX_OCR_PAGES:
        raise ReadError("resource_limit", f"{what} has {pages} pages to read by OCR, over the limit of {MAX_OCR_PAGES}")
    ask_for_time(pages * OCR_SECONDS_PER_PAGE)


def read_pages(pages: list[np.ndarray], source_form: str, dpis: list[float], what: str) -> Reading:
    """Blocks of page images (BGR), with every table cell's OCR reading. Pages in which OCR reads no text
    at all stay `needs_ocr` (a blank or unreadable scan), described by `what`."""
    items: list[_Line | _Table] = []
    ocr: dict[OcrKey, OcrCell] = {}
    for number, (image, dpi) in enumerate(zip(pages, dpis, strict=True), start=1):
        items.extend(_page_items(analyse(image), number, POINTS_PER_INCH / dpi, ocr))
    blocks = _blocks(_drop_running_lines(items))
    if not any(b.text.strip() for b in blocks):
        raise ReadError("needs_ocr", f"{what}; OCR read no text in it")
    return Reading(blocks, source_form, LAYOUT, None, ocr=ocr)


def _page_items(layout: PageLayout, page: int, scale: float, ocr: dict[OcrKey, OcrCell]) -> list[_Line | _Table]:
    crops = [ln.image for ln in layout.lines] + [c for t in layout.tables for cell in t.cells for c in cell.lines]
    read = iter(recognise(crops))
    items: list[_Line | _Table] = []
    for ln in layout.lines:
        text = next(read).text.strip()
        if text and not _PAGE_NUMBER.match(text):
            x0, top, x1, bottom = (v * scale for v in ln.box)
            items.append(_Line(text, page, x0, top, x1, bottom))
    for t in layout.tables:
        grid: dict[tuple[int, int], tuple[Cell, tuple[float, float, float, float]]] = {}
        for cell in t.cells:
            lines = [next(read) for _ in cell.lines]
            text = cell_text("\n".join(r.text for r in lines))
            box = tuple(v * scale for v in cell.box)
            bbox = ",".join(f"{v:.1f}" for v in box)
            grid[(cell.row, cell.col)] = (Cell(text, page=page, col_index=cell.col, bbox=bbox), box)
            if cell.lines:
                ocr[(page, bbox)] = OcrCell(text, min(r.confidence for r in lines), page, bbox, tuple(cell.lines))
        rows, boxes = [], []
        for r in sorted({row for row, _ in grid}):
            row_cells, row_boxes = [], []
            for c in range(t.ncols):
                cell, box = grid.get((r, c), (None, None))
                row_cells.append(cell if cell is not None else Cell("", page=page, col_index=c))
                row_boxes.append(box)
            for cell in row_cells:
                cell.row_index = len(rows)
            rows.append(row_cells)
            boxes.append(row_boxes)
        items.append(_Table(page, t.box[1] * scale, rows, boxes, t.box[3] * scale))
    items.sort(key=lambda it: it.top)
    return items
