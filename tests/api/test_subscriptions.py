"""The change feed live over WebSocket (graphql-transport-ws) on both backends: the token and
purpose in connection_init, published subscriptions only, events delivered as committed, cut
to the reader's grants, each delivery audited, and a revoked token ending the stream."""

from __future__ import annotations

import concurrent.futures
import dataclasses
import datetime as dt
import warnings
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from starlette.exceptions import StarletteDeprecationWarning
from starlette.websockets import WebSocketDisconnect

from hub.api import tokens as api_tokens
from hub.api.app import create_app
from hub.config import Settings
from hub.resolution.changes import ChangeKind, ChangeLog
from hub.storage.models import AuditEntry, ChangeEvent, EntityKind
from schema.changes import subscription
from schema.export import OPERATIONS_DIR
from schema.pagination import encode_cursor
from tests.access import policy
from tests.api.conftest import PURPOSE
from tests.schema.world import OTHER_GRID, SUBJECT, SUBJECT_PHONE

with warnings.catch_warnings():
    # Starlette's test client prefers httpx2 and falls back to httpx (the dev pin) with a
    # deprecation warning; its WebSocket session is the same either way.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from starlette.testclient import TestClient

FEED = (OPERATIONS_DIR / "ChangeFeed.graphql").read_text(encoding="utf-8")
QUERY = (OPERATIONS_DIR / "ChangesSince.graphql").read_text(encoding="utf-8")
PROTOCOL = ["graphql-transport-ws"]
NEW_PHONE = "13700001111"


