"""OCR of scanned reports (issue 16): page images → the blocks every reader produces → identity-verified cells.

The engine (RapidOCR's PP-OCRv4 ONNX models, shipped inside the `rapidocr-onnxruntime` wheel, CPU only and
offline) is the optional extra `ocr`. Without it a scan keeps the `needs_ocr` status, with `INSTALL_HINT`.
"""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from types import ModuleType

from extract.limits import OCR_SETUP_SECONDS, ask_for_time

INSTALL_HINT = "install the OCR extra to read it: pip install 'nianbao[ocr]' (or make .venv/.installed)"


def available() -> bool:
    """The OCR engine and its image libraries are installed."""
    return all(find_spec(name) is not None for name in ("rapidocr_onnxruntime", "cv2", "numpy"))


def load_reader() -> ModuleType:
    """The OCR reader (`extract.ocr.reader`), its worker given OCR_SETUP_SECONDS first: importing the stack and
    decoding the pages happen before the pages are counted and their own time asked for."""
    ask_for_time(OCR_SETUP_SECONDS)
    return import_module("extract.ocr.reader")
