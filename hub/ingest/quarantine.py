"""Quarantined rows for stewards: listing and CSV export."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.storage.models import Delivery, QuarantinedRow

EXPORT_COLUMNS = ("source", "dataset", "file", "line", "record_id", "field", "reason", "message",
                  "delivery_status", "raw")  # fmt: skip


def write_quarantine_csv(session: Session, out: Path, *, include_released: bool = False) -> int:
    """Write quarantined rows (UTF-8 with BOM, so Excel opens the Chinese correctly)."""
    query = (
        select(QuarantinedRow, Delivery.status)
        .join(Delivery, Delivery.id == QuarantinedRow.delivery_id)
        .order_by(QuarantinedRow.dataset, QuarantinedRow.file_name, QuarantinedRow.line)
    )
    if not include_released:
        query = query.where(QuarantinedRow.released_at.is_(None))
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with out.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(EXPORT_COLUMNS)
        for row, status in session.execute(query):
            writer.writerow([row.source, row.dataset, row.file_name, row.line,
                             row.record_id or "", row.field or "", row.reason, row.message,
                             status.value, row.raw])  # fmt: skip
            count += 1
    return count
