"""House queries: standard addresses by grid, township, village, building or use."""

from __future__ import annotations

import strawberry
from sqlalchemy import ColumnElement, select

from hub.storage import models
from schema.context import Info
from schema.enums import EntityStatus
from schema.fields import field, input_type
from schema.grids.query import require_grid
from schema.grids.rollups import in_subtree
from schema.houses.types import House
from schema.pagination import After, Connection, First, PageRequest, keyset_page


@input_type
class HouseFilter:
    """Conditions on houses; every condition given must hold."""

    grid_code: str | None = strawberry.field(
        default=None, description="A grid code: houses anywhere in that grid's subtree."
    )
    township: str | None = None
    village: str | None = None
    building_code: str | None = None
    use: str | None = strawberry.field(default=None, description="住宅, 商住, 商铺, 厂房, 其他.")
    status: EntityStatus | None = strawberry.field(
        default=EntityStatus.ACTIVE, description="Null: any status."
    )


def house_conditions(where: HouseFilter, grid_scope: str | None) -> list[ColumnElement[bool]]:
    """SQL conditions for ``where`` inside the viewer's grid scope."""
    house = models.House
    conditions: list[ColumnElement[bool]] = []
    for prefix in (grid_scope, where.grid_code):
        if prefix is not None:
            conditions.append(in_subtree(house.grid_code, prefix))
    for column, value in (
        (house.township, where.township),
        (house.village, where.village),
        (house.building_code, where.building_code),
        (house.use, where.use),
        (house.status, where.status),
    ):
        if value is not None:
            conditions.append(column == value)
    return conditions


@strawberry.type
class HouseQuery:
    @field
    async def houses(
        self, info: Info, filter: HouseFilter | None = None, first: First = 20, after: After = None
    ) -> Connection[House]:
        """Houses matching ``filter`` inside the viewer's grid scope, ordered by id."""
        page = PageRequest.of("House", first, after)
        if filter is not None and filter.grid_code is not None:
            await require_grid(info, filter.grid_code)
        where = house_conditions(filter or HouseFilter(), info.context.viewer.grid_scope)
        stmt = select(models.House).where(*where)
        return await keyset_page(info.context.db, stmt, models.House.id, page, House.from_row)
