"""Page images (PNG, JPEG, TIFF): read by OCR when the engine is installed, else `needs_ocr` with a hint."""

from __future__ import annotations

from pathlib import Path

from extract import ocr
from extract.readers import ReadError, Reading


def read(data: bytes, path: Path) -> Reading:
    if not data.strip():
        raise ReadError("empty_file", "empty file (no bytes)")
    if not ocr.available():
        raise ReadError("needs_ocr", f"an image of a page: OCR is needed to read it; {ocr.INSTALL_HINT}")
    return ocr.load_reader().read_image(data, path)
