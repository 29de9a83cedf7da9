"""What a run did, as typed values handed from the stages to whoever launched the run in this process.

The stages return dataclasses (`LoadSummary`, the checks' `CheckRun`); the assets pass them here as they
finish, and the CLI builds its summary from the fields (a renamed field fails loudly, where a metadata key
read with a default would quietly read zero). A run launched by `dagster dev`, the schedule or the sensor has
no collector, and recording costs nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from expectations.checks import CheckRun
    from extract.pipeline import LoadSummary


@dataclass
class RunOutcome:
    """The results of one run's stages; a field stays None when its stage did not run."""

    load: LoadSummary | None = None
    skipped: list[Path] = field(default_factory=list)
    checked_reports: int | None = None
    checks: CheckRun | None = None
    report: Path | None = None


_collectors: list[RunOutcome] = []


@contextmanager
def collecting() -> Iterator[RunOutcome]:
    """Gather the stages' results of the run executed inside the block."""
    outcome = RunOutcome()
    _collectors.append(outcome)
    try:
        yield outcome
    finally:
        _collectors.remove(outcome)


def record_load(summary: LoadSummary, skipped: list[Path]) -> None:
    """The extract-and-load stage's summary, and the files it passed over."""
    for outcome in _collectors:
        outcome.load, outcome.skipped = summary, skipped


def record_checks(checked_reports: int, totals: CheckRun) -> None:
    """How many reports the suites validated this run, and every stored result's totals."""
    for outcome in _collectors:
        outcome.checked_reports, outcome.checks = checked_reports, totals


def record_report(path: Path) -> None:
    """The data-quality report's index page."""
    for outcome in _collectors:
        outcome.report = path
