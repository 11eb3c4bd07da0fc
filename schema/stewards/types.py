"""Steward decisions and reviews of uncertain matches as GraphQL types, and the results of
steward mutations (expected failures are data)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.api.access import DataCategory
from hub.stewards import decisions
from hub.storage import models
from schema.context import Info
from schema.enums import DecisionKind
from schema.fields import field, object_type, utc
from schema.persons.query import PersonNotFound

if TYPE_CHECKING:
    from schema.persons.types import Person
    from schema.provenance.types import SourceRecord


@object_type
class StewardDecision:
    """A steward's ruling, honoured by every later run until revoked: who made it, when, and
    what it is about."""

    id: int
    kind: DecisionKind
    actor: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    revoked_by: str | None
    row: strawberry.Private[models.StewardDecision]

    @classmethod
    def from_row(cls, row: models.StewardDecision) -> StewardDecision:
        return cls(id=row.id, kind=DecisionKind(row.kind), actor=row.actor,
                   created_at=utc(row.created_at),
                   revoked_at=None if row.revoked_at is None else utc(row.revoked_at),
                   revoked_by=row.revoked_by, row=row)  # fmt: skip

    @field(reads=DataCategory.LINEAGE)
    def reason(self) -> str:
        """Why, in the steward's words (it may quote the records it is about)."""
        return self.row.reason

    @field(reads=DataCategory.LINEAGE)
    def records(self) -> list[str]:
        """The records it names (``dataset:recordId``), and those it keeps them from."""
        return decisions.records_of(self.row)

    @field(reads=DataCategory.LINEAGE)
    def revoked_reason(self) -> str | None:
        """Why it was revoked, in the revoking steward's words."""
        return self.row.revoked_reason


@object_type
class ComparisonEvidence:
    """One comparison of an uncertain pair: the level it reached and its weight."""

    comparison: str
    description: str
    level: str
    weight: float | None = strawberry.field(
        description="Bits for (positive) or against (negative) one person; frequency "
        "adjustment included."
    )


@object_type
class MatchReview:
    """A scored pair of person records near the model's threshold, for a steward to rule on."""

    left_uid: str
    right_uid: str
    match_probability: float
    match_weight: float
    distance: float = strawberry.field(description="Bits from the threshold's weight.")
    evidence: list[ComparisonEvidence]
    left_person_id: strawberry.Private[str | None]
    right_person_id: strawberry.Private[str | None]

    @field
    def same_person(self) -> bool:
        """Whether the two records belong to one person now."""
        return self.left_person_id is not None and self.left_person_id == self.right_person_id

    @field
    async def left_record(
        self, info: Info
    ) -> Annotated[SourceRecord, strawberry.lazy("schema.provenance.types")] | None:
        """The left record's current version."""
        return await _record(info, self.left_uid)

    @field
    async def right_record(
        self, info: Info
    ) -> Annotated[SourceRecord, strawberry.lazy("schema.provenance.types")] | None:
        """The right record's current version."""
        return await _record(info, self.right_uid)

    @field
    async def left_person(
        self, info: Info
    ) -> Annotated[Person, strawberry.lazy("schema.persons.types")] | None:
        """The person the left record belongs to now."""
        return await _person(info, self.left_person_id)

    @field
    async def right_person(
        self, info: Info
    ) -> Annotated[Person, strawberry.lazy("schema.persons.types")] | None:
        """The person the right record belongs to now."""
        return await _person(info, self.right_person_id)


async def _record(info: Info, uid: str) -> SourceRecord | None:
    from schema.provenance.types import current_record

    return await current_record(info.context, uid)


async def _person(info: Info, person_id: str | None) -> Person | None:
    from schema.persons.types import Person

    if person_id is None:
        return None
    (found,) = await Person.resolve_nodes(info=info, node_ids=[person_id])
    return found


@object_type
class StewardActionDone:
    """The action is stored and in effect: the persons its records belong to now, and how
    many change-feed events it caused."""

    decisions: list[StewardDecision]
    person_ids: list[str]
    changes: int


@object_type
class ActionRefused:
    """The action cannot be done as asked (nothing was stored); ``message`` says why."""

    message: str


@object_type
class QuarantinedRowNotFound:
    """No quarantined row has this id."""

    message: str


@object_type
class CorrectionRejected:
    """The corrected row cannot stand, as a delivered one could not: nothing was stored."""

    reason: str = strawberry.field(description="e.g. malformed_record_id, missing_name")
    field_name: str | None = strawberry.field(name="field")
    message: str


@object_type
class RowReleased:
    """The row is a record now (a version of its dataset's current snapshot, brought by a
    delivery of its own), the quarantined row is marked released, and the publication is up to
    date."""

    decision: StewardDecision
    dataset: str
    record_id: str
    delivery_id: int
    entity_ids: list[str] = strawberry.field(
        description="The persons or houses the record is linked to now."
    )
    field_issues: list[str] = strawberry.field(
        description="Fields flagged as delivered ones would be; the record loads anyway."
    )
    changes: int


@object_type
class DecisionRevoked:
    """The decision no longer holds: its records were resolved again on their own merits (a
    release's correction is no longer applied to later deliveries)."""

    decision: StewardDecision
    person_ids: list[str] = strawberry.field(
        description="The persons the decision's records belong to now."
    )
    changes: int


@object_type
class DecisionNotFound:
    """No steward decision has this id."""

    message: str


RevokeResult = Annotated[
    DecisionRevoked | ActionRefused | DecisionNotFound,
    strawberry.union("RevokeResult", description="Revoked, or why not: failures are data."),
]

StewardActionResult = Annotated[
    StewardActionDone | ActionRefused | PersonNotFound,
    strawberry.union("StewardActionResult", description="Done, or why not: failures are data."),
]
__all__ = ["PersonNotFound"]

ReleaseResult = Annotated[
    RowReleased | CorrectionRejected | ActionRefused | QuarantinedRowNotFound,
    strawberry.union("ReleaseResult", description="Released, or why not: failures are data."),
]
