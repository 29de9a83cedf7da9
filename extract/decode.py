"""Decoding file bytes to text, with the encoding recorded and anything undecodable reported."""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

from charset_normalizer import from_bytes

# Encodings a Chinese government text plausibly uses; a detector's guess outside this set is a failure.
ACCEPTED = {"utf_8", "utf-8", "gb18030", "gbk", "gb2312", "big5", "utf_16", "utf_16_le", "utf_16_be",
            "hz", "cp936"}


class DecodeError(Exception):
    """The bytes are not a text in an encoding we accept; `code` is the parse-issue code."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def _cjk_share(text: str) -> float:
    non_ascii = [ch for ch in text if ord(ch) > 127]
    if not non_ascii:
        return 1.0
    cjk = sum(1 for ch in non_ascii if "\u4e00" <= ch <= "\u9fff" or "\u3000" <= ch <= "\u303f"
              or "\uff00" <= ch <= "\uffef" or ch in "“”‘’—…·")
    return cjk / len(non_ascii)


_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f]")


def _control_share(text: str) -> float:
    return len(_CONTROL.findall(text)) / len(text) if text else 0.0


# A UTF-8 text with a few damaged bytes (a bad sector, a flipped bit) is read with each damaged character
# replaced by U+FFFD, which no label, number or delimiter matches: what it touched is unread, the rest is read.
MAX_DAMAGED_CHARS = 16
# ... but only when the rest is plainly UTF-8: this many well-formed multi-byte characters per damaged one (a
# GB18030 text with a few Chinese words in ASCII would otherwise pass as "damaged UTF-8").
MIN_INTACT_PER_DAMAGED = 50
REPLACEMENT = "\ufffd"


@dataclass(frozen=True)
class Decoded:
    """A decoded text, its encoding, and how many damaged characters were replaced by U+FFFD."""

    text: str
    encoding: str
    damaged: int = 0


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name (see `decode_bytes`)."""
    decoded = decode_bytes(data)
    return decoded.text, decoded.encoding


def decode_bytes(data: bytes) -> Decoded:
    """BOMs first, then UTF-8, then GB18030 if it reads as Chinese, then UTF-8 with a few damaged bytes
    replaced, then a detector restricted to Chinese-capable encodings."""
    if not data.strip():
        raise DecodeError("empty_file", "empty file (no text)")
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return Decoded(*_checked(data.decode(enc), enc))
            except UnicodeDecodeError as exc:
                damaged = _damaged_utf8(data[len(bom):]) if enc == "utf-8-sig" else None
                if damaged is not None:
                    return damaged
                raise DecodeError("undecodable", f"has a {enc} byte-order mark but does not decode: {exc}") from exc
    if b"\x00" in data:
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _control_share(text) < 0.01 and _cjk_share(text) > 0.9:
                return Decoded(text, enc)
        raise DecodeError("binary_file", "binary file (contains NUL bytes), not a text report")
    try:
        return Decoded(*_checked(data.decode("utf-8"), "utf-8"))
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if _cjk_share(text) > 0.95:
            return Decoded(*_checked(text, "gb18030"))
    except UnicodeDecodeError:
        pass
    damaged = _damaged_utf8(data)
    if damaged is not None:
        return damaged
    best = from_bytes(data).best()
    if best is not None and best.encoding in ACCEPTED:
        return Decoded(*_checked(str(best), best.encoding))
    guess = best.encoding if best is not None else "unknown"
    raise DecodeError("undecodable", f"undecodable text: not UTF-8, GB18030 or UTF-16 (detector guess: {guess})")


def _checked(text: str, encoding: str) -> tuple[str, str]:
    if _control_share(text) > 0.02:
        raise DecodeError("binary_file", "binary content (control characters), not a text report")
    return text, encoding


def _damaged_utf8(data: bytes) -> Decoded | None:
    """UTF-8 with at most MAX_DAMAGED_CHARS damaged characters replaced, when the rest is plainly UTF-8
    Chinese; None otherwise."""
    text = data.decode("utf-8", "replace")
    damaged = text.count(REPLACEMENT) - data.count(REPLACEMENT.encode("utf-8"))
    intact = sum(1 for ch in text if ord(ch) > 127 and ch != REPLACEMENT)
    if not 0 < damaged <= MAX_DAMAGED_CHARS or intact < damaged * MIN_INTACT_PER_DAMAGED:
        return None
    if _cjk_share(text.replace(REPLACEMENT, "")) <= 0.9:
        return None
    return Decoded(*_checked(text, "utf-8"), damaged=damaged)
