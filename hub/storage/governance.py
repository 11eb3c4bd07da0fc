"""Who did what: quality runs, steward decisions, the audit chain, API tokens, the change
feed and pipeline failures."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.storage.base import Base, BigId, UtcDateTime, created_at, intpk


class QualityRun(Base):
    """One validation of one suite against one batch (a delivery or a publication)."""

    __tablename__ = "quality_run"
    __table_args__ = (Index("ix_quality_run_suite_started", "suite", "started_at"),)

    id: Mapped[intpk]
    suite: Mapped[str] = mapped_column(String(128))
    target: Mapped[str] = mapped_column(String(64))  # dataset key or published table
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("delivery.id"))
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("publication.id"))
    started_at: Mapped[created_at]
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    success: Mapped[bool | None]
    blocking_failed: Mapped[bool] = mapped_column(default=False)
    statistics: Mapped[dict[str, Any]]
    docs_url: Mapped[str | None] = mapped_column(Text)

    results: Mapped[list[QualityResult]] = relationship(back_populates="run")


class QualityResult(Base):
    """One expectation's outcome, with the records that failed it."""

    __tablename__ = "quality_result"

    id: Mapped[intpk]
    run_id: Mapped[int] = mapped_column(ForeignKey("quality_run.id"), index=True)
    expectation: Mapped[str] = mapped_column(String(128))
    column: Mapped[str | None] = mapped_column(String(64))
    kwargs: Mapped[dict[str, Any]]
    blocking: Mapped[bool] = mapped_column(default=False)
    success: Mapped[bool]
    observed_value: Mapped[dict[str, Any]]
    unexpected_count: Mapped[int | None]
    failing_record_ids: Mapped[list[Any]]

    run: Mapped[QualityRun] = relationship(back_populates="results")


class StewardDecision(Base):
    """A steward's ruling (same person, different people, detach, merge, split, release),
    honoured by every later run until revoked."""

    __tablename__ = "steward_decision"
    __table_args__ = (Index("ix_steward_decision_kind", "kind", "revoked_at"),)

    id: Mapped[intpk]
    kind: Mapped[str] = mapped_column(String(32))
    entity_kind: Mapped[str] = mapped_column(String(16))
    subject: Mapped[dict[str, Any]]  # record refs and/or entity ids the decision is about
    actor: Mapped[str] = mapped_column(String(128))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[created_at]
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    revoked_by: Mapped[str | None] = mapped_column(String(128))
    revoked_reason: Mapped[str | None] = mapped_column(Text)


class AuditEntry(Base):
    """An append-only, hash-chained record of one read or write of personal data."""

    __tablename__ = "audit_entry"

    id: Mapped[intpk]
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    actor: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    purpose: Mapped[str | None] = mapped_column(Text)
    operation: Mapped[str | None] = mapped_column(String(128))
    person_ids: Mapped[list[Any]]
    fields: Mapped[list[Any]]
    allowed: Mapped[bool]
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # HMAC-SHA256 of entry_hash under the audit key, which the database does not hold.
    entry_mac: Mapped[str | None] = mapped_column(String(64))


class AuditPerson(Base):
    """Which persons an audit entry names: the index ``auditTrail(personId)`` reads.

    Derived from ``audit_entry.person_ids`` (which the hash covers) and append-only like it.
    """

    __tablename__ = "audit_person"
    __table_args__ = (Index("ix_audit_person_person", "person_id", "entry_id"),)

    entry_id: Mapped[int] = mapped_column(
        BigId, ForeignKey("audit_entry.id"), primary_key=True, autoincrement=False
    )
    person_id: Mapped[str] = mapped_column(String(32), primary_key=True)


class AuditHead(Base):
    """The chain's head: one row, locked by every append so entries chain in one order, and
    the anchor that shows a deleted last entry."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)  # always 1
    length: Mapped[int] = mapped_column(BigInteger, default=0)
    entry_id: Mapped[int | None] = mapped_column(BigInteger)
    entry_hash: Mapped[str] = mapped_column(String(64))
    head_mac: Mapped[str | None] = mapped_column(String(64))  # of length and hash, keyed


class MoveRequest(Base):
    """An entry that would link to, move or change a resident outside its author's grid,
    held until the resident's current grid (or a steward) confirms or rejects it."""

    __tablename__ = "move_request"
    __table_args__ = (Index("ix_move_request_status_grid", "status", "person_grid"),)

    id: Mapped[intpk]
    created_at: Mapped[created_at]
    status: Mapped[str] = mapped_column(String(16))  # pending, confirmed, rejected
    person_id: Mapped[str] = mapped_column(String(32))  # the resident the entry matched
    person_grid: Mapped[str | None] = mapped_column(String(17))  # their grid when asked
    kind: Mapped[str] = mapped_column(String(16))  # the entry's kind (register, update...)
    entry: Mapped[dict[str, Any]]  # the entry as typed (its raw row)
    house_id: Mapped[str | None] = mapped_column(String(32))  # the house the author picked
    requested_by: Mapped[str] = mapped_column(String(128))
    requester_role: Mapped[str] = mapped_column(String(32))
    requester_grid: Mapped[str | None] = mapped_column(String(17))
    decided_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    decided_by: Mapped[str | None] = mapped_column(String(128))
    decided_role: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str | None] = mapped_column(Text)
    record_id: Mapped[str | None] = mapped_column(String(32))  # the entry, once confirmed


class ApiToken(Base):
    """A department user's API token, stored as a hash only."""

    __tablename__ = "api_token"

    id: Mapped[intpk]
    name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))
    grid_code: Mapped[str | None] = mapped_column(String(17), ForeignKey("grid.code"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[created_at]
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class ChangeEvent(Base):
    """The change feed: what changed in golden persons and houses, in commit order."""

    __tablename__ = "change_event"
    __table_args__ = (
        Index("ix_change_event_entity", "entity_kind", "entity_id"),
        Index("ix_change_event_grid_code", "grid_code", "seq"),
    )

    seq: Mapped[intpk]
    at: Mapped[created_at]
    entity_kind: Mapped[str] = mapped_column(String(16))
    entity_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16))  # created, updated, merged, ended
    entity_version: Mapped[int | None]  # the entity's version after this change
    changes: Mapped[dict[str, Any]]  # field -> {"old": ..., "new": ...}
    provenance: Mapped[dict[str, Any]]
    actor: Mapped[str | None] = mapped_column(String(128))
    publication_id: Mapped[int | None] = mapped_column(ForeignKey("publication.id"))
    # The entity's grid after the change, and before it when the change moved it: a
    # grid-scoped reader sees the events of its grid, a move out of it included.
    grid_code: Mapped[str | None] = mapped_column(String(17))
    grid_before: Mapped[str | None] = mapped_column(String(17))
    # The steward decision the change carries out, when a steward's action caused it.
    decision_id: Mapped[int | None] = mapped_column(ForeignKey("steward_decision.id"))


class PipelineFailure(Base):
    """A failed pipeline run, recorded by the run-failure sensor for engineers."""

    __tablename__ = "pipeline_failure"

    id: Mapped[intpk]
    at: Mapped[created_at]
    run_id: Mapped[str] = mapped_column(String(64))
    job: Mapped[str] = mapped_column(String(128))
    step: Mapped[str | None] = mapped_column(String(128))
    message: Mapped[str] = mapped_column(Text)
