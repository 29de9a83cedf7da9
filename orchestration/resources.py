"""Resources: where the warehouse is and which folders feed it.

Every asset takes its paths from one `WarehouseResource`, so the CLI, a schedule, the sensor and a run
launched from the Dagster UI all point the stages at the same files (overridable per run in config).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from dagster import ConfigurableResource
from pydantic import Field

from orchestration import snapshot
from orchestration.paths import default_inputs, default_warehouse


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
