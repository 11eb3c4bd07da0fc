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

A hash chain alone can be recomputed by anyone who can write the tables. So it is keyed, with
a key the database does not hold (``HUB_AUDIT_KEY`` or a key file, :mod:`hub.config`):

- each entry carries ``entry_mac = HMAC-SHA256(key, entry_hash)``, and the head
  ``head_mac = HMAC(key, "head:<length>:<entry_hash>")``. Since an entry's hash covers every
  entry before it, one valid MAC vouches for the whole chain up to it; a chain rewritten or
  recomputed without the key fails at the first entry after the change.
- the head is written out of the database (:func:`anchor`): a line in the anchor file (and
  the server's log) every minute the chain moved, after every publication, and on
  ``hub audit anchor``. A chain cut short and its head rewound fails against any anchor
  written after the cut: the anchored entry is missing or has another hash.

What someone with write access to the database, without the key, can still do: delete the
entries written since the last anchor (at most a minute of them, or since the last
publication) together with the head, refuse or break new appends (the API then answers 503),
and read the trail. What they cannot do unseen: change, insert, reorder or delete an entry
before the last anchor, or recompute the chain.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Select, bindparam, insert, select, update
from sqlalchemy.orm import Session

from hub.storage.models import AuditEntry, AuditHead, AuditPerson

GENESIS = "0" * 64
HEAD_ID = 1
_CHUNK = 1000
_INDEX_INSERT = insert(AuditPerson)  # run on the connection: Core, not the ORM

logger = logging.getLogger(__name__)


def entry_mac(key: bytes, entry_hash: str) -> str:
    """The MAC an entry carries: HMAC-SHA256 of its hash under the audit key (hex)."""
    return hmac.new(key, entry_hash.encode("ascii"), hashlib.sha256).hexdigest()


def head_mac(key: bytes, length: int, entry_hash: str) -> str:
    """The MAC of the head: of the chain's length and last hash."""
    return hmac.new(key, f"head:{length}:{entry_hash}".encode("ascii"), hashlib.sha256).hexdigest()


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


def append(session: Session, entry: Entry, key: bytes | None = None) -> int:
    """Write ``entry`` at the end of the chain in the caller's transaction; its id. With
    ``key`` (the audit key), the entry and the head carry their MACs.

    Locks the head row first (PostgreSQL: a row lock; SQLite: the write lock), so no other
    append, in this process or another, reads the same head until this transaction ends.
    The caller commits at once: with no await between the lock and the commit, the lock is
    held for four short statements (Core, compiled once: no ORM unit of work).
    """
    document = entry.canonical()  # before the lock: only the hash needs the head
    connection = session.connection()
    locked = connection.execute(_LOCK_HEAD).one_or_none()
    if locked is None:
        raise AuditError("the audit chain has no head row: run `hub db upgrade`")
    head, length = locked
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
            "entry_mac": None if key is None else entry_mac(key, entry_hash),
        },
    ).scalar_one()
    if entry.person_ids:  # executemany: one statement
        connection.execute(
            _INDEX_INSERT, [{"entry_id": entry_id, "person_id": p} for p in entry.person_ids]
        )
    mac = None if key is None else head_mac(key, length, entry_hash)
    connection.execute(_MOVE_HEAD, {"new_id": entry_id, "new_hash": entry_hash, "new_mac": mac})
    return entry_id


