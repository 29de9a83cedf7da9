"""The PDF reader's page objects come from PLAYA, and they are pdfminer's objects (extract/readers/pdf_objects.py).

pdfplumber's own objects, read by pdfminer, are the reference: on the real PDFs of `tests/fixtures/pdf/`, on
the same pages rotated and with their media box moved, every character, ruling and image PLAYA gives is
equal to pdfminer's on what pdfplumber's table finder reads. The reader then never runs pdfminer's
interpreter on these files, and a document PLAYA cannot read is still read.
"""

from __future__ import annotations

import io
from pathlib import Path
from unittest import mock

import pdfplumber
import pytest
from documents import glyph_id_pdf, minimal_pdf

from extract.readers import ReadError, pdf, pdf_objects
from extract.readers.pdf_objects import open_document, page_objects

PDFS = sorted((Path(__file__).parent / "fixtures" / "pdf").glob("*.pdf"))
# The one with a column header in a vertical font (page 3, `三、本年度办理结果` one character under another).
VERTICAL_TEXT = next(p for p in PDFS if p.name == "hongze-district-2024.pdf")
# What pdfplumber's tables, text lines and the reader's checks read of each kind of object.
COMPARED = {
    "char": ("text", "x0", "x1", "top", "bottom", "doctop", "size", "upright", "fontname", "adv"),
    "rect": ("x0", "x1", "top", "bottom", "doctop", "width", "height", "stroke", "fill", "pts"),
    "line": ("x0", "x1", "top", "bottom", "doctop", "width", "height", "stroke", "fill", "pts"),
    "curve": ("x0", "x1", "top", "bottom", "doctop", "width", "height", "stroke", "fill", "pts"),
    "image": ("x0", "x1", "top", "bottom", "srcsize"),
}


def _rounded(value):
    if isinstance(value, float):
        return round(value, 3)
    if isinstance(value, (list, tuple)):
        return tuple(_rounded(v) for v in value)
    return value


def _differences(data: bytes) -> tuple[int, list[str]]:
    """How many objects were compared, and each difference between PLAYA's and pdfminer's."""
    compared, differences = 0, []
    with pdfplumber.open(io.BytesIO(data)) as plumbed:
        document = open_document(data)
        for page, source in zip(plumbed.pages, document.pages, strict=True):
            ours, theirs = page_objects(page, source), page.objects
            assert ours is not None, f"page {page.page_number} was left to pdfminer"
            assert ours.keys() == theirs.keys()
            for kind, objects in theirs.items():
                assert len(ours[kind]) == len(objects), (page.page_number, kind)
                for mine, reference in zip(ours[kind], objects, strict=True):
                    compared += 1
                    differences += [f"p{page.page_number} {kind} {key}: {mine[key]!r} != {reference[key]!r}"
                                    for key in COMPARED[kind] if _rounded(mine[key]) != _rounded(reference[key])]
    return compared, differences


def _moved(data: bytes, rotation: int, margin: float) -> bytes:
    """The same PDF with every page rotated and its media box grown by `margin` on each side."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(data)
    for page in document:
        page.set_rotation(rotation)
        left, bottom, right, top = page.get_mediabox()
        page.set_mediabox(left - margin, bottom - margin, right + margin, top + margin)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize("path", PDFS, ids=lambda p: p.stem)
def test_objects_are_pdfminers(path: Path) -> None:
    compared, differences = _differences(path.read_bytes())
    assert compared > 1500
    assert differences == []


@pytest.mark.parametrize(("rotation", "margin"), [(90, 0.0), (180, 0.0), (270, 30.0), (0, 30.0)])
def test_objects_are_pdfminers_on_rotated_and_offset_pages(rotation: int, margin: float) -> None:
    compared, differences = _differences(_moved(VERTICAL_TEXT.read_bytes(), rotation, margin))
    assert compared > 2500
    assert differences == []


def test_vertical_font_characters_keep_pdfminers_boxes() -> None:
    """The column header one character under another: each character's box spans -0.88 to +0.12 em around
    its origin, as pdfminer has it (PLAYA alone would put it 0.76 em higher, into the cell above)."""
    data = VERTICAL_TEXT.read_bytes()
    document = open_document(data)  # a PLAYA page refers to its document weakly
    with pdfplumber.open(io.BytesIO(data)) as plumbed:
        chars = page_objects(plumbed.pages[2], document.pages[2])["char"]
    # a vertical glyph is centred on its origin, a horizontal one starts at it
    vertical = [c for c in chars if abs((c["x0"] + c["x1"]) / 2 - c["matrix"][4]) < 1e-3]
    assert "".join(c["text"] for c in vertical).startswith("三、本年度办理结果")
    first = vertical[0]
    origin_y = first["matrix"][5]
    assert first["y0"] == pytest.approx(origin_y - 0.88 * first["size"], abs=1e-3)
    assert first["y1"] == pytest.approx(origin_y + 0.12 * first["size"], abs=1e-3)


def test_reader_does_not_run_pdfminers_interpreter() -> None:
    """Every page of the real PDFs is read by PLAYA: pdfminer's interpreter, made to fail, is never run."""
    with mock.patch("pdfminer.pdfinterp.PDFPageInterpreter.process_page", side_effect=AssertionError):
        readings = [pdf.read(p.read_bytes(), p) for p in PDFS]
    assert [len(r.blocks) for r in readings] == [62, 62, 64]


