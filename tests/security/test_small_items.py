"""Issue 16, item 9, as the attacks were made against a real ``hub serve``: the purpose filter
bypassed by other ways of writing a number, and the roll-ups of a one-resident grid read
without an audit entry naming the resident. (Markup in names, the errors, the 500s: see
test_limits.py; ``hub token revoke``: tests/cli/test_token_cli.py.)"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.storage.models import AuditEntry
from hub.storage.session import make_engine
from tests.schema.world import GRID, OTHER_GRID, SUBJECT_ID, SUBJECT_PHONE
from tests.security.live import LiveHub

FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@pytest.mark.parametrize(
    "purpose",
    [
        SUBJECT_PHONE.translate(FULL_WIDTH),
        "+86" + SUBJECT_PHONE,
        "0086 " + SUBJECT_PHONE,
        ".".join([SUBJECT_PHONE[:3], SUBJECT_PHONE[3:7], SUBJECT_PHONE[7:]]),
        "(" + SUBJECT_PHONE[:3] + ")" + SUBJECT_PHONE[3:],
        "回访 " + SUBJECT_ID.translate(FULL_WIDTH),
        SUBJECT_ID[:6] + "." + SUBJECT_ID[6:14] + "." + SUBJECT_ID[14:],
    ],
)
def test_a_purpose_holding_a_number_is_refused_however_written(hub: LiveHub, purpose: str) -> None:
    response = hub.op("PersonContact", {"id": "UGVyc29uOlAwMDAwMDAx"}, role="civil_affairs",
                      purpose=quote(purpose))  # fmt: skip
    assert response.status_code == 400
    assert "must not hold a resident ID or phone number" in response.text


def test_roll_ups_of_a_small_grid_name_its_residents_in_the_audit(hub: LiveHub) -> None:
    small = hub.op("GridRollups", {"code": OTHER_GRID}, role="steward")
    assert small.status_code == 200 and small.json()["data"]["grid"]["residentCount"] == 1
    large = hub.op("GridRollups", {"code": GRID}, role="steward")
    assert large.json()["data"]["grid"]["residentCount"] == 120
    engine = make_engine(hub.database_url)
    try:
        with Session(engine) as session:
            rollups = list(session.scalars(
                select(AuditEntry).where(AuditEntry.operation == "GridRollups")
                .order_by(AuditEntry.id)))  # fmt: skip
    finally:
        engine.dispose()
    assert [e.person_ids for e in rollups[-2:]] == [["P0000200"], []]
    assert {f["field"] for f in rollups[-2].fields} >= {"Grid.tagCounts"}
