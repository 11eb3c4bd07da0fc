"""The audit trail: who read which residents' data, when, why, and whether it was allowed.

One entry per request that touched personal data, written in the request's transaction
before the response leaves (:func:`append`); when it cannot be written, the request fails and
returns nothing. One entry per request rather than per person: a page of 100 residents costs
one insert into the chain, and ``audit_person`` indexes the entry by person so
``auditTrail(personId)`` stays an index lookup.

Entries are append-only (the database refuses UPDATE and DELETE) and hash-chained::

    entry_hash = sha256(prev_hash + canonical JSON of the entry)

in id order, from :data:`GENESIS`. Appends lock the single ``audit_head`` row first, so
concurrent requests chain one after another on PostgreSQL and SQLite alike; the head also
records the chain's length and last hash, so deleting the newest entries shows too.
:func:`verify` walks the chain and names the first entry that breaks it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Select, bindparam, insert, select, update
from sqlalchemy.orm import Session

from hub.storage.models import AuditEntry, AuditHead, AuditPerson

GENESIS = "0" * 64
HEAD_ID = 1
_CHUNK = 1000
_INDEX_INSERT = insert(AuditPerson)  # run on the connection: Core, not the ORM


class AuditError(RuntimeError):
    """The audit entry could not be written (the read it records must fail)."""


@dataclass(slots=True)
class ReadLog:
    """What one request touched of personal data, collected while it executes.

    ``fields`` maps a field (``"Person.phone"``) to whether every read of it was allowed;
    ``persons`` holds the ids of the persons whose gated fields were read or refused.
    """

    fields: dict[str, bool] = field(default_factory=dict)
    persons: set[str] = field(default_factory=set)

    def requested(self, coordinate: str) -> None:
        """The operation selects ``coordinate`` (before anything executes)."""
        self.fields.setdefault(coordinate, True)

    def record(self, coordinate: str, person_id: str | None, allowed: bool) -> None:
        """One read of ``coordinate`` (of ``person_id``), allowed or refused."""
        if allowed:
            self.fields.setdefault(coordinate, True)
        else:
            self.fields[coordinate] = False
        if person_id is not None:
            self.persons.add(person_id)

    @property
    def empty(self) -> bool:
        return not self.fields and not self.persons


@dataclass(frozen=True, slots=True)
class Entry:
    """One audit entry as it is hashed."""

    at: dt.datetime
    actor: str
    role: str
    purpose: str | None
    operation: str | None
    person_ids: tuple[str, ...]
    fields: tuple[tuple[str, bool], ...]
    allowed: bool

    @classmethod
    def of(
        cls,
        log: ReadLog,
        *,
        actor: str,
        role: str,
        purpose: str | None,
        operation: str | None,
        refused: bool,
        at: dt.datetime | None = None,
    ) -> Entry:
        """The entry for ``log``; ``refused`` when the request was refused in part or whole."""
        return cls(
            at=at or dt.datetime.now(dt.UTC),
            actor=actor,
            role=role,
            purpose=purpose,
            operation=None if operation is None else operation[:128],
            person_ids=tuple(sorted(log.persons)),
            fields=tuple(sorted(log.fields.items())),
            allowed=not refused and all(log.fields.values()),
        )

    @classmethod
    def from_row(cls, row: Any) -> Entry:
        """The entry a stored row holds (to hash it again)."""
        return cls(
            at=row.at,
            actor=row.actor,
            role=row.role,
            purpose=row.purpose,
            operation=row.operation,
            person_ids=tuple(row.person_ids),
            fields=tuple((f["field"], bool(f["allowed"])) for f in row.fields),
            allowed=bool(row.allowed),
        )

    def fields_json(self) -> list[dict[str, Any]]:
        return [{"field": name, "allowed": allowed} for name, allowed in self.fields]

    def canonical(self) -> bytes:
        """The bytes the hash covers: sorted keys, no spaces, UTC microseconds."""
        document = {
            "at": _utc(self.at).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "actor": self.actor,
            "role": self.role,
            "purpose": self.purpose,
            "operation": self.operation,
            "person_ids": list(self.person_ids),
            "fields": self.fields_json(),
            "allowed": self.allowed,
        }
        return json.dumps(
            document, sort_keys=True, ensure_ascii=False, separators=(",", ":")
        ).encode()

    def chained_to(self, prev_hash: str) -> str:
        """This entry's hash after ``prev_hash``."""
        return _chain(prev_hash, self.canonical())


