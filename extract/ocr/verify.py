"""Keep an OCR'd number only when the table's own identities prove it (issue 16).

OCR is where numbers go wrong, and a misread digit is read with high confidence as often as not. So a
number from a scan is kept only when every identity of the form it takes part in (T3_BALANCE, T3_OUTCOMES,
T3_ROW_TOTAL, T4_TOTAL, from `relations.yaml`) holds with every term read, and it was read with at least
`CONFIDENCE` or is the one term of a holding identity below it once the others are proven (it is then the
unique value making it hold). Under the one assumption that two misreads do not cancel exactly in one sum,
a holding identity proves its terms: a single misread breaks every identity it is in. Every identity, not
one: a row read under the wrong label (a ruling lost between two labels) still balances its own row total,
but leaves its columns' identities failing or with a missing term.

Any other number is set to null with an `ocr_uncertain` issue carrying the OCR text,
its confidence and the values its identities would need (the alternatives). That covers a misread and a
printed inconsistency alike (a scan cannot tell them apart), so the checks over those cells come out
not_assessable (a side with a null term), not as failures. Numbers outside every identity (section 二)
must be read twice, from two crops at different scales, with the same text and a confidence of at least
`SOLE_CONFIDENCE`, in a table the matcher read without a warning (a ruling lost between two row labels moves
a row's numbers under the next label, and no identity would notice); else they are null too.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from extract.cells import clean
from extract.issues import Issue
from extract.match import ParsedCell
from extract.ocr.reader import OcrCell, OcrKey, reread
from extract.templates.form import ALWAYS, Scope, printed_forms, relation_scopes

CONFIDENCE = 0.7  # a term read below this is not trusted unless its identity solves it uniquely
SOLE_CONFIDENCE = 0.97  # a number outside every identity: both reads this sure and the same
STRUCTURE_ISSUE = "a row or cell the matcher could not place cleanly (a warning or error)"
IDENTITIES = ("T3_BALANCE", "T3_OUTCOMES", "T3_ROW_TOTAL", "T4_TOTAL")
Ref = tuple[str, str, str]


def _printed_form(cells: Iterable[ParsedCell]) -> str | None:
    """The way the report prints （六）其他处理, from the rows it read."""
    forms, _ = printed_forms()
    found = {forms[c.row] for c in cells if c.table == "applications" and c.row in forms}
    return next(iter(found)) if len(found) == 1 else None


def _identities(form: str | None) -> list[Scope]:
    """The identities of the report's printed form; of every form when the form was not read (its rows
    missing), so a cell is never kept for want of the identities that would check it."""
    return [s for s in relation_scopes() if s.check_id in IDENTITIES and s.relation == "="
            and (s.condition == ALWAYS or (s.condition.startswith("form:") and form in (None, s.condition[5:])))]


def _terms(scope: Scope) -> tuple[list[Ref], list[Ref]]:
    return [(t.table, t.row, t.col) for t in scope.actual], [(t.table, t.row, t.col) for t in scope.expected]


def verify(cells: list[ParsedCell], ocr: dict[OcrKey, OcrCell], parse_issues: list[Issue]) -> list[Issue]:
    """Null every OCR'd number (of a document read by OCR) no identity proves; the issues say why.
    `parse_issues` are the matcher's: a section 二 it did not read cleanly keeps none of its numbers."""
    garbled = {i.table for i in parse_issues if i.table and i.severity != "info"}
    values: dict[Ref, Decimal | None] = {}
    conf: dict[Ref, float] = {}
    for c in cells:
        ref = (c.table, c.row, c.col)
        read = ocr.get((c.source.page, c.source.bbox))
        values.setdefault(ref, c.value)
        conf.setdefault(ref, read.confidence if read is not None else 0.0)
    holding: list[list[Ref]] = []
    needed: dict[Ref, list[str]] = {}
    in_identity: set[Ref] = set()
    doubtful: set[Ref] = set()  # in an identity that fails, or that a blank or missing term leaves unchecked
    for scope in _identities(_printed_form(cells)):
        actual, expected = _terms(scope)
        refs = actual + expected
        in_identity.update(r for r in refs if values.get(r) is not None)
        if any(values.get(r) is None for r in refs):
            doubtful.update(refs)
            continue
        lhs, rhs = sum(values[r] for r in actual), sum(values[r] for r in expected)
        if lhs == rhs:
            holding.append(refs)
            continue
        doubtful.update(refs)
        for r in refs:  # the value each term would need for the identity to hold, the others as read
            sign = 1 if r in actual else -1
            need = values[r] - sign * (lhs - rhs)
            needed.setdefault(r, []).append(f"{scope.check_id} {scope.scope}: {_number(need)}")
    proven = _proven(holding, conf)
    issues: list[Issue] = []
    for c in cells:
        ref = (c.table, c.row, c.col)
        read = ocr.get((c.source.page, c.source.bbox))
        if c.value is None and not (c.source.bbox and read is None):  # only blank paper is surely blank
            seen = (f"ink that OCR read as {read.text!r} (confidence {read.confidence:.2f})" if read is not None
                    else f"{c.raw!r}" if c.source.bbox else "no cell of the scanned grid")
            issues.append(Issue("ocr_uncertain", f"the cell holds {seen}, not a number: a value may be lost "
                                "(ink under a seal, a ruling lost), left null", c.table, c.row, c.col))
            continue
        if c.value is None or (ref in proven and ref not in doubtful):
            continue
        if ref not in in_identity and c.table not in garbled and _read_twice(ocr.get((c.source.page, c.source.bbox))):
            continue
        why = ("an identity it takes part in fails or has a blank or missing term" if ref in doubtful
               else "no identity proves it with confident terms" if ref in in_identity
               else f"no identity of the form checks it, and its table has {STRUCTURE_ISSUE}" if c.table in garbled
               else "no identity of the form checks it and its two reads do not agree with high confidence")
        alternatives = "; ".join(needed.get(ref, [])) or "none"
        issues.append(Issue("ocr_uncertain", f"OCR read {c.raw!r} (confidence {conf[ref]:.2f}); {why}: "
                            f"a misread or a printed inconsistency, left null; the identities would need: "
                            f"{alternatives}", c.table, c.row, c.col))
        c.value = None
    return issues



def _proven(holding: list[list[Ref]], conf: dict[Ref, float]) -> set[Ref]:
    """Terms of holding identities read with confidence, then, repeatedly, the one term of a holding
    identity not yet proven (the unique value making it hold, given the proven others)."""
    proven = {r for refs in holding for r in refs if conf[r] >= CONFIDENCE}
    grew = True
    while grew:
        grew = False
        for refs in holding:
            rest = {r for r in refs if r not in proven}
            if len(rest) == 1:
                proven |= rest
                grew = True
    return proven


def _read_twice(read: OcrCell | None) -> bool:
    """Both reads of the cell (as scanned, and binarised) give the same text, each with high confidence."""
    if read is None or read.confidence < SOLE_CONFIDENCE:
        return False
    again = reread(read)
    return again.confidence >= SOLE_CONFIDENCE and clean(again.text) == clean(read.text)


def _number(v: Decimal) -> str:
    return str(int(v)) if v == v.to_integral_value() else str(v)
