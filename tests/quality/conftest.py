"""One migrated database per backend for this folder's tests (migrating per test would cost
more than the checks), each test still in a transaction rolled back at its end."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from hub.storage import migrate
from hub.storage.session import make_engine
from tests.conftest import BACKENDS


@pytest.fixture(scope="module", params=BACKENDS)
def quality_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    if request.param == "sqlite":
        path: Path = tmp_path_factory.mktemp("quality") / "hub.sqlite3"
        url = f"sqlite:///{path}"
        migrate.upgrade(url)
        engine = make_engine(url)
        yield engine
        engine.dispose()
        return
    base: str = request.getfixturevalue("postgres_schema_url")  # skips when unreachable
    schema = f"quality_{uuid.uuid4().hex[:10]}"
    admin = create_engine(base)
    with admin.begin() as conn:
        conn.execute(text(f'create schema "{schema}"'))
    rendered = (
        make_url(base)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    migrate.upgrade(rendered)
    engine = make_engine(rendered)
    try:
        yield engine
    finally:
        engine.dispose()
        with admin.begin() as conn:
            conn.execute(text(f'drop schema "{schema}" cascade'))
        admin.dispose()


@pytest.fixture
def session(quality_engine: Engine) -> Iterator[Session]:
    """A session inside a transaction that is rolled back after the test."""
    with quality_engine.connect() as conn:
        trans = conn.begin()
        with Session(bind=conn, join_transaction_mode="create_savepoint") as s:
            yield s
        trans.rollback()
