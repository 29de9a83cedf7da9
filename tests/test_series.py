"""A multi-year synthetic series through the whole pipeline (extract, dbt): one agency across years and name
forms, one current report per agency-year, and the agencies beside it kept apart (issue 12)."""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt_runner import run_dbt
from test_checks_incremental import assert_registry_is_what_is_stored
from test_report_incremental import assert_same_as_full_build

from expectations.report import build_report
from extract.pipeline import extract_and_load
from synthetic.series import (
    BARE_NAME,
    CORRECTED_YEAR,
    NARRATIVE_MISMATCH_DELTA,
    OTHER_CITY_NAME,
    TWO_FORMS_YEAR,
    YEARS,
    Series,
    write_series,
)

# The agencies suite's checks of a prose fact against its table, by the fact they read
NARRATIVE_CHECKS = {
    "carried_over": "NARRATIVE_CARRIED_OVER",
    "total_handled": "NARRATIVE_HANDLED",
    "carried_forward": "NARRATIVE_CARRIED_FORWARD",
    "review_cases": "NARRATIVE_REVIEW",
    "litigation_cases": "NARRATIVE_LITIGATION",
}


def query(warehouse: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Series]:
    root = tmp_path_factory.mktemp("series")
    series = write_series(root / "inbox", seed=3)
    warehouse = root / "nianbao.duckdb"
    summary = extract_and_load([root / "inbox"], warehouse, workers=1)
    assert summary.documents_failed == 0
    result = run_dbt(["build"], warehouse, root)
    assert result.success, result.exception
    return warehouse, series


def test_the_series_files_are_what_the_manifest_says(built):
    _, series = built
    roles = [(f.year, f.role) for f in series.files]
    assert (TWO_FORMS_YEAR, "same_report_other_form") in roles
    assert (CORRECTED_YEAR, "superseded") in roles and (CORRECTED_YEAR, "correction") in roles
    assert {f.agency for f in series.files if f.role != "other_agency"} == {
        "北京市朝阳区人民政府东湖街道办事处", "北京市朝阳区东湖街道办事处", "朝阳区东湖街道"}
    manifest = json.loads((built[0].parent / "inbox" / "series.json").read_text("utf-8"))
    assert manifest["broken_carry"] == [2021]
    assert manifest["narrative_lower_bound"] == {"total_handled": [2020], "carried_forward": [2024]}


def test_one_agency_across_years_and_name_forms(built):
    warehouse, _ = built
    ids = query(warehouse, "select distinct r.agency_id from marts.dim_report r "
                           f"where r.agency not in ('{OTHER_CITY_NAME}', '{BARE_NAME}')")
    assert len(ids) == 1
    (agency_id,) = ids[0]
    row = query(warehouse, "select agency_name, admin_level, province, county, name_count, first_year, last_year, "
                           f"current_report_count, is_unresolved from marts.dim_agency where agency_id = '{agency_id}'")
    assert row == [("北京市朝阳区人民政府东湖街道办事处", "乡镇/街道", "北京市", "朝阳区", 3, 2019, 2024, 6, False)]


def test_the_short_name_is_linked_by_its_site_and_the_others_stay_apart(built):
    warehouse, _ = built
    names = dict((n, (r, d)) for n, r, d in query(
        warehouse, "select agency_name, resolution, agency_id from marts.dim_agency_name"))
    assert names["朝阳区东湖街道"][0] == "same_domain"  # 朝阳区 is in Beijing and Changchun: the site decides
    assert names["北京市朝阳区东湖街道办事处"][0] == "full_name"
    assert names[OTHER_CITY_NAME][1] != names["北京市朝阳区人民政府东湖街道办事处"][1]
    assert names[BARE_NAME][0] == "unresolved"  # 东湖街道 alone is never merged
    unresolved = f"select is_unresolved from marts.dim_agency where agency_name = '{BARE_NAME}'"
    assert query(warehouse, unresolved) == [(True,)]
    assert query(warehouse, "select count(*) from marts.dim_agency") == [(3,)]


