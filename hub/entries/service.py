"""Submitting an entry: checked, stored as a source record, resolved, published, in the
caller's transaction (the request's), so the worker's answer already shows the golden record.

A grid worker writes in their grid only, and resolution decides whom an entry is about: a
registration may match a resident the departments know elsewhere (by resident ID, by name,
sex and birth date, by name and phone). So an entry of a grid-scoped author is resolved in a
savepoint first, and if that touched any resident who lived outside the author's grid before
it (linked the entry to them, moved them, changed their phone, merged them), the savepoint is
rolled back and the entry is held as a move request (:mod:`hub.entries.moves`) for that
resident's grid or a steward to confirm: the author is told only that (:class:`Pending`).
An update's typed address that lands outside the author's grid is refused (a move is
reported with ``reportMove``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hub.entries import moves
from hub.entries.fields import check_shape, errors_of, map_entry, raw_row
from hub.entries.model import (
    Accepted,
    Author,
    Entry,
    EntryKind,
    FieldError,
    Invalid,
    NotFound,
    Outcome,
    OutOfScope,
    Pending,
    Stale,
)
from hub.ingest.fields import MappedRecord
from hub.normalise import CHINA_TZ
from hub.resolution.changes import ChangeKind
from hub.resolution.ids import resolve_redirect
from hub.resolution.run import resolve
from hub.sources import catalog
from hub.storage.models import (
    ChangeEvent,
    Delivery,
    DeliveryStatus,
    EntityKind,
    EntityRedirect,
    EntityStatus,
    FieldIssue,
    House,
    Person,
    RecordLink,
    SourceRecord,
)


def submit(session: Session, entry: Entry, author: Author, *, now: dt.datetime | None = None
           ) -> Outcome:  # fmt: skip
    """Check ``entry`` by ``author``; if it stands, store it and resolve (caller commits).

    A grid worker edits only residents of their grid and registers only into houses of it;
    an edit names the version the worker saw and is refused (:class:`Stale`) when the
    resident changed since. An entry that would touch a resident outside the worker's grid
    is held as a move request (:class:`Pending`, the module's docstring).
    """
    moment = (now or dt.datetime.now(dt.UTC)).astimezone(CHINA_TZ)
    errors = check_shape(entry)
    if errors:
        return Invalid(tuple(errors))
    if entry.kind is not EntryKind.REGISTER:
        assert entry.person_id is not None and entry.expected_version is not None
        refused = _check_person(session, entry.person_id, entry.expected_version, author)
        if refused is not None:
            return refused
    house = None
    if entry.house_id:
        house = session.get(House, entry.house_id)
        if house is None or house.status is not EntityStatus.ACTIVE:
            return Invalid((FieldError("house_id", "unknown", "no such house"),))
        if entry.kind is not EntryKind.MOVED and not author.covers(house.grid_code):
            return OutOfScope("that house lies outside your grid")
    elif entry.kind is EntryKind.REGISTER and author.grid_scope is not None:
        return Invalid(
            (
                FieldError(
                    "house_id", "required", "pick the house in your grid the resident lives in"
                ),
            )
        )
    raw = raw_row(entry, author.name, moment)
    record = map_entry(raw, moment.date(), house.address_code if house is not None else None)
    errors = errors_of(record)
    if errors:
        return Invalid(tuple(errors))
    before = session.scalar(select(func.max(ChangeEvent.seq))) or 0
    trial = session.begin_nested()
    try:
        record_id = _store(session, raw, record, moment)
        resolve(session, actor=author.name)
        person = _linked(session, record_id)
        outside = _outside_touched(session, before, person, author)
        left = entry.kind is EntryKind.UPDATE and not author.covers(person.grid_code)
    except BaseException:
        trial.rollback()
        raise
    if outside is None and not left:
        trial.commit()
        return Accepted(record_id, person.id, person.version)
    trial.rollback()
    if left:
        return OutOfScope("that address lies outside your grid: report a move instead")
    assert outside is not None
    held = moves.hold(session, raw, entry.kind, outside, house, author, moment)
    return Pending(held.id, outside[0])


def _linked(session: Session, record_id: str) -> Person:
    person_id = session.scalar(
        select(RecordLink.entity_id).where(
            RecordLink.kind == EntityKind.PERSON,
            RecordLink.dataset == catalog.ENTRIES_KEY,
            RecordLink.record_id == record_id,
        )
    )
    person = session.get(Person, person_id) if person_id is not None else None
    if person is None:  # resolution links every current record: a bug, not bad input
        raise LookupError(f"entry {record_id} was not linked to a person")
    return person


def _outside_touched(
    session: Session, before: int, linked: Person, author: Author
) -> tuple[str, str | None] | None:
    """The first resident, with their grid before the entry, whom resolving the entry touched
    (linked it to, changed, moved, merged) and who lived outside the author's grid then;
    None when there is none (or the author sees the whole county)."""
    if author.grid_scope is None:
        return None
    created: set[str] = set()
    grids: dict[str, str | None] = {}
    events = session.execute(
        select(ChangeEvent.entity_id, ChangeEvent.kind, ChangeEvent.changes,
               ChangeEvent.grid_code)
        .where(ChangeEvent.seq > before, ChangeEvent.entity_kind == EntityKind.PERSON)
        .order_by(ChangeEvent.seq)
    )  # fmt: skip
    for person_id, kind, changes, grid in events:
        if kind == ChangeKind.CREATED:
            created.add(person_id)
            continue
        moved = (changes or {}).get("grid_code")
        grids.setdefault(person_id, moved.get("old") if isinstance(moved, dict) else grid)
    if linked.id not in created:
        grids.setdefault(linked.id, linked.grid_code)  # linked without a change to show
    for person_id, grid in sorted(grids.items()):
        if person_id in created or person_id == author.confirmed:
            continue
        if not author.covers(grid):
            return person_id, grid
    return None


def _check_person(
    session: Session, person_id: str, expected: int, author: Author
) -> Outcome | None:
    redirects = dict(session.execute(select(EntityRedirect.old_id, EntityRedirect.new_id)).all())
    person = session.get(Person, resolve_redirect(person_id, redirects))
    if person is None or person.status is EntityStatus.MERGED:
        return NotFound(person_id)
    if not author.covers(person.grid_code):
        return OutOfScope("that resident lives outside your grid")
    if person.id != person_id or person.version != expected:
        return Stale(person_id, expected, person.version)
    if person.status is EntityStatus.ENDED:
        return Invalid((FieldError("person_id", "ended",
                                   "this resident died or left the county"),))  # fmt: skip
    return None


def _store(session: Session, raw: dict[str, object], record: MappedRecord,
           moment: dt.datetime) -> str:  # fmt: skip
    """The entry as a delivery of one row and the first version of a record of its own."""
    text = json.dumps(raw, ensure_ascii=False, sort_keys=True)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    delivery = Delivery(
        source=catalog.ENTRIES_SOURCE, dataset=catalog.ENTRIES_KEY, file_name="",
        path=f"entry by {raw['author']}", sha256=digest, size_bytes=len(text.encode("utf-8")),
        snapshot_date=moment.date(), encoding="utf-8", status=DeliveryStatus.LOADED,
        rows_read=1, rows_loaded=1, records_new=1,
    )  # fmt: skip
    session.add(delivery)
    session.flush()
    record_id = f"GE{moment:%Y%m%d%H%M%S}{delivery.id % 1_000_000:06d}"
    delivery.file_name = record_id
    keys = record.keys
    session.add(
        SourceRecord(
            source=catalog.ENTRIES_SOURCE, dataset=catalog.ENTRIES_KEY, record_id=record_id,
            delivery_id=delivery.id, line=1, valid_from=moment.date(), content_hash=digest,
            raw=raw, fields=record.fields, name=keys.name, name_pinyin=keys.name_pinyin,
            resident_id=keys.resident_id, birth_date=keys.birth_date, sex=keys.sex,
            phone=keys.phone, address_code=keys.address_code, address_key=keys.address_key,
            household_no=keys.household_no,
        )
    )  # fmt: skip
    session.add_all(
        FieldIssue(delivery_id=delivery.id, dataset=catalog.ENTRIES_KEY, record_id=record_id,
                   line=1, field=issue.field, code=issue.code.value,
                   message=f"entry {record_id}: {issue.message}", value=issue.value)
        for issue in record.issues
    )  # fmt: skip
    session.flush()
    return record_id
