"""The move requests a grid worker (their grid's residents) or a steward (all) may decide."""

from __future__ import annotations

import strawberry

from hub.api.access import DataCategory
from hub.entries import moves
from hub.entries.model import Author
from hub.storage import models
from schema.context import Info
from schema.entries.types import MoveRequest
from schema.errors import Forbidden
from schema.fields import field
from schema.pagination import After, Connection, First, PageRequest, keyset_page

DECIDE = "Mutation.confirmMoveRequest"


def author_of(info: Info) -> Author:
    """The token holder, as the author of an entry or the decider of a request."""
    viewer = info.context.viewer
    return Author(viewer.actor or viewer.role, viewer.role, viewer.grid_scope)


@strawberry.type
class EntryQuery:
    @field(reads=DataCategory.IDENTITY)
    async def move_requests(
        self, info: Info, first: First = 20, after: After = None
    ) -> Connection[MoveRequest]:
        """Pending move requests about residents who live in your grid now (a steward: any),
        newest first: for the roles that confirm them."""
        context = info.context
        if not context.viewer.may_write(DECIDE):
            context.reads.record("Query.moveRequests", None, allowed=False)
            raise Forbidden("Only the roles that confirm move requests list them.")
        page = PageRequest.of("MoveRequest", first, after)
        stmt = moves.decidable(author_of(info))
        found = await keyset_page(context.db, stmt, models.MoveRequest.id, page,
                                  lambda row: MoveRequest.from_row(row, None),
                                  descending=True)  # fmt: skip
        houses = [e.node.row.house_id for e in found.edges]
        loaded = await context.loaders.house.load_many([h for h in houses if h is not None])
        by_id = {house.id: house for house in loaded if house is not None}
        for edge in found.edges:
            edge.node.house = by_id.get(edge.node.row.house_id or "")
        return found
