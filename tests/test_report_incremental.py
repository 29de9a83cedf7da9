"""Issue 15: the data-quality report costs what changed. A second build renders only the pages whose values
changed since the published one (the others are hard-linked from it: same inode), and the site it publishes is
byte for byte what a build into an empty folder writes, but for the summary's time stamp.

Synthetic warehouses (tests/dq_synthetic.py: one agency per report, 31 provinces) for the report pages, the
samples' warehouse for the history pages.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
from pathlib import Path

import duckdb
import pytest
from dq_synthetic import build_warehouse
from sample_warehouse import build_sample_warehouse, query

import expectations.pages as pages
import expectations.report as report
from expectations import store
from expectations.checks import run_checks
from expectations.report import AGENCIES, PAGE, REGIONS, agency_file, build_report, city_file, province_file

REPORTS = 300
TIME_STAMP = re.compile(r"生成时间 \d{4}-\d\d-\d\d \d\d:\d\d")


def _rid(i: int) -> str:
    """The report_id of synthetic report i."""
    return hashlib.md5(str(i).encode()).hexdigest()


def _files(site: Path) -> dict[str, Path]:
    return {str(p.relative_to(site)): p for p in site.rglob("*") if p.is_file()}


def _inodes(site: Path) -> dict[str, int]:
    return {name: path.stat().st_ino for name, path in _files(site).items()}


def _rendered(before: dict[str, int], site: Path, folders: tuple[str, ...] = (AGENCIES, REGIONS)) -> set[str]:
    """Pages of `folders` written by the last build: a new inode (an unchanged page is a link to the old one)."""
    return {name for name, inode in _inodes(site).items()
            if name.split("/")[0] in folders and not name.endswith(pages.MANIFEST) and before.get(name) != inode}


def _content(path: Path) -> bytes:
    data = path.read_bytes()
    return TIME_STAMP.sub("生成时间 —", data.decode("utf-8")).encode("utf-8") if path.name == PAGE else data


def assert_same_as_full_build(warehouse: Path, site: Path, empty: Path) -> None:
    """Every file of `site` equals the one a build into the empty folder `empty` writes (the summary's time
    stamp aside), and neither has a file the other lacks."""
    full = build_report(warehouse, empty).parent
    built, expected = _files(site), _files(full)
    assert sorted(built) == sorted(expected)
    differing = [name for name in expected if _content(built[name]) != _content(expected[name])]
    assert differing == []


def _region(i: int) -> tuple[str, str]:
    """Province and city of synthetic report i (tests/dq_synthetic.py)."""
    return f"第{i % 31}省", f"第{i % 31}省第{(i // 31) % 10}市"


def _agency_page(i: int) -> str:
    province, city = _region(i)
    return f"{AGENCIES}/" + agency_file({"province": province, "city": city, "agency_label": f"{city}第{i}号机关"})


def _edit(warehouse: Path, sql: str) -> None:
    with duckdb.connect(str(warehouse)) as con:
        con.execute(sql)


def _store_edited(warehouse: Path, report_id: str, update: str) -> None:
    """Change a report's results as the checks do: its rows, edited by `update` (SQL on table `edited`), replace
    the stored ones through expectations.store, which keeps the registry in the same transaction."""
    with duckdb.connect(str(warehouse)) as con:
        con.execute("create temp table edited as select * from dq.check_results where report_id = ?", [report_id])
        con.execute(update)
        rows = con.execute("select * from edited").df()
    store.replace_results(warehouse, rows, [report_id])


@pytest.fixture(params=["results by hand", "registered"])
def warehouse(tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    """The synthetic warehouse, its results written by hand (no registry: the report computes the registry's
    rows itself, until an edit through the store registers every report), or with its registry (store.upgrade,
    as an existing warehouse gets on its next run)."""
    built = build_warehouse(tmp_path / "w.duckdb", REPORTS)
    if request.param == "registered":
        assert store.upgrade(built)
    return built


def test_a_build_with_nothing_changed_renders_no_page(warehouse: Path, tmp_path: Path) -> None:
    site = build_report(warehouse, tmp_path / "site").parent
    needing_a_page = [i for i in range(REPORTS) if i % 12 == 0 or i % 40 == 0 or i % 25 == 0 or i % 50 == 0]
    assert len(list((site / AGENCIES).glob("*.html"))) == len(needing_a_page) == 40
    before = _inodes(site)
    build_report(warehouse, site)
    assert _rendered(before, site) == set()
    assert before[PAGE] != _inodes(site)[PAGE]  # the summary is rendered every time (it says when)
    assert_same_as_full_build(warehouse, site, tmp_path / "full")


def test_a_report_that_starts_failing_renders_its_agency_city_and_province_pages_only(
    warehouse: Path, tmp_path: Path
) -> None:
    site = build_report(warehouse, tmp_path / "site").parent
    agency = _agency_page(25)  # report 25 has an info note and an unassessed relation, no failure yet
    assert (site / agency).exists()
    before = _inodes(site)
    _store_edited(warehouse, _rid(25), "update edited set status = 'fail', actual = 104, difference = 4 "
                                       "where check_id = 'T3_BALANCE'")
    build_report(warehouse, site)
    province, city = _region(25)
    assert _rendered(before, site) == {
        agency, f"{REGIONS}/{province_file(province)}", f"{REGIONS}/{city_file(province, city)}",
    }
    assert "T3_BALANCE" not in (site / agency).read_text("utf-8")  # the check is named by its label
    assert "104" in (site / agency).read_text("utf-8")
    assert_same_as_full_build(warehouse, site, tmp_path / "full")


def test_a_changed_value_or_source_line_renders_only_its_agency_page(warehouse: Path, tmp_path: Path) -> None:
    """The counts on the region pages stay; the agency page shows the values and where they were printed."""
    site = build_report(warehouse, tmp_path / "site").parent
    before = _inodes(site)
    # a report's cells never change (its id is its file's hash): here they do, and it is checked again
    _edit(warehouse, f"update raw.cells set line = line + 1000 where report_id = '{_rid(36)}'")
    _store_edited(warehouse, _rid(36), "update edited set detail = detail")
    _store_edited(warehouse, _rid(12), "update edited set actual = 109, difference = 9 where check_id = 'T3_BALANCE'")
    build_report(warehouse, site)
    assert _rendered(before, site) == {_agency_page(12), _agency_page(36)}
    assert "第 1118 行" in (site / _agency_page(36)).read_text("utf-8")
    assert_same_as_full_build(warehouse, site, tmp_path / "full")


def test_a_page_no_longer_needed_is_gone_after_the_next_build(warehouse: Path, tmp_path: Path) -> None:
    site = build_report(warehouse, tmp_path / "site").parent
    agency = _agency_page(24)  # report 24 only fails T3_BALANCE: once it passes, its agency needs no page
    assert (site / agency).exists()
    _store_edited(warehouse, _rid(24), "update edited set status = 'pass', actual = 100, difference = 0")
    build_report(warehouse, site)
    assert not (site / agency).exists()
    assert agency.split("/")[1] not in (site / AGENCIES / pages.MANIFEST).read_text("utf-8")
    assert_same_as_full_build(warehouse, site, tmp_path / "full")


@pytest.mark.parametrize("manifest", ["not json {", '{"renderer": "other", "pages": {}}', '{"pages": [1, 2]}', None])
def test_a_corrupt_or_missing_manifest_renders_the_folder_again(
    warehouse: Path, tmp_path: Path, manifest: str | None
) -> None:
    site = build_report(warehouse, tmp_path / "site").parent
    before = _inodes(site)
    for folder in (AGENCIES, REGIONS):
        path = site / folder / pages.MANIFEST
        if manifest is None:
            path.unlink()
        else:
            path.write_text(manifest, encoding="utf-8")
    build_report(warehouse, site)
    every_page = {name for name in before if name.split("/")[0] in (AGENCIES, REGIONS)
                  and not name.endswith(pages.MANIFEST)}
    assert _rendered(before, site) == every_page
    assert_same_as_full_build(warehouse, site, tmp_path / "full")


def test_a_published_page_gone_missing_is_rendered_again(warehouse: Path, tmp_path: Path) -> None:
    site = build_report(warehouse, tmp_path / "site").parent
    (site / _agency_page(0)).unlink()
    before = _inodes(site)
    build_report(warehouse, site)
    assert _rendered(before, site) == {_agency_page(0)}
    assert_same_as_full_build(warehouse, site, tmp_path / "full")


def test_pages_are_copied_where_links_are_refused(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = build_report(warehouse, tmp_path / "site").parent

    def refuse(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EXDEV, "cross-device link")

    monkeypatch.setattr(pages.os, "link", refuse)
    build_report(warehouse, site)
    assert_same_as_full_build(warehouse, site, tmp_path / "full")


def test_agency_pages_read_in_small_groups_equal_one_group(
    warehouse: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report, "REPORTS_PER_GROUP", 1)
    site = build_report(warehouse, tmp_path / "site").parent
    monkeypatch.setattr(report, "REPORTS_PER_GROUP", 10_000)
    assert_same_as_full_build(warehouse, site, tmp_path / "full")


def test_other_caps_render_every_agency_page(warehouse: Path, tmp_path: Path) -> None:
    """Caps decide how a page looks: pages rendered with other caps are not reused."""
    site = build_report(warehouse, tmp_path / "site").parent
    before = _inodes(site)
    build_report(warehouse, site, report.Caps(findings_per_report=1))
    agencies = {name for name in before if name.startswith(AGENCIES) and not name.endswith(pages.MANIFEST)}
    assert agencies <= _rendered(before, site)


@pytest.mark.parametrize("path", [
    "/srv/年报/2023年 北京市/政府信息公开 年度报告.pdf",
    "/tmp/a b/c#d?e%f&g+h;i'j\"k<l>.txt",
    "/tmp//double//slash.txt",
    "//two/leading/slashes.txt",
    "///three/leading.txt",
    "/tmp/./dot/./x.txt",
    "/tmp/trailing/",
    "/tmp/trailing/.",
    "/tmp/../up/.hidden",
    "/",
    os.fsdecode(b"/tmp/latin1-\xe9.txt"),
])
def test_source_uri_is_what_pathlib_writes(path: str) -> None:
    assert report.file_uri(path) == Path(path).as_uri()
    assert report.source_uri(path, "pdf", 3) == Path(path).as_uri() + "#page=3"
    assert report.source_uri(path, "text", 3) == Path(path).as_uri()


def test_history_pages_render_only_the_agency_whose_results_changed(tmp_path: Path) -> None:
    warehouse = build_sample_warehouse(tmp_path)
    run_checks(warehouse, data_docs=False)
    site = build_report(warehouse, tmp_path / "site").parent
    history = [name for name in _inodes(site) if name.startswith("history/")]
    assert len(history) >= 4
    (agency_id, report_id, check_id), *_ = query(
        warehouse, """select y.agency_id, y.current_report_id, c.check_id from marts.fct_agency_years y
                      join dq.check_results c on c.report_id = y.current_report_id and c.status = 'pass'
                      order by all""")
    before = _inodes(site)
    build_report(warehouse, site)
    assert _rendered(before, site, ("history",)) == set()
    _store_edited(warehouse, report_id, f"update edited set status = 'fail' "
                                        f"where check_id = '{check_id}' and status = 'pass'")
    build_report(warehouse, site)
    assert _rendered(before, site, ("history",)) == {f"history/a/{agency_id}.html"}
    assert_same_as_full_build(warehouse, site, tmp_path / "full")
