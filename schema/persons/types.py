"""The golden person as GraphQL sees it: every personal field asks the viewer first."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from hub.api.access import DataCategory
from hub.storage import models
from schema.context import Info
from schema.enums import EntityStatus, Tag
from schema.fields import field, from_row, object_type
from schema.loaders import now_or_later
from schema.node import load_persons
from schema.persons import facts

if TYPE_CHECKING:
    from schema.grids.types import Grid
    from schema.houses.types import House
    from schema.provenance.types import Provenance, SourceRecord
    from schema.reports.types import CitizenReport


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Age in whole years on ``on``."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def note_returned(info: Info, rows: Sequence[models.Person | None]) -> None:
    """Note ``rows`` in the read log as returned by the field being resolved (an id in a
    list says who lives where as surely as a name does)."""
    coordinate = f"{info._raw_info.parent_type.name}.{info.field_name}"
    reads = info.context.reads
    for row in rows:
        if row is not None:
            reads.record(coordinate, row.id, allowed=True)


@object_type
class Person(relay.Node):
    """One real resident, resolved across the departments' records (a golden record).

    Each value is the survivor of the departments' values; ``provenance`` says which record
    it came from and what it beat.
    """

    id: relay.NodeID[str]
    row: strawberry.Private[models.Person]

    @classmethod
    def from_row(cls, row: models.Person) -> Person:
        """Wrap a published person row."""
        return cls(id=row.id, row=row)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Person | None]:
        """Persons by id, following merged ids to their survivors."""
        rows = await load_persons(info.context, node_ids)
        note_returned(info, rows)
        return [None if row is None else cls.from_row(row) for row in rows]

    @field
    def entity_id(self) -> str:
        """The hub's stable person id (``P...``) as exports name it; ``id`` wraps it."""
        return self.row.id

    @field
    def status(self) -> EntityStatus:
        """Active, ended (died, moved away) or merged into another person."""
        return self.row.status

    @field
    def version(self) -> int:
        """Bumped by every change to the golden record: an edit names the version it was
        based on, and is refused when the person changed since (optimistic concurrency)."""
        return self.row.version

    @field(reads=DataCategory.IDENTITY)
    def name(self) -> str | None:
        """Name, normalised (simplified characters, no stray spaces)."""
        return self.row.name

    @field(reads=DataCategory.IDENTITY)
    def name_pinyin(self) -> str | None:
        """Toneless pinyin of the name, e.g. ``chen xiu ying``."""
        return self.row.name_pinyin

    @field(reads=DataCategory.IDENTITY)
    def sex(self) -> str | None:
        """男 or 女."""
        return self.row.sex

    @field(reads=DataCategory.IDENTITY)
    def birth_date(self) -> dt.date | None:
        """Date of birth (the first of the month when only the month is known)."""
        return self.row.birth_date

    @field(reads=DataCategory.IDENTITY)
    def birth_precision(self) -> str | None:
        """How precise ``birthDate`` is: ``day`` or ``month``."""
        return self.row.birth_precision

    @field(reads=DataCategory.IDENTITY)
    def age(self, info: Info) -> int | None:
        """Age in whole years today (China Standard Time)."""
        born = self.row.birth_date
        return None if born is None else age_on(born, info.context.today)

    @field(reads=DataCategory.IDENTITY)
    def ethnicity(self) -> str | None:
        """Ethnicity as public security registers it, e.g. 汉族, 畲族."""
        return self.row.ethnicity

    @field(reads=DataCategory.RESIDENT_ID)
    def resident_id(self, info: Info) -> str | None:
        """The 18-character resident ID (公民身份号码), masked unless granted in full."""
        return info.context.viewer.show(
            DataCategory.RESIDENT_ID, self.row.resident_id, "Person.residentId"
        )

    @field(reads=DataCategory.PHONE)
    def phone(self, info: Info) -> str | None:
        """The freshest phone number any department holds, masked unless granted in full."""
        return info.context.viewer.show(DataCategory.PHONE, self.row.phone, "Person.phone")

    @field(reads=DataCategory.RESIDENCE)
    def registration(self) -> facts.Registration:
        """Household registration: type (户籍/流动), household number, relation to the head."""
        return from_row(facts.Registration, self.row)

    @field(reads=DataCategory.RESIDENCE)
    def lives_alone(self) -> bool | None:
        """Whether the grid worker last reported the person living alone (null: not reported;
        the ``LIVING_ALONE`` tag then comes from the household register)."""
        return self.row.lives_alone

    @field(reads=DataCategory.RESIDENCE)
    def house(self, info: Info) -> Annotated[House, strawberry.lazy("schema.houses.types")] | None:
        """The house (standard address) the person lives in."""
        from schema.houses.types import House

        if self.row.house_id is None:
            return None
        # A value when a page's query loaded the houses already, else an awaitable (GraphQL
        # awaits what a resolver returns): see schema.loaders.now_or_later.
        return now_or_later(  # type: ignore[return-value]
            info.context.loaders.house,
            self.row.house_id,
            lambda row: None if row is None else House.from_row(row),
        )

    @field(reads=DataCategory.RESIDENCE)
    async def grid(
        self, info: Info
    ) -> Annotated[Grid, strawberry.lazy("schema.grids.types")] | None:
        """The responsibility grid the person's house lies in."""
        from schema.grids.types import grid_by_code

        return await grid_by_code(info, self.row.grid_code)

    @field(reads=DataCategory.RESIDENCE)
    async def household_members(self, info: Info) -> list[Person]:
        """Active people with the same household number, this person included; people
        outside the viewer's grid scope are left out."""
        if self.row.household_no is None:
            return [self]
        rows = await info.context.loaders.household.load(self.row.household_no)
        viewer = info.context.viewer
        shown = [row for row in rows if viewer.sees(row.grid_code)]
        note_returned(info, shown)
        return [Person.from_row(row) for row in shown]

    @field(reads=DataCategory.TAGS)
    def tags(self, info: Info) -> list[Tag]:
        """Derived tags: those the viewer's role may see (the policy lists them per role)."""
        granted = info.context.viewer.tags
        return now_or_later(  # type: ignore[return-value]  # a value or an awaitable, as house
            info.context.loaders.tags,
            self.row.id,
            lambda tags: [Tag(t) for t in tags if t in granted],
        )

    @field(reads=DataCategory.BENEFITS)
    async def benefits(self, info: Info) -> list[facts.Benefit]:
        """Civil affairs assistance currently received."""
        rows = await info.context.loaders.benefits.load(self.row.id)
        return [from_row(facts.Benefit, row) for row in rows]

    @field(reads=DataCategory.HEALTH)
    async def vaccinations(self, info: Info) -> list[facts.Vaccination]:
        """Vaccine doses, newest record first."""
        rows = await info.context.loaders.vaccinations.load(self.row.id)
        return [from_row(facts.Vaccination, row) for row in rows]

    @field(reads=DataCategory.HEALTH)
    async def health_groups(self, info: Info) -> list[facts.HealthGroup]:
        """Key health groups (高血压, 糖尿病, 孕产妇...) the person is managed in."""
        rows = await info.context.loaders.health_groups.load(self.row.id)
        return [from_row(facts.HealthGroup, row) for row in rows]

    @field(reads=DataCategory.PARTY)
    async def party_membership(self, info: Info) -> facts.PartyMembership | None:
        """Party membership, the most recent record when there are several."""
        rows = await info.context.loaders.party.load(self.row.id)
        return from_row(facts.PartyMembership, rows[0]) if rows else None

    @field(reads=DataCategory.REPORTS)
    async def citizen_reports(
        self, info: Info
    ) -> list[Annotated[CitizenReport, strawberry.lazy("schema.reports.types")]]:
        """Snap-and-report events the person filed, newest first."""
        from schema.reports.types import CitizenReport

        rows = await info.context.loaders.reports.load(self.row.id)
        return [CitizenReport.from_row(row) for row in rows]

    @field(reads=DataCategory.LINEAGE)
    async def source_records(
        self, info: Info, history: bool = False
    ) -> list[Annotated[SourceRecord, strawberry.lazy("schema.provenance.types")]]:
        """The department records linked to this person (current versions; all versions
        with ``history``), with the rule that linked each."""
        from schema.provenance.types import source_records_of

        return await source_records_of(info.context, self.row.id, history=history)

    @field(reads=DataCategory.LINEAGE)
    async def provenance(
        self,
        info: Info,
        field_name: Annotated[str | None, strawberry.argument(name="field")] = None,
    ) -> list[Annotated[Provenance, strawberry.lazy("schema.provenance.types")]]:
        """Where each golden value came from; ``field`` (``name``, ``residentId``...) picks one."""
        from schema.provenance.types import provenance_of

        return await provenance_of(info.context, self.row.id, field_name)
