"""What a grid worker sends, and what comes back: the person as now published, or why not."""

from __future__ import annotations

from typing import Annotated

import strawberry
from strawberry import relay

from schema.fields import input_type, object_type
from schema.persons.types import Person


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


EntryResult = Annotated[
    EntryAccepted | EntryInvalid | StaleVersion | EntryOutOfScope | EntryPersonNotFound,
    strawberry.union("EntryResult", description="The entry's outcome: expected failures are data."),
]
