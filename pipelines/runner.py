"""Run a job of the asset graph in this process, as the CLI does, and summarise the run.

The jobs are the ones the UI shows (:mod:`pipelines.jobs`, from
:func:`pipelines.definitions.build_definitions`): ``hub run`` and ``hub demo`` run
``hub_all``, ``hub ingest`` runs ``hub_ingest`` and ``hub resolve`` runs ``hub_publish``, each
with the blocking checks of its assets. They run against the Dagster instance in
``settings.dagster_home`` (whose ``dagster.yaml`` is written on first use, telemetry off), so
every run appears in ``dagster dev`` afterwards.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dagster import (
    AssetCheckEvaluation,
    DagsterEventType,
    DagsterInstance,
    EventLogEntry,
    ExecuteInProcessResult,
    RunConfig,
)
from sqlalchemy.exc import DBAPIError

from hub.config import Settings
from hub.pipeline import data_docs_dir, refresh_data_docs
from hub.storage.session import make_engine, session_factory
from pipelines.assets import GOLDEN_RECORDS, GRID_REFERENCE, PUBLISHED_MODEL, ResolutionConfig
from pipelines.definitions import build_definitions
from pipelines.errors import root_cause
from pipelines.jobs import HUB_ALL, HUB_INGEST

Progress = Callable[[str], None]
# Progress comes from our listener; Dagster's own console log would repeat it with tracebacks.
_QUIET = {"console": {"config": {"log_level": "CRITICAL"}}}


@dataclass(frozen=True, slots=True)
class CheckLine:
    """One check's verdict in the run."""

    asset: str
    check: str
    passed: bool
    severity: str
    failures: list[dict[str, Any]]


@dataclass(slots=True)
class RunSummary:
    """What ``hub run`` prints at the end."""

    run_id: str
    success: bool
    datasets: dict[str, dict[str, Any]] = field(default_factory=dict)  # asset -> figures
    grid: dict[str, Any] = field(default_factory=dict)  # grid_reference metadata
    published: dict[str, Any] = field(default_factory=dict)  # persons, houses, ...
    publication: dict[str, Any] = field(default_factory=dict)  # golden_records metadata
    checks: list[CheckLine] = field(default_factory=list)
    failed_steps: list[str] = field(default_factory=list)
    #: Why each failed step failed (its root cause on one line), by step.
    step_errors: dict[str, str] = field(default_factory=dict)


#: The hub's own Dagster home gets this ``dagster.yaml`` when it has none: local storage under
#: the folder (Dagster's default) and no usage statistics sent, nor their banner printed.
INSTANCE_YAML = """\
# Written by the hub: a local Dagster instance under this folder (runs, events, schedules).
# deploy/dagster.yaml is the production one (PostgreSQL, celery).
telemetry:
  enabled: false
"""


def ensure_instance_config(dagster_home: Path) -> Path:
    """Create ``dagster_home`` and its ``dagster.yaml`` (telemetry off) unless it has one."""
    dagster_home.mkdir(parents=True, exist_ok=True)
    config = dagster_home / "dagster.yaml"
    if not config.exists():
        config.write_text(INSTANCE_YAML, encoding="utf-8")
    return config


def run_all(
    settings: Settings,
    *,
    full: bool = False,
    instance: DagsterInstance | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Run every asset and check once; never raises for a failed step (see the summary)."""
    return run_job(settings, HUB_ALL, full=full, instance=instance, progress=progress)


def run_job(
    settings: Settings,
    name: str,
    *,
    full: bool = False,
    instance: DagsterInstance | None = None,
    progress: Progress | None = None,
) -> RunSummary:
    """Run the job ``name`` of :mod:`pipelines.jobs` once; never raises for a failed step."""
    job = build_definitions(settings).resolve_job_def(name)
    run_id = str(uuid.uuid4())
    ops = {"golden_records": ResolutionConfig(full=full)} if name != HUB_INGEST else {}
    run_config = RunConfig(ops=ops, loggers=_QUIET)
    owned = instance is None
    if instance is None:
        ensure_instance_config(settings.dagster_home)
        instance = DagsterInstance.from_config(str(settings.dagster_home))
    try:
        if progress is not None:  # the instance calls its listeners as it stores each event
            instance.add_event_listener(run_id, _listener(progress))
        result = job.execute_in_process(run_config=run_config, instance=instance,
                                        run_id=run_id, raise_on_error=False)  # fmt: skip
    finally:
        if owned:
            instance.dispose()
    summary = summarise(result)
    if not summary.success:
        rebuild_data_docs(settings, progress)
    return summary


def rebuild_data_docs(settings: Settings, progress: Progress | None = None) -> None:
    """After a failed run, the Data Docs index lists the latest validation of every suite,
    those that ran after the failure included (the published model's step, which rebuilds
    it, did not run). A database that is gone, the likely failure, leaves it as it was."""
    engine = make_engine(settings.database_url)
    try:
        refresh_data_docs(session_factory(engine), data_docs_dir(settings))
    except DBAPIError as error:
        if progress is not None:
            progress(f"Data Docs not rebuilt: {' '.join(str(error.orig).split())[:200]}")
    finally:
        engine.dispose()


def summarise(result: ExecuteInProcessResult) -> RunSummary:
    """Figures from the run's own events: materialisation metadata and check evaluations."""
    summary = RunSummary(result.run_id, result.success)
    for event in result.get_asset_materialization_events():
        materialization = event.materialization
        values = {k: v.value for k, v in materialization.metadata.items()}
        key = materialization.asset_key
        if key == PUBLISHED_MODEL:
            summary.published = values
        elif key == GOLDEN_RECORDS:
            summary.publication = values
        elif key == GRID_REFERENCE:
            summary.grid = values
        elif "new_deliveries" in values:
            summary.datasets[key.to_user_string()] = values
    for evaluation in _check_evaluations(result):
        failures = evaluation.metadata.get("failures")
        summary.checks.append(CheckLine(
            asset=evaluation.asset_key.to_user_string(), check=evaluation.check_name,
            passed=evaluation.passed, severity=evaluation.severity.value,
            failures=list(failures.value) if failures is not None else [],  # type: ignore[arg-type]
        ))  # fmt: skip
    for event in result.all_events:
        if event.event_type is DagsterEventType.STEP_FAILURE and event.step_key:
            summary.failed_steps.append(event.step_key)
            summary.step_errors[event.step_key] = root_cause(event.step_failure_data.error)
    return summary


def _check_evaluations(result: ExecuteInProcessResult) -> list[AssetCheckEvaluation]:
    return [
        e.event_specific_data
        for e in result.all_events
        if e.event_type is DagsterEventType.ASSET_CHECK_EVALUATION
        and isinstance(e.event_specific_data, AssetCheckEvaluation)
    ]


def _listener(progress: Progress) -> Callable[[EventLogEntry], None]:
    def listen(entry: EventLogEntry) -> None:
        event = entry.dagster_event
        if event is None or event.step_key is None:
            return
        kind = event.event_type
        if kind is DagsterEventType.STEP_START:
            progress(f"start    {event.step_key}")
        elif kind is DagsterEventType.STEP_SUCCESS:
            progress(
                f"done     {event.step_key} ({event.step_success_data.duration_ms / 1000:.1f} s)"
            )
        elif kind is DagsterEventType.STEP_FAILURE:
            progress(f"FAILED   {event.step_key}: {root_cause(event.step_failure_data.error)}")
        elif kind is DagsterEventType.STEP_UP_FOR_RETRY:
            error = event.step_retry_data.error
            progress(f"retry    {event.step_key} after {root_cause(error)}")

    return listen
