"""Steward decisions about identity, stored with who and why, and turned into the
must-link / cannot-link constraints every later run honours."""

from __future__ import annotations

import enum
import itertools
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from hub.resolution.persons import Constraints
from hub.storage.models import StewardDecision


class DecisionKind(enum.StrEnum):
    """What a steward ruled about some person records."""

    SAME_PERSON = "same_person"  # these records describe one person
    DIFFERENT_PEOPLE = "different_people"  # these records describe different people
    DETACH = "detach"  # these records do not belong with those
    # A quarantined row corrected and released (:mod:`hub.ingest.corrections`): about a
    # delivered row, not about identity; stored here so all rulings read alike.
    RELEASE = "release"


class DecisionError(ValueError):
    pass


def record_decision(
    session: Session,
    kind: DecisionKind,
    records: Sequence[str],
    *,
    actor: str,
    reason: str,
    others: Sequence[str] = (),
) -> StewardDecision:
    """Store a decision about record uids (``dataset:record_id``); the caller commits.

    ``same_person`` and ``different_people`` take two or more records; ``detach`` takes one
    or more records and the ``others`` none of them may be with (a detached record: the
    person's other records at the time; two persons told apart: each one's records).
    """
    if not reason.strip():
        raise DecisionError("a steward decision needs a reason")
    if kind is DecisionKind.DETACH:
        if not records or not others or set(records) & set(others):
            raise DecisionError("detach takes records and the other records they leave")
    elif len(set(records)) < 2:
        raise DecisionError(f"{kind} needs at least two different records")
    decision = StewardDecision(
        kind=kind.value,
        entity_kind="person",
        subject={"records": list(records), "others": list(others)},
        actor=actor,
        reason=reason,
    )
    session.add(decision)
    session.flush()
    return decision


def load_constraints(session: Session) -> Constraints:
    """All decisions not revoked, oldest first, as constraints for clustering."""
    must: list[tuple[str, str]] = []
    cannot: list[tuple[str, str]] = []
    decisions = session.scalars(
        select(StewardDecision)
        .where(StewardDecision.entity_kind == "person", StewardDecision.revoked_at.is_(None))
        .order_by(StewardDecision.id)
    )
    for decision in decisions:
        records = [str(r) for r in decision.subject.get("records", [])]
        others = [str(r) for r in decision.subject.get("others", [])]
        if decision.kind == DecisionKind.SAME_PERSON:
            must += [(records[0], r) for r in records[1:]]
        elif decision.kind == DecisionKind.DIFFERENT_PEOPLE:
            cannot += [_ordered(a, b) for a, b in itertools.combinations(records, 2)]
        elif decision.kind == DecisionKind.DETACH:
            cannot += [_ordered(r, o) for r in records for o in others if o != r]
    # A later "different" overrides an earlier "same" for the same pair.
    cannot_set = set(cannot)
    must = [pair for pair in must if _ordered(*pair) not in cannot_set]
    return Constraints(must_link=tuple(must), cannot_link=tuple(sorted(cannot_set)))


def _ordered(a: str, b: str) -> tuple[str, str]:
    return (a, b) if a < b else (b, a)
