"""Reading one printed cell into a value, by the spec's cell rules (blank is never zero)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from extract.limits import MAX_DIGIT_RUN_LENGTH
from extract.text import width

NULL_TOKENS = frozenset({"", "/", "\\", "—", "——", "-", "--", "–", "无", "不适用", "空", "N/A", "n/a"})
# No leading zero: `09` is no printed count but two cells whose delimiter was lost (`0\t9`); read as text, the
# row is not read at all rather than read shifted.
_NUMBER = re.compile(r"^(?P<sign>[+-]?)(?P<num>(?:0|[1-9]\d*)(?:\.\d+)?)(?P<unit>万元|元|件|条|项|个|宗|起)?$")
_THOUSANDS = re.compile(r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
FOUR_PLACES = Decimal("0.0001")
# Digits on both sides of a space inside one cell.
_TWO_NUMBERS = re.compile(r"\d[\s\u00a0\u3000]+[+\-]?\d")


@dataclass(frozen=True)
class CellValue:
    """The reading of one cell: `kind` is number, null (not reported) or text (unreadable)."""

    value: Decimal | None
    kind: str
    raw: str
    converted_from_yuan: bool = False


def clean(raw: str) -> str:
    """The cell text with widths normalised and every kind of space removed."""
    return re.sub(r"\s+", "", width(raw).replace("\u00a0", " "))


@lru_cache(maxsize=65536)
def is_value_like(raw: str) -> bool:
    """True when the text is a number or a not-reported marker, i.e. not a label."""
    return read_cell(raw, amount=True).kind != "text"


@lru_cache(maxsize=65536)
def merged_values(raw: str) -> bool:
    """Two values in one cell (`1 3`, `0 不适用`, `1条 1`): cells a conversion merged, whose columns nothing
    can tell."""
    parts = width(raw).split()
    return len(parts) > 1 and all(read_cell(p, amount=True).kind != "text" for p in parts)


@lru_cache(maxsize=65536)
def read_cell(raw: str, *, amount: bool = False) -> CellValue:
    """Read a cell; `amount` columns are in 万元 and convert a value written in 元."""
    if _TWO_NUMBERS.search(width(raw)):
        return CellValue(None, "text", raw)  # `1 3`: two cells a conversion merged, not the number 13
    s = clean(raw)
    if s in NULL_TOKENS:
        return CellValue(None, "null", raw)
    m = _THOUSANDS.match(s)
    if m and m.end() == len(s.rstrip("万元件条项个宗起")):
        s = s.replace(",", "")
    m = _NUMBER.match(s)
    if not m or len(m["num"]) > MAX_DIGIT_RUN_LENGTH:  # a number this long is no cell of any report
        return CellValue(None, "text", raw)
    value = Decimal(m["num"])
    if m["sign"] == "-":
        value = -value
    unit = m["unit"]
    if unit == "元" and amount:
        return CellValue((value / 10000).quantize(FOUR_PLACES), "number", raw, converted_from_yuan=True)
    if unit == "元":
        return CellValue(None, "text", raw)
    # printed decimals beyond four are kept: rounding would change the number the agency printed
    return CellValue(value.quantize(FOUR_PLACES) if value.as_tuple().exponent >= -4 else value, "number", raw)
