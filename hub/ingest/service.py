"""Ingesting a landing folder: every new delivery read, mapped, applied and reconciled.

One delivery is one transaction: it is applied whole or not at all, and its reconciliation
(rows read = loaded + quarantined + not applied) is checked before it commits.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from hub.ingest.corrections import reapply
from hub.ingest.fields import Rejected
from hub.ingest.grid import GridSummary, refresh_grid_reference
from hub.ingest.records import MAPPERS
from hub.ingest.snapshot import LoadedRow, SnapshotCounts, SnapshotWriter, current_snapshot, retract
from hub.sources import catalog
from hub.sources.landing import DeliveryFile, IgnoredFile, discover, sha256_file
from hub.sources.problems import DeliveryRejected, RowProblem
from hub.sources.reading import ReadResult, SourceRow, read_delivery
from hub.storage.models import Delivery, DeliveryStatus, QuarantinedRow


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    """What became of one file: the figures ``hub ingest`` prints and stewards read."""

    file: str
    dataset: str
    snapshot_date: dt.date
    status: DeliveryStatus | None  # None: already loaded, nothing done
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_not_applied: int = 0
    quarantined_by_reason: dict[str, int] = field(default_factory=dict)
    field_issues_by_code: dict[str, int] = field(default_factory=dict)
    snapshot: SnapshotCounts | None = None
    error: str | None = None
    notes: tuple[str, ...] = ()

    @property
    def reconciles(self) -> bool:
        return self.rows_read == self.rows_loaded + self.rows_quarantined + self.rows_not_applied


@dataclass(slots=True)
class IngestReport:
    deliveries: list[DeliveryReport] = field(default_factory=list)
    ignored: list[IgnoredFile] = field(default_factory=list)
    grid: GridSummary | None = None

    @property
    def new(self) -> list[DeliveryReport]:
        return [d for d in self.deliveries if d.status is not None]


Progress = Callable[[DeliveryFile, int, int], None]


def ingest_landing(
    factory: sessionmaker[Session], landing: Path, *, progress: Progress | None = None
) -> IngestReport:
    """Load every delivery in ``landing`` not loaded yet, oldest snapshot first per dataset."""
    found = discover(landing)
    report = IngestReport(ignored=list(found.ignored))
    grid_changed = False
    for index, item in enumerate(found.deliveries):
        if progress is not None:
            progress(item, index, len(found.deliveries))
        with factory() as session, session.begin():
            result = ingest_file(session, item)
            if result.status is DeliveryStatus.LOADED and item.dataset is catalog.GRIDS:
                grid_changed = True
        report.deliveries.append(result)
    if grid_changed:
        with factory() as session, session.begin():
            report.grid = refresh_grid_reference(session)
    return report


def ingest_file(session: Session, item: DeliveryFile) -> DeliveryReport:
    """Ingest one delivery file inside the caller's transaction."""
    sha = sha256_file(item.path)
    name = item.path.name
    known = session.scalars(
        select(Delivery).where(Delivery.file_name == name, Delivery.sha256 == sha)
    ).first()
    if known is not None:
        return DeliveryReport(name, item.dataset.key, item.snapshot_date, None)
    delivery = Delivery(
        source=item.dataset.source,
        dataset=item.dataset.key,
        file_name=name,
        path=str(item.path),
        sha256=sha,
        size_bytes=item.path.stat().st_size,
        snapshot_date=item.snapshot_date,
        status=DeliveryStatus.LOADED,
    )
    try:
        result = read_delivery(item.dataset, item.path)
    except DeliveryRejected as err:
        delivery.status = DeliveryStatus.REJECTED
        delivery.error = str(err)
        session.add(delivery)
        return DeliveryReport(name, item.dataset.key, item.snapshot_date,
                              DeliveryStatus.REJECTED, error=str(err))  # fmt: skip
    delivery.encoding = result.encoding
    corrected = reapply(session, result)  # rows a steward corrected before, as corrected
    current = current_snapshot(session, item.dataset.key)
    session.add(delivery)
    session.flush()
    late = current is not None and item.snapshot_date < current.snapshot_date
    previous = current
    if late:
        delivery.status = DeliveryStatus.LATE
    elif current is not None and current.snapshot_date == item.snapshot_date:
        retract(session, current)
        previous = None
    writer = None if late else SnapshotWriter(session, delivery, previous)
    problems = list(result.problems)
    issues: Counter[str] = Counter()
    loaded_count = 0
    for chunk in _drain(result.rows):
        if writer is not None:
            fresh = writer.to_map(chunk)
            loaded_count += len(chunk) - len(fresh)  # unchanged rows load as they are
            chunk = fresh
        loaded, rejected = map_rows(result, chunk, item.snapshot_date)
        problems += rejected
        loaded_count += len(loaded)
        issues.update(i.code.value for row in loaded for i in row.record.issues)
        if writer is not None:
            writer.add(loaded)
    snapshot: SnapshotCounts | None = None
    if writer is None:
        delivery.rows_not_applied = loaded_count
    else:
        snapshot = writer.finish()
        delivery.rows_loaded = loaded_count
        delivery.records_new = snapshot.new
        delivery.records_changed = snapshot.changed
        delivery.records_unchanged = snapshot.unchanged
        delivery.records_ended = snapshot.ended
    _quarantine(session, delivery, problems)
    delivery.rows_read = result.rows_read
    delivery.rows_quarantined = len(problems)
    delivery.repeated_headers = result.repeated_headers
    delivery.blank_lines = result.blank_lines
    if not delivery.reconciles:  # a bug, not bad data: refuse to commit a lossy load
        raise AssertionError(
            f"{name}: {delivery.rows_read} rows read but {delivery.rows_loaded} loaded + "
            f"{delivery.rows_quarantined} quarantined + {delivery.rows_not_applied} not applied"
        )
    return DeliveryReport(
        file=name,
        dataset=item.dataset.key,
        snapshot_date=item.snapshot_date,
        status=delivery.status,
        rows_read=delivery.rows_read,
        rows_loaded=delivery.rows_loaded,
        rows_quarantined=delivery.rows_quarantined,
        rows_not_applied=delivery.rows_not_applied,
        quarantined_by_reason=dict(Counter(p.reason.value for p in problems)),
        field_issues_by_code=dict(issues),
        snapshot=snapshot,
        notes=(*result.notes, *corrected),
    )