def append(session: Session, entry: Entry) -> int:
    """Write ``entry`` at the end of the chain in the caller's transaction; its id.

    Locks the head row first (PostgreSQL: a row lock; SQLite: the write lock), so no other
    append, in this process or another, reads the same head until this transaction ends.
    The caller commits at once: with no await between the lock and the commit, the lock is
    held for four short statements (Core, compiled once: no ORM unit of work).
    """
    document = entry.canonical()  # before the lock: only the hash needs the head
    connection = session.connection()
    head = connection.execute(_LOCK_HEAD).scalar_one_or_none()
    if head is None:
        raise AuditError("the audit chain has no head row: run `hub db upgrade`")
    entry_hash = _chain(head, document)
    entry_id: int = connection.execute(
        _INSERT_ENTRY,
        {
            "at": _utc(entry.at),
            "actor": entry.actor,
            "role": entry.role,
            "purpose": entry.purpose,
            "operation": entry.operation,
            "person_ids": list(entry.person_ids),
            "fields": entry.fields_json(),
            "allowed": entry.allowed,
            "prev_hash": head,
            "entry_hash": entry_hash,
        },
    ).scalar_one()
    if entry.person_ids:  # executemany: one statement
        connection.execute(
            _INDEX_INSERT, [{"entry_id": entry_id, "person_id": p} for p in entry.person_ids]
        )
    connection.execute(_MOVE_HEAD, {"new_id": entry_id, "new_hash": entry_hash})
    return entry_id


# Mapped classes, executed on the connection: compiled as Core, without the ORM's bulk DML.
_LOCK_HEAD = (
    update(AuditHead)
    .where(AuditHead.id == HEAD_ID)
    .values(length=AuditHead.length + 1)
    .returning(AuditHead.entry_hash)
)
_INSERT_ENTRY = insert(AuditEntry).returning(AuditEntry.id)
_MOVE_HEAD = (
    update(AuditHead)
    .where(AuditHead.id == HEAD_ID)
    .values(entry_id=bindparam("new_id"), entry_hash=bindparam("new_hash"))
)


def _chain(prev_hash: str, document: bytes) -> str:
    return hashlib.sha256(prev_hash.encode("ascii") + document).hexdigest()


@dataclass(frozen=True, slots=True)
class Verification:
    """The outcome of :func:`verify`: how far the chain holds, and where it breaks."""

    entries: int
    head_hash: str
    broken_at: int | None = None  # the id of the first entry that breaks the chain
    reason: str | None = None

    @property
    def ok(self) -> bool:
        return self.reason is None


def verify(session: Session) -> Verification:
    """Walk the chain in id order: every entry must follow the one before it, hash to what
    it says, be indexed under exactly its persons, and the last one must be the head."""
    prev, count, after = GENESIS, 0, 0
    while True:
        rows = session.execute(
            select(AuditEntry).where(AuditEntry.id > after).order_by(AuditEntry.id).limit(_CHUNK)
        ).scalars()
        chunk = list(rows)
        if not chunk:
            break
        indexed = _indexed(session, chunk[0].id, chunk[-1].id)
        for row in chunk:
            if row.prev_hash != prev:
                return Verification(count, prev, row.id, _FOLLOWS)
            if Entry.from_row(row).chained_to(prev) != row.entry_hash:
                return Verification(count, prev, row.id, "its content changed after it was written")
            if indexed.pop(row.id, set()) != set(row.person_ids):
                return Verification(count, prev, row.id, "its person index was changed")
            prev, count = row.entry_hash, count + 1
        if indexed:
            orphan = min(indexed)
            return Verification(count, prev, orphan, "the person index names a missing entry")
        after = chunk[-1].id
    head = session.get(AuditHead, HEAD_ID)
    if head is None:
        return Verification(count, prev, None, "the chain's head row is missing")
    if head.length != count or head.entry_hash != prev:
        return Verification(
            count, prev, head.entry_id, f"the head names entry {head.entry_id} of {head.length}:"
            f" the newest entries after {count} were deleted or the head was changed",
        )  # fmt: skip
    return Verification(count, prev)


_FOLLOWS = "it does not follow the entry before it (an entry was deleted, inserted or moved)"


def _indexed(session: Session, first: int, last: int) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    rows = session.execute(
        select(AuditPerson.entry_id, AuditPerson.person_id).where(
            AuditPerson.entry_id >= first, AuditPerson.entry_id <= last
        )
    )
    for entry_id, person_id in rows:
        found.setdefault(entry_id, set()).add(person_id)
    return found


def trail(person_ids: Iterable[str]) -> Select[AuditEntry]:
    """The entries that name any of ``person_ids`` (a person and the ids merged into it)."""
    named = select(AuditPerson.entry_id).where(AuditPerson.person_id.in_(list(person_ids)))
    return select(AuditEntry).where(AuditEntry.id.in_(named))


def _utc(at: dt.datetime) -> dt.datetime:
    """SQLite hands stored times back without a zone: they were written in UTC."""
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)
