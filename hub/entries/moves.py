"""Move requests: entries held because they would touch a resident outside their author's
grid (:mod:`hub.entries.service`), and the confirmation or rejection of each.

A request keeps the entry as typed, the resident it matched and their grid then, and who
asked. It is decided by a grid worker whose grid covers the resident *now*, or a steward:

- **confirm**: the entry is submitted again as its author's, now allowed to touch that one
  resident; it is resolved like any entry (a record of its own, provenance naming the
  author, the change feed) and the request is closed with the entry's record id. If the
  entry cannot be applied any more (the resident changed since an update was typed, it now
  also matches another resident outside the author's grid, a value is refused) the request
  stays pending and the decider is told why.
- **reject**: the request is closed with the reason; nothing is applied.

What a confirmed move changes: the resident's golden house and grid (where they live) and
the values the entry carried (phone, living alone), as a grid worker's entry does. It does
not change their household registration (household number, relation, registration type),
which only public security's deliveries set. Public security's records stay the authority:
a later delivery in which public security registers the resident at another address wins
over the confirmed entry (``house_id`` is "most recent of public security and grid
entries", ``hub/resolution/rules/survivorship.yaml``); an unchanged record does not.
"""

from __future__ import annotations

import datetime as dt
import enum

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from hub.entries.model import Accepted, Author, Entry, EntryKind, Outcome
from hub.storage.models import EntityStatus, House, MoveRequest, Person
from hub.types import RawRow


class RequestStatus(enum.StrEnum):
    PENDING = "pending"
    CONFIRMED = "confirmed"
    REJECTED = "rejected"


class MoveRequestError(ValueError):
    """The request cannot be decided as asked; the message says why (and names no one)."""


def hold(
    session: Session,
    raw: RawRow,
    kind: EntryKind,
    outside: tuple[str, str | None],
    house: House | None,
    author: Author,
    moment: dt.datetime,
) -> MoveRequest:
    """Store the entry as a pending request about the resident ``outside`` (id, grid)."""
    person_id, grid = outside
    request = MoveRequest(
        status=RequestStatus.PENDING.value, person_id=person_id, person_grid=grid,
        kind=kind.value, entry=dict(raw), house_id=house.id if house is not None else None,
        requested_by=author.name, requester_role=author.role,
        requester_grid=author.grid_scope, created_at=moment,
    )  # fmt: skip
    session.add(request)
    session.flush()
    return request


def decidable(decider: Author) -> Select[MoveRequest]:
    """Pending requests about residents who live, now, where ``decider`` may decide."""
    stmt = (
        select(MoveRequest)
        .join(Person, Person.id == MoveRequest.person_id)
        .where(MoveRequest.status == RequestStatus.PENDING.value)
    )
    if decider.grid_scope is not None:
        stmt = stmt.where(Person.grid_code.startswith(decider.grid_scope, autoescape=True))
    return stmt


def pending(session: Session, request_id: int, decider: Author) -> tuple[MoveRequest, Person]:
    """The pending request ``request_id`` and its resident, if ``decider`` may decide it;
    else :class:`MoveRequestError` (the same for a request that does not exist, is decided
    or is about a resident of another grid: a decider learns nothing of others' requests)."""
    found = session.execute(
        select(MoveRequest, Person)
        .join(Person, Person.id == MoveRequest.person_id)
        .where(MoveRequest.id == request_id)
        .with_for_update(of=MoveRequest)
    ).one_or_none()
    if found is None:
        raise MoveRequestError("No pending move request of yours to decide has this id.")
    request, person = found
    if request.status != RequestStatus.PENDING.value or not decider.covers(person.grid_code):
        raise MoveRequestError("No pending move request of yours to decide has this id.")
    if person.status is EntityStatus.MERGED:
        raise MoveRequestError("The resident was merged into another since: reject the request.")
    return request, person


def confirm(
    session: Session, request: MoveRequest, decider: Author, note: str | None,
    *, now: dt.datetime | None = None,
) -> Outcome:  # fmt: skip
    """Apply the held entry as its author's, allowed to touch the request's resident; close
    the request when it was accepted (caller commits). The outcome of the entry."""
    from hub.entries.service import submit  # the service holds requests: imported late

    moment = now or dt.datetime.now(dt.UTC)
    author = Author(request.requested_by, request.requester_role, request.requester_grid,
                    confirmed=request.person_id)  # fmt: skip
    outcome = submit(session, entry_of(request.entry), author, now=moment)
    if isinstance(outcome, Accepted):
        _close(request, RequestStatus.CONFIRMED, decider, note, moment)
        request.record_id = outcome.record_id
    return outcome


def reject(
    session: Session, request: MoveRequest, decider: Author, reason: str,
    *, now: dt.datetime | None = None,
) -> MoveRequest:  # fmt: skip
    """Close the request unapplied, with the reason (caller commits)."""
    if not reason.strip():
        raise MoveRequestError("Say why the request is rejected.")
    _close(request, RequestStatus.REJECTED, decider, reason, now or dt.datetime.now(dt.UTC))
    session.flush()
    return request


def _close(request: MoveRequest, status: RequestStatus, decider: Author, note: str | None,
           moment: dt.datetime) -> None:  # fmt: skip
    request.status = status.value
    request.decided_at = moment
    request.decided_by = decider.name
    request.decided_role = decider.role
    request.note = note


def entry_of(raw: RawRow) -> Entry:
    """The entry a request holds, as its author typed it."""
    happened = raw.get("event_date")
    return Entry(
        EntryKind(str(raw["kind"])),
        person_id=_text(raw.get("person_id")),
        expected_version=_number(raw.get("expected_version")),
        name=_text(raw.get("name")), resident_id=_text(raw.get("resident_id")),
        sex=_text(raw.get("sex")), birth_date=_text(raw.get("birth_date")),
        phone=_text(raw.get("phone")), house_id=_text(raw.get("house_id")),
        address=_text(raw.get("address")),
        lives_alone=raw.get("lives_alone") if isinstance(raw.get("lives_alone"), bool) else None,
        moved_out_of_county=bool(raw.get("moved_out_of_county")),
        event_date=dt.date.fromisoformat(happened) if isinstance(happened, str) else None,
        note=_text(raw.get("note")),
    )  # fmt: skip


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None


def _number(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
