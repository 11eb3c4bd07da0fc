"""Audit entries as a steward sees them: who read a resident's data, when, why, and what."""

from __future__ import annotations

import datetime as dt

from hub.storage import models
from schema.fields import object_type


@object_type
class FieldRead:
    """One field an operation read (or was refused), e.g. ``Person.phone``."""

    field: str
    allowed: bool


@object_type
class AuditEntry:
    """One request that read personal data. The other residents the same request read are
    not listed: ask for their own trail."""

    id: int
    at: dt.datetime
    actor: str
    role: str
    purpose: str | None
    operation: str | None
    allowed: bool
    fields: list[FieldRead]

    @classmethod
    def from_row(cls, row: models.AuditEntry) -> AuditEntry:
        """Wrap a stored entry."""
        return cls(
            id=row.id, at=row.at, actor=row.actor, role=row.role, purpose=row.purpose,
            operation=row.operation, allowed=row.allowed,
            fields=[FieldRead(field=f["field"], allowed=bool(f["allowed"])) for f in row.fields],
        )  # fmt: skip
