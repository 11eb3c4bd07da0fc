"""A steward's decisions: listed (who, when, why, what) and revoked, as plain functions the
API and a steward console call alike.

Revoking an identity decision (same person, different people, detach; the merges, splits and
rulings that stored them) lifts its constraint at once: the records it named are resolved
again on their own merits in the caller's transaction, and the revocation is refused, like any
steward action, when the model it leaves would not publish (:mod:`hub.stewards.gate`).
Decisions a merge revoked when it overruled them stay revoked: revoking the merge does not
bring them back (make them again).

Revoking a release stops the correction from being applied to later deliveries of the same
broken row; the corrected record stays in the dataset's current snapshot until the next
delivery replaces it (where the broken row is quarantined again, if still broken).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from hub.ingest.corrections import RELEASE
from hub.resolution.run import resolve
from hub.stewards.actions import ActionRefused, passes_next_publication, persons_of, tag_events
from hub.storage.bulk import record_batches, split_uid
from hub.storage.models import (
    EntityKind,
    Publication,
    PublicationStatus,
    RecordLink,
    StewardDecision,
)


@dataclass(frozen=True, slots=True)
class Revoked:
    """A decision revoked: the persons its records belong to now, and the change events the
    revocation caused (a release's revocation changes no person at once)."""

    decision: StewardDecision
    persons: tuple[str, ...]
    changes: int


def decisions_query(
    *, include_revoked: bool = False, actor: str | None = None, kind: str | None = None
) -> Select[StewardDecision]:
    """Decisions, newest first: in force only unless ``include_revoked``; one steward's
    (``actor``) or one kind's only when given."""
    stmt = select(StewardDecision).order_by(StewardDecision.id.desc())
    if not include_revoked:
        stmt = stmt.where(StewardDecision.revoked_at.is_(None))
    if actor is not None:
        stmt = stmt.where(StewardDecision.actor == actor)
    if kind is not None:
        stmt = stmt.where(StewardDecision.kind == kind)
    return stmt


def list_decisions(
    session: Session,
    *,
    include_revoked: bool = False,
    actor: str | None = None,
    kind: str | None = None,
    limit: int = 100,
) -> list[StewardDecision]:
    """Up to ``limit`` decisions of :func:`decisions_query`, newest first."""
    query = decisions_query(include_revoked=include_revoked, actor=actor, kind=kind)
    return list(session.scalars(query.limit(limit)))


def records_of(decision: StewardDecision) -> list[str]:
    """The records a decision names (``dataset:recordId``), then those it keeps them from, or
    the record a release made."""
    subject = decision.subject
    named = [str(r) for r in subject.get("records", [])]
    named += [str(r) for r in subject.get("others", [])]
    if subject.get("record_id"):
        named.append(f"{subject.get('dataset')}:{subject['record_id']}")
    return named


def revoke_decision(session: Session, decision_id: int, *, actor: str, reason: str) -> Revoked:
    """Revoke decision ``decision_id`` in the caller's transaction (see the module docstring).

    :class:`LookupError` for an unknown id; :class:`ActionRefused` for one revoked already,
    without a reason, or when the model it leaves would not publish (roll back then).
    """
    decision = session.get(StewardDecision, decision_id)
    if decision is None:
        raise LookupError(f"no steward decision {decision_id}")
    if decision.revoked_at is not None:
        raise ActionRefused(f"decision {decision_id} was revoked by {decision.revoked_by}")
    if not reason.strip():
        raise ActionRefused("revoking a decision needs a reason")
    decision.revoked_at = dt.datetime.now(dt.UTC)
    decision.revoked_by, decision.revoked_reason = actor, reason
    session.flush()
    if decision.kind == RELEASE:
        return Revoked(decision, (), 0)
    records = records_of(decision)
    before = set(persons_of(session, records).values())
    _resolve_again(session, records)
    resolve(session, actor=actor)
    passes_next_publication(session)
    after = set(persons_of(session, records).values())
    publication = session.scalar(
        select(Publication.id).where(Publication.status == PublicationStatus.CURRENT)
    )
    changed = tag_events(session, publication, before | after, decision.id)
    return Revoked(decision, tuple(sorted(after)), changed)


def _resolve_again(session: Session, records: Sequence[str]) -> None:
    """Have the next run resolve ``records`` again though none of them changed.

    A run re-resolves the records of decisions in force, and records whose current version has
    no link made from it (:func:`hub.resolution.neighbourhood.unlinked`); a revoked decision's
    records are neither, so their links forget the version they were made from.
    """
    for dataset, ids in record_batches(split_uid(u) for u in records if ":" in u):
        session.execute(
            update(RecordLink)
            .where(RecordLink.kind == EntityKind.PERSON, RecordLink.dataset == dataset,
                   RecordLink.record_id.in_(ids))
            .values(version_id=None)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
