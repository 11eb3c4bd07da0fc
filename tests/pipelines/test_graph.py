"""The whole graph materialised on generated deliveries, as ``hub run`` does it: it publishes,
and a delivery that breaks a blocking expectation changes nothing readers see."""

from __future__ import annotations

from pathlib import Path

from dagster import DagsterInstance
from sqlalchemy import func, select

from hub.config import Settings
from hub.pipeline import data_docs_dir
from hub.sources.catalog import DATASETS
from hub.storage.models import (
    Delivery,
    DeliveryStatus,
    EntityStatus,
    Person,
    Publication,
    PublicationStatus,
    QualityRun,
    SourceRecord,
)
from hub.storage.session import make_engine, session_factory
from pipelines.runner import RunSummary, run_all
from tests.pipelines.published import (
    copy_landing,
    published_hash,
    write_population_with_invalid_ids,
)


def _run(settings: Settings, instance: DagsterInstance) -> RunSummary:
    return run_all(settings, instance=instance)


def test_the_whole_graph_publishes_then_refuses_a_broken_delivery(
    settings: Settings, instance: DagsterInstance, generated: Path
) -> None:
    copy_landing(generated, settings.landing_dir)
    first = _run(settings, instance)
    assert first.success, first.failed_steps
    assert set(first.datasets) == {d.key.replace(".", "/") for d in DATASETS}
    assert all(figures["new_deliveries"] == 1 for figures in first.datasets.values())
    assert first.checks and all(c.passed for c in first.checks)
    assert first.published["persons"] > 0 and first.published["houses"] > 0
    assert (data_docs_dir(settings) / "index.html").exists()

    engine = make_engine(settings.database_url)
    factory = session_factory(engine)
    with factory() as session:
        deliveries = session.scalars(select(Delivery)).all()
        assert len(deliveries) == len(DATASETS)
        assert all(d.reconciles and d.status is DeliveryStatus.LOADED for d in deliveries)
        current = session.scalars(
            select(Publication).where(Publication.status == PublicationStatus.CURRENT)
        ).all()
        assert [p.id for p in current] == [first.published["publication_id"]]
        persons = session.scalar(
            select(func.count()).select_from(Person).where(Person.status == EntityStatus.ACTIVE)
        )
        assert persons == first.published["persons"]
        runs = session.scalars(select(QualityRun)).all()
        assert len(runs) == len(DATASETS) + 1 and not any(r.blocking_failed for r in runs)
    before = published_hash(settings.database_url)

    gongan = settings.landing_dir / "gongan"
    broken = write_population_with_invalid_ids(gongan / "人口_20261115.csv",
                                               gongan / "人口_20261215.csv")  # fmt: skip
    assert broken > 100
    second = _run(settings, instance)

    assert not second.success
    assert "gongan__population" in second.failed_steps
    assert not second.published  # the published model's step did not run
    refused = [c for c in second.checks if not c.passed]
    assert [(c.asset, c.check, c.severity) for c in refused] == [
        ("gongan/population", "delivery_expectations", "ERROR")
    ]
    assert any(f["blocking"] for f in refused[0].failures)
    assert published_hash(settings.database_url) == before
    with factory() as session:
        delivery = session.scalars(
            select(Delivery).where(Delivery.file_name == "人口_20261215.csv")
        ).one()
        assert delivery.status is DeliveryStatus.REJECTED and delivery.reconciles
        assert delivery.error is not None and "blocking" in delivery.error
        report = session.scalars(
            select(QualityRun).where(QualityRun.delivery_id == delivery.id)
        ).one()
        assert report.blocking_failed and not report.success
        newest = session.scalar(
            select(func.max(SourceRecord.valid_from)).where(
                SourceRecord.dataset == "gongan.population"
            )
        )
        assert str(newest) == "2026-11-15"  # the refused snapshot was never applied
        still = session.scalars(
            select(Publication.id).where(Publication.status == PublicationStatus.CURRENT)
        ).all()
        assert still == [first.published["publication_id"]]
    engine.dispose()
