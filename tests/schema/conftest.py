"""Fixtures: the small world in a migrated database (SQLite and PostgreSQL), built once per
module, and a runner that executes real operations against it in a transaction rolled back
after each test, counting the SQL statements each operation took."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session
from strawberry import Schema
from strawberry.types import ExecutionResult

from hub.api.access import Viewer, full_access
from hub.storage import migrate
from hub.storage.session import make_engine
from schema.context import Context
from schema.root import build_schema
from tests.conftest import BACKENDS, database_url
from tests.schema.world import populate

TODAY = dt.date(2026, 11, 20)
#: The purpose every operation states unless a test says otherwise.
PURPOSE = "case 2026-0001"


class Runner:
    """Executes operations with a context like a request's; ``queries`` counts the SQL
    statements of the last one."""

    def __init__(self, schema: Schema, session: Session, engine: Engine) -> None:
        self.schema = schema
        self.session = session
        self.queries = 0
        event.listen(engine, "before_cursor_execute", self._count)

    def _count(self, _conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        # The test's savepoint is the harness's, not the operation's.
        if not statement.startswith(("SAVEPOINT", "RELEASE SAVEPOINT")):
            self.queries += 1

    def __call__(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        viewer: Viewer | None = None,
        purpose: str | None = PURPOSE,
    ) -> ExecutionResult:
        self.context = Context(
            session=self.session, viewer=viewer or full_access(), purpose=purpose, today=TODAY
        )
        self.queries = 0
        return asyncio.run(self.schema.execute(query, variables, context_value=self.context))

    def data(
        self, query: str, variables: dict[str, Any] | None = None, viewer: Viewer | None = None
    ) -> dict[str, Any]:
        """The data of an operation that must succeed."""
        result = self(query, variables, viewer)
        assert result.errors is None, result.errors
        assert result.data is not None
        return result.data


@pytest.fixture(scope="session")
def schema() -> Schema:
    return build_schema()


@pytest.fixture(scope="module", params=BACKENDS)
def world_engine(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Engine]:
    """The small world, migrated and committed once per module and backend."""
    engine = make_engine(small_world(str(request.param), tmp_path_factory.mktemp("world"),
                                     request))  # fmt: skip
    yield engine
    engine.dispose()


def small_world(backend: str, base: Path, request: pytest.FixtureRequest) -> str:
    """The URL of a fresh database of ``backend`` holding the small world."""
    url = database_url(backend, base, request)
    migrate.upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        populate(session)
    engine.dispose()
    return url


@pytest.fixture
def gql(schema: Schema, world_engine: Engine) -> Iterator[Runner]:
    with world_engine.connect() as conn:
        trans = conn.begin()
        # As the app's sessions (hub.storage.session.session_factory): each database call of
        # an operation ends its transaction, and what it loaded must not expire with it.
        with Session(
            bind=conn, join_transaction_mode="create_savepoint", expire_on_commit=False
        ) as session:
            runner = Runner(schema, session, world_engine)
            try:
                yield runner
            finally:
                event.remove(world_engine, "before_cursor_execute", runner._count)
        trans.rollback()
