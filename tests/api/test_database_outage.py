"""The database under ``hub serve``: a server does not start without it (one line, no
traceback), and a running server answers 503 with a JSON error while it is gone, then serves
again when it is back. Tested as a client meets it: HTTP against a real ``hub serve`` whose
PostgreSQL connection runs through a proxy the test cuts."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from hub.api import tokens as api_tokens
from hub.cli import main
from hub.storage import migrate
from hub.storage.session import make_engine
from schema.export import OPERATIONS_DIR
from tests.access import policy
from tests.api.conftest import headers
from tests.api.servers import Proxy, cut_off, free_port, hub_server


@pytest.mark.parametrize("broken", ["unreachable", "unmigrated"])
def test_serve_does_not_start_without_its_database(broken: str, tmp_path: Path) -> None:
    if broken == "unreachable":
        url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/test"
        expected = f"Error: cannot reach the database {url}: connection failed"
    else:
        url = f"sqlite:///{tmp_path / 'empty.sqlite3'}"
        expected = (f"Error: the database {url} has no hub tables (the code needs "
                    f"{migrate.head_revision()}): run `hub db upgrade`")  # fmt: skip
    result = CliRunner().invoke(
        main,
        ["serve", "--port", "8139"],
        env={"HUB_DATABASE_URL": url, "HUB_VAR_DIR": str(tmp_path), "HUB_AUDIT_KEY": "ab" * 32},
    )
    assert result.exit_code == 1 and result.output.startswith(expected)
    assert len(result.output.splitlines()) == 1 and "Traceback" not in result.output


@pytest.mark.postgres
@pytest.mark.slow
def test_a_running_server_answers_503_while_the_database_is_gone(
    postgres_schema_url: str, tmp_path: Path
) -> None:
    migrate.upgrade(postgres_schema_url)
    engine = make_engine(postgres_schema_url)
    with Session(engine) as session, session.begin():
        secret = api_tokens.create(session, policy(), name="outage", role="steward").secret
    engine.dispose()
    direct = make_url(postgres_schema_url)
    query = (OPERATIONS_DIR / "DeliveriesOfDataset.graphql").read_text(encoding="utf-8")
    body = {"query": query, "variables": {"dataset": "gongan.population"}}
    with Proxy((direct.host or "127.0.0.1", direct.port or 5432)) as proxy:
        proxied = direct.set(host="127.0.0.1", port=proxy.port).render_as_string(False)
        with hub_server(proxied, tmp_path) as server:

            def ask() -> httpx.Response:
                return httpx.post(server.url, json=body, headers=headers(secret), timeout=30)

            assert ask().status_code == 200
            with cut_off(proxy):
                gone = ask()
                assert gone.status_code == 503
                assert gone.headers["content-type"] == "application/json"
                assert gone.json()["errors"][0]["extensions"]["code"] == "DATABASE_UNAVAILABLE"
            back = ask()
            assert back.status_code == 200 and "errors" not in back.json(), back.text
