"""Issue 16, item 7: answers that told a role what it may not read.

As the attacks were made against a real ``hub serve``:

- city management (phones masked) takes down a report with a resident's phone and with a
  number nobody has: the answers must not differ but for the report's own id and times
  (``reporter { entityId }`` named the owner of any number);
- a grid worker looks up a resident of another grid by ID and an ID nobody has: the answers
  must be the same (they were ``FORBIDDEN`` and ``PersonNotFound``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from hub.api import tokens as api_tokens
from hub.generate.idcard import resident_id
from hub.storage.session import make_engine
from tests.access import policy
from tests.schema.world import OTHER_GRID, SUBJECT_ID, SUBJECT_PHONE
from tests.security.live import LiveHub, operation

NOBODYS_PHONE = "13700009999"


def without_ids_and_times(answer: dict[str, Any]) -> dict[str, Any]:
    report = dict(answer["data"]["reportEvent"])
    report.pop("eventId")
    report["steps"] = [{k: v for k, v in step.items() if k != "at"} for step in report["steps"]]
    return report


def test_a_report_does_not_say_whose_phone_it_was(hub: LiveHub) -> None:
    def report(phone: str) -> dict[str, Any]:
        made = hub.op(
            "ReportEvent",
            {"input": {"category": "市容秩序", "address": "英山路8号", "reporterPhone": phone}},
            role="city_management",
        )
        assert made.status_code == 200 and "errors" not in made.json(), made.text
        return without_ids_and_times(made.json())

    assert report(SUBJECT_PHONE) == report(NOBODYS_PHONE)


def test_a_grid_workers_lookup_does_not_tell_an_outside_resident_from_no_one(
    hub: LiveHub,
) -> None:
    engine = make_engine(hub.database_url)
    try:
        with Session(engine) as session, session.begin():
            elsewhere = api_tokens.create(
                session, policy(), name="oracle/xunzhong", role="grid_worker", grid_code=OTHER_GRID
            ).secret
    finally:
        engine.dispose()
    unknown = resident_id("350526", dt.date(1991, 2, 3), 456)
    answers = [
        hub.post(operation("PersonByResidentId"), {"residentId": rid}, token=elsewhere)
        for rid in (SUBJECT_ID, unknown)
    ]  # SUBJECT lives in GRID, not OTHER_GRID
    assert answers[0].status_code == answers[1].status_code
    assert answers[0].json() == answers[1].json()
