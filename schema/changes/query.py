"""``changes(since, first, after)``: the change feed, page by page, resumable by cursor."""

from __future__ import annotations

import strawberry
from sqlalchemy.orm import Session

from hub.api.access import DataCategory
from hub.feed import events
from hub.feed.visibility import ShownEvent
from schema.changes.types import (
    CURSOR_KIND,
    ChangeEvent,
    ChangeEventConnection,
    ChangeEventEdge,
    ChangeSince,
)
from schema.context import Context, Info
from schema.errors import BadUserInput
from schema.fields import field
from schema.pagination import After, First, PageRequest, encode_cursor


def start_position(session: Session, after: int | None, since: ChangeSince | None) -> int:
    """The seq to read after: the cursor's, else ``since``'s, else the feed's beginning."""
    if after is not None:
        return after
    if since is not None and since.seq is not None and since.seq is not strawberry.UNSET:
        return int(since.seq)
    if since is not None and since.at is not None and since.at is not strawberry.UNSET:
        return events.first_seq_at(session, since.at)
    return 0


def cursor_seq(key: str | int | None) -> int | None:
    if key is None:
        return None
    if isinstance(key, int) and key >= 0:
        return key
    raise BadUserInput(f"after is not a cursor of a {CURSOR_KIND} list.")


def note_read(context: Context, coordinate: str, shown: list[ShownEvent]) -> None:
    """Each event of a resident, and each gated field it showed, in the audit's read log."""
    for event in shown:
        person = event.person_id
        context.reads.record(coordinate, person, allowed=True)
        for change in event.changes:
            if change.coordinate is not None:
                context.reads.record(change.coordinate, person, allowed=True)


@strawberry.type
class ChangeQuery:
    @field(reads=DataCategory.IDENTITY)
    async def changes(
        self,
        info: Info,
        since: ChangeSince | None = None,
        first: First = 20,
        after: After = None,
    ) -> ChangeEventConnection:
        """What changed in golden persons and houses, in commit order: created, updated
        fields with old and new values, ended, merged; each event cut to what your grants
        show and to your grid scope. Start from ``since`` (a ``seq`` or a time), or from the
        beginning; go on from ``pageInfo.endCursor``."""
        page = PageRequest.of(CURSOR_KIND, first, after)
        context = info.context
        after_seq = cursor_seq(page.after)

        def read(session: Session) -> events.FeedPage:
            position = start_position(session, after_seq, since)
            return events.read_page(session, context.viewer, position, page.first)

        found = await context.db(read)
        note_read(context, "Query.changes", list(found.events))
        edges = [
            ChangeEventEdge(
                cursor=encode_cursor(CURSOR_KIND, e.row.seq), node=ChangeEvent.from_shown(e)
            )
            for e in found.events
        ]
        return ChangeEventConnection(
            edges=edges,
            page_info=strawberry.relay.PageInfo(
                has_next_page=found.has_more, has_previous_page=after_seq is not None,
                start_cursor=edges[0].cursor if edges else None,
                end_cursor=encode_cursor(CURSOR_KIND, found.scanned_to),
            ),
        )  # fmt: skip
