"""Resources: where the warehouse is, which folders feed it, and the dbt project that models it.

Every asset takes its paths from one `WarehouseResource`, so the CLI, a schedule, the sensor and a run
launched from the Dagster UI all point the stages at the same files (overridable per run in config).
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster import ConfigurableResource
from dagster_dbt import DbtCliResource, DbtProject
from pydantic import Field

from orchestration import snapshot
from orchestration.paths import (
    DBT_PROJECT_DIR,
    WAREHOUSE_ENV,
    default_inputs,
    default_warehouse,
)

# dbt folders that hold outputs, not sources: a change there does not make the manifest stale.
_DBT_OUTPUT_DIRS = {"target", "logs", "dbt_packages"}


class WarehouseResource(ConfigurableResource):
    """The DuckDB warehouse path, the input folders, and where the data-quality report goes."""

    warehouse: str = Field(
        default=str(default_warehouse()), description="DuckDB file the pipeline writes (created if missing)."
    )
    inputs: list[str] = Field(
        default=[str(p) for p in default_inputs()], description="Folders (or files) of reports to load."
    )
    report_dir: str = Field(
        default="", description="Folder for the HTML data-quality report; empty = `dq_report/` beside the warehouse."
    )

    @property
    def published_path(self) -> Path:
        """The warehouse readers open: the read-only snapshot each run publishes (orchestration.snapshot)."""
        return Path(self.warehouse).expanduser().resolve()

    @property
    def warehouse_path(self) -> Path:
        """The working file every stage writes, absolute: dbt and the stages must agree on it regardless of
        the working directory. Readers never open it, so they never block a run."""
        return snapshot.working_path(self.published_path)

    @property
    def input_paths(self) -> list[Path]:
        """Absolute input paths, in the order given."""
        return [Path(p).expanduser().resolve() for p in self.inputs]

    @property
    def report_path(self) -> Path:
        """Folder of the data-quality report."""
        if self.report_dir:
            return Path(self.report_dir).expanduser().resolve()
        return self.published_path.parent / "dq_report"

    @property
    def data_docs_path(self) -> Path:
        """Folder of the published GX Data Docs, beside the warehouse."""
        return self.published_path.parent / "gx_data_docs"

    @property
    def run_dir(self) -> Path:
        """Run artifacts of this warehouse, kept beside it and reused each run: the working file and its
        writer lock, dbt's target and logs (`dbt/`) and the CLI's run log (`nianbao.log`)."""
        return snapshot.run_dir(self.published_path)

    @contextmanager
    def writing(self, context_log: Callable[[str], None] | None = None) -> Iterator[Path]:
        """Hold the writer lock (waiting visibly for another run) and yield the working file, created on
        first use."""
        with snapshot.writer_lock(self.published_path, on_wait=context_log):
            yield snapshot.ensure_working(self.published_path)

    @property
    def dbt_target_path(self) -> Path:
        """dbt's target folder for builds of this warehouse."""
        return self.run_dir / "dbt"

    @contextmanager
    def dbt_env(self) -> Iterator[None]:
        """Point dbt's profile (env_var NIANBAO_WAREHOUSE) at this warehouse, as an absolute path, while
        a dbt command starts.

        dbt runs as a subprocess that inherits this process's environment, so the environment is the one
        channel to the profile; it is restored afterwards so one run's warehouse does not leak into the
        rest of the process.
        """
        self.warehouse_path.parent.mkdir(parents=True, exist_ok=True)
        previous = os.environ.get(WAREHOUSE_ENV)
        os.environ[WAREHOUSE_ENV] = str(self.warehouse_path)
        try:
            yield
        finally:
            if previous is None:
                os.environ.pop(WAREHOUSE_ENV, None)
            else:
                os.environ[WAREHOUSE_ENV] = previous


def _manifest_is_stale(project: DbtProject) -> bool:
    """True when the manifest is missing or older than any source file of the dbt project."""
    manifest = project.manifest_path
    if not manifest.exists():
        return True
    built = manifest.stat().st_mtime_ns
    for path in project.project_dir.rglob("*"):
        rel = path.relative_to(project.project_dir)
        if rel.parts[0] in _DBT_OUTPUT_DIRS or rel.name.startswith("."):
            continue
        if path.is_file() and path.stat().st_mtime_ns > built:
            return True
    return False


def load_dbt_project() -> DbtProject:
    """The dbt project with a current manifest.

    The manifest is a build artifact (never committed), so a fresh clone, `nianbao run`, the tests and
    `dagster definitions validate` all prepare it here when it is missing or older than the models;
    `dagster dev` re-prepares on every load.
    """
    project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
    _put_dbt_on_path()
    # `dbt parse` renders the profile, which reads the warehouse path from the environment.
    os.environ.setdefault(WAREHOUSE_ENV, str(default_warehouse()))
    project.prepare_if_dev()
    if _manifest_is_stale(project):
        project.preparer.prepare(project)
    return project


def _put_dbt_on_path() -> None:
    """Make this environment's `dbt` findable when the virtualenv is used without being activated
    (`.venv/bin/nianbao`), since dagster-dbt's manifest preparer looks `dbt` up on PATH."""
    bin_dir = str(Path(sys.executable).parent)
    if shutil.which("dbt") is None and shutil.which("dbt", path=bin_dir):
        os.environ["PATH"] = bin_dir + os.pathsep + os.environ.get("PATH", "")


def dbt_resource(project: DbtProject) -> DbtCliResource:
    """The dbt CLI resource, preferring the dbt executable of this interpreter's environment."""
    dbt = shutil.which("dbt", path=str(Path(sys.executable).parent)) or "dbt"
    return DbtCliResource(project_dir=project, dbt_executable=dbt)
