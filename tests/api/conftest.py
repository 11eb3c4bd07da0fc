"""A migrated SQLite file holding the small world, and settings that point at it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import pytest
from anyio.from_thread import BlockingPortal, start_blocking_portal
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session
from starlette.applications import Starlette

from hub.api import tokens as api_tokens
from hub.config import Settings, load_settings
from hub.storage import migrate
from hub.storage.session import make_engine
from tests.access import policy
from tests.schema.world import GRID, populate

PURPOSE = "case 2026-0001"


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> Iterator[tuple[Settings, Engine, dict[str, str]]]:
    """The small world on the backend under test, a token per role, an engine to look in."""
    engine = make_engine(db_url)
    with Session(engine) as session, session.begin():
        populate(session)
    settings = load_settings({"HUB_DATABASE_URL": db_url, "HUB_VAR_DIR": str(tmp_path)})
    yield settings, engine, issue_tokens(db_url)
    engine.dispose()


def world_database(folder: Path) -> str:
    """A migrated SQLite file in ``folder`` holding the small world; its URL."""
    url = f"sqlite:///{folder / 'hub.sqlite3'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        populate(session)
    engine.dispose()
    return url


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    base = tmp_path_factory.mktemp("api")
    url = world_database(base)
    return load_settings({"HUB_DATABASE_URL": url, "HUB_VAR_DIR": str(base)}, cwd=Path(base))


def issue_tokens(database_url: str, grid_code: str = GRID) -> dict[str, str]:
    """One token per role of the policy (grid-scoped roles scoped to ``grid_code``)."""
    engine = make_engine(database_url)
    secrets: dict[str, str] = {}
    with Session(engine) as session, session.begin():
        for role, spec in policy().roles.items():
            grid = grid_code if spec.grid_scope.value == "required" else None
            issued = api_tokens.create(session, policy(), name=f"test/{role}", role=role,
                                       grid_code=grid)  # fmt: skip
            secrets[role] = issued.secret
    engine.dispose()
    return secrets


@pytest.fixture(scope="module")
def tokens(settings: Settings) -> dict[str, str]:
    """role -> bearer secret, in the module's database."""
    return issue_tokens(settings.database_url)


def headers(token: str | None, purpose: str | None = PURPOSE) -> dict[str, str]:
    """The headers of a department's request."""
    sent = {}
    if token is not None:
        sent["Authorization"] = f"Bearer {token}"
    if purpose is not None:
        sent["X-Hub-Purpose"] = purpose
    return sent


def refuse_audit_entries(engine: Engine) -> None:
    """Make the audit table refuse every insert, as a full disk would."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(
                text("""create function refuse() returns trigger language plpgsql
                                 as $$ begin raise exception 'disk full'; end $$""")
            )
            conn.execute(text("create trigger refuse before insert on audit_entry "
                              "for each row execute function refuse()"))  # fmt: skip
        else:
            conn.execute(text("create trigger refuse before insert on audit_entry "
                              "begin select raise(abort, 'disk full'); end"))  # fmt: skip


class HubClient:
    """httpx over ASGI, driven from synchronous tests through an anyio portal."""

    def __init__(self, portal: BlockingPortal, client: httpx.AsyncClient) -> None:
        self.portal = portal
        self.client = client

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(partial(self.client.get, url, **kwargs))

    def post(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.portal.call(partial(self.client.post, url, **kwargs))


@asynccontextmanager
async def _client(app: Starlette) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://hub.test") as client,
    ):
        yield client


@contextmanager
def serve(app: Starlette) -> Iterator[HubClient]:
    """A client for ``app``, with the app's lifespan run around it (the engine is disposed)."""
    with (
        start_blocking_portal() as portal,
        portal.wrap_async_context_manager(_client(app)) as client,
    ):
        yield HubClient(portal, client)
