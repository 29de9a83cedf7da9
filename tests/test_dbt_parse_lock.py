"""Two processes on one dbt project take turns with its parse: two `nianbao` commands, or the parallel workers
of `make test`, would otherwise parse into the same target folder at once, or read a manifest that another is
replacing. The check, the parse and the read happen under the project's parse lock."""

from __future__ import annotations

import fcntl
import shutil
from pathlib import Path

import pytest
from dagster_dbt import DbtProject

import orchestration.dbt_setup as dbt_setup
from orchestration.dbt_build import parsed_manifest
from orchestration.dbt_sources import OUTPUT_DIRS, PARSE_LOCK, SOURCE_PROJECT_DIR, parse_lock


class ParseStarted(Exception):
    """Raised by the stand-in parse once it has looked at the lock: the real parse is not needed here."""


def lock_is_held(root: Path) -> bool:
    """Whether some open file holds `root`'s parse lock (a new open file description cannot take it)."""
    (root / "target").mkdir(parents=True, exist_ok=True)
    with open(root / "target" / PARSE_LOCK, "a+b") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    """A copy of the dbt project's sources, never parsed."""
    root = tmp_path / "dbt_project"
    shutil.copytree(SOURCE_PROJECT_DIR, root, ignore=shutil.ignore_patterns(*OUTPUT_DIRS))
    return root


@pytest.fixture()
def parses_seen(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Path, bool]]:
    """Each parse started, with whether the project's lock was held when it started."""
    seen: list[tuple[Path, bool]] = []

    def record(root: Path, target: Path, warehouse: Path) -> None:
        seen.append((target, lock_is_held(root)))
        raise ParseStarted

    monkeypatch.setattr(dbt_setup, "parse_into", record)
    return seen


def test_the_lock_keeps_out_a_second_holder_until_it_is_released(project: Path) -> None:
    assert not lock_is_held(project)
    with parse_lock(project):
        assert lock_is_held(project)
    assert not lock_is_held(project)


def test_the_code_location_parses_under_the_lock(project: Path, parses_seen: list[tuple[Path, bool]]) -> None:
    with pytest.raises(ParseStarted):
        dbt_setup.ensure_manifest(DbtProject(project_dir=project, profiles_dir=project))
    assert parses_seen == [(project / "target", True)]
    assert not lock_is_held(project)


def test_a_build_parses_its_database_under_the_lock(project: Path, tmp_path: Path,
                                                    parses_seen: list[tuple[Path, bool]]) -> None:
    with pytest.raises(ParseStarted):
        parsed_manifest(project, tmp_path / "county.duckdb")
    assert [held for _, held in parses_seen] == [True]
    assert parses_seen[0][0].name.startswith("county.")
    assert not lock_is_held(project)
