"""Fact tables written by the database (INSERT ... SELECT) hold what the records say, typed
as their columns, on SQLite and PostgreSQL: checked against the records read in Python."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.generate import GenerateOptions, generate
from hub.ingest.service import ingest_landing
from hub.resolution.run import resolve
from hub.sources import catalog
from hub.storage.models import (
    Benefit,
    EntityKind,
    HealthGroup,
    PartyMembership,
    RecordLink,
    SourceRecord,
    Vaccination,
)
from hub.storage.session import make_engine, session_factory

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def landing(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("facts")
    generate(GenerateOptions(residents=300, seed=7, out=base / "landing", truth=base / "truth"))
    return base / "landing"


def _date(value: object) -> dt.date | None:
    try:
        return dt.date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None


def test_fact_rows_match_their_records(db_url: str, landing: Path) -> None:
    engine = make_engine(db_url)
    factory = session_factory(engine)
    ingest_landing(factory, landing)
    with factory() as session, session.begin():
        resolve(session)
    with Session(engine) as s:
        person_of = {(d, r): e for d, r, e in s.execute(
            select(RecordLink.dataset, RecordLink.record_id, RecordLink.entity_id)
            .where(RecordLink.kind == EntityKind.PERSON))}  # fmt: skip
        records = {
            (r.dataset, r.record_id): r.fields
            for r in s.scalars(select(SourceRecord).where(SourceRecord.valid_to.is_(None)))
        }
        checked = 0
        for row in s.scalars(select(Vaccination)):
            fields = records[(row.dataset, row.record_id)]
            at = dt.datetime.fromisoformat(fields["vaccinated_at"])
            assert row.vaccinated_at == at and row.vaccinated_at.tzinfo is not None
            expected_dose = (fields["vaccine"] or "", fields["dose"], fields["site"])
            assert (row.vaccine, row.dose, row.site) == expected_dose
            assert row.person_id == person_of[(row.dataset, row.record_id)]
            checked += 1
        for row in s.scalars(select(Benefit)):
            fields = records[(row.dataset, row.record_id)]
            amount = fields["monthly_amount"]
            assert row.monthly_amount == (Decimal(amount) if amount else None)
            assert row.start_date == _date(fields["start_date"])
            assert (row.category, row.covered_count) == (fields["category"] or "",
                                                         fields["covered_count"])  # fmt: skip
            checked += 1
        for row in s.scalars(select(HealthGroup)):
            fields = records[(row.dataset, row.record_id)]
            assert (row.group, row.signed_at) == (fields["group"] or "",
                                                  _date(fields["signed_at"]))  # fmt: skip
            checked += 1
        for row in s.scalars(select(PartyMembership)):
            fields = records[(row.dataset, row.record_id)]
            assert (row.joined_at, row.floating, row.grid_role) == (
                _date(fields["joined_at"]),
                fields["floating"],
                fields["grid_role"],
            )
            checked += 1
        expected = sum(
            1 for (dataset, _) in records
            if dataset in (catalog.VACCINATIONS.key, catalog.ASSISTANCE.key,
                           catalog.HEALTH_GROUPS.key, catalog.PARTY_MEMBERS.key)
        )  # fmt: skip
        assert checked == expected > 0
    engine.dispose()
