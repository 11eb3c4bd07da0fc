"""The app over HTTP: POST only, GraphiQL and introspection only in development, a session per
request closed after it, unexpected errors masked, deep queries refused."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from starlette.requests import Request

from hub.api.access import Viewer, development_viewer, full_access
from hub.api.app import create_app
from hub.config import Settings, load_settings
from hub.storage.session import make_engine
from tests.api.conftest import HubClient, serve

GRID_COUNTS = '{ grid(code: "350526001") { residentCount } }'
NAMES = "{ people(first: 1) { edges { node { name } } } }"


def post(client: HubClient, query: str, variables: dict[str, Any] | None = None) -> Any:
    response = client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200, response.text
    return response.json()


def test_production_reads_aggregates_and_refuses_personal_data(settings: Settings) -> None:
    with serve(create_app(settings)) as client:
        assert post(client, GRID_COUNTS) == {"data": {"grid": {"residentCount": 120}}}
        refused = post(client, NAMES)
        assert refused["errors"][0]["extensions"] == {"code": "FORBIDDEN"}


def test_development_grants_full_access(settings: Settings) -> None:
    with serve(create_app(settings, development=True)) as client:
        assert post(client, NAMES)["data"]["people"]["edges"][0]["node"]["name"] == "陈秀英"
        raw = client.post("/graphql", json={"query": NAMES}).content
    assert "陈秀英".encode() in raw  # UTF-8, not \u escapes


def test_production_accepts_post_only_and_serves_no_ide(settings: Settings) -> None:
    with serve(create_app(settings)) as client:
        assert client.get("/graphql", params={"query": GRID_COUNTS}).status_code == 405
        assert client.get("/graphql", headers={"accept": "text/html"}).status_code == 405
        introspection = post(client, "{ __schema { types { name } } }")
        assert "introspection" in introspection["errors"][0]["message"]


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
        assert "data" in post(client, "{ __schema { queryType { name } } }")


def test_the_development_viewer_is_refused_outside_development(settings: Settings) -> None:
    with pytest.raises(ValueError, match="development mode only"):
        create_app(settings, viewer_for_request=development_viewer)


def test_each_request_gets_a_session_closed_after_it(settings: Settings) -> None:
    sessions: list[Session] = []

    def viewer_for_request(request: Request, session: Session) -> Viewer:
        session.execute(select(1))  # as a token lookup would
        sessions.append(session)
        return full_access()

    with serve(create_app(settings, viewer_for_request=viewer_for_request)) as client:
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
    for leak in ("person_tag", "SELECT", "Traceback", "sqlite", str(tmp_path)):
        assert leak not in response.text


def test_deep_queries_are_refused(settings: Settings) -> None:
    deep = '{ grid(code: "350526001") { %s } }' % ("children { " * 10 + "code" + " }" * 10)
    with serve(create_app(settings, development=True)) as client:
        refused = post(client, deep)
    assert "exceeds maximum operation depth" in refused["errors"][0]["message"]
    assert "data" not in refused or refused["data"] is None


def test_quality_data_docs_are_served_at_a_stable_url(tmp_path: Path) -> None:
    settings = load_settings({"HUB_VAR_DIR": str(tmp_path)}, cwd=tmp_path)
    docs = settings.quality_docs_dir
    docs.mkdir(parents=True)
    (docs / "index.html").write_text("<html><body>Data Docs | hub</body></html>")
    with serve(create_app(settings)) as client:
        response = client.get("/quality/docs/")
        assert response.status_code == 200 and "Data Docs" in response.text
        assert client.get("/quality/docs/../../hub.sqlite3").status_code == 404
