"""check_delivery on generated and ingested landings: what real deliveries look like."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.generate import GenerateOptions, generate
from hub.generate.options import NoiseRates
from hub.ingest.service import ingest_landing
from hub.quality.runner import check_delivery
from hub.sources import catalog
from hub.storage import migrate
from hub.storage.models import Delivery, SourceRecord
from hub.storage.session import make_engine, session_factory

CLEAN = NoiseRates(**{f.name: 0.0 for f in dataclasses.fields(NoiseRates)})


def _ingested(base: Path, rates: NoiseRates) -> Iterator[Session]:
    generate(GenerateOptions(residents=300, seed=7, rates=rates, out=base / "landing",
                             truth=base / "truth"))  # fmt: skip
    url = f"sqlite:///{base / 'hub.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    ingest_landing(session_factory(engine), base / "landing")
    with Session(engine) as session:
        yield session
    engine.dispose()


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    yield from _ingested(tmp_path_factory.mktemp("clean"), CLEAN)


@pytest.fixture(scope="module")
def bad_ids(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Session]:
    rates = dataclasses.replace(CLEAN, population_checksum=0.3)
    yield from _ingested(tmp_path_factory.mktemp("bad_ids"), rates)


def _delivery(session: Session, dataset: str) -> int:
    return session.scalars(select(Delivery.id).where(Delivery.dataset == dataset)).one()


def test_every_clean_generated_delivery_passes(clean: Session) -> None:
    deliveries = clean.scalars(select(Delivery).order_by(Delivery.dataset)).all()
    assert sorted(d.dataset for d in deliveries) == sorted(d.key for d in catalog.DATASETS)
    for item in deliveries:
        report = check_delivery(clean, item.id)
        assert report.success, (item.dataset, [(o.column, o.observed_value)
                                               for o in report.failures])  # fmt: skip
        assert report.statistics["current_records"] == item.rows_loaded > 0


def test_many_invalid_ids_fail_population_with_their_record_ids(bad_ids: Session) -> None:
    report = check_delivery(bad_ids, _delivery(bad_ids, catalog.POPULATION.key))
    assert report.blocking_failed
    [check] = report.failures
    assert check.column == "resident_id_valid" and check.blocking
    invalid = set(bad_ids.scalars(
        select(SourceRecord.record_id).where(
            SourceRecord.dataset == catalog.POPULATION.key,
            SourceRecord.valid_to.is_(None),
            SourceRecord.fields[("resident_id", "status")].as_string() == "invalid_checksum",
        )
    ))  # fmt: skip
    assert len(invalid) > 0.1 * report.statistics["current_records"]
    assert check.unexpected_count == len(invalid)
    assert set(check.failing_record_ids) <= invalid
    assert len(check.failing_record_ids) == min(len(invalid), 100)
