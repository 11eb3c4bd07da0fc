"""Fuzzing: queries generated from the exported SDL (hypothesis-graphql), sent with each
role's token and a purpose through the real ASGI app. No 5xx, no masked "Unexpected error."
(each would be a bug), and nothing of the server's insides in any answer."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis_graphql import nodes, queries

from hub.api.app import create_app
from hub.config import Settings
from schema.export import SDL_PATH
from tests.access import policy
from tests.api.conftest import HubClient, headers, serve

SDL = SDL_PATH.read_text(encoding="utf-8")
CUSTOM_SCALARS = {
    "Date": st.dates().map(lambda d: nodes.String(d.isoformat())),
    "DateTime": st.datetimes().map(lambda d: nodes.String(d.isoformat())),
    "Decimal": st.decimals(allow_nan=False, allow_infinity=False).map(nodes.String),
    "JSON": st.just(nodes.String("{}")),
}
#: Words that would mean the server's insides reached a client.
LEAKS = ("Traceback", "sqlalchemy", "sqlite3", "psycopg", "SELECT ", 'File "', ".py", "/hub/")
EXAMPLES_PER_ROLE = 25


@pytest.fixture(scope="module")
def client(settings: Settings) -> Iterator[HubClient]:
    with serve(create_app(settings, allow_listed_only=False)) as client:
        yield client


@pytest.mark.slow  # about 30 s for every role
@pytest.mark.parametrize("role", sorted(policy().roles))
def test_generated_queries_never_fail_the_server(
    client: HubClient, tokens: dict[str, str], role: str
) -> None:
    sent = headers(tokens[role])

    @settings(
        max_examples=EXAMPLES_PER_ROLE,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )
    @given(query=queries(SDL, custom_scalars=CUSTOM_SCALARS, allow_x00=False))  # fmt: skip
    def check(query: str) -> None:
        response = client.post("/graphql", json={"query": query}, headers=sent)
        assert response.status_code < 500, (query, response.text)
        assert response.status_code in (200, 400), (query, response.status_code)
        text = response.text
        for leak in LEAKS:
            assert leak not in text, (query, text)
        if response.status_code == 200:
            body = json.loads(text)
            messages = [e["message"] for e in body.get("errors", [])]
            assert "Unexpected error." not in messages, query

    check()
