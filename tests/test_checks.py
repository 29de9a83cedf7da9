"""expectations/: the GX suites on the five samples, asserted from dq.check_results.

Each module checks its own warehouse of the samples, built the way the pipeline builds it (extract_and_load,
dbt build — once per session, then copied — and run_checks).
The statutory results are compared with the `checks` field of the golden files, the printed numbers of
金盏地区 with its report, and the run's interface with what orchestration reads.
"""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest
from sample_warehouse import build_sample_warehouse, query, report_ids

from expectations import checks
from expectations.checks import CheckRun, run_checks, run_suite
from expectations.docs import REMOTE_LOAD

REPO = Path(__file__).resolve().parents[1]
PROJECT = REPO / "dbt_project"
GOLDEN = Path(__file__).resolve().parent / "fixtures" / "golden"
RELATIONS = ("T3_BALANCE", "T3_OUTCOMES", "T3_ROW_TOTAL", "T4_TOTAL", "NON_NEGATIVE")
JINZHAN = "002_7faab7bffb2fd78f.txt"
XIAOGUAN = "000_4ff96be9de752299.txt"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, CheckRun]:
    warehouse = build_sample_warehouse(tmp_path_factory.mktemp("dq_checks"))
    return warehouse, run_checks(warehouse)


@pytest.fixture(scope="module")
def warehouse(built: tuple[Path, CheckRun]) -> Path:
    return built[0]


@pytest.fixture(scope="module")
def run(built: tuple[Path, CheckRun]) -> CheckRun:
    return built[1]


def _observed(warehouse: Path, report_id: str, check_id: str) -> dict[str, list[str]]:
    """Failing and not-assessable scopes of one statutory relation, as the golden files list them."""
    rows = query(
        warehouse,
        "select scope, status from dq.check_results where report_id = ? and check_id = ? and severity = 'error'",
        [report_id, check_id],
    )
    if check_id == "NON_NEGATIVE":  # table-level rows summarise; the golden files list cells
        rows = [(scope, status) for scope, status in rows if scope.count(".") == 2]
    return {
        "fails": sorted(s for s, st in rows if st == "fail"),
        "not_assessable": sorted(s for s, st in rows if st == "not_assessable"),
    }


@pytest.mark.parametrize("golden", sorted(GOLDEN.glob("*.json")), ids=lambda p: p.name[:3])
def test_statutory_results_match_the_golden_checks(warehouse: Path, golden: Path) -> None:
    """Per sample and relation: exactly the golden failing and not-assessable scopes, everything else passes."""
    expected = json.loads(golden.read_text(encoding="utf-8"))
    report_id = report_ids(warehouse)[expected["file"]]
    for check_id in RELATIONS:
        want = {k: sorted(v) for k, v in expected["checks"][check_id].items()}
        assert _observed(warehouse, report_id, check_id) == want, (expected["file"], check_id)
    # every scope of the relations is present once: 7 columns, 23 F2019 rows, 3 blocks
    counts = dict(
        query(
            warehouse,
            "select check_id, count(*) from dq.check_results where report_id = ? group by check_id",
            [report_id],
        )
    )
    assert (counts["T3_BALANCE"], counts["T3_OUTCOMES"], counts["T3_ROW_TOTAL"], counts["T4_TOTAL"]) == (7, 7, 23, 3)
    statuses = query(
        warehouse,
        "select distinct status from dq.check_results where report_id = ? and severity = 'error'"
        " and check_id in ('T3_BALANCE', 'T3_OUTCOMES', 'T3_ROW_TOTAL', 'T4_TOTAL')",
        [report_id],
    )
    failing_any = any(expected["checks"][c]["fails"] for c in RELATIONS)
    assert {s for (s,) in statuses} <= (
        {"pass", "fail", "not_assessable"} if failing_any else {"pass", "not_assessable"}
    )


def test_jinzhan_shows_the_printed_numbers_side_by_side(warehouse: Path) -> None:
    """金盏地区 2019: （七）总计 printed 10/2/12 against outcomes summing to 5/1/6; 新收+结转 = 5/1/6."""
    rid = report_ids(warehouse)[JINZHAN]
    rows = {
        (c, s): (st, sev, exp, act, diff, agency, year, detail)
        for c, s, st, sev, exp, act, diff, agency, year, detail in query(
            warehouse,
            "select check_id, scope, status, severity, expected, actual, difference, agency, year, detail"
            " from dq.check_results where report_id = ? and status = 'fail'",
            [rid],
        )
    }
    outcomes = rows[("T3_OUTCOMES", "natural_person")]
    assert outcomes[:5] == ("fail", "error", Decimal("5.0000"), Decimal("10.0000"), Decimal("5.0000"))
    assert outcomes[5:7] == ("金盏地区", 2019)
    assert "（七）总计" in outcomes[7] and "10" in outcomes[7] and "5" in outcomes[7]
    assert rows[("T3_OUTCOMES", "commercial")][2:5] == (Decimal(1), Decimal(2), Decimal(1))
    assert rows[("T3_OUTCOMES", "total")][2:5] == (Decimal(6), Decimal(12), Decimal(6))
    # T3_BALANCE: left side (第一项加第二项) 6, right side (第三项加第四项) 12
    assert rows[("T3_BALANCE", "total")][2:5] == (Decimal(12), Decimal(6), Decimal(-6))
    assert rows[("T3_BALANCE", "natural_person")][2:5] == (Decimal(10), Decimal(5), Decimal(-5))
    assert "第一项加第二项" in rows[("T3_BALANCE", "total")][7]


