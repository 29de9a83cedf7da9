"""Turn a GX suite validation into dq.check_results rows: one per report and scope, pass / fail / not_assessable.

GX decides what fails (its unexpected rows). Whether a report is assessed at all follows the same rules GX
applied, restated on the frame: the expectation's row_condition, the report's table being found, and no
null component (GX skips such rows: blank is not zero). A GX failure on a row this module considers not
assessable is a contradiction and raises, so the two can never silently disagree.

NON_NEGATIVE is validated by GX one printed row at a time and stored compactly: per report and table, one
`pass` row when every assessable cell is ≥ 0, plus one row per failing or null cell (scope
`table.row.col`), or one `not_assessable` row for a table that was not found.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from great_expectations.core import ExpectationSuiteValidationResult
from great_expectations.execution_engine import PandasExecutionEngine
from great_expectations.expectations.expectation import Expectation
from great_expectations.expectations.row_conditions import Condition, deserialize_row_condition

from expectations.codes import (
    APPLICANT_TYPES,
    APPLICATION_ROW_LABELS,
    CHECKS,
    DISCLOSURE_ITEMS,
    DISCLOSURE_MEASURES,
    REVIEW_BLOCKS,
    REVIEW_RESULTS,
    TABLE_LABELS,
    format_number,
    scope_label,
)
from expectations.frames import SEP, split_column

COLUMNS = (
    "report_id",
    "check_id",
    "scope",
    "status",
    "severity",
    "expected",
    "actual",
    "difference",
    "agency",
    "year",
    "detail",
)
_ROW_LABELS = {
    "applications": APPLICATION_ROW_LABELS,
    "review_litigation": REVIEW_BLOCKS,
    "disclosure": DISCLOSURE_ITEMS,
}
_COL_LABELS = {"applications": APPLICANT_TYPES, "review_litigation": REVIEW_RESULTS, "disclosure": DISCLOSURE_MEASURES}
_SPECIAL_LABELS = {"stated": "正文所述"}
_WORDS = {"=": ("一致", "不一致"), ">=": ("不小于后者", "小于后者"), "<=": ("不超过后者", "超过后者")}
_ENGLISH = {"=": "equality", ">=": "left ≥ right", "<=": "left ≤ right"}
_MAX_TERMS = 6  # components listed in a detail sentence; the rest are summarised


class InconsistentResult(RuntimeError):
    """GX failed a row that the assessability rules say it could not have assessed."""


def _applies(expectation: Expectation, frame: pd.DataFrame) -> np.ndarray:
    """The reports an expectation is about: its GX row_condition (filtered exactly as GX's pandas engine
    does) and the row set the report prints (`meta["only_if"]`)."""
    mask = np.ones(len(frame), dtype=bool)
    condition: Condition | str | None = deserialize_row_condition(expectation.row_condition)
    if isinstance(condition, str):
        raise TypeError(f"string row conditions are not used here: {condition!r}")
    if condition is not None:
        clause = PandasExecutionEngine().condition_to_filter_clause(condition)
        mask &= frame.index.isin(frame.query(clause).index)
    for col, value in ((expectation.meta or {}).get("only_if") or {}).items():
        mask &= (frame[col] == value).to_numpy()
    return mask


def _labels(table: str, columns: list[str]) -> list[str]:
    """Short labels of the component columns: the part they do not share (row or column of the table)."""
    if any(c in _SPECIAL_LABELS or SEP not in c for c in columns):
        return [_SPECIAL_LABELS.get(c, _cell_label(table, c)) for c in columns]
    rows, cols = zip(*(split_column(c) for c in columns), strict=True)
    if len(set(cols)) == 1 and len(columns) > 1:
        return [_ROW_LABELS[table].get(r, r) for r in rows]
    if len(set(rows)) == 1 and len(columns) > 1:
        return [_COL_LABELS[table].get(c, c) for c in cols]
    return [_cell_label(table, c) for c in columns]


def _cell_label(table: str, name: str) -> str:
    if name in _SPECIAL_LABELS:
        return _SPECIAL_LABELS[name]
    row, col = split_column(name)
    return f"{_ROW_LABELS[table].get(row, row)}·{_COL_LABELS[table].get(col, col)}"


def _terms(labels: list[str], values: Iterable[float]) -> str:
    """`本年新收 5 + 上年结转 0`, listing only the non-zero terms of long sums."""
    pairs = list(zip(labels, values, strict=True))
    if len(pairs) > _MAX_TERMS:
        nonzero = [(lab, v) for lab, v in pairs if v != 0]
        shown = " + ".join(f"{lab} {format_number(v)}" for lab, v in nonzero[:_MAX_TERMS]) or "各项"
        more = len(nonzero) - _MAX_TERMS
        return shown + (f" + 另{more}项" if more > 0 else "") + "，其余为0"
    return " + ".join(f"{lab} {format_number(v)}" for lab, v in pairs)


class Sentences:
    """The detail sentences of one expectation, Chinese then English, with the printed numbers.

    Labels are worked out once per expectation: with 100,000 reports a suite writes millions of rows.
    A passing row states both sides; a failing row also lists the terms of each sum.
    """

    def __init__(self, meta: dict[str, Any]) -> None:
        self.meta = meta
        self.check_id, self.scope, self.table = meta["check_id"], meta["scope"], meta["table"]
        self.info = CHECKS[self.check_id]
        self.where = scope_label(self.check_id, self.scope)
        self.actual_cols: list[str] = meta["actual"]
        self.expected_cols: list[str] = meta.get("expected") or []
        self.components = [*self.actual_cols, *self.expected_cols]
        self.labels = dict(zip(self.components, _labels(self.table, self.components), strict=True))
        relation = meta.get("relation", "=")
        self.holds, self.broken = _WORDS[relation]
        self.holds_en = _ENGLISH[relation]

    def __call__(self, status: str, found: bool, values: np.ndarray, actual: float, expected: float) -> str:
        head = f"{self.check_id} {self.scope}"
        if not found:
            english = f"{head}: not assessable, table {self.table} not found."
            return f"{self.where}：报告中未找到{TABLE_LABELS[self.table]}，无法核对。{english}"
        nulls = [c for c, v in zip(self.components, values, strict=True) if v != v]  # NaN
        if nulls:
            labs = "、".join(self.labels[c] for c in nulls)
            english = f"{head}: not assessable, no value in {', '.join(nulls)}."
            return f"{self.where}：{labs} 未填报（空白或“/”），无法核对。{english}"
        a, e = format_number(actual), format_number(expected)
        english = f"{head}: left side {a}, right side {e}"
        if status == "pass":
            sides = f"{self.info.actual_label} {a}，{self.info.expected_label} {e}"
            return f"{self.where}：{sides}，{self.holds}。{english}, {self.holds_en} holds."
        by_col = dict(zip(self.components, values, strict=True))
        left = f"{self.info.actual_label} {a}"
        if len(self.actual_cols) > 1:
            left += f"（{_terms([self.labels[c] for c in self.actual_cols], [by_col[c] for c in self.actual_cols])}）"
        right = f"{self.info.expected_label} {e}"
        if len(self.expected_cols) > 1:
            right += (
                f"（{_terms([self.labels[c] for c in self.expected_cols], [by_col[c] for c in self.expected_cols])}）"
            )
        diff = format_number(actual - expected)
        note = f"（{self.info.rule}）" if self.info.severity != "error" else ""
        return f"{self.where}：{left}，{right}，{self.broken}，相差 {diff}{note}。{english}, difference {diff}."


@dataclass
class Assessment:
    """One expectation over the whole frame, as boolean/float arrays aligned with its rows."""

    expectation: Expectation
    applies: np.ndarray
    found: np.ndarray
    null: np.ndarray
    failing: np.ndarray
    actual: np.ndarray
    expected: np.ndarray

    @property
    def status(self) -> np.ndarray:
        return np.where(~self.found | self.null, "not_assessable", np.where(self.failing, "fail", "pass"))


def assess(expectation: Expectation, unexpected: set[str], frame: pd.DataFrame) -> Assessment:
    """Where one expectation applies, and for each report whether it was assessable and failed."""
    meta = expectation.meta or {}
    actual_cols: list[str] = meta["actual"]
    expected_cols: list[str] = meta.get("expected") or []
    components = actual_cols + expected_cols
    applies = _applies(expectation, frame)
    found = frame["table_found"].fillna(False).astype(bool).to_numpy()
    if meta.get("reported"):  # only the cells this report's template has
        cells = [".".join(split_column(c)) for c in components]
        held = frame["reported_cells"].map(lambda have: all(c in have for c in cells)).to_numpy()
        applies = applies & found & held
    null = frame[components].isna().any(axis=1).to_numpy()
    failing = frame["report_id"].isin(unexpected).to_numpy()
    stray = failing & ~(applies & found & ~null)
    if stray.any():
        ids = frame.loc[stray, "report_id"].tolist()[:5]
        raise InconsistentResult(f"{meta['check_id']} {meta['scope']}: GX failed {ids}, not assessable here")
    actual = frame[actual_cols].sum(axis=1, skipna=False).to_numpy(dtype=float)
    if expected_cols:
        expected = frame[expected_cols].sum(axis=1, skipna=False).to_numpy(dtype=float)
    else:
        expected = np.full(len(frame), float(meta["bound"]))
    assessable = found & ~null
    return Assessment(
        expectation,
        applies,
        found,
        null,
        failing,
        np.where(assessable, actual, np.nan),
        np.where(assessable, expected, np.nan),
    )


def rows_of(a: Assessment, frame: pd.DataFrame, keep: np.ndarray) -> pd.DataFrame:
    """dq rows of the kept reports of one assessment, with their detail sentences."""
    meta = a.expectation.meta or {}
    sentences = Sentences(meta)
    idx = np.flatnonzero(keep)
    status = a.status[idx]
    values = frame[sentences.components].to_numpy(dtype=float)[idx]
    details = [
        sentences(st, f, vals, act, exp)
        for st, f, vals, act, exp in zip(
            status.tolist(),
            a.found[idx].tolist(),
            values,
            a.actual[idx].tolist(),
            a.expected[idx].tolist(),
            strict=True,
        )
    ]
    return pd.DataFrame(
        {
            "report_id": frame["report_id"].to_numpy()[idx],
            "check_id": meta["check_id"],
            "scope": meta["scope"],
            "status": status,
            "severity": meta["severity"],
            "expected": a.expected[idx],
            "actual": a.actual[idx],
            "difference": a.actual[idx] - a.expected[idx],
            "agency": frame["agency"].to_numpy()[idx],
            "year": frame["year"].to_numpy()[idx],
            "detail": details,
        },
        columns=list(COLUMNS),
    )


def _table_rows(frame: pd.DataFrame, keep: np.ndarray, table: str, status: str, details: list[str]) -> pd.DataFrame:
    """NON_NEGATIVE rows whose scope is a whole table."""
    idx = np.flatnonzero(keep)
    return pd.DataFrame(
        {
            "report_id": frame["report_id"].to_numpy()[idx],
            "check_id": "NON_NEGATIVE",
            "scope": table,
            "status": status,
            "severity": CHECKS["NON_NEGATIVE"].severity,
            "expected": np.nan,
            "actual": np.nan,
            "difference": np.nan,
            "agency": frame["agency"].to_numpy()[idx],
            "year": frame["year"].to_numpy()[idx],
            "detail": details,
        },
        columns=list(COLUMNS),
    )


def _cell_rows(frame: pd.DataFrame, meta: dict, mask: np.ndarray, name: str, status: str) -> pd.DataFrame:
    """NON_NEGATIVE rows of one cell (scope `table.row.col`) for the reports in `mask`."""
    table = meta["table"]
    row, col = split_column(name)
    scope = f"{table}.{row}.{col}"
    where = scope_label("NON_NEGATIVE", scope)
    idx = np.flatnonzero(mask)
    values = frame[name].to_numpy(dtype=float)[idx]
    if status == "fail":
        details = [
            f"{where}：所填数值 {v} 小于0（数量不能为负）。NON_NEGATIVE {scope}: value {v} < 0."
            for v in map(format_number, values)
        ]
    else:
        details = [f"{where}：未填报（空白或“/”），无法核对。NON_NEGATIVE {scope}: not assessable, no value."] * len(
            idx
        )
    failing = status == "fail"
    return pd.DataFrame(
        {
            "report_id": frame["report_id"].to_numpy()[idx],
            "check_id": "NON_NEGATIVE",
            "scope": scope,
            "status": status,
            "severity": meta["severity"],
            "expected": 0.0 if failing else np.nan,
            "actual": values if failing else np.nan,
            "difference": values if failing else np.nan,
            "agency": frame["agency"].to_numpy()[idx],
            "year": frame["year"].to_numpy()[idx],
            "detail": details,
        },
        columns=list(COLUMNS),
    )


def non_negative_rows(rows: list[tuple[Expectation, set[str]]], frame: pd.DataFrame, table: str) -> list[pd.DataFrame]:
    """NON_NEGATIVE per report and table: a pass row when every assessable cell is ≥ 0, one row per failing
    or null cell, or one not_assessable row when the table was not found."""
    if not rows:
        return []
    found = frame["table_found"].fillna(False).astype(bool).to_numpy()
    passed = np.zeros(len(frame), dtype=int)
    failed = np.zeros(len(frame), dtype=int)
    out = []
    for expectation, unexpected in rows:
        meta = expectation.meta or {}
        applies = _applies(expectation, frame) & found
        values = frame[meta["actual"]]
        negative = (values < 0).to_numpy()
        gx_failed = frame["report_id"].isin(unexpected).to_numpy()
        if not np.array_equal(gx_failed, negative.any(axis=1)):
            raise InconsistentResult(f"NON_NEGATIVE {meta['scope']}: GX and the cell values disagree")
        for j, name in enumerate(meta["actual"]):
            present = applies
            if meta.get("reported"):
                cell = ".".join(split_column(name))
                present = present & frame["reported_cells"].map(lambda have, cell=cell: cell in have).to_numpy()
            null = values[name].isna().to_numpy()
            fail = present & negative[:, j]
            passed += present & ~null & ~fail
            failed += fail
            out.append(_cell_rows(frame, meta, fail, name, "fail"))
            out.append(_cell_rows(frame, meta, present & null, name, "not_assessable"))
    where = TABLE_LABELS[table]
    clean = found & (failed == 0) & (passed > 0)
    out.append(
        _table_rows(
            frame,
            clean,
            table,
            "pass",
            [
                f"{where}：已核对的 {n} 个单元格均不小于0。NON_NEGATIVE {table}: {n} assessed cells, all ≥ 0."
                for n in passed[clean]
            ],
        )
    )
    out.append(
        _table_rows(
            frame,
            ~found,
            table,
            "not_assessable",
            [f"报告中未找到{where}，无法核对。NON_NEGATIVE {table}: table not found."] * int((~found).sum()),
        )
    )
    return out


def unexpected_ids(index_list: list[dict[str, Any]] | None) -> set[str]:
    """The failing report ids of a GX result: one dict per row, or (with exclude_unexpected_values) one dict
    holding the list of ids."""
    ids: set[str] = set()
    for entry in index_list or []:
        value = entry["report_id"]
        ids.update(map(str, value) if isinstance(value, list) else [str(value)])
    return ids


def suite_rows(
    expectations: list[Expectation], validation: ExpectationSuiteValidationResult, frame: pd.DataFrame, table: str
) -> pd.DataFrame:
    """All dq rows of one validated suite."""
    by_id = {e.id: e for e in expectations}
    parts: list[pd.DataFrame] = []
    cells: list[tuple[Expectation, set[str]]] = []
    for result in validation.results:
        if result.exception_info and result.exception_info.get("raised_exception"):
            raise RuntimeError(f"GX could not evaluate {result.expectation_config.meta}: {result.exception_info}")
        expectation = by_id[result.expectation_config.id]
        unexpected = unexpected_ids(result.result.get("unexpected_index_list"))
        if (expectation.meta or {}).get("check_id") == "NON_NEGATIVE":
            cells.append((expectation, unexpected))
        else:
            a = assess(expectation, unexpected, frame)
            parts.append(rows_of(a, frame, a.applies))
    parts += non_negative_rows(cells, frame, table)
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=list(COLUMNS))
    return pd.concat(parts, ignore_index=True)
