"""Decoding file bytes to text, with the encoding recorded and anything undecodable reported."""

from __future__ import annotations

import codecs
import re

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


def decode(data: bytes) -> tuple[str, str]:
    """Text and encoding name: BOMs first, then UTF-8, then GB18030 if it reads as Chinese, then a
    detector restricted to Chinese-capable encodings."""
    if not data.strip():
        raise DecodeError("empty_file", "empty file (no text)")
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return _checked(data.decode(enc), enc)
            except UnicodeDecodeError as exc:
                raise DecodeError("undecodable", f"has a {enc} byte-order mark but does not decode: {exc}") from exc
    if b"\x00" in data:
        for enc in ("utf-16-le", "utf-16-be"):
            try:
                text = data.decode(enc)
            except UnicodeDecodeError:
                continue
            if _control_share(text) < 0.01 and _cjk_share(text) > 0.9:
                return text, enc
        raise DecodeError("binary_file", "binary file (contains NUL bytes), not a text report")
    try:
        return _checked(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
        if _cjk_share(text) > 0.95:
            return _checked(text, "gb18030")
    except UnicodeDecodeError:
        pass
    best = from_bytes(data).best()
    if best is not None and best.encoding in ACCEPTED:
        return _checked(str(best), best.encoding)
    guess = best.encoding if best is not None else "unknown"
    raise DecodeError("undecodable", f"undecodable text: not UTF-8, GB18030 or UTF-16 (detector guess: {guess})")


def _checked(text: str, encoding: str) -> tuple[str, str]:
    if _control_share(text) > 0.02:
        raise DecodeError("binary_file", "binary content (control characters), not a text report")
    return text, encoding
