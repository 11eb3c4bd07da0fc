"""The grid worker's mutations: each a thin call of :func:`hub.entries.service.submit`.

Runs in a writer's transaction of its own, inside a savepoint: an unexpected failure leaves
nothing behind, an expected one is data. The write's audit entry, naming the person, is
committed with it (:meth:`schema.context.Context.write`).
"""

from __future__ import annotations

import datetime as dt
import re

import strawberry
from sqlalchemy.orm import Session
from strawberry import relay

from hub.entries import model
from hub.entries.service import submit
from hub.storage.models import Person as PersonRow
from schema.context import Info
from schema.entries.types import (
    EntryAccepted,
    EntryFieldError,
    EntryInvalid,
    EntryOutOfScope,
    EntryPersonNotFound,
    EntryResult,
    ResidentRegistration,
    ResidentUpdate,
    StaleVersion,
)
from schema.errors import BadUserInput
from schema.fields import mutation
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
    viewer = context.viewer
    author = model.Author(viewer.actor or viewer.role, viewer.role, viewer.grid_scope)

    coordinate = f"Mutation.{info.field_name}"

    def work(session: Session) -> tuple[model.Outcome, PersonRow | None]:
        with session.begin_nested():
            outcome = submit(session, entry, author)
        person = (
            session.get(PersonRow, outcome.person_id)
            if isinstance(outcome, model.Accepted)
            else None
        )
        # The write's audit entry names the person written (Context.write appends it).
        if person is not None:
            context.reads.record(coordinate, person.id, allowed=True)
        elif entry.person_id is not None:
            context.reads.record(coordinate, entry.person_id, allowed=True)
        return outcome, person

    outcome, row = await context.write(work)
    if isinstance(outcome, model.Accepted):
        assert row is not None
        return EntryAccepted(entry_id=outcome.record_id, person=Person.from_row(row))
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


def _camel(name: str) -> str:
    """``resident_id`` as the input names it: ``residentId``."""
    return re.sub(r"_([a-z])", lambda m: m.group(1).upper(), name)
