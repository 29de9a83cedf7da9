"""expectations/: synthetic failures of every relation, null components, F2021's split （六） rows, a missing
table, prose mismatches and plausibility bounds, on the sample warehouse with its marts edited.

The marts are the input contract of the checks, so each case edits one or two mart cells of one sample
(cases on the same sample touch different scopes), then the suites run once for the listed reports.
GX's expectations are also checked on their own, on tiny side-by-side frames, to show that GX itself flags the
failing row and skips a row with a null component.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import great_expectations as gx
import numpy as np
import pandas as pd
import pytest
from sample_warehouse import build_sample_warehouse, query, rebuild_relation_sides, report_ids

from expectations.checks import CheckRun, gx_context, run_checks, run_suite
from expectations.suites import expectation
from extract.region import classify
from extract.template import templates

F000, F001, F002, F003, F004 = (
    "000_4ff96be9de752299.txt",
    "001_37d7ff8d3b3e8faf.txt",
    "002_7faab7bffb2fd78f.txt",
    "003_c61ea60888540bc5.txt",
    "004_e0962b715bf85ce8.txt",
)
APPLICANTS = ("natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total")


def _edit(warehouse: Path, ids: dict[str, str]) -> None:
    """One edit per case (see the tests below for what each must produce)."""
    r = {k[:3]: v for k, v in ids.items()}
    split_rows = "\n".join(
        f"""insert into marts.fct_outcomes
            select report_id, '{code}', applicant_type, 'other', {value}
            from marts.fct_outcomes where report_id = $r000 and outcome_code = 'other';"""
        for code, value in (
            ("other_overdue_correction", '"count"'),
            ("other_overdue_fee", "0"),
            ("other_other", "case when applicant_type = 'natural_person' then null else 0 end"),
        )
    )
    sql = f"""
    -- T3_BALANCE: 001 carries 2 research applications forward that it never received
    update marts.fct_applications set carried_forward = 2 where report_id = $r001 and applicant_type = 'research';
    -- T3_OUTCOMES: 004 grants one more application to a natural person than it processed
    update marts.fct_outcomes set "count" = "count" + 1
        where report_id = $r004 and outcome_code = 'granted' and applicant_type = 'natural_person';
    -- T3_ROW_TOTAL: 004's 行政查询事项 total is 4 while every applicant column is 0
    update marts.fct_outcomes set "count" = 4
        where report_id = $r004 and outcome_code = 'denied_inquiry' and applicant_type = 'total';
    -- T4_TOTAL: 004's direct litigation total 3 for results summing to 1
    update marts.fct_litigation set "count" = 3
        where report_id = $r004 and block_code = 'litigation_direct' and result_code = 'total';
    -- NON_NEGATIVE only: 001's litigation after review: corrected 1, pending -1, total still 0
    update marts.fct_litigation set "count" = case result_code when 'corrected' then 1 else -1 end
        where report_id = $r001 and block_code = 'litigation_after_review' and result_code in ('corrected', 'pending');
    update marts.fct_disclosure set value = -3
        where report_id = $r004 and item_code = 'penalty' and measure_code = 'decisions';
    -- null component: 003 leaves 上年结转 · 自然人 blank
    update marts.fct_applications set carried_over = null where report_id = $r003 and applicant_type = 'natural_person';
    -- F2021 layout: 000 prints （六） as three rows, 3.其他 · 自然人 blank
    update marts.dim_report set template = 'F2021' where report_id = $r000;
    {split_rows}
    delete from marts.fct_outcomes where report_id = $r000 and outcome_code = 'other';
    -- table not found: 002 without table 四
    delete from marts.fct_litigation where report_id = $r002;
    update marts.dim_report set tables_found = 'disclosure,applications' where report_id = $r002;
    -- prose: 001 says 5 applications (table: 3), 004 says "2余件" (table: 3)
    update raw.narrative_facts set value = 5 where report_id = $r001 and fact_code = 'applications_received';
    update raw.narrative_facts set value = 2, is_lower_bound = true
        where report_id = $r004 and fact_code = 'applications_received';
    -- X4: 003 publishes 2 regulations this year but reports 0 in total
    update marts.fct_disclosure set value = 2
        where report_id = $r003 and item_code = 'regulations' and measure_code = 'published';
    -- procurement bound applies to street-level offices only: 003 renamed to a city government
    update marts.dim_report set agency = '洛阳市人民政府', admin_level = '市' where report_id = $r003;
    update marts.fct_disclosure set value = 50000
        where report_id = $r003 and item_code = 'procurement' and measure_code = 'projects';
    """
    with duckdb.connect(str(warehouse)) as con:
        for statement in filter(str.strip, sql.split(";")):
            names = {name for name in r if f"$r{name}" in statement}
            con.execute(statement, {f"r{name}": r[name] for name in names} or None)


@pytest.fixture(scope="module")
def edited(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str], CheckRun]:
    warehouse = build_sample_warehouse(tmp_path_factory.mktemp("dq_synthetic"))
    ids = report_ids(warehouse)
    _edit(warehouse, ids)
    rebuild_relation_sides(warehouse, warehouse.parent / "dbt")
    return warehouse, ids, run_checks(warehouse, sorted(ids.values()), data_docs=False)


def _results(edited: tuple[Path, dict[str, str], CheckRun], file: str, check_id: str) -> dict[str, tuple[Any, ...]]:
    """scope → (status, severity, expected, actual, difference, detail) of one report and check."""
    warehouse, ids, _ = edited
    rows = query(
        warehouse,
        "select scope, status, severity, expected, actual, difference, detail from dq.check_results"
        " where report_id = ? and check_id = ?",
        [ids[file], check_id],
    )
    return {scope: tuple(rest) for scope, *rest in rows}


def _statuses(results: dict[str, tuple[Any, ...]]) -> dict[str, str]:
    return {scope: r[0] for scope, r in results.items()}


def test_t3_balance_fails_in_the_edited_column_only(edited: tuple[Path, dict[str, str], CheckRun]) -> None:
    balance = _results(edited, F001, "T3_BALANCE")
    assert {s for s, st in _statuses(balance).items() if st != "pass"} == {"research"}
    assert balance["research"][:5] == ("fail", "error", Decimal(2), Decimal(0), Decimal(-2))
    # the same cell breaks the row total of 四、结转下年度继续办理
    assert _results(edited, F001, "T3_ROW_TOTAL")["carried_forward"][:5] == (
        "fail", "error", Decimal(2), Decimal(0), Decimal(-2)
    )  # fmt: skip


def test_t3_outcomes_and_row_total_fail_where_edited(edited: tuple[Path, dict[str, str], CheckRun]) -> None:
    outcomes = _results(edited, F004, "T3_OUTCOMES")
    assert {s for s, st in _statuses(outcomes).items() if st != "pass"} == {"natural_person", "total"}
    assert outcomes["natural_person"][2:5] == (Decimal(3), Decimal(2), Decimal(-1))  # granted 2+1 vs processed 2
    assert outcomes["total"][2:5] == (Decimal(7), Decimal(3), Decimal(-4))  # + the 4 行政查询事项
    rows = _results(edited, F004, "T3_ROW_TOTAL")
    assert {s for s, st in _statuses(rows).items() if st != "pass"} == {"granted", "denied_inquiry"}
    assert rows["denied_inquiry"][2:5] == (Decimal(0), Decimal(4), Decimal(4))
    assert "行政查询" in rows["denied_inquiry"][5] or "denied_inquiry" in rows["denied_inquiry"][5]


def test_t4_total_fails_for_the_edited_block(edited: tuple[Path, dict[str, str], CheckRun]) -> None:
    t4 = _results(edited, F004, "T4_TOTAL")
    assert _statuses(t4) == {"review": "pass", "litigation_direct": "fail", "litigation_after_review": "pass"}
    assert t4["litigation_direct"][2:5] == (Decimal(1), Decimal(3), Decimal(2))


def test_non_negative_fails_per_cell_and_allows_a_negative_change(
    edited: tuple[Path, dict[str, str], CheckRun],
) -> None:
    lit = _results(edited, F001, "NON_NEGATIVE")
    assert lit["review_litigation.litigation_after_review.pending"][:5] == (
        "fail", "error", Decimal(0), Decimal(-1), Decimal(-1)
    )  # fmt: skip
    assert _statuses(_results(edited, F001, "T4_TOTAL"))["litigation_after_review"] == "pass"
    # table 四 of 001 has a failing cell, so no table-level pass row; 001's 本年增/减 of -38 is not a failure
    assert "review_litigation" not in lit and lit["disclosure"][0] == "pass"
    assert not [s for s, r in lit.items() if r[0] == "fail" and s.startswith("disclosure")]
    assert query(
        edited[0],
        "select count(*) from marts.fct_disclosure where report_id = ? and measure_code = 'change' and value < 0",
        [edited[1][F001]],
    ) == [(1,)]
    disclosure = _results(edited, F004, "NON_NEGATIVE")
    assert disclosure["disclosure.penalty.decisions"][:4] == ("fail", "error", Decimal(0), Decimal(-3))
    assert "disclosure" not in disclosure and disclosure["applications"][0] == "pass"


def test_null_component_is_not_assessable(edited: tuple[Path, dict[str, str], CheckRun]) -> None:
    balance = _results(edited, F003, "T3_BALANCE")
    assert _statuses(balance) == {c: ("not_assessable" if c == "natural_person" else "pass") for c in APPLICANTS}
    _, _, expected, actual, difference, detail = balance["natural_person"]
    assert (expected, actual, difference) == (None, None, None)
    assert "上年结转" in detail and "无法核对" in detail
    assert _statuses(_results(edited, F003, "T3_ROW_TOTAL"))["carried_over"] == "not_assessable"
    cells = _statuses(_results(edited, F003, "NON_NEGATIVE"))
    assert cells["applications.carried_over.natural_person"] == "not_assessable" and cells["applications"] == "pass"


def test_split_other_rows_are_summed_and_a_blank_one_is_not_read_as_zero(
    edited: tuple[Path, dict[str, str], CheckRun],
) -> None:
    """000 as an F2021 report with （六） in three rows: the three rows replace `other` in T3_OUTCOMES."""
    outcomes = _results(edited, F000, "T3_OUTCOMES")
    assert _statuses(outcomes) == {c: ("not_assessable" if c == "natural_person" else "pass") for c in APPLICANTS}
    assert "other_other" in outcomes["natural_person"][5]
    assert outcomes["total"][2:5] == (Decimal(3), Decimal(3), Decimal(0))
    rows = _statuses(_results(edited, F000, "T3_ROW_TOTAL"))
    assert "other" not in rows and len(rows) == 25
    assert (rows["other_overdue_correction"], rows["other_overdue_fee"], rows["other_other"]) == (
        "pass", "pass", "not_assessable"
    )  # fmt: skip
    cells = _results(edited, F000, "NON_NEGATIVE")
    assert cells["applications.other_other.natural_person"][0] == "not_assessable"
    assert not [s for s in cells if s.startswith("applications.other.")]


def test_missing_table_is_not_assessable(edited: tuple[Path, dict[str, str], CheckRun]) -> None:
    t4 = _results(edited, F002, "T4_TOTAL")
    assert _statuses(t4) == dict.fromkeys(("review", "litigation_direct", "litigation_after_review"), "not_assessable")
    assert all("未找到" in r[5] and "not found" in r[5] for r in t4.values())
    cells = _results(edited, F002, "NON_NEGATIVE")
    assert cells["review_litigation"][0] == "not_assessable" and "未找到" in cells["review_litigation"][5]
    assert _results(edited, F002, "X5") == {}  # nothing to compare without table 四
    # 金盏's statutory failures in table 三 are untouched
    assert {s for s, st in _statuses(_results(edited, F002, "T3_BALANCE")).items() if st == "fail"} == {
        "natural_person", "commercial", "total"
    }  # fmt: skip


def test_prose_against_table(edited: tuple[Path, dict[str, str], CheckRun]) -> None:
    mismatch = _results(edited, F001, "NARRATIVE_APPLICATIONS")["applications.new_received.total"]
    assert mismatch[:5] == ("fail", "warning", Decimal(3), Decimal(5), Decimal(2))
    lower_bound = _results(edited, F004, "NARRATIVE_APPLICATIONS")["applications.new_received.total"]
    assert lower_bound[:4] == ("pass", "warning", Decimal(3), Decimal(2))  # 2余件 ≤ 3 in the table


def test_plausibility_checks(edited: tuple[Path, dict[str, str], CheckRun]) -> None:
    x4 = _results(edited, F003, "X4")
    assert x4["regulations"][:5] == ("fail", "warning", Decimal(2), Decimal(0), Decimal(-2))
    assert x4["normative_documents"][0] == "pass"
    assert _results(edited, F003, "PLAUSIBLE_PROCUREMENT") == {}  # a city government: bound does not apply
    assert _results(edited, F002, "PLAUSIBLE_PROCUREMENT")["disclosure.procurement.projects"][0] == "fail"


def test_run_counts_and_failing_reports(edited: tuple[Path, dict[str, str], CheckRun]) -> None:
    warehouse, ids, run = edited
    assert run.reports == 5
    assert run.failing_report_ids == sorted(ids[f] for f in (F001, F002, F004))
    stored = dict(query(warehouse, "select status, count(*) from dq.check_results group by status"))
    assert sum(s.failed for s in run.suites.values()) == stored["fail"]


def test_run_suite_replaces_only_its_own_rows(edited: tuple[Path, dict[str, str], CheckRun]) -> None:
    """Fixing 004's table 四 and re-running the litigation suite for 004 changes only table-四 results."""
    warehouse, ids, _ = edited
    others = (
        "select * from dq.check_results where not (report_id = ? and check_id in ('T4_TOTAL', 'X5')"
        " or report_id = ? and check_id = 'NON_NEGATIVE' and scope like 'review_litigation%') order by all"
    )
    before = query(warehouse, others, [ids[F004], ids[F004]])
    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            'update marts.fct_litigation set "count" = 1'
            " where report_id = ? and block_code = 'litigation_direct' and result_code = 'total'",
            [ids[F004]],
        )
    rebuild_relation_sides(warehouse, warehouse.parent / "dbt_fixed")
    result = run_suite("litigation", warehouse, [ids[F004]])
    assert (result.failed, result.not_assessable) == (0, 0) and result.passed == 3 + 1 + 1  # T4 ×3, table, X5
    assert _statuses(_results(edited, F004, "T4_TOTAL"))["litigation_direct"] == "pass"
    assert query(warehouse, others, [ids[F004], ids[F004]]) == before


