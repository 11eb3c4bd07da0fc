"""A real ``hub serve`` in production mode on the small world (tests/schema/world.py), on
SQLite and PostgreSQL, with a token per role: once per module (``hub``), or per test for
tests that break the database on purpose (``fresh_hub``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from tests.api.conftest import issue_tokens
from tests.conftest import BACKENDS
from tests.schema.conftest import small_world
from tests.security.live import LiveHub, live_hub


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
