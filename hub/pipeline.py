"""The pipeline's steps as plain functions: what the Dagster assets and ``hub run`` call.

Each step owns its transactions (it is an edge, like a CLI command) and returns plain data.
Nothing bad is ever committed where readers would see it:

* a delivery is ingested and validated in **one** transaction (:func:`ingest_checked`); when a
  blocking expectation fails, the transaction is rolled back, so the dataset keeps its previous
  snapshot, and the file is recorded as ``REJECTED`` with its quality report in a second
  transaction (so it is not tried again until a corrected file arrives);
* resolution builds the published model and validates it in **one** transaction
  (:func:`build_publication`); it commits, making the new publication ``CURRENT``, only when no
  blocking expectation failed. Otherwise it rolls back and records a ``FAILED`` publication with
  the report. Readers see the previous version whole while a build runs, after it fails, and
  after a crash (an open transaction never commits).

Every step is idempotent: files already loaded are skipped by name and SHA-256, the grid
reference is rebuilt from the current snapshot, and resolution keeps ids stable. Re-running an
interrupted run therefore ends in the same published state as an uninterrupted one.

``hub.quality.runner`` imports Great Expectations (seconds); it is imported where a check runs,
so that loading the code location and evaluating sensors stay fast.
"""

from __future__ import annotations

import dataclasses
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from hub.api.audit import Anchor, anchor
from hub.config import Settings
from hub.ingest.grid import GridSummary, refresh_grid_reference
from hub.ingest.service import PAGE_CACHE_MIB, DeliveryReport, IngestOptions, ingest_file
from hub.quality import ExpectationOutcome, QualityReport
from hub.resolution.backends import MatchBackend
from hub.resolution.run import ResolutionReport, resolve
from hub.sources.catalog import Dataset
from hub.sources.landing import DeliveryFile, discover, sha256_file
from hub.storage.indexes import defer_indexes
from hub.storage.models import (
    Delivery,
    DeliveryStatus,
    EntityStatus,
    House,
    Person,
    PersonTag,
    PipelineFailure,
    Publication,
    PublicationStatus,
    QualityRun,
    SourceRecord,
)
from hub.storage.session import page_cache, transaction

Factory = sessionmaker[Session]


@dataclass(frozen=True, slots=True)
class CheckedDelivery:
    """One new delivery: what ingest did, and what validation found."""

    report: DeliveryReport
    delivery_id: int
    quality: QualityReport | None  # None: the file could not be read, nothing to validate
    applied: bool  # False: unreadable, or rolled back because a blocking expectation failed


@dataclass(frozen=True, slots=True)
class PublicationOutcome:
    """One build of the published model and whether it became current."""

    published: bool
    publication_id: int  # the new CURRENT publication, or the FAILED record of the attempt
    kind: str  # full or incremental resolution
    counts: dict[str, int]
    quality: QualityReport


@dataclass(frozen=True, slots=True)
class PublishedModel:
    """What readers see now."""

    publication_id: int | None
    current_publications: int
    persons: int  # active golden persons
    houses: int  # active houses
    tags: int
    counts: dict[str, Any]


def data_docs_dir(settings: Settings) -> Path:
    """Where the quality Data Docs site is written: ``<var>/quality/docs``."""
    return settings.quality_docs_dir


class _RefusedDelivery(Exception):
    """Rolls the delivery's transaction back: a blocking expectation failed."""

    def __init__(self, quality: QualityReport, report: DeliveryReport, sha256: str) -> None:
        super().__init__(report.file)
        self.quality, self.report, self.sha256 = quality, report, sha256


class _RefusedBuild(Exception):
    """Rolls the publication's transaction back: a blocking expectation failed."""

    def __init__(self, quality: QualityReport, resolution: ResolutionReport) -> None:
        super().__init__(quality.suite)
        self.quality, self.resolution = quality, resolution


def pending_deliveries(
    session: Session, files: Iterable[DeliveryFile], seen: Mapping[str, str]
) -> tuple[list[DeliveryFile], dict[str, str]]:
    """The files whose name and SHA-256 are not in the ``delivery`` table yet.

    ``seen`` maps a path to ``size:mtime_ns:sha256`` from an earlier call (a sensor's cursor),
    so unchanged files are not hashed again; the updated map is returned with the pending files.
    """
    digests: dict[str, str] = {}
    by_file: dict[tuple[str, str], DeliveryFile] = {}
    for item in files:
        stat = item.path.stat()
        stamp = f"{stat.st_size}:{stat.st_mtime_ns}"
        earlier = seen.get(str(item.path), "")
        sha = earlier.removeprefix(stamp + ":") if earlier.startswith(stamp + ":") else None
        sha = sha or sha256_file(item.path)
        digests[str(item.path)] = f"{stamp}:{sha}"
        by_file[(item.path.name, sha)] = item
    names = {name for name, _ in by_file}
    query = select(Delivery.file_name, Delivery.sha256).where(Delivery.file_name.in_(names))
    known = {(name, sha) for name, sha in session.execute(query)}
    pending = [item for key, item in by_file.items() if key not in known]
    pending.sort(key=lambda d: (d.dataset.key, d.snapshot_date, d.path.name))
    return pending, digests


