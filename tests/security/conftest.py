"""A real ``hub serve`` in production mode on the small world (tests/schema/world.py), on
SQLite and PostgreSQL, with a token per role: once per module (``hub``), or per test for
tests that break the database on purpose (``fresh_hub``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.orm import Session

from hub.storage import migrate
from hub.storage.session import make_engine
from tests.api.conftest import issue_tokens
from tests.conftest import BACKENDS
from tests.schema.world import populate
from tests.security.live import LiveHub, live_hub


def small_world(backend: str, base: Path, request: pytest.FixtureRequest) -> str:
    """The URL of a fresh database of ``backend`` holding the small world."""
    if backend == "sqlite":
        url = f"sqlite:///{base / 'hub.sqlite3'}"
    else:
        url = request.getfixturevalue("postgres_schema_url")
        admin = create_engine(url)
        with admin.begin() as conn:  # other modules leave their tables behind
            current = conn.execute(text("select current_schema()")).scalar_one()
            conn.execute(text(f'drop schema "{current}" cascade'))
            conn.execute(text(f'create schema "{current}"'))
        admin.dispose()
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        populate(session)
    engine.dispose()
    return url


@pytest.fixture(scope="module", params=BACKENDS)
def hub(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
        ) -> Iterator[LiveHub]:  # fmt: skip
    """A server on the small world, shared by a module's tests (which must not break it)."""
    base = tmp_path_factory.mktemp("live")
    url = small_world(str(request.param), base, request)
    with live_hub(url, base / "var", tokens=issue_tokens(url)) as server:
        yield server


@pytest.fixture
def fresh_hub(backend: str, tmp_path: Path, request: pytest.FixtureRequest
              ) -> Iterator[LiveHub]:  # fmt: skip
    """A server on a small world of the test's own."""
    url = small_world(backend, tmp_path, request)
    with live_hub(url, tmp_path / "var", tokens=issue_tokens(url)) as server:
        yield server


@pytest.fixture
def engine_of() -> Iterator[list[Engine]]:
    """Engines a test opens on a server's database, disposed after it."""
    opened: list[Engine] = []
    yield opened
    for engine in opened:
        engine.dispose()