def test_only_jinzhan_fails_a_statutory_relation(warehouse: Path, run: CheckRun) -> None:
    rid = report_ids(warehouse)[JINZHAN]
    failing = query(
        warehouse, "select distinct report_id from dq.check_results where status = 'fail' and severity = 'error'"
    )
    assert failing == [(rid,)]
    assert run.failing_reports == 1 and run.failing_report_ids == [rid]
    assert run.reports == 5


def test_xiaoguan_review_block_is_not_assessable(warehouse: Path) -> None:
    """小关街道 leaves 行政复议 blank: not assessable (never pass or fail); the two litigation blocks pass."""
    rid = report_ids(warehouse)[XIAOGUAN]
    t4 = dict(
        query(
            warehouse, "select scope, status from dq.check_results where report_id = ? and check_id = 'T4_TOTAL'", [rid]
        )
    )
    assert t4 == {"review": "not_assessable", "litigation_direct": "pass", "litigation_after_review": "pass"}
    (detail, expected, actual) = query(
        warehouse,
        "select detail, expected, actual from dq.check_results"
        " where report_id = ? and check_id = 'T4_TOTAL' and scope = 'review'",
        [rid],
    )[0]
    assert expected is None and actual is None and "未填报" in detail and "review__total" in detail
    # the review block's null cells are the only NON_NEGATIVE cells of table 四 not assessed; the rest passes
    table_row = query(
        warehouse,
        "select status, detail from dq.check_results"
        " where report_id = ? and check_id = 'NON_NEGATIVE' and scope = 'review_litigation'",
        [rid],
    )
    assert table_row[0][0] == "pass" and "10 个单元格" in table_row[0][1]


def test_plausibility_warnings_are_a_separate_severity(warehouse: Path) -> None:
    """278,454 procurement projects by 金盏地区 is a warning, X5 an info; neither is a statutory failure."""
    rid = report_ids(warehouse)[JINZHAN]
    warnings = query(
        warehouse,
        "select report_id, check_id, scope, severity, actual, expected from dq.check_results"
        " where status = 'fail' and severity <> 'error' order by check_id",
    )
    assert warnings == [
        (rid, "PLAUSIBLE_PROCUREMENT", "disclosure.procurement.projects", "warning", Decimal(278454), Decimal(10000)),
        (rid, "X5", "litigation_after_review", "info", Decimal(1), Decimal(0)),
    ]
    procurement = query(
        warehouse,
        "select count(*), count(*) filter (where status = 'pass') from dq.check_results"
        " where check_id = 'PLAUSIBLE_PROCUREMENT'",
    )
    assert procurement == [(5, 4)]  # all five samples are street-level offices
    x4 = query(warehouse, "select distinct status, severity from dq.check_results where check_id = 'X4'")
    assert x4 == [("pass", "warning")]


def test_narrative_applications_agree_with_table_three(warehouse: Path) -> None:
    """The prose's 收到/受理申请N件 against 一、本年新收 总计: a softer check of its own."""
    rows = query(
        warehouse,
        "select r.file_name, c.status, c.severity, c.actual, c.expected from dq.check_results c"
        " join marts.dim_report r using (report_id) where c.check_id = 'NARRATIVE_APPLICATIONS' order by 1",
    )
    assert [(f[:3], st, sev, int(a), int(e)) for f, st, sev, a, e in rows] == [
        ("000", "pass", "warning", 3, 3),
        ("001", "pass", "warning", 3, 3),
        ("002", "pass", "warning", 6, 6),
        ("003", "pass", "warning", 0, 0),
        ("004", "pass", "warning", 3, 3),
    ]


def test_check_run_reports_what_was_written(warehouse: Path, run: CheckRun) -> None:
    """The interface orchestration reads: per-suite counts equal the stored rows; failing rows are complete."""
    assert set(run.suites) == {"applications", "litigation", "disclosure", "narrative", "agencies"}
    stored = dict(query(warehouse, "select status, count(*) from dq.check_results group by status"))
    assert sum(s.passed for s in run.suites.values()) == stored["pass"]
    assert sum(s.failed for s in run.suites.values()) == stored["fail"] == 8
    # + the suite `agencies` on five reports of five agencies, none with a year before it: CROSS_CARRY (7
    # columns), CROSS_IN_FORCE (2 items) and TEXT_REUSE against last year (2 sections) are not assessable
    beyond = 5 * (7 + 2 + 2)
    assert sum(s.not_assessable for s in run.suites.values()) == stored["not_assessable"] == 8 + beyond
    agencies = run.suites["agencies"]
    assert (agencies.failed, agencies.not_assessable, agencies.passed) == (0, beyond, 8)
    assert run.rows == sum(stored.values())
    apps = run.suites["applications"]
    assert (apps.failed, apps.failed_by_severity) == (6, {"error": 6})
    assert {(f["check_id"], f["scope"]) for f in apps.failing} == {
        (c, s) for c in ("T3_BALANCE", "T3_OUTCOMES") for s in ("natural_person", "commercial", "total")
    }
    assert run.suites["disclosure"].failing[0]["check_id"] == "PLAUSIBLE_PROCUREMENT"
    assert set(apps.failing[0]) >= {
        "report_id",
        "check_id",
        "scope",
        "status",
        "severity",
        "expected",
        "actual",
        "agency",
        "year",
        "detail",
    }
    as_dict = json.loads(json.dumps(run.as_dict(), default=str, ensure_ascii=False))
    assert as_dict["failing_reports"] == 1 and as_dict["suites"]["litigation"]["not_assessable"] == 6


