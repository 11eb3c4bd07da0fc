"""The production path on one machine: the hub's store on PostgreSQL, Dagster's run, event-log
and schedule storage on PostgreSQL (``dagster-postgres``), and the whole job executed by the
multiprocess executor, each step in a process of its own: the instance ``deploy/dagster.yaml``
ships, on a throwaway database."""

from __future__ import annotations

import importlib.util
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from dagster import (
    DagsterEventType,
    DagsterInstance,
    JobDefinition,
    execute_job,
    reconstructable,
)
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from hub.config import load_settings
from hub.storage import migrate
from hub.storage.models import Person, Publication, PublicationStatus
from hub.storage.session import make_engine
from pipelines.definitions import build_definitions
from pipelines.jobs import HUB_ALL
from tests.pipelines.published import copy_landing

pytestmark = [pytest.mark.slow, pytest.mark.postgres]
DEPLOY_INSTANCE = Path(__file__).parents[2] / "deploy" / "dagster.yaml"

DAGSTER_POSTGRES_MISSING = (
    None if importlib.util.find_spec("dagster_postgres")
    else "needs dagster-postgres: pip install -e '.[deploy]'"
)  # fmt: skip


def hub_job() -> JobDefinition:
    """The job as the code location builds it, from the environment: step processes of the
    multiprocess executor import this module and call it again."""
    return build_definitions(load_settings()).resolve_job_def(HUB_ALL)


@pytest.fixture
def hub_store(postgres_schema_url: str) -> Iterator[str]:
    """The hub's database: a schema of its own on the test server, migrated."""
    schema = f"hub_scale_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_schema_url)
    with admin.begin() as conn:
        conn.execute(text(f'create schema "{schema}"'))
    url = make_url(postgres_schema_url).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    migrate.upgrade(rendered)
    try:
        yield rendered
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'drop schema "{schema}" cascade'))
        admin.dispose()


@pytest.fixture
def dagster_storage(postgres_schema_url: str) -> Iterator[str]:
    """Dagster's storage: a throwaway database on the same server (dagster-postgres keeps its
    tables in the database's public schema). Its URL names psycopg2: dagster-postgres is
    written for it, and SQLAlchemy 2.1 would otherwise pick psycopg 3."""
    if DAGSTER_POSTGRES_MISSING:
        pytest.skip(DAGSTER_POSTGRES_MISSING)
    name = f"dagster_{uuid.uuid4().hex[:10]}"
    base = make_url(postgres_schema_url).set(query={})
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'create database "{name}"'))
    try:
        yield base.set(drivername="postgresql+psycopg2", database=name).render_as_string(
            hide_password=False
        )
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'drop database "{name}" with (force)'))
        admin.dispose()


def test_the_job_runs_multiprocess_with_dagster_storage_on_postgresql(
    hub_store: str,
    dagster_storage: str,
    generated: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    landing, var = tmp_path / "landing", tmp_path / "var"
    copy_landing(generated, landing)
    for key, value in {"HUB_DATABASE_URL": hub_store, "HUB_LANDING_DIR": str(landing),
                       "HUB_VAR_DIR": str(var), "HUB_MATCH_BACKEND": "duckdb"}.items():  # fmt: skip
        monkeypatch.setenv(key, value)
    assert hub_job().executor_def.name == "multiprocess"  # not SQLite: steps run in parallel

    home = tmp_path / "dagster_home"  # the instance production uses, on the throwaway database
    home.mkdir()
    shutil.copy(DEPLOY_INSTANCE, home / "dagster.yaml")
    db = make_url(dagster_storage)
    for key, value in {"DAGSTER_HOME": str(home), "DAGSTER_PG_HOST": db.host,
                       "DAGSTER_PG_PORT": str(db.port or 5432), "DAGSTER_PG_USER": db.username,
                       "DAGSTER_PG_PASSWORD": db.password or "",
                       "DAGSTER_PG_DB": db.database}.items():  # fmt: skip
        monkeypatch.setenv(key, str(value))
    quiet = {"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}}
    with DagsterInstance.from_config(str(home)) as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"
        with execute_job(reconstructable(hub_job), instance=instance, run_config=quiet) as result:
            assert result.success, [e.message for e in result.all_events if e.is_failure]
            run_id = result.run_id
        starts = [
            e
            for e in instance.all_logs(run_id)
            if e.dagster_event_type is DagsterEventType.STEP_START
        ]
        pids = {e.dagster_event.pid for e in starts if e.dagster_event is not None}
        assert len(pids) > 1  # steps ran in processes of their own

    dagster = create_engine(dagster_storage)
    with dagster.connect() as conn:  # the run and its events are in PostgreSQL
        assert conn.execute(text("select count(*) from runs where run_id = :r"),
                            {"r": run_id}).scalar_one() == 1  # fmt: skip
        assert conn.execute(text("select count(*) from event_logs where run_id = :r"),
                            {"r": run_id}).scalar_one() > len(starts)  # fmt: skip
    dagster.dispose()

    hub = make_engine(hub_store)
    with hub.connect() as conn:
        current = conn.execute(select(Publication.id).where(
            Publication.status == PublicationStatus.CURRENT)).scalars().all()  # fmt: skip
        assert len(current) == 1
        assert conn.execute(select(func.count()).select_from(Person)).scalar_one() > 250
    hub.dispose()
