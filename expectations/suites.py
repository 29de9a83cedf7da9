"""The GX suites, defined in code: one per fact area, each over the frame of frames.py (one row per report).

Every expectation encodes one relation of report-schema.md at one scope (a column, row, block or cell) and
carries in `meta` what the dq table needs: `check_id` (the relation id), `scope`, `severity`, the `table`
whose absence makes it not assessable, and which columns make up the two sides (`actual` = left side of
the relation as written in the spec, `expected` = right side or a constant `bound`). Its `description` is
the relation id with the form's wording, which is what the Data Docs show.

Where a report has only one of two alternative row sets (（六）其他处理 as one row or as three), the
expectation says in `meta["only_if"]` which `outcome_form` it belongs to, so the relation is assessed over
whichever rows the report has and never over rows it does not print; a null component is never read as 0.
(GX itself skips those reports anyway, since the rows they lack are null; a pandas `row_condition` would
say the same at a cost of a DataFrame.query per metric.) Conditions that change what GX evaluates — the
township-level procurement bound, X5, the prose's lower bounds — are GX `row_condition`s.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import duckdb
import great_expectations.expectations as gxe
import pandas as pd
from great_expectations.expectations.expectation import Expectation
from great_expectations.expectations.row_conditions import Column, Condition

from expectations import frames
from expectations.codes import (
    APPLICANT_PARTS,
    APPLICANT_TYPES,
    APPLICATION_ROWS,
    BALANCE_IN,
    BALANCE_OUT,
    CHECKS,
    OTHER_SINGLE,
    OTHER_SPLIT,
    OUTCOMES_BASE,
    REVIEW_BLOCKS,
    REVIEW_PARTS,
    REVIEW_RESULTS,
    SIGNED_MEASURES,
    scope_label,
)
from expectations.frames import column
from expectations.identities import ExpectLinearIdentity, ExpectValuesToBeNonNegative

GX_SEVERITY = {"error": "critical", "warning": "warning", "info": "info"}
# Street-office-level agencies rarely run more centralised procurement projects than this in a year (X7).
PROCUREMENT_PROJECTS_MAX = 10_000


@dataclass(frozen=True)
class Suite:
    """A fact area: its name, the report table it reads, its frame and its expectations."""

    name: str
    table: str
    load: Callable[[duckdb.DuckDBPyConnection, Sequence[str] | None], pd.DataFrame]
    build: Callable[[], list[Expectation]]


def _meta(check_id: str, scope: str, table: str, actual: list[str], **extra: Any) -> dict[str, Any]:
    return {
        "check_id": check_id,
        "scope": scope,
        "severity": CHECKS[check_id].severity,
        "table": table,
        "actual": actual,
        **extra,
    }


_FORMS = {"single": "（六）其他处理印为一行的报告", "split": "（六）其他处理分三行的报告"}


def _description(check_id: str, scope: str, formula: str, only_if: dict[str, str] | None = None) -> str:
    only = f"（仅{_FORMS[only_if['outcome_form']]}）" if only_if else ""
    return f"{check_id} · {scope_label(check_id, scope)}{only}：{CHECKS[check_id].rule}。{formula}"


def identity(
    check_id: str,
    scope: str,
    table: str,
    lhs: list[str],
    rhs: list[str],
    when: Condition | None = None,
    **extra: Any,
) -> ExpectLinearIdentity:
    """Σ lhs = Σ rhs for one scope, named after its relation id."""
    return ExpectLinearIdentity(
        lhs=lhs,
        rhs=rhs,
        row_condition=when,
        severity=GX_SEVERITY[CHECKS[check_id].severity],
        description=_description(check_id, scope, f"{' + '.join(lhs)} = {' + '.join(rhs)}", extra.get("only_if")),
        meta=_meta(check_id, scope, table, lhs, expected=rhs, relation="=", **extra),
    )


def bounded(
    check_id: str,
    scope: str,
    table: str,
    col: str,
    *,
    min_value: float | None = None,
    max_value: float | None = None,
    when: Condition | None = None,
    **extra: Any,
) -> gxe.ExpectColumnValuesToBeBetween:
    """min ≤ value ≤ max for one cell (the plausibility bounds)."""
    bound = min_value if min_value is not None else max_value
    op = "≥" if min_value is not None else "≤"
    return gxe.ExpectColumnValuesToBeBetween(
        column=col,
        min_value=min_value,
        max_value=max_value,
        row_condition=when,
        severity=GX_SEVERITY[CHECKS[check_id].severity],
        description=_description(check_id, scope, f"{col} {op} {bound:g}", extra.get("only_if")),
        meta=_meta(
            check_id, scope, table, [col], bound=bound, relation=">=" if min_value is not None else "<=", **extra
        ),
    )


def non_negative(table: str, row: str, cols: list[str], **extra: Any) -> ExpectValuesToBeNonNegative:
    """NON_NEGATIVE over the cells of one printed row (each cell is a scope of its own in the results)."""
    cells = [column(row, c) for c in cols]
    scope = f"{table}.{row}"
    return ExpectValuesToBeNonNegative(
        column_list=cells,
        severity=GX_SEVERITY[CHECKS["NON_NEGATIVE"].severity],
        description=_description("NON_NEGATIVE", scope, f"{', '.join(cells)} ≥ 0", extra.get("only_if")),
        meta=_meta("NON_NEGATIVE", scope, table, cells, bound=0, relation=">=", **extra),
    )


def at_least(
    check_id: str,
    scope: str,
    table: str,
    col: str,
    other: str,
    when: Condition | None = None,
    sides: tuple[str, str] | None = None,
    **extra: Any,
) -> gxe.ExpectColumnPairValuesAToBeGreaterThanB:
    """col ≥ other, both in the same row (pairs with a null are skipped: not assessable). `sides` names the
    (actual, expected) columns when the relation is written the other way round."""
    actual, expected = sides or (col, other)
    relation = ">=" if (actual, expected) == (col, other) else "<="
    return gxe.ExpectColumnPairValuesAToBeGreaterThanB(
        column_A=col,
        column_B=other,
        or_equal=True,
        ignore_row_if="either_value_is_missing",
        row_condition=when,
        severity=GX_SEVERITY[CHECKS[check_id].severity],
        description=_description(check_id, scope, f"{col} ≥ {other}"),
        meta=_meta(check_id, scope, table, [actual], expected=[expected], relation=relation, **extra),
    )


def _printed_in(row: str) -> dict[str, Any]:
    """Rows of （六）其他处理 exist only in the reports that print them that way (`meta["only_if"]`)."""
    if row in OTHER_SINGLE:
        return {"only_if": {"outcome_form": "single"}}
    if row in OTHER_SPLIT:
        return {"only_if": {"outcome_form": "split"}}
    return {}


def applications_expectations() -> list[Expectation]:
    """Table 三: T3_BALANCE and T3_OUTCOMES per column, T3_ROW_TOTAL per row, NON_NEGATIVE per cell."""
    t = "applications"
    out: list[Expectation] = []
    for c in APPLICANT_TYPES:
        out.append(
            identity("T3_BALANCE", c, t, [column(r, c) for r in BALANCE_IN], [column(r, c) for r in BALANCE_OUT])
        )
    for c in APPLICANT_TYPES:
        for form, other in (("single", OTHER_SINGLE), ("split", OTHER_SPLIT)):
            out.append(
                identity(
                    "T3_OUTCOMES",
                    c,
                    t,
                    [column("total_processed", c)],
                    [column(r, c) for r in (*OUTCOMES_BASE, *other)],
                    only_if={"outcome_form": form},
                )
            )
    for r in APPLICATION_ROWS:
        out.append(
            identity(
                "T3_ROW_TOTAL",
                r,
                t,
                [column(r, "total")],
                [column(r, c) for c in APPLICANT_PARTS],
                **_printed_in(r),
            )
        )
    out += [non_negative(t, r, list(APPLICANT_TYPES), **_printed_in(r)) for r in APPLICATION_ROWS]
    return out


def litigation_expectations() -> list[Expectation]:
    """Table 四: T4_TOTAL per block, NON_NEGATIVE per cell, X5 (review in an earlier year) as info."""
    t = "review_litigation"
    out: list[Expectation] = [
        identity("T4_TOTAL", b, t, [column(b, "total")], [column(b, r) for r in REVIEW_PARTS]) for b in REVIEW_BLOCKS
    ]
    out += [non_negative(t, b, list(REVIEW_RESULTS)) for b in REVIEW_BLOCKS]
    after, review = column("litigation_after_review", "total"), column("review", "total")
    out.append(bounded("X5", "litigation_after_review", t, after, max_value=0, when=Column(review) == 0.0))
    return out


def disclosure_expectations() -> list[Expectation]:
    """Section 二: NON_NEGATIVE per cell (not `change`), X4 and the procurement magnitude as warnings.

    Only the cells a report holds are assessed (`reported_cells`): the two formats and their local
    variants have different cells, and a cell the template lacks is not a missing value.
    """
    t = "disclosure"
    measures: dict[str, list[str]] = {}
    for r, c in frames.DISCLOSURE_CELLS:
        if c not in SIGNED_MEASURES:
            measures.setdefault(r, []).append(c)
    out: list[Expectation] = [non_negative(t, r, cs, reported=True) for r, cs in measures.items()]
    out += [
        at_least("X4", item, t, column(item, "total_public"), column(item, "published"), reported=True)
        for item in ("regulations", "normative_documents")
    ]
    out.append(
        bounded(
            "PLAUSIBLE_PROCUREMENT",
            f"{t}.procurement.projects",
            t,
            column("procurement", "projects"),
            max_value=PROCUREMENT_PROJECTS_MAX,
            when=Column("township") == True,  # noqa: E712 - a GX condition, not a Python comparison
            reported=True,
        )
    )
    return out


def narrative_expectations() -> list[Expectation]:
    """Prose vs table 三 (X6): the applications the prose says were received = `new_received` total; when
    the prose gives a lower bound (`N余件`), the table must reach it. Softer than the statutory checks."""
    stated, total = "stated", column("new_received", "total")
    scope = "applications.new_received.total"
    is_bound = Column("stated_is_lower_bound")
    check = "NARRATIVE_APPLICATIONS"
    return [
        identity(check, scope, "applications", [stated], [total], when=is_bound == False),  # noqa: E712
        at_least(check, scope, "applications", total, stated, when=is_bound == True, sides=(stated, total)),  # noqa: E712
    ]


SUITES: dict[str, Suite] = {
    "applications": Suite("applications", "applications", frames.applications, applications_expectations),
    "litigation": Suite("litigation", "review_litigation", frames.litigation, litigation_expectations),
    "disclosure": Suite("disclosure", "disclosure", frames.disclosure, disclosure_expectations),
    "narrative": Suite("narrative", "applications", frames.narrative, narrative_expectations),
}