def ingest_dataset(
    factory: Factory,
    landing: Path,
    dataset: Dataset,
    *,
    docs_dir: Path | None = None,
    options: IngestOptions | None = None,
) -> list[CheckedDelivery]:
    """Ingest and validate every file of ``dataset`` not loaded yet, oldest snapshot first.

    With ``docs_dir``, the Data Docs are rebuilt when a file was refused, so it shows there.
    """
    files = [d for d in discover(landing).deliveries if d.dataset.key == dataset.key]
    checked = [
        c for c in (ingest_checked(factory, item, docs_dir, options=options) for item in files) if c
    ]
    if docs_dir is not None and any(c.quality and c.quality.blocking_failed for c in checked):
        refresh_data_docs(factory, docs_dir)
    return checked


def ingest_checked(
    factory: Factory,
    item: DeliveryFile,
    docs_dir: Path | None = None,
    *,
    options: IngestOptions | None = None,
) -> CheckedDelivery | None:
    """Ingest one file and validate it in one transaction (None: loaded before)."""
    from hub.quality.runner import check_delivery, store_report

    with factory() as session, session.begin():  # a first load: indexes built after it
        defer_indexes(session, SourceRecord.__table__)
    try:
        with transaction(factory) as session, page_cache(session, PAGE_CACHE_MIB):
            report = ingest_file(session, item, options=options)
            if report.status is None:
                return None
            delivery = _newest_delivery(session, item.path.name)
            if report.status is DeliveryStatus.REJECTED:
                return CheckedDelivery(report, delivery.id, None, applied=False)
            started = time.perf_counter()
            quality = check_delivery(session, delivery.id)
            report.seconds["quality"] = time.perf_counter() - started
            if quality.blocking_failed:
                raise _RefusedDelivery(quality, report, delivery.sha256)
            store_report(session, quality, delivery_id=delivery.id,
                         docs_url=_page(quality, docs_dir))  # fmt: skip
            return CheckedDelivery(report, delivery.id, quality, applied=True)
    except _RefusedDelivery as refused:
        return _refuse_delivery(factory, item, refused, docs_dir)


def _refuse_delivery(
    factory: Factory, item: DeliveryFile, refused: _RefusedDelivery, docs_dir: Path | None
) -> CheckedDelivery:
    """Record a rolled-back delivery as REJECTED (none of its rows applied), with its report."""
    from hub.quality.runner import store_report

    read = refused.report.rows_read
    error = "blocking expectations failed: " + _names(refused.quality.blocking_failures)
    with transaction(factory) as session:
        rejected = Delivery(
            source=item.dataset.source, dataset=item.dataset.key, file_name=item.path.name,
            path=str(item.path), sha256=refused.sha256, size_bytes=item.size,
            snapshot_date=item.snapshot_date, status=DeliveryStatus.REJECTED, error=error,
            rows_read=read, rows_not_applied=read,
        )  # fmt: skip
        session.add(rejected)
        session.flush()
        store_report(session, refused.quality, delivery_id=rejected.id,
                     docs_url=_page(refused.quality, docs_dir))  # fmt: skip
    report = dataclasses.replace(refused.report, status=DeliveryStatus.REJECTED, error=error,
                                 rows_loaded=0, rows_quarantined=0,
                                 rows_not_applied=read)  # fmt: skip
    return CheckedDelivery(report, rejected.id, refused.quality, applied=False)


def refresh_grid(factory: Factory) -> GridSummary:
    """Rebuild the grid tables from the current grid snapshot, in one transaction."""
    with transaction(factory) as session:
        return refresh_grid_reference(session)


def build_publication(
    factory: Factory,
    *,
    full: bool = False,
    docs_dir: Path | None = None,
    backend: MatchBackend | None = None,
) -> PublicationOutcome:
    """Resolve, publish and validate in one transaction; commit only if nothing blocks.
    Person matching runs Splink on ``backend`` (DuckDB unless configured otherwise)."""
    from hub.quality.runner import check_publication, previous_tag_counts, store_report

    try:
        with transaction(factory) as session:
            previous = previous_tag_counts(session)
            resolution = resolve(session, full=full, backend=backend)
            quality = check_publication(session, previous_counts=previous)
            if quality.blocking_failed:
                raise _RefusedBuild(quality, resolution)
            current = _current_publication(session)
            if current is None:
                raise LookupError("resolution made no publication current")
            store_report(session, quality, publication_id=current.id,
                         docs_url=_page(quality, docs_dir))  # fmt: skip
            return PublicationOutcome(True, current.id, resolution.kind,
                                      dict(resolution.counts), quality)  # fmt: skip
    except _RefusedBuild as refused:
        quality, resolution = refused.quality, refused.resolution
    with transaction(factory) as session:
        note = "blocking expectations failed: " + _names(quality.blocking_failures)
        failed = Publication(status=PublicationStatus.FAILED, counts=dict(resolution.counts),
                             note=note)  # fmt: skip
        session.add(failed)
        session.flush()
        store_report(session, quality, publication_id=failed.id, docs_url=_page(quality, docs_dir))
    if docs_dir is not None:
        refresh_data_docs(factory, docs_dir)
    return PublicationOutcome(False, failed.id, resolution.kind, dict(resolution.counts), quality)


