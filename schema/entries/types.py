"""What a grid worker sends, and what comes back: the person as now published, or why not."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from hub.api.access import DataCategory
from hub.storage import models
from schema.context import Info
from schema.fields import field, input_type, object_type, utc
from schema.persons.types import Person

if TYPE_CHECKING:
    from schema.grids.types import Grid


@input_type
class ResidentRegistration:
    """A resident the worker met: as on their ID card, with a contact and the house they
    live in (a grid worker picks a house of their grid; others may type an address)."""

    name: str
    resident_id: str | None = None
    sex: str | None = strawberry.field(default=None, description="男 or 女.")
    birth_date: str | None = strawberry.field(
        default=None, description="As written: 1980-03-05, 1980年3月5日, 19800305."
    )
    phone: str | None = None
    house_id: relay.GlobalID | None = strawberry.field(
        default=None, description="A House id from the hub."
    )
    address: str | None = strawberry.field(
        default=None, description="The address as typed, placed like a department's."
    )
    lives_alone: bool | None = None
    note: str | None = None


@input_type
class ResidentUpdate:
    """A known resident's new phone, house or living situation (at least one)."""

    phone: str | None = None
    house_id: relay.GlobalID | None = None
    address: str | None = None
    lives_alone: bool | None = None
    note: str | None = None


@object_type
class EntryAccepted:
    """The entry is a record of its own now, and the golden person already shows it."""

    entry_id: str
    person: Person


@object_type
class EntryFieldError:
    """Why one field cannot be accepted as typed (``field`` as the input names it)."""

    field: str
    code: str
    message: str


@object_type
class EntryInvalid:
    """Nothing was stored: correct these fields and send again."""

    errors: list[EntryFieldError]


@object_type
class StaleVersion:
    """The resident changed since you looked: read them again, then make your change."""

    expected_version: int
    current_version: int
    message: str


@object_type
class EntryOutOfScope:
    """The resident or house lies outside your grid."""

    message: str


@object_type
class EntryPersonNotFound:
    """No published person has this id."""

    message: str


@object_type
class EntryPending:
    """The hub knows this resident in another grid: the entry waits until a grid worker of
    that grid or a steward confirms it. Nothing else is said about them, whatever matched."""

    request_id: int
    message: str


EntryResult = Annotated[
    EntryAccepted
    | EntryInvalid
    | StaleVersion
    | EntryOutOfScope
    | EntryPersonNotFound
    | EntryPending,
    strawberry.union("EntryResult", description="The entry's outcome: expected failures are data."),
]


@object_type
class MoveProposal:
    """What the held entry would make of the resident, as its author typed it."""

    row: strawberry.Private[models.MoveRequest]
    house: strawberry.Private[models.House | None]

    @field(reads=DataCategory.IDENTITY)
    def name(self) -> str | None:
        """The name as typed."""
        value = self.row.entry.get("name")
        return value if isinstance(value, str) else None

    @field(reads=DataCategory.RESIDENT_ID)
    def resident_id(self, info: Info) -> str | None:
        """The resident ID as typed, masked unless granted in full."""
        value = self.row.entry.get("resident_id")
        shown = value if isinstance(value, str) else None
        return info.context.viewer.show(DataCategory.RESIDENT_ID, shown, "MoveProposal.residentId")

    @field(reads=DataCategory.PHONE)
    def phone(self, info: Info) -> str | None:
        """The phone as typed, masked unless granted in full."""
        value = self.row.entry.get("phone")
        shown = value if isinstance(value, str) else None
        return info.context.viewer.show(DataCategory.PHONE, shown, "MoveProposal.phone")

    @field(reads=DataCategory.RESIDENCE)
    def address(self) -> str | None:
        """Where the entry says the resident lives now: the house picked, or as typed."""
        if self.house is not None:
            from schema.houses.types import House

            return House.from_row(self.house).address()
        value = self.row.entry.get("address")
        return value if isinstance(value, str) else None

    @field(reads=DataCategory.RESIDENCE)
    def grid_code(self) -> str | None:
        """The grid of that house (for a typed address: the requester's grid)."""
        if self.house is not None:
            return self.house.grid_code
        return self.row.requester_grid


@object_type
class MoveRequest:
    """An entry held because it would link to, move or change a resident of your grid (or,
    for a steward, of any): confirm it to apply it, or reject it."""

    request_id: int
    status: str = strawberry.field(description="pending, confirmed or rejected.")
    kind: str = strawberry.field(description="The entry's kind: register, update, moved.")
    requested_at: dt.datetime
    requested_by: str
    decided_by: str | None
    note: str | None
    row: strawberry.Private[models.MoveRequest]
    house: strawberry.Private[models.House | None]

    @classmethod
    def from_row(cls, row: models.MoveRequest, house: models.House | None) -> MoveRequest:
        return cls(
            request_id=row.id, status=row.status, kind=row.kind,
            requested_at=utc(row.created_at), requested_by=row.requested_by,
            decided_by=row.decided_by, note=row.note, row=row, house=house,
        )  # fmt: skip

    @field
    async def requester_grid(
        self, info: Info
    ) -> Annotated[Grid, strawberry.lazy("schema.grids.types")] | None:
        """The grid of the worker who made the entry."""
        from schema.grids.types import grid_by_code

        return await grid_by_code(info, self.row.requester_grid)

    @field(reads=DataCategory.IDENTITY)
    async def person(self, info: Info) -> Person | None:
        """The resident the entry matched (in your grid: you decide for them)."""
        (found,) = await Person.resolve_nodes(info=info, node_ids=[self.row.person_id])
        return found

    @field
    def proposal(self) -> MoveProposal:
        """What the entry would change."""
        return MoveProposal(row=self.row, house=self.house)


@object_type
class MoveConfirmed:
    """The entry is applied: the resident's golden record shows it now."""

    request: MoveRequest
    entry_id: str


@object_type
class MoveRequestRefused:
    """Nothing was decided: why (the request stays as it was)."""

    message: str


MoveDecision = Annotated[
    MoveConfirmed | MoveRequest | MoveRequestRefused,
    strawberry.union(
        "MoveDecision",
        description="A confirmed request, a rejected one (the request), or why neither.",
    ),
]
