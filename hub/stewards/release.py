"""Releasing a quarantined row: the steward's corrected values become a record of the
dataset's current snapshot (:mod:`hub.ingest.corrections`), the row is marked released, and
the publication is brought up to date at once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.ingest.corrections import RELEASE, Correction, correct
from hub.ingest.grid import refresh_grid_reference
from hub.ingest.snapshot import content_hash
from hub.resolution.run import resolve
from hub.sources import catalog
from hub.stewards.actions import ActionRefused, passes_next_publication, tag_events
from hub.storage.models import (
    Publication,
    PublicationStatus,
    QuarantinedRow,
    RecordLink,
    StewardDecision,
)


@dataclass(frozen=True, slots=True)
class Released:
    """A row released: its decision, the correction applied, and the entities it now feeds."""

    decision: StewardDecision
    correction: Correction
    entities: tuple[str, ...]  # persons or houses the record is linked to after the run
    changes: int


def release_row(
    session: Session, row_id: int, values: Mapping[str, Any], *, actor: str, reason: str
) -> Released:
    """Correct quarantined row ``row_id`` with ``values`` and release it (caller commits).

    Raises :class:`LookupError` for an unknown row, :class:`ActionRefused` for one already
    released, without a reason or leaving a model the next publication would refuse (roll
    back), and :class:`~hub.ingest.corrections.CorrectionError` when the corrected row cannot
    stand (nothing is written then).
    """
    row = session.get(QuarantinedRow, row_id)
    if row is None:
        raise LookupError(f"no quarantined row {row_id}")
    if row.released_at is not None:
        raise ActionRefused(f"quarantined row {row_id} was released by {row.released_by}")
    if not reason.strip():
        raise ActionRefused("a steward decision needs a reason")
    correction = correct(session, row, values, actor=actor)
    decision = StewardDecision(
        kind=RELEASE, entity_kind="row", actor=actor, reason=reason,
        subject={"quarantined_row": row.id, "dataset": row.dataset,
                 "record_id": correction.record_id, "text_sha256": content_hash(row.raw),
                 "values": dict(values), "delivery_id": correction.delivery.id},
    )  # fmt: skip
    session.add(decision)
    row.released_at, row.released_by = dt.datetime.now(dt.UTC), actor
    session.flush()
    if row.dataset == catalog.GRIDS.key:
        refresh_grid_reference(session)
    resolve(session, actor=actor)
    passes_next_publication(session)
    entities = tuple(sorted(session.scalars(select(RecordLink.entity_id).where(
        RecordLink.dataset == row.dataset, RecordLink.record_id == correction.record_id,
    ))))  # fmt: skip
    publication = session.scalar(
        select(Publication.id).where(Publication.status == PublicationStatus.CURRENT)
    )
    changed = tag_events(session, publication, entities, decision.id)
    return Released(decision, correction, entities, changed)