def published_model(session: Session) -> PublishedModel:
    """The current publication and the size of the model readers see."""
    current = _current_publication(session)
    currents = select(func.count()).where(Publication.status == PublicationStatus.CURRENT)
    return PublishedModel(
        publication_id=current.id if current is not None else None,
        current_publications=session.scalar(currents) or 0,
        persons=_count(session, Person, Person.status == EntityStatus.ACTIVE),
        houses=_count(session, House, House.status == EntityStatus.ACTIVE),
        tags=session.scalar(select(func.count()).select_from(PersonTag)) or 0,
        counts=dict(current.counts) if current is not None else {},
    )


def unreconciled_deliveries(session: Session) -> list[str]:
    """Files whose rows read differ from rows loaded + quarantined + not applied."""
    return [d.file_name for d in session.scalars(select(Delivery)) if not d.reconciles]


def latest_quality_runs(session: Session) -> list[QualityRun]:
    """The latest run of each suite, with its expectation results, by suite name."""
    latest = select(func.max(QualityRun.id)).group_by(QualityRun.suite)
    query = (
        select(QualityRun)
        .where(QualityRun.id.in_(latest))
        .options(selectinload(QualityRun.results))
        .order_by(QualityRun.suite)
    )
    return list(session.scalars(query))


def anchor_audit(factory: Factory, path: Path) -> Anchor:
    """Write the audit chain's head out of the database, to ``path`` (after a publication:
    a chain cut short before this point then shows, :mod:`hub.api.audit`)."""
    with factory() as session:
        return anchor(session, path)


def refresh_data_docs(factory: Factory, docs_dir: Path) -> Path:
    """Rebuild the Data Docs from the latest stored run of each suite; the index page."""
    from hub.quality.runner import build_data_docs

    with factory() as session:
        reports = [_as_report(run) for run in latest_quality_runs(session)]
    return build_data_docs(reports, docs_dir)


def record_failure(
    factory: Factory, *, run_id: str, job: str, steps: Sequence[tuple[str | None, str]]
) -> int:
    """Write one ``pipeline_failure`` row per failed step (step, message); returns the count."""
    with transaction(factory) as session:
        session.add_all(
            PipelineFailure(run_id=run_id, job=job, step=step, message=message)
            for step, message in steps
        )
    return len(steps)


def _as_report(run: QualityRun) -> QualityReport:
    outcomes = tuple(
        ExpectationOutcome(
            expectation=r.expectation,
            column=r.column,
            kwargs=dict(r.kwargs),
            blocking=r.blocking,
            success=r.success,
            observed_value=dict(r.observed_value),
            unexpected_count=r.unexpected_count,
            failing_record_ids=[str(i) for i in r.failing_record_ids],
        )
        for r in sorted(run.results, key=lambda r: r.id)
    )
    return QualityReport(run.suite, run.target, bool(run.success), run.blocking_failed,
                         outcomes, dict(run.statistics))  # fmt: skip


def _page(report: QualityReport, docs_dir: Path | None) -> str | None:
    if docs_dir is None:
        return None
    from hub.quality.runner import validation_page

    return str(validation_page(report, docs_dir))


def _newest_delivery(session: Session, file_name: str) -> Delivery:
    query = select(Delivery).where(Delivery.file_name == file_name)
    delivery = session.scalars(query.order_by(Delivery.id.desc())).first()
    if delivery is None:
        raise LookupError(f"ingest recorded no delivery row for {file_name}")
    return delivery


def _current_publication(session: Session) -> Publication | None:
    query = select(Publication).where(Publication.status == PublicationStatus.CURRENT)
    return session.scalars(query.order_by(Publication.id.desc())).first()


def _count(session: Session, model: type[Person] | type[House], where: Any) -> int:
    return session.scalar(select(func.count()).select_from(model).where(where)) or 0


def _names(outcomes: Iterable[ExpectationOutcome]) -> str:
    return ", ".join(o.expectation + (f"({o.column})" if o.column else "") for o in outcomes)
