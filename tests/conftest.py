"""Shared test settings: no telemetry, and the paths of the bundled samples and golden files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

for var, value in (("DO_NOT_TRACK", "1"), ("GX_ANALYTICS_ENABLED", "false"), ("DAGSTER_DISABLE_TELEMETRY", "1")):
    os.environ.setdefault(var, value)

ROOT = Path(__file__).resolve().parent.parent
INBOX = ROOT / "data" / "inbox"
GOLDEN = Path(__file__).resolve().parent / "fixtures" / "golden"


@pytest.fixture(scope="session")
def inbox() -> Path:
    return INBOX


@pytest.fixture(scope="session")
def golden_dir() -> Path:
    return GOLDEN


@pytest.fixture(scope="session")
def dbt_manifest() -> Path:
    """The code location's dbt manifest, prepared as `nianbao run` prepares it (parsed only when the dbt
    project's sources changed): importing the code location never does it."""
    from orchestration.dbt_setup import ensure_manifest

    return ensure_manifest()
