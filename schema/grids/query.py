"""Grid queries: one grid with its roll-ups, or the grids of a level or parent."""

from __future__ import annotations

import strawberry
from sqlalchemy import select

from hub.sources.catalog import COUNTY_CODE
from hub.storage import models
from schema.context import Info
from schema.enums import GridLevel
from schema.errors import BadUserInput
from schema.fields import field
from schema.grids.types import Grid


@strawberry.type
class GridQuery:
    @field
    async def grid(self, info: Info, code: str) -> Grid | None:
        """One grid by its code (9, 12, 15 or 17 digits)."""
        row = await info.context.loaders.grid.load(code)
        return None if row is None else Grid.from_row(row)

    @field
    async def grids(
        self,
        info: Info,
        level: GridLevel | None = None,
        parent_code: str | None = None,
        include_ended: bool = False,
    ) -> list[Grid]:
        """Grids of one level and/or one parent, by code (reference data: not paginated)."""
        stmt = select(models.Grid).order_by(models.Grid.code)
        if level is not None:
            stmt = stmt.where(models.Grid.level == level)
        if parent_code is not None:
            stmt = stmt.where(models.Grid.parent_code == parent_code)
        if not include_ended:
            stmt = stmt.where(models.Grid.ended_on.is_(None))
        rows = await info.context.db(lambda s: list(s.scalars(stmt)))
        return [Grid.from_row(row) for row in rows]


async def require_grid(info: Info, code: str) -> None:
    """:class:`BadUserInput` unless ``code`` names a grid: an unknown code is a mistake, not
    a grid without residents (it would answer "nobody" where it means "no such grid"). The
    county's own code (``350526``) is the whole county."""
    if code != COUNTY_CODE and await info.context.loaders.grid.load(code) is None:
        raise BadUserInput(
            f"No grid has the code {code!r} (the county 6 digits, township 9, first-level 12, "
            "unit 15, responsibility 17): `grids(level: ...)` or `hub grids` lists them."
        )
