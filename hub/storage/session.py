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


@contextmanager
def page_cache(session: Session, mib: int) -> Iterator[None]:
    """Let SQLite keep up to ``mib`` MiB of pages for the session's connection while the block
    runs (the default is 2 MiB); nothing on PostgreSQL, whose cache is the server's.

    A transaction that writes a county file touches about a gigabyte of pages. With the
    default cache SQLite spills them into the WAL and reads them back from it, page by page,
    which made inserting the vaccination records three times slower. The memory is taken only
    as pages are used, and given back when the block ends.
    """
    dbapi = session.connection().connection.dbapi_connection
    if session.get_bind().dialect.name != "sqlite" or dbapi is None:
        yield
        return
    before = dbapi.execute("PRAGMA cache_size").fetchone()[0]
    dbapi.execute(f"PRAGMA cache_size=-{mib * 1024}")
    try:
        yield
    finally:
        dbapi.execute(f"PRAGMA cache_size={int(before)}")
