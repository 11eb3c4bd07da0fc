"""Submitting an entry: checked, stored as a source record, resolved, published, in the
caller's transaction (the request's), so the worker's answer already shows the golden record.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

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
    Stale,
)
from hub.ingest.fields import MappedRecord
from hub.normalise import CHINA_TZ
from hub.resolution.ids import resolve_redirect
from hub.resolution.run import resolve
from hub.sources import catalog
from hub.storage.models import (
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
    resident changed since.
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
    record_id = _store(session, raw, record, moment)
    resolve(session, actor=author.name)
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
    return Accepted(record_id, person.id, person.version)


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
