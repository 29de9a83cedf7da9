"""The last gate between a parse and the warehouse: what `raw` cannot hold is nulled with an issue.

Whatever a hostile or corrupted file made the matcher produce, a document leaving `parse_bytes` has only
the spec's table/row/column codes, values that fit DECIMAL(18,4) with room for sums of many cells, one
value per cell, and metadata of the right type and range. Nothing here guesses: a value that does not fit
is null with the reason, its printed text kept.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from functools import cache
from typing import TYPE_CHECKING

from extract.cells import FOUR_PLACES
from extract.issues import Issue
from extract.limits import MAX_VALUE_DIGITS
from extract.template import templates

if TYPE_CHECKING:
    from extract.parse import ParsedDocument

VALUE_LIMIT = Decimal(10) ** MAX_VALUE_DIGITS
YEARS = range(1990, 2101)
TEMPLATES = ("F2019", "F2021")
VARIANTS = ("national", "beijing")
MAX_AGENCY_CHARS = 200


@cache
def valid_codes() -> dict[str, tuple[frozenset[str], frozenset[str]]]:
    """table → (row codes, column codes) of the spec, as the templates name them."""
    tpl = templates()
    disc_cols = frozenset(lab.code for idx in tpl.disc_columns.values() for lab in idx.labels)
    return {
        "disclosure": (frozenset(lab.code for lab in tpl.disc_rows.labels), disc_cols),
        "applications": (frozenset(lab.code for lab in tpl.app_rows.labels),
                         frozenset(lab.code for lab in tpl.app_columns.labels)),
        "review_litigation": (frozenset(lab.code for lab in tpl.rl_blocks.labels),
                              frozenset(lab.code for lab in tpl.rl_results.labels)),
    }


def fits(value: Decimal | None) -> bool:
    """A value `raw` can hold: at most MAX_VALUE_DIGITS integer digits (its decimals are stored to four
    places, see `storable`)."""
    if value is None:
        return True
    try:
        return value.is_finite() and abs(value) < VALUE_LIMIT
    except InvalidOperation:
        return False


def storable(value: Decimal | None) -> Decimal | None:
    """The value as `raw` stores it: DECIMAL(18,4), the report schema's four decimals of 万元. The parse keeps
    every printed decimal; a value printed with more (`24252.311082` 万元, fen precision) is rounded here and
    its printed text is kept beside it."""
    return None if value is None else value.quantize(FOUR_PLACES)


def sanitize(doc: ParsedDocument) -> ParsedDocument:
    """The document with every cell, fact and label `raw` can hold; the rest null or dropped, with issues."""
    _known_codes_only(doc)
    _values_in_range(doc)
    _one_value_per_cell(doc)
    _facts_in_range(doc)
    _metadata_typed(doc)
    return doc


def _known_codes_only(doc: ParsedDocument) -> None:
    codes = valid_codes()
    kept = []
    none = (frozenset(), frozenset())
    for c in doc.cells:
        rows, cols = codes.get(c.table, none)
        if c.row in rows and c.col in cols:
            kept.append(c)
            continue
        doc.issues.append(Issue("unknown_code", f"cell {c.table}.{c.row}.{c.col} is not in the report schema; "
                                f"its value {c.raw!r} was not loaded", None, None, None, c.source.line))
    doc.cells = kept


def _values_in_range(doc: ParsedDocument) -> None:
    for c in doc.cells:
        value = c.value
        if value is None:
            continue
        if not fits(value):
            doc.issues.append(Issue("value_out_of_range", f"{c.raw!r} does not fit the warehouse's numbers "
                                    f"(at most {MAX_VALUE_DIGITS} integer digits); recorded as not "
                                    "reported", c.table, c.row, c.col, c.source.line))
            c.value = None
        elif value != storable(value):
            doc.issues.append(Issue("rounded_for_storage", f"{c.raw!r} has more than four decimals; the warehouse "
                                    f"stores {storable(c.value)} (DECIMAL(18,4)) and keeps the printed text",
                                    c.table, c.row, c.col, c.source.line))


def _one_value_per_cell(doc: ParsedDocument) -> None:
    """A cell read twice keeps its value only when both readings agree."""
    first: dict[tuple[str, str, str], object] = {}
    conflicting: set[tuple[str, str, str]] = set()
    for c in doc.cells:
        ref = (c.table, c.row, c.col)
        if ref not in first:
            first[ref] = c.value
        elif first[ref] != c.value:
            conflicting.add(ref)
    if len(first) == len(doc.cells):
        return  # every cell read once
    kept, seen = [], set()
    for c in doc.cells:
        ref = (c.table, c.row, c.col)
        if ref in seen:
            continue
        seen.add(ref)
        if ref in conflicting:
            c.value = None
            doc.issues.append(Issue("duplicate_cell", f"cell {'.'.join(ref)} was read twice with different "
                                    "values; recorded as not reported", *ref, c.source.line))
        kept.append(c)
    doc.cells = kept


def _facts_in_range(doc: ParsedDocument) -> None:
    kept = []
    for f in doc.facts:
        if fits(f.value):
            kept.append(f)
            continue
        doc.issues.append(Issue("value_out_of_range", f"the prose's {f.code} does not fit the warehouse's "
                                "numbers; not recorded", line=f.line))
    doc.facts = kept


def _metadata_typed(doc: ParsedDocument) -> None:
    """Agency a short string, year an int in range, template and variant known codes; else null."""
    r = doc.report
    if r is None:
        return
    agency = r.get("agency")
    if not isinstance(agency, str) or not agency.strip() or len(agency) > MAX_AGENCY_CHARS:
        r["agency"] = None
    year = r.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or year not in YEARS:
        r["year"] = None
    if r.get("template") not in TEMPLATES:
        r["template"] = None
    if r.get("variant") not in VARIANTS:
        r["variant"] = None
    found = r.get("tables_found")
    r["tables_found"] = [t for t in found if isinstance(t, str)] if isinstance(found, list) else []
