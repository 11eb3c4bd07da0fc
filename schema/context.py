"""The typed context of one GraphQL operation: the session, the viewer, the stated purpose,
the read log the audit entry is written from, and the DataLoaders.

Built per request (a loader caches what it loaded, so one at module scope would serve stale
and foreign data). The ORM is synchronous, and the event loop must never *wait* on the
database, nor hold a pooled connection across an await:

- reads (:meth:`Context.db`) run on the loop's own thread, on ``reader``: a session whose
  engine has one connection of its own (the loop runs one call at a time, so it never waits
  for another) and bounded waits (a lock not free within ``ApiLimits.read_wait_seconds`` is
  an error: HTTP 503). The hub's reads are short indexed lookups and batched loads, cheaper
  inline than the hop to a thread and back; each runs to its end, in a transaction that ends
  before the call returns.
- writes (:meth:`Context.write`) and reads that may write (:meth:`Context.lookup`: a token
  check writes its last use) run in a worker thread of a bounded pool (``limiter``), one at a
  time per context, on ``session``, in a transaction that ends before the call returns: a
  write may wait for a lock (SQLite's single writer, a row on PostgreSQL), and waits there.

A write begins its transaction as a writer's (SQLite's write lock first, see
:mod:`hub.storage.session`) and, when the operation is a mutation, appends the audit entry of
the write in that same transaction before it commits: a write whose entry cannot be written
is rolled back, and the request answers ``AUDIT_UNAVAILABLE`` (:class:`AuditUnavailable`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, TypeVar

import anyio
import anyio.to_thread
import strawberry
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.api import audit
from hub.api.access import Viewer
from hub.api.audit import ReadLog
from hub.api.limits import Quota, Quotas, RateLimited, StreamSlots
from hub.normalise import CHINA_TZ
from hub.storage.models import ResolutionRun
from hub.storage.session import is_busy, writing
from schema.errors import RateLimitedError
from schema.loaders import Loaders

T = TypeVar("T")


def today_in_dehua() -> dt.date:
    """The current date in China Standard Time (the county's calendar, not the server's)."""
    return dt.datetime.now(CHINA_TZ).date()


class Bell:
    """Wakes the subscriptions of one server when it commits a change (they poll anyway:
    a pipeline run elsewhere rings no bell here)."""

    def __init__(self) -> None:
        self._waiting: set[asyncio.Event] = set()

    def ring(self) -> None:
        for waiter in self._waiting:
            waiter.set()

    async def wait(self, timeout: float) -> None:
        """Until the bell rings or ``timeout`` seconds pass."""
        waiter = asyncio.Event()
        self._waiting.add(waiter)
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(waiter.wait(), timeout)
        finally:
            self._waiting.discard(waiter)


class AuditUnavailable(RuntimeError):
    """A write's audit entry could not be written: the write was rolled back."""


class Outage(enum.Enum):
    """Why the server could not serve a request (it answers 503, with no data)."""

    BUSY = "busy"  # no connection or lock free in time
    AUDIT = "audit"  # a write's audit entry could not be written