def test_agency_id_is_the_hash_of_the_resolved_key_and_stable_across_runs(built, tmp_path: Path):
    warehouse, _ = built
    first = query(warehouse, "select agency_name, agency_id, agency_key from marts.dim_agency_name order by 1")
    assert all(len(i) == 16 for _, i, _ in first)
    rebuilt = run_dbt(["build", "--full-refresh"], warehouse, tmp_path)
    assert rebuilt.success
    assert query(warehouse, "select agency_name, agency_id, agency_key from marts.dim_agency_name order by 1") == first
    key = dict((n, k) for n, _, k in first)["北京市朝阳区东湖街道办事处"]
    assert key == "北京市|北京市|朝阳区|东湖街道"


def test_one_current_report_per_agency_year_and_why(built):
    warehouse, _ = built
    per_year = query(warehouse, "select year, count(*) filter (where is_current), count(*) from marts.dim_report "
                                f"where agency not in ('{OTHER_CITY_NAME}', '{BARE_NAME}') group by year order by year")
    assert [y for y, _, _ in per_year] == list(YEARS)
    assert all(current == 1 for _, current, _ in per_year)
    assert dict((y, n) for y, _, n in per_year)[TWO_FORMS_YEAR] == 2
    reasons = dict(query(warehouse, "select file_name, current_reason from marts.dim_report"))
    two_forms = {k: v for k, v in reasons.items() if k.split("_")[1] == str(TWO_FORMS_YEAR)
                 and "other_agency" not in k}
    assert set(two_forms.values()) == {"same_content"}
    assert reasons[next(k for k in reasons if "_correction" in k)] == "newer_version"
    assert reasons[next(k for k in reasons if "_superseded" in k)] == "newer_version"
    current = dict(query(warehouse, "select file_name, is_current from marts.dim_report"))
    assert current[next(k for k in current if "_correction" in k)] is True
    assert current[next(k for k in current if "_superseded" in k)] is False
    # nothing deleted: the superseded report's cells are still in the fact marts
    assert query(warehouse, "select count(*) from marts.fct_applications a join marts.dim_report r using (report_id) "
                            "where r.file_name like '%_superseded%'") == [(7,)]


def test_the_current_filter_counts_an_agency_year_once(built):
    warehouse, series = built
    truth = next(f.truth for f in series.files if f.year == TWO_FORMS_YEAR and f.role == "report")
    expected = truth.cells["applications"]["new_received"]["total"]
    rows = query(warehouse, f"""
        select sum(a.new_received), sum(a.new_received) filter (where r.is_current)
        from marts.fct_applications a join marts.dim_report r using (report_id)
        where a.applicant_type = 'total' and r.year = {TWO_FORMS_YEAR} and r.agency_id = (
            select agency_id from marts.dim_agency where agency_name = '北京市朝阳区人民政府东湖街道办事处')""")
    assert rows == [(2 * expected, expected)]


def sides(warehouse: Path, check_id: str) -> dict[tuple[int, str], tuple[bool, float | None, float | None]]:
    """(year, scope) → (any_null, actual, expected) of one check over the series agency's current reports."""
    rows = query(warehouse, f"""
        select s.year, s.scope, s.any_null, s.actual, s.expected
        from marts.fct_agency_relation_sides s join marts.dim_report r using (report_id)
        where s.check_id = '{check_id}' and r.is_current and r.agency_id = (
            select agency_id from marts.dim_agency where agency_name = '北京市朝阳区人民政府东湖街道办事处')""")
    return {(y, s): (n, a, e) for y, s, n, a, e in rows}


def narrative_sides(warehouse: Path, check_id: str) -> dict[int, tuple[bool, float | None, float | None, str]]:
    """year → (any_null, actual, expected, relation) of one narrative check over the series agency's current
    reports (one scope: the fact)."""
    rows = query(warehouse, f"""
        select s.year, s.any_null, s.actual, s.expected, s.relation
        from marts.fct_agency_relation_sides s join marts.dim_report r using (report_id)
        where s.check_id = '{check_id}' and r.is_current and r.agency_id = (
            select agency_id from marts.dim_agency where agency_name = '北京市朝阳区人民政府东湖街道办事处')""")
    assert len(rows) == len({r[0] for r in rows})
    return {y: (n, a, e, rel) for y, n, a, e, rel in rows}


def failing(rows: dict, relation: str = "=") -> set[tuple[int, str]]:
    ops = {"=": lambda a, e: a != e, "<=": lambda a, e: a > e, ">=": lambda a, e: a < e}
    return {k for k, (null, a, e) in rows.items() if not null and ops[relation](a, e)}


