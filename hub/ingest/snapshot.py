"""Applying a delivery as its dataset's snapshot: versions open, change and end.

A snapshot is complete: a record present in the previous snapshot and absent from this one
has ended (benefit stopped, person moved away). Nothing is deleted; each version keeps its
``valid_from`` / ``valid_to``. All writes are bulk statements, never a round trip per row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from hub.ingest.mapping import KEY_COLUMNS, MappedRow
from hub.sources.reading import SourceRow, content_hash
from hub.storage.bulk import IN_LIST, chunks, insert_rows, refresh_statistics
from hub.storage.models import Delivery, DeliveryStatus, EndReason, FieldIssue, SourceRecord

SOURCE_RECORD_TABLE = SourceRecord.metadata.tables["source_record"]
FIELD_ISSUE_TABLE = FieldIssue.metadata.tables["field_issue"]


class LoadedRow(NamedTuple):
    """A row that passed reading and mapping, ready to become a version."""

    row: SourceRow
    digest: str  # content_hash(row.text)
    mapped: MappedRow


@dataclass(frozen=True, slots=True)
class SnapshotCounts:
    new: int
    changed: int
    unchanged: int
    ended: int


def current_snapshot(session: Session, dataset: str) -> Delivery | None:
    """The delivery whose snapshot is the dataset's current one (the newest applied)."""
    return session.scalars(
        select(Delivery)
        .where(Delivery.dataset == dataset, Delivery.status == DeliveryStatus.LOADED)
        .order_by(Delivery.snapshot_date.desc(), Delivery.id.desc())
        .limit(1)
    ).first()


def retract(session: Session, delivery: Delivery) -> None:
    """Undo an applied delivery whose file was re-delivered with other content.

    Only the newest snapshot can be retracted: its own versions go, and the steward
    corrections applied on top of it (the re-delivered file gets them again where it still
    carries the rows they correct), and the versions it closed are open again.
    """
    corrections = list(session.scalars(select(Delivery.id).where(
        Delivery.dataset == delivery.dataset, Delivery.snapshot_date == delivery.snapshot_date,
        Delivery.status == DeliveryStatus.CORRECTION,
    )))  # fmt: skip
    retracted = [delivery.id, *corrections]
    session.execute(delete(FieldIssue).where(FieldIssue.delivery_id.in_(retracted)))
    session.execute(delete(SourceRecord).where(SourceRecord.delivery_id.in_(retracted)))
    session.execute(
        update(Delivery).where(Delivery.id.in_(corrections)).values(status=DeliveryStatus.REPLACED)
    )
    session.execute(
        update(SourceRecord)
        .where(
            SourceRecord.dataset == delivery.dataset,
            SourceRecord.valid_to == delivery.snapshot_date,
        )
        .values(valid_to=None, end_reason=None)
    )
    delivery.status = DeliveryStatus.REPLACED


class SnapshotWriter:
    """Writes a delivery as its dataset's snapshot, chunk by chunk.

    Rows arrive in chunks (:meth:`add`) so a county file is never held mapped all at once;
    :meth:`finish` closes the versions that changed and ends the records that are absent.
    """

    def __init__(
        self, session: Session, delivery: Delivery, previous: Delivery | None = None
    ) -> None:
        self.session = session
        self.delivery = delivery
        self.current: dict[str, str] = {
            record_id: digest
            for record_id, digest in session.execute(
                select(SourceRecord.record_id, SourceRecord.content_hash).where(
                    SourceRecord.dataset == delivery.dataset, SourceRecord.valid_to.is_(None)
                )
            )
        }
        # Records whose current version had field issues: mapped again even when unchanged,
        # so this delivery's issues still cover every current record.
        self.had_issues: set[str] = (
            set()
            if previous is None
            else set(
                session.scalars(
                    select(FieldIssue.record_id).where(FieldIssue.delivery_id == previous.id)
                )
            )
        )
        self.skip_unchanged = previous is not None
        self.seen: set[str] = set()
        self.changed_ids: list[str] = []
        self.new = 0
        self.unchanged = 0

    def to_map(self, rows: Sequence[SourceRow]) -> list[tuple[SourceRow, str]]:
        """The rows that need mapping, each with its :func:`content_hash`: new and changed
        ones (and unchanged ones that had issues). A row delivered exactly as its current
        version is counted as unchanged and not normalised again: its version, fields and
        keys stay as they are.

        Skipping is only done against the previous snapshot's delivery (``previous``): after
        a retraction the open versions come from older deliveries, so everything is mapped.
        """
        current, seen, had_issues = self.current, self.seen, self.had_issues
        out: list[tuple[SourceRow, str]] = []
        for row in rows:
            digest = content_hash(row.text)
            record_id = row.record_id
            if (
                self.skip_unchanged
                and current.get(record_id) == digest
                and (record_id not in had_issues)
            ):
                seen.add(record_id)
                self.unchanged += 1
            else:
                out.append((row, digest))
        return out

    def known(self) -> dict[str, str]:
        """Content hash -> record id of the current versions a row may repeat without being
        mapped (what :meth:`to_map` would skip), for :func:`~hub.sources.reading.read_delivery`;
        empty when nothing is skipped."""
        if not self.skip_unchanged:
            return {}
        return {
            digest: record_id
            for record_id, digest in self.current.items()
            if record_id not in self.had_issues
        }

    def keep(self, record_ids: Sequence[str]) -> None:
        """Count rows read as unchanged current versions (from :meth:`known`)."""
        self.seen.update(record_ids)
        self.unchanged += len(record_ids)

    def add(self, rows: Sequence[LoadedRow]) -> None:
        """Write the versions of mapped rows (the rows :meth:`to_map` gave, mapped)."""
        new_versions: list[tuple[Any, ...]] = []
        d = self.delivery
        source, dataset, delivery_id, date = d.source, d.dataset, d.id, d.snapshot_date
        for item in rows:
            record_id = item.row.record_id
            self.seen.add(record_id)
            previous = self.current.get(record_id)
            if previous == item.digest:
                self.unchanged += 1
                continue
            if previous is None:
                self.new += 1
            else:
                self.changed_ids.append(record_id)
            mapped = item.mapped
            new_versions.append(
                (source, dataset, record_id, delivery_id, item.row.line, date, None, None,
                 item.digest, mapped.raw, mapped.fields, *mapped.keys)
            )  # fmt: skip
        insert_rows(self.session, SOURCE_RECORD_TABLE, VERSION_COLUMNS, new_versions,
                    json_text=JSON_COLUMNS)  # fmt: skip
        _insert_issues(self.session, self.delivery, rows)

    def finish(self) -> SnapshotCounts:
        date, dataset = self.delivery.snapshot_date, self.delivery.dataset
        ended_ids = [record_id for record_id in self.current if record_id not in self.seen]
        if self.new + len(self.changed_ids) >= ANALYZE_AFTER:
            _analyze(self.session)
        _close(self.session, dataset, self.changed_ids, date, EndReason.CHANGED)
        _close(self.session, dataset, ended_ids, date, EndReason.ABSENT)
        return SnapshotCounts(
            new=self.new, changed=len(self.changed_ids), unchanged=self.unchanged,
            ended=len(ended_ids),
        )  # fmt: skip


