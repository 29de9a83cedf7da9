"""Text normalisation shared by every matcher: one place decides when two labels are "the same"."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_SPACE = re.compile(r"\s+")
_QUOTES = str.maketrans("", "", "\"'“”‘’「」『』")
_ENUMERATOR = re.compile(
    r"^(?:[一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|[一二三四五六七八九十]+\.|\d+[.、]|\(\d+\))"
)
_PARENTHETICAL = re.compile(r"\([^()]*\)")


@lru_cache(maxsize=131072)
def width(text: str) -> str:
    """NFKC: full-width digits, letters, parentheses and spaces become their ASCII forms."""
    return unicodedata.normalize("NFKC", text).replace("&nbsp;", " ")


@lru_cache(maxsize=131072)
def squash(text: str) -> str:
    """Width-normalised text without any whitespace or quotes (labels broken over lines rejoin)."""
    return _SPACE.sub("", width(text)).translate(_QUOTES).replace("．", ".")


@lru_cache(maxsize=131072)
def key(label: str) -> str:
    """Matching key of a label: no enumerators (一、 (三) 1.), no parenthetical notes, no spaces."""
    s = squash(label)
    previous = None
    while s != previous:
        previous = s
        s = _ENUMERATOR.sub("", s)
    s = _PARENTHETICAL.sub("", s)
    # an OCR or a retyped label writes the enumeration comma as a comma (`逾期不补正, 行政机关…`)
    return s.replace("、", ",").strip(":：,，。")
