"""Engines and sessions. Created on demand from a URL, never at import time.

SQLite transactions follow SQLAlchemy's recipe for the ``sqlite3`` driver ("Using SQLAlchemy
to emit BEGIN in lieu of SQLite's transaction control"): the driver's own transaction handling
is switched off (``isolation_level = None``) and every transaction SQLAlchemy begins emits its
own ``BEGIN``. The driver's legacy handling emitted BEGIN only before INSERT, UPDATE and
DELETE, so a SAVEPOINT opened first became a transaction of its own and its RELEASE committed
whatever the enclosing transaction later rolled back (an audit entry that failed, a mutation
that stayed stored). Now a savepoint is always inside a transaction.

A transaction that will write begins ``BEGIN IMMEDIATE`` (:func:`writing`, :func:`transaction`):
it takes SQLite's write lock before its first read, waiting for it up to the busy timeout. A
transaction that began with a plain (deferred) ``BEGIN`` and read first could not take the lock
once another connection had committed since its read (``SQLITE_BUSY_SNAPSHOT``, no waiting).
PostgreSQL ignores the option.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from functools import partial
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event
from sqlalchemy import exc as sa_exc
from sqlalchemy.orm import Session, sessionmaker

from hub.storage import jsoncodec

#: The execution option that makes a SQLite transaction begin ``BEGIN IMMEDIATE``.
BEGIN_OPTION = "hub_sqlite_begin"
IMMEDIATE = "IMMEDIATE"
#: Seconds a SQLite connection waits for another's write lock before "database is locked".
SQLITE_BUSY_SECONDS = 30.0


def make_engine(
    url: str,
    *,
    busy_seconds: float = SQLITE_BUSY_SECONDS,
    lock_seconds: float | None = None,
    **kwargs: Any,
) -> Engine:
    """An engine with the settings the hub relies on for each backend.

    SQLite gets WAL (readers keep seeing the last committed publication while a run writes),
    foreign keys on, a busy timeout of ``busy_seconds`` so the API and a pipeline run can share
    the file, and transactions begun by SQLAlchemy (see the module's docstring). PostgreSQL
    gives up waiting for a lock after ``lock_seconds`` when given (the API: a clear 503 rather
    than a request that waits for a pipeline run). JSON columns are written and read by
    :mod:`hub.storage.jsoncodec` on both backends.
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"timeout": busy_seconds},
            json_serializer=jsoncodec.dumps,
            json_deserializer=jsoncodec.loads,
            **kwargs,
        )
        event.listen(engine, "connect", _sqlite_connect)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    engine = create_engine(
        url,
        pool_pre_ping=True,
        json_serializer=jsoncodec.dumps_bytes,
        json_deserializer=jsoncodec.loads,
        **kwargs,
    )
    if lock_seconds is not None:
        milliseconds = max(int(lock_seconds * 1000), 1)
        event.listen(engine, "connect", partial(_lock_timeout, milliseconds))
    return engine


def _lock_timeout(milliseconds: int, dbapi_conn: Any, _record: Any) -> None:
    cursor = dbapi_conn.cursor()
    cursor.execute(f"SET lock_timeout = {milliseconds}")
    cursor.close()
    dbapi_conn.commit()


#: PostgreSQL's codes for "the lock was not free in time" and "the statement ran too long".
_PG_BUSY = frozenset({"55P03", "57014"})


def is_busy(error: BaseException) -> bool:
    """Whether ``error`` says the database had no connection or lock free in time: the
    request may be sent again shortly (HTTP 503), nothing is wrong with it."""
    if isinstance(error, sa_exc.TimeoutError):  # the pool had no connection free
        return True
    if not isinstance(error, sa_exc.OperationalError):
        return False
    original = error.orig
    if getattr(original, "sqlstate", None) in _PG_BUSY:
        return True
    return "database is locked" in str(original) or "database table is locked" in str(original)


def _sqlite_connect(dbapi_conn: Any, _record: Any) -> None:
    # The driver emits no BEGIN of its own (SQLAlchemy's recipe): _sqlite_begin does.
    dbapi_conn.isolation_level = None
    cursor = dbapi_conn.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _sqlite_begin(conn: Connection) -> None:
    mode = conn.get_execution_options().get(BEGIN_OPTION)
    conn.exec_driver_sql("BEGIN IMMEDIATE" if mode == IMMEDIATE else "BEGIN")


def session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


def writing(session: Session) -> Session:
    """Begin the session's transaction as a writer's: on SQLite ``BEGIN IMMEDIATE`` (the write
    lock first, see the module's docstring). Call it before the transaction's first statement
    (SQLAlchemy warns, and ignores the option, when the transaction has a connection already).
    A session bound to a connection joins the transaction its owner began: nothing to do."""
    if not isinstance(session.get_bind(), Connection):
        session.connection(execution_options={BEGIN_OPTION: IMMEDIATE})
    return session


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """One unit of work that writes: commit on success, roll back on any error. For edges
    (CLI, assets, requests) only; storage functions take the session and never commit."""
    with factory() as session, session.begin():
        writing(session)
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
