"""The API as departments' standard GraphQL clients meet it: every published operation, sent
by ``gql`` (which re-prints the document, comments and layout gone) to a real ``hub serve`` in
production mode with each role's token and a purpose, answers as the operations test expects
(the same cases, the same SQL checks): queries and mutations over HTTP, the change feed over
WebSocket (graphql-transport-ws, token and purpose in connection_init)."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from gql import Client, GraphQLRequest
from gql.transport.exceptions import TransportQueryError
from gql.transport.httpx import HTTPXTransport
from gql.transport.websockets import WebsocketsTransport
from graphql import parse, print_ast
from sqlalchemy import Engine

from benchmarks._server import HubServer
from hub.config import Settings
from tests.api.conftest import PURPOSE
from tests.api.servers import hub_server
from tests.schema.test_operations import (
    ASKED_BY,
    CASES,
    OPERATIONS,
    Case,
    publish_world,
    role_tokens,
)

pytestmark = pytest.mark.slow


class GqlApi:
    """``gql`` against a running server: HTTPX for queries and mutations, websockets for
    subscriptions."""

    def __init__(self, url: str) -> None:
        self.url = url

    def _headers(self, token: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}", "X-Hub-Purpose": PURPOSE}

    def execute(self, query: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
        transport = HTTPXTransport(url=self.url, headers=self._headers(token), timeout=120)
        with Client(transport=transport) as session:
            return session.execute(GraphQLRequest(query, variable_values=variables))

    def subscribe(
        self, query: str, variables: dict[str, Any], token: str, count: int
    ) -> list[dict[str, Any]]:
        request = GraphQLRequest(query, variable_values=variables)

        async def first() -> list[dict[str, Any]]:
            # Made inside the loop: made outside, the transport opens an event loop of its
            # own that nothing closes.
            transport = WebsocketsTransport(
                url=self.url.replace("http://", "ws://"), init_payload=self._headers(token),
                subprotocols=[WebsocketsTransport.GRAPHQLWS_SUBPROTOCOL],
            )  # fmt: skip
            got: list[dict[str, Any]] = []
            # The session closes the WebSocket when the block ends, events read or not.
            async with Client(transport=transport) as session:
                async for data in session.subscribe(request):
                    got.append(data)
                    if len(got) == count:
                        break
            return got

        return asyncio.run(first())


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Settings, Engine]]:
    """The operations test's published world, this module's own."""
    settings, engine = publish_world(tmp_path_factory.mktemp("gql"))
    yield settings, engine
    engine.dispose()


@pytest.fixture(scope="module")
def tokens(world: tuple[Settings, Engine]) -> dict[str, str]:
    """A token per role in this module's world (not the API tests' small one)."""
    return role_tokens(world)


@pytest.fixture(scope="module")
def server(world: tuple[Settings, Engine]) -> Iterator[HubServer]:
    settings = world[0]
    with hub_server(settings.database_url, settings.var_dir / "gql") as running:
        yield running


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_published_operation_through_gql(
    name: str, server: HubServer, world: tuple[Settings, Engine], tokens: dict[str, str]
) -> None:
    api = GqlApi(server.url)
    CASES[name](Case(api, world[1], name, tokens[ASKED_BY[name]], tokens))


def test_gql_sends_the_printed_document_and_other_documents_are_refused(
    server: HubServer,
    tokens: dict[str, str],
) -> None:
    """What gql sends is not the file's bytes (so a byte-for-byte allow-list refused it);
    a document that is not published is still refused, by text or by hash."""
    document = (OPERATIONS / "GridRollups.graphql").read_text(encoding="utf-8")
    assert print_ast(parse(document)) != document
    api = GqlApi(server.url)
    changed = document.replace("residentCount", "residentCount houseCount")
    with pytest.raises(TransportQueryError) as refused:
        api.execute(changed, {"code": "350526100"}, tokens["steward"])
    assert refused.value.errors == [{"message": refused.value.errors[0]["message"],
                                     "extensions": {"code": "OPERATION_NOT_ALLOWED"}}]  # fmt: skip
    # Apollo's automatic persisted queries: the hash of the printed document alone.
    printed = print_ast(parse(document))
    headers = {"Authorization": f"Bearer {tokens['steward']}", "X-Hub-Purpose": PURPOSE}

    def by_hash(digest: str) -> dict[str, Any]:
        body = {"variables": {"code": "350526100"},
                "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}}}  # fmt: skip
        answer: dict[str, Any] = httpx.post(server.url, json=body, headers=headers).json()
        return answer

    known = by_hash(hashlib.sha256(printed.encode()).hexdigest())
    assert "errors" not in known and known["data"]["grid"]["code"] == "350526100"
    unknown = by_hash(hashlib.sha256(print_ast(parse(changed)).encode()).hexdigest())
    assert unknown["errors"][0]["extensions"] == {"code": "PERSISTED_QUERY_NOT_FOUND"}


def test_the_server_ran_in_production_mode(server: HubServer, tmp_path: Path) -> None:
    """No token, no answer; no introspection (what a development server would give)."""
    bare = httpx.post(server.url, json={"query": "{ __schema { queryType { name } } }"})
    assert bare.status_code == 401
