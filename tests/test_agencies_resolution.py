"""Agency resolution beyond the series (issue 12): the name an office signs with, two bodies of one
government that must stay apart, and the operator's override seed."""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest
from dbt.cli.main import dbtRunner
from dbt_runner import PROJECT, dbt_environment, release_duckdb, run_dbt

from extract.pipeline import extract_and_load
from synthetic.render import Noise, render_report
from synthetic.truth import random_truth

# (file, title name, year, signature line or None)
REPORTS = [
    ("pingtan_2021.txt", "平潭综合实验区", 2021, "平潭综合实验区管委会办公室"),
    ("pingtan_2022.txt", "平潭综合实验区管委会办公室", 2022, None),
    ("beijing_gov_2021.txt", "北京市人民政府", 2021, "北京市人民政府办公厅"),
    ("beijing_office_2021.txt", "北京市人民政府办公厅", 2021, None),
    ("donghu_2021.txt", "北京市朝阳区人民政府东湖街道办事处", 2021, None),
    ("bare_2022.txt", "东湖街道", 2022, None),
]


def write_inbox(inbox: Path) -> None:
    inbox.mkdir(parents=True)
    for i, (file, name, year, signed) in enumerate(REPORTS):
        truth = random_truth(random.Random(i), "F2021", "national", year=year, scale=20)
        truth.agency = name
        data = render_report(truth, "tab_rows", random.Random(i), Noise.none()).data
        if signed:
            data += f"\n\n{signed}\n{year + 1}年1月20日\n".encode()
        (inbox / file).write_bytes(data)


def query(warehouse: Path, sql: str) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def agency_of(warehouse: Path) -> dict[str, str]:
    return dict(query(warehouse, "select file_name, agency_id from marts.dim_report"))


@pytest.fixture(scope="module")
def inbox(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("resolution") / "inbox"
    write_inbox(folder)
    return folder


@pytest.fixture(scope="module")
def built(inbox: Path) -> Path:
    warehouse = inbox.parent / "nianbao.duckdb"
    extract_and_load([inbox], warehouse, workers=1)
    assert run_dbt(["build"], warehouse, inbox.parent).success
    return warehouse


def test_the_name_an_office_signs_with_is_the_same_agency(built: Path):
    ids = agency_of(built)
    assert ids["pingtan_2021.txt"] == ids["pingtan_2022.txt"]
    how = dict(query(built, "select agency_name, resolution from marts.dim_agency_name"))
    assert how["平潭综合实验区管委会办公室"] == "signed_as"
    assert query(built, "select signed_by from raw.reports where file_name = 'pingtan_2021.txt'") == [
        ("平潭综合实验区管委会办公室",)]


def test_a_government_and_its_general_office_stay_two_agencies(built: Path):
    ids = agency_of(built)
    assert ids["beijing_gov_2021.txt"] != ids["beijing_office_2021.txt"]
    levels = dict(query(built, "select agency_name, admin_level from marts.dim_agency"))
    assert levels["北京市人民政府"] == "省" and levels["北京市人民政府办公厅"] == "省级部门"


def test_a_bare_short_name_stays_apart_and_flagged(built: Path):
    ids = agency_of(built)
    assert ids["bare_2022.txt"] != ids["donghu_2021.txt"]
    assert query(built, "select is_unresolved from marts.dim_agency where agency_name = '东湖街道'") == [(True,)]


def test_the_override_seed_links_a_name_the_resolution_left_apart(built: Path, tmp_path: Path):
    project = tmp_path / "dbt_project"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("target", "logs"))
    (project / "seeds" / "agency_overrides.csv").write_text(
        "name,same_as,note\n东湖街道,北京市朝阳区人民政府东湖街道办事处,operator: same office (phone call)\n"
        "北京市人民政府办公厅,,operator: never linked\n", encoding="utf-8")
    warehouse = tmp_path / "nianbao.duckdb"
    shutil.copyfile(built, warehouse)
    with dbt_environment(warehouse, DO_NOT_TRACK="1"):
        try:
            result = dbtRunner().invoke(["build", "--project-dir", str(project), "--profiles-dir", str(project),
                                         "--target-path", str(tmp_path / "target"), "--log-path",
                                         str(tmp_path / "logs"), "--quiet"])
        finally:
            release_duckdb()
    assert result.success, result.exception
    ids = agency_of(warehouse)
    assert ids["bare_2022.txt"] == ids["donghu_2021.txt"] == agency_of(built)["donghu_2021.txt"]
    how = dict(query(warehouse, "select agency_name, resolution from marts.dim_agency_name"))
    assert how["东湖街道"] == "override" and how["北京市人民政府办公厅"] == "override"
    assert ids["beijing_office_2021.txt"] != ids["beijing_gov_2021.txt"]
