"""The loop's mutations. Who may take each step is the policy's ``writes`` (and, for a grid
worker, the report's grid); handling and answering belong to the role the report was
assigned to. A step the loop refuses is data; nothing is stored then."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import strawberry
from sqlalchemy.orm import Session

from hub.api.access import DEVELOPER
from hub.reports import loop
from hub.reports.status import ReportStatus
from hub.storage import models
from schema.context import Info
from schema.enums import Handler
from schema.errors import Forbidden
from schema.fields import input_type, mutation
from schema.permissions import check_write
from schema.reports.types import (
    CitizenReport,
    InvalidTransition,
    ReportEventResult,
    ReportFieldProblem,
    ReportInvalid,
    ReportNotFound,
    ReportStepResult,
    StaleReport,
)

Step = Callable[[Session, models.CitizenReport, loop.Actor], models.CitizenReport]


@input_type
class ReportEventInput:
    """A report as a grid worker or city management takes it down: what, and where (an
    address, or coordinates in GCJ-02, or both)."""

    category: str = strawberry.field(
        description="交通违法, 环境卫生, 市容秩序, 占道经营, 违章搭建, 其他."
    )
    description: str | None = None
    address: str | None = None
    lng: float | None = None
    lat: float | None = None
    reporter_phone: str | None = strawberry.field(
        default=None, description="The reporter's mobile; pass it as a variable."
    )


def _actor(info: Info) -> loop.Actor:
    viewer = info.context.viewer
    return loop.Actor(viewer.actor or viewer.role, viewer.role, viewer.grid_scope)


def _invalid(error: loop.ReportInvalid) -> ReportInvalid:
    return ReportInvalid(problems=[ReportFieldProblem(field=p.field, code=p.code,
                                                      message=p.message)
                                   for p in error.problems])  # fmt: skip


def _noted(info: Info, row: models.CitizenReport) -> models.CitizenReport:
    """The report written, its reporter noted for the write's audit entry (committed with
    the write by :meth:`schema.context.Context.write`)."""
    if row.person_id is not None:
        info.context.reads.record(f"Mutation.{info.field_name}", row.person_id, allowed=True)
    return row


def _result(info: Info, row: models.CitizenReport) -> CitizenReport:
    return CitizenReport.from_row(row)


async def _step(info: Info, event_id: str, to: ReportStatus, step: Step) -> Any:
    """Find the report, check the writer may move it here, take the step in a savepoint."""
    viewer = info.context.viewer
    actor = _actor(info)

    def work(session: Session) -> models.CitizenReport:
        with session.begin_nested():
            report = loop.find(session, event_id)
            check_write(info, report.grid_code)
            handler_step = to in (ReportStatus.HANDLED, ReportStatus.ANSWERED)
            if handler_step and viewer.role not in (report.assigned_role, DEVELOPER):
                assigned = report.assigned_role or "nobody yet"
                raise Forbidden(f"The report is assigned to {assigned}, not to your role.")
            return _noted(info, step(session, report, actor))

    try:
        return _result(info, await info.context.write(work))
    except loop.ReportNotFound as missing:
        return ReportNotFound(message=str(missing))
    except loop.InvalidTransition as wrong:
        return InvalidTransition(status=wrong.status, message=str(wrong))
    except loop.StaleReport as stale:
        return StaleReport(expected_version=stale.expected, current_version=stale.current,
                           message=str(stale))  # fmt: skip
    except loop.ReportInvalid as invalid:
        return _invalid(invalid)


@strawberry.type
class ReportMutation:
    @mutation
    async def report_event(self, info: Info, input: ReportEventInput) -> ReportEventResult:
        """Take down a citizen's report: normalised and placed in the grid like city
        management's, linked to the resident whose phone it is; its loop starts at submitted.
        A grid worker's report lies in their grid."""
        actor = _actor(info)
        new = loop.NewReport(category=input.category, description=input.description,
                             address=input.address, lng=input.lng, lat=input.lat,
                             reporter_phone=input.reporter_phone)  # fmt: skip

        def work(session: Session) -> models.CitizenReport:
            with session.begin_nested():
                row = loop.submit(session, new, actor=actor)
                check_write(info, row.grid_code)
                return _noted(info, row)

        try:
            row = await info.context.write(work)
        except loop.ReportInvalid as invalid:
            return _invalid(invalid)
        info.context.bell.ring()
        return _result(info, row)

    @mutation
    async def assign_report(
        self, info: Info, event_id: str, to: Handler, valid: bool = True,
        department: str | None = None, expected_version: int | None = None,
        note: str | None = None,
    ) -> ReportStepResult:  # fmt: skip
        """Pass a submitted report to the role that handles it, judging whether it is valid
        (a valid report earns the reporter its points)."""
        result: ReportStepResult = await _step(
            info, event_id, ReportStatus.ASSIGNED,
            lambda s, r, a: loop.assign(s, r, to=to, valid=valid, actor=a,
                                        department=department,
                                        expected_version=expected_version, note=note),
        )  # fmt: skip
        return result

    @mutation
    async def handle_report(
        self, info: Info, event_id: str, expected_version: int | None = None,
        note: str | None = None,
    ) -> ReportStepResult:  # fmt: skip
        """The role the report was assigned to takes it on."""
        result: ReportStepResult = await _step(
            info, event_id, ReportStatus.HANDLED,
            lambda s, r, a: loop.handle(s, r, actor=a, expected_version=expected_version,
                                        note=note),
        )  # fmt: skip
        return result

    @mutation
    async def answer_report(
        self, info: Info, event_id: str, answer: str, expected_version: int | None = None
    ) -> ReportStepResult:
        """Tell the reporter what was done (the role the report was assigned to)."""
        result: ReportStepResult = await _step(
            info, event_id, ReportStatus.ANSWERED,
            lambda s, r, a: loop.answer(s, r, text=answer, actor=a,
                                        expected_version=expected_version),
        )  # fmt: skip
        return result

    @mutation
    async def rate_report(
        self, info: Info, event_id: str, rating: int, expected_version: int | None = None,
        note: str | None = None,
    ) -> ReportStepResult:  # fmt: skip
        """The reporter's rating of the answer, 1 to 5, entered for them."""
        result: ReportStepResult = await _step(
            info, event_id, ReportStatus.RATED,
            lambda s, r, a: loop.rate(s, r, rating=rating, actor=a,
                                      expected_version=expected_version, note=note),
        )  # fmt: skip
        return result
