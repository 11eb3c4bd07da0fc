"""An entry as a record: the same normalisers as a department's row, and what a form refuses.

A department's row with a bad value is loaded and flagged (the department will not retype
it); a grid worker at a form can, so every issue of an entry is an error returned to them,
field by field, and nothing is stored until the entry is clean.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hub.entries.model import Entry, EntryKind, FieldError
from hub.ingest.fields import MappedRecord, RecordBuilder
from hub.normalise.text import clean_text
from hub.sources.problems import FieldCode
from hub.types import RawRow

#: Issues that are information, not errors (the value is still used).
ACCEPTED_ISSUES = frozenset({FieldCode.LEGACY_ID_UPGRADED})
#: The fields an entry of each kind may carry (besides ``note``).
ALLOWED: dict[EntryKind, frozenset[str]] = {
    EntryKind.REGISTER: frozenset(
        {"name", "resident_id", "sex", "birth_date", "phone", "house_id", "address",
         "lives_alone"}
    ),
    EntryKind.UPDATE: frozenset({"phone", "house_id", "address", "lives_alone"}),
    EntryKind.MOVED: frozenset({"house_id", "address", "moved_out_of_county", "event_date"}),
    EntryKind.DIED: frozenset({"event_date"}),
}  # fmt: skip
_VALUE_FIELDS = ("name", "resident_id", "sex", "birth_date", "phone", "house_id", "address",
                 "lives_alone", "event_date")  # fmt: skip


def raw_row(entry: Entry, author: str, recorded_at: dt.datetime) -> RawRow:
    """The entry as its source record keeps it (``raw``): values as typed, and who and when."""
    values: dict[str, Any] = {
        "kind": entry.kind.value,
        "person_id": entry.person_id,
        "expected_version": entry.expected_version,
    }
    for name in _VALUE_FIELDS:
        value = getattr(entry, name)
        values[name] = value.isoformat() if isinstance(value, dt.date) else value
    values["moved_out_of_county"] = entry.moved_out_of_county
    values["note"] = entry.note
    values["author"] = author
    values["recorded_at"] = recorded_at.isoformat()
    return values


def check_shape(entry: Entry) -> list[FieldError]:
    """What the entry's kind requires and allows, before any value is read."""
    errors: list[FieldError] = []
    allowed = ALLOWED[entry.kind]
    for name in _VALUE_FIELDS:
        value = getattr(entry, name)
        given = value is not None and (not isinstance(value, str) or value.strip() != "")
        if given and name not in allowed:
            errors.append(FieldError(name, "not_allowed", f"a {entry.kind} entry has no {name}"))
    if entry.moved_out_of_county and "moved_out_of_county" not in allowed:
        errors.append(FieldError("moved_out_of_county", "not_allowed",
                                 f"a {entry.kind} entry has no moved_out_of_county"))  # fmt: skip
    if entry.kind is EntryKind.REGISTER:
        if clean_text(entry.name) is None:
            errors.append(FieldError("name", "required", "a resident is registered by name"))
    elif entry.person_id is None or entry.expected_version is None:
        errors.append(FieldError("person_id", "required",
                                 "say which resident and the version you saw"))  # fmt: skip
    if entry.kind is EntryKind.UPDATE and all(
        getattr(entry, n) in (None, "") for n in ("phone", "house_id", "address", "lives_alone")
    ):
        errors.append(FieldError("phone", "required", "an update changes a phone, a house "
                                 "or the living situation"))  # fmt: skip
    if (
        entry.kind is EntryKind.MOVED
        and not entry.moved_out_of_county
        and not (entry.house_id or clean_text(entry.address))
    ):
        errors.append(FieldError("house_id", "required", "a move names the new house, or "
                                 "says the resident left the county"))  # fmt: skip
    if entry.house_id and clean_text(entry.address):
        errors.append(FieldError("address", "not_allowed", "give a house or an address, "
                                 "not both"))  # fmt: skip
    return errors


def map_entry(raw: RawRow, today: dt.date, address_code: str | None) -> MappedRecord:
    """The entry's normalised fields and match keys, like a department row's; ``address_code``
    is the house the worker picked (already checked to exist)."""
    b = RecordBuilder(raw, today)
    kind = EntryKind(raw["kind"])
    if raw.get("name") is not None:
        b.name("name")
    rid = b.resident_id("resident_id") if raw.get("resident_id") else None
    if raw.get("sex") is not None or rid is not None:
        b.sex("sex", rid)
    if raw.get("birth_date") is not None:
        birth = b.date("birth_date", "birth_date", birth=True)
        if rid is not None:
            b.birth_date_from(birth, rid, "birth_date")
    elif rid is not None and rid.birth_date is not None:
        b.keys.birth_date = rid.birth_date.isoformat()
    if raw.get("phone") is not None:
        b.phones("phone")
    if raw.get("address") is not None:
        b.address("address")
    if address_code is not None:
        b.fields["address_code"] = address_code
        b.keys.address_code = address_code
    if raw.get("event_date") is not None:
        b.date("event_date", "event_date")
    b.fields["lives_alone"] = raw.get("lives_alone")
    b.fields["event"] = (
        "died" if kind is EntryKind.DIED
        else "moved_away" if kind is EntryKind.MOVED and raw.get("moved_out_of_county")
        else None
    )  # fmt: skip
    b.fields["kind"] = kind.value
    b.fields["person_id"] = raw.get("person_id")
    b.fields["author"] = raw.get("author")
    b.fields["recorded_at"] = raw.get("recorded_at")
    b.text("note", "note")
    return b.build()


def errors_of(record: MappedRecord) -> list[FieldError]:
    """The record's field issues as errors for the form (``column`` is the entry's field)."""
    return [
        FieldError(issue.field, issue.code.value, issue.message)
        for issue in record.issues
        if issue.code not in ACCEPTED_ISSUES
    ]
