"""Issue 15: the report's page fingerprints are computed in DuckDB (a digest of each page's rows), and only the
changed pages' rows are read. A changed agency name, region, document or history value re-renders exactly the
pages that show it; the site stays byte for byte what a build into an empty folder writes.

Synthetic warehouses (tests/dq_synthetic.py: one agency per report, 31 provinces × 10 cities) for the report
pages, the samples' warehouse for the history pages.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from dq_synthetic import build_warehouse
from sample_warehouse import build_sample_warehouse, query
from test_report_incremental import _agency_page, _edit, _inodes, _region, _rendered, _rid, assert_same_as_full_build

from expectations import report_data, store
from expectations.checks import run_checks
from expectations.history import FOLDER
from expectations.history import province_file as history_province_file
from expectations.pages import row_digests
from expectations.report import (
    AGENCIES,
    DOCUMENTS_PAGE,
    REGIONS,
    SEARCH_INDEX,
    agency_page,
    build_report,
    city_file,
    province_file,
)

REPORTS = 300


@pytest.fixture(params=["results by hand", "registered"])
def warehouse(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """The synthetic warehouse, without the registry (the report computes its rows) or with it."""
    built = build_warehouse(tmp_path / "w.duckdb", REPORTS)
    if request.param == "registered":
        assert store.upgrade(built)
    return built


def test_row_digests_are_equal_for_the_same_rows_in_any_order_and_differ_on_one_cell() -> None:
    con = duckdb.connect()
    con.execute("create table t as select i % 3 as page, i as n, 'x' || i as s from range(30) r(i)")
    digests = row_digests(con, "select * from t", ("page",))
    shuffled = row_digests(con, "select * from t order by s desc", ("page",))
    assert digests == shuffled and set(digests) == {(0,), (1,), (2,)}
    assert [count for _, _, count in digests.values()] == [10, 10, 10]
    con.execute("update t set s = 'y' where n = 4")  # page 1
    changed = row_digests(con, "select * from t", ("page",))
    assert [page for page in digests if changed[page] != digests[page]] == [(1,)]
    con.execute("update t set s = null where n = 5")  # page 2: a null is not an empty value
    nulled = row_digests(con, "select * from t", ("page",))
    con.execute("update t set s = '' where n = 5")
    assert row_digests(con, "select * from t", ("page",))[(2,)] != nulled[(2,)]


def test_a_renamed_agency_renders_its_new_page_and_its_city_page_only(warehouse: Path, tmp_path: Path) -> None:
    site = build_report(warehouse, tmp_path / "site").parent
    old = _agency_page(24)  # report 24 only fails T3_BALANCE: the only report of its agency page
    assert (site / old).exists()
    before = _inodes(site)
    _edit(warehouse, f"update marts.dim_report set agency = '改名后的机关' where report_id = '{_rid(24)}'")
    build_report(warehouse, site)
    province, city = _region(24)
    new = f"{AGENCIES}/{agency_page(province, city, '改名后的机关')}"
    assert _rendered(before, site) == {new, f"{REGIONS}/{city_file(province, city)}"}
    assert not (site / old).exists()
    assert "改名后的机关" in (site / new).read_text("utf-8")
    assert "改名后的机关" in (site / SEARCH_INDEX).read_text("utf-8")
    assert_same_as_full_build(warehouse, site, tmp_path / "full")


def test_a_report_moved_to_another_province_renders_both_cities_and_provinces(warehouse: Path, tmp_path: Path) -> None:
    site = build_report(warehouse, tmp_path / "site").parent
    before = _inodes(site)
    (old_province, old_city), (province, city) = _region(24), _region(1)
    _edit(warehouse, f"update marts.dim_report set province = '{province}', city = '{city}' "
                     f"where report_id = '{_rid(24)}'")
    build_report(warehouse, site)
    label = f"{old_city}第24号机关"
    assert _rendered(before, site) == {
        f"{AGENCIES}/{agency_page(province, city, label)}", f"{REGIONS}/{city_file(province, city)}",
        f"{REGIONS}/{province_file(old_province)}", f"{REGIONS}/{province_file(province)}",
    }
    assert not (site / _agency_page(24)).exists()
    assert not (site / REGIONS / city_file(old_province, old_city)).exists()  # report 24 was its only one
    assert label in (site / REGIONS / city_file(province, city)).read_text("utf-8")
    assert_same_as_full_build(warehouse, site, tmp_path / "full")


def test_the_documents_page_is_linked_until_a_listed_document_changes(warehouse: Path, tmp_path: Path) -> None:
    site = build_report(warehouse, tmp_path / "site").parent
    first = _inodes(site)[DOCUMENTS_PAGE]
    build_report(warehouse, site)
    assert _inodes(site)[DOCUMENTS_PAGE] == first  # nothing changed: the published page, linked
    _edit(warehouse, "update raw.documents set error = '文件已加密' where file_name = 'broken_00100.pdf'")
    build_report(warehouse, site)
    assert _inodes(site)[DOCUMENTS_PAGE] != first
    assert "文件已加密" in (site / DOCUMENTS_PAGE).read_text("utf-8")
    assert_same_as_full_build(warehouse, site, tmp_path / "full")


def test_the_search_index_links_an_agency_by_its_first_report_in_the_city_order(
    warehouse: Path, tmp_path: Path
) -> None:
    """Reports 0–19 made one agency of one city: the first of them in the city page's order (the lowest level,
    then most failures, …, then year) is report 18 (县级部门, no failure, 2019), which has no agency page, so
    the index links its row on the city page, although reports 0 and 12 of the agency have a page."""
    _edit(warehouse, "update marts.dim_report set agency = '共同机关', province = '第0省', city = '第0省第0市' "
                     "where i < 20")
    site = build_report(warehouse, tmp_path / "site").parent
    text = (site / SEARCH_INDEX).read_text("utf-8")
    index = json.loads(text.removeprefix("window.NIANBAO_SEARCH=").removesuffix(";\n"))
    (entry,) = [e for e in index if e[0] == "共同机关"]
    assert entry == ["共同机关", "2019 2020 2021 2022 2023 2024",
                     f"{REGIONS}/{city_file('第0省', '第0省第0市')}#r-{_rid(18)[:16]}", "不通过 2 处"]
    assert (site / AGENCIES / agency_page("第0省", "第0省第0市", "共同机关")).exists()
    assert len(index) == REPORTS - 19


def test_the_check_summary_counts_a_check_stored_with_two_severities_once_per_report(
    warehouse: Path,
) -> None:
    """Report 1 passes T3_BALANCE's `total` (error) and now fails a warning of the same check: counted once, as
    failing; T4_TOTAL (one severity) as stored."""
    _edit(warehouse, f"""insert into dq.check_results select report_id, check_id, 'extra', 'fail', 'warning',
                                expected, actual, difference, agency, year, detail
                         from dq.check_results where report_id = '{_rid(1)}' and check_id = 'T3_BALANCE'""")
    if _registered(warehouse):
        with duckdb.connect(str(warehouse)) as con:
            store.register(con, [_rid(1)])
    with store.connect(warehouse, read_only=True) as con:
        report_data.prepare_views(con)
        summary = {r["check_id"]: r for r in report_data.check_summary(con)}
    failing = len(range(0, REPORTS, 12)) + 1
    assert {k: summary["T3_BALANCE"][k] for k in ("passing", "failing", "not_assessable", "failing_scopes")} == {
        "passing": REPORTS - failing, "failing": failing, "not_assessable": 0, "failing_scopes": failing}
    unassessed = len(range(0, REPORTS, 5))
    assert {k: summary["T4_TOTAL"][k] for k in ("severity", "passing", "failing", "not_assessable",
                                                 "unassessed_scopes")} == {
        "severity": "error", "passing": REPORTS - unassessed, "failing": 0, "not_assessable": unassessed,
        "unassessed_scopes": unassessed}


def _registered(warehouse: Path) -> bool:
    with store.connect(warehouse, read_only=True) as con:
        return store.is_registered(con)


def test_history_pages_render_only_the_pages_showing_a_changed_name_or_number(tmp_path: Path) -> None:
    warehouse = build_sample_warehouse(tmp_path)
    run_checks(warehouse, data_docs=False)
    site = build_report(warehouse, tmp_path / "site").parent
    (agency_id, province), *_ = query(warehouse, """
        select agency_id, province from marts.dim_agency a where province is not null
          and agency_id in (select y.agency_id from marts.fct_agency_years y
                            join marts.dim_report r on r.report_id = y.current_report_id)
          and agency_id in (select agency_id from marts.dim_agency_name) order by agency_id""")
    page, province_page = f"{FOLDER}/a/{agency_id}.html", f"{FOLDER}/{history_province_file(province)}"
    steps = [  # (edit, the history pages that show it)
        (f"update marts.fct_agency_years set new_received = 987654 where agency_id = '{agency_id}'", {page}),
        (f"update marts.dim_agency_name set resolution_detail = '人工核定' where agency_id = '{agency_id}'", {page}),
        (f"update marts.dim_agency set agency_name = '改名后的机关' where agency_id = '{agency_id}'",
         {page, province_page}),
    ]
    for edit, shown_on in steps:
        before = _inodes(site)
        _edit(warehouse, edit)
        build_report(warehouse, site)
        assert _rendered(before, site, (FOLDER,)) == shown_on, edit
    text = (site / page).read_text("utf-8")
    assert "987,654" in text and "人工核定" in text and "改名后的机关" in text
    assert "改名后的机关" in (site / province_page).read_text("utf-8")
    assert_same_as_full_build(warehouse, site, tmp_path / "full")
