"""A report as a born-digital PDF (reportlab): prose as paragraphs, tables ruled with merged cells.

The text is set in reportlab's built-in Adobe CJK CID font (STSong-Light, Adobe-GB1): the viewer or
pdfminer supplies the glyph metrics and the Unicode mapping from the standard CMaps, so no font file is
needed on any machine. Tables are drawn with every cell ruled (`GRID`), a merged region as one box
(`SPAN`), as agencies' Word files print them. A long table continues on the next page the way Word breaks
it: between rows, through merged regions, with section 三's header rows repeated there ("repeat header
rows"). Labels wrap inside their cells; values stay on one line (the table is set smaller until they fit),
as a number broken over two lines is not what Word prints either.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.cidfonts import UnicodeCIDFont
from reportlab.platypus import Paragraph as RLParagraph
from reportlab.platypus import SimpleDocTemplate, Spacer, Table, TableStyle

from synthetic.document import Document, Grid, Paragraph

FONT = "STSong-Light"
_PAD = 3.0  # reportlab's default cell padding, each side
_HEADER_ROWS = {"applications": 3, "review_litigation": 3}  # repeated on a continuation page
# Relative column widths: label columns get room to wrap a few characters per line, values share the rest.
_WEIGHTS = {
    "disclosure": (1.3, 1.2, 1.0, 1.0, 1.0),
    "applications": (0.55, 0.95, 2.3),
}


@dataclass
class PdfOptions:
    """The page and type a report is set in."""

    font_size: float = 12.0  # body text
    table_font_size: float = 9.0  # largest table text; a table whose values do not fit is set smaller
    margin: float = 72.0  # points, each side
    repeat_header: bool = True  # section 三's header rows repeated on a continuation page
    center_cells: bool = True


def _register_font() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(UnicodeCIDFont(FONT))


def _markup(text: str) -> str:
    """Paragraph markup of plain text: escaped, line breaks kept."""
    return escape(text).replace("\n", "<br/>")


def _col_widths(grid: Grid, avail: float) -> list[float]:
    weights = list(_WEIGHTS.get(grid.table, ()))
    weights += [1.0] * (grid.ncols - len(weights))
    total = sum(weights)
    return [avail * w / total for w in weights]


def _fit_size(grid: Grid, widths: list[float], size: float) -> float:
    """The largest font size (≤ `size`, ≥ 5) at which every value cell's text fits its box on one line."""
    values = [(c.text.strip(), sum(widths[c.col:c.col + c.colspan]) - 2 * _PAD - 1)
              for c in grid.cells if c.kind == "value" and c.text.strip()]
    while size > 5 and any(pdfmetrics.stringWidth(t, FONT, size) > w for t, w in values):
        size -= 0.5
    return size


@dataclass
class _Layout:
    """What every part of one table shares."""

    grid: Grid
    widths: list[float]
    size: float
    opts: PdfOptions
    header: int  # leading grid rows repeated on a continuation page


class GridTable(Table):
    """Some rows of a grid as a reportlab table, which splits at a page break the way Word does.

    reportlab's own split refuses to cut a row span (and section 三's 办理结果 spans twenty rows), so the
    split is made here on the grid: between rows, a merged region cut by the break keeping its box on both
    pages, its text on the page where it starts (the continuation is an empty box, as in Word).
    """

    def __init__(self, layout: _Layout, rows: list[int], fixed: int) -> None:
        self.layout, self.grid_rows, self.fixed = layout, rows, fixed
        grid, opts, size = layout.grid, layout.opts, layout.size
        label = ParagraphStyle("cell", fontName=FONT, fontSize=size, leading=size * 1.25, wordWrap="CJK",
                               alignment=TA_CENTER if opts.center_cells else TA_LEFT)
        at = {r: i for i, r in enumerate(rows)}
        data: list[list[object]] = [[""] * grid.ncols for _ in rows]
        style: list[tuple] = [("FONT", (0, 0), (-1, -1), FONT, size, size * 1.25),
                              ("GRID", (0, 0), (-1, -1), 0.5, "black"),
                              ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                              ("ALIGN", (0, 0), (-1, -1), "CENTER" if opts.center_cells else "LEFT")]
        for c in grid.cells:
            inside = [at[r] for r in range(c.row, c.row + c.rowspan) if r in at]
            if not inside:
                continue
            top, bottom = min(inside), max(inside)
            if c.row in at:
                if c.kind == "value":
                    data[top][c.col] = c.text.strip()  # one line, no wrapping: sized to fit (`_fit_size`)
                elif c.text.strip():
                    data[top][c.col] = RLParagraph(_markup(c.text), label)
            if bottom > top or c.colspan > 1:
                style.append(("SPAN", (c.col, top), (c.col + c.colspan - 1, bottom)))
        super().__init__(data, colWidths=layout.widths, hAlign="CENTER", style=TableStyle(style))

    def split(self, availWidth, availHeight):
        """This part up to the last row that fits, and the rest (after the repeated header, if any)."""
        rows, fixed = self.grid_rows, self.fixed
        self.wrap(availWidth, availHeight)
        k, used = 0, 0.0
        while k < len(rows) and used + self._rowHeights[k] <= availHeight:
            used += self._rowHeights[k]
            k += 1
        head = list(range(self.layout.header)) if self.layout.opts.repeat_header else []
        while k > fixed:  # a cut region may make the first part taller than its rows were: try fewer
            first = GridTable(self.layout, rows[:k], fixed)
            if first.wrap(availWidth, availHeight)[1] <= availHeight:
                return [first, GridTable(self.layout, head + rows[k:], len(head))]
            k -= 1
        return []


def _table(grid: Grid, avail: float, opts: PdfOptions) -> GridTable:
    widths = _col_widths(grid, avail)
    header = _HEADER_ROWS.get(grid.table, 0)
    layout = _Layout(grid, widths, _fit_size(grid, widths, opts.table_font_size), opts, header)
    return GridTable(layout, list(range(grid.nrows)), header)


def render_pdf(doc: Document, opts: PdfOptions | None = None) -> bytes:
    """The PDF bytes of the report (A4 portrait); the same document and options give the same bytes."""
    _register_font()
    opts = opts or PdfOptions()
    fs = opts.font_size
    title_style = ParagraphStyle("title", fontName=FONT, fontSize=fs * 1.5, leading=fs * 2.2, alignment=TA_CENTER,
                                 wordWrap="CJK", spaceAfter=fs)
    prose_style = ParagraphStyle("prose", fontName=FONT, fontSize=fs, leading=fs * 1.6, wordWrap="CJK",
                                 firstLineIndent=2 * fs)
    heading_style = ParagraphStyle("heading", parent=prose_style, spaceBefore=fs * 0.4)
    title = next(p.text for p in doc.items if isinstance(p, Paragraph) and p.kind == "title")
    buf = io.BytesIO()
    pdf = SimpleDocTemplate(buf, pagesize=A4, leftMargin=opts.margin, rightMargin=opts.margin,
                            topMargin=opts.margin, bottomMargin=opts.margin, title=title, author=doc.truth.agency,
                            invariant=1)
    story: list[object] = []
    for item in doc.items:
        if isinstance(item, Paragraph):
            style = {"title": title_style, "heading": heading_style}.get(item.kind, prose_style)
            story.append(RLParagraph(_markup(item.text), style))
        else:
            story += [Spacer(1, fs * 0.3), _table(item, pdf.width, opts), Spacer(1, fs * 0.3)]
    pdf.build(story)
    return buf.getvalue()
