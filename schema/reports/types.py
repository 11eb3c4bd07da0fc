"""Citizen reports and their steps as GraphQL types, and the results of the loop's
mutations (expected failures are data)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated

import strawberry

from hub.api.access import DataCategory, Grant
from hub.reports.status import is_overdue
from hub.storage import models
from schema.context import Info
from schema.enums import Handler, ReportStatus
from schema.errors import Forbidden
from schema.fields import field, object_type, utc

if TYPE_CHECKING:
    from schema.grids.types import Grid
    from schema.persons.types import Person


@object_type
class ReportStep:
    """One move of a report through the loop: to which state, when, by whom."""

    status: ReportStatus
    at: dt.datetime
    actor: str | None
    role: str | None
    note: str | None


@object_type
class CitizenReport:
    """A snap-and-report event (随手拍): what was reported, where, by whom, and how far it
    has got (submitted -> assigned -> handled -> answered -> rated)."""

    event_id: str
    origin: str = strawberry.field(
        description="``chengguan.report`` (city management's deliveries) or ``hub``."
    )
    category: str
    description: str | None
    address: str | None
    lng: float | None
    lat: float | None
    reported_at: dt.datetime | None
    status: ReportStatus
    department: str | None
    assigned_role: Handler | None = strawberry.field(
        description="The role that handles and answers it, once assigned."
    )
    valid: bool | None = strawberry.field(description="Judged when assigned; valid earns points.")
    answer: str | None
    rating: int | None
    points: int | None
    grid_code: str | None
    located_by: str | None = strawberry.field(
        description="How the hub placed it: address, building, coordinates or grid (the "
        "reporting grid worker's); null when nothing placed it."
    )
    version: int = strawberry.field(description="Pass it back as ``expectedVersion``.")
    row: strawberry.Private[models.CitizenReport]

    @classmethod
    def from_row(cls, row: models.CitizenReport) -> CitizenReport:
        return cls(
            event_id=row.event_id, origin=row.origin, category=row.category,
            description=row.description, address=row.address, lng=row.lng, lat=row.lat,
            reported_at=None if row.reported_at is None else utc(row.reported_at),
            status=ReportStatus(row.status),
            department=row.department,
            assigned_role=None if row.assigned_role is None else Handler(row.assigned_role),
            valid=row.valid, answer=row.answer, rating=row.rating, points=row.points,
            grid_code=row.grid_code, located_by=row.located_by, version=row.version, row=row,
        )  # fmt: skip

    @field
    def overdue(self, info: Info) -> bool:
        """Still open (not answered) more than five days after it was submitted (the hub's
        answer deadline, ``ANSWER_WITHIN_DAYS`` in ``hub/reports/status.py``)."""
        return is_overdue(self.status, self.row.reported_at, info.context.today)

    @field(reads=DataCategory.PHONE)
    def reporter_phone(self, info: Info) -> str | None:
        """The reporter's phone, masked unless granted in full."""
        return info.context.viewer.show(
            DataCategory.PHONE, self.row.reporter_phone, "CitizenReport.reporterPhone"
        )

    @field(reads=DataCategory.IDENTITY)
    async def reporter(
        self, info: Info
    ) -> Annotated[Person, strawberry.lazy("schema.persons.types")] | None:
        """The resident whose phone the reporter's is, when exactly one active resident has
        it. Only for a role that reads phones in full: to one that sees them masked, the
        resident behind a number would give the number away."""
        from schema.persons.types import Person

        viewer = info.context.viewer
        if viewer.grant(DataCategory.PHONE, "CitizenReport.reporterPhone") is not Grant.FULL:
            info.context.reads.record("CitizenReport.reporter", self.row.person_id, allowed=False)
            raise Forbidden("The reporter is found by their phone: it needs phones in full.")
        if self.row.person_id is None:
            return None
        (found,) = await Person.resolve_nodes(info=info, node_ids=[self.row.person_id])
        return found

    @field
    async def grid(
        self, info: Info
    ) -> Annotated[Grid, strawberry.lazy("schema.grids.types")] | None:
        """The responsibility grid it lies in."""
        from schema.grids.types import grid_by_code

        return await grid_by_code(info, self.row.grid_code)

    @field
    async def steps(self, info: Info) -> list[ReportStep]:
        """Every step so far, oldest first."""
        rows = await info.context.loaders.report_steps.load(self.row.id)
        return [
            ReportStep(
                status=ReportStatus(r.status), at=utc(r.at), actor=r.actor, role=r.role, note=r.note
            )
            for r in rows
        ]


@object_type
class ReportNotFound:
    """No report has this event id."""

    message: str


@object_type
class ReportFieldProblem:
    """Why one value cannot be taken as typed."""

    field: str
    code: str
    message: str


@object_type
class ReportInvalid:
    """Values that cannot be taken as typed; nothing was stored."""

    problems: list[ReportFieldProblem]


@object_type
class InvalidTransition:
    """The report is not where this step starts from: it is ``status``, its next step is
    another (or none)."""

    status: ReportStatus
    message: str


@object_type
class StaleReport:
    """The report changed since the version the step was based on: look again."""

    expected_version: int
    current_version: int
    message: str


ReportEventResult = Annotated[
    CitizenReport | ReportInvalid,
    strawberry.union("ReportEventResult", description="The report made, or why not."),
]
ReportStepResult = Annotated[
    CitizenReport | ReportNotFound | InvalidTransition | StaleReport | ReportInvalid,
    strawberry.union("ReportStepResult", description="The report moved on, or why not."),
]
