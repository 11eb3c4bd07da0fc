"""The nightly full check: at 02:00 county time, the whole graph with a full resolution."""

from __future__ import annotations

from dagster import DefaultScheduleStatus, ScheduleDefinition

from pipelines.jobs import nightly_full_check

nightly = ScheduleDefinition(
    name="nightly_full_check_0200",
    job=nightly_full_check,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=DefaultScheduleStatus.STOPPED,
    description="Pick up any delivery the sensor missed, re-run every check, re-score all.",
)

SCHEDULES = [nightly]
