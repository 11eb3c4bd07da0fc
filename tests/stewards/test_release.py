"""Releasing a quarantined row after correction, on a published generated world: the row goes
through the reader's checks and the dataset's mapper, becomes a record of the current
snapshot with a delivery of its own (reconciliation holds), the golden records follow at once,
and a later delivery that still carries the broken row does not undo it."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from hub.ingest.corrections import RELEASE, CorrectionError
from hub.ingest.service import DeliveryReport, ingest_landing
from hub.resolution.decisions import DecisionKind
from hub.sources import catalog
from hub.stewards import release
from hub.stewards.actions import ActionRefused
from hub.storage.models import (
    ChangeEvent,
    Delivery,
    DeliveryStatus,
    EndReason,
    EntityKind,
    QuarantinedRow,
    RecordLink,
    SourceRecord,
    StewardDecision,
)
from hub.storage.session import session_factory

pytestmark = pytest.mark.slow
STEWARD = "steward/zhang"
POPULATION = catalog.POPULATION


def nameless(session: Session) -> QuarantinedRow:
    return session.scalars(select(QuarantinedRow).where(
        QuarantinedRow.dataset == POPULATION.key, QuarantinedRow.reason == "missing_name",
    )).one()  # fmt: skip


def corrected(row: QuarantinedRow, **changes: str) -> dict[str, Any]:
    """The row's cells by header, with ``changes`` (a steward's correction)."""
    (cells,) = list(csv.reader(io.StringIO(row.raw)))
    return {**dict(zip(POPULATION.columns, cells, strict=True)), **changes}


def release_it(engine: Engine, row_id: int, values: dict[str, Any]) -> release.Released:
    with session_factory(engine)() as session, session.begin():
        return release.release_row(session, row_id, values, actor=STEWARD,
                                   reason="name taken from the paper register")  # fmt: skip


def test_a_corrected_row_becomes_a_record_and_feeds_the_golden_record(published: Engine) -> None:
    with Session(published) as session:
        row = nameless(session)
        row_id, record_id, raw = row.id, row.record_id, row.raw
        values = corrected(row, 姓名="吴金木")
    done = release_it(published, row_id, values)
    assert done.correction.record_id == record_id and done.correction.new_record
    with Session(published) as session:
        row = session.get(QuarantinedRow, row_id)
        assert row is not None and row.released_by == STEWARD and row.released_at is not None
        delivery = session.get(Delivery, done.correction.delivery.id)
        assert delivery is not None and delivery.status is DeliveryStatus.CORRECTION
        assert delivery.reconciles and (delivery.rows_read, delivery.rows_loaded) == (1, 1)
        original = session.get(Delivery, row.delivery_id)
        assert original is not None and original.reconciles  # still counts it quarantined
        record = session.scalars(select(SourceRecord).where(
            SourceRecord.dataset == POPULATION.key, SourceRecord.record_id == record_id,
            SourceRecord.valid_to.is_(None))).one()  # fmt: skip
        assert record.delivery_id == delivery.id and record.name == "吴金木"
        assert record.resident_id == values["公民身份号码"]  # normalised like a delivered row
        person = session.scalars(
            select(RecordLink.entity_id).where(
                RecordLink.kind == EntityKind.PERSON,
                RecordLink.dataset == POPULATION.key,
                RecordLink.record_id == record_id,
            )
        ).one()
        assert person in done.entities
        decision = session.get(StewardDecision, done.decision.id)
        assert decision is not None and decision.kind == RELEASE == DecisionKind.RELEASE
        assert decision.subject["values"] == values
        tagged = session.scalars(select(ChangeEvent.entity_id).where(
            ChangeEvent.decision_id == decision.id)).all()  # fmt: skip
        assert person in tagged
    with pytest.raises(ActionRefused, match="released by"):
        release_it(published, row_id, values)
    assert raw  # the quarantined text is kept as delivered


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_correction_that_cannot_stand_is_refused_and_stores_nothing(
    published: Engine,
) -> None:
    with Session(published) as session:
        row = nameless(session)
        row_id = row.id
        cases = {
            "malformed_record_id": corrected(row, 姓名="吴金木", 人员编号="GA123"),
            "missing_name": corrected(row),
            "unknown_column": {**corrected(row, 姓名="吴金木"), "备注": "x"},
            "not_a_value": {**corrected(row, 姓名="吴金木"), "姓名": ["吴金木"]},
        }
        taken = session.scalars(
            select(SourceRecord.record_id).where(
                SourceRecord.dataset == POPULATION.key, SourceRecord.valid_to.is_(None)
            )
        ).first()
        cases["duplicate_record_id"] = corrected(row, 姓名="吴金木", 人员编号=str(taken))
        deliveries = session.scalar(select(func.count()).select_from(Delivery))
    for reason, values in cases.items():
        with pytest.raises(CorrectionError) as refused:
            release_it(published, row_id, values)
        assert refused.value.reason == reason, (reason, str(refused.value))
    with Session(published) as session:
        assert session.scalar(select(func.count()).select_from(Delivery)) == deliveries
        assert session.get(QuarantinedRow, row_id).released_at is None  # type: ignore[union-attr]


def population_file(landing: Path) -> Path:
    """The generated population file (the first snapshot)."""
    return min((landing / "gongan").glob("人口_*.csv"))


def deliver_again(landing: Path, date: str, edit: tuple[str, str] | None = None) -> None:
    """The population file delivered again under ``date``, maybe with one text edit."""
    source = population_file(landing)
    text = source.read_bytes().decode("gb18030")
    if edit is not None:
        assert edit[0] in text
        text = text.replace(edit[0], edit[1])
    shutil.copy(source, source.with_name(f"人口_{date}.csv"))
    source.with_name(f"人口_{date}.csv").write_bytes(text.encode("gb18030"))


def delivered(engine: Engine, landing: Path, name: str) -> DeliveryReport:
    """Ingest the landing folder; the report of the file ``name``."""
    reports = ingest_landing(session_factory(engine), landing).deliveries
    return next(r for r in reports if r.file == name)


@pytest.mark.parametrize("backend", ["sqlite"])
def test_a_later_delivery_of_the_same_broken_row_keeps_the_correction(
    published: Engine, landing: Path
) -> None:
    with Session(published) as session:
        row = nameless(session)
        row_id, record_id, raw = row.id, row.record_id, row.raw
        values = corrected(row, 姓名="吴金木")
    done = release_it(published, row_id, values)
    deliver_again(landing, "20261201")
    report = delivered(published, landing, "人口_20261201.csv")
    assert report.file == "人口_20261201.csv" and report.reconciles
    assert any("steward correction" in note for note in report.notes)
    assert "missing_name" not in report.quarantined_by_reason
    with Session(published) as session:
        current = session.scalars(select(SourceRecord).where(
            SourceRecord.dataset == POPULATION.key, SourceRecord.record_id == record_id,
            SourceRecord.valid_to.is_(None))).one()  # fmt: skip
        assert current.delivery_id == done.correction.delivery.id  # unchanged: still the steward's
    # The department changes the broken row (still without a name): quarantined afresh.
    cells = raw.split(",")
    edited = ",".join([*cells[:10], "13900009999", *cells[11:]])
    deliver_again(landing, "20261215", (raw, edited))
    later = delivered(published, landing, "人口_20261215.csv")
    assert later.quarantined_by_reason.get("missing_name") == 1
    with Session(published) as session:
        ended = session.scalars(select(SourceRecord).where(
            SourceRecord.dataset == POPULATION.key, SourceRecord.record_id == record_id,
            SourceRecord.delivery_id == done.correction.delivery.id)).one()  # fmt: skip
        assert ended.end_reason is EndReason.ABSENT
