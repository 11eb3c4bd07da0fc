"""The models round-trip real values (Chinese text, JSON, enums, dates) on every backend."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hub.storage.models import (
    Benefit,
    Delivery,
    DeliveryStatus,
    EntityStatus,
    Grid,
    GridLevel,
    Person,
    PersonTag,
    SourceRecord,
)


def _delivery(session: Session, sha: str = "a" * 64) -> Delivery:
    delivery = Delivery(
        source="gongan",
        dataset="gongan.population",
        file_name="人口_20261115.csv",
        path="/landing/gongan/人口_20261115.csv",
        sha256=sha,
        size_bytes=10,
        snapshot_date=dt.date(2026, 11, 15),
        encoding="gb18030",
        status=DeliveryStatus.LOADED,
        rows_read=1,
        rows_loaded=1,
    )
    session.add(delivery)
    session.flush()
    return delivery


def test_source_record_keeps_raw_and_normalised_json(session: Session) -> None:
    delivery = _delivery(session)
    session.add(
        SourceRecord(
            source="gongan",
            dataset="gongan.population",
            record_id="GA0000000001",
            delivery_id=delivery.id,
            line=2,
            valid_from=dt.date(2026, 11, 15),
            content_hash="b" * 64,
            raw={"姓名": "陳秀英", "公民身份号码": "35052619800101002x"},
            fields={"name": {"original": "陳秀英", "value": "陈秀英"}},
            name="陈秀英",
        )
    )
    session.flush()
    session.expire_all()
    record = session.scalars(select(SourceRecord)).one()
    assert record.raw["姓名"] == "陳秀英"
    assert record.fields["name"]["value"] == "陈秀英"
    assert record.delivery.status is DeliveryStatus.LOADED
    assert record.delivery.reconciles


def test_same_file_under_same_name_cannot_be_recorded_twice(session: Session) -> None:
    _delivery(session)
    with pytest.raises(IntegrityError):
        _delivery(session)


def test_grid_person_tag_and_fact(session: Session) -> None:
    session.add(
        Grid(
            code="350526001",
            name="龙浔镇",
            level=GridLevel.TOWNSHIP,
            snapshot_date=dt.date(2026, 11, 15),
        )
    )
    session.flush()
    session.add(Person(id="P1", name="陈秀英", status=EntityStatus.ACTIVE, grid_code="350526001"))
    session.flush()
    session.add_all(
        [
            PersonTag(person_id="P1", tag="elderly"),
            Benefit(
                person_id="P1",
                dataset="minzheng.assistance",
                record_id="MZ00000001",
                valid_from=dt.date(2026, 11, 1),
                category="低保",
                monthly_amount=Decimal("650.00"),
            ),
        ]
    )
    session.flush()
    session.expire_all()
    grid = session.get(Grid, "350526001")
    assert grid is not None and grid.level is GridLevel.TOWNSHIP
    benefit = session.scalars(select(Benefit)).one()
    assert benefit.monthly_amount == Decimal("650.00")
    tags = session.scalars(select(PersonTag.tag).where(PersonTag.person_id == "P1")).all()
    assert tags == ["elderly"]


def test_foreign_keys_are_enforced(session: Session) -> None:
    session.add(Person(id="P2", name="林", status=EntityStatus.ACTIVE, grid_code="999"))
    with pytest.raises(IntegrityError):
        session.flush()
