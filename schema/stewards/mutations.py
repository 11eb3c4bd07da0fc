"""Steward mutations: each stores decisions with who and why, takes effect at once (the
records are resolved again in the request's transaction) and shows in the change feed.
A refused action leaves nothing behind."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import strawberry
from sqlalchemy.orm import Session
from strawberry import relay
from strawberry.scalars import JSON

from hub.ingest.corrections import CorrectionError
from hub.stewards import actions, decisions, release
from schema.context import Info
from schema.errors import BadUserInput
from schema.fields import mutation
from schema.stewards.types import (
    ActionRefused,
    CorrectionRejected,
    DecisionNotFound,
    DecisionRevoked,
    PersonNotFound,
    QuarantinedRowNotFound,
    ReleaseResult,
    RevokeResult,
    RowReleased,
    StewardActionDone,
    StewardActionResult,
    StewardDecision,
)

T = TypeVar("T")


@strawberry.input(
    one_of=True, description="Two records of a reviewed pair, or two persons: one of the two."
)
class NotSamePersonInput:
    records: list[str] | None = strawberry.field(
        default=strawberry.UNSET, description="Two records, ``dataset:recordId``."
    )
    person_ids: list[relay.GlobalID] | None = strawberry.field(
        default=strawberry.UNSET, description="Two persons."
    )


def _person_id(gid: relay.GlobalID) -> str:
    if gid.type_name != "Person":
        raise BadUserInput("Person ids must be ids of a Person.")
    return gid.node_id


def _record(uid: str) -> str:
    dataset, _, record_id = uid.partition(":")
    if not dataset or not record_id:
        raise BadUserInput(f"{uid!r} is not a record reference (dataset:recordId).")
    return uid


def _actor(info: Info) -> str:
    viewer = info.context.viewer
    return viewer.actor or viewer.role


async def _act(info: Info, action: Callable[[Session], T]) -> T:
    """Run ``action`` in a savepoint: a refusal rolls back whatever it had written."""

    def work(session: Session) -> T:
        with session.begin_nested():
            result = action(session)
        for person in getattr(result, "persons", ()):  # named by the write's audit entry
            info.context.reads.record(f"Mutation.{info.field_name}", person, allowed=True)
        return result

    return await info.context.write(work)


def _done(info: Info, name: str, result: actions.ActionResult) -> StewardActionDone:
    for person in result.persons:  # the audit entry names the persons written
        info.context.reads.record(f"Mutation.{name}", person, allowed=True)
    return StewardActionDone(
        decisions=[StewardDecision.from_row(d) for d in result.decisions],
        person_ids=list(result.persons), changes=result.changes,
    )  # fmt: skip


async def _steward(info: Info, name: str, action: Callable[[Session], actions.ActionResult]) -> Any:
    try:
        return _done(info, name, await _act(info, action))
    except actions.ActionRefused as refused:
        return ActionRefused(message=str(refused))
    except LookupError as missing:
        return PersonNotFound(message=str(missing))


@strawberry.type
class StewardMutation:
    @mutation
    async def merge_persons(
        self, info: Info, person_ids: list[relay.GlobalID], reason: str
    ) -> StewardActionResult:
        """Make one person of two or more: every record of each is the same person's from
        now on (earlier decisions keeping any two of them apart are revoked)."""
        ids = [_person_id(p) for p in person_ids]
        actor = _actor(info)
        result: StewardActionResult = await _steward(
            info,
            "mergePersons",
            lambda s: actions.merge_persons(s, ids, actor=actor, reason=reason),
        )
        return result

    @mutation
    async def split_person(
        self, info: Info, person_id: relay.GlobalID, records: list[str], reason: str
    ) -> StewardActionResult:
        """Move ``records`` (``dataset:recordId``, some of the person's) out into a person of
        their own, kept apart from the rest from now on."""
        pid, moved, actor = _person_id(person_id), [_record(r) for r in records], _actor(info)
        result: StewardActionResult = await _steward(
            info,
            "splitPerson",
            lambda s: actions.split_person(s, pid, moved, actor=actor, reason=reason),
        )
        return result

    @mutation
    async def detach_record(self, info: Info, record: str, reason: str) -> StewardActionResult:
        """Take one record (``dataset:recordId``) away from its person; it is resolved again
        on its own and never joins that person's other records."""
        uid, actor = _record(record), _actor(info)
        result: StewardActionResult = await _steward(
            info,
            "detachRecord",
            lambda s: actions.detach_record(s, uid, actor=actor, reason=reason),
        )
        return result

    @mutation
    async def mark_not_same_person(
        self, info: Info, input: NotSamePersonInput, reason: str
    ) -> StewardActionResult:
        """Two records (a reviewed pair) or two persons are not the same person, for good."""
        actor = _actor(info)
        records, persons = input.records, input.person_ids
        if records:
            if len(records) != 2:
                raise BadUserInput("records takes exactly two records.")
            left, right = (_record(r) for r in records)
            result: StewardActionResult = await _steward(
                info,
                "markNotSamePerson",
                lambda s: actions.not_same_records(s, left, right, actor=actor, reason=reason),
            )
            return result
        if persons and len(persons) == 2:
            a, b = (_person_id(p) for p in persons)
            result = await _steward(
                info,
                "markNotSamePerson",
                lambda s: actions.not_same_persons(s, a, b, actor=actor, reason=reason),
            )
            return result
        raise BadUserInput("Give exactly two records or exactly two personIds.")

    @mutation
    async def release_quarantined_row(
        self, info: Info, id: int, values: JSON, reason: str
    ) -> ReleaseResult:
        """Correct a quarantined row and release it: ``values`` is the row as the reader gives
        it (column -> value, like a source record's ``raw``); it is read, checked and
        normalised like a delivered row, becomes a record of its dataset's current snapshot,
        and is applied again wherever a later delivery carries the same broken row."""
        if not isinstance(values, dict):
            raise BadUserInput("values must be an object of column -> value.")
        actor = _actor(info)
        try:
            done = await _act(
                info, lambda s: release.release_row(s, id, values, actor=actor, reason=reason)
            )
        except LookupError as missing:
            return QuarantinedRowNotFound(message=str(missing))
        except actions.ActionRefused as refused:
            return ActionRefused(message=str(refused))
        except CorrectionError as bad:
            return CorrectionRejected(reason=bad.reason, field_name=bad.field, message=str(bad))
        for entity in done.entities:
            if entity.startswith("P"):
                info.context.reads.record("Mutation.releaseQuarantinedRow", entity, allowed=True)
        correction = done.correction
        return RowReleased(
            decision=StewardDecision.from_row(done.decision), dataset=correction.delivery.dataset,
            record_id=correction.record_id, delivery_id=correction.delivery.id,
            entity_ids=list(done.entities), field_issues=[i.message for i in correction.issues],
            changes=done.changes,
        )  # fmt: skip

    @mutation
    async def revoke_steward_decision(self, info: Info, id: int, reason: str) -> RevokeResult:
        """Revoke one of the stewards' decisions (``stewardDecisions`` lists them): its records
        are resolved again without it, and it is refused when the model that leaves would fail
        the next publication's blocking checks. A release's correction is no longer applied to
        later deliveries."""
        actor = _actor(info)
        try:
            done = await _act(
                info, lambda s: decisions.revoke_decision(s, id, actor=actor, reason=reason)
            )
        except LookupError as missing:
            return DecisionNotFound(message=str(missing))
        except actions.ActionRefused as refused:
            return ActionRefused(message=str(refused))
        for person in done.persons:
            info.context.reads.record("Mutation.revokeStewardDecision", person, allowed=True)
        return DecisionRevoked(decision=StewardDecision.from_row(done.decision),
                               person_ids=list(done.persons), changes=done.changes)  # fmt: skip
