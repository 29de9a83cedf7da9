"""Where things are by default. Kept free of Dagster and dbt imports so `nianbao --help` starts at once."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DBT_PROJECT_DIR = REPO_ROOT / "dbt_project"
DEFAULT_INBOX = REPO_ROOT / "data" / "inbox"
DEFAULT_WAREHOUSE = REPO_ROOT / "warehouse" / "nianbao.duckdb"

WAREHOUSE_ENV = "NIANBAO_WAREHOUSE"
INBOX_ENV = "NIANBAO_INBOX"


def default_warehouse() -> Path:
    """The warehouse named by NIANBAO_WAREHOUSE (relative to the working directory), else the repo's."""
    value = os.environ.get(WAREHOUSE_ENV)
    return Path(value).expanduser().resolve() if value else DEFAULT_WAREHOUSE


def default_inputs() -> list[Path]:
    """Inbox folders named by NIANBAO_INBOX (os.pathsep-separated), else the bundled sample inbox."""
    value = os.environ.get(INBOX_ENV)
    if value:
        return [Path(part).expanduser().resolve() for part in value.split(os.pathsep) if part]
    return [DEFAULT_INBOX]