@pytest.fixture
def client(
    world: tuple[Settings, Engine, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> Iterator[TestClient]:
    monkeypatch.setattr(subscription, "POLL_SECONDS", 0.05)
    with TestClient(create_app(world[0])) as client:
        yield client


def commit_change(engine: Engine, values: dict[str, tuple[Any, Any]], actor: str) -> None:
    """One publication's worth of events: ``values`` changed on the subject."""
    log = ChangeLog()
    log.change(EntityKind.PERSON, SUBJECT, ChangeKind.UPDATED, values, version=2)
    with Session(engine) as session, session.begin():
        log.write(session, None, actor)


def receive(ws: Any, seconds: float = 30) -> dict[str, Any]:
    """The next message, or a failure after ``seconds`` (not a test that hangs: the reading
    thread is left behind, not joined)."""
    pool = concurrent.futures.ThreadPoolExecutor(1)
    try:
        message: dict[str, Any] = pool.submit(ws.receive_json).result(timeout=seconds)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return message


def from_latest(engine: Engine) -> dict[str, Any]:
    """Variables that start the feed after the newest event: "from now", without racing the
    server to read the newest seq before the test commits more."""
    with Session(engine) as session:
        latest = session.scalar(select(func.max(ChangeEvent.seq))) or 0
    return {"after": encode_cursor("ChangeEvent", latest)}


def connect(ws: Any, token: str | None, purpose: str | None = PURPOSE) -> dict[str, Any]:
    payload = {}
    if token is not None:
        payload["Authorization"] = f"Bearer {token}"
    if purpose is not None:
        payload["X-Hub-Purpose"] = purpose
    ws.send_json({"type": "connection_init", "payload": payload})
    return receive(ws)


def subscribe(ws: Any, query: str = FEED, variables: dict[str, Any] | None = None) -> None:
    ws.send_json({"id": "1", "type": "subscribe",
                  "payload": {"query": query, "variables": variables or {}}})  # fmt: skip


def test_a_connection_without_a_valid_token_is_closed(client: TestClient) -> None:
    for token in (None, "hub_" + "x" * 43):
        with client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
            ws.send_json({"type": "connection_init", "payload": {} if token is None
                          else {"Authorization": f"Bearer {token}"}})  # fmt: skip
            with pytest.raises(WebSocketDisconnect) as closed:
                receive(ws)
            assert closed.value.code == 4403


def test_only_published_subscriptions_run(
    client: TestClient, world: tuple[Settings, Engine, dict[str, str]]
) -> None:
    tokens = world[2]
    with client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        assert connect(ws, tokens["civil_affairs"])["type"] == "connection_ack"
        subscribe(ws, "subscription { changes { seq } }")
        refused = receive(ws)
        assert refused["type"] == "error"
        assert refused["payload"][0]["extensions"]["code"] == "OPERATION_NOT_ALLOWED"
        ws.send_json({"id": "2", "type": "subscribe", "payload": {"query": QUERY}})
        query = receive(ws)  # a published query, but queries do not run over a WebSocket
        assert query["type"] == "error" and "subscription" in str(query["payload"]).lower()


def test_events_arrive_as_committed_cut_to_the_grants_and_audited(
    client: TestClient, world: tuple[Settings, Engine, dict[str, str]]
) -> None:
    _, engine, tokens = world
    with client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        assert connect(ws, tokens["city_management"])["type"] == "connection_ack"
        subscribe(ws, variables=from_latest(engine))
        # Nothing yet: the subscription starts from now. Then three publications.
        commit_change(engine, {"tags": (["elderly"], ["elderly", "unvaccinated"])}, "run 1")
        commit_change(engine, {"phone": (SUBJECT_PHONE, NEW_PHONE)}, "grid/wang")
        first = receive(ws)
        assert first["type"] == "next", first
        event = first["payload"]["data"]["changes"]
        # City management may not see tags: the first event is not theirs; phones come masked.
        assert event["actor"] == "grid/wang"
        assert event["changes"] == [{"field": "phone", "old": "138****5678", "new": "137****1111",
                                     "provenance": None}]  # fmt: skip
        commit_change(engine, {"name": ("陈秀英", "陈秀瑛")}, "run 3")
        second = receive(ws)["payload"]["data"]["changes"]
        assert second["seq"] > event["seq"] and second["actor"] == "run 3"
    with Session(engine) as session:
        audited = list(
            session.scalars(select(AuditEntry).where(AuditEntry.operation == "ChangeFeed"))
        )
    assert len(audited) == 2  # one entry per batch delivered, none for the hidden event
    assert all(e.person_ids == [SUBJECT] and e.purpose == PURPOSE for e in audited)
    assert {f["field"] for f in audited[0].fields} >= {"Subscription.changes", "Person.phone"}
    assert NEW_PHONE not in str([e.fields for e in audited])


def test_a_cursor_resumes_without_gaps_or_repeats(
    client: TestClient, world: tuple[Settings, Engine, dict[str, str]]
) -> None:
    _, engine, tokens = world
    for n in range(3):
        commit_change(engine, {"phone": (SUBJECT_PHONE, f"1370000000{n}")}, f"run {n}")
    with Session(engine) as session:
        seqs = list(session.scalars(select(ChangeEvent.seq).order_by(ChangeEvent.seq)))
    assert len(seqs) == 3
    with client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        connect(ws, tokens["public_security"])
        subscribe(ws, variables={"after": encode_cursor("ChangeEvent", seqs[0])})
        resumed = [receive(ws)["payload"]["data"]["changes"] for _ in seqs[1:]]
        commit_change(engine, {"phone": ("13700000002", "13700000003")}, "run 3")
        live = receive(ws)["payload"]["data"]["changes"]
    assert [e["seq"] for e in resumed] == seqs[1:]
    assert live["seq"] > seqs[-1] and live["changes"][0]["new"] == "13700000003"
    assert resumed[-1]["cursor"] == encode_cursor("ChangeEvent", seqs[-1])


def test_a_grid_worker_gets_only_their_grid(
    client: TestClient, world: tuple[Settings, Engine, dict[str, str]]
) -> None:
    engine = world[1]
    with Session(engine) as session, session.begin():
        other = api_tokens.create(session, policy(), name="xunzhong/lin", role="grid_worker",
                                  grid_code=OTHER_GRID).secret  # fmt: skip
    with client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        connect(ws, other)
        subscribe(ws, variables={"after": encode_cursor("ChangeEvent", 0)})
        commit_change(engine, {"phone": (SUBJECT_PHONE, NEW_PHONE)}, "in GRID")
        log = ChangeLog()
        log.change(EntityKind.PERSON, "P0000200", ChangeKind.UPDATED,
                   {"phone": (None, "13900002222")}, version=2)  # fmt: skip
        with Session(engine) as session, session.begin():
            log.write(session, None, "in OTHER_GRID")
        event = receive(ws)["payload"]["data"]["changes"]
    assert event["entityId"] == "P0000200" and event["actor"] == "in OTHER_GRID"


def test_a_revoked_token_ends_the_stream(
    client: TestClient, world: tuple[Settings, Engine, dict[str, str]]
) -> None:
    _, engine, tokens = world
    with client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        connect(ws, tokens["health"])
        subscribe(ws, variables=from_latest(engine))
        with Session(engine) as session, session.begin():
            api_tokens.revoke(session, "test/health", now=dt.datetime.now(dt.UTC))
        ended = receive(ws)
        assert ended["type"] == "next"
        assert ended["payload"]["errors"][0]["extensions"]["code"] == "FORBIDDEN"


def test_the_server_counts_websockets_and_each_tokens_subscriptions(
    world: tuple[Settings, Engine, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    settings, engine, tokens = world
    monkeypatch.setattr(subscription, "POLL_SECONDS", 0.05)
    limits = dataclasses.replace(settings.api_limits, websockets_total=2, subscriptions_per_token=1)
    app = create_app(dataclasses.replace(settings, api_limits=limits))
    with (
        TestClient(app) as client,
        client.websocket_connect("/graphql", subprotocols=PROTOCOL) as first,
        client.websocket_connect("/graphql", subprotocols=PROTOCOL) as second,
    ):
        for ws in (first, second):
            assert connect(ws, tokens["civil_affairs"])["type"] == "connection_ack"
            subscribe(ws, variables=from_latest(engine))
        refused = receive(second)  # the token's one subscription is the first's
        errors = refused["payload"] if refused["type"] == "error" else (
            refused["payload"]["errors"])  # fmt: skip
        assert errors[0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
        with (
            pytest.raises(WebSocketDisconnect),
            client.websocket_connect("/graphql", subprotocols=PROTOCOL),
        ):
            pass  # a third WebSocket: the server has room for two
