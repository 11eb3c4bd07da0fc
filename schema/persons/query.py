"""Person queries: lists departments filter, and lookups by id or resident ID."""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy import case, select
from strawberry import relay

from hub.api.access import DataCategory, Grant
from hub.api.limits import Quota
from hub.normalise import normalise_resident_id
from hub.storage import models
from schema.context import Info
from schema.enums import EntityStatus
from schema.errors import BadUserInput, Forbidden
from schema.fields import field, object_type
from schema.grids.query import require_grid
from schema.pagination import (
    After,
    Connection,
    First,
    PageRequest,
    keyset_page,
    node_selections,
)
from schema.persons.filters import PersonFilter, person_conditions
from schema.persons.types import Person

LOOKUP = "Query.personByResidentId"


@object_type
class InvalidResidentId:
    """The resident ID given is not a valid one (wrong length, check digit or date)."""

    status: str  # IdStatus: invalid_checksum, invalid_date, invalid_format...
    message: str


@object_type
class PersonNotFound:
    """No published person has this resident ID."""

    message: str


PersonByResidentIdResult = Annotated[
    Person | InvalidResidentId | PersonNotFound,
    strawberry.union(
        "PersonByResidentIdResult",
        description="The person, or why there is none: expected failures are data.",
    ),
]


async def _load_selected(info: Info, rows: list[models.Person]) -> None:
    """Load the page's houses and tags, when selected, in one batch each before the persons
    resolve: the same two queries the loaders would batch, but the fields then resolve
    without a task each (:func:`schema.loaders.now_or_later`)."""
    selected = node_selections(info)
    loaders, viewer = info.context.loaders, info.context.viewer
    if "house" in selected and viewer.reads(DataCategory.RESIDENCE, "Person.house"):
        await loaders.house.load_many(sorted({r.house_id for r in rows if r.house_id}))
    if "tags" in selected and viewer.reads(DataCategory.TAGS, "Person.tags"):
        await loaders.tags.load_many([r.id for r in rows])


@strawberry.type
class PersonQuery:
    @field(reads=DataCategory.IDENTITY)
    async def people(
        self,
        info: Info,
        filter: PersonFilter | None = None,
        first: First = 20,
        after: After = None,
    ) -> Connection[Person]:
        """Residents matching ``filter`` inside the viewer's grid scope, ordered by id."""
        page = PageRequest.of("Person", first, after)
        where = filter or PersonFilter()
        if where.grid_code is not None:
            await require_grid(info, where.grid_code)
        on = await info.context.snapshot_date() if where.age is not None else info.context.today
        stmt = select(models.Person).where(*person_conditions(where, info.context.viewer, on))
        reads = info.context.reads

        def wrap(row: models.Person) -> Person:
            reads.record("Query.people", row.id, allowed=True)
            return Person.from_row(row)

        found = await keyset_page(info.context.db, stmt, models.Person.id, page, wrap)
        await _load_selected(info, [edge.node.row for edge in found.edges])
        return found

    @field(reads=DataCategory.IDENTITY)
    async def person(self, info: Info, id: relay.GlobalID) -> Person | None:
        """One person by global id; a merged person's id returns the surviving person."""
        if id.type_name != "Person":
            raise BadUserInput("id must be the id of a Person.")
        (found,) = await Person.resolve_nodes(info=info, node_ids=[id.node_id])
        return found

    @field(reads=DataCategory.RESIDENT_ID)
    async def person_by_resident_id(self, info: Info, resident_id: str) -> PersonByResidentIdResult:
        """The person with this resident ID (18 characters; a legacy 15-digit one is
        upgraded). Pass it as a variable, so it stays out of logged query text. Needs the
        resident ID in full (a role that sees it masked would confirm guesses with it);
        a few lookups a minute per token; a resident outside your grid is not found."""
        context = info.context
        if context.viewer.grant(DataCategory.RESIDENT_ID, LOOKUP) is not Grant.FULL:
            context.reads.record(LOOKUP, None, allowed=False)
            raise Forbidden("Looking a resident up by ID needs the resident ID in full: your "
                            "role sees it masked.")  # fmt: skip
        context.charge(Quota.LOOKUP)
        parsed = normalise_resident_id(resident_id, today=info.context.today)
        if not parsed.usable or parsed.value is None:
            return InvalidResidentId(
                status=parsed.status.value, message=f"Not a valid resident ID ({parsed.status})."
            )
        person = models.Person
        active_first = case((person.status == EntityStatus.ACTIVE, 0), else_=1)
        stmt = (
            select(person)
            .where(person.resident_id == parsed.value, person.status != EntityStatus.MERGED)
            .order_by(active_first, person.id)
            .limit(1)
        )
        row = await info.context.db(lambda s: s.scalars(stmt).first())
        if row is not None and not context.viewer.sees(row.grid_code):
            # The same answer as for an unknown ID: "outside your grid" would confirm that
            # the ID is a resident's; the audit entry still names who was looked up.
            context.reads.record(LOOKUP, row.id, allowed=False)
            row = None
        if row is None:
            return PersonNotFound(message="No person with this resident ID.")
        context.reads.record(LOOKUP, row.id, allowed=True)
        return Person.from_row(row)
