"""OCR of scans (issue 16): page analysis, identity verification, the install hint, one scanned report.

The round trips over every degradation level and container, and the three real PDFs rasterised, are in
tests/test_ocr_slow.py (`make test-slow`): one OCR'd page takes seconds on the shared cores.
"""

from __future__ import annotations

import io
import random
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageDraw, ImageFont

from extract import ocr
from extract.blocks import Cell
from extract.issues import Issue
from extract.match import ParsedCell
from extract.ocr.layout import analyse
from extract.ocr.reader import OcrCell
from extract.ocr.verify import verify
from extract.parse import parse_bytes
from extract.readers import reader_for
from synthetic.scan import _seal, exact_share, roundtrip


def _ruled_page(tilt: float = 0.0) -> Image.Image:
    """A white page with four lines of prose above a 3×4 ruled grid holding a number in every cell."""
    page = Image.new("RGB", (1400, 1000), (255, 255, 255))
    draw = ImageDraw.Draw(page)
    font = ImageFont.load_default(size=30)
    for k in range(4):
        draw.text((150, 60 + 50 * k), f"Line {k} of the prose above the table, 2024 report", fill=0, font=font)
    xs, ys = [150, 550, 800, 1050, 1250], [300, 380, 460, 540]
    for x in xs:
        draw.line((x, ys[0], x, ys[-1]), fill=0, width=3)
    for y in ys:
        draw.line((xs[0], y, xs[-1], y), fill=0, width=3)
    for x0 in xs[:-1]:
        for y0 in ys[:-1]:
            draw.text((x0 + 40, y0 + 22), str(x0 + y0), fill=0, font=font)
    return page.rotate(tilt, resample=Image.Resampling.BICUBIC, fillcolor=(255, 255, 255)) if tilt else page


def _bgr(page: Image.Image) -> np.ndarray:
    return np.ascontiguousarray(np.asarray(page)[:, :, ::-1])


@pytest.mark.parametrize("tilt", [0.0, 1.3, -2.7])
def test_skew_is_measured_and_undone(tilt):
    layout = analyse(_bgr(_ruled_page(tilt)))
    assert layout.angle == pytest.approx(-tilt, abs=0.15)
    assert len(layout.tables) == 1
    table = layout.tables[0]
    assert (table.nrows, table.ncols) == (3, 4)
    assert sorted((c.row, c.col) for c in table.cells) == [(r, c) for r in range(3) for c in range(4)]
    assert all(len(c.lines) == 1 for c in table.cells)
    assert len(layout.lines) == 4  # the prose above the table, each its own line


def test_a_red_seal_is_not_ink():
    page = _ruled_page()
    sealed = _seal(_seal(page, random.Random(1)), random.Random(2))
    assert np.asarray(sealed)[:, :, 1].min() < 200  # the seal is there, in green and blue
    clean, stamped = analyse(_bgr(page)), analyse(_bgr(sealed))
    assert [ln.box for ln in stamped.lines] == [ln.box for ln in clean.lines]
    assert [len(c.lines) for c in stamped.tables[0].cells] == [len(c.lines) for c in clean.tables[0].cells]


def _cell(table: str, row: str, col: str, value: int | None, page: int, conf: float,
          ocr_cells: dict) -> ParsedCell:
    """A parsed cell read by OCR; None is a cell of blank paper (nothing for OCR to read)."""
    bbox = f"{len(col)}.0,{len(row)}.0,{ord(col[0])}.0,{ord(row[0])}.0"  # one box per cell of these tests
    text = "" if value is None else str(value)
    if value is not None:
        ocr_cells[(page, bbox)] = OcrCell(text, conf, page, bbox)
    return ParsedCell(table, row, col, None if value is None else Decimal(value), text,
                      Cell(text, page=page, bbox=bbox))


def _t4(values: list[int], confs: list[float]) -> tuple[list[ParsedCell], dict]:
    """Section 四's review row: upheld, corrected, other, pending, total."""
    ocr_cells: dict = {}
    cols = ["upheld", "corrected", "other", "pending", "total"]
    cells = [_cell("review_litigation", "review", c, v, 3, k, ocr_cells)
             for c, v, k in zip(cols, values, confs, strict=True)]
    return cells, ocr_cells


def test_a_holding_identity_proves_its_terms():
    cells, ocr_cells = _t4([1, 2, 0, 3, 6], [0.99, 0.98, 0.95, 0.99, 0.99])
    assert verify(cells, ocr_cells, []) == []
    assert [c.value for c in cells] == [1, 2, 0, 3, 6]


def test_one_unsure_term_is_the_unique_value_making_it_hold():
    cells, ocr_cells = _t4([1, 2, 0, 3, 6], [0.99, 0.3, 0.95, 0.99, 0.99])
    assert verify(cells, ocr_cells, []) == []
    assert cells[1].value == 2


