"""Steward corrections of quarantined rows: a corrected row read, checked and normalised like a
delivered one, and applied again wherever a later delivery still carries the broken row.

A correction is the row's values as the reader would have given them (column -> value, the
shape of ``source_record.raw``: CSV and xlsx columns by header, a JSON line's members, a door
plate's properties with ``lng`` and ``lat``). It goes through the dataset's shared row checks
(record id, name) and its mapper, so it is normalised and its field issues are flagged exactly
as a delivered row's would be. It becomes a version of its record in the dataset's current
snapshot, brought by a delivery row of its own (status ``correction``, one row read, one
loaded): every delivery still reconciles, the original keeps the row as quarantined.

A department that keeps delivering the same broken row does not undo the correction: a later
delivery's row whose text is exactly the text corrected is replaced by the correction before
mapping (:func:`reapply`), loads as the correction's record (unchanged, so its version stays
the steward's) and is noted in the delivery's report. A row that changed, even if still broken,
is quarantined afresh: the correction was about that text, not about the record for ever.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.ingest.fields import Rejected
from hub.ingest.mapping import Issue, written_form
from hub.ingest.records import MAPPERS
from hub.ingest.snapshot import LoadedRow, apply_correction, content_hash, current_snapshot
from hub.sources import catalog
from hub.sources.catalog import Dataset, FileFormat
from hub.sources.problems import Reason
from hub.sources.reading import ReadResult, RowCollector, SourceRow
from hub.storage.models import (
    Delivery,
    DeliveryStatus,
    QuarantinedRow,
    SourceRecord,
    StewardDecision,
)

#: The steward decision kind that records a correction (``steward_decision.kind``).
RELEASE = "release"
#: Extra values a reader adds to a row beyond the dataset's columns.
_READER_VALUES = {FileFormat.GEOJSON: ("lng", "lat")}


class CorrectionError(ValueError):
    """The corrected row cannot stand; ``field`` names the value at fault, if one is."""

    def __init__(self, message: str, reason: str, field: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.field = field


@dataclass(frozen=True, slots=True)
class Correction:
    """A correction applied: the version it wrote and the delivery that brought it."""

    delivery: Delivery
    record_id: str
    new_record: bool  # the record was not in the snapshot before
    issues: tuple[Issue, ...] = field(default_factory=tuple)


def correction_text(values: Mapping[str, Any]) -> str:
    """The text a correction is stored and hashed as: canonical JSON of its values."""
    return json.dumps(dict(values), ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def check_values(dataset: Dataset, values: Mapping[str, Any]) -> dict[str, Any]:
    """``values`` as a row of ``dataset``: known columns only, scalar values."""
    allowed = {dataset.record_id_field, *dataset.columns,
               *_READER_VALUES.get(dataset.file_format, ())}  # fmt: skip
    row: dict[str, Any] = {}
    for name, value in values.items():
        if name not in allowed:
            known = ", ".join(sorted(allowed))
            raise CorrectionError(f"{name!r} is not a column of {dataset.key} ({known})",
                                  "unknown_column", name)  # fmt: skip
        if value is not None and not isinstance(value, str | int | float | bool):
            raise CorrectionError(f"{name}: a value must be text, a number, true/false or null",
                                  "not_a_value", name)  # fmt: skip
        row[name] = value
    return row


def load_row(
    dataset: Dataset, values: Mapping[str, Any], line: int, delivery: Delivery
) -> LoadedRow:
    """The corrected row read and mapped as a delivered one; :class:`CorrectionError` if the
    shared checks or the mapper refuse it."""
    row = check_values(dataset, values)
    collector = RowCollector(dataset, "the correction")
    collector.row(line, row, correction_text(row))
    if collector.problems:
        problem = collector.problems[0]
        raise CorrectionError(problem.message, problem.reason.value, problem.field)
    source_row = collector.rows[0]
    try:
        record = MAPPERS[dataset.key](source_row.raw, delivery.snapshot_date)
    except Rejected as rejected:
        r = rejected.rejection
        raise CorrectionError(f"the correction: {r.message}", r.reason.value, r.field) from None
    digest = content_hash(source_row.text)
    return LoadedRow(source_row, digest, written_form(source_row.raw, record))


def correct(
    session: Session, quarantined: QuarantinedRow, values: Mapping[str, Any], *, actor: str
) -> Correction:
    """Apply ``values`` as the corrected form of ``quarantined`` in the caller's transaction.

    The row must belong to its dataset's current snapshot (a correction of an older one would
    change history a newer delivery already replaced), and its record must not have another
    version in that snapshot.
    """
    dataset = catalog.BY_KEY[quarantined.dataset]
    original = session.get(Delivery, quarantined.delivery_id)
    current = current_snapshot(session, dataset.key)
    if original is None or current is None or current.id != original.id:
        raise CorrectionError(
            f"{quarantined.file_name} is no longer {dataset.key}'s current snapshot: correct "
            "the row in the newest delivery", "not_current",
        )  # fmt: skip
    item = load_row(dataset, values, quarantined.line, original)
    record_id = item.row.record_id
    clash = session.scalar(select(SourceRecord.line).where(
        SourceRecord.dataset == dataset.key, SourceRecord.record_id == record_id,
        SourceRecord.valid_to.is_(None), SourceRecord.valid_from == original.snapshot_date,
    ).limit(1))  # fmt: skip
    if clash is not None:
        raise CorrectionError(
            f"{dataset.record_id_field} {record_id} already has a version in this snapshot "
            f"(line {clash}): correct the row under its own record id",
            Reason.DUPLICATE_RECORD_ID.value, dataset.record_id_field,
        )  # fmt: skip
    text = item.row.text
    delivery = Delivery(
        source=dataset.source, dataset=dataset.key,
        file_name=f"{quarantined.file_name}#{quarantined.line}", path=f"steward:{actor}",
        sha256=content_hash(text), size_bytes=len(text.encode("utf-8")),
        snapshot_date=original.snapshot_date, encoding="utf-8",
        status=DeliveryStatus.CORRECTION, rows_read=1, rows_loaded=1,
    )  # fmt: skip
    session.add(delivery)
    session.flush()
    new = apply_correction(session, delivery, item)
    delivery.records_new, delivery.records_changed = (1, 0) if new else (0, 1)
    return Correction(delivery, record_id, new, item.mapped.issues)


def active_corrections(session: Session, dataset: str) -> dict[str, tuple[int, dict[str, Any]]]:
    """The corrections of ``dataset`` not revoked: broken row's text hash -> (decision, values)."""
    found: dict[str, tuple[int, dict[str, Any]]] = {}
    decisions = session.scalars(
        select(StewardDecision)
        .where(StewardDecision.kind == RELEASE, StewardDecision.revoked_at.is_(None))
        .order_by(StewardDecision.id)
    )
    for decision in decisions:
        subject = decision.subject
        if subject.get("dataset") == dataset:
            found[str(subject["text_sha256"])] = (decision.id, dict(subject["values"]))
    return found


def reapply(session: Session, result: ReadResult) -> list[str]:
    """Replace the quarantined rows of ``result`` that a steward corrected before (the very
    same text) by their corrections; notes for the delivery's report."""
    corrections = active_corrections(session, result.dataset.key) if result.problems else {}
    if not corrections:
        return []
    notes: list[str] = []
    kept = []
    taken = {row.record_id for row in result.rows}
    for problem in result.problems:
        found = corrections.get(content_hash(problem.raw))
        if found is None:
            kept.append(problem)
            continue
        decision, values = found
        row = check_values(result.dataset, values)
        record_id = str(row.get(result.dataset.record_id_field, "")).strip()
        if record_id in taken:  # the file now has a row of its own under that id
            kept.append(problem)
            notes.append(f"{result.file} line {problem.line}: steward correction #{decision} "
                         f"not applied, the file has another row {record_id}")  # fmt: skip
            continue
        taken.add(record_id)
        result.rows.append(SourceRow(problem.line, record_id, row, correction_text(row)))
        notes.append(f"{result.file} line {problem.line}: delivered as corrected before; "
                     f"steward correction #{decision} applied")  # fmt: skip
    result.problems[:] = kept
    result.rows.sort(key=lambda r: r.line)
    return notes