def test_cross_carry_fails_exactly_where_the_series_broke_it(built):
    warehouse, series = built
    carry = sides(warehouse, "CROSS_CARRY")
    broken = {(year, col) for year in series.broken_carry
              for col in ("natural_person", "commercial", "research", "social_welfare", "legal_service",
                          "other_org", "total")}
    assert failing(carry) == broken
    # the first year has no year before it: not assessable, never a pass or a fail
    assert {k for k, (null, _, _) in carry.items() if null} == {(YEARS[0], c) for _, c in broken}
    # the corrected re-publication is compared, not the superseded version that printed a wrong 上年结转
    assert carry[(CORRECTED_YEAR, "natural_person")][0] is False
    assert (CORRECTED_YEAR, "natural_person") not in failing(carry)


def test_cross_in_force_holds_when_the_stock_continues_and_a_format_change_is_not_assessable(built):
    warehouse, _ = built
    in_force = sides(warehouse, "CROSS_IN_FORCE")
    assert failing(in_force) == set()
    assert {y for (y, _), (null, _, _) in in_force.items() if not null} == {2020, 2022, 2023, 2024}
    assert in_force[(2021, "regulations")][0] is True  # 2020 (F2019) → 2021 (F2021)


def test_narrative_checks_flag_the_injected_mismatches(built):
    warehouse, series = built
    fails = {"=": lambda a, e: a != e, "<=": lambda a, e: a > e}
    for fact, check_id in NARRATIVE_CHECKS.items():
        stated = narrative_sides(warehouse, check_id)
        # every year's prose states the fact, against a table that was found
        assert set(stated) == set(YEARS) and not any(null for null, _, _, _ in stated.values()), check_id
        lower = set(series.narrative_lower_bound.get(fact, ()))
        assert {y for y, (_, _, _, relation) in stated.items() if relation == "<="} == lower, check_id
        assert {y for y, (_, a, e, rel) in stated.items() if fails[rel](a, e)} == set(
            series.narrative_mismatch.get(fact, ())), check_id
        for year in series.narrative_mismatch.get(fact, ()):
            assert stated[year][1] == stated[year][2] + NARRATIVE_MISMATCH_DELTA
        for year in lower - set(series.narrative_mismatch.get(fact, ())):
            assert stated[year][1] < stated[year][2]  # 办结330余件 against 338 in the table: a pass
    assert failing(sides(warehouse, "NARRATIVE_PROBLEMS"), ">=") == set()
    assert failing(sides(warehouse, "NARRATIVE_FEE"), "<=") == set()
    # the bare 东湖街道 charges fees in table 二 while its section 六 says no fee was charged
    fee = query(warehouse, "select s.actual > s.expected from marts.fct_agency_relation_sides s "
                           f"where s.check_id = 'NARRATIVE_FEE' and s.agency = '{BARE_NAME}'")
    assert fee == [(True,)]


def test_text_reuse_scores_high_for_copied_years_and_low_otherwise(built):
    warehouse, series = built
    reuse = sides(warehouse, "TEXT_REUSE")
    for (year, scope), (null, score, bound) in reuse.items():
        if scope == "cross_agency" or year == YEARS[0]:
            continue
        assert not null and bound == 0.9
        if year in series.copied_years:
            assert score >= 0.95, (year, scope, score)
        else:
            assert score <= 0.75, (year, scope, score)
    assert {y for (y, s), (null, _, _) in reuse.items() if s.endswith("previous_year") and null} == {YEARS[0]}
    # the Changchun office printed the series' 2021 text: a near-duplicate across agencies, both ways
    cross = query(warehouse, """
        select r.agency, s.actual, o.agency from marts.fct_agency_relation_sides s
        join marts.dim_report r using (report_id) join marts.dim_report o on o.report_id = s.related_report_id
        where s.check_id = 'TEXT_REUSE' and s.scope = 'cross_agency' order by 1""")
    series_2021 = "北京市朝阳区东湖街道办事处"
    assert cross == [(series_2021, 1.0, OTHER_CITY_NAME), (OTHER_CITY_NAME, 1.0, series_2021)]


