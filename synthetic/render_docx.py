"""A report as a Word file (python-docx), tables with genuinely merged cells as agencies' Word files have.

A merged region is one cell in Word: `w:gridSpan` across columns, `w:vMerge restart/continue` down rows.
The markup is written directly (python-docx's `cell.merge` re-scans the table on every call and takes
seconds per report); python-docx then reads it back like any Word file.
"""

from __future__ import annotations

import io
import random

from docx import Document as DocxDocument
from docx.oxml import OxmlElement
from docx.oxml.ns import qn

from synthetic.document import Document, Grid, Paragraph


def _tc(text: str, span: int, vmerge: str | None) -> OxmlElement:
    tc = OxmlElement("w:tc")
    pr = OxmlElement("w:tcPr")
    if span > 1:
        gs = OxmlElement("w:gridSpan")
        gs.set(qn("w:val"), str(span))
        pr.append(gs)
    if vmerge is not None:
        vm = OxmlElement("w:vMerge")
        if vmerge == "restart":
            vm.set(qn("w:val"), "restart")
        pr.append(vm)
    tc.append(pr)
    p = OxmlElement("w:p")
    if text:
        r = OxmlElement("w:r")
        t = OxmlElement("w:t")
        t.text = text
        t.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        r.append(t)
        p.append(r)
    tc.append(p)
    return tc


def _table(docx, grid: Grid) -> None:
    table = docx.add_table(rows=0, cols=grid.ncols)
    table.style = "Table Grid"
    tbl = table._tbl
    origin = {(c.row, c.col): c for c in grid.cells}
    covered = {}
    for c in grid.cells:
        for dr in range(1, c.rowspan):
            covered[(c.row + dr, c.col)] = c
    for r in range(grid.nrows):
        tr = OxmlElement("w:tr")
        col = 0
        while col < grid.ncols:
            if (r, col) in origin:
                c = origin[(r, col)]
                tr.append(_tc(c.text, c.colspan, "restart" if c.rowspan > 1 else None))
                col += c.colspan
            elif (r, col) in covered:
                c = covered[(r, col)]
                tr.append(_tc("", c.colspan, "continue"))
                col += c.colspan
            else:
                tr.append(_tc("", 1, None))
                col += 1
        tbl.append(tr)


def render_docx(doc: Document, rng: random.Random) -> bytes:
    """The .docx bytes of the report."""
    out = DocxDocument()
    core = out.core_properties
    core.author = doc.truth.agency
    core.title = next(p.text for p in doc.items if isinstance(p, Paragraph) and p.kind == "title")
    for item in doc.items:
        if isinstance(item, Paragraph):
            if item.kind == "title" and rng.random() < 0.5:
                out.add_heading(item.text, level=1)
            else:
                out.add_paragraph(item.text)
        else:
            _table(out, item)
    buf = io.BytesIO()
    out.save(buf)
    return buf.getvalue()
