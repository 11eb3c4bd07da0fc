"""The app over HTTP: tokens or 401, POST only, GraphiQL and introspection only in
development, published operations only in production, no batches, a session per request
closed after it, unexpected errors masked, limits refused."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path
from typing import Any

import pytest
from graphql import parse, print_ast
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from starlette.requests import Request

from hub.api.access import Viewer, development_viewer, full_access
from hub.api.app import create_app
from hub.config import Mode, Settings, load_settings
from hub.storage.session import make_engine
from schema.export import OPERATIONS_DIR
from tests.api.conftest import HubClient, headers, serve

GRID_COUNTS = '{ grid(code: "350526001") { residentCount } }'
NAMES = "{ people(first: 1) { edges { node { name } } } }"


def post(
    client: HubClient,
    query: str,
    variables: dict[str, Any] | None = None,
    token: str | None = None,
    **extra: Any,
) -> Any:
    response = client.post("/graphql", json={"query": query, "variables": variables or {}},
                           headers=headers(token), **extra)  # fmt: skip
    assert response.status_code == 200, response.text
    return response.json()


@pytest.mark.parametrize("sent", [None, "Bearer hub_unknown", "Basic abc", "hub_x", "Bearer "])
def test_without_a_valid_token_there_is_nothing_but_401(
    settings: Settings, sent: str | None
) -> None:
    with serve(create_app(settings, allow_listed_only=False)) as client:
        response = client.post("/graphql", json={"query": GRID_COUNTS},
                               headers={"Authorization": sent} if sent else {})  # fmt: skip
        assert response.status_code == 401
        assert response.content == b""
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert client.get("/graphql", headers={"accept": "text/html"}).status_code == 405


def test_a_token_reads_what_its_role_may(settings: Settings, tokens: dict[str, str]) -> None:
    with serve(create_app(settings, allow_listed_only=False)) as client:
        counts = post(client, GRID_COUNTS, token=tokens["administrator"])
        assert counts == {"data": {"grid": {"residentCount": 120}}}
        refused = post(client, NAMES, token=tokens["administrator"])
        assert refused["errors"][0]["extensions"] == {"code": "FORBIDDEN"}
        named = post(client, NAMES, token=tokens["civil_affairs"])
        assert named["data"]["people"]["edges"][0]["node"]["name"] == "陈秀英"
    engine = make_engine(settings.database_url)
    with engine.connect() as conn:
        used = conn.execute(text("select last_used_at from api_token where name = :n"),
                            {"n": "test/civil_affairs"}).scalar()  # fmt: skip
    engine.dispose()
    assert used is not None  # written once, then at most every 15 minutes


def test_a_revoked_token_gets_401(settings: Settings, tmp_path: Path) -> None:
    from hub.api import tokens as api_tokens
    from tests.access import policy

    engine = make_engine(settings.database_url)
    with Session(engine) as session, session.begin():
        secret = api_tokens.create(session, policy(), name="leaver", role="health").secret
    with serve(create_app(settings, allow_listed_only=False)) as client:
        assert post(client, GRID_COUNTS, token=secret)["data"]
        with Session(engine) as session, session.begin():
            api_tokens.revoke(session, "leaver")
        response = client.post("/graphql", json={"query": GRID_COUNTS}, headers=headers(secret))
        assert response.status_code == 401
    engine.dispose()


def test_development_grants_full_access_without_a_token(settings: Settings) -> None:
    with serve(create_app(settings, development=True)) as client:
        response = client.post("/graphql", json={"query": NAMES})
        assert response.json()["data"]["people"]["edges"][0]["node"]["name"] == "陈秀英"
    assert "陈秀英".encode() in response.content  # UTF-8, not \u escapes


def test_development_is_never_the_default(settings: Settings) -> None:
    assert settings.mode is Mode.PRODUCTION
    with serve(create_app(settings)) as client:
        assert client.post("/graphql", json={"query": NAMES}).status_code == 401
    dev = load_settings({"HUB_DATABASE_URL": settings.database_url, "HUB_MODE": "development",
                         "HUB_VAR_DIR": str(settings.var_dir)})  # fmt: skip
    with serve(create_app(dev)) as client:
        assert client.post("/graphql", json={"query": NAMES}).status_code == 200


def test_production_accepts_post_only_and_serves_no_ide(
    settings: Settings, tokens: dict[str, str]
) -> None:
    token = tokens["steward"]
    with serve(create_app(settings, allow_listed_only=False)) as client:
        assert client.get("/graphql", params={"query": GRID_COUNTS},
                          headers=headers(token)).status_code == 405  # fmt: skip
        assert client.get("/graphql", headers={"accept": "text/html",
                                               **headers(token)}).status_code == 405  # fmt: skip
        introspection = post(client, "{ __schema { types { name } } }", token=token)
        assert "introspection" in introspection["errors"][0]["message"]


def test_batches_and_streams_are_refused(settings: Settings, tokens: dict[str, str]) -> None:
    with serve(create_app(settings, allow_listed_only=False)) as client:
        batch = client.post("/graphql", json=[{"query": GRID_COUNTS}, {"query": GRID_COUNTS}],
                            headers=headers(tokens["steward"]))  # fmt: skip
        assert (batch.status_code, batch.text) == (400, "Batching is not enabled")
        for accept in ("text/event-stream", 'multipart/mixed;subscriptionSpec="1.0"'):
            sent = {"accept": accept, **headers(tokens["steward"])}
            stream = client.post("/graphql", json={"query": GRID_COUNTS}, headers=sent)
            assert stream.headers["content-type"] == "application/json", accept


def test_development_serves_graphiql_but_still_no_get_queries(settings: Settings) -> None:
    with serve(create_app(settings, development=True)) as client:
        ide = client.get("/graphql", headers={"accept": "text/html"})
        assert ide.status_code == 200
        assert "graphiql" in ide.text.lower()
        via_get = client.get("/graphql", params={"query": GRID_COUNTS})
        assert (via_get.status_code, via_get.text) == (
            400,
            "queries are not allowed when using GET",
        )
        assert (
            "data"
            in client.post("/graphql", json={"query": "{ __schema { queryType { name } } }"}).json()
        )


def test_the_development_viewer_is_refused_outside_development(settings: Settings) -> None:
    with pytest.raises(ValueError, match="development mode only"):
        create_app(settings, viewer_for_request=development_viewer)


def test_production_runs_published_operations_only(
    settings: Settings, tokens: dict[str, str]
) -> None:
    document = (OPERATIONS_DIR / "GridRollups.graphql").read_text(encoding="utf-8")
    digest = hashlib.sha256(document.encode()).hexdigest()
    token = tokens["steward"]
    with serve(create_app(settings)) as client:
        sent = post(client, document, {"code": "350526001"}, token=token)
        assert sent["data"]["grid"]["residentCount"] == 120
        by_hash = client.post("/graphql", headers=headers(token), json={
            "variables": {"code": "350526001"},
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": digest}},
        }).json()  # fmt: skip
        assert by_hash == sent
        # As a GraphQL client re-prints it (comments, commas and layout gone): the same one.
        printed = print_ast(parse(document))
        assert printed != document
        assert post(client, printed, {"code": "350526001"}, token=token) == sent
        relaid = "# my copy\n" + document.replace("houseCount", "houseCount ,\n")
        assert post(client, relaid, {"code": "350526001"}, token=token) == sent
        by_printed_hash = client.post("/graphql", headers=headers(token), json={
            "variables": {"code": "350526001"},
            "extensions": {"persistedQuery": {"version": 1,
                                              "sha256Hash": hashlib.sha256(printed.encode())
                                              .hexdigest()}},
        }).json()  # fmt: skip
        assert by_printed_hash == sent
        # Another document is refused, however it is sent.
        another = document.replace("houseCount", "houseCount residentCount")
        for query in (GRID_COUNTS, another, print_ast(parse(another))):
            refused = post(client, query, {"code": "350526001"}, token=token)
            assert refused["data"] is None
            assert refused["errors"][0]["extensions"] == {"code": "OPERATION_NOT_ALLOWED"}
        unknown = client.post("/graphql", headers=headers(token), json={
            "extensions": {"persistedQuery": {"version": 1, "sha256Hash": "0" * 64}},
        }).json()  # fmt: skip
        assert unknown["data"] is None
        assert [(e["message"], e["extensions"]) for e in unknown["errors"]] == [
            ("PersistedQueryNotFound", {"code": "PERSISTED_QUERY_NOT_FOUND"})
        ]
        mismatched = client.post("/graphql", headers=headers(token), json={
            "query": GRID_COUNTS, "extensions": {"persistedQuery": {"sha256Hash": digest}},
        }).json()  # fmt: skip
        assert mismatched["errors"][0]["extensions"] == {"code": "OPERATION_NOT_ALLOWED"}


def test_each_request_gets_a_session_closed_after_it(settings: Settings) -> None:
    sessions: list[Session] = []

    def viewer_for_request(request: Request, session: Session) -> Viewer:
        session.execute(select(1))  # as a token lookup would
        sessions.append(session)
        return full_access()

    app = create_app(settings, viewer_for_request=viewer_for_request, allow_listed_only=False)
    with serve(app) as client:
        post(client, NAMES)
        post(client, NAMES)
    assert len(sessions) == 2
    assert sessions[0] is not sessions[1]
    assert not any(s.in_transaction() for s in sessions)


def test_unexpected_errors_are_masked(settings: Settings, tmp_path: Path) -> None:
    broken_file = tmp_path / "broken.sqlite3"
    shutil.copy(settings.database_url.removeprefix("sqlite:///"), broken_file)
    url = f"sqlite:///{broken_file}"
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(text("drop table person_tag"))
    engine.dispose()
    broken = load_settings({"HUB_DATABASE_URL": url, "HUB_VAR_DIR": str(tmp_path)})
    with serve(create_app(broken, development=True)) as client:
        response = client.post("/graphql", json={"query": "{ people { edges { node { tags } } } }"})
    assert response.status_code == 200
    errors = response.json()["errors"]
    assert {e["message"] for e in errors} == {"Unexpected error."}
    for leak in ("person_tag", "SELECT", "Traceback", "sqlite", str(tmp_path), "/hub/"):
        assert leak not in response.text


def test_limits_are_refused(settings: Settings, tokens: dict[str, str]) -> None:
    deep = '{ grid(code: "350526001") { %s } }' % ("children { " * 10 + "code" + " }" * 10)
    aliases = "{ " + " ".join(f'a{i}: grid(code: "350526001") {{ code }}' for i in range(16)) + " }"
    tokens_ = "{ " + " ".join(["__typename"] * 1001) + " }"
    with serve(create_app(settings, allow_listed_only=False)) as client:
        token = tokens["steward"]
        assert (
            "exceeds maximum operation depth"
            in post(client, deep, token=token)["errors"][0]["message"]
        )
        assert "aliases" in post(client, aliases, token=token)["errors"][0]["message"]
        assert "more than 1000 tokens" in post(client, tokens_, token=token)["errors"][0]["message"]
        page = post(client, "{ people(first: 101) { totalCount } }", token=token)
        assert page["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}
        ids = ", ".join(['"UGVyc29uOlAwMDAwMDAx"'] * 101)
        nodes = post(client, f"{{ nodes(ids: [{ids}]) {{ id }} }}", token=token)
        assert nodes["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT"}


@pytest.mark.parametrize(
    "inline",
    [
        '{ personByResidentId(residentId: "x") { __typename } }',
        '{ people(filter: {name: "陈秀英"}) { totalCount } }',
        '{ people(filter: {nameSoundsLike: "chen"}) { totalCount } }',
        '{ grid(code: "35052619560308123X") { code } }',
        '{ grid(code: "138 1234 5678") { code } }',
    ],
)
def test_personal_values_in_query_text_are_refused(
    settings: Settings, tokens: dict[str, str], inline: str
) -> None:
    from tests.schema.world import SUBJECT_ID

    inline = inline.replace("35052619560308123X", SUBJECT_ID)
    with serve(create_app(settings, allow_listed_only=False)) as client:
        refused = post(client, inline, token=tokens["steward"])
    assert refused.get("data") is None
    assert "as a variable" in refused["errors"][0]["message"]


def test_quality_data_docs_need_a_quality_grant(tmp_path: Path, settings: Settings,
                                               tokens: dict[str, str]) -> None:  # fmt: skip
    docs_settings = load_settings(
        {"HUB_VAR_DIR": str(tmp_path), "HUB_DATABASE_URL": settings.database_url}, cwd=tmp_path
    )
    docs = docs_settings.quality_docs_dir
    docs.mkdir(parents=True)
    (docs / "index.html").write_text("<html><body>Data Docs | hub</body></html>")
    with serve(create_app(docs_settings)) as client:
        assert client.get("/quality/docs/").status_code == 401
        assert client.get("/quality/docs/", headers=headers(tokens["health"])).status_code == 403
        response = client.get("/quality/docs/", headers=headers(tokens["steward"]))
        assert response.status_code == 200 and "Data Docs" in response.text
        escape = client.get("/quality/docs/../../hub.sqlite3", headers=headers(tokens["steward"]))
        assert escape.status_code == 404
