"""The grid cell as GraphQL sees it, with roll-ups over its subtree.

Grids are the county's published reference (codes, names, the grid worker of each): every
role sees all of them. Their roll-ups count residents and houses, so a grid-scoped viewer gets
them only for grids inside its scope (``FORBIDDEN`` above or beside it), and tag counts only
for the tags its role may count. Tag counts of a subtree with fewer than
:data:`SMALL_GROUP` active residents are read as what they are, those residents' tags: the
audit entry names them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import strawberry
from strawberry import relay

from hub.api.access import DataCategory
from hub.storage import models
from schema.context import Info
from schema.enums import GridLevel, Tag
from schema.errors import Forbidden
from schema.fields import field, object_type
from schema.permissions import OUTSIDE_SCOPE

#: A subtree with fewer active residents than this: its tag counts name them in the audit trail.
SMALL_GROUP = 5


@object_type
class TagCount:
    """How many active residents of a subtree carry one tag."""

    tag: Tag
    count: int


@object_type
class Grid(relay.Node):
    """A grid cell: township, first-level, unit or responsibility grid. Its code starts with
    its parent's, so its subtree is every code with its code as a prefix."""

    id: relay.NodeID[str]
    row: strawberry.Private[models.Grid]

    @classmethod
    def from_row(cls, row: models.Grid) -> Grid:
        """Wrap a grid row."""
        return cls(id=row.code, row=row)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[Grid | None]:
        """Grids by code."""
        rows = await info.context.loaders.grid.load_many(list(node_ids))
        return [None if row is None else cls.from_row(row) for row in rows]

    @field
    def code(self) -> str:
        """The grid code; the global ``id`` wraps it."""
        return self.row.code

    @field
    def name(self) -> str:
        """Name, e.g. ``英山社区第二网格3号责任网格``."""
        return self.row.name

    @field
    def level(self) -> GridLevel:
        """Township, first-level, unit or responsibility grid."""
        return self.row.level

    @field
    def worker_name(self) -> str | None:
        """The grid worker (网格员) of a unit or responsibility grid."""
        return self.row.worker_name

    @field
    def worker_phone(self) -> str | None:
        """The grid worker's work mobile, as the grid centre publishes it."""
        return self.row.worker_phone

    @field
    def snapshot_date(self) -> dt.date:
        """Date of the grid reference that last listed this grid."""
        return self.row.snapshot_date

    @field
    def ended_on(self) -> dt.date | None:
        """Set when a newer grid reference no longer lists this grid."""
        return self.row.ended_on

    @field
    async def parent(self, info: Info) -> Grid | None:
        """The grid one level up (none for a township)."""
        return await grid_by_code(info, self.row.parent_code)

    @field
    async def children(self, info: Info) -> list[Grid]:
        """The current grids one level down, by code."""
        return [
            Grid.from_row(row) for row in await info.context.loaders.children.load(self.row.code)
        ]

    @field
    async def resident_count(self, info: Info) -> int:
        """Active residents anywhere in this grid's subtree (inside your grid scope only)."""
        self._check_scope(info)
        return await info.context.loaders.resident_count.load(self.row.code)

    @field
    async def house_count(self, info: Info) -> int:
        """Active houses anywhere in this grid's subtree (inside your grid scope only)."""
        self._check_scope(info)
        return await info.context.loaders.house_count.load(self.row.code)

    @field(reads=DataCategory.TAGS)
    async def tag_counts(self, info: Info, tags: list[Tag] | None = None) -> list[TagCount]:
        """Active residents per tag in this grid's subtree: the tags given, or every tag your
        role may count (tags with none are left out). Inside your grid scope only."""
        self._check_scope(info)
        granted = info.context.viewer.tags
        if tags is not None:
            refused = sorted(tag.name for tag in set(tags) - granted)
            if refused:
                raise Forbidden(f"Counting tag {', '.join(refused)} is not granted to your role.")
        wanted = granted if tags is None else set(tags)
        counts = await info.context.loaders.tag_counts.load(self.row.code)
        await self._audit_small_group(info)
        return [
            TagCount(tag=Tag(tag), count=n)
            for tag, n in sorted(counts.items())
            if Tag(tag) in wanted
        ]

    @field(reads=DataCategory.REPORTS)
    async def open_report_count(self, info: Info) -> int:
        """Citizen reports not answered yet in this grid's subtree (inside your grid scope
        only)."""
        self._check_scope(info)
        open_, _ = await info.context.loaders.report_counts.load(self.row.code)
        return open_

    @field(reads=DataCategory.REPORTS)
    async def overdue_report_count(self, info: Info) -> int:
        """Open citizen reports past the answer deadline in this grid's subtree (inside your
        grid scope only)."""
        self._check_scope(info)
        _, overdue = await info.context.loaders.report_counts.load(self.row.code)
        return overdue

    async def _audit_small_group(self, info: Info) -> None:
        """Name the persons behind the counts of a small subtree in the read log: counting
        the tags of one resident reads that resident's tags."""
        context = info.context
        if await context.loaders.resident_count.load(self.row.code) >= SMALL_GROUP:
            return
        for person in await context.loaders.resident_ids.load(self.row.code):
            context.reads.record("Grid.tagCounts", person, allowed=True)

    def _check_scope(self, info: Info) -> None:
        """Roll-ups count residents and houses: refused above or beside the grid scope."""
        if not info.context.viewer.counts(self.row.code):
            raise Forbidden(OUTSIDE_SCOPE)


async def grid_by_code(info: Info, code: str | None) -> Grid | None:
    """The published grid ``code`` names (None for none): the ``grid`` of a person, a house
    or a report."""
    if code is None:
        return None
    row = await info.context.loaders.grid.load(code)
    return None if row is None else Grid.from_row(row)
