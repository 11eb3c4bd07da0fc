"""The change feed live: a subscription over WebSocket (graphql-transport-ws) that delivers
the events ``changes`` would list, as they are committed.

It polls the feed's table (one indexed range read per :data:`POLL_SECONDS`, or sooner when a
mutation of this server commits and rings the context's bell), delivers what the reader may
see, and writes each delivery to the audit trail before sending it: one entry per batch, with
the residents it names. Each poll checks the token again in a worker thread (the
subscriptions' own, apart from HTTP's; a revoked token ends the stream with ``FORBIDDEN``),
reads the page on the loop's reader, and audits a delivery in a worker thread, each in a
transaction that ends before the call returns: a subscription holds no connection while it
waits or sends. A token has a few subscriptions at most, and the server a
few dozen (:class:`hub.api.limits.StreamSlots`): one over is refused with
``TOO_MANY_SUBSCRIPTIONS``.
"""

from __future__ import annotations

from collections.abc import AsyncGenerator
from functools import partial

import strawberry
from sqlalchemy.orm import Session

from hub.api import audit
from hub.api.access import DataCategory
from hub.api.limits import TooManyStreams
from hub.feed import events
from hub.feed.visibility import ShownEvent
from schema.changes.query import cursor_seq, start_position
from schema.changes.types import CURSOR_KIND, ChangeEvent, ChangeSince
from schema.context import Context, Info
from schema.errors import Forbidden, TooManySubscriptions
from schema.fields import subscription
from schema.pagination import After, PageRequest

#: How often a subscription looks for new events when nothing rang.
POLL_SECONDS = 1.0
#: Events read per batch.
BATCH = 100
COORDINATE = "Subscription.changes"


def _audited(session: Session, context: Context, shown: tuple[ShownEvent, ...]) -> None:
    """Append the entry for one delivered batch (committed by the caller, before anything
    is sent)."""
    log = audit.ReadLog()
    log.requested(COORDINATE)
    for event in shown:
        log.record(COORDINATE, event.person_id, allowed=True)
        for change in event.changes:
            if change.coordinate is not None:
                log.record(change.coordinate, event.person_id, allowed=True)
    viewer = context.viewer
    entry = audit.Entry.of(log, actor=viewer.actor or viewer.role, role=viewer.role,
                           purpose=context.purpose, operation=context.operation,
                           refused=False)  # fmt: skip
    audit.append(session, entry, context.audit_key)


@strawberry.type
class ChangeSubscription:
    @subscription(reads=DataCategory.IDENTITY)
    async def changes(
        self, info: Info, after: After = None, since: ChangeSince | None = None
    ) -> AsyncGenerator[ChangeEvent, None]:
        """The change feed live, cut to your grants and grid scope like ``Query.changes``:
        from ``after`` (an event's ``cursor``) or ``since``, else from now on."""
        context = info.context
        after_seq = cursor_seq(PageRequest.of(CURSOR_KIND, 0, after).after)

        def start(session: Session) -> int:
            if after_seq is None and since is None:
                return events.latest_seq(session)
            return start_position(session, after_seq, since)

        recheck = context.recheck

        key = context.viewer.actor or context.viewer.role
        streams = context.streams
        if streams is not None:
            try:
                streams.acquire(key)
            except TooManyStreams as full:
                raise TooManySubscriptions(str(full)) from None
        try:
            position = await context.db(start)
            while True:
                if recheck is not None and not await context.lookup(recheck):
                    raise Forbidden("The token was revoked.")
                found = await context.db(partial(events.read_page, viewer=context.viewer,
                                                 after=position, first=BATCH))  # fmt: skip
                if found.events:
                    await context.write(partial(_audited, context=context, shown=found.events),
                                        audit_write=False)  # fmt: skip
                for event in found.events:
                    yield ChangeEvent.from_shown(event)
                position = found.scanned_to
                if not found.has_more:
                    await context.bell.wait(POLL_SECONDS)
        finally:
            if streams is not None:
                streams.release(key)