def test_agency_years_hold_the_current_reports_numbers(built):
    warehouse, series = built
    rows = query(warehouse, """
        select y.year, y.new_received, y.carried_over, y.carried_forward, y.review_total, y.relations_failed,
               y.reuse_previous_year, y.version_count, y.current_report_id = r.report_id
        from marts.fct_agency_years y join marts.dim_agency a using (agency_id)
        join marts.dim_report r on r.report_id = y.current_report_id and r.is_current
        where a.agency_name = '北京市朝阳区人民政府东湖街道办事处' order by y.year""")
    assert [r[0] for r in rows] == list(YEARS)
    truths = {f.year: f.truth for f in series.files if f.role in ("report", "correction")}
    for year, new, carried_over, forward, review, failed, _, versions, is_current in rows:
        app = truths[year].cells["applications"]
        assert (new, carried_over, forward) == (app["new_received"]["total"], app["carried_over"]["total"],
                                                app["carried_forward"]["total"])
        assert review == truths[year].cells["review_litigation"]["review"]["total"]
        assert is_current
        broken = 7 if year in series.broken_carry else 0  # the seven applicant columns of CROSS_CARRY
        narrative = sum(year in series.narrative_mismatch.get(fact, ()) for fact in NARRATIVE_CHECKS)
        assert failed == broken + narrative, year
        assert versions == (2 if year in (TWO_FORMS_YEAR, CORRECTED_YEAR) else 1)
    reuse = {r[0]: r[6] for r in rows}
    assert reuse[YEARS[0]] is None and all(reuse[y] == 1.0 for y in series.copied_years)


def test_history_pages_show_each_agency_by_region_and_level_with_its_years(built, tmp_path: Path):
    from expectations.history import build_history, province_file

    warehouse, _ = built
    index = build_history(warehouse, tmp_path)
    text = index.read_text("utf-8")
    assert "北京市" in text and "吉林省" in text and "（未识别省份）" in text and "乡镇/街道" in text
    beijing = (index.parent / province_file("北京市")).read_text("utf-8")
    (agency_id,) = query(warehouse, "select agency_id from marts.dim_agency "
                                    "where agency_name = '北京市朝阳区人民政府东湖街道办事处'")[0]
    assert f'href="a/{agency_id}.html"' in beijing
    page = (index.parent / "a" / f"{agency_id}.html").read_text("utf-8")
    assert [int(y) for y in re.findall(r"<th>(20\d\d)</th>", page)[:len(YEARS)]] == list(YEARS)
    assert page.count("<svg") == 9  # one trend per key number
    assert "朝阳区东湖街道" in page and "same_domain" in page
    assert 'class="fail">7 / ' in page  # 2021: the seven CROSS_CARRY columns broken
    assert "http" not in page.replace("http://www.w3.org/2000/svg", "")  # nothing fetched: it works offline


def test_the_readme_query_on_how_an_agency_changed_runs_as_written(built):
    warehouse, series = built
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    (sql,) = [b for b in re.findall(r"```sql\n(.*?)```", readme, flags=re.S) if "fct_agency_years" in b]
    rows = query(warehouse, sql)
    assert [r[0] for r in rows] == list(YEARS)
    assert {r[1] for r in rows} == {f.agency for f in series.files if f.role != "other_agency"}
    truths = {f.year: f.truth for f in series.files if f.role in ("report", "correction")}
    new = [truths[y].cells["applications"]["new_received"]["total"] for y in YEARS]
    assert [r[2] for r in rows] == new
    assert [r[3] for r in rows] == [None, *(b - a for a, b in itertools.pairwise(new))]


def dq(warehouse: Path, check_id: str, current_only: bool = False) -> dict[tuple[int, str], str]:
    """(year, scope) → status of one check in dq.check_results for the series agency's reports (current only:
    its current reports, one per year)."""
    current = "r.is_current and" if current_only else ""
    rows = query(warehouse, f"""
        select r.year, c.scope, c.status from dq.check_results c join marts.dim_report r using (report_id)
        where c.check_id = '{check_id}' and {current} r.agency_id = (
            select agency_id from marts.dim_agency where agency_name = '北京市朝阳区人民政府东湖街道办事处')""")
    return {(y, s): st for y, s, st in rows}


