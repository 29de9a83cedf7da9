"""A report as a Word file (python-docx), tables with genuinely merged cells as agencies' Word files have.

A merged region is one cell in Word (`gridSpan` / `vMerge`); python-docx returns the same text for every
grid position it covers, which is what a DOCX reader has to untangle.
"""

from __future__ import annotations

import io
import random

from docx import Document as DocxDocument

from synthetic.document import Document, Grid, Paragraph


def _table(docx, grid: Grid) -> None:
    table = docx.add_table(rows=grid.nrows, cols=grid.ncols)
    table.style = "Table Grid"
    for c in grid.cells:
        if c.rowspan > 1 or c.colspan > 1:
            table.cell(c.row, c.col).merge(table.cell(c.row + c.rowspan - 1, c.col + c.colspan - 1))
    for c in grid.cells:
        table.cell(c.row, c.col).text = c.text


def render_docx(doc: Document, rng: random.Random) -> bytes:
    """The .docx bytes of the report."""
    out = DocxDocument()
    core = out.core_properties
    core.author = doc.truth.agency
    core.title = next(p.text for p in doc.items if isinstance(p, Paragraph) and p.kind == "title")
    for item in doc.items:
        if isinstance(item, Paragraph):
            if item.kind == "title":
                out.add_heading(item.text, level=1) if rng.random() < 0.5 else out.add_paragraph(item.text)
            else:
                out.add_paragraph(item.text)
        else:
            _table(out, item)
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()
