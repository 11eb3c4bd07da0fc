"""Shared fixtures: a migrated database on SQLite and, where reachable, PostgreSQL.

Storage tests take the ``db_url`` / ``engine`` / ``session`` fixtures and run once per backend.
PostgreSQL is ``HUB_TEST_POSTGRES_URL`` (default: the local server, database ``test``); each
test session works in a schema of its own, dropped at the end, so parallel runs do not collide.
Where the server is unreachable the PostgreSQL variants are skipped, saying why.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from hub.config import load_settings
from hub.storage import migrate
from hub.storage.session import make_engine

BACKENDS = ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]


def _postgres_url() -> str:
    return load_settings().test_postgres_url


def _postgres_unreachable_reason() -> str | None:
    url = _postgres_url()
    try:
        engine = create_engine(url, connect_args={"connect_timeout": 3})
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
    except Exception as exc:  # any failure to connect means "skip", with the reason shown
        safe = make_url(url).render_as_string(hide_password=True)
        return f"PostgreSQL not reachable at {safe} (set HUB_TEST_POSTGRES_URL): {exc!s:.200}"
    return None


@pytest.fixture(scope="session")
def postgres_schema_url() -> Iterator[str]:
    """A URL whose search_path is a fresh schema, created for this test session."""
    reason = _postgres_unreachable_reason()
    if reason:
        if os.environ.get("HUB_REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    base = make_url(_postgres_url())
    schema = f"hub_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'create schema "{schema}"'))
    url = base.update_query_dict({"options": f"-csearch_path={schema}"})
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'drop schema "{schema}" cascade'))
        admin.dispose()


def reset_schema(url: str) -> None:
    """Drop and create again the schema a PostgreSQL URL's search_path names (other modules
    of the session leave their tables behind)."""
    admin = create_engine(url)
    with admin.begin() as conn:
        schema = conn.execute(text("select current_schema()")).scalar_one()
        conn.execute(text(f'drop schema "{schema}" cascade'))
        conn.execute(text(f'create schema "{schema}"'))
    admin.dispose()


def database_url(backend: str, base: Path, request: pytest.FixtureRequest) -> str:
    """An empty database of ``backend``: a SQLite file under ``base``, or the session's
    PostgreSQL schema, emptied."""
    if backend == "sqlite":
        return f"sqlite:///{base / 'hub.sqlite3'}"
    url: str = request.getfixturevalue("postgres_schema_url")
    reset_schema(url)
    return url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def empty_db_url(backend: str, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """An empty database of the requested backend (no tables yet)."""
    yield database_url(backend, tmp_path, request)


@pytest.fixture
def db_url(empty_db_url: str) -> str:
    """A database of the requested backend, migrated to head."""
    migrate.upgrade(empty_db_url)
    return empty_db_url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    with engine.connect() as conn:
        trans = conn.begin()
        with Session(bind=conn, join_transaction_mode="create_savepoint") as s:
            yield s
        trans.rollback()


# A published generated world for end-to-end tests (steward actions, reports).
from tests.published_world import generated, landing, published  # noqa: E402

__all__ = ["generated", "landing", "published"]
