"""The loop's states, who moves a report from one to the next, points and deadlines."""

from __future__ import annotations

import datetime as dt
import enum

from hub.ingest import vocabulary
from hub.normalise import CHINA_TZ


class ReportStatus(enum.StrEnum):
    """A report's state, as city management's deliveries write it (and the hub stores it)."""

    SUBMITTED = "已提交"
    ASSIGNED = "已转办"  # passed to the role responsible for it
    HANDLED = "办理中"  # the responsible role is on it
    ANSWERED = "已反馈"  # the reporter was told what was done
    RATED = "已评价"  # the reporter rated the answer

    @property
    def rank(self) -> int:
        return _ORDER.index(self)

    @property
    def open(self) -> bool:
        """Not answered yet: it counts as open in the grid's roll-ups."""
        return self.rank < ReportStatus.ANSWERED.rank

    @property
    def next(self) -> ReportStatus | None:
        return None if self is ReportStatus.RATED else _ORDER[self.rank + 1]


_ORDER = list(ReportStatus)
assert tuple(s.value for s in _ORDER) == vocabulary.REPORT_STATUSES, "the loop follows the contract"

OPEN_STATUSES = frozenset(s for s in ReportStatus if s.open)

#: The mutation that moves a report into each state (the policy's ``writes`` name them).
MUTATION_TO: dict[ReportStatus, str] = {
    ReportStatus.SUBMITTED: "Mutation.reportEvent",
    ReportStatus.ASSIGNED: "Mutation.assignReport",
    ReportStatus.HANDLED: "Mutation.handleReport",
    ReportStatus.ANSWERED: "Mutation.answerReport",
    ReportStatus.RATED: "Mutation.rateReport",
}


class Handler(enum.StrEnum):
    """The roles a report can be assigned to; the one assigned handles and answers it.

    Traffic goes to public security (the traffic police brigade), street order and building
    to city management, a village's own matters to its grid worker. Each must have the
    ``Mutation.handleReport`` and ``Mutation.answerReport`` writes in the policy (a test
    checks it)."""

    CITY_MANAGEMENT = "city_management"
    PUBLIC_SECURITY = "public_security"
    GRID_WORKER = "grid_worker"


#: A report still open this many days after it was submitted is overdue. The county's
#: service promise for 随手拍 is not in the contract; five days is the hub's working
#: assumption (a working week), kept here so the roll-ups and queries agree on it.
ANSWER_WITHIN_DAYS = 5


def overdue_before(today: dt.date) -> dt.datetime:
    """Open reports submitted before this moment are overdue on ``today``: their
    :data:`ANSWER_WITHIN_DAYS` days ended before the day began (China time)."""
    start = dt.datetime.combine(today, dt.time(), tzinfo=CHINA_TZ)
    return (start - dt.timedelta(days=ANSWER_WITHIN_DAYS)).astimezone(dt.UTC)  # as stored


def is_overdue(status: ReportStatus, reported_at: dt.datetime | None, today: dt.date) -> bool:
    """Open and submitted more than :data:`ANSWER_WITHIN_DAYS` days before ``today``."""
    if not status.open or reported_at is None:
        return False
    at = reported_at if reported_at.tzinfo else reported_at.replace(tzinfo=dt.UTC)
    return at < overdue_before(today)


def points(category: str, valid: bool) -> int:
    """Points a reporter earns for a report judged valid when it is assigned (as city
    management awards them: 10 for traffic offences, 5 for anything else)."""
    if not valid:
        return 0
    return 10 if category == "交通违法" else 5