def test_gx_writes_the_cross_year_results_where_the_series_broke_them(built):
    from expectations.checks import run_checks

    warehouse, series = built
    run = run_checks(warehouse, data_docs=False)
    carry = dq(warehouse, "CROSS_CARRY")
    assert {k for k, st in carry.items() if st == "fail"} == {(y, c) for y in series.broken_carry for c in (
        "natural_person", "commercial", "research", "social_welfare", "legal_service", "other_org", "total")}
    assert {y for (y, _), st in carry.items() if st == "not_assessable"} == {YEARS[0]}
    for fact, check_id in NARRATIVE_CHECKS.items():
        results = dq(warehouse, check_id, current_only=True)
        assert {k for k, st in results.items() if st == "fail"} == {
            (y, fact) for y in series.narrative_mismatch.get(fact, ())}, check_id
        assert {k for k, st in results.items() if st == "pass"} == {
            (y, fact) for y in YEARS if y not in series.narrative_mismatch.get(fact, ())}, check_id
    # the superseded 2023 version printed a wrong 上年结转 in table 三 under the right prose: its own failure
    superseded = query(warehouse, """
        select c.status from dq.check_results c join marts.dim_report r using (report_id)
        where c.check_id = 'NARRATIVE_CARRIED_OVER' and r.file_name like '%_superseded%'""")
    assert superseded == [("fail",)]
    assert dict(query(warehouse, "select distinct check_id, severity from dq.check_results "
                                 "where check_id like 'NARRATIVE_%'")) == {
        **{check_id: "warning" for check_id in NARRATIVE_CHECKS.values()},
        "NARRATIVE_APPLICATIONS": "warning", "NARRATIVE_PROBLEMS": "warning", "NARRATIVE_FEE": "info"}
    reuse = dq(warehouse, "TEXT_REUSE")
    assert {y for (y, s), st in reuse.items() if st == "fail" and s != "cross_agency"} == set(series.copied_years)
    severity = dict(query(warehouse, "select distinct check_id, severity from dq.check_results "
                                     "where check_id in ('CROSS_CARRY', 'TEXT_REUSE')"))
    assert severity == {"CROSS_CARRY": "error", "TEXT_REUSE": "info"}
    assert run.suites["agencies"].failed_by_severity["error"] == 7


@pytest.mark.slow  # two pipeline runs over the series (~35 s)
def test_a_new_year_rechecks_its_pairs_with_the_years_beside_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    from expectations import checks
    from expectations.checks import run_checks, run_incremental

    inbox, held_back = tmp_path / "inbox", tmp_path / "later"
    series = write_series(inbox, seed=3)
    year_2020 = next(f.name for f in series.files if f.year == 2020)
    warehouse, site = _checked_without(tmp_path, inbox, held_back, (year_2020, f"{year_2020}.truth.json"))
    assert set(dq(warehouse, "CROSS_CARRY").get((y, "total")) for y in (2021,)) == {"not_assessable"}
    (held_back / year_2020).rename(inbox / year_2020)
    extract_and_load([inbox], warehouse, workers=1)
    assert run_dbt(["build"], warehouse, tmp_path).success
    evaluated: list[tuple[list[str], list[str]]] = []
    evaluate = checks._evaluate

    def recorded(warehouse: Path, names: list[str], report_ids: list[str], *rest: Any) -> Any:
        evaluated.append((list(names), list(report_ids)))
        return evaluate(warehouse, names, report_ids, *rest)

    monkeypatch.setattr(checks, "_evaluate", recorded)
    rerun = run_incremental(warehouse, data_docs=False)
    monkeypatch.undo()
    # the new 2020 report, and 2021, whose year before it now is (its rows changed): 2019's rows did not
    assert rerun.reports == 2
    of_year = dict(query(warehouse, "select year, report_id from marts.dim_report where is_current and agency_id = "
                                    "(select agency_id from marts.dim_agency "
                                    "where agency_name = '北京市朝阳区人民政府东湖街道办事处')"))
    assert evaluated == [(list(checks.SUITES), [of_year[2020]]), (["agencies"], [of_year[2021]])]
    carry = dq(warehouse, "CROSS_CARRY")
    assert carry[(2020, "total")] == "pass" and carry[(2021, "total")] == "fail"
    # the paired report's own tables did not change: only the suite `agencies` ran for it, and the stored
    # results are those of checking every report again
    incremental = query(warehouse, "select * from dq.check_results order by all")
    assert rerun.suites["applications"].passed + rerun.suites["applications"].failed > 0
    # the registry holds both reports' rows as the results give them; the site built from it is a full build's
    assert_registry_is_what_is_stored(warehouse)
    build_report(warehouse, site)
    assert_same_as_full_build(warehouse, site, tmp_path / "full")
    run_checks(warehouse, data_docs=False)
    assert query(warehouse, "select * from dq.check_results order by all") == incremental


