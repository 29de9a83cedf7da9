"""A parsed document crosses from its parse worker to the loader by pickle, packed (`ParsedDocument.__reduce__`):
what arrives must be the document that left, every cell, value, provenance, issue and fact."""

from __future__ import annotations

import pickle
from decimal import Decimal
from pathlib import Path

from documents import seed_004_docx

from extract.blocks import Cell
from extract.match import ParsedCell
from extract.parse import ParsedDocument, parse_bytes, parse_file

TESTS = Path(__file__).resolve().parent
SOURCES = [TESTS / "fixtures" / "pdf" / "huaian-city-2024.pdf", TESTS / "fixtures" / "forms" / "huamu-2023-gbk.html",
           TESTS / "fixtures" / "text" / "f2021_digit_runs.txt", TESTS / "fixtures" / "text" / "f2021_markdown.md",
           TESTS / "fixtures" / "forms" / "news-no-report.html"]


def _sent(doc: ParsedDocument) -> ParsedDocument:
    return pickle.loads(pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL))


def test_every_form_arrives_as_it_left():
    docs = [parse_file(path) for path in SOURCES] + [parse_bytes(seed_004_docx()[0], Path("xiluoyuan-2019.docx"))]
    assert [d.source_form for d in docs] == ["pdf", "html", "text", "markdown", "html", "docx"]
    assert docs[-2].status == "failed" and not docs[-2].cells  # a page that is not a report travels too
    for doc in docs:
        back = _sent(doc)
        assert back.__dict__ == doc.__dict__, doc.file_name
        assert all(type(c) is ParsedCell and type(c.source) is Cell for c in back.cells)
    pdf, html, digits = (_sent(d) for d in docs[:3])
    assert pdf.cells[0].source.page is not None and pdf.cells[0].source.bbox  # provenance of each form kept
    assert html.cells[0].source.table_index is not None and digits.cells[0].source.line is not None
    assert sum(len(d.issues) for d in docs) > 0 and sum(len(d.facts) for d in docs) > 0


def test_values_keep_their_exponent_and_sign():
    """str(Decimal) carries what the loader stores and what equality does not see: the printed places."""
    doc = parse_file(SOURCES[2])
    values = [Decimal("1E+3"), Decimal("-0.5"), Decimal("12.3400"), Decimal("0"), Decimal("-0"), None]
    for cell, value in zip(doc.cells, values, strict=False):
        cell.value = value
    doc.cells[0].source = Cell("６８27000", line=3, cuts=(2,))
    blob = pickle.dumps(doc, protocol=pickle.HIGHEST_PROTOCOL)
    assert b"ParsedCell" not in blob  # packed: no cell object pickled one field at a time
    back = pickle.loads(blob)
    assert [str(c.value) for c in back.cells[:6]] == ["1E+3", "-0.5", "12.3400", "0", "-0", "None"]
    assert back.cells[0].source == Cell("６８27000", line=3, cuts=(2,))
    assert back.cells == doc.cells and len(back.cells) > 6
