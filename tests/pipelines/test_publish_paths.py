"""Every command that publishes passes the same blocking checks: a population delivery with a
third of its names blanked, sent through ``hub ingest`` + ``hub resolve``, ``hub run`` and
``hub demo``, publishes nothing and makes the command exit non-zero with one line naming the
file and the reason (cron mails stderr)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select

from hub.cli import main
from hub.config import Settings
from hub.pipeline import latest_quality_runs
from hub.sources import catalog
from hub.storage.models import Delivery, DeliveryStatus, Person, QualityRun
from hub.storage.session import make_engine, session_factory
from tests.pipelines.conftest import RESIDENTS
from tests.pipelines.published import (
    copy_landing,
    published_hash,
    write_population_with_blank_names,
)

pytestmark = pytest.mark.slow


def _hub(settings: Settings, *args: str) -> Result:
    env = {"HUB_DATABASE_URL": settings.database_url, "HUB_VAR_DIR": str(settings.var_dir),
           "HUB_LANDING_DIR": str(settings.landing_dir), "DAGSTER_HOME": None}  # fmt: skip
    return CliRunner().invoke(main, list(args), env=env)


def _break(settings: Settings, generated: Path, date: str) -> str:
    population = next((generated / "gongan").glob("人口_*.csv"))
    name = catalog.POPULATION.file_name(date)
    write_population_with_blank_names(population, settings.landing_dir / "gongan" / name)
    return name


def _delivery(settings: Settings, name: str) -> Delivery:
    engine = make_engine(settings.database_url)
    with session_factory(engine)() as session:
        found = session.scalars(select(Delivery).where(Delivery.file_name == name)).one()
        refused = session.scalar(select(func.count()).select_from(QualityRun).where(
            QualityRun.delivery_id == found.id, QualityRun.blocking_failed.is_(True)))  # fmt: skip
        nameless = session.scalar(select(func.count()).select_from(Person).where(
            (Person.name.is_(None)) | (Person.name == "")))  # fmt: skip
    engine.dispose()
    assert refused == 1 and nameless == 0
    return found


def _refused(result: Result, name: str) -> None:
    assert result.exit_code == 1, result.output
    errors = [line for line in result.stderr.splitlines() if line.startswith("error: ")]
    assert errors == [
        f"error: gongan.population/{name} rejected: blocking expectations failed: "
        "expect_column_values_to_be_between(quarantine_rate)"
    ]
    assert "Traceback" not in result.output


def test_a_broken_delivery_publishes_through_no_command(
    settings: Settings, generated: Path
) -> None:
    copy_landing(generated, settings.landing_dir)
    first = _hub(settings, "run")
    assert first.exit_code == 0, first.output
    before = published_hash(settings.database_url)

    # hub ingest, then hub resolve: the file is refused at ingest; resolve publishes the
    # previous snapshot again, unchanged.
    name = _break(settings, generated, "20261116")
    ingested = _hub(settings, "ingest")
    _refused(ingested, name)
    assert f"REJECTED gongan.population      {name}: read {RESIDENTS}" not in ingested.stdout
    assert "= not applied" in ingested.stdout and "would have been quarantined" in ingested.stdout
    assert _delivery(settings, name).status is DeliveryStatus.REJECTED
    resolved = _hub(settings, "resolve")
    assert resolved.exit_code == 0, resolved.output
    assert published_hash(settings.database_url) == before

    # hub run: the delivery step fails its blocking check, nothing downstream runs.
    name = _break(settings, generated, "20261117")
    ran = _hub(settings, "run")
    _refused(ran, name)
    assert "published: nothing new" in ran.stdout
    assert _delivery(settings, name).rows_loaded == 0
    assert published_hash(settings.database_url) == before

    # hub demo: regenerates the same deliveries (already loaded) and runs the graph.
    name = _break(settings, generated, "20261118")
    demo = _hub(settings, "demo", "--residents", str(RESIDENTS), "--seed", "3")
    _refused(demo, name)
    assert published_hash(settings.database_url) == before


def test_after_a_failed_run_the_data_docs_list_every_validation_it_made(
    settings: Settings, generated: Path
) -> None:
    """The refused population file fails its step early in the run; the datasets validated
    after it are in the index too, and columns carry the delivered headers beside their own."""
    copy_landing(generated, settings.landing_dir)
    _break(settings, generated, "20261116")
    ran = _hub(settings, "run")
    assert ran.exit_code == 1, ran.output
    engine = make_engine(settings.database_url)
    with session_factory(engine)() as session:
        runs = latest_quality_runs(session)
    engine.dispose()
    assert sorted(r.suite for r in runs) == sorted(d.key for d in catalog.DATASETS)
    index = (settings.quality_docs_dir / "index.html").read_text(encoding="utf-8")
    for run in runs:  # pages are named by the run (a refused file's: its rolled-back id)
        assert f"/{run.statistics['run_name']}/" in index, run.suite
    population = next(r for r in runs if r.suite == catalog.POPULATION.key)
    page = Path(str(population.docs_url)).read_text(encoding="utf-8")
    assert "resident_id_valid (公民身份号码)" in page and "record_id (人员编号)" in page
