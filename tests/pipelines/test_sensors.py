"""The delivery sensor asks for only what a new file affects; failed runs are recorded."""

from __future__ import annotations

import shutil

from dagster import (
    AssetKey,
    DagsterInstance,
    RunRequest,
    SensorResult,
    SkipReason,
    build_run_status_sensor_context,
    build_sensor_context,
    job,
    op,
)
from sqlalchemy import select

from hub.config import Settings
from hub.ingest.service import ingest_landing
from hub.storage.models import PipelineFailure
from hub.storage.session import make_engine, session_factory
from pipelines.assets import GOLDEN_RECORDS, GRID_REFERENCE, PUBLISHED_MODEL
from pipelines.resources import DatabaseResource, DataDocsResource, LandingResource
from pipelines.sensors import new_deliveries, record_pipeline_failures

POPULATION = AssetKey(["gongan", "population"])


def _evaluate(settings: Settings, cursor: str | None) -> SensorResult | SkipReason:
    resources = {
        "landing": LandingResource(path=str(settings.landing_dir)),
        "database": DatabaseResource(url=settings.database_url),
    }
    with build_sensor_context(cursor=cursor, resources=resources) as context:
        result = new_deliveries(context)
    assert isinstance(result, SensorResult | SkipReason)
    return result


def _only_request(result: SensorResult | SkipReason) -> RunRequest:
    assert isinstance(result, SensorResult)
    assert len(result.run_requests or []) == 1
    return (result.run_requests or [])[0]


def test_a_new_file_requests_its_dataset_and_downstream_only(
    settings: Settings, generated: object
) -> None:
    shutil.copytree(str(generated), settings.landing_dir, dirs_exist_ok=True)
    engine = make_engine(settings.database_url)
    ingest_landing(session_factory(engine), settings.landing_dir)
    engine.dispose()

    quiet = _evaluate(settings, None)
    assert isinstance(quiet, SensorResult) and not quiet.run_requests
    assert quiet.skip_reason is not None
    cursor = quiet.cursor

    gongan = settings.landing_dir / "gongan"
    shutil.copy(gongan / "人口_20261115.csv", gongan / "人口_20261215.csv")
    (gongan / "人口_20261216.csv.tmp").write_bytes(b"still copying")
    result = _evaluate(settings, cursor)
    request = _only_request(result)
    assert set(request.asset_selection or []) == {POPULATION, GOLDEN_RECORDS, PUBLISHED_MODEL}
    assert {k.asset_key for k in request.asset_check_keys or []} == {
        POPULATION, GOLDEN_RECORDS, PUBLISHED_MODEL,
    }  # fmt: skip

    again = _only_request(_evaluate(settings, result.cursor if isinstance(result, SensorResult)
                                    else None))  # fmt: skip
    assert again.run_key == request.run_key  # Dagster launches a run key once

    wangge = settings.landing_dir / "wangge"
    shutil.copy(wangge / "网格_20261115.csv", wangge / "网格_20261215.csv")
    both = _only_request(_evaluate(settings, cursor))
    assert set(both.asset_selection or []) == {
        POPULATION, AssetKey(["wangge", "grid"]), GRID_REFERENCE, GOLDEN_RECORDS, PUBLISHED_MODEL,
    }  # fmt: skip
    assert both.run_key != request.run_key


def test_a_missing_landing_folder_is_a_skip(settings: Settings) -> None:
    shutil.rmtree(settings.landing_dir)
    assert isinstance(_evaluate(settings, None), SkipReason)


@op
def copy_from_share() -> None:
    raise OSError("landing share unavailable")


@job
def flaky_copy() -> None:
    copy_from_share()


def test_a_failed_run_is_recorded_for_engineers(
    settings: Settings, instance: DagsterInstance
) -> None:
    result = flaky_copy.execute_in_process(instance=instance, raise_on_error=False)
    assert not result.success
    with build_run_status_sensor_context(
        sensor_name="record_pipeline_failures",
        dagster_instance=instance,
        dagster_run=result.dagster_run,
        dagster_event=result.get_run_failure_event(),
        resources={
            "database": DatabaseResource(url=settings.database_url),
            "data_docs": DataDocsResource(path=str(settings.quality_docs_dir)),
        },
    ) as context:
        record_pipeline_failures(context.for_run_failure())
    assert (settings.quality_docs_dir / "index.html").is_file()  # rebuilt after the failure

    engine = make_engine(settings.database_url)
    with session_factory(engine)() as session:
        rows = session.scalars(select(PipelineFailure)).all()
    engine.dispose()
    assert [(r.run_id, r.job, r.step) for r in rows] == [
        (result.run_id, "flaky_copy", "copy_from_share")
    ]
    assert "landing share unavailable" in rows[0].message
