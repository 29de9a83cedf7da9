"""A PDF page's characters, rulings and images for pdfplumber, read by PLAYA instead of pdfminer.

pdfplumber finds tables from the objects pdfminer's interpreter makes of a page's content stream. That
interpreter is pure Python, and on these reports it was three quarters of a PDF's parse. PLAYA reads the
same stream compiled (mypyc), and `playa.miner` re-creates pdfminer's objects from it: the same characters
with the same boxes, the same rectangles, lines and curves. This module turns them into the dicts pdfplumber
keeps in `Page.objects`, so its table finder, text lines and crops work unchanged on them.

Two differences are handled here rather than inherited:
- A character of a vertical (CJK `-V`) font, such as a column header printed one character under another.
  `playa.miner` places its box from the glyph's position vector, pdfminer from 1000 minus it; the boxes are
  0.76 em apart, enough to move a character into the cell above. Such characters get pdfminer's box.
- A character its font does not map to Unicode. pdfminer gives it as `(cid:N)`, which the reader counts to
  send an unmapped PDF to OCR; PLAYA gives the character code itself as the text, a guess that can read as
  a digit. A page with such a character is left to pdfminer (`page_objects` returns None).

`tests/test_pdf_objects.py` holds the objects equal to pdfminer's own, through pdfplumber, on the real PDFs.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import playa
from playa.cmapdb import IdentityCMap, IdentityCMapByte
from playa.content import GlyphObject, TextObject, XObjectObject
from playa.font import CIDFont
from playa.miner import LTChar, LTCurve, LTFigure, LTImage, LTLine, LTRect, process_object
from playa.utils import transform_bbox

PdfObject = dict[str, Any]

# pdfplumber's name for each kind of object (its `object_type`).
_KINDS = {LTChar: "char", LTRect: "rect", LTLine: "line", LTCurve: "curve", LTImage: "image"}
# pdfminer's horizontal position of a vertical glyph without its own (W2) position vector: half its size.
_DEFAULT_VERTICAL_X = 0.5


def open_document(data: bytes) -> playa.Document:
    """The document in pdfminer's page space (origin at the bottom left of the page as displayed)."""
    return playa.parse(data, space="page")


class UnmappedText(Exception):
    """A character whose text PLAYA would guess from its code (see the module's docstring)."""


def page_objects(page: Any, source: playa.Page) -> dict[str, list[PdfObject]] | None:
    """`page.objects` as pdfplumber would build them for this page (a `pdfplumber.Page`) with pdfminer, or
    None when a character's text cannot be had as pdfminer would give it."""
    objects: dict[str, list[PdfObject]] = {}
    frame = _Frame(page)
    try:
        for item in _components(source):
            obj = frame.place(item)
            objects.setdefault(obj["object_type"], []).append(obj)
    except UnmappedText:
        return None
    return objects


def _components(content: Any) -> Iterator[Any]:
    """pdfminer's layout objects of a page or form, figures flattened as pdfplumber flattens them."""
    for obj in content:
        if isinstance(obj, TextObject):
            yield from (_char(glyph) for glyph in obj)
        elif isinstance(obj, XObjectObject):
            yield from _components(obj)
        else:
            for item in process_object(obj):
                yield from (item if isinstance(item, LTFigure) else (item,))


def _char(glyph: GlyphObject) -> LTChar:
    if not _mapped(glyph):
        raise UnmappedText(glyph.cid)
    char = LTChar(glyph)
    if glyph.font.vertical:
        char.set_bbox(_pdfminer_vertical_box(glyph, char.matrix))
        char.size = char.width
    return char


def _mapped(glyph: GlyphObject) -> bool:
    """Whether the glyph's text comes from its font's own mapping: its ToUnicode map, a predefined CID map,
    or a simple font's encoding. Where there is none, PLAYA falls back to the character code."""
    font, cid = glyph.font, glyph.cid
    if font.tounicode is not None:
        return _code(font, cid) in font.tounicode.bytes2unicode
    if isinstance(font, CIDFont):
        return font.unicode_map is not None and cid in font.unicode_map.cid2unichr
    return bool(font._cid2unicode.get(cid))


def _code(font: Any, cid: int) -> bytes | None:
    """The bytes a glyph was shown by, where the font's encoding makes them its CID (simple fonts, and CID
    fonts encoded Identity-H or -V); None otherwise."""
    if not isinstance(font, CIDFont):
        return bytes([cid]) if cid < 256 else None
    if isinstance(font.cmap, IdentityCMapByte):
        return bytes([cid]) if cid < 256 else None
    if isinstance(font.cmap, IdentityCMap):
        return cid.to_bytes(2, "big")
    return None


def _pdfminer_vertical_box(glyph: GlyphObject, matrix: tuple[float, ...]) -> tuple[float, float, float, float]:
    """pdfminer's box of a vertical-font glyph (`pdfminer.layout.LTChar`), in the page's space."""
    font, cid = glyph.font, glyph.cid
    size = glyph.gstate.fontsize
    scaling = glyph.gstate.scaling * 0.01
    vx, vy = font.position(cid)
    x = size * (vx if cid in font.positions else _DEFAULT_VERTICAL_X)
    y = size * (1 - vy)
    advance = font.vdisp(cid) * size * scaling
    x0, y0, x1, y1 = transform_bbox(matrix, (-x, y + advance, -x + size, y))
    return min(x0, x1), min(y0, y1), max(x0, x1), max(y0, y1)


class _Frame:
    """pdfplumber's coordinates: y measured down from the top of the page, x and y offset by the media box."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.left, self.top = page.mediabox[:2]
        self.height = page.height

    def place(self, item: Any) -> PdfObject:
        kind = _KINDS[type(item)]
        top = self.height - item.y1 + self.top
        bottom = self.height - item.y0 + self.top
        obj: PdfObject = {
            "object_type": kind, "page_number": self.page.page_number,
            "x0": item.x0 + self.left, "x1": item.x1 + self.left, "y0": item.y0, "y1": item.y1,
            "width": item.width, "height": item.height,
            "top": top, "bottom": bottom, "doctop": self.page.initial_doctop + top,
        }
        if kind == "char":
            obj.update(text=item.get_text(), fontname=item.fontname, size=item.size, adv=item.adv,
                       upright=item.upright, matrix=item.matrix,
                       stroking_color=_color(item.stroking_color), non_stroking_color=_color(item.non_stroking_color))
        elif kind == "image":
            obj.update(name=item.name, srcsize=item.srcsize, bits=item.bits, imagemask=item.imagemask)
        else:
            obj.update(linewidth=item.linewidth, stroke=item.stroke, fill=item.fill, evenodd=item.evenodd,
                       stroking_color=_color(item.stroking_color),
                       non_stroking_color=_color(item.non_stroking_color),
                       pts=[self.page.point2coord(p) for p in item.pts])
        return obj


def _color(color: Any) -> tuple[float, ...]:
    """A colour's components, as pdfplumber gives them (PLAYA keeps a `Color` with an optional pattern)."""
    return tuple(getattr(color, "values", ()) or ())
