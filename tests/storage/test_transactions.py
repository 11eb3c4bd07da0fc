"""Issue 16, item 4: a savepoint is always inside its transaction, on SQLite as on
PostgreSQL (SQLAlchemy's recipe for the sqlite3 driver, hub/storage/session.py).

With the driver's legacy handling a SAVEPOINT opened before any INSERT began a transaction of
its own, and its RELEASE committed what the enclosing transaction then rolled back."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session

from hub.storage.models import PipelineFailure
from hub.storage.session import session_factory, transaction


class Refused(Exception):
    pass


def count(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(PipelineFailure)) or 0


def test_a_released_savepoint_rolls_back_with_its_transaction(engine: Engine) -> None:
    factory = session_factory(engine)
    with pytest.raises(Refused), factory() as session, session.begin():
        with session.begin_nested():  # the first statement of the transaction
            session.add(PipelineFailure(run_id="r1", job="j", message="written in a savepoint"))
        raise Refused  # as an audit entry that cannot be written
    assert count(engine) == 0


def test_a_writer_takes_the_write_lock_before_it_reads(engine: Engine) -> None:
    """A writer's transaction begins BEGIN IMMEDIATE on SQLite: another writer waits for it,
    rather than both reading and one failing to write once the other committed."""
    if engine.dialect.name != "sqlite":
        pytest.skip("PostgreSQL locks rows, not the database")
    with transaction(session_factory(engine)) as session:
        assert session.execute(text("select 1")).scalar_one() == 1
        other = engine.raw_connection()
        try:
            other.driver_connection.execute("PRAGMA busy_timeout = 0")
            with pytest.raises(Exception, match="locked"):
                other.driver_connection.execute("BEGIN IMMEDIATE")
        finally:
            other.close()
