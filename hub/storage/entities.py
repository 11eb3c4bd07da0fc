"""The published model: golden persons and houses, their links to source records, tags,
redirects for merged ids, per-field provenance, and publications."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import BigInteger, Date, Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from hub.storage.base import Base, UtcDateTime, created_at, intpk
from hub.storage.ingest import str_enum


class EntityKind(enum.StrEnum):
    PERSON = "person"
    HOUSE = "house"


class EntityStatus(enum.StrEnum):
    ACTIVE = "active"
    ENDED = "ended"  # died, moved away, house demolished: kept, not deleted
    MERGED = "merged"  # absorbed into another entity: its id redirects there


class PublicationStatus(enum.StrEnum):
    BUILDING = "building"
    CURRENT = "current"
    SUPERSEDED = "superseded"
    FAILED = "failed"


class House(Base):
    """A dwelling (or other) unit of the public-security standard address table."""

    __tablename__ = "house"
    __table_args__ = (
        Index("ix_house_building_code", "building_code"),
        Index("ix_house_grid_code", "grid_code"),
        Index("ix_house_address_key", "address_key"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    address_code: Mapped[str | None] = mapped_column(String(32), unique=True)
    building_code: Mapped[str | None] = mapped_column(String(16))
    township: Mapped[str | None] = mapped_column(String(32))
    village: Mapped[str | None] = mapped_column(String(64))
    road: Mapped[str | None] = mapped_column(String(64))
    number: Mapped[str | None] = mapped_column(String(32))
    building: Mapped[str | None] = mapped_column(String(32))
    unit: Mapped[str | None] = mapped_column(String(32))
    room: Mapped[str | None] = mapped_column(String(32))
    use: Mapped[str | None] = mapped_column(String(16))
    address_key: Mapped[str | None] = mapped_column(String(255))
    grid_code: Mapped[str | None] = mapped_column(String(17), ForeignKey("grid.code"))
    status: Mapped[EntityStatus] = mapped_column(str_enum(EntityStatus))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class Person(Base):
    """A golden resident record: one real person, whatever the departments call them."""

    __tablename__ = "person"
    __table_args__ = (
        Index("ix_person_resident_id", "resident_id"),
        Index("ix_person_house_id", "house_id"),
        Index("ix_person_grid_code", "grid_code"),
        Index("ix_person_name", "name"),
        Index("ix_person_name_pinyin", "name_pinyin"),
        Index("ix_person_household_no", "household_no"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str | None] = mapped_column(String(64))
    name_pinyin: Mapped[str | None] = mapped_column(String(128))
    resident_id: Mapped[str | None] = mapped_column(String(18))
    sex: Mapped[str | None] = mapped_column(String(2))
    birth_date: Mapped[dt.date | None] = mapped_column(Date)
    birth_precision: Mapped[str | None] = mapped_column(String(8))
    ethnicity: Mapped[str | None] = mapped_column(String(16))
    phone: Mapped[str | None] = mapped_column(String(20))
    house_id: Mapped[str | None] = mapped_column(String(32), ForeignKey("house.id"))
    grid_code: Mapped[str | None] = mapped_column(String(17), ForeignKey("grid.code"))
    household_no: Mapped[str | None] = mapped_column(String(32))
    relation_to_head: Mapped[str | None] = mapped_column(String(16))
    registration_type: Mapped[str | None] = mapped_column(String(16))  # 户籍人口 / 流动人口
    # What the grid worker last reported (None: not reported; the household decides).
    lives_alone: Mapped[bool | None]
    status: Mapped[EntityStatus] = mapped_column(str_enum(EntityStatus))
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[created_at]
    updated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class PersonTag(Base):
    """Derived tags computed once per publication (party member, low income, elderly...)."""

    __tablename__ = "person_tag"
    __table_args__ = (Index("ix_person_tag_tag", "tag", "person_id"),)

    person_id: Mapped[str] = mapped_column(String(32), ForeignKey("person.id"), primary_key=True)
    tag: Mapped[str] = mapped_column(String(32), primary_key=True)


class EntityRedirect(Base):
    """An id that no longer names an entity of its own, and the one that absorbed it."""

    __tablename__ = "entity_redirect"

    old_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    new_id: Mapped[str] = mapped_column(String(32), index=True)
    kind: Mapped[EntityKind] = mapped_column(str_enum(EntityKind))
    reason: Mapped[str] = mapped_column(String(64))
    at: Mapped[created_at]


class RecordLink(Base):
    """Which entity a source record (by its stable record id) belongs to, and why."""

    __tablename__ = "record_link"
    __table_args__ = (
        UniqueConstraint("kind", "dataset", "record_id"),
        Index("ix_record_link_entity", "kind", "entity_id"),
    )

    id: Mapped[intpk]
    kind: Mapped[EntityKind] = mapped_column(str_enum(EntityKind))
    dataset: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(64))
    entity_id: Mapped[str] = mapped_column(String(32))
    rule: Mapped[str] = mapped_column(String(64))  # resident_id, splink, address_code, steward...
    score: Mapped[float | None] = mapped_column(Float)
    precision: Mapped[str | None] = mapped_column(String(16))  # houses: room / building
    # The source_record version the link was made from: a run re-resolves a record whose
    # current version is another one (changed, or re-delivered and replaced).
    version_id: Mapped[int | None] = mapped_column(BigInteger)
    run_id: Mapped[int | None]
    linked_at: Mapped[created_at]


class Provenance(Base):
    """Where one golden value came from: the winning record, the rule, and what it beat."""

    __tablename__ = "provenance"
    __table_args__ = (UniqueConstraint("entity_kind", "entity_id", "field"),)

    id: Mapped[intpk]
    entity_kind: Mapped[EntityKind] = mapped_column(str_enum(EntityKind))
    entity_id: Mapped[str] = mapped_column(String(32))
    field: Mapped[str] = mapped_column(String(64))
    value: Mapped[str | None] = mapped_column(Text)
    dataset: Mapped[str | None] = mapped_column(String(64))
    record_id: Mapped[str | None] = mapped_column(String(64))
    snapshot_date: Mapped[dt.date | None] = mapped_column(Date)
    rule: Mapped[str] = mapped_column(String(255))  # e.g. source_priority(gongan.population>...)
    alternatives: Mapped[list[Any]]
    # A value a person entered through the hub (a grid worker's entry): who, and when.
    recorded_by: Mapped[str | None] = mapped_column(String(128))
    recorded_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("publication.id"))


class Publication(Base):
    """One build of the published model; exactly one is current at a time."""

    __tablename__ = "publication"

    id: Mapped[intpk]
    status: Mapped[PublicationStatus] = mapped_column(str_enum(PublicationStatus))
    started_at: Mapped[created_at]
    published_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    counts: Mapped[dict[str, Any]]
    note: Mapped[str | None] = mapped_column(Text)
