"""Lineage queries for stewards."""

from __future__ import annotations

import strawberry
from strawberry import relay

from hub.api.access import DataCategory
from schema.context import Info
from schema.errors import BadUserInput
from schema.fields import field
from schema.node import load_persons
from schema.provenance.types import SourceRecord, source_records_of


@strawberry.type
class ProvenanceQuery:
    @field(reads=DataCategory.LINEAGE)
    async def source_records(
        self, info: Info, person_id: relay.GlobalID, history: bool = False
    ) -> list[SourceRecord]:
        """The department records behind a person (merged ids follow their survivor)."""
        if person_id.type_name != "Person":
            raise BadUserInput("personId must be the id of a Person.")
        (row,) = await load_persons(info.context, [person_id.node_id])
        if row is None:
            return []
        info.context.reads.record("Query.sourceRecords", row.id, allowed=True)
        return await source_records_of(info.context, row.id, history=history)
