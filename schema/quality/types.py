"""Deliveries, quality runs and quarantined rows as GraphQL types (no file system paths)."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.scalars import JSON

from hub.api.access import DataCategory
from hub.storage import models
from schema.context import Info
from schema.enums import DeliveryStatus, Reason
from schema.fields import field, from_row, object_type


@object_type
class Delivery:
    """One file from the landing folder and what ingest made of it."""

    id: int
    source: str
    dataset: str
    file_name: str
    sha256: str
    size_bytes: int
    snapshot_date: dt.date
    encoding: str | None
    status: DeliveryStatus
    error: str | None
    rows_read: int
    rows_loaded: int
    rows_quarantined: int
    rows_not_applied: int
    records_new: int
    records_changed: int
    records_unchanged: int
    records_ended: int
    received_at: dt.datetime
    reconciles: bool = strawberry.field(
        description="Every row read is loaded, quarantined or (late delivery) not applied."
    )


async def delivery_of(info: Info, delivery_id: int | None) -> Delivery | None:
    """The delivery with ``delivery_id``, through the request's loader."""
    if delivery_id is None:
        return None
    row = await info.context.loaders.delivery.load(delivery_id)
    return None if row is None else from_row(Delivery, row)


@object_type
class QualityResult:
    """One expectation's outcome in a quality run, with the records that failed it."""

    expectation: str
    column: str | None
    kwargs: JSON
    blocking: bool
    success: bool
    observed_value: JSON
    unexpected_count: int | None
    failing_record_ids: list[str]


@object_type
class QualityRun:
    """One validation of one suite against a delivery or a publication."""

    id: int
    suite: str
    target: str
    publication_id: int | None
    started_at: dt.datetime
    finished_at: dt.datetime | None
    success: bool | None
    blocking_failed: bool
    statistics: JSON
    docs_url: str | None
    row: strawberry.Private[models.QualityRun]

    @field
    async def delivery(self, info: Info) -> Delivery | None:
        """The delivery validated, when the batch was one."""
        return await delivery_of(info, self.row.delivery_id)

    @field
    async def results(self, info: Info) -> list[QualityResult]:
        """Every expectation's outcome."""
        rows = await info.context.loaders.quality_results.load(self.row.id)
        return [
            from_row(QualityResult, r, failing_record_ids=[str(i) for i in r.failing_record_ids])
            for r in rows
        ]


@object_type
class QuarantinedRow:
    """A delivered row that could not stand, kept whole with where it was and why."""

    id: int
    source: str
    dataset: str
    file_name: str
    line: int
    record_id: str | None
    field_name: str | None = strawberry.field(name="field")
    reason: Reason
    message: str
    released_at: dt.datetime | None
    released_by: str | None
    row: strawberry.Private[models.QuarantinedRow]

    @field(reads=DataCategory.LINEAGE)
    def raw(self) -> str:
        """The row as delivered, as text (personal data verbatim)."""
        return self.row.raw

    @field
    async def delivery(self, info: Info) -> Delivery | None:
        """The delivery the row came in."""
        return await delivery_of(info, self.row.delivery_id)
