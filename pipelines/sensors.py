"""Automation: a sensor for new deliveries, and a sensor that records failed runs.

``new_deliveries`` compares the landing folder with the ``delivery`` table by file name and
SHA-256 (its cursor remembers each file's size, mtime and hash, so unchanged files are not
hashed again) and asks for a run of only the affected dataset assets and what is downstream of
them. The run key names the files, so the same set is requested once; a file whose run failed is
picked up by the nightly run.
"""

from __future__ import annotations

import hashlib
import json

from dagster import (
    AssetKey,
    AssetSelection,
    DefaultSensorStatus,
    RunFailureSensorContext,
    RunRequest,
    SensorEvaluationContext,
    SensorResult,
    SkipReason,
    run_failure_sensor,
    sensor,
)

from hub.pipeline import pending_deliveries, record_failure, refresh_data_docs
from hub.sources.landing import DeliveryFile, discover
from pipelines.assets import ASSETS, delivery_key
from pipelines.checks import CHECKS
from pipelines.errors import full_text
from pipelines.jobs import hub_all
from pipelines.resources import DatabaseResource, DataDocsResource, LandingResource


@sensor(
    job=hub_all,
    minimum_interval_seconds=60,
    default_status=DefaultSensorStatus.STOPPED,
    description="New files in the landing folder -> a run of their datasets and downstream.",
)
def new_deliveries(
    context: SensorEvaluationContext, landing: LandingResource, database: DatabaseResource
) -> SensorResult | SkipReason:
    """Request the affected dataset assets (plus downstream) for files not delivered yet."""
    if not landing.folder.is_dir():
        return SkipReason(f"landing folder {landing.folder} does not exist")
    seen: dict[str, str] = json.loads(context.cursor) if context.cursor else {}
    found = discover(landing.folder)
    with database.factory()() as session:
        pending, digests = pending_deliveries(session, found.deliveries, seen)
    cursor = json.dumps(digests, sort_keys=True, ensure_ascii=False)
    if not pending:
        return SensorResult(skip_reason="no new deliveries", cursor=cursor)
    return SensorResult(run_requests=[run_request(pending, digests)], cursor=cursor)


def run_request(pending: list[DeliveryFile], digests: dict[str, str]) -> RunRequest:
    """A run of the pending files' dataset assets, everything downstream and their checks."""
    keys = sorted({delivery_key(item.dataset) for item in pending})
    selection = AssetSelection.assets(*keys).downstream().resolve(ASSETS)
    files = sorted(f"{item.path.name}:{digests[str(item.path)].rpartition(':')[2]}"
                   for item in pending)  # fmt: skip
    checks = [key for d in (*ASSETS, *CHECKS) for key in d.check_keys if key.asset_key in selection]
    return RunRequest(
        run_key=hashlib.sha256("\n".join(files).encode()).hexdigest(),
        asset_selection=sorted(selection, key=AssetKey.to_user_string),
        asset_check_keys=sorted(checks, key=lambda k: k.to_user_string()),
        tags={"hub/trigger": "new_deliveries", "hub/files": str(len(files))},
    )


@run_failure_sensor(
    name="record_pipeline_failures",
    default_status=DefaultSensorStatus.RUNNING,
    description="Write each failed run (and its failed steps) into the pipeline_failure table.",
)
def record_pipeline_failures(
    context: RunFailureSensorContext, database: DatabaseResource, data_docs: DataDocsResource
) -> None:
    """One ``pipeline_failure`` row per failed step, or one for the run if no step failed; and
    the Data Docs rebuilt, so their index lists every validation the run made (the step that
    rebuilds them last did not run)."""
    steps: list[tuple[str | None, str]] = [
        (event.step_key, full_text(event.step_failure_data.error) or event.message or "failed")
        for event in context.get_step_failure_events()
    ]
    if not steps:
        steps = [(None, context.failure_event.message or "run failed")]
    factory = database.factory()
    record_failure(factory, run_id=context.dagster_run.run_id,
                   job=context.dagster_run.job_name, steps=steps)  # fmt: skip
    refresh_data_docs(factory, data_docs.folder)


SENSORS = [new_deliveries, record_pipeline_failures]
