"""Flattened text (.txt, .md and anything unrecognised): decode, then split into blocks by layout."""

from __future__ import annotations

from pathlib import Path

from extract.decode import DecodeError, decode
from extract.layouts import detect_layout, text_blocks
from extract.readers import ReadError, Reading


def read(data: bytes, path: Path) -> Reading:
    try:
        text, encoding = decode(data)
    except DecodeError as exc:
        raise ReadError(exc.code, str(exc)) from exc
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    layout = detect_layout(lines)
    form = "markdown" if path.suffix.lower() in (".md", ".markdown") or layout == "markdown" else "text"
    return Reading(text_blocks(lines, layout), form, layout, encoding)
