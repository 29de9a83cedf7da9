"""dq.check_results: the side-by-side frame of `marts.fct_relation_sides` plus the status GX gave each row,
and one readable sentence per row (Chinese then English, with the printed numbers: templates in wording.yaml).

A row is not assessable when its table was not found or a component is blank; otherwise it fails when GX
listed it among the unexpected rows, else it passes. A relation checked cell by cell (NON_NEGATIVE) arrives
as one row per report and table (GX asserts its extreme cell against the bound) listing its blank cells and
those beyond the bound, and is stored compactly: per report and table, one `pass` row when every assessable
cell is ≥ 0, plus one row per failing or blank cell, or one `not_assessable` row for a table that was not found.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from expectations.codes import CHECKS, COL_LABELS, ROW_LABELS, TABLE_LABELS, WORDING, format_number, scope_label
from expectations.store import COLUMNS, NUMBERS
from extract.templates import form

# A relation's words when it holds, when it is broken, and in English.
WORDS = {relation: dict(zip(("holds", "broken", "holds_en"), words, strict=True))
         for relation, words in WORDING["relations"].items()}
_MAX_TERMS = 6  # components listed in a detail sentence; the rest are summarised
# The numbers a relation's sentence gives per row (the sides' sums); every other field is fixed per relation scope.
ROW_NUMBERS = ("a", "e")
_ROW_NUMBER = re.compile("\0(" + "|".join(ROW_NUMBERS) + ")\0")
# Sentences that need no row but its two sides: built column-wise (most rows are one of these), the rest row by row.
TEMPLATED = ("not_found", "pass")


def failing_keys(check_id: str, index_list: list[dict[str, Any]] | None) -> set[tuple[str, str, str]]:
    """(report_id, check_id, scope) of the rows GX found unexpected: one dict per row, or one dict of lists."""
    keys: set[tuple[str, str, str]] = set()
    for entry in index_list or []:
        ids, scopes = entry["report_id"], entry["scope"]
        pairs = zip(ids, scopes, strict=True) if isinstance(ids, list) else [(ids, scopes)]
        keys.update((str(r), check_id, str(s)) for r, s in pairs)
    return keys


def _short_labels(table: str, terms: tuple[form.Term, ...]) -> list[str]:
    """Labels of the components: the part they do not share (row or column of the table)."""
    rows, cols = ROW_LABELS[table], COL_LABELS[table]
    if len(terms) > 1 and not any(t.label for t in terms) and len({t.col for t in terms}) == 1:
        return [rows.get(t.row, t.row) for t in terms]
    if len(terms) > 1 and not any(t.label for t in terms) and len({t.row for t in terms}) == 1:
        return [cols.get(t.col, t.col) for t in terms]
    return [t.label or f"{rows.get(t.row, t.row)}·{cols.get(t.col, t.col)}" for t in terms]


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
    """The detail sentences of one relation at one scope, its fixed words worked out once (a suite writes millions)."""

    def __init__(self, spec: form.Scope) -> None:
        info = CHECKS[spec.check_id]
        self.spec, self.components = spec, [*spec.actual, *spec.expected]
        self.labels = _short_labels(spec.table, tuple(self.components))
        self.fields = {"where": scope_label(spec.check_id, spec.scope), "head": f"{spec.check_id} {spec.scope}",
                       "table": spec.table, "table_label": TABLE_LABELS[spec.table], "actual_label": info.actual_label,
                       "expected_label": info.expected_label, **WORDS[spec.relation],
                       "note": f"（{info.rule}）" if info.severity != "error" else ""}

    @cache  # noqa: B019 (one instance per relation scope, kept for the process anyway by _sentences)
    def pieces(self, kind: str) -> tuple[list[str], list[str]]:
        """The sentence `kind` (of TEMPLATED) split around its row numbers (_split_template)."""
        return _split_template(WORDING["relation"][kind], self.fields)

    @cache  # noqa: B019 (as pieces)
    def blank(self, nulls: tuple[int, ...]) -> str:
        """The sentence of a row whose components at `nulls` are blank (a few patterns, written many times)."""
        return WORDING["relation"]["blank"].format_map({
            **self.fields, "blank_labels": "、".join(self.labels[i] for i in nulls),
            "blank_names": ", ".join(self.components[i].name for i in nulls)})

    def __call__(self, status: str, found: bool, values: list[float], actual: float, expected: float) -> str:
        templates, fields, n = WORDING["relation"], self.fields, len(self.spec.actual)
        if not found:
            return templates["not_found"].format_map(fields)
        nulls = tuple(i for i, v in enumerate(values) if v != v)  # NaN
        if nulls:
            return self.blank(nulls)
        sides = {**fields, "a": format_number(actual), "e": format_number(expected)}
        if status == "pass":
            return templates["pass"].format_map(sides)
        return templates["fail"].format_map({
            **sides, "diff": format_number(actual - expected),
            "actual_terms": f"（{_terms(self.labels[:n], values[:n])}）" if n > 1 else "",
            "expected_terms": f"（{_terms(self.labels[n:], values[n:])}）" if len(self.spec.expected) > 1 else ""})


@cache
def _sentences(check_id: str, scope: str, condition: str) -> Sentences:
    specs = {(s.check_id, s.scope, s.condition): s for s in form.relation_scopes()}
    return Sentences(specs[(check_id, scope, condition)])


@cache
def _cell_pieces(kind: str, scope: str) -> tuple[list[str], list[str]]:
    """The sentence of a failing (`fail`) or blank (`not_assessable`) cell at `scope`, split around its value."""
    return _split_template(WORDING["cell"][kind], {"where": scope_label("NON_NEGATIVE", scope), "scope": scope})


def _cellwise(tables: pd.DataFrame) -> pd.DataFrame:
    """A cell-by-cell relation's rows as stored, from its rows per report and table (each listing its blank
    cells and those beyond the bound): the failing and blank cells, and each table as a whole when it holds."""
    listed = tables[tables["table_found"]].explode("exceptions").dropna(subset="exceptions")
    cells = listed.assign(scope=[c["scope"] for c in listed["exceptions"]],
                          actual=[np.nan if c["value"] is None else c["value"] for c in listed["exceptions"]])
    blank = cells["actual"].isna().to_numpy()
    cells["status"] = np.where(blank, "not_assessable", np.where(cells["status"] == "fail", "fail", "pass"))
    cells["expected"] = np.where(blank, np.nan, cells["expected"])
    cells["difference"] = cells["actual"] - cells["expected"]
    kinds = pd.DataFrame({"kind": np.where(cells["status"] == "fail", "fail", "not_assessable"),
                          "scope": cells["scope"].to_numpy(dtype=object)})
    cells["detail"] = _joined(kinds, {"a": _formatted(cells["actual"])}, _cell_pieces)
    held = tables[~tables["table_found"] | ((tables["status"] == "pass") & (tables["assessed"] > 0))].copy()
    held[["expected", "actual", "difference"]] = np.nan
    held["detail"] = [WORDING["table"]["pass" if s == "pass" else "not_assessable"].format(
        where=TABLE_LABELS[t], scope=t, assessed=n)
        for s, t, n in zip(held["status"], held["scope"], held["assessed"], strict=True)]
    return pd.concat([cells, held])


def _formatted(values: pd.Series) -> np.ndarray:
    """format_number of every value, worked out once per distinct value (sides repeat: counts are small)."""
    codes, distinct = pd.factorize(values.to_numpy(dtype=float))
    return np.array([*map(format_number, distinct), format_number(None)], dtype=object)[codes]  # -1: NaN


def _split_template(template: str, fields: dict[str, str]) -> tuple[list[str], list[str]]:
    """A sentence template with its fixed `fields` filled in, as its literal pieces and the names of the row numbers
    (ROW_NUMBERS) between them: pieces[0] + number[0] + pieces[1] + … is the template formatted for one row."""
    split = _ROW_NUMBER.split(template.format_map({**fields, **{n: f"\0{n}\0" for n in ROW_NUMBERS}}))
    return split[0::2], split[1::2]


def _joined(keys: pd.DataFrame, numbers: dict[str, np.ndarray],
            pieces_of: Callable[..., tuple[list[str], list[str]]]) -> np.ndarray:
    """Every row's sentence, joined column-wise: the rows sharing the values of `keys`' columns share the pieces
    `pieces_of(*those values)`, between which go each row's formatted `numbers`."""
    details = np.empty(len(keys), dtype=object)
    for key, at in keys.groupby(list(keys.columns), sort=False, dropna=False).indices.items():
        pieces, names = pieces_of(*key)
        text = np.full(len(at), pieces[0], dtype=object)
        for name, piece in zip(names, pieces[1:], strict=True):
            text = text + numbers[name][at] + piece
        details[at] = text
    return details


