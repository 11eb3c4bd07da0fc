"""What arrived: deliveries, versioned source records, quarantined rows and field issues."""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any

from sqlalchemy import Date, Enum, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from hub.storage.base import Base, UtcDateTime, created_at, intpk


def str_enum(cls: type[enum.StrEnum]) -> Enum:
    """Store a StrEnum by value as VARCHAR (no native enum type: migrations stay simple)."""
    return Enum(
        cls,
        native_enum=False,
        length=32,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class DeliveryStatus(enum.StrEnum):
    LOADED = "loaded"  # applied: its rows are the dataset's snapshot for its date
    LATE = "late"  # older than the dataset's current snapshot: recorded, not applied
    REPLACED = "replaced"  # same file name re-delivered with other content; the newer one rules
    REJECTED = "rejected"  # the file could not be read at all; the previous snapshot stays
    CORRECTION = "correction"  # a steward's correction of one quarantined row, not a file


class EndReason(enum.StrEnum):
    CHANGED = "changed"  # a newer snapshot carries a different version of the record
    ABSENT = "absent"  # the record is missing from a newer snapshot: it has ended


class Delivery(Base):
    """One file from the landing folder, identified by its content hash."""

    __tablename__ = "delivery"
    __table_args__ = (
        Index("ix_delivery_dataset_snapshot", "dataset", "snapshot_date"),
        # The same bytes under the same name are the same delivery (loaded once); the same
        # bytes under another date's name are a new snapshot that happens to be unchanged.
        UniqueConstraint("file_name", "sha256"),
    )

    id: Mapped[intpk]
    source: Mapped[str] = mapped_column(String(32))
    dataset: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255))
    path: Mapped[str] = mapped_column(Text)
    sha256: Mapped[str] = mapped_column(String(64))
    size_bytes: Mapped[int]
    snapshot_date: Mapped[dt.date] = mapped_column(Date)
    encoding: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[DeliveryStatus] = mapped_column(str_enum(DeliveryStatus))
    error: Mapped[str | None] = mapped_column(Text)
    rows_read: Mapped[int] = mapped_column(default=0)
    rows_loaded: Mapped[int] = mapped_column(default=0)
    rows_quarantined: Mapped[int] = mapped_column(default=0)
    rows_not_applied: Mapped[int] = mapped_column(default=0)  # rows of a late delivery
    repeated_headers: Mapped[int] = mapped_column(default=0)
    blank_lines: Mapped[int] = mapped_column(default=0)
    records_new: Mapped[int] = mapped_column(default=0)
    records_changed: Mapped[int] = mapped_column(default=0)
    records_unchanged: Mapped[int] = mapped_column(default=0)
    records_ended: Mapped[int] = mapped_column(default=0)
    received_at: Mapped[created_at]

    quarantined: Mapped[list[QuarantinedRow]] = relationship(back_populates="delivery")

    @property
    def reconciles(self) -> bool:
        """Every row read is loaded, quarantined or (late delivery) recorded but not applied."""
        return self.rows_read == self.rows_loaded + self.rows_quarantined + self.rows_not_applied


#: The match keys ingest pulls out of ``fields`` into columns of their own.
MATCH_KEY_COLUMNS = (
    "name", "name_pinyin", "resident_id", "birth_date", "sex", "phone", "address_code",
    "address_key", "household_no",
)  # fmt: skip
#: Indexes of current versions by the keys an incremental resolution looks candidates up by
#: (``hub.resolution.neighbourhood``): name and birth month, phone, house, house code, birth
#: date and surname, name and resident ID, resident ID. Each covers its lookup, which returns
#: (dataset, record_id): the rows are then read from the current-records index, never from
#: the table, whose match keys lie behind the JSON documents.
BLOCKING_KEYS: dict[str, tuple[str, ...]] = {
    "pinyin_birth": ("name_pinyin", "birth_date", "dataset", "record_id"),
    "phone": ("phone", "dataset", "record_id"),
    "address_key": ("address_key", "dataset", "record_id"),
    "address_code": ("address_code", "dataset", "record_id"),
    "birth_name": ("birth_date", "name", "dataset", "record_id"),
    "name_id": ("name", "resident_id", "dataset", "record_id"),
    "resident_id": ("resident_id", "dataset", "record_id"),
}
#: The current-records index: it covers resolution's read of every current person record's
#: match keys (an index-only scan, not a read of each wide row with its JSON documents).
CURRENT_KEY_COLUMNS = (
    "dataset", "valid_to", "record_id", "valid_from", *MATCH_KEY_COLUMNS, "content_hash",
)  # fmt: skip


