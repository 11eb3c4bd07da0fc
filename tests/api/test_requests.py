"""A request's way through the app on both backends: token, purpose, execution, the audit
entry committed before the response, and no data when the entry cannot be written."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from strawberry.relay import to_base64

from hub.api import audit
from hub.api.app import create_app
from hub.config import Settings
from hub.storage.models import AuditEntry
from tests.api.conftest import PURPOSE, HubClient, headers, refuse_audit_entries, serve
from tests.schema.world import SUBJECT, SUBJECT_ID, SUBJECT_PHONE

PERSON = "query($id: ID!) { person(id: $id) { name phone householdMembers { entityId } } }"
SUBJECT_GID = to_base64("Person", SUBJECT)


@pytest.fixture
def client(world: tuple[Settings, Engine, dict[str, str]]) -> Iterator[HubClient]:
    with serve(create_app(world[0], allow_listed_only=False)) as client:
        yield client


def send(
    client: HubClient, token: str, query: str, variables: dict[str, Any] | None = None,
    purpose: str | None = PURPOSE,
) -> Any:  # fmt: skip
    response = client.post("/graphql", json={"query": query, "variables": variables or {}},
                           headers=headers(token, purpose))  # fmt: skip
    return response


def entries(engine: Engine) -> list[AuditEntry]:
    with Session(engine) as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def test_every_personal_read_writes_one_entry(
    world: tuple[Settings, Engine, dict[str, str]], client: HubClient
) -> None:
    _, engine, tokens = world
    body = send(client, tokens["public_security"], PERSON, {"id": SUBJECT_GID}).json()
    assert body["data"]["person"]["phone"] == SUBJECT_PHONE
    (entry,) = entries(engine)
    assert (entry.actor, entry.role, entry.purpose, entry.allowed) == (
        "test/public_security", "public_security", PURPOSE, True
    )  # fmt: skip
    assert entry.operation is None  # anonymous operation
    assert entry.person_ids == ["P0000001", "P0000002", "P0000003"]
    assert [f["field"] for f in entry.fields] == [
        "Person.householdMembers", "Person.name", "Person.phone", "Query.person"
    ]  # fmt: skip
    counts = send(client, tokens["public_security"], '{ grid(code: "350526001") { houseCount } }')
    assert counts.json()["data"] and len(entries(engine)) == 1  # no personal data: no entry
    with Session(engine) as session:
        assert audit.verify(session).ok


def test_a_refused_field_is_audited_as_refused(
    world: tuple[Settings, Engine, dict[str, str]], client: HubClient
) -> None:
    _, engine, tokens = world
    query = "query($id: ID!) { person(id: $id) { name vaccinations { vaccine } } }"
    body = send(client, tokens["civil_affairs"], query, {"id": SUBJECT_GID}).json()
    assert body["errors"][0]["extensions"] == {"code": "FORBIDDEN"}
    (entry,) = entries(engine)
    assert entry.allowed is False
    assert {"field": "Person.vaccinations", "allowed": False} in entry.fields
    assert entry.person_ids == [SUBJECT]


def test_a_missing_purpose_is_refused_and_audited(
    world: tuple[Settings, Engine, dict[str, str]], client: HubClient
) -> None:
    _, engine, tokens = world
    body = send(client, tokens["health"], PERSON, {"id": SUBJECT_GID}, purpose=None).json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "PURPOSE_REQUIRED"}
    (entry,) = entries(engine)
    assert (entry.allowed, entry.purpose, entry.person_ids) == (False, None, [])


@pytest.mark.parametrize(
    "purpose",
    ["x" * 201, f"call {SUBJECT_PHONE}", f"check {SUBJECT_ID}", "bad\x07bell", "%FF%FE"],
)
def test_a_bad_purpose_is_refused_before_anything_runs(
    world: tuple[Settings, Engine, dict[str, str]], client: HubClient, purpose: str
) -> None:
    _, engine, tokens = world
    response = send(client, tokens["health"], PERSON, {"id": SUBJECT_GID}, purpose=purpose)
    assert response.status_code == 400
    assert "X-Hub-Purpose" in response.text and SUBJECT_ID not in response.text
    assert entries(engine) == []


def test_a_chinese_purpose_is_sent_percent_encoded(
    world: tuple[Settings, Engine, dict[str, str]], client: HubClient
) -> None:
    _, engine, tokens = world
    reason = "入户走访 2026-118号"
    send(client, tokens["health"], PERSON, {"id": SUBJECT_GID}, purpose=quote(reason))
    assert entries(engine)[0].purpose == reason


def test_an_audit_failure_fails_the_read(
    world: tuple[Settings, Engine, dict[str, str]], client: HubClient
) -> None:
    _, engine, tokens = world
    refuse_audit_entries(engine)
    response = send(client, tokens["public_security"], PERSON, {"id": SUBJECT_GID})
    assert response.status_code == 503
    assert response.json() == {"data": None, "errors": [{
        "message": "The read could not be written to the audit trail, so nothing is returned.",
        "extensions": {"code": "AUDIT_UNAVAILABLE"},
    }]}  # fmt: skip
    for leak in ("陈秀英", SUBJECT_PHONE, "disk full", "audit_entry"):
        assert leak not in response.text
    assert entries(engine) == []
    with Session(engine) as session:
        assert audit.verify(session).ok  # the head did not move either
    aggregate = send(
        client, tokens["public_security"], '{ grid(code: "350526001") { houseCount } }'
    )
    assert aggregate.status_code == 200  # reads of no personal data need no entry


def test_a_steward_sees_who_looked_at_a_resident(
    world: tuple[Settings, Engine, dict[str, str]], client: HubClient
) -> None:
    _, _, tokens = world
    send(client, tokens["health"], PERSON, {"id": SUBJECT_GID}, purpose="vaccination drive")
    send(client, tokens["civil_affairs"], PERSON, {"id": to_base64("Person", "P0000900")})
    trail = """query($id: ID!) { auditTrail(personId: $id) {
        totalCount edges { node { actor role purpose allowed fields { field allowed } } } } }"""
    body = send(client, tokens["steward"], trail, {"id": SUBJECT_GID}).json()
    nodes = [e["node"] for e in body["data"]["auditTrail"]["edges"]]
    assert [(n["role"], n["purpose"]) for n in nodes] == [
        ("civil_affairs", PURPOSE), ("health", "vaccination drive")
    ]  # fmt: skip
    assert body["data"]["auditTrail"]["totalCount"] == 2
    refused = send(client, tokens["health"], trail, {"id": SUBJECT_GID}).json()
    assert refused["errors"][0]["extensions"] == {"code": "FORBIDDEN"}


def test_concurrent_requests_of_one_process_wait_for_a_writer_without_stalling(
    world: tuple[Settings, Engine, dict[str, str]],
) -> None:
    """A request holds its write (a token's first use, a mutation) until its commit, across
    awaits; a concurrent request that writes too must wait for it without blocking the event
    loop the holder needs to finish (it would stall until the busy timeout, then fail)."""
    settings, engine, tokens = world
    token = tokens["public_security"]  # never used: the first requests each write its use
    body = {"query": PERSON, "variables": {"id": SUBJECT_GID}}

    async def burst(client: httpx.AsyncClient) -> list[httpx.Response]:
        sent = [client.post("/graphql", json=body, headers=headers(token)) for _ in range(6)]
        return list(await asyncio.wait_for(asyncio.gather(*sent), timeout=20))

    started = time.monotonic()
    with serve(create_app(settings, allow_listed_only=False)) as hub:
        responses = hub.portal.call(burst, hub.client)
    assert [r.status_code for r in responses] == [200] * 6
    assert all("errors" not in r.json() for r in responses)
    assert time.monotonic() - started < 15
    assert len(entries(engine)) == 6
    with Session(engine) as session:
        assert audit.verify(session).ok