def _templated(rows: pd.DataFrame, kind: str) -> np.ndarray:
    """The `kind` sentence (of TEMPLATED) of every row, joined column-wise per relation scope."""
    return _joined(rows[["check_id", "scope", "condition"]],
                   {"a": _formatted(rows["actual"]), "e": _formatted(rows["expected"])},
                   lambda *key: _sentences(*key).pieces(kind))


def _details(plain: pd.DataFrame) -> np.ndarray:
    """Each row's detail sentence: what Sentences.__call__ writes, the TEMPLATED kinds built column-wise."""
    found = plain["table_found"].to_numpy(dtype=bool)
    status = plain["status"].to_numpy(dtype=object)
    kinds = np.where(~found, "not_found", np.where(status == "pass", "pass", ""))
    details = np.empty(len(plain), dtype=object)
    for kind in TEMPLATED:
        at = np.flatnonzero(kinds == kind)
        details[at] = _templated(plain.iloc[at], kind)
    at = np.flatnonzero(kinds == "")
    rest = plain.iloc[at]
    details[at] = [
        _sentences(c, s, k)(st, f, _floats(v), a, e)
        for c, s, k, st, f, v, a, e in zip(*(rest[column].to_numpy(dtype=object) for column in (
            "check_id", "scope", "condition", "status", "table_found", "term_values", "actual", "expected")),
            strict=True)
    ]
    return details


