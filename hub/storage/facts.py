"""Department facts about a person: what each department knows beyond identity."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from sqlalchemy import Date, Float, ForeignKey, Index, Numeric, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from hub.storage.base import Base, UtcDateTime, created_at, intpk


class _Fact:
    """Columns every fact shares: the person it is about and the record it came from."""

    id: Mapped[intpk]
    person_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("person.id"), index=True)
    dataset: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(64), index=True)
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)


class Benefit(_Fact, Base):
    """Civil affairs assistance (低保, 特困供养, 临时救助, 高龄补贴, 残疾人两项补贴)."""

    __tablename__ = "benefit"

    category: Mapped[str] = mapped_column(String(32))
    monthly_amount: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    covered_count: Mapped[int | None]
    start_date: Mapped[dt.date | None] = mapped_column(Date)
    township: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)


class Vaccination(_Fact, Base):
    """One vaccine dose (health: sensitive)."""

    __tablename__ = "vaccination"

    vaccine: Mapped[str] = mapped_column(String(64))
    dose: Mapped[int | None]
    vaccinated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    site: Mapped[str | None] = mapped_column(String(64))


class HealthGroup(_Fact, Base):
    """Membership of a key health group (health: sensitive)."""

    __tablename__ = "health_group"

    group: Mapped[str] = mapped_column(String(32))
    family_doctor: Mapped[str | None] = mapped_column(String(64))
    signed_at: Mapped[dt.date | None] = mapped_column(Date)


class PartyMembership(_Fact, Base):
    """Party building: membership, branch and grid role."""

    __tablename__ = "party_membership"

    category: Mapped[str | None] = mapped_column(String(16))
    joined_at: Mapped[dt.date | None] = mapped_column(Date)
    branch: Mapped[str | None] = mapped_column(String(128))
    floating: Mapped[bool | None]
    grid_role: Mapped[str | None] = mapped_column(String(32))


class CitizenReport(Base):
    """A snap-and-report event (随手拍), from city management or the hub itself."""

    __tablename__ = "citizen_report"
    __table_args__ = (Index("ix_citizen_report_grid_status", "grid_code", "status"),)

    id: Mapped[intpk]
    event_id: Mapped[str] = mapped_column(String(32), unique=True)
    # Where it came from: the dataset of a delivered report, or ``hub`` (``reportEvent``).
    origin: Mapped[str] = mapped_column(String(64), server_default="chengguan.report")
    person_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("person.id"), index=True)
    grid_code: Mapped[str | None] = mapped_column(String(17), ForeignKey("grid.code"))
    category: Mapped[str] = mapped_column(String(16))
    description: Mapped[str | None] = mapped_column(Text)
    address: Mapped[str | None] = mapped_column(Text)
    lng: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    reported_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    reporter_phone: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16))
    department: Mapped[str | None] = mapped_column(String(64))
    rating: Mapped[int | None]
    points: Mapped[int | None]
    updated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # How the hub placed it: the house its address names, and by what (address, building,
    # coordinates, reporter's grid); none when nothing placed it.
    house_id: Mapped[str | None] = mapped_column(String(32))
    located_by: Mapped[str | None] = mapped_column(String(16))
    assigned_role: Mapped[str | None] = mapped_column(String(32))  # who handles and answers
    valid: Mapped[bool | None]  # judged when assigned: a valid report earns points
    answer: Mapped[str | None] = mapped_column(Text)
    submitted_by: Mapped[str | None] = mapped_column(String(128))  # token holder, hub reports
    version: Mapped[int] = mapped_column(default=1, server_default="1")


class ReportStep(Base):
    """One move of a report through submitted -> assigned -> handled -> answered -> rated."""

    __tablename__ = "report_step"

    id: Mapped[intpk]
    report_id: Mapped[int] = mapped_column(ForeignKey("citizen_report.id"), index=True)
    status: Mapped[str] = mapped_column(String(16))
    actor: Mapped[str | None] = mapped_column(String(128))
    role: Mapped[str | None] = mapped_column(String(32))  # a policy role, or a delivery's source
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[created_at]
