"""The schedule: rebuild the warehouse from the inbox on a cron (daily by default)."""

from __future__ import annotations

import os

from dagster import DefaultScheduleStatus, ScheduleDefinition

from orchestration.jobs import nianbao_job

SCHEDULE_CRON_ENV = "NIANBAO_SCHEDULE_CRON"
DEFAULT_CRON = "0 6 * * *"  # 06:00 every day
AUTOMATION_ENV = "NIANBAO_AUTOMATION"  # "running" starts the schedule and the sensor with `dagster dev`


def automation_running() -> bool:
    """Whether schedule and sensor start switched on; off by default so `dagster dev` only runs on request."""
    return os.environ.get(AUTOMATION_ENV, "").strip().lower() in {"running", "on", "1", "true"}


nianbao_schedule = ScheduleDefinition(
    name="nianbao_daily",
    job=nianbao_job,
    cron_schedule=os.environ.get(SCHEDULE_CRON_ENV, DEFAULT_CRON),
    execution_timezone=os.environ.get("NIANBAO_SCHEDULE_TZ", "Asia/Shanghai"),
    default_status=DefaultScheduleStatus.RUNNING if automation_running() else DefaultScheduleStatus.STOPPED,
    description=f"Run the whole pipeline on a cron (env {SCHEDULE_CRON_ENV}, default '{DEFAULT_CRON}').",
)
