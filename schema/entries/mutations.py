"""The grid worker's mutations: each a thin call of :func:`hub.entries.service.submit`.

Runs in a writer's transaction of its own, inside a savepoint: an unexpected failure leaves
nothing behind, an expected one is data. The write's audit entry, naming the person, is
committed with it (:meth:`schema.context.Context.write`).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import strawberry
from sqlalchemy.orm import Session
from strawberry import relay

from hub.entries import model, moves
from hub.entries.service import submit
from hub.storage.models import House
from hub.storage.models import MoveRequest as MoveRow
from hub.storage.models import Person as PersonRow
from schema.context import Info
from schema.entries.query import author_of
from schema.entries.types import (
    EntryAccepted,
    EntryFieldError,
    EntryInvalid,
    EntryOutOfScope,
    EntryPending,
    EntryPersonNotFound,
    EntryResult,
    MoveConfirmed,
    MoveDecision,
    MoveRequestRefused,
    ResidentRegistration,
    ResidentUpdate,
    StaleVersion,
)
from schema.entries.types import MoveRequest as MoveRequestType
from schema.errors import BadUserInput
from schema.fields import mutation
from schema.permissions import check_write
from schema.persons.types import Person


@strawberry.type
class EntryMutation:
    @mutation
    async def register_resident(self, info: Info, input: ResidentRegistration) -> EntryResult:
        """Register a resident you met (a person the hub may know already: it links them)."""
        entry = model.Entry(
            model.EntryKind.REGISTER, name=input.name, resident_id=input.resident_id,
            sex=input.sex, birth_date=input.birth_date, phone=input.phone,
            house_id=_house(input.house_id), address=input.address,
            lives_alone=input.lives_alone, note=input.note,
        )  # fmt: skip
        return await _submit(info, entry)

    @mutation
    async def update_resident(
        self, info: Info, id: relay.GlobalID, expected_version: int, input: ResidentUpdate
    ) -> EntryResult:
        """A known resident's new phone, house or living situation."""
        entry = model.Entry(
            model.EntryKind.UPDATE, person_id=_person(id), expected_version=expected_version,
            phone=input.phone, house_id=_house(input.house_id), address=input.address,
            lives_alone=input.lives_alone, note=input.note,
        )  # fmt: skip
        return await _submit(info, entry)

    @mutation
    async def report_move(
        self,
        info: Info,
        id: relay.GlobalID,
        expected_version: int,
        house_id: relay.GlobalID | None = None,
        address: str | None = None,
        out_of_county: bool = False,
        moved_on: dt.date | None = None,
        note: str | None = None,
    ) -> EntryResult:
        """The resident moved: to another house (picked, or an address), or out of the county."""
        entry = model.Entry(
            model.EntryKind.MOVED, person_id=_person(id), expected_version=expected_version,
            house_id=_house(house_id), address=address, moved_out_of_county=out_of_county,
            event_date=moved_on, note=note,
        )  # fmt: skip
        return await _submit(info, entry)

    @mutation
    async def confirm_move_request(
        self, info: Info, request_id: int, note: str | None = None
    ) -> MoveDecision:
        """Apply an entry held because it matched a resident of your grid (a steward: of any
        grid): it is resolved as its author's entry, and the resident's record shows it."""
        return await _decide(info, request_id, note, confirm=True)

    @mutation
    async def reject_move_request(self, info: Info, request_id: int, reason: str) -> MoveDecision:
        """Close a held entry about a resident of your grid unapplied, saying why."""
        return await _decide(info, request_id, reason, confirm=False)

    @mutation
    async def report_death(
        self,
        info: Info,
        id: relay.GlobalID,
        expected_version: int,
        died_on: dt.date | None = None,
        note: str | None = None,
    ) -> EntryResult:
        """The resident died: the golden record ends (until public security says otherwise)."""
        entry = model.Entry(
            model.EntryKind.DIED, person_id=_person(id), expected_version=expected_version,
            event_date=died_on, note=note,
        )  # fmt: skip
        return await _submit(info, entry)


def _person(id: relay.GlobalID) -> str:
    if id.type_name != "Person":
        raise BadUserInput("id must be the id of a Person.")
    return id.node_id