def map_rows(
    result: ReadResult, rows: list[SourceRow], snapshot_date: dt.date
) -> tuple[list[LoadedRow], list[RowProblem]]:
    """Normalise rows read; a row that cannot stand becomes a problem."""
    mapper = MAPPERS[result.dataset.key]
    loaded: list[LoadedRow] = []
    problems: list[RowProblem] = []
    for row in rows:
        try:
            loaded.append(LoadedRow(row, mapper(row.raw, snapshot_date)))
        except Rejected as rejected:
            r = rejected.rejection
            message = f"{result.file} line {row.line}: {r.message} ({r.reason})"
            problems.append(RowProblem(row.line, r.reason, message, row.text, row.record_id,
                                       r.field))  # fmt: skip
    return loaded, problems


def _drain(rows: list[SourceRow], size: int = 20_000) -> Iterator[list[SourceRow]]:
    """Hand out rows in chunks, letting go of each chunk's rows once handed out, so the
    mapped form of a county file never exists all at once."""
    while rows:
        chunk = rows[:size]
        del rows[:size]
        yield chunk


def _quarantine(session: Session, delivery: Delivery, problems: list[RowProblem]) -> None:
    if not problems:
        return
    session.execute(
        insert(QuarantinedRow),
        [
            {
                "delivery_id": delivery.id,
                "source": delivery.source,
                "dataset": delivery.dataset,
                "file_name": delivery.file_name,
                "line": p.line,
                "record_id": p.record_id,
                "field": p.field,
                "reason": p.reason.value,
                "message": p.message,
                "raw": p.raw,
            }
            for p in problems
        ],
    )
