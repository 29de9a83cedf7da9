"""The dbt project as Dagster sees it, and how its manifest is prepared — never as a side effect of
importing the code location.

Importing this module only builds the `DbtProject` record: `prepare_if_dev()` parses under `dagster dev`
alone, `nianbao run` (or a test) calls `ensure_manifest()` before it loads the code location, and where the
code is packaged `dagster-dbt project prepare-and-package --file orchestration/dbt_setup.py` prepares it.
"""

from __future__ import annotations

import json
from pathlib import Path

from dagster_dbt import DbtProject

from orchestration.dbt_sources import (
    PACKAGED_PROJECT_DIR,
    SOURCE_PROJECT_DIR,
    SOURCES_STAMP,
    is_current,
    parse_lock,
    parse_stamp,
    project_dir,
    sources_digest,
)

# dbt names the warehouse's database by the file's stem; the code location's manifest is parsed with this one.
DEFAULT_DATABASE = "nianbao"


def _packaged_dir() -> Path | None:
    """The packaged copy is the project only where there is no source tree (an installed wheel)."""
    return None if project_dir() == SOURCE_PROJECT_DIR else PACKAGED_PROJECT_DIR


DBT_PROJECT = DbtProject(project_dir=project_dir(), profiles_dir=project_dir(),
                         packaged_project_dir=_packaged_dir())
DBT_PROJECT.prepare_if_dev()


def parse_into(root: Path, target: Path, warehouse: Path) -> None:
    """`dbt parse` in this process into `target` (manifest.json and partial_parse.msgpack), then the stamp.

    The warehouse path only names the database (its stem) in the parsed relations; parsing opens no file.
    """
    from orchestration.dbt_build import dbt_environment, invoke_dbt

    digest = sources_digest(root)
    with dbt_environment(warehouse):
        result = invoke_dbt(["parse", "--quiet", "--project-dir", str(root), "--profiles-dir", str(root),
                             "--target-path", str(target), "--log-path", str(target / "logs")])
    if not result.success:
        raise RuntimeError(f"dbt parse failed for {root}: {result.exception}")
    (target / SOURCES_STAMP).write_text(json.dumps(parse_stamp(target, digest)), encoding="utf-8")


def ensure_manifest(project: DbtProject = DBT_PROJECT) -> Path:
    """The code location's manifest.json, parsed again only when the project's sources changed."""
    target = project.manifest_path.parent
    with parse_lock(project.project_dir):
        if not is_current(target, sources_digest(project.project_dir)):
            parse_into(project.project_dir, target, Path(f"{DEFAULT_DATABASE}.duckdb"))
    return project.manifest_path