def test_dq_table_has_the_contract_columns(warehouse: Path) -> None:
    columns = query(
        warehouse,
        "select column_name, data_type from information_schema.columns"
        " where table_schema = 'dq' and table_name = 'check_results' order by ordinal_position",
    )
    assert columns == [
        ("report_id", "VARCHAR"),
        ("check_id", "VARCHAR"),
        ("scope", "VARCHAR"),
        ("status", "VARCHAR"),
        ("severity", "VARCHAR"),
        ("expected", "DECIMAL(18,4)"),
        ("actual", "DECIMAL(18,4)"),
        ("difference", "DECIMAL(18,4)"),
        ("agency", "VARCHAR"),
        ("year", "INTEGER"),
        ("detail", "VARCHAR"),
    ]
    assert query(warehouse, "select count(*) from dq.check_results where detail is null or agency is null") == [(0,)]


def test_rerun_replaces_results_and_nothing_accumulates(warehouse: Path) -> None:
    """Re-running (one suite for one report, then everything) rewrites the same rows; results of reports
    that are no longer in the warehouse are dropped by a full run. (Runs for a list of reports: see
    test_checks_synthetic.py.)"""
    snapshot_sql = "select * exclude (detail) from dq.check_results order by all"
    before = query(warehouse, snapshot_sql)
    rid = report_ids(warehouse)[JINZHAN]

    result = run_suite("narrative", warehouse, [rid])
    assert (result.passed, result.failed, result.not_assessable) == (1, 0, 0)
    assert query(warehouse, snapshot_sql) == before

    with duckdb.connect(str(warehouse)) as con:
        con.execute(
            "insert into dq.check_results (report_id, check_id, scope, status, severity) "
            "values ('gone', 'T3_BALANCE', 'total', 'fail', 'error')"
        )
    run_checks(warehouse, data_docs=False)
    assert query(warehouse, snapshot_sql) == before


def test_data_docs_are_built_offline_in_the_warehouse_folder(warehouse: Path, run: CheckRun) -> None:
    """GX Data Docs: one validation page per suite, relation ids and statutory wording, nothing loaded remotely."""
    assert run.data_docs == warehouse.parent / "gx_data_docs" / "index.html" and run.data_docs.exists()
    pages = list((warehouse.parent / "gx_data_docs").rglob("*.html"))
    validations = [p for p in pages if "validations" in p.parts]
    assert {p.parts[-4] for p in validations} == {f"nianbao_{s}" for s in run.suites}
    applications = next(p for p in validations if p.parts[-4] == "nianbao_applications").read_text(encoding="utf-8")
    assert "T3_BALANCE" in applications and "第一项加第二项之和，等于第三项加第四项之和" in applications
    for page in pages:
        assert not REMOTE_LOAD.search(page.read_text(encoding="utf-8")), page


def test_a_run_returns_its_first_failing_rows_and_counts_every_one(warehouse: Path, tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A run hands back at most FAILING_SAMPLE failing rows a suite, statutory first (every one stays in
    dq.check_results: all of them, at 100,000 reports, took the full check to 5.2 GB); its counts are complete,
    and a full check's totals, read from the whole table, equal those over every report's rows."""
    copy = tmp_path / "w.duckdb"
    copy.write_bytes(warehouse.read_bytes())
    monkeypatch.setattr(checks, "FAILING_SAMPLE", 2)
    full = run_checks(copy, data_docs=False)
    apps = full.suites["applications"]
    assert (apps.failed, len(apps.failing)) == (6, 2)
    assert {f["severity"] for f in apps.failing} == {"error"}
    assert len(full.suites["disclosure"].failing) == 1  # fewer failing rows than the sample: all of them
    every = checks.stored_totals(copy, sample=None, report_ids=sorted(report_ids(copy).values()))
    assert (full.reports, full.rows, full.failing_report_ids) == (every.reports, every.rows, every.failing_report_ids)
    assert {n: (s.passed, s.failed, s.not_assessable, s.failed_by_severity) for n, s in full.suites.items()} == {
        n: (s.passed, s.failed, s.not_assessable, s.failed_by_severity) for n, s in every.suites.items()}
    assert len(every.suites["applications"].failing) == 6
