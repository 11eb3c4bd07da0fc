"""Quality checks the pipeline runs: a delivery's dataset after ingest, the published model
before it becomes current; and storing their reports.

Everything is read through the caller's session, so a check sees what the caller's
transaction sees (an uncommitted publication included); nothing here commits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from expectations import delivery as delivery_suite
from expectations import published, thresholds
from expectations.sources import SNAPSHOT_DATE, SPECS
from hub.ingest.snapshot import current_snapshot
from hub.quality import frames
from hub.quality.docs import build_data_docs, validation_page
from hub.quality.report import QualityReport
from hub.quality.validate import Batch, validate
from hub.resolution.survivorship import load_rules
from hub.storage.bulk import refresh_statistics
from hub.storage.models import (
    Delivery,
    House,
    Person,
    PersonTag,
    Provenance,
    Publication,
    PublicationStatus,
    QualityResult,
    QualityRun,
    SourceRecord,
)

__all__ = [
    "build_data_docs",
    "check_delivery",
    "check_publication",
    "previous_tag_counts",
    "store_report",
    "validation_page",
]


def check_delivery(session: Session, delivery_id: int) -> QualityReport:
    """The delivery's dataset suite on the dataset's current records, and the delivery suite
    (reconciliation, quarantine rate) on the delivery's own figures. LookupError when there
    is no such delivery."""
    delivery = session.get(Delivery, delivery_id)
    if delivery is None:
        raise LookupError(f"no delivery {delivery_id}")
    spec = SPECS[delivery.dataset]
    current = current_snapshot(session, delivery.dataset)
    snapshot = current.snapshot_date if current is not None else delivery.snapshot_date
    records = frames.source_frame(session, spec, current.id if current is not None else None)
    statistics: dict[str, Any] = {
        "run_name": f"delivery-{delivery.id}",
        "delivery_id": delivery.id,
        "dataset": delivery.dataset,
        "file_name": delivery.file_name,
        "delivery_status": delivery.status.value,
        "snapshot_date": snapshot.isoformat(),
        "current_records": len(records),
    }
    if "resident_id_status" in records:
        counts = records["resident_id_status"].fillna("absent").value_counts()
        statistics["resident_id_status"] = {str(k): int(v) for k, v in counts.items()}
        records = records.drop(columns="resident_id_status")
    moment = dt.datetime.combine(snapshot, dt.time())
    batches = [
        Batch(delivery.dataset, records, "record_id", {SNAPSHOT_DATE: moment}),
        Batch(
            delivery_suite.NAME,
            frames.delivery_frame(delivery, thresholds.QUARANTINE_NOISE_ROWS),
            "delivery_id",
        ),
    ]
    return validate(delivery.dataset, delivery.dataset, batches, statistics)


def check_publication(
    session: Session, *, previous_counts: Mapping[str, int] | None = None
) -> QualityReport:
    """The published-model suites on the current person, house, tag and provenance tables.

    ``previous_counts`` maps tag -> count of active persons in the previous publication (see
    :func:`previous_tag_counts`); without it tag counts are recorded but not compared. The
    report's ``statistics["tag_counts"]`` is the next publication's ``previous_counts``.

    The tables were usually just written in this transaction: their planner statistics are
    refreshed first (PostgreSQL), so the checks' queries are planned for the rows they read.
    """
    refresh_statistics(session, [m.__table__ for m in (Person, House, PersonTag, Provenance)])
    as_of = session.scalar(select(func.max(SourceRecord.valid_from))) or dt.date.today()
    persons = frames.person_frame(session, as_of, load_rules())
    houses = frames.house_frame(session)
    counts = frames.tag_counts(session)
    statistics: dict[str, Any] = {
        "run_name": "publication",
        "as_of": as_of.isoformat(),
        "active_persons": len(persons),
        "active_houses": len(houses),
        "houses_without_grid": int(houses["grid_code"].isna().sum()),
        "tag_counts": counts,
        "previous_tag_counts": dict(previous_counts) if previous_counts is not None else None,
    }
    batches = [
        Batch(published.PERSON, persons, "id"),
        Batch(published.HOUSE, houses, "id"),
        Batch(published.TAG, frames.tag_frame(counts, previous_counts, thresholds.TAG_MIN_COUNT),
              "tag"),
    ]  # fmt: skip
    return validate(published.NAME, published.NAME, batches, statistics)


def previous_tag_counts(session: Session) -> dict[str, int] | None:
    """Tag counts of the newest published (current or superseded) publication that had a
    published-model check stored, for :func:`check_publication`; None when there is none."""
    run = session.scalars(
        select(QualityRun)
        .join(Publication, Publication.id == QualityRun.publication_id)
        .where(
            QualityRun.suite == published.NAME,
            Publication.status.in_([PublicationStatus.CURRENT, PublicationStatus.SUPERSEDED]),
        )
        .order_by(QualityRun.id.desc())
        .limit(1)
    ).first()
    counts = (run.statistics or {}).get("tag_counts") if run is not None else None
    return {str(k): int(v) for k, v in counts.items()} if isinstance(counts, dict) else None


def store_report(
    session: Session,
    report: QualityReport,
    *,
    delivery_id: int | None = None,
    publication_id: int | None = None,
    docs_url: str | None = None,
) -> QualityRun:
    """Write the report as one ``quality_run`` with a ``quality_result`` per outcome, and
    flush (the caller commits)."""
    run = QualityRun(
        suite=report.suite,
        target=report.target,
        delivery_id=delivery_id,
        publication_id=publication_id,
        finished_at=_moment(report.statistics.get("finished_at")),
        success=report.success,
        blocking_failed=report.blocking_failed,
        statistics=report.statistics,
        docs_url=docs_url,
    )
    started = _moment(report.statistics.get("started_at"))
    if started is not None:
        run.started_at = started
    run.results = [
        QualityResult(
            expectation=o.expectation, column=o.column, kwargs=o.kwargs, blocking=o.blocking,
            success=o.success, observed_value=o.observed_value,
            unexpected_count=o.unexpected_count, failing_record_ids=list(o.failing_record_ids),
        )
        for o in report.outcomes
    ]  # fmt: skip
    session.add(run)
    session.flush()
    return run


def _moment(value: object) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if isinstance(value, str) else None
