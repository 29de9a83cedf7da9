"""Flattened text (.txt, .md and anything unrecognised): decode, then split into blocks by layout."""

from __future__ import annotations

from pathlib import Path

from extract.decode import DecodeError, decode_bytes
from extract.layouts import detect_layout, text_blocks
from extract.readers import ReadError, Reading, decoding_issues


def read(data: bytes, path: Path) -> Reading:
    try:
        decoded = decode_bytes(data)
    except DecodeError as exc:
        raise ReadError(exc.code, str(exc)) from exc
    lines = decoded.text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    layout = detect_layout(lines)
    form = "markdown" if path.suffix.lower() in (".md", ".markdown") or layout == "markdown" else "text"
    return Reading(text_blocks(lines, layout), form, layout, decoded.encoding, decoding_issues(decoded))
