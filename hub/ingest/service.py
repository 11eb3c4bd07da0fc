"""Ingesting a landing folder: every new delivery read, mapped, applied and reconciled.

One delivery is one transaction: it is applied whole or not at all, and its reconciliation
(rows read = loaded + quarantined + not applied) is checked before it commits.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from sqlalchemy import insert, select
from sqlalchemy.orm import Session, sessionmaker

from hub.ingest.corrections import reapply
from hub.ingest.fields import Rejection
from hub.ingest.grid import GridSummary, refresh_grid_reference
from hub.ingest.mapping import MappedRow, map_chunk
from hub.ingest.pool import MappingPool
from hub.ingest.snapshot import LoadedRow, SnapshotCounts, SnapshotWriter, current_snapshot, retract
from hub.sources import catalog
from hub.sources.landing import DeliveryFile, IgnoredFile, discover, sha256_file
from hub.sources.problems import DeliveryRejected, RowProblem
from hub.sources.reading import ReadResult, SourceRow, read_delivery
from hub.storage.models import Delivery, DeliveryStatus, QuarantinedRow
from hub.storage.session import page_cache, transaction

T = TypeVar("T")


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
    #: Wall seconds by stage: read, map (waiting for mapped rows), write, quality.
    seconds: dict[str, float] = field(default_factory=dict)

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


@dataclass(frozen=True, slots=True)
class IngestOptions:
    """How a delivery is processed; the result is the same whatever they are."""

    workers: int = 0  # processes mapping rows while this one writes; 0: map here
    chunk_rows: int = 5_000  # rows mapped and written at a time
    pool_min_rows: int = 20_000  # fewer rows to map than this: map here, a pool costs more


Progress = Callable[[DeliveryFile, int, int], None]

#: SQLite page cache while a delivery is written and checked (see ``page_cache``).
PAGE_CACHE_MIB = 512


def ingest_landing(
    factory: sessionmaker[Session],
    landing: Path,
    *,
    progress: Progress | None = None,
    options: IngestOptions | None = None,
) -> IngestReport:
    """Load every delivery in ``landing`` not loaded yet, oldest snapshot first per dataset."""
    found = discover(landing)
    report = IngestReport(ignored=list(found.ignored))
    grid_changed = False
    for index, item in enumerate(found.deliveries):
        if progress is not None:
            progress(item, index, len(found.deliveries))
        with transaction(factory) as session:
            result = ingest_file(session, item, options=options)
            if result.status is DeliveryStatus.LOADED and item.dataset is catalog.GRIDS:
                grid_changed = True
        report.deliveries.append(result)
    if grid_changed:
        with transaction(factory) as session:
            report.grid = refresh_grid_reference(session)
    return report


def ingest_file(
    session: Session, item: DeliveryFile, *, options: IngestOptions | None = None
) -> DeliveryReport:
    """Ingest one delivery file inside the caller's transaction."""
    with page_cache(session, PAGE_CACHE_MIB):
        return _ingest_file(session, item, options or IngestOptions())


def _ingest_file(session: Session, item: DeliveryFile, options: IngestOptions) -> DeliveryReport:
    clock = _Clock()
    sha = sha256_file(item.path)
    name = item.path.name
    loaded_before = session.scalars(
        select(Delivery).where(Delivery.file_name == name, Delivery.sha256 == sha)
    ).first()
    if loaded_before is not None:
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
    current = current_snapshot(session, item.dataset.key)
    late = current is not None and item.snapshot_date < current.snapshot_date
    replaces = current is not None and current.snapshot_date == item.snapshot_date
    # A newer snapshot: rows repeated as delivered are neither parsed (JSON Lines) nor mapped.
    writer = None
    if current is not None and not late and not replaces:
        writer = SnapshotWriter(session, delivery, current)
    clock.lap("write")
    try:
        known = writer.known() if writer is not None else None
        result = read_delivery(item.dataset, item.path, known=known)
        del known
    except DeliveryRejected as err:
        delivery.status = DeliveryStatus.REJECTED
        delivery.error = str(err)
        session.add(delivery)
        return DeliveryReport(name, item.dataset.key, item.snapshot_date,
                              DeliveryStatus.REJECTED, error=str(err))  # fmt: skip
    clock.lap("read")
    delivery.encoding = result.encoding
    corrected = reapply(session, result)  # rows a steward corrected before, as corrected
    session.add(delivery)
    session.flush()
    if late:
        delivery.status = DeliveryStatus.LATE
    elif current is not None and replaces:
        retract(session, current)
        writer = SnapshotWriter(session, delivery)
    elif writer is None:  # the dataset's first snapshot
        writer = SnapshotWriter(session, delivery)
    clock.lap("write")
    problems = list(result.problems)
    issues: Counter[str] = Counter()
    loaded_count = 0

    if writer is None:
        fresh = [(row, "") for row in result.rows]
        loaded_count += len(result.unchanged)
    else:
        writer.keep(result.unchanged)
        fresh = writer.to_map(result.rows)
        # Unchanged rows load as they are.
        loaded_count += len(result.unchanged) + len(result.rows) - len(fresh)
    result.rows.clear()  # what is left to do is in ``fresh``, let go of the rest
    chunks = ((chunk, [row.raw for row, _ in chunk]) for chunk in _drain(fresh, options.chunk_rows))
    workers = options.workers if len(fresh) >= options.pool_min_rows else 0
    with MappingPool(workers) as pool:
        mapped = pool.map(item.dataset.key, item.snapshot_date, chunks)
        while True:
            step = next(mapped, None)
            clock.lap("map")
            if step is None:
                break
            rows, results = step
            loaded: list[LoadedRow] = []
            for (row, digest), outcome in zip(rows, results, strict=True):
                if isinstance(outcome, Rejection):
                    problems.append(_rejected(result.file, row, outcome))
                else:
                    loaded.append(LoadedRow(row, digest, outcome))
                    issues.update(issue.code for issue in outcome.issues)
            loaded_count += len(loaded)
            if writer is not None:
                writer.add(loaded)
            clock.lap("write")
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
    session.flush()
    clock.lap("write")
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
        seconds=clock.seconds,
    )


def map_rows(
    result: ReadResult, rows: list[SourceRow], snapshot_date: dt.date
) -> tuple[list[MappedRow], list[RowProblem]]:
    """Normalise rows read (in this process); a row that cannot stand becomes a problem."""
    loaded: list[MappedRow] = []
    problems: list[RowProblem] = []
    outcomes = map_chunk(result.dataset.key, snapshot_date, [row.raw for row in rows])
    for row, outcome in zip(rows, outcomes, strict=True):
        if isinstance(outcome, Rejection):
            problems.append(_rejected(result.file, row, outcome))
        else:
            loaded.append(outcome)
    return loaded, problems


def _rejected(file: str, row: SourceRow, r: Rejection) -> RowProblem:
    message = f"{file} line {row.line}: {r.message} ({r.reason})"
    return RowProblem(row.line, r.reason, message, row.text, row.record_id, r.field)


def _drain(rows: list[T], size: int) -> Iterator[list[T]]:
    """Hand out rows in chunks, letting go of each chunk's rows once handed out, so the
    mapped form of a county file never exists all at once."""
    while rows:
        chunk = rows[:size]
        del rows[:size]
        yield chunk


class _Clock:
    """Wall seconds spent per stage, added up lap by lap."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, stage: str) -> None:
        now = time.perf_counter()
        self.seconds[stage] = self.seconds.get(stage, 0.0) + now - self._last
        self._last = now


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
