"""What a grid worker enters, and what becomes of it."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass


class EntryKind(enum.StrEnum):
    REGISTER = "register"  # a resident the worker met: name, ID, contact, house
    UPDATE = "update"  # a known resident's phone, house or living situation
    MOVED = "moved"  # moved to another house, or out of the county
    DIED = "died"


@dataclass(frozen=True, slots=True)
class Entry:
    """One grid worker's entry, as the form sends it (values as typed)."""

    kind: EntryKind
    person_id: str | None = None  # the resident edited (all kinds but REGISTER)
    expected_version: int | None = None  # the version the worker saw (all kinds but REGISTER)
    name: str | None = None
    resident_id: str | None = None
    sex: str | None = None
    birth_date: str | None = None
    phone: str | None = None
    house_id: str | None = None  # a house picked from the hub (``H`` + address code)
    address: str | None = None  # or the address as typed, placed like a department's
    lives_alone: bool | None = None
    moved_out_of_county: bool = False
    event_date: dt.date | None = None  # when the move or death happened
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Author:
    """Who makes the entry: the token holder, their role and grid scope."""

    name: str
    role: str
    grid_scope: str | None = None  # a grid code prefix; None: the whole county
    #: A resident outside the scope whom the entry may touch: the one a move request was
    #: confirmed for (by their grid's worker or a steward).
    confirmed: str | None = None

    def covers(self, grid_code: str | None) -> bool:
        return self.grid_scope is None or (
            grid_code is not None and grid_code.startswith(self.grid_scope)
        )


@dataclass(frozen=True, slots=True)
class FieldError:
    """Why one field of an entry cannot be accepted as typed."""

    field: str  # the entry's field name, e.g. ``residentId``
    code: str  # machine-readable, e.g. ``invalid_id_checksum``, ``required``
    message: str


@dataclass(frozen=True, slots=True)
class Accepted:
    """The entry is a source record now, and the golden record says so."""

    record_id: str
    person_id: str
    version: int


@dataclass(frozen=True, slots=True)
class Invalid:
    errors: tuple[FieldError, ...]


@dataclass(frozen=True, slots=True)
class Stale:
    """The resident changed since the worker looked: the entry is refused, not merged."""

    person_id: str
    expected_version: int
    current_version: int


@dataclass(frozen=True, slots=True)
class NotFound:
    person_id: str


@dataclass(frozen=True, slots=True)
class OutOfScope:
    """The resident or house lies outside the author's grid."""

    message: str


@dataclass(frozen=True, slots=True)
class Pending:
    """The entry would link to, move or change a resident outside the author's grid: it is
    held as a move request until that resident's grid (or a steward) confirms it. Nothing
    about the resident is said: not who, not where."""

    request_id: int
    person_id: str  # for the audit trail only: never in the author's answer


Outcome = Accepted | Invalid | Stale | NotFound | OutOfScope | Pending