def apply_correction(session: Session, delivery: Delivery, item: LoadedRow) -> bool:
    """Write one corrected row (a steward's ``delivery``) as a version of its record in the
    dataset's current snapshot, closing the record's open version if it has one; whether the
    record is new to the snapshot. Nothing else of the snapshot changes."""
    record_id = item.row.record_id
    replaced = _close(session, delivery.dataset, [record_id], delivery.snapshot_date,
                      EndReason.CHANGED)  # fmt: skip
    mapped = item.mapped
    version = (delivery.source, delivery.dataset, record_id, delivery.id, item.row.line,
               delivery.snapshot_date, None, None, item.digest, mapped.raw, mapped.fields,
               *mapped.keys)  # fmt: skip
    insert_rows(session, SOURCE_RECORD_TABLE, VERSION_COLUMNS, [version], json_text=JSON_COLUMNS)
    _insert_issues(session, delivery, [item])
    return replaced == 0


def current_count(session: Session, dataset: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(SourceRecord)
            .where(SourceRecord.dataset == dataset, SourceRecord.valid_to.is_(None))
        )
        or 0
    )


#: The columns of a new version, in the order :meth:`SnapshotWriter.add` writes them.
VERSION_COLUMNS = (
    "source", "dataset", "record_id", "delivery_id", "line", "valid_from", "valid_to",
    "end_reason", "content_hash", "raw", "fields", *KEY_COLUMNS,
)  # fmt: skip
#: Written as the JSON text the mapping made (see :mod:`hub.ingest.mapping`).
JSON_COLUMNS = ("raw", "fields")


#: New versions after which PostgreSQL's statistics are refreshed (see :func:`_analyze`).
ANALYZE_AFTER = 10_000


def _analyze(session: Session) -> None:
    """Refresh PostgreSQL's statistics of the tables a delivery filled.

    Autovacuum analyses a table some time after a bulk load; until then the planner plans
    for the table as it was (empty, before the first snapshot), and the closing updates, the
    next snapshot's reads and the quality check's queries on the current versions took up
    to three times as long. ``ANALYZE`` samples (a second or so) and counts the rows this
    transaction wrote. SQLite plans without such statistics.
    """
    refresh_statistics(session, [SOURCE_RECORD_TABLE, FIELD_ISSUE_TABLE])


def _close(
    session: Session, dataset: str, record_ids: list[str], date: dt.date, reason: EndReason
) -> int:
    closed = 0
    for chunk in chunks(record_ids, IN_LIST):  # stays under SQLite's bound-parameter limit
        result = session.execute(
            update(SourceRecord)
            .where(
                SourceRecord.dataset == dataset,
                SourceRecord.valid_to.is_(None),
                SourceRecord.valid_from < date,  # not the versions this snapshot just opened
                SourceRecord.record_id.in_(chunk),
            )
            .values(valid_to=date, end_reason=reason)
        )
        closed += result.rowcount  # type: ignore[attr-defined]
    return closed


ISSUE_COLUMNS = ("delivery_id", "dataset", "record_id", "line", "field", "code", "message", "value")


def _insert_issues(session: Session, delivery: Delivery, rows: Iterable[LoadedRow]) -> None:
    issues = (
        (
            delivery.id,
            delivery.dataset,
            item.row.record_id,
            item.row.line,
            issue.field,
            issue.code,
            f"{delivery.file_name} line {item.row.line}: {issue.message}",
            issue.value,
        )
        for item in rows
        for issue in item.mapped.issues
    )
    insert_rows(session, FIELD_ISSUE_TABLE, ISSUE_COLUMNS, issues)