@pytest.mark.slow
def test_a_new_report_rechecks_the_reports_of_other_agencies_whose_text_it_matches(tmp_path: Path):
    """The Changchun office copied the series' 2021 text. Added after the rest were checked, it is the 2021
    report's best cross-agency match: a report of another agency, not beside it in years, whose TEXT_REUSE row
    it creates. That report is checked again (suite agencies), and the results equal checking everything."""
    from expectations.checks import run_incremental

    inbox, held_back = tmp_path / "inbox", tmp_path / "later"
    series = write_series(inbox, seed=3)
    copy = next(f.name for f in series.files if f.agency == OTHER_CITY_NAME)
    warehouse, site = _checked_without(tmp_path, inbox, held_back, (copy,))
    cross = "select r.agency, c.status from dq.check_results c join marts.dim_report r using (report_id) " \
            "where c.check_id = 'TEXT_REUSE' and c.scope = 'cross_agency' order by 1"
    assert query(warehouse, cross) == []
    (held_back / copy).rename(inbox / copy)
    extract_and_load([inbox], warehouse, workers=1)
    assert run_dbt(["build"], warehouse, tmp_path).success
    rerun = run_incremental(warehouse, data_docs=False)
    assert rerun.reports == 2
    assert query(warehouse, cross) == [("北京市朝阳区东湖街道办事处", "fail"), (OTHER_CITY_NAME, "fail")]
    _assert_incremental_is_full(warehouse, site, tmp_path / "full")

    # the copy's file changes (a new report id): its old report vanishes (results and registry rows dropped)
    # and the new one is checked, with the 2021 report its text matches
    old_id = query(warehouse, f"select report_id from marts.dim_report where agency = '{OTHER_CITY_NAME}'")[0][0]
    (inbox / copy).write_text((inbox / copy).read_text("utf-8") + "\n", encoding="utf-8")
    extract_and_load([inbox], warehouse, workers=1)
    assert run_dbt(["build"], warehouse, tmp_path).success
    again = run_incremental(warehouse, data_docs=False)
    assert again.reports == 2
    for table in ("dq.check_results", "dq.checked_reports", "dq.report_checks", "dq.agency_sides_checked"):
        assert query(warehouse, f"select count(*) from {table} where report_id = '{old_id}'") == [(0,)]
    assert query(warehouse, cross) == [("北京市朝阳区东湖街道办事处", "fail"), (OTHER_CITY_NAME, "fail")]
    _assert_incremental_is_full(warehouse, site, tmp_path / "full_again")


def _assert_incremental_is_full(warehouse: Path, site: Path, full: Path) -> None:
    """After an incremental run: the registry is its recomputation, the site updated in place is a full render
    (into `full`), and checking every report again stores the same results."""
    from expectations.checks import run_checks

    assert_registry_is_what_is_stored(warehouse)
    build_report(warehouse, site)
    assert_same_as_full_build(warehouse, site, full)
    incremental = query(warehouse, "select * from dq.check_results order by all")
    run_checks(warehouse, data_docs=False)
    assert query(warehouse, "select * from dq.check_results order by all") == incremental


def _checked_without(tmp_path: Path, inbox: Path, held_back: Path, names: tuple[str, ...]) -> tuple[Path, Path]:
    """The series without the files `names` (moved to `held_back`): loaded, built, checked and reported.
    Returns the warehouse and the report's site folder."""
    from expectations.checks import run_checks

    held_back.mkdir()
    for name in names:
        (inbox / name).rename(held_back / name)
    warehouse = tmp_path / "nianbao.duckdb"
    extract_and_load([inbox], warehouse, workers=1)
    assert run_dbt(["build"], warehouse, tmp_path).success
    run_checks(warehouse, data_docs=False)
    return warehouse, build_report(warehouse, tmp_path / "site").parent
