"""The loop's states and rules: order, what counts as open, the overdue boundary, points."""

from __future__ import annotations

import datetime as dt

import pytest

from hub.ingest import vocabulary
from hub.normalise import CHINA_TZ
from hub.reports.status import (
    ANSWER_WITHIN_DAYS,
    MUTATION_TO,
    OPEN_STATUSES,
    Handler,
    ReportStatus,
    is_overdue,
    points,
)
from tests.access import policy, writes


def test_the_loop_follows_the_contracts_statuses_in_order() -> None:
    assert [s.value for s in ReportStatus] == list(vocabulary.REPORT_STATUSES)
    steps = [ReportStatus.SUBMITTED]
    while steps[-1].next is not None:
        steps.append(steps[-1].next)  # type: ignore[arg-type]
    assert steps == list(ReportStatus)
    assert {ReportStatus.SUBMITTED, ReportStatus.ASSIGNED, ReportStatus.HANDLED} == OPEN_STATUSES


def test_every_step_is_a_mutation_and_every_handler_may_handle_and_answer() -> None:
    assert set(MUTATION_TO.values()) <= writes()
    for handler in Handler:
        role = policy().role(handler.value).viewer
        assert {"Mutation.handleReport", "Mutation.answerReport"} <= set(role.writes), handler


@pytest.mark.parametrize(
    ("submitted", "overdue"),
    [
        (dt.datetime(2026, 11, 14, 23, 59, tzinfo=CHINA_TZ), True),  # six days on the 20th
        (dt.datetime(2026, 11, 15, 0, 0, tzinfo=CHINA_TZ), False),  # its fifth day ends today
        (dt.datetime(2026, 11, 14, 16, 30, tzinfo=dt.UTC), False),  # 15 Nov 00:30 in Dehua
        (dt.datetime(2026, 11, 14, 15, 59), True),  # stored without a zone: UTC
    ],
)
def test_a_report_is_overdue_once_its_days_have_passed(
    submitted: dt.datetime, overdue: bool
) -> None:
    today = dt.date(2026, 11, 20)
    assert ANSWER_WITHIN_DAYS == 5
    assert is_overdue(ReportStatus.HANDLED, submitted, today) is overdue
    assert not is_overdue(ReportStatus.ANSWERED, submitted, today)  # answered: not open
    assert not is_overdue(ReportStatus.SUBMITTED, None, today)


def test_points_for_valid_reports_as_city_management_awards_them() -> None:
    assert points("交通违法", True) == 10
    assert points("环境卫生", True) == 5
    assert points("交通违法", False) == 0
