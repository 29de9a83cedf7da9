"""Where things are by default. Kept free of Dagster and dbt imports so `nianbao --help` starts at once."""

from __future__ import annotations

import os
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_INBOX = REPO_ROOT / "data" / "inbox"
DEFAULT_WAREHOUSE = REPO_ROOT / "warehouse" / "nianbao.duckdb"

DEFAULT_DAGSTER_HOME = REPO_ROOT / ".dagster_home"
INSTANCE_SETTINGS = Path(__file__).resolve().parent / "dagster.yaml"

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


def dagster_home() -> Path:
    """The Dagster instance folder ($DAGSTER_HOME, else the project's .dagster_home/ that `make dev`
    opens), created with the project's instance settings on first use."""
    value = os.environ.get("DAGSTER_HOME")
    home = Path(value).expanduser().resolve() if value else DEFAULT_DAGSTER_HOME
    home.mkdir(parents=True, exist_ok=True)
    settings = home / "dagster.yaml"
    if not settings.exists():
        settings.write_text(INSTANCE_SETTINGS.read_text(encoding="utf-8"), encoding="utf-8")
    return home