def _house(id: relay.GlobalID | None) -> str | None:
    if id is None:
        return None
    if id.type_name != "House":
        raise BadUserInput("houseId must be the id of a House.")
    return id.node_id


async def _submit(info: Info, entry: model.Entry) -> EntryResult:
    context = info.context
    author = author_of(info)

    coordinate = f"Mutation.{info.field_name}"

    def work(session: Session) -> tuple[model.Outcome, PersonRow | None]:
        with session.begin_nested():
            outcome = submit(session, entry, author)
        person = (
            session.get(PersonRow, outcome.person_id)
            if isinstance(outcome, model.Accepted)
            else None
        )
        # The write's audit entry names the person written (Context.write appends it), and
        # the resident an entry held for confirmation matched (never named in the answer).
        if person is not None:
            context.reads.record(coordinate, person.id, allowed=True)
        elif isinstance(outcome, model.Pending):
            context.reads.record(coordinate, outcome.person_id, allowed=True)
        elif entry.person_id is not None:
            context.reads.record(coordinate, entry.person_id, allowed=True)
        return outcome, person

    outcome, row = await context.write(work)
    if isinstance(outcome, model.Accepted):
        assert row is not None
        return EntryAccepted(entry_id=outcome.record_id, person=Person.from_row(row))
    if isinstance(outcome, model.Pending):  # the same answer whatever matched, and whom
        return EntryPending(request_id=outcome.request_id, message=PENDING)
    if isinstance(outcome, model.Invalid):
        return EntryInvalid(errors=[
            EntryFieldError(field=_camel(e.field), code=e.code, message=e.message)
            for e in outcome.errors
        ])  # fmt: skip
    if isinstance(outcome, model.Stale):
        return StaleVersion(
            expected_version=outcome.expected_version, current_version=outcome.current_version,
            message=f"the resident is at version {outcome.current_version}, you edited "
            f"version {outcome.expected_version}: read them again",
        )  # fmt: skip
    if isinstance(outcome, model.OutOfScope):
        return EntryOutOfScope(message=outcome.message)
    return EntryPersonNotFound(message="No published person has this id.")


PENDING = (
    "The hub knows this resident in another grid: the entry waits until a grid "
    "worker of that grid or a steward confirms it."
)
#: Why a confirmation could not apply the entry, by its outcome (the request stays pending).
_NOT_APPLIED = {
    model.Stale: "The resident changed since the entry was made: reject it, and ask its "
                 "author to enter it again.",
    model.Invalid: "The entry is no longer valid as typed: reject it.",
    model.NotFound: "The resident is no longer published: reject the request.",
    model.OutOfScope: "The entry would now place the resident outside its author's grid: "
                      "reject it.",
    model.Pending: "The entry now also matches another resident outside its author's grid: "
                   "a steward must look at it.",
}  # fmt: skip


async def _decide(info: Info, request_id: int, note: str | None, *, confirm: bool) -> Any:
    """Confirm or reject one request, in a savepoint: an entry that cannot be applied any
    more leaves everything as it was."""
    context = info.context
    coordinate = f"Mutation.{info.field_name}"
    decider = author_of(info)

    def work(session: Session) -> tuple[MoveRow, House | None, str | None] | str:
        decision = session.begin_nested()
        try:
            request, person = moves.pending(session, request_id, decider)
            check_write(info, person.grid_code)
            context.reads.record(coordinate, person.id, allowed=True)
            entry_id = None
            if confirm:
                outcome = moves.confirm(session, request, decider, note)
                if not isinstance(outcome, model.Accepted):
                    decision.rollback()
                    return _NOT_APPLIED[type(outcome)]
                entry_id = outcome.record_id
            else:
                moves.reject(session, request, decider, note or "")
        except moves.MoveRequestError as refused:
            decision.rollback()
            return str(refused)
        except BaseException:
            decision.rollback()
            raise
        decision.commit()
        house = session.get(House, request.house_id) if request.house_id else None
        return request, house, entry_id

    done = await context.write(work)
    if isinstance(done, str):
        return MoveRequestRefused(message=done)
    request, house, entry_id = done
    shown = MoveRequestType.from_row(request, house)
    return shown if entry_id is None else MoveConfirmed(request=shown, entry_id=entry_id)


def _camel(name: str) -> str:
    """``resident_id`` as the input names it: ``residentId``."""
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)