@dataclass(slots=True, eq=False)
class Context:
    """What every resolver receives as ``info.context``."""

    session: Session
    viewer: Viewer
    purpose: str | None = None  # the X-Hub-Purpose of the request: a case number or reason
    today: dt.date = field(default_factory=today_in_dehua)
    reads: ReadLog = field(default_factory=ReadLog)
    operation: str | None = None  # the operation's name, once parsed
    bell: Bell = field(default_factory=Bell)  # rung when this server commits a change
    wrote: bool = False  # a mutation ran (its commit rings the bell)
    # WebSocket connections: the connection_init payload, and a check that the token still
    # stands, run before each delivery (None over HTTP: a request is checked once).
    connection_params: dict[str, Any] | None = None
    recheck: Callable[[Session], bool] | None = None
    #: Built for an HTTP request (where a subscription does not run).
    http: bool = False
    #: The session reads run on, on the loop's thread (the server's: one connection, bounded
    #: waits); None: ``session`` (tests, which run one operation at a time).
    reader: Session | None = None
    #: The worker threads writes may take (the server keeps HTTP's apart from the
    #: subscriptions'); None: anyio's default pool.
    limiter: anyio.CapacityLimiter | None = None
    #: Concurrent subscriptions per token and in all (the server's; None: no limit).
    streams: StreamSlots | None = None
    #: The token buckets of the server (None: no limit).
    quotas: Quotas | None = None
    #: The key the audit entries are MACed with (None: unkeyed, development and tests).
    audit_key: bytes | None = field(default=None, repr=False)
    #: Set when a database call failed for want of the database, not of the request.
    outage: Outage | None = None
    #: Set when a lookup or write was over its token's rate: the seconds to wait.
    retry_after: float | None = None
    loaders: Loaders = field(init=False)
    _snapshot_date: dt.date | None = field(init=False, default=None)
    _turn: asyncio.Lock = field(init=False, default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.db, self.today)

    async def db(self, work: Callable[[Session], T]) -> T:
        """Run ``work(session)``, which reads, now, on ``reader``, in a transaction that ends
        when it returns (awaitable, so that a loader or resolver does not care where it
        runs). It must not write: see :meth:`write`."""
        try:
            return self._read(self.reader or self.session, work)
        except Exception as exc:
            if is_busy(exc):
                self.outage = self.outage or Outage.BUSY
            raise

    async def lookup(self, work: Callable[[Session], T]) -> T:
        """Run ``work(session)``, which reads and may write a little on its own (a token's
        last use), in a worker thread: it may wait for a lock."""
        return await self._in_thread(partial(self._read, self.session, work))

    async def write(self, work: Callable[[Session], T], *, audit_write: bool = True) -> T:
        """Run ``work(session)``, which writes, in a worker thread and a writer's transaction,
        committed when it returns (rolled back if it raises). During a mutation, the audit
        entry of the write (the read log so far: the mutation, the persons ``work`` recorded)
        is appended first, unless ``audit_write`` is false (the caller appends its own)."""
        record = audit_write and self.wrote
        return await self._in_thread(partial(self._write, work, record))

    def charge(self, quota: Quota) -> None:
        """Take one ``quota`` unit from the token's bucket: ``RATE_LIMITED`` when it is empty
        (the request then answers HTTP 429 with ``Retry-After``)."""
        if self.quotas is None:
            return
        try:
            self.quotas.charge(quota, self.viewer.actor or self.viewer.role)
        except RateLimited as limited:
            self.retry_after = max(self.retry_after or 0.0, limited.retry_after)
            raise RateLimitedError(str(limited)) from None

    async def _in_thread(self, call: Callable[[], T]) -> T:
        try:
            async with self._turn:  # one thread at a time per session
                return await anyio.to_thread.run_sync(call, limiter=self.limiter)
        except AuditUnavailable:
            self.outage = Outage.AUDIT
            raise
        except Exception as exc:
            if is_busy(exc):
                self.outage = self.outage or Outage.BUSY
            raise

    @staticmethod
    def _read(session: Session, work: Callable[[Session], T]) -> T:
        try:
            result = work(session)
        except BaseException:
            session.rollback()
            raise
        session.commit()  # end the read (rolling back would expire what it loaded)
        return result

    def _write(self, work: Callable[[Session], T], record: bool) -> T:
        session = self.session
        try:
            writing(session)
            result = work(session)
            if record:
                try:
                    audit.append(session, self.entry(refused=False, writes_only=True),
                                 self.audit_key)  # fmt: skip
                except Exception as exc:
                    raise AuditUnavailable("the write's audit entry was not written") from exc
            session.commit()
        except BaseException:
            session.rollback()
            raise
        return result

    def entry(self, *, refused: bool, writes_only: bool = False) -> audit.Entry:
        """The audit entry of what the read log holds now (``refused``: in part or whole;
        ``writes_only``: of the mutations and the persons only, a write's own entry)."""
        viewer = self.viewer
        log = self.reads
        if writes_only:
            fields = {k: v for k, v in log.fields.items() if k.startswith("Mutation.")}
            log = ReadLog(fields=fields, persons=set(log.persons))
        return audit.Entry.of(log, actor=viewer.actor or viewer.role, role=viewer.role,
                              purpose=self.purpose, operation=self.operation,
                              refused=refused)  # fmt: skip

    async def snapshot_date(self) -> dt.date:
        """The date the current publication describes (its newest snapshot), else today.

        Ages default to it, as the ``ELDERLY`` tag does.
        """
        if self._snapshot_date is None:
            latest = await self.db(
                lambda s: s.scalar(
                    select(ResolutionRun.as_of)
                    .where(ResolutionRun.finished_at.is_not(None))
                    .order_by(ResolutionRun.id.desc())
                    .limit(1)
                )
            )
            self._snapshot_date = latest or self.today
        return self._snapshot_date


#: The ``info`` of every resolver.
Info = strawberry.Info[Context, None]
