"""Engines and sessions. Created on demand from a URL, never at import time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from hub.storage import jsoncodec


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the settings the hub relies on for each backend.

    SQLite gets WAL (readers keep seeing the last committed publication while a run writes),
    foreign keys on, and a busy timeout so the API and a pipeline run can share the file.
    JSON columns are written and read by :mod:`hub.storage.jsoncodec` on both backends.
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"timeout": 30},
            json_serializer=jsoncodec.dumps,
            json_deserializer=jsoncodec.loads,
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(
        url,
        pool_pre_ping=True,
        json_serializer=jsoncodec.dumps_bytes,
        json_deserializer=jsoncodec.loads,
        **kwargs,
    )


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error. For edges (CLI, assets,
    requests) only; storage functions take the session and never commit."""
    with factory() as session, session.begin():
        yield session
