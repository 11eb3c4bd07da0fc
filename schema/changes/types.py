"""Change-feed events as GraphQL types: each one already cut to what the reader may see
(:mod:`hub.feed.visibility`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

import strawberry
from strawberry.scalars import JSON

from hub.feed.visibility import ShownChange, ShownEvent
from schema.context import Info
from schema.enums import ChangeKind, EntityKind
from schema.fields import field, object_type, utc
from schema.pagination import encode_cursor
from schema.provenance.types import camel_case
from schema.stewards.types import StewardDecision

CURSOR_KIND = "ChangeEvent"


@strawberry.input(
    one_of=True, description="Where a feed starts when no cursor is given: one of the two."
)
class ChangeSince:
    seq: int | None = strawberry.field(
        default=strawberry.UNSET, description="After the event with this ``seq``."
    )
    at: dt.datetime | None = strawberry.field(
        default=strawberry.UNSET, description="From the first event written at or after this."
    )


@object_type
class ChangeProvenance:
    """Where a changed value came from: the record and the survivorship rule that chose it."""

    dataset: str | None
    record_id: str | None
    snapshot_date: dt.date | None
    rule: str | None


@object_type
class FieldChange:
    """One field of a golden person or house that changed, as the reader may see it (masked
    where the grant says so); ``field`` is the field's GraphQL name (``phone``, ``gridCode``,
    ``tags``...)."""

    field: str
    old: JSON | None
    new: JSON | None
    provenance: ChangeProvenance | None


@object_type
class ChangeEvent:
    """What changed in one golden person or house in one publication, in commit order."""

    cursor: str = strawberry.field(description="Resume after this event from here.")
    seq: int = strawberry.field(description="Its place in commit order.")
    at: dt.datetime
    entity_kind: EntityKind
    entity_id: str = strawberry.field(description="The person (``P...``) or house (``H...``).")
    kind: ChangeKind
    version: int | None = strawberry.field(description="The entity's version after it.")
    changes: list[FieldChange]
    actor: str | None = strawberry.field(
        description="Who made the change: a pipeline run, a steward, a grid worker."
    )
    decision_id: strawberry.Private[int | None]

    @classmethod
    def from_shown(cls, shown: ShownEvent) -> ChangeEvent:
        row = shown.row
        return cls(
            cursor=encode_cursor(CURSOR_KIND, row.seq), seq=row.seq, at=utc(row.at),
            entity_kind=EntityKind(row.entity_kind), entity_id=row.entity_id,
            kind=ChangeKind(row.kind), version=row.entity_version,
            changes=[_change(c) for c in shown.changes], actor=row.actor,
            decision_id=row.decision_id,
        )  # fmt: skip

    @field
    async def decision(self, info: Info) -> StewardDecision | None:
        """The steward decision this change carries out, when a steward's action caused it."""
        if self.decision_id is None:
            return None
        row = await info.context.loaders.decision.load(self.decision_id)
        return None if row is None else StewardDecision.from_row(row)


def _change(change: ShownChange) -> FieldChange:
    return FieldChange(
        field=camel_case(change.field), old=change.old, new=change.new,
        provenance=None if change.provenance is None else _provenance(change.provenance),
    )  # fmt: skip


def _provenance(source: Mapping[str, Any]) -> ChangeProvenance:
    snapshot = source.get("snapshot_date")
    return ChangeProvenance(
        dataset=source.get("dataset"), record_id=source.get("record_id"),
        snapshot_date=dt.date.fromisoformat(str(snapshot)[:10]) if snapshot else None,
        rule=source.get("rule"),
    )  # fmt: skip


@strawberry.type(description="An event and the cursor to resume after it.")
class ChangeEventEdge:
    cursor: str
    node: ChangeEvent


@strawberry.type(description="One page of the change feed, in commit order.")
class ChangeEventConnection:
    edges: list[ChangeEventEdge]
    page_info: strawberry.relay.PageInfo = strawberry.field(
        description="``endCursor`` is how far the page read: it may lie past the last edge, "
        "over events that are not yours to see; resume from it."
    )