class SourceRecord(Base):
    """One version of one department record: valid from the snapshot that brought it until
    the snapshot that changed or dropped it. History is never deleted."""

    __tablename__ = "source_record"
    __table_args__ = (
        UniqueConstraint("dataset", "record_id", "valid_from"),
        # Covers resolution's read of the match keys and a new snapshot's read of the hashes.
        Index("ix_source_record_current", *CURRENT_KEY_COLUMNS),
        Index("ix_source_record_resident_id", "resident_id"),
        Index("ix_source_record_name", "name"),
        # An incremental resolution looks up a changed record's candidates by blocking key.
        *(
            Index(
                f"ix_current_{name}",
                *columns,
                sqlite_where=text("valid_to IS NULL"),
                postgresql_where=text("valid_to IS NULL"),
            )
            for name, columns in BLOCKING_KEYS.items()
        ),
    )

    id: Mapped[intpk]
    source: Mapped[str] = mapped_column(String(32))
    dataset: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(64))
    delivery_id: Mapped[int] = mapped_column(ForeignKey("delivery.id"))
    line: Mapped[int]
    valid_from: Mapped[dt.date] = mapped_column(Date)
    valid_to: Mapped[dt.date | None] = mapped_column(Date)
    end_reason: Mapped[EndReason | None] = mapped_column(str_enum(EndReason))
    content_hash: Mapped[str] = mapped_column(String(64))
    raw: Mapped[dict[str, Any]]
    fields: Mapped[dict[str, Any]]
    # Matching keys pulled out of ``fields`` so that resolution can block and index on them.
    name: Mapped[str | None] = mapped_column(String(64))
    name_pinyin: Mapped[str | None] = mapped_column(String(128))
    resident_id: Mapped[str | None] = mapped_column(String(18))
    birth_date: Mapped[str | None] = mapped_column(String(10))  # YYYY-MM-DD or YYYY-MM
    sex: Mapped[str | None] = mapped_column(String(2))
    phone: Mapped[str | None] = mapped_column(String(20))
    address_code: Mapped[str | None] = mapped_column(String(32))
    address_key: Mapped[str | None] = mapped_column(String(255))
    household_no: Mapped[str | None] = mapped_column(String(32))

    delivery: Mapped[Delivery] = relationship()


class QuarantinedRow(Base):
    """A row that could not stand: kept whole, with where it was and why."""

    __tablename__ = "quarantined_row"
    __table_args__ = (Index("ix_quarantined_row_dataset_reason", "dataset", "reason"),)

    id: Mapped[intpk]
    delivery_id: Mapped[int] = mapped_column(ForeignKey("delivery.id"))
    source: Mapped[str] = mapped_column(String(32))
    dataset: Mapped[str] = mapped_column(String(64))
    file_name: Mapped[str] = mapped_column(String(255))
    line: Mapped[int]
    record_id: Mapped[str | None] = mapped_column(String(64))
    field: Mapped[str | None] = mapped_column(String(64))
    reason: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    raw: Mapped[str] = mapped_column(Text)
    released_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    released_by: Mapped[str | None] = mapped_column(String(128))

    delivery: Mapped[Delivery] = relationship(back_populates="quarantined")


class FieldIssue(Base):
    """A loaded record with a field that could not be used as delivered."""

    __tablename__ = "field_issue"
    __table_args__ = (
        Index("ix_field_issue_delivery_code", "delivery_id", "code"),
        Index("ix_field_issue_record", "dataset", "record_id"),
    )

    id: Mapped[intpk]
    delivery_id: Mapped[int] = mapped_column(ForeignKey("delivery.id"))
    dataset: Mapped[str] = mapped_column(String(64))
    record_id: Mapped[str] = mapped_column(String(64))
    line: Mapped[int]
    field: Mapped[str] = mapped_column(String(64))
    code: Mapped[str] = mapped_column(String(32))
    message: Mapped[str] = mapped_column(Text)
    value: Mapped[str | None] = mapped_column(Text)
