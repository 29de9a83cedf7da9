"""A whole dbt build is skipped only when its inputs are those of the last one that succeeded (issue 15).

The marts follow from `raw`, the seeds and the project's code alone. A whole build that succeeds records
what it was built from beside its run results; the next run starts dbt only when `raw` or the project differ
from that record. Recording a file's times (a touched file) changes nothing the models read; a load, a
removed document, an edited model, or a build of a subset in between (it may change the marts) each mean a
build.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from dbt_runner import PROJECT
from golden_raw import GoldenReport, insert_reports, load_golden_raw, read_golden

from extract.load import raw_state, record_mtimes
from orchestration import dbt_build

STAMP = datetime(2026, 1, 1, 12, 0, 0)


@pytest.fixture(scope="module")
def golden() -> list[GoldenReport]:
    return read_golden()


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, golden: list[GoldenReport]) -> tuple[Path, Path]:
    """Two golden reports in raw, built whole by the pipeline's build: (warehouse, dbt target)."""
    root = tmp_path_factory.mktemp("skip")
    warehouse, target = root / "warehouse" / "nianbao.duckdb", root / "dbt"
    load_golden_raw(warehouse, golden[:2], loaded_at=STAMP)
    ok, _ = dbt_build.build(PROJECT, warehouse, target, whole=True)
    assert ok
    return warehouse, target


def copy_of(warehouse: Path, folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    copy = folder / warehouse.name
    shutil.copyfile(warehouse, copy)
    return copy


def test_a_whole_build_that_succeeded_is_up_to_date_until_raw_changes(
    built: tuple[Path, Path], golden: list[GoldenReport], tmp_path: Path
) -> None:
    warehouse, target = built
    assert dbt_build.is_up_to_date(PROJECT, warehouse, target)
    touched, loaded, removed = (copy_of(warehouse, tmp_path / name) for name in ("touched", "loaded", "removed"))
    with duckdb.connect(str(touched)) as con:
        ((path,),) = con.execute("select path from raw.documents order by path limit 1").fetchall()
        record_mtimes(con, [(path, 1_700_000_000_000_000_000, 1_700_000_000_000_000_001)])
        assert con.execute("select mtime_ns, ctime_ns from raw.documents where path = ?", [path]).fetchall() == [
            (1_700_000_000_000_000_000, 1_700_000_000_000_000_001)]
    assert dbt_build.is_up_to_date(PROJECT, touched, target)
    with duckdb.connect(str(loaded)) as con:
        insert_reports(con, golden[2:3], loaded_at=STAMP)
    assert not dbt_build.is_up_to_date(PROJECT, loaded, target)
    with duckdb.connect(str(removed)) as con:
        con.execute("delete from raw.documents where report_id = ?", [golden[0].report_id])
    assert not dbt_build.is_up_to_date(PROJECT, removed, target)
    with duckdb.connect(str(warehouse), read_only=True) as con, duckdb.connect(str(loaded), read_only=True) as other:
        assert raw_state(con) != raw_state(other)


def test_an_edited_model_is_a_build(built: tuple[Path, Path], tmp_path: Path) -> None:
    """The same raw, but the project's code differs from what the recorded build ran."""
    warehouse, target = built
    project = tmp_path / "dbt_project"
    shutil.copytree(PROJECT, project, ignore=shutil.ignore_patterns("target", "logs"))
    assert dbt_build.is_up_to_date(project, warehouse, target)  # the same sources: the same digest
    model = project / "models" / "marts" / "fct_applications.sql"
    model.write_text(model.read_text(encoding="utf-8") + "\n-- edited\n", encoding="utf-8")
    assert not dbt_build.is_up_to_date(project, warehouse, target)


def test_a_build_of_a_subset_forgets_the_record_and_a_whole_build_that_fails_writes_none(
    built: tuple[Path, Path], golden: list[GoldenReport], tmp_path: Path
) -> None:
    warehouse, target = built
    copy = copy_of(warehouse, tmp_path)
    other = tmp_path / "dbt"
    shutil.copytree(target, other, ignore=shutil.ignore_patterns("logs", "compiled", "run"))
    assert dbt_build.is_up_to_date(PROJECT, copy, other)
    ok, _ = dbt_build.build(PROJECT, copy, other, ["--select", "stg_nianbao__reports"])
    assert ok and not dbt_build.is_up_to_date(PROJECT, copy, other)
    new = golden[2].report_id
    with duckdb.connect(str(copy)) as con:  # a new report with an outcome row no code list knows: a test fails
        insert_reports(con, [golden[2]], loaded_at=STAMP)
        con.execute("insert into raw.cells select * replace ('not_an_outcome' as row_code) from raw.cells "
                    "where report_id = ? and table_code = 'applications' limit 1", [new])
    ok, _ = dbt_build.build(PROJECT, copy, other, whole=True)
    assert not ok and not (other / dbt_build.BUILT_FROM).exists()
