"""Steward queries: what arrived, how it validated, and what was quarantined."""

from __future__ import annotations

import strawberry
from sqlalchemy import select

from hub.api.access import DataCategory
from hub.storage import models
from schema.context import Info
from schema.enums import Reason
from schema.fields import field, from_row, input_type
from schema.pagination import After, Connection, First, PageRequest, keyset_page
from schema.quality.types import Delivery, QualityRun, QuarantinedRow


@input_type
class QuarantineFilter:
    """Conditions on quarantined rows; every condition given must hold."""

    dataset: str | None = strawberry.field(
        default=None, description="Dataset key, e.g. ``gongan.population``."
    )
    reason: Reason | None = None
    delivery_id: int | None = None
    released: bool | None = strawberry.field(
        default=None, description="True: only released rows; false: only rows still held."
    )


def _quarantined(row: models.QuarantinedRow) -> QuarantinedRow:
    return from_row(QuarantinedRow, row, field_name=row.field, reason=Reason(row.reason), row=row)


@strawberry.type
class QualityQuery:
    @field(reads=DataCategory.QUALITY)
    async def deliveries(
        self, info: Info, dataset: str | None = None, first: First = 20, after: After = None
    ) -> Connection[Delivery]:
        """Deliveries, newest first, of one dataset (e.g. ``minzheng.assistance``) or all."""
        page = PageRequest.of("Delivery", first, after)
        stmt = select(models.Delivery)
        if dataset is not None:
            stmt = stmt.where(models.Delivery.dataset == dataset)
        return await keyset_page(
            info.context.db, stmt, models.Delivery.id, page,
            lambda row: from_row(Delivery, row), descending=True,
        )  # fmt: skip

    @field(reads=DataCategory.QUALITY)
    async def quality_runs(
        self, info: Info, suite: str | None = None, first: First = 20, after: After = None
    ) -> Connection[QualityRun]:
        """Quality runs, newest first, of one suite or all."""
        page = PageRequest.of("QualityRun", first, after)
        stmt = select(models.QualityRun)
        if suite is not None:
            stmt = stmt.where(models.QualityRun.suite == suite)
        return await keyset_page(
            info.context.db, stmt, models.QualityRun.id, page,
            lambda row: from_row(QualityRun, row, row=row), descending=True,
        )  # fmt: skip

    @field(reads=DataCategory.QUALITY)
    async def quarantine(
        self,
        info: Info,
        filter: QuarantineFilter | None = None,
        first: First = 20,
        after: After = None,
    ) -> Connection[QuarantinedRow]:
        """Quarantined rows in delivery order (oldest first), for stewards to review."""
        page = PageRequest.of("QuarantinedRow", first, after)
        where = filter or QuarantineFilter()
        row = models.QuarantinedRow
        stmt = select(row)
        for column, value in (
            (row.dataset, where.dataset),
            (row.reason, where.reason),
            (row.delivery_id, where.delivery_id),
        ):
            if value is not None:
                stmt = stmt.where(column == value)
        if where.released is not None:
            stmt = stmt.where(
                row.released_at.is_not(None) if where.released else row.released_at.is_(None)
            )
        return await keyset_page(info.context.db, stmt, row.id, page, _quarantined)
