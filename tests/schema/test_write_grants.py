"""No role writes outside its grant, derived from the policy file itself: every role x every
mutation it is not granted is ``FORBIDDEN`` (and nothing is written), every grant lets the
mutation run, and a grid-scoped grant refuses the same write on a resident, house or report
outside the token's grid subtree."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from sqlalchemy import func, select

from hub.api.access import Viewer, WriteScope
from hub.storage.models import (
    CitizenReport,
    MoveRequest,
    Person,
    SourceRecord,
    StewardDecision,
)
from tests.access import policy, viewer, writes
from tests.schema.conftest import Runner
from tests.schema.world import GRID, OTHER_GRID, SUBJECT, SUBJECT_PHONE

PERSON = base64.b64encode(f"Person:{SUBJECT}".encode()).decode()
OTHER_PERSON = base64.b64encode(b"Person:P0000002").decode()
HOUSE = base64.b64encode(b"House:H1").decode()  # in GRID
OUTCOME = "{ __typename }"

#: One document per mutation, each on something inside GRID; ``$e`` is a report of GRID,
#: ``$v`` the subject's version.
DOCUMENTS: dict[str, tuple[str, dict[str, Any]]] = {
    "Mutation.registerResident": (
        f"mutation($i: ResidentRegistration!) {{ registerResident(input: $i) {OUTCOME} }}",
        {"i": {"name": "郑新来", "phone": "13912345678", "houseId": HOUSE}},
    ),
    "Mutation.updateResident": (
        f"""mutation($id: ID!, $v: Int!, $i: ResidentUpdate!) {{ updateResident(id: $id,
            expectedVersion: $v, input: $i) {OUTCOME} }}""",
        {"id": PERSON, "i": {"phone": "13700001111"}},
    ),
    "Mutation.reportMove": (
        f"""mutation($id: ID!, $v: Int!) {{ reportMove(id: $id, expectedVersion: $v,
            outOfCounty: true) {OUTCOME} }}""",
        {"id": PERSON},
    ),
    "Mutation.reportDeath": (
        f"mutation($id: ID!, $v: Int!) {{ reportDeath(id: $id, expectedVersion: $v) {OUTCOME} }}",
        {"id": PERSON},
    ),
    "Mutation.mergePersons": (
        f"""mutation($ids: [ID!]!) {{ mergePersons(personIds: $ids, reason: "one person")
            {OUTCOME} }}""",
        {"ids": [PERSON, OTHER_PERSON]},
    ),
    "Mutation.splitPerson": (
        f"""mutation($id: ID!) {{ splitPerson(personId: $id, records: ["gongan.population:x"],
            reason: "two people") {OUTCOME} }}""",
        {"id": PERSON},
    ),
    "Mutation.detachRecord": (
        f"""mutation {{ detachRecord(record: "gongan.population:x", reason: "not theirs")
            {OUTCOME} }}""",
        {},
    ),
    "Mutation.markNotSamePerson": (
        f"""mutation($ids: [ID!]!) {{ markNotSamePerson(input: {{personIds: $ids}},
            reason: "two people") {OUTCOME} }}""",
        {"ids": [PERSON, OTHER_PERSON]},
    ),
    "Mutation.releaseQuarantinedRow": (
        f"""mutation {{ releaseQuarantinedRow(id: 1, values: {{}}, reason: "corrected")
            {OUTCOME} }}""",
        {},
    ),
    "Mutation.revokeStewardDecision": (
        f'mutation {{ revokeStewardDecision(id: 1, reason: "made by mistake") {OUTCOME} }}',
        {},
    ),
    "Mutation.reportEvent": (
        f"mutation($i: ReportEventInput!) {{ reportEvent(input: $i) {OUTCOME} }}",
        {"i": {"category": "环境卫生", "description": "路灯不亮", "address": "英山路8号旁"}},
    ),
    "Mutation.assignReport": (
        f"mutation($e: String!) {{ assignReport(eventId: $e, to: GRID_WORKER) {OUTCOME} }}",
        {},
    ),
    "Mutation.handleReport": (
        f"mutation($e: String!) {{ handleReport(eventId: $e) {OUTCOME} }}",
        {},
    ),
    "Mutation.answerReport": (
        f'mutation($e: String!) {{ answerReport(eventId: $e, answer: "已清运") {OUTCOME} }}',
        {},
    ),
    "Mutation.rateReport": (
        f"mutation($e: String!) {{ rateReport(eventId: $e, rating: 5) {OUTCOME} }}",
        {},
    ),
    "Mutation.confirmMoveRequest": (
        f"mutation($r: Int!) {{ confirmMoveRequest(requestId: $r) {OUTCOME} }}",
        {},
    ),
    "Mutation.rejectMoveRequest": (
        f'mutation($r: Int!) {{ rejectMoveRequest(requestId: $r, reason: "not them") {OUTCOME} }}',
        {},
    ),
}


def _viewer(role: str, grid: str = GRID) -> Viewer:
    """A token of ``role``: inside GRID when the role's tokens may name a grid."""
    scope = policy().role(role).grid_scope.value
    return viewer(role, grid if scope == "required" else None)


