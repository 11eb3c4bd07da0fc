"""The loop as the hub's users move it, on both backends: a report made through the hub is
checked like a delivered one, placed, linked to its reporter; each step is kept with time,
actor and role; steps out of order or on a stale version are refused."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.reports import loop
from hub.reports.status import Handler, ReportStatus
from hub.storage.models import CitizenReport, ReportStep
from tests.schema.world import GRID, SUBJECT, SUBJECT_PHONE, populate

WORKER = loop.Actor("yingshan/wang", "grid_worker", GRID)
CITY = loop.Actor("chengguan/li", "city_management")
NOW = dt.datetime(2026, 11, 20, 2, tzinfo=dt.UTC)


def test_a_report_goes_round_the_loop_with_every_step_kept(session: Session) -> None:
    populate(session)
    report = loop.submit(session, loop.NewReport(category="环境卫生", description="垃圾未清运",
                                                 address="英山社区英山路8号旁",
                                                 reporter_phone=SUBJECT_PHONE),
                         actor=WORKER, now=NOW)  # fmt: skip
    assert report.event_id == "HB20261120000001" and report.origin == "hub"
    assert (report.grid_code, report.located_by) == (GRID, "grid")  # nothing else places it
    assert report.person_id == SUBJECT and report.status == ReportStatus.SUBMITTED
    loop.assign(session, report, to=Handler.GRID_WORKER, valid=True, actor=CITY,
                expected_version=1, now=NOW)  # fmt: skip
    assert report.points == 5 and report.assigned_role == "grid_worker"
    loop.handle(session, report, actor=WORKER, expected_version=2, now=NOW)
    loop.answer(session, report, text="已清运", actor=WORKER, now=NOW)
    loop.rate(session, report, rating=4, actor=WORKER, now=NOW)
    assert (report.status, report.version, report.rating) == (ReportStatus.RATED, 5, 4)
    steps = list(session.scalars(select(ReportStep).where(ReportStep.report_id == report.id)
                                 .order_by(ReportStep.id)))  # fmt: skip
    assert [(s.status, s.actor, s.role) for s in steps] == [
        ("已提交", WORKER.name, "grid_worker"), ("已转办", CITY.name, "city_management"),
        ("办理中", WORKER.name, "grid_worker"), ("已反馈", WORKER.name, "grid_worker"),
        ("已评价", WORKER.name, "grid_worker"),
    ]  # fmt: skip
    second = loop.submit(session, loop.NewReport(category="其他", lng=118.25, lat=25.49),
                         actor=CITY, now=NOW)  # fmt: skip
    assert second.event_id == "HB20261120000002" and second.grid_code is None


def test_steps_out_of_order_or_on_a_stale_version_are_refused(session: Session) -> None:
    populate(session)
    report = loop.submit(session, loop.NewReport(category="其他", address="英山路8号"),
                         actor=WORKER, now=NOW)  # fmt: skip
    with pytest.raises(loop.InvalidTransition, match="next step is assigned"):
        loop.handle(session, report, actor=WORKER)
    loop.assign(session, report, to=Handler.CITY_MANAGEMENT, valid=False, actor=CITY)
    assert report.points == 0  # not valid: no points
    with pytest.raises(loop.StaleReport) as stale:
        loop.handle(session, report, actor=CITY, expected_version=1)
    assert (stale.value.expected, stale.value.current) == (1, 2)
    with pytest.raises(loop.ReportInvalid):
        loop.answer(session, report, text=" ", actor=CITY)
    stored = session.scalars(select(CitizenReport).where(
        CitizenReport.event_id == report.event_id)).one()  # fmt: skip
    assert stored.status == ReportStatus.ASSIGNED and stored.version == 2


def test_values_that_cannot_be_taken_are_refused_field_by_field(session: Session) -> None:
    populate(session)
    with pytest.raises(loop.ReportInvalid) as refused:
        loop.submit(session, loop.NewReport(category="噪音", lng=200.0, lat=25.5,
                                            reporter_phone="12345"), actor=CITY)  # fmt: skip
    fields = {p.field for p in refused.value.problems}
    assert {"category", "lng", "reporterPhone"} <= fields
    with pytest.raises(loop.ReportInvalid) as nowhere:
        loop.submit(session, loop.NewReport(category="其他"), actor=CITY)
    assert [p.field for p in nowhere.value.problems] == ["address"]
    assert session.scalars(select(CitizenReport).where(CitizenReport.origin == "hub")).all() == []
