"""The audit trail of one resident, for stewards: who looked, when and why."""

from __future__ import annotations

import strawberry
from sqlalchemy import select
from sqlalchemy.orm import Session
from strawberry import relay

from hub.api import audit
from hub.api.access import DataCategory
from hub.storage import models
from schema.audit.types import AuditEntry
from schema.context import Info
from schema.errors import BadUserInput
from schema.fields import field
from schema.node import load_persons
from schema.pagination import After, Connection, First, PageRequest, keyset_page


@strawberry.type
class AuditQuery:
    @field(reads=DataCategory.AUDIT)
    async def audit_trail(
        self, info: Info, person_id: relay.GlobalID, first: First = 20, after: After = None
    ) -> Connection[AuditEntry]:
        """Every request that read this person's data, newest first, including reads under
        ids merged into them since."""
        if person_id.type_name != "Person":
            raise BadUserInput("personId must be the id of a Person.")
        page = PageRequest.of("AuditEntry", first, after)
        wanted = person_id.node_id
        redirect = models.EntityRedirect

        if info.context.viewer.grid_scope is not None:
            await load_persons(info.context, [wanted])  # refuses a person outside the scope

        def ids(session: Session) -> list[str]:
            survivor = session.scalar(select(redirect.new_id).where(redirect.old_id == wanted))
            target = survivor or wanted
            merged = session.scalars(select(redirect.old_id).where(redirect.new_id == target))
            return sorted({wanted, target, *merged})

        person_ids = await info.context.db(ids)
        info.context.reads.record("Query.auditTrail", wanted, allowed=True)
        return await keyset_page(
            info.context.db, audit.trail(person_ids), models.AuditEntry.id, page,
            AuditEntry.from_row, descending=True,
        )  # fmt: skip
