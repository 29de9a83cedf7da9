"""Readers turn the bytes of one source form into blocks (see `extract.blocks`).

A reader is `read(data: bytes, path: Path) -> Reading`; it raises `ReadError` (with a parse-issue code)
when the file cannot be read. The registry maps file suffixes to readers; anything unregistered is
read as flattened text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from extract.blocks import Block
from extract.decode import Decoded
from extract.issues import Issue
from extract.limits import MAX_BINARY_FILE_BYTES, MAX_TEXT_FILE_BYTES


@dataclass
class Reading:
    """What a reader got out of a file; `issues` are the reader's own (e.g. damaged bytes replaced)."""

    blocks: list[Block]
    source_form: str
    layout: str
    encoding: str | None = None
    issues: list[Issue] = field(default_factory=list)
    # OCR readings of table cells by (page, bbox), for `extract.ocr.verify` (empty for text-bearing files)
    ocr: dict[tuple[int | None, str | None], Any] = field(default_factory=dict)


def decoding_issues(decoded: Decoded) -> list[Issue]:
    """A `damaged_bytes` warning when decoding replaced damaged characters."""
    if not decoded.damaged:
        return []
    return [Issue("damaged_bytes", f"{decoded.damaged} damaged character(s) of the {decoded.encoding} text replaced "
                  "by U+FFFD; the labels or cells they fall in are not read")]


class ReadError(Exception):
    """The file cannot be read; `code` is the parse-issue code (e.g. needs_ocr)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


Reader = Callable[[bytes, Path], Reading]


IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".tif", ".tiff")


def _registry() -> dict[str, Reader]:
    from extract.readers import docx, html, image, office, pdf, text

    return {".txt": text.read, ".text": text.read, ".md": text.read, ".markdown": text.read,
            ".html": html.read, ".htm": html.read, ".shtml": html.read,
            ".docx": docx.read, ".doc": office.read, ".wps": office.read, ".pdf": pdf.read,
            **dict.fromkeys(IMAGE_SUFFIXES, image.read)}


def reader_for(path: Path) -> Reader:
    """The reader of a file by its suffix; flattened text when the suffix is unknown."""
    from extract.readers import text

    return _registry().get(path.suffix.lower(), text.read)


def path_text(path: Path | str) -> str:
    """A path as valid Unicode text: bytes that are not UTF-8 in a file name (kept by Python as lone
    surrogates, which no JSON, Polars or DuckDB string accepts) are written as `\\xff` escapes. The
    same path always gives the same text, so a file is recognised from one run to the next."""
    return str(path).encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def max_file_bytes(path: Path) -> int:
    """The largest file of this form that is read at all (see `extract.limits`)."""
    return MAX_BINARY_FILE_BYTES if source_form(path) in ("docx", "doc", "wps", "pdf", "image") \
        else MAX_TEXT_FILE_BYTES


def source_form(path: Path) -> str:
    """The source form a file's suffix announces, before it is read."""
    suffix = path.suffix.lower()
    return {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".shtml": "html",
            ".docx": "docx", ".doc": "doc", ".wps": "wps", ".pdf": "pdf",
            **dict.fromkeys(IMAGE_SUFFIXES, "image")}.get(suffix, "text")
