"""Steward actions on persons: merge, split, detach a record, tell two apart.

Each action is stored as steward decisions (:mod:`hub.resolution.decisions`: who, why, which
records) that every later run honours, and takes effect at once: the records it names are
resolved again in the caller's transaction, so the golden records and the change feed show
it before the transaction commits, each event naming the decision behind it.

Which decision an action stores::

    merge persons A, B      same_person over every record of A and B (revoking earlier
                            decisions that kept any two of them apart: the newer ruling wins)
    split person P into S   detach S from P's other records, and same_person over S when S has
                            more than one record (so S stays one person)
    detach record r         detach r from its person's other records
    not the same (records)  different_people over the two records
    not the same (persons)  detach A's records from B's

No action is accepted that would make the next publication fail (:mod:`hub.stewards.gate`):
records it would keep apart may not carry one resident ID, and the model it leaves must pass
the publication suite's blocking expectations. A refused action raises :class:`ActionRefused`
after writing in the caller's transaction: the caller rolls back (the API runs each action in
a savepoint).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from hub.resolution.decisions import DecisionError, DecisionKind, record_decision
from hub.resolution.ids import resolve_redirect
from hub.resolution.run import resolve
from hub.stewards.gate import WouldBreakPublication, check_next_publication, shared_resident_ids
from hub.storage.bulk import record_batches, split_uid
from hub.storage.models import (
    ChangeEvent,
    EntityKind,
    EntityRedirect,
    EntityStatus,
    Person,
    Publication,
    PublicationStatus,
    RecordLink,
    StewardDecision,
)


class ActionRefused(ValueError):
    """The action cannot be done as asked; the message says why (no personal values)."""


@dataclass(frozen=True, slots=True)
class ActionResult:
    """What an action did: the decisions stored, the persons its records belong to now, and
    how many change events it caused."""

    decisions: tuple[StewardDecision, ...]
    persons: tuple[str, ...]  # the persons holding the action's records, after it
    changes: int


def person_records(session: Session, person_id: str) -> list[str]:
    """The record uids (``dataset:record_id``) linked to a person, sorted."""
    rows = session.execute(
        select(RecordLink.dataset, RecordLink.record_id).where(
            RecordLink.kind == EntityKind.PERSON, RecordLink.entity_id == person_id
        )
    )
    return sorted(f"{d}:{r}" for d, r in rows)


def person_of(session: Session, uid: str) -> str | None:
    """The person a record uid is linked to, if any."""
    dataset, _, record_id = uid.partition(":")
    found: str | None = session.scalar(
        select(RecordLink.entity_id).where(
            RecordLink.kind == EntityKind.PERSON,
            RecordLink.dataset == dataset,
            RecordLink.record_id == record_id,
        )
    )
    return found


def persons_of(session: Session, uids: Collection[str]) -> dict[str, str]:
    """The person each of ``uids`` is linked to (those linked)."""
    found: dict[str, str] = {}
    for dataset, ids in record_batches(split_uid(u) for u in uids if ":" in u):
        rows = session.execute(
            select(RecordLink.dataset, RecordLink.record_id, RecordLink.entity_id).where(
                RecordLink.kind == EntityKind.PERSON,
                RecordLink.dataset == dataset,
                RecordLink.record_id.in_(ids),
            )
        )
        found.update({f"{d}:{r}": e for d, r, e in rows})
    return found


def current_person(session: Session, person_id: str) -> Person:
    """The person an id names now (following merges); :class:`LookupError` for an unknown id,
    refused unless it is active."""
    redirects = dict(session.execute(select(EntityRedirect.old_id, EntityRedirect.new_id)).all())
    found = session.get(Person, resolve_redirect(person_id, redirects))
    if found is None:
        raise LookupError(f"no person {person_id}")
    if found.status is not EntityStatus.ACTIVE:
        raise ActionRefused(f"person {found.id} is {found.status}, not active")
    return found


def merge_persons(
    session: Session, person_ids: Sequence[str], *, actor: str, reason: str
) -> ActionResult:
    """One person from ``person_ids`` (two or more; merged ids follow their survivors)."""
    persons = list(dict.fromkeys(current_person(session, p).id for p in person_ids))
    if len(persons) < 2:
        raise ActionRefused("merging needs two or more different active persons")
    records = [r for p in persons for r in _records(session, p)]
    revoked = _revoke_apart(session, set(records), actor)
    decision = _decide(session, DecisionKind.SAME_PERSON, records, actor=actor, reason=reason,
                       persons=persons, revokes=revoked)  # fmt: skip
    return _take_effect(session, [decision], records, persons, actor)


def split_person(
    session: Session, person_id: str, records: Collection[str], *, actor: str, reason: str
) -> ActionResult:
    """Move ``records`` (some of a person's records) out into a person of their own."""
    person = current_person(session, person_id)
    own = _records(session, person.id)
    moved = sorted(set(records))
    strange = [r for r in moved if r not in own]
    if strange:
        raise ActionRefused(f"{', '.join(strange)} is not a record of person {person.id}")
    rest = [r for r in own if r not in moved]
    if not moved or not rest:
        raise ActionRefused("a split moves some of the person's records, not none or all")
    refuse_one_id_apart(session, moved, rest, "split off")
    decisions = [_decide(session, DecisionKind.DETACH, moved, others=rest, actor=actor,
                         reason=reason, persons=[person.id])]  # fmt: skip
    if len(moved) > 1:
        decisions.append(_decide(session, DecisionKind.SAME_PERSON, moved, actor=actor,
                                 reason=reason, persons=[person.id]))  # fmt: skip
    return _take_effect(session, decisions, own, [person.id], actor)


def detach_record(session: Session, uid: str, *, actor: str, reason: str) -> ActionResult:
    """Take one record away from its person (it is resolved again on its own merits)."""
    person_id = person_of(session, uid)
    if person_id is None:
        raise ActionRefused(f"{uid} is not a record linked to a person")
    own = _records(session, person_id)
    rest = [r for r in own if r != uid]
    if not rest:
        raise ActionRefused(f"{uid} is its person's only record: there is nothing to detach from")
    refuse_one_id_apart(session, [uid], rest, "detached")
    decision = _decide(session, DecisionKind.DETACH, [uid], others=rest, actor=actor,
                       reason=reason, persons=[person_id])  # fmt: skip
    return _take_effect(session, [decision], own, [person_id], actor)


def not_same_records(
    session: Session, left: str, right: str, *, actor: str, reason: str
) -> ActionResult:
    """Two records are not one person (a reviewed pair): never linked again, directly."""
    persons = [p for p in (person_of(session, left), person_of(session, right)) if p]
    if len(persons) < 2:
        raise ActionRefused("both records must be linked to persons")
    refuse_one_id_apart(session, [left], [right], "told apart")
    decision = _decide(session, DecisionKind.DIFFERENT_PEOPLE, [left, right], actor=actor,
                       reason=reason, persons=sorted(set(persons)))  # fmt: skip
    records = sorted({*_records(session, persons[0]), *_records(session, persons[1])})
    return _take_effect(session, [decision], records, persons, actor)


def not_same_persons(
    session: Session, left: str, right: str, *, actor: str, reason: str
) -> ActionResult:
    """Two persons are not one: no record of either is linked to the other's, ever."""
    a, b = current_person(session, left).id, current_person(session, right).id
    if a == b:
        raise ActionRefused(f"{left} and {right} are one person now: split it instead")
    mine, theirs = _records(session, a), _records(session, b)
    refuse_one_id_apart(session, mine, theirs, "told apart")
    decision = _decide(session, DecisionKind.DETACH, mine, others=theirs, actor=actor,
                       reason=reason, persons=[a, b])  # fmt: skip
    return _take_effect(session, [decision], [*mine, *theirs], [a, b], actor)


def refuse_one_id_apart(
    session: Session, moved: Sequence[str], rest: Sequence[str], how: str
) -> None:
    """:class:`ActionRefused` when records to be kept apart carry one resident ID."""
    here, there = shared_resident_ids(session, moved, rest)
    if here:
        raise ActionRefused(
            f"{', '.join(here)} carry the resident ID that {', '.join(there)} carry: {how}, "
            "they would be two persons with one resident ID and every later publication would "
            "fail its uniqueness check. Keep them together (move them all), or have the wrong "
            "ID corrected first; nothing was stored"
        )


def passes_next_publication(session: Session) -> None:
    """:class:`ActionRefused` when the model in the transaction would not publish."""
    try:
        check_next_publication(session)
    except WouldBreakPublication as refused:
        raise ActionRefused(str(refused)) from None


def _records(session: Session, person_id: str) -> list[str]:
    records = person_records(session, person_id)
    if not records:
        raise ActionRefused(f"person {person_id} has no linked records")
    return records


def _decide(
    session: Session,
    kind: DecisionKind,
    records: Sequence[str],
    *,
    actor: str,
    reason: str,
    persons: Iterable[str],
    others: Sequence[str] = (),
    revokes: Sequence[int] = (),
) -> StewardDecision:
    try:
        decision = record_decision(session, kind, records, actor=actor, reason=reason,
                                   others=others)  # fmt: skip
    except DecisionError as exc:
        raise ActionRefused(str(exc)) from exc
    decision.subject = {**decision.subject, "persons": list(persons), "revokes": list(revokes)}
    session.flush()
    return decision


def _revoke_apart(session: Session, records: set[str], actor: str) -> list[int]:
    """Revoke the decisions that keep two of ``records`` apart; their ids."""
    revoked: list[int] = []
    now = dt.datetime.now(dt.UTC)
    kinds = (DecisionKind.DIFFERENT_PEOPLE.value, DecisionKind.DETACH.value)
    for decision in session.scalars(
        select(StewardDecision).where(
            StewardDecision.entity_kind == "person",
            StewardDecision.kind.in_(kinds),
            StewardDecision.revoked_at.is_(None),
        )
    ):
        named = [str(r) for r in decision.subject.get("records", [])]
        others = [str(r) for r in decision.subject.get("others", [])]
        if decision.kind == DecisionKind.DETACH:
            pairs: Iterable[tuple[str, str]] = itertools.product(named, others)
        else:
            pairs = itertools.combinations(named, 2)
        if any(a in records and b in records for a, b in pairs):
            decision.revoked_at, decision.revoked_by = now, actor
            revoked.append(decision.id)
    return revoked


def _take_effect(
    session: Session,
    decisions: Sequence[StewardDecision],
    records: Sequence[str],
    persons: Sequence[str],
    actor: str,
) -> ActionResult:
    """Resolve again now, refused unless the next publication would pass; the change events
    of the persons involved name the decision."""
    resolve(session, actor=actor)
    passes_next_publication(session)
    after = sorted({p for p in (person_of(session, r) for r in records) if p is not None})
    publication = session.scalar(
        select(Publication.id).where(Publication.status == PublicationStatus.CURRENT)
    )
    changed = tag_events(session, publication, {*persons, *after}, decisions[0].id)
    return ActionResult(tuple(decisions), tuple(after), changed)


def tag_events(
    session: Session, publication_id: int | None, entity_ids: Collection[str], decision_id: int
) -> int:
    """Name ``decision_id`` on the events of ``publication_id`` about ``entity_ids``."""
    if publication_id is None or not entity_ids:
        return 0
    result = session.execute(
        update(ChangeEvent)
        .where(ChangeEvent.publication_id == publication_id,
               ChangeEvent.entity_id.in_(sorted(entity_ids)))
        .values(decision_id=decision_id)
        .execution_options(synchronize_session=False)
    )  # fmt: skip
    return int(result.rowcount)  # type: ignore[attr-defined]
