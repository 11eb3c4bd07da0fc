"""The house (a standard address unit) as GraphQL sees it."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Annotated

import strawberry
from strawberry import relay

from hub.api.access import DataCategory
from hub.storage import models
from schema.context import Info
from schema.enums import EntityStatus
from schema.fields import field, object_type
from schema.node import check_scope

if TYPE_CHECKING:
    from schema.grids.types import Grid
    from schema.persons.types import Person

COUNTY = "德化县"


@object_type
class House(relay.Node):
    """A dwelling (or shop, workshop) of the public-security standard address table."""

    id: relay.NodeID[str]
    row: strawberry.Private[models.House]

    @classmethod
    def from_row(cls, row: models.House) -> House:
        """Wrap a published house row."""
        return cls(id=row.id, row=row)

    @classmethod
    async def resolve_nodes(  # type: ignore[override]
        cls, *, info: Info, node_ids: Iterable[str], required: bool = False
    ) -> list[House | None]:
        """Houses by id."""
        rows = await info.context.loaders.house.load_many(list(node_ids))
        return [
            None if row is None else cls.from_row(check_scope(info.context, row)) for row in rows
        ]

    @field
    def address_code(self) -> str | None:
        """The 20-digit standard address code (地址编码)."""
        return self.row.address_code

    @field
    def address(self) -> str:
        """The standard address written out, county first."""
        parts = (self.row.township, self.row.village, self.row.road, self.row.number,
                 self.row.building, self.row.unit, self.row.room)  # fmt: skip
        return COUNTY + "".join(p for p in parts if p)

    @field
    def township(self) -> str | None:
        """乡镇."""
        return self.row.township

    @field
    def village(self) -> str | None:
        """Village or community (村社区)."""
        return self.row.village

    @field
    def road(self) -> str | None:
        """Street, road or lane (街路巷); often empty in villages."""
        return self.row.road

    @field
    def number(self) -> str | None:
        """Door number (门牌号), e.g. ``12-3号``."""
        return self.row.number

    @field
    def building(self) -> str | None:
        """Building (楼栋号), e.g. ``3幢``."""
        return self.row.building

    @field
    def unit(self) -> str | None:
        """Unit (单元号)."""
        return self.row.unit

    @field
    def room(self) -> str | None:
        """Room (户室号)."""
        return self.row.room

    @field
    def building_code(self) -> str | None:
        """The 16-digit building code: the first 16 digits of the address code."""
        return self.row.building_code

    @field
    def use(self) -> str | None:
        """住宅, 商住, 商铺, 厂房 or 其他."""
        return self.row.use

    @field
    def status(self) -> EntityStatus:
        """Active, or ended when the standard address table no longer lists it."""
        return self.row.status

    @field
    async def grid(
        self, info: Info
    ) -> Annotated[Grid, strawberry.lazy("schema.grids.types")] | None:
        """The responsibility grid that covers the house's building."""
        from schema.grids.types import grid_by_code

        return await grid_by_code(info, self.row.grid_code)

    @field(reads=DataCategory.RESIDENCE)
    async def residents(
        self, info: Info
    ) -> list[Annotated[Person, strawberry.lazy("schema.persons.types")]]:
        """Active people who live here; people outside the viewer's grid scope are left out."""
        from schema.persons.types import Person, note_returned

        rows = await info.context.loaders.residents.load(self.row.id)
        viewer = info.context.viewer
        shown = [row for row in rows if viewer.sees(row.grid_code)]
        note_returned(info, shown)
        return [Person.from_row(row) for row in shown]
