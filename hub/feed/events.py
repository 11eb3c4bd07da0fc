"""Reading the change feed: the events after a position, in commit order, for one reader.

A position is an event's ``seq``. A page scans at most :data:`SCAN_LIMIT` events after it,
keeps those the reader may see (:func:`hub.feed.visibility.show`) and says how far it scanned:
a reader resumes from there, so events that are not theirs to see are not scanned again.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from hub.api.access import Viewer
from hub.feed.visibility import ShownEvent, show
from hub.storage.grid import in_subtree
from hub.storage.models import ChangeEvent

#: Events one page reads at most, shown or not; a page may hold fewer than asked when the
#: reader may see few of them (``has_more`` says to go on).
SCAN_LIMIT = 2000
_BATCH = 500


@dataclass(frozen=True, slots=True)
class FeedPage:
    """Events a reader may see, and how far the page read."""

    events: tuple[ShownEvent, ...]
    scanned_to: int  # the seq to resume after (the last event read, shown or not)
    has_more: bool  # events after ``scanned_to`` exist


def first_seq_at(session: Session, at: dt.datetime) -> int:
    """The position just before the first event written at or after ``at`` (a time without
    a zone is UTC)."""
    at = at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
    found = session.scalar(select(func.min(ChangeEvent.seq)).where(ChangeEvent.at >= at))
    if found is None:
        return session.scalar(select(func.max(ChangeEvent.seq))) or 0
    return int(found) - 1


def latest_seq(session: Session) -> int:
    """The position after every event committed so far (a subscription's start)."""
    return session.scalar(select(func.max(ChangeEvent.seq))) or 0


def read_page(session: Session, viewer: Viewer, after: int, first: int) -> FeedPage:
    """Up to ``first`` events after ``after`` that ``viewer`` may see."""
    stmt = select(ChangeEvent).order_by(ChangeEvent.seq)
    scope = viewer.grid_scope
    if scope is not None:  # rule 1 in SQL, so a grid worker does not read the county
        stmt = stmt.where(or_(in_subtree(ChangeEvent.grid_code, scope),
                              in_subtree(ChangeEvent.grid_before, scope)))  # fmt: skip
    shown: list[ShownEvent] = []
    position = after
    scanned = 0
    while len(shown) < first and scanned < SCAN_LIMIT:
        size = min(_BATCH, SCAN_LIMIT - scanned)
        rows = list(session.scalars(stmt.where(ChangeEvent.seq > position).limit(size)))
        for row in rows:
            position = row.seq
            scanned += 1
            event = show(viewer, row)
            if event is not None:
                shown.append(event)
                if len(shown) == first:
                    break
        if len(rows) < size:
            break
    more = session.scalar(stmt.with_only_columns(ChangeEvent.seq).where(
        ChangeEvent.seq > position).limit(1)) is not None  # fmt: skip
    return FeedPage(tuple(shown), position, more)