# Mapped classes, executed on the connection: compiled as Core, without the ORM's bulk DML.
_LOCK_HEAD = (
    update(AuditHead)
    .where(AuditHead.id == HEAD_ID)
    .values(length=AuditHead.length + 1)
    .returning(AuditHead.entry_hash, AuditHead.length)
)
_INSERT_ENTRY = insert(AuditEntry).returning(AuditEntry.id)
_MOVE_HEAD = (
    update(AuditHead)
    .where(AuditHead.id == HEAD_ID)
    .values(
        entry_id=bindparam("new_id"),
        entry_hash=bindparam("new_hash"),
        head_mac=bindparam("new_mac"),
    )
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
    keyed: int = 0  # entries whose MAC was checked
    anchors: int = 0  # anchors the chain was checked against

    @property
    def ok(self) -> bool:
        return self.reason is None


@dataclass(frozen=True, slots=True)
class Anchor:
    """The head as it was written out of the database at one moment."""

    at: str
    length: int
    entry_id: int | None
    entry_hash: str
    mac: str | None = None

    def line(self) -> str:
        return json.dumps({"at": self.at, "length": self.length, "entry_id": self.entry_id,
                           "entry_hash": self.entry_hash, "mac": self.mac},
                          sort_keys=True)  # fmt: skip

    def signed(self, key: bytes | None) -> Anchor:
        if key is None:
            return self
        mac = hmac.new(key, self._document(), hashlib.sha256).hexdigest()
        return Anchor(self.at, self.length, self.entry_id, self.entry_hash, mac)

    def genuine(self, key: bytes | None) -> bool:
        """Whether the anchor's MAC holds (an anchor written without a key has none)."""
        if key is None or self.mac is None:
            return True
        expected = hmac.new(key, self._document(), hashlib.sha256).hexdigest()
        return hmac.compare_digest(expected, self.mac)

    def _document(self) -> bytes:
        return f"anchor:{self.at}:{self.length}:{self.entry_id}:{self.entry_hash}".encode()


def head_anchor(session: Session, key: bytes | None = None) -> Anchor:
    """The current head, as an anchor (signed with ``key`` when given)."""
    head = session.get(AuditHead, HEAD_ID)
    if head is None:
        raise AuditError("the audit chain has no head row: run `hub db upgrade`")
    at = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return Anchor(at, head.length, head.entry_id, head.entry_hash).signed(key)


def anchor(session: Session, path: Path, key: bytes | None = None) -> Anchor:
    """Write the current head out of the database: a line appended to ``path`` (created with
    its folder) and to the log; the anchor written."""
    found = head_anchor(session, key)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = (found.line() + "\n").encode()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
    try:  # one write of one short line: lines of several processes do not interleave
        os.write(fd, line)
    finally:
        os.close(fd)
    logger.info("audit head anchored: %s entries, entry %s, %s", found.length, found.entry_id,
                found.entry_hash)  # fmt: skip
    return found


def read_anchors(path: Path) -> list[Anchor]:
    """The anchors written to ``path`` (none if it does not exist); AuditError for a line
    that is not one."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            data = json.loads(line)
            found.append(Anchor(str(data["at"]), int(data["length"]), data.get("entry_id"),
                                str(data["entry_hash"]), data.get("mac")))  # fmt: skip
        except (ValueError, KeyError, TypeError):
            raise AuditError(f"{path}:{number}: not an anchor line") from None
    return found


def verify(
    session: Session, key: bytes | None = None, anchors: Iterable[Anchor] = ()
) -> Verification:
    """Walk the chain in id order: every entry must follow the one before it, hash to what
    it says, be indexed under exactly its persons, and the last one must be the head.

    With ``key``: from the first entry that carries a MAC, every entry must carry a valid
    one (an entry's hash covers all before it, so the first keyed entry vouches for an
    unkeyed start), and so must the head; a chain with entries and no MAC at all fails.
    Each of ``anchors`` must name an entry the chain still has, with the same hash.
    """
    anchors = list(anchors)
    wanted = _by_length(anchors, key)
    if isinstance(wanted, Verification):
        return wanted
    prev, count, after, keyed = GENESIS, 0, 0, 0
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
                return Verification(count, prev, row.id, _FOLLOWS, keyed)
            if Entry.from_row(row).chained_to(prev) != row.entry_hash:
                return Verification(count, prev, row.id, "its content changed after it was written",
                                    keyed)  # fmt: skip
            if indexed.pop(row.id, set()) != set(row.person_ids):
                return Verification(count, prev, row.id, "its person index was changed", keyed)
            if key is not None:
                if row.entry_mac is not None:
                    if not hmac.compare_digest(entry_mac(key, row.entry_hash), row.entry_mac):
                        return Verification(count, prev, row.id, _FORGED, keyed)
                    keyed += 1
                elif keyed:
                    return Verification(count, prev, row.id, _UNKEYED, keyed)
            prev, count = row.entry_hash, count + 1
            anchored = wanted.pop(count, None)
            if anchored is not None and anchored.entry_hash != prev:
                return Verification(count, prev, row.id, f"the anchor of {anchored.at} names "
                                    f"another hash for entry {count}: the chain was rewritten",
                                    keyed)  # fmt: skip
        if indexed:
            orphan = min(indexed)
            return Verification(count, prev, orphan, "the person index names a missing entry",
                                keyed)  # fmt: skip
        after = chunk[-1].id
    head = session.get(AuditHead, HEAD_ID)
    if head is None:
        return Verification(count, prev, None, "the chain's head row is missing", keyed)
    if head.length != count or head.entry_hash != prev:
        return Verification(
            count, prev, head.entry_id, f"the head names entry {head.entry_id} of {head.length}:"
            f" the newest entries after {count} were deleted or the head was changed", keyed,
        )  # fmt: skip
    if wanted:
        length, lost = min(wanted.items())
        return Verification(count, prev, None, f"the anchor of {lost.at} names entry {length} "
                            f"of the chain, which has {count}: entries were deleted and the "
                            "head rewound", keyed)  # fmt: skip
    if key is not None and count:
        if not keyed:
            return Verification(count, prev, None, "no entry carries a MAC although an audit "
                                "key is set: the chain was written without the key, or "
                                "rewritten", keyed)  # fmt: skip
        if head.head_mac is None or not hmac.compare_digest(
            head_mac(key, head.length, head.entry_hash), head.head_mac
        ):
            return Verification(count, prev, head.entry_id, "the head's MAC does not hold: "
                                "the head was rewritten", keyed)  # fmt: skip
    return Verification(count, prev, keyed=keyed, anchors=len(anchors))


def _by_length(anchors: Iterable[Anchor], key: bytes | None) -> dict[int, Anchor] | Verification:
    """Anchors by the chain length they name (the newest per length); a forged one fails."""
    found: dict[int, Anchor] = {}
    for one in anchors:
        if not one.genuine(key):
            return Verification(0, GENESIS, None, f"the anchor of {one.at} does not carry a "
                                "valid MAC: the anchor file was changed")  # fmt: skip
        if one.length:
            found[one.length] = one
    return found


_FORGED = "its MAC does not hold: it was written or recomputed without the audit key"
_UNKEYED = "it carries no MAC, unlike the entries before it: written without the audit key"
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
