"""Relay ``node`` / ``nodes`` and the id resolution behind them.

A person id never dies: when resolution merges two persons, the absorbed id redirects to the
survivor (``entity_redirect``), so an id a department stored last year still resolves, to the
surviving person (whose own ``id`` the answer carries). Lookups by id refuse a person or
house outside the viewer's grid scope with ``FORBIDDEN``; lists filter by scope instead.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from typing import Protocol, TypeVar

import strawberry
from strawberry import relay

from hub.storage.models import EntityStatus, Person
from schema.context import Context, Info
from schema.errors import BadUserInput, Forbidden
from schema.fields import field
from schema.pagination import MAX_PAGE
from schema.permissions import OUTSIDE_SCOPE

# Redirects are rewritten to point at the final survivor; hops beyond one are a safety net.
MAX_REDIRECT_HOPS = 5


async def load_persons(context: Context, ids: Iterable[str]) -> list[Person | None]:
    """Persons by id, in order, following redirects of merged ids to their survivors."""
    current = list(ids)
    rows = await context.loaders.person.load_many(current)
    for _ in range(MAX_REDIRECT_HOPS):
        stale = [
            i for i, row in enumerate(rows) if row is None or row.status is EntityStatus.MERGED
        ]
        if not stale:
            break
        targets = await context.loaders.redirect.load_many([current[i] for i in stale])
        followed = [(i, t) for i, t in zip(stale, targets, strict=True) if t is not None]
        if not followed:
            break
        survivors = await context.loaders.person.load_many([t for _, t in followed])
        for (i, target), survivor in zip(followed, survivors, strict=True):
            current[i], rows[i] = target, survivor
    return [check_scope(context, row) for row in rows]


class Scoped(Protocol):
    """A row that lives in a grid: a person or a house."""

    @property
    def grid_code(self) -> str | None: ...


ScopedT = TypeVar("ScopedT", bound=Scoped | None)


def check_scope(context: Context, row: ScopedT) -> ScopedT:
    """``row`` when the viewer's grid scope covers it; refused (not hidden) otherwise."""
    if row is not None and not context.viewer.sees(row.grid_code):
        if isinstance(row, Person):
            context.reads.record("Person", row.id, allowed=False)
        raise Forbidden(OUTSIDE_SCOPE)
    return row


@strawberry.type
class NodeQuery:
    # Resolvers of our own rather than relay.node(): that one cannot be built into two schemas.
    @field
    async def node(self, info: Info, id: relay.GlobalID) -> relay.Node | None:
        """Any person, house or grid by its global id (merged person ids redirect)."""
        node: relay.Node | None = await id.resolve_node(info)
        return node

    @field
    async def nodes(self, info: Info, ids: list[relay.GlobalID]) -> list[relay.Node | None]:
        """Several nodes by global id, in order (loaded in one batch per type); at most 100."""
        if len(ids) > MAX_PAGE:
            raise BadUserInput(f"nodes takes at most {MAX_PAGE} ids, not {len(ids)}.")
        return list(await asyncio.gather(*(i.resolve_node(info) for i in ids)))
