"""Parse issues: what the parser could not read unambiguously, with a stable code."""

from __future__ import annotations

from dataclasses import asdict, dataclass

# code → severity. `error` means cells are missing or were left null; the document is then `partial`.
SEVERITY: dict[str, str] = {
    "empty_file": "error",
    "binary_file": "error",
    "undecodable": "error",
    "unreadable_file": "error",
    "not_a_report": "error",
    "unsupported_format": "error",
    "prose_only": "error",
    "year_not_found": "error",
    "needs_ocr": "error",
    # an OCR'd number no identity of the table proves: a misread or a printed inconsistency (extract/ocr/verify.py)
    "ocr_uncertain": "error",
    "table_not_found": "error",
    "row_not_found": "error",
    "header_not_found": "error",
    "ambiguous_alignment": "error",
    "ambiguous_digit_run": "error",
    "cell_count_mismatch": "warning",
    "placed_by_identities": "info",
    # a conversion lost or cut a label, or moved a cell out of its row (see extract/order.py, extract/loose.py)
    "placed_by_order": "warning",
    "subtotal_inferred": "info",
    "header_incomplete": "info",
    "placed_by_note": "warning",
    "unplaced_row": "error",
    "unknown_label": "warning",
    "duplicate_row": "warning",
    "non_numeric_cell": "warning",
    "format_uncertain": "warning",
    "heading_not_found": "info",
    "stray_cell": "info",
    "converted_unit": "info",
    # hostile or corrupted input (see extract/limits.py and extract/guard.py)
    "resource_limit": "error",
    "internal_error": "error",
    "not_a_file": "error",
    "unknown_code": "warning",
    "value_out_of_range": "warning",
    "rounded_for_storage": "info",
    "duplicate_cell": "warning",
    "search_budget_exhausted": "info",
    # a few damaged bytes of a UTF-8 text, replaced by U+FFFD (extract/decode.py)
    "damaged_bytes": "warning",
}


@dataclass
class Issue:
    """One parse issue; `table`/`row`/`col` use the spec's codes where they apply."""

    code: str
    detail: str
    table: str | None = None
    row: str | None = None
    col: str | None = None
    line: int | None = None

    @property
    def severity(self) -> str:
        return SEVERITY[self.code]

    def as_dict(self) -> dict[str, object]:
        return {**asdict(self), "severity": self.severity}