@pytest.mark.parametrize("method", ["PDF_ENCRYPT_RC4_40", "PDF_ENCRYPT_RC4_128", "PDF_ENCRYPT_AES_128",
                                    "PDF_ENCRYPT_AES_256"])
def test_a_pdf_locked_by_an_owner_password_is_read_by_playa(method: str) -> None:
    """Many agencies publish their reports encrypted with an owner password only (no printing or copying
    restrictions need a password to open): PLAYA decrypts them, and reads the plain file's blocks."""
    import pymupdf

    plain = VERTICAL_TEXT.read_bytes()
    locked = pymupdf.open(stream=plain, filetype="pdf").tobytes(
        encryption=getattr(pymupdf, method), owner_pw="owner", user_pw="", permissions=pymupdf.PDF_PERM_PRINT)
    assert b"/Encrypt" in locked
    expected = [[c.text for c in b.cells] for b in pdf.read(plain, VERTICAL_TEXT).blocks]
    with mock.patch("pdfminer.pdfinterp.PDFPageInterpreter.process_page", side_effect=AssertionError):
        reading = pdf.read(locked, VERTICAL_TEXT)
    assert [[c.text for c in b.cells] for b in reading.blocks] == expected
    assert len(expected) == 62


def test_document_playa_cannot_open_is_read_by_pdfminer() -> None:
    data = VERTICAL_TEXT.read_bytes()
    expected = pdf.read(data, VERTICAL_TEXT)
    with mock.patch.object(pdf_objects, "open_document", side_effect=ValueError("unsupported")):
        fallback = pdf.read(data, VERTICAL_TEXT)
    assert [(b.kind, [c.text for c in b.cells]) for b in fallback.blocks] == [
        (b.kind, [c.text for c in b.cells]) for b in expected.blocks]
    assert len(expected.blocks) == 62


def test_a_page_with_unmapped_glyphs_is_left_to_pdfminer() -> None:
    """A CID font without a ToUnicode map: PLAYA would take the glyph ids for text, pdfminer gives `(cid:N)`."""
    data = glyph_id_pdf(lines=1)
    document = open_document(data)
    with pdfplumber.open(io.BytesIO(data)) as plumbed:
        page = plumbed.pages[0]
        assert page_objects(page, document.pages[0]) is None
        assert [c["text"] for c in page.objects["char"]] == ["(cid:1)", "(cid:2)", "(cid:3)", "(cid:4)", "(cid:1)",
                                                            "(cid:2)"]


def test_a_form_drawing_itself_ends_in_a_read_error() -> None:
    """A form XObject that draws itself: PLAYA recurses until Python stops it, pdfminer refuses the circular
    reference, and the file is a clear error rather than a crash or a hang."""
    content = "BT /F1 12 Tf 72 700 Td (12345) Tj ET /X1 Do"
    form = "q /X1 Do Q"
    resources = "<< /Font << /F1 5 0 R >> /XObject << /X1 6 0 R >> >>"
    data = minimal_pdf([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources {resources} >>",
        f"<< /Length {len(content)} >>\nstream\n{content}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        f"<< /Type /XObject /Subtype /Form /BBox [0 0 612 792] /Resources {resources} /Length {len(form)} >>"
        f"\nstream\n{form}\nendstream",
    ])
    with pytest.raises(ReadError) as error:
        pdf.read(data, Path("self.pdf"))
    assert error.value.code == "empty_file"


def _blocks(reading) -> list[tuple]:
    return [(b.kind, [(c.text, c.page, c.bbox, c.table_index, c.row_index, c.col_index) for c in b.cells])
            for b in reading.blocks]


@pytest.mark.slow
def test_generated_pdfs_read_the_same_through_playa_and_pdfminer() -> None:
    """Every template and variant the generator renders as PDF (another producer than the real files' Word
    export): the same blocks, cell boxes included, and no page left to pdfminer."""
    import random

    from synthetic.render import render_report
    from synthetic.truth import VARIANTS, random_truth

    left = []
    real_page_objects = pdf_objects.page_objects

    def counted(page, source):
        objects = real_page_objects(page, source)
        left.append(objects is None)
        return objects

    drawn = 0
    for template in sorted(VARIANTS):
        for variant in VARIANTS[template]:
            for seed in range(4):
                rng = random.Random(seed)
                data = render_report(random_truth(rng, template, variant), "pdf", rng).data
                path = Path(f"{template}-{variant}-{seed}.pdf")
                with mock.patch.object(pdf_objects, "page_objects", counted):
                    ours = pdf.read(data, path)
                with mock.patch.object(pdf_objects, "open_document", side_effect=ValueError("pdfminer only")):
                    theirs = pdf.read(data, path)
                assert _blocks(ours) == _blocks(theirs), path
                drawn += 1
    assert drawn == 16
    assert len(left) > 30 and not any(left)
