"""Files in the inbox that are plainly not reports, so a run can list them as skipped (never as failed)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

SKIPPED_SHOWN = 10  # names listed in run metadata and the summary; the rest are counted


def skipped_files(inputs: Sequence[Path]) -> list[Path]:
    """Files under the input folders that discovery passes over (sidecars, OS litter, hidden files),
    in the same walk order as `extract.pipeline.discover`: hidden folders are not entered."""
    from extract.pipeline import is_report_candidate

    skipped: list[Path] = []
    for item in inputs:
        if not Path(item).is_dir():
            continue
        for folder, dirs, names in os.walk(Path(item).resolve()):
            dirs[:] = [d for d in dirs if not d.startswith(".")]
            skipped.extend(Path(folder, n) for n in names if not is_report_candidate(n))
    return sorted(skipped)