def _floats(values: Iterable[Any]) -> list[float]:
    """A list of DuckDB values as floats, NaN for null (DuckDB hands a list with nulls over masked)."""
    return [np.nan if v is None or v is np.ma.masked else float(v) for v in values]


def empty() -> pd.DataFrame:
    """No result rows, in the stored columns."""
    return pd.DataFrame({c: pd.Series(dtype=float if c in NUMBERS else object) for c in COLUMNS})


def judged(frame: pd.DataFrame, failing: set[tuple[str, str, str]]) -> pd.DataFrame:
    """A copy of a sides frame with each row's status, severity and difference: not assessable when its table
    was not found or a side is blank, else failing when GX listed its (report_id, check_id, scope)."""
    frame = frame.copy()
    frame.attrs = {}  # the reports ride along once, not with every part concatenated from this
    keys = pd.MultiIndex.from_frame(frame[["report_id", "check_id", "scope"]])
    failed = keys.isin(list(failing)) if failing else np.zeros(len(frame), dtype=bool)
    frame["status"] = np.where(~frame["table_found"] | frame["any_null"], "not_assessable",
                               np.where(failed, "fail", "pass"))
    frame["severity"] = frame["check_id"].map({c: info.severity for c, info in CHECKS.items()})
    frame["difference"] = frame["actual"] - frame["expected"]
    return frame


def dq_rows(frame: pd.DataFrame, failing: set[tuple[str, str, str]], check_ids: Iterable[str]) -> pd.DataFrame:
    """The stored rows of one suite's side-by-side frame, given the (report_id, check_id, scope) GX failed."""
    if frame.empty:
        return empty()
    reports = frame.attrs["reports"]
    frame = judged(frame, failing)
    plain = frame[frame["per"] != "table"].copy()
    plain["detail"] = _details(plain)
    parts = [plain, _cellwise(frame[frame["per"] == "table"])] if "NON_NEGATIVE" in check_ids else [plain]
    return pd.concat(parts, ignore_index=True).merge(reports, on="report_id", how="left")[list(COLUMNS)]
