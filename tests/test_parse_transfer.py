"""A parsed document crosses from its parse worker to the loader by pickle, packed (`ParsedDocument.__reduce__`):
what arrives must be the document that left, every cell, value, provenance, issue and fact."""

from __future__ import annotations

import pickle
from decimal import Decimal
from pathlib import Path

from documents import seed_004_docx

from extract.blocks import Cell
from extract.frames import to_frames
from extract.match import ParsedCell
from extract.parse import ParsedDocument, parse_bytes, parse_file
from extract.transfer import PackedCells

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


def test_the_loader_frames_received_cells_from_their_columns_as_it_would_the_cells():
    """A received document's cells stay columns (`PackedCells`) until a cell is asked for: its `raw.cells` frame
    is built from them and equals the frame of the document that left, a value printed with more than four
    decimals rounded as `storable` rounds it (half to even, not cut)."""
    doc = parse_file(SOURCES[2])
    doc.cells[0].value, doc.cells[1].value = Decimal("24252.311082"), Decimal("0.00005")
    back = _sent(doc)
    assert isinstance(back.cells, PackedCells) and back.cells.untouched
    frame = to_frames([back])["cells"]
    assert back.cells.untouched  # framed without building a cell
    assert frame.equals(to_frames([doc])["cells"])
    assert frame["value"].to_list()[:2] == [Decimal("24252.3111"), Decimal("0.0000")]
    assert frame.height == len(doc.cells) and frame["report_id"].unique().to_list() == [doc.report_id]


def test_a_received_cell_changed_after_arrival_is_framed_as_changed():
    """Once a cell was built from the columns it can be changed: the frame is then built from the cells."""
    back = _sent(parse_file(SOURCES[2]))
    first = back.cells[0]
    first.value = Decimal("7")
    assert not back.cells.untouched
    frame = to_frames([back])["cells"]
    assert frame.row(0, named=True)["value"] == Decimal("7.0000")
    assert pickle.loads(pickle.dumps(back)).cells[0].value == Decimal("7")
