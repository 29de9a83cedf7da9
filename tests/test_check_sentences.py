"""The detail sentences of dq.check_results, built column-wise for the common rows (a relation that holds, a table
not found, a failing or blank cell), equal the sentence the per-row definition writes (`Sentences.__call__`, the
cell templates of wording.yaml) for every relation scope of the templates, with whole, large, fractional and
negative numbers. No warehouse: frames shaped as `marts.fct_relation_sides` is read."""

from __future__ import annotations

import random

import numpy as np
import pandas as pd
import pytest

from expectations.codes import WORDING, format_number, scope_label
from expectations.results import _sentences, dq_rows
from extract.templates import form

NUMBERS = [0.0, 1.0, 7.0, 12.0, 999.0, 1000.0, 12345.0, 1234567.0, 0.5, 2.25, 1234.125, -3.0, -1500.0]
KINDS = ("pass", "fail", "not_found", "blank")
REPORTS = 3


def sides_frame(seed: int) -> tuple[pd.DataFrame, set[tuple[str, str, str]]]:
    """Rows of every relation scope in every kind, for a few reports, and the keys GX would have failed."""
    rng = random.Random(seed)
    rows, failing = [], set()
    for n, spec in enumerate(s for s in form.relation_scopes() if s.per != "cell"):
        terms = len(spec.actual) + len(spec.expected)
        for r in range(REPORTS):
            kind = KINDS[(n + r) % len(KINDS)]
            values = [rng.choice(NUMBERS) for _ in range(terms)]
            if kind == "blank":
                for i in rng.sample(range(terms), rng.randint(1, terms)):
                    values[i] = np.nan
            actual, expected = rng.choice(NUMBERS), rng.choice(NUMBERS)
            report = f"r{r}-{spec.condition}"  # a report holds one condition of a scope
            if kind == "fail":
                expected = actual + rng.choice([1.0, -2.0, 1000.0, 0.25])
                failing.add((report, spec.check_id, spec.scope))
            null = kind == "blank"
            rows.append({"report_id": report, "check_id": spec.check_id, "scope": spec.scope,
                         "condition": spec.condition, "table_code": spec.table, "per": spec.per,
                         "relation": spec.relation, "table_found": kind != "not_found", "any_null": null,
                         "expected": np.nan if null else expected, "actual": np.nan if null else actual,
                         "term_values": values, "assessed": pd.NA, "exceptions": None})
    return pd.DataFrame(rows), failing


def cell_frame(seed: int) -> tuple[pd.DataFrame, set[tuple[str, str, str]]]:
    """NON_NEGATIVE's rows per report and table: tables holding, failing with negative and blank cells, not found."""
    rng = random.Random(seed)
    tables = sorted({s.table for s in form.relation_scopes() if s.per == "cell"})
    rows, failing = [], set()
    for r in range(REPORTS * 4):
        for table in tables:
            kind = r % 4
            cells = [f"{table}.row{i}.col{i % 3}" for i in range(rng.randint(1, 6))]
            exceptions = None
            if kind in (1, 2):  # 1: negative cells and blank ones (failing), 2: blank cells only
                exceptions = [{"scope": c, "value": None if kind == 2 or i % 2 else rng.choice([-1.0, -1234.0, -0.5])}
                              for i, c in enumerate(cells)]
            if kind == 1:
                failing.add((f"r{r}", "NON_NEGATIVE", table))
            rows.append({"report_id": f"r{r}", "check_id": "NON_NEGATIVE", "scope": table, "condition": "always",
                         "table_code": table, "per": "table", "relation": ">=", "table_found": kind != 3,
                         "any_null": False, "expected": 0.0, "actual": -1.0 if kind == 1 else 0.0,
                         "term_values": None, "assessed": rng.randint(1, 200), "exceptions": exceptions})
    frame = pd.DataFrame(rows)
    frame["assessed"] = frame["assessed"].astype("Int64")
    return frame, failing


def with_reports(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.astype({c: object for c in ("check_id", "scope", "condition")})
    ids = sorted(set(frame["report_id"]))
    frame.attrs["reports"] = pd.DataFrame({"report_id": ids, "agency": "某局", "year": 2023})
    return frame


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_relation_sentences_equal_the_per_row_definition(seed: int) -> None:
    frame, failing = sides_frame(seed)
    stored = dq_rows(with_reports(frame), failing, {s.check_id for s in form.relation_scopes()} - {"NON_NEGATIVE"})
    judged = stored.set_index(["report_id", "check_id", "scope"])
    assert len(judged) == len(frame)
    assert set(judged["status"]) == {"pass", "fail", "not_assessable"}
    for row in frame.itertuples():
        got = judged.loc[(row.report_id, row.check_id, row.scope)]
        status = "fail" if (row.report_id, row.check_id, row.scope) in failing else "pass"
        want = _sentences(row.check_id, row.scope, row.condition)(status, row.table_found, row.term_values,
                                                                  row.actual, row.expected)
        assert got["detail"] == want, (row, got["detail"], want)


def test_a_sentence_prints_the_sides_as_the_form_does() -> None:
    frame, _ = sides_frame(4)
    held = frame[frame["table_found"] & ~frame["any_null"]].iloc[:1].assign(actual=1234567.0, expected=1234567.0)
    (detail,) = dq_rows(with_reports(held), set(), ["any"])["detail"]
    assert "1,234,567，" in detail and detail.endswith("holds.")


def test_cell_sentences_equal_the_per_row_definition() -> None:
    frame, failing = cell_frame(5)
    stored = dq_rows(with_reports(frame), failing, ["NON_NEGATIVE"])
    cells = stored[stored["scope"].str.count(r"\.") == 2]
    assert set(cells["status"]) == {"fail", "not_assessable"}
    expected = {}
    for row in frame[frame["table_found"]].itertuples():
        for cell in row.exceptions or []:
            blank = cell["value"] is None
            kind = "not_assessable" if blank else "fail"
            expected[(row.report_id, cell["scope"])] = WORDING["cell"][kind].format(
                where=scope_label("NON_NEGATIVE", cell["scope"]), scope=cell["scope"],
                a=format_number(None if blank else cell["value"]))
    assert dict(zip(zip(cells["report_id"], cells["scope"], strict=True), cells["detail"], strict=True)) == expected
