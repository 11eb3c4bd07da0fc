"""Issue 16, item 2: masked resident IDs rebuilt from the same role's other fields.

As the attack was made: each role that sees resident IDs masked runs the published
operations it may (``FindPersonByName``: the masked ID beside the birth date;
``GridResidents``: the sex) against a real ``hub serve``, and rebuilds every ID that fits
what it read: the shown characters, the birth date (digits 7-14), the sex (the parity of digit
17) and the check digit. With the old mask (``350526********1234``) one candidate was left;
now at least 500 must be. And no lookup may confirm a guess: ``PersonByResidentId`` is refused
to these roles whatever the ID, the right one and a wrong one alike.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hub.api.access import DataCategory, Grant
from hub.generate.idcard import check_digit
from tests.access import policy
from tests.schema.world import GRID, SUBJECT_ID
from tests.security.live import LiveHub

MASKED = sorted(
    name for name, role in policy().roles.items()
    if role.viewer.grant(DataCategory.RESIDENT_ID) is Grant.MASKED
)  # fmt: skip
#: Candidates an attacker who sees everything the role sees must be left with, at least.
AT_LEAST = 500


def candidates(masked: str, born: dt.date, sex: str | None) -> list[str]:
    """Every valid ID that agrees with the shown characters, the birth date and the sex."""
    found = []
    for sequence in range(1000):
        if sex is not None and sequence % 2 != (1 if sex == "男" else 0):
            continue
        first17 = f"{masked[:6]}{born:%Y%m%d}{sequence:03d}"
        full = first17 + check_digit(first17)
        if all(shown in ("*", real) for shown, real in zip(masked, full, strict=True)):
            found.append(full)
    return found


def seen_by(hub: LiveHub, role: str) -> dict[str, dict[str, Any]]:
    """What ``role`` reads of each person in the grid through its published operations."""
    people: dict[str, dict[str, Any]] = {}
    answer = hub.op("FindPersonByName", {"name": "陈秀英", "gridCode": GRID}, role=role).json()
    for edge in answer["data"]["people"]["edges"]:
        people.setdefault(edge["node"]["id"], {}).update(edge["node"])
    listed = hub.op("GridResidents", {"gridCode": GRID}, role=role).json()
    for edge in ((listed.get("data") or {}).get("people") or {}).get("edges", []):
        node = {k: v for k, v in edge["node"].items() if v is not None}
        people.setdefault(node["id"], {}).update(node)
    return people


@pytest.mark.parametrize("role", MASKED)
def test_a_masked_id_is_not_rebuilt_from_the_roles_other_fields(hub: LiveHub, role: str) -> None:
    assert MASKED == ["city_management", "grid_worker", "party_building"]
    people = seen_by(hub, role)
    subject = next(p for p in people.values() if p.get("name") == "陈秀英")
    masked = subject["residentId"]
    assert masked == SUBJECT_ID[:6] + "*" * 12
    born = dt.date.fromisoformat(subject["birthDate"])
    left = candidates(masked, born, subject.get("sex"))
    assert SUBJECT_ID in left  # the arithmetic is the attacker's, and it holds
    assert len(left) >= AT_LEAST
    # The old mask, with the same fields, left one.
    old = SUBJECT_ID[:6] + "*" * 8 + SUBJECT_ID[-4:]
    assert candidates(old, born, subject.get("sex")) == [SUBJECT_ID]


@pytest.mark.parametrize("role", MASKED)
def test_a_guess_cannot_be_confirmed_by_a_lookup(hub: LiveHub, role: str) -> None:
    wrong = candidates(SUBJECT_ID[:6] + "*" * 12, dt.date(1956, 3, 8), "女")[0]
    answers = [hub.op("PersonByResidentId", {"residentId": guess}, role=role).json()
               for guess in (SUBJECT_ID, wrong)]  # fmt: skip
    assert answers[0] == answers[1]
    assert answers[0]["data"] is None
    assert answers[0]["errors"][0]["extensions"]["code"] == "FORBIDDEN"
