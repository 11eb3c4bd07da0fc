"""The typed context of one GraphQL operation: the session, the viewer, the stated purpose,
the read log the audit entry is written from, and the DataLoaders.

Built per request (a loader caches what it loaded, so one at module scope would serve stale
and foreign data). The ORM is synchronous: every read runs through :meth:`Context.db`, on the
event loop's own thread. The hub's queries are short indexed lookups and batched loads (a
fraction of a millisecond to a few), cheaper than the hop to a worker thread and back that
they used to take; the cores are kept busy by several server processes (``hub serve
--workers``), not by threads waiting on SQLite. A query runs to its end before any other
coroutine of the request resumes, so the session is never used by two at once.

Writes run through :meth:`Context.write`, in a worker thread: a write may wait for a lock
another request of this process holds until its commit, across its awaits (SQLite's single
writer, a row on PostgreSQL), and waiting on the loop's thread would stop that request from
ever committing.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import anyio.to_thread
import strawberry
from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.api.access import Viewer
from hub.api.audit import ReadLog
from hub.normalise import CHINA_TZ
from hub.storage.models import ResolutionRun
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
    loaders: Loaders = field(init=False)
    _snapshot_date: dt.date | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.db, self.today)

    async def db(self, work: Callable[[Session], T]) -> T:
        """Run ``work(session)`` now, to its end (awaitable, so that a loader or resolver
        does not care where it runs). It must not write: see :meth:`write`."""
        return work(self.session)

    async def write(self, work: Callable[[Session], T]) -> T:
        """Run ``work(session)``, which writes, in a worker thread (it may wait for a lock)."""
        return await anyio.to_thread.run_sync(work, self.session)

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