def test_two_unsure_terms_are_not_proven_by_their_sum():
    cells, ocr_cells = _t4([1, 2, 0, 3, 6], [0.99, 0.3, 0.4, 0.99, 0.99])
    issues = verify(cells, ocr_cells, [])
    assert [c.value for c in cells] == [1, None, None, 3, 6]
    assert {i.col for i in issues} == {"corrected", "other"}
    assert "OCR read '2' (confidence 0.30)" in next(i.detail for i in issues if i.col == "corrected")


def test_a_broken_identity_nulls_its_terms_with_the_alternatives():
    cells, ocr_cells = _t4([1, 2, 0, 3, 9], [0.99, 0.99, 0.99, 0.99, 1.0])  # a misread (or misprinted) 6
    issues = verify(cells, ocr_cells, [])
    assert [c.value for c in cells] == [None] * 5
    total = next(i for i in issues if i.col == "total")
    assert total.code == "ocr_uncertain" and total.severity == "error" and total.table == "review_litigation"
    assert "OCR read '9' (confidence 1.00)" in total.detail
    assert "T4_TOTAL review: 6" in total.detail
    pending = next(i for i in issues if i.col == "pending")
    assert "T4_TOTAL review: 6" in pending.detail  # 3 + (9 - 6): the value pending would need


def test_a_blank_term_leaves_its_identity_unchecked_and_its_numbers_null():
    cells, ocr_cells = _t4([1, None, 0, 3, 4], [0.99] * 5)
    issues = verify(cells, ocr_cells, [])
    assert [c.value for c in cells] == [None] * 5
    assert [i.col for i in issues] == ["upheld", "other", "pending", "total"]
    assert all("fails or has a blank or missing term" in i.detail for i in issues)


def test_section_two_numbers_in_a_table_the_matcher_flagged_are_null():
    ocr_cells: dict = {}
    cells = [_cell("disclosure", "licensing", "decisions", 13, 1, 1.0, ocr_cells)]
    flagged = [Issue("row_not_found", "row penalty not found in section 二", "disclosure", "penalty")]
    issues = verify(cells, ocr_cells, flagged)
    assert cells[0].value is None
    assert [(i.code, i.table, i.row, i.col) for i in issues] == [("ocr_uncertain", "disclosure", "licensing",
                                                                 "decisions")]
    assert "its table has a row or cell the matcher could not place cleanly" in issues[0].detail


def test_without_the_engine_scans_keep_needs_ocr_with_a_hint(monkeypatch):
    monkeypatch.setattr(ocr, "available", lambda: False)
    picture = io.BytesIO()
    _ruled_page().save(picture, format="PNG")
    doc = parse_bytes(picture.getvalue(), Path("scan.png"))
    assert doc.status == "failed" and doc.source_form == "image"
    assert doc.error == f"needs_ocr: an image of a page: OCR is needed to read it; {ocr.INSTALL_HINT}"


def test_engine_is_installed_and_offline():
    assert ocr.available()


def test_a_page_image_is_read_into_grid_rows_with_its_numbers():
    picture = io.BytesIO()
    _ruled_page(1.0).save(picture, format="PNG", dpi=(200, 200))
    reading = reader_for(Path("page.png"))(picture.getvalue(), Path("page.png"))
    assert (reading.source_form, reading.layout) == ("image", "ocr_grid")
    rows = [[c.text for c in b.cells] for b in reading.blocks if b.kind == "row"]
    assert rows == [[str(x + y) for x in (150, 550, 800, 1050)] for y in (300, 380, 460)]
    cell = next(b for b in reading.blocks if b.kind == "row").cells[0]
    assert (cell.page, cell.table_index, cell.row_index, cell.col_index) == (1, 0, 0, 0)
    read = reading.ocr[(1, cell.bbox)]
    assert read.text == "450" and read.confidence > 0.9
    x0, _, x1, _ = map(float, cell.bbox.split(","))
    assert 150 * 0.36 - 3 < x0 < 150 * 0.36 + 3 and 550 * 0.36 - 3 < x1 < 550 * 0.36 + 3  # points at 200 dpi


@pytest.mark.slow
def test_a_scanned_tiff_round_trips_with_no_wrong_cell():
    scan, doc, problems = roundtrip(101, "clean", "tiff")
    assert scan.pages >= 2 and doc.layout == "ocr_grid" and doc.source_form == "image"
    assert problems == [], "\n".join(map(str, problems))
    exact, total = exact_share(scan.truth_cells, doc)
    print(f"clean tiff: {exact}/{total} cells read exactly")
    assert exact / total >= 0.9
    assert doc.report["year"] == scan.year