def _validate(expectation: Any, frame: pd.DataFrame) -> dict[str, Any]:
    context = gx_context()
    batch = context.data_sources.add_pandas("t").add_dataframe_asset("t").add_batch_definition_whole_dataframe("t")
    suite = context.suites.add(gx.ExpectationSuite(name="t", expectations=[expectation]))
    definition = context.validation_definitions.add(gx.ValidationDefinition(name="t", data=batch, suite=suite))
    result = definition.run(
        batch_parameters={"dataframe": frame},
        result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["report_id"]},
    )
    return result.results[0].result


def _sides(rows: list[tuple[str, str, float, float]]) -> pd.DataFrame:
    """A side-by-side frame as marts.fct_relation_sides gives it: (report_id, relation, actual, expected)."""
    frame = pd.DataFrame(rows, columns=["report_id", "relation", "actual", "expected"])
    return frame.assign(scope="s", check_id=[
        "T3_BALANCE" if r == "=" else "NON_NEGATIVE" for r in frame["relation"]])


def test_equality_expectation_flags_the_unbalanced_row_and_skips_a_null() -> None:
    frame = _sides([("ok", "=", 3.0, 3.0), ("bad", "=", 2.0, 3.0), ("blank", "=", np.nan, 2.0),
                    ("other_check", ">=", 9.0, 0.0)])
    result = _validate(expectation("T3_BALANCE", "="), frame)
    assert [row["report_id"] for row in result["unexpected_index_list"]] == ["bad"]
    assert (result["element_count"], result["missing_count"], result["unexpected_count"]) == (3, 1, 1)


def test_non_negative_expectation_flags_a_negative_cell_but_not_a_blank() -> None:
    frame = _sides([("ok", ">=", 0.0, 0.0), ("neg", ">=", -1.0, 0.0), ("blank", ">=", np.nan, 0.0),
                    ("other_check", "=", -5.0, 3.0)])
    result = _validate(expectation("NON_NEGATIVE", ">="), frame)
    assert [row["report_id"] for row in result["unexpected_index_list"]] == ["neg"]


@pytest.mark.parametrize(
    ("agency", "township"),
    [
        ("北京市朝阳区人民政府东湖街道办事处", True),
        ("金盏地区", True),  # Beijing's 地区办事处 are 乡-level
        ("某某县某某镇人民政府", True),
        ("某某乡", True),
        ("某某县乡村振兴局", False),
        ("洛阳市人民政府", False),
        ("和田地区", False),  # a prefecture-level 地区
        (None, False),
    ],
)
def test_township_level_names(agency: str | None, township: bool) -> None:
    """The procurement magnitude bound applies to 街道/乡/镇-level names only: the extractor's level."""
    assert (classify(agency, templates())["admin_level"] == "乡镇/街道") is township
