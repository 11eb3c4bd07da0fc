"""Report queries: the reports of a grid subtree, by status, and one report by event id."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import strawberry
from sqlalchemy import ColumnElement, select

from hub.api.access import DataCategory, Viewer
from hub.reports.status import OPEN_STATUSES, overdue_before
from hub.storage import models
from hub.storage.grid import in_subtree
from schema.context import Info
from schema.enums import ReportStatus
from schema.errors import Forbidden
from schema.fields import field, input_type
from schema.grids.query import require_grid
from schema.pagination import After, Connection, First, PageRequest, keyset_page
from schema.permissions import OUTSIDE_SCOPE
from schema.reports.types import CitizenReport, ReportNotFound


@input_type
class ReportFilter:
    """Conditions on reports; every condition given must hold."""

    grid_code: str | None = strawberry.field(
        default=None, description="A grid code: reports anywhere in its subtree."
    )
    status: ReportStatus | None = None
    open: bool | None = strawberry.field(default=None, description="True: not answered yet.")
    overdue: bool | None = strawberry.field(
        default=None, description="True: open past the answer deadline."
    )
    origin: str | None = None


CitizenReportResult = Annotated[
    CitizenReport | ReportNotFound,
    strawberry.union("CitizenReportResult", description="The report, or why there is none."),
]


def report_conditions(
    where: ReportFilter, viewer: Viewer, today: dt.date
) -> list[ColumnElement[bool]]:
    report = models.CitizenReport
    conditions: list[ColumnElement[bool]] = []
    for prefix in (viewer.grid_scope, where.grid_code):
        if prefix is not None:
            conditions.append(in_subtree(report.grid_code, prefix))
    if where.status is not None:
        conditions.append(report.status == where.status.value)
    if where.origin is not None:
        conditions.append(report.origin == where.origin)
    open_values = [s.value for s in OPEN_STATUSES]
    if where.open is not None:
        conditions.append(
            report.status.in_(open_values) if where.open else report.status.not_in(open_values)
        )
    if where.overdue is not None:
        late = report.status.in_(open_values) & (report.reported_at < overdue_before(today))
        conditions.append(late if where.overdue else ~late)
    return conditions


@strawberry.type
class ReportQuery:
    @field(reads=DataCategory.REPORTS)
    async def citizen_reports(
        self, info: Info, filter: ReportFilter | None = None, first: First = 20,
        after: After = None,
    ) -> Connection[CitizenReport]:  # fmt: skip
        """Snap-and-report events inside your grid scope, newest first."""
        page = PageRequest.of("CitizenReport", first, after)
        context = info.context
        if filter is not None and filter.grid_code is not None:
            await require_grid(info, filter.grid_code)
        where = report_conditions(filter or ReportFilter(), context.viewer, context.today)
        stmt = select(models.CitizenReport).where(*where)
        return await keyset_page(context.db, stmt, models.CitizenReport.id, page,
                                 CitizenReport.from_row, descending=True)  # fmt: skip

    @field(reads=DataCategory.REPORTS)
    async def citizen_report(self, info: Info, event_id: str) -> CitizenReportResult:
        """One report by its event id (``CG...`` from city management, ``HB...`` the hub's)."""
        stmt = select(models.CitizenReport).where(models.CitizenReport.event_id == event_id)
        row = await info.context.db(lambda s: s.scalars(stmt).first())
        if row is None:
            return ReportNotFound(message=f"No report {event_id}.")
        if not info.context.viewer.sees(row.grid_code):
            raise Forbidden(OUTSIDE_SCOPE)
        return CitizenReport.from_row(row)
