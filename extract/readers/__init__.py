"""Readers turn the bytes of one source form into blocks (see `extract.blocks`).

A reader is `read(data: bytes, path: Path) -> Reading`; it raises `ReadError` (with a parse-issue code)
when the file cannot be read. The registry maps file suffixes to readers; anything unregistered is
read as flattened text.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from extract.blocks import Block


@dataclass
class Reading:
    """What a reader got out of a file."""

    blocks: list[Block]
    source_form: str
    layout: str
    encoding: str | None = None


class ReadError(Exception):
    """The file cannot be read; `code` is the parse-issue code (e.g. needs_ocr)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


Reader = Callable[[bytes, Path], Reading]


def _registry() -> dict[str, Reader]:
    from extract.readers import docx, html, office, pdf, text

    return {".txt": text.read, ".text": text.read, ".md": text.read, ".markdown": text.read,
            ".html": html.read, ".htm": html.read, ".shtml": html.read,
            ".docx": docx.read, ".doc": office.read, ".wps": office.read, ".pdf": pdf.read}


def reader_for(path: Path) -> Reader:
    """The reader of a file by its suffix; flattened text when the suffix is unknown."""
    from extract.readers import text

    return _registry().get(path.suffix.lower(), text.read)


def source_form(path: Path) -> str:
    """The source form a file's suffix announces, before it is read."""
    suffix = path.suffix.lower()
    return {".md": "markdown", ".markdown": "markdown", ".html": "html", ".htm": "html", ".shtml": "html",
            ".docx": "docx", ".doc": "doc", ".wps": "wps", ".pdf": "pdf"}.get(suffix, "text")
