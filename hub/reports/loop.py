"""The loop as the hub's users move it: a report made through the hub, and each step after.

Every step is a ``report_step`` row (status, time, actor, role, note) and bumps the report's
``version``; a step asked on a version the caller did not see (someone moved it since) is
refused, as is a step out of order. Who may take which step is the policy's ``writes``
(checked by the schema before these functions run); these functions check the loop itself.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.ingest.records import map_report
from hub.normalise import CHINA_TZ
from hub.reports.locate import Locator, address_frame, reporters
from hub.reports.publish import HUB_ORIGIN
from hub.reports.status import Handler, ReportStatus, points
from hub.storage.models import CitizenReport, ReportStep

#: Responsibility grid codes have 17 digits: the one grid a report can lie in.
RESPONSIBILITY_CODE = 17


@dataclass(frozen=True, slots=True)
class Actor:
    """Who takes a step: the token holder, their role and grid scope."""

    name: str
    role: str
    grid_scope: str | None = None


@dataclass(frozen=True, slots=True)
class NewReport:
    """A report as ``reportEvent`` receives it (values as typed)."""

    category: str
    description: str | None = None
    address: str | None = None
    lng: float | None = None
    lat: float | None = None
    reporter_phone: str | None = None


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """Why one value of a report cannot be taken as typed."""

    field: str  # the input's field name, e.g. ``reporterPhone``
    code: str
    message: str


class ReportError(Exception):
    """A step the loop refuses; subclasses say why."""


class ReportNotFound(ReportError):
    def __init__(self, event_id: str) -> None:
        super().__init__(f"no report {event_id}")
        self.event_id = event_id


class InvalidTransition(ReportError):
    def __init__(self, status: ReportStatus, wanted: ReportStatus) -> None:
        nxt = status.next
        after = f"its next step is {nxt.name.lower()}" if nxt else "it has no step left"
        super().__init__(f"the report is {status.name.lower()}: {after}, not {wanted.name.lower()}")
        self.status, self.wanted = status, wanted


class StaleReport(ReportError):
    def __init__(self, expected: int, current: int) -> None:
        super().__init__(f"the report changed since version {expected}: it is at version "
                         f"{current}; look again before moving it on")  # fmt: skip
        self.expected, self.current = expected, current


class ReportInvalid(ReportError):
    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__("; ".join(p.message for p in problems))
        self.problems = problems


_INPUT_FIELDS = {"category": "category", "description": "description", "address": "address",
                 "lng": "lng", "lat": "lat", "reporter_phone": "reporterPhone"}  # fmt: skip


def find(session: Session, event_id: str) -> CitizenReport:
    report = session.scalar(select(CitizenReport).where(CitizenReport.event_id == event_id))
    if report is None:
        raise ReportNotFound(event_id)
    return report


def check(report: NewReport, today: dt.date) -> tuple[dict[str, object], list[FieldProblem]]:
    """The report normalised as city management's records are (:func:`map_report`), and the
    problems that refuse it: a category outside the contract's, a phone or coordinates that
    cannot be used, or nothing that says where."""
    raw = {"category": report.category, "description": report.description or "",
           "address": report.address or "", "lng": report.lng, "lat": report.lat,
           "reporter_phone": report.reporter_phone or ""}  # fmt: skip
    mapped = map_report(raw, today)
    problems = [
        FieldProblem(_INPUT_FIELDS.get(issue.field, issue.field), issue.code.value, issue.message)
        for issue in mapped.issues
        if issue.field != "address"  # an address partly understood still places the report
    ]
    if mapped.fields.get("category") is None:
        problems.append(FieldProblem("category", "required", "category: required"))
    if (report.lng is None) != (report.lat is None):
        problems.append(FieldProblem("lat" if report.lat is None else "lng", "required",
                                     "lng and lat come together"))  # fmt: skip
    if not (report.address or "").strip() and report.lng is None:
        problems.append(FieldProblem("address", "required", "give an address or coordinates"))
    return mapped.fields, problems


def submit(
    session: Session, report: NewReport, *, actor: Actor, now: dt.datetime | None = None
) -> CitizenReport:
    """A report made through the hub (caller commits); :class:`ReportInvalid` when a value
    cannot be taken. Placed like a delivered one; a grid worker's report that nothing else
    places lies in their own responsibility grid."""
    now = now or dt.datetime.now(dt.UTC)
    today = now.astimezone(CHINA_TZ).date()
    fields, problems = check(report, today)
    if problems:
        raise ReportInvalid(problems)
    event_id = _next_id(session, today)
    parsed = fields.get("address")
    address = parsed.get("original") if isinstance(parsed, dict) else None
    lng, lat = _number(fields.get("lng")), _number(fields.get("lat"))
    frame = address_frame(event_id, address, lng, lat)
    township = frame["township"].iloc[0]
    locator = Locator.load(session, townships=None if pd.isna(township) else [township])
    place = locator.locate(frame).iloc[0]
    grid, located = place["grid_code"], place["located_by"]
    scope = actor.grid_scope
    if grid is None and scope is not None and len(scope) == RESPONSIBILITY_CODE:
        grid, located = scope, "grid"
    phones = fields.get("phones") or {}
    numbers = phones.get("numbers") if isinstance(phones, dict) else None
    phone = numbers[0]["value"] if numbers else None
    row = CitizenReport(
        event_id=event_id, origin=HUB_ORIGIN, category=str(fields["category"]),
        description=fields.get("description"), address=address, lng=lng, lat=lat,
        reported_at=now, reporter_phone=phone,
        status=ReportStatus.SUBMITTED.value, grid_code=grid, house_id=place["house_id"],
        located_by=located, person_id=reporters(session, [phone]).get(phone) if phone else None,
        submitted_by=actor.name, points=0, updated_at=now,
    )  # fmt: skip
    session.add(row)
    session.flush()
    _step(session, row, ReportStatus.SUBMITTED, actor, "reported through the hub", now)
    return row


def assign(
    session: Session, report: CitizenReport, *, to: Handler, valid: bool, actor: Actor,
    department: str | None = None, expected_version: int | None = None,
    note: str | None = None, now: dt.datetime | None = None,
) -> CitizenReport:  # fmt: skip
    """Pass a submitted report to the role that handles it; a valid one earns its points."""
    _move(report, ReportStatus.ASSIGNED, expected_version)
    report.assigned_role = to.value
    report.department = department or report.department
    report.valid = valid
    if report.origin == HUB_ORIGIN or not report.points:
        report.points = points(report.category, valid)
    return _step(session, report, ReportStatus.ASSIGNED, actor, note, now)


def handle(
    session: Session, report: CitizenReport, *, actor: Actor,
    expected_version: int | None = None, note: str | None = None,
    now: dt.datetime | None = None,
) -> CitizenReport:  # fmt: skip
    """The role the report was assigned to takes it on."""
    _move(report, ReportStatus.HANDLED, expected_version)
    return _step(session, report, ReportStatus.HANDLED, actor, note, now)


def answer(
    session: Session, report: CitizenReport, *, text: str, actor: Actor,
    expected_version: int | None = None, now: dt.datetime | None = None,
) -> CitizenReport:  # fmt: skip
    """Tell the reporter what was done."""
    if not text.strip():
        raise ReportInvalid([FieldProblem("answer", "required", "answer: say what was done")])
    _move(report, ReportStatus.ANSWERED, expected_version)
    report.answer = text.strip()
    return _step(session, report, ReportStatus.ANSWERED, actor, text.strip(), now)


def rate(
    session: Session, report: CitizenReport, *, rating: int, actor: Actor,
    expected_version: int | None = None, note: str | None = None,
    now: dt.datetime | None = None,
) -> CitizenReport:  # fmt: skip
    """The reporter's rating of the answer, 1 to 5 (entered for them by the grid worker or
    city management)."""
    if not 1 <= rating <= 5:
        raise ReportInvalid(
            [FieldProblem("rating", "invalid_value", f"rating: {rating} is not 1-5")]
        )
    _move(report, ReportStatus.RATED, expected_version)
    report.rating = rating
    return _step(session, report, ReportStatus.RATED, actor, note, now)


def steps(session: Session, report_ids: list[int]) -> dict[int, list[ReportStep]]:
    """Each report's steps, oldest first."""
    out: dict[int, list[ReportStep]] = {i: [] for i in report_ids}
    stmt = (
        select(ReportStep)
        .where(ReportStep.report_id.in_(report_ids))
        .order_by(ReportStep.at, ReportStep.id)
    )
    for step in session.scalars(stmt):
        out[step.report_id].append(step)
    return out


def _move(report: CitizenReport, to: ReportStatus, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != report.version:
        raise StaleReport(expected_version, report.version)
    status = ReportStatus(report.status)
    if status.next is not to:
        raise InvalidTransition(status, to)
    report.status = to.value


def _step(
    session: Session,
    report: CitizenReport,
    status: ReportStatus,
    actor: Actor,
    note: str | None,
    now: dt.datetime | None,
) -> CitizenReport:
    at = now or dt.datetime.now(dt.UTC)
    if status is not ReportStatus.SUBMITTED:
        report.version += 1
        report.updated_at = at
    session.add(ReportStep(report_id=report.id, status=status.value, actor=actor.name,
                           role=actor.role, note=note, at=at))  # fmt: skip
    session.flush()
    return report


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _next_id(session: Session, today: dt.date) -> str:
    """``HB`` + the date + a six-digit serial of the day: the hub's own report ids."""
    prefix = f"HB{today:%Y%m%d}"
    taken = session.scalar(
        select(func.max(CitizenReport.event_id)).where(CitizenReport.event_id.startswith(prefix))
    )
    serial = int(taken[len(prefix) :]) + 1 if taken else 1
    return f"{prefix}{serial:06d}"