def _report(gql: Runner) -> str:
    """A report of GRID, taken down by its grid worker."""
    made = gql.data(
        """mutation($i: ReportEventInput!) { reportEvent(input: $i) {
             ... on CitizenReport { eventId gridCode } } }""",
        {
            "i": {
                "category": "环境卫生",
                "description": "垃圾未清运",
                "address": "英山路8号旁",
                "reporterPhone": SUBJECT_PHONE,
            }
        },
        viewer("grid_worker", GRID),
    )["reportEvent"]
    assert made["gridCode"] == GRID
    return str(made["eventId"])


def _request(gql: Runner) -> int:
    """A pending move request about the subject (of GRID), made by a worker elsewhere."""
    held = MoveRequest(status="pending", person_id=SUBJECT, person_grid=GRID, kind="register",
                       entry={"kind": "register", "name": "陈秀英", "phone": "13700002222",
                              "author": "xunzhong/lin"},
                       requested_by="xunzhong/lin", requester_role="grid_worker",
                       requester_grid=OTHER_GRID)  # fmt: skip
    gql.session.add(held)
    gql.session.flush()
    return held.id


def _run(gql: Runner, mutation: str, who: Viewer, event_id: str) -> Any:
    document, variables = DOCUMENTS[mutation]
    if "$e" in document:
        variables = {**variables, "e": event_id}
    if "$r" in document:
        variables = {**variables, "r": _request(gql)}
    if "$v" in document:
        variables = {**variables, "v": gql.session.get(Person, SUBJECT).version}  # type: ignore[union-attr]
    return gql(document, variables, who)


def _codes(result: Any) -> set[str]:
    return {(e.extensions or {}).get("code") for e in result.errors or []}


def _written(gql: Runner) -> tuple[int, ...]:
    s = gql.session
    return (
        s.scalar(select(func.count()).select_from(SourceRecord)) or 0,
        s.scalar(select(func.count()).select_from(StewardDecision)) or 0,
        s.scalar(select(func.count()).select_from(CitizenReport)) or 0,
        s.scalar(select(func.sum(Person.version))) or 0,
        s.scalar(select(func.count()).where(MoveRequest.status != "pending")) or 0,
    )


def test_every_mutation_of_the_schema_has_a_document_here() -> None:
    assert sorted(DOCUMENTS) == sorted(writes())


ROLES = sorted(policy().roles)


@pytest.mark.parametrize("role", ROLES)
def test_every_mutation_not_granted_is_forbidden_and_writes_nothing(gql: Runner, role: str) -> None:
    event_id = _report(gql)
    granted = policy().role(role).viewer.writes
    refused = [m for m in sorted(writes()) if m not in granted]
    assert refused, f"{role} is granted every mutation: the matrix tests nothing"
    for mutation in refused:
        before = _written(gql)
        result = _run(gql, mutation, _viewer(role), event_id)
        assert _codes(result) == {"FORBIDDEN"}, (role, mutation, result.errors)
        assert result.data is None, (role, mutation)
        assert _written(gql) == before, (role, mutation)


GRANTED = [(role, m) for role in ROLES for m in sorted(policy().role(role).viewer.writes)]


@pytest.mark.parametrize(("role", "mutation"), GRANTED)
def test_every_grant_lets_the_mutation_run(gql: Runner, role: str, mutation: str) -> None:
    event_id = _report(gql)
    # Handling and answering are the assigned role's: assign the report to this one.
    report = gql.session.scalars(select(CitizenReport).where(CitizenReport.event_id == event_id))
    report.one().assigned_role = role
    gql.session.flush()
    result = _run(gql, mutation, _viewer(role), event_id)
    assert "FORBIDDEN" not in _codes(result), (role, mutation, result.errors)
    assert result.data is not None and result.data[mutation.split(".")[1]]["__typename"]


GRID_GRANTS = [(r, m) for r, m in GRANTED if policy().role(r).viewer.writes[m] is WriteScope.GRID]


@pytest.mark.parametrize(("role", "mutation"), GRID_GRANTS)
def test_a_grid_grant_refuses_the_write_outside_the_tokens_grid(
    gql: Runner, role: str, mutation: str
) -> None:
    event_id = _report(gql)
    before = _written(gql)
    result = _run(gql, mutation, _viewer(role, OTHER_GRID), event_id)
    name = mutation.split(".")[1]
    if mutation == "Mutation.reportEvent":
        # A report the worker takes down that nothing else places lies in their own grid.
        placed = gql.session.scalars(
            select(CitizenReport.grid_code).order_by(CitizenReport.id.desc())
        ).first()
        assert placed == OTHER_GRID
        return
    outcome = (result.data or {}).get(name) or {}
    # A decider outside the resident's grid is told only that no request of theirs has the id.
    refusals = ("EntryOutOfScope", "MoveRequestRefused")
    refused = _codes(result) == {"FORBIDDEN"} or outcome.get("__typename") in refusals
    assert refused, (role, mutation, result.data, result.errors)
    assert _written(gql) == before, (role, mutation)
