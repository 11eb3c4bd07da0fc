"""Source records and provenance as GraphQL types, and the lookups both entry points share."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from strawberry.scalars import JSON

from hub.storage import models
from schema.context import Context
from schema.fields import from_row, object_type

_CAMEL = re.compile(r"(?<=[a-z0-9])([A-Z])")


def snake_case(name: str) -> str:
    """``residentId`` -> ``resident_id`` (provenance stores the model's column names)."""
    return _CAMEL.sub(r"_\1", name).lower()


def camel_case(name: str) -> str:
    """``resident_id`` -> ``residentId``, the name of the field on ``Person``."""
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


@object_type
class RecordLink:
    """Why a source record belongs to its person: the rule that linked it and its score."""

    rule: str
    score: float | None


@object_type
class SourceRecord:
    """One version of one department record, as delivered (``raw``) and normalised
    (``fields``), valid from the snapshot that brought it until the one that changed it."""

    source: str
    dataset: str
    record_id: str
    valid_from: dt.date
    valid_to: dt.date | None
    end_reason: str | None
    raw: JSON
    fields: JSON
    link: RecordLink | None


@object_type
class ProvenanceAlternative:
    """A value that lost survivorship, and the record that carried it."""

    value: str | None
    dataset: str | None
    record_id: str | None
    snapshot_date: dt.date | None


@object_type
class Provenance:
    """Where one golden value came from: the winning record, the rule, and what it beat."""

    field: str
    value: str | None
    dataset: str | None
    record_id: str | None
    snapshot_date: dt.date | None
    rule: str
    alternatives: list[ProvenanceAlternative]


async def source_records_of(
    context: Context, person_id: str, *, history: bool
) -> list[SourceRecord]:
    """The records linked to ``person_id``: current versions, or every version."""
    found = await context.loaders.source_records.load(person_id)
    return [
        from_row(SourceRecord, record, link=from_row(RecordLink, link))
        for link, record in found
        if history or record.valid_to is None
    ]


async def provenance_of(context: Context, person_id: str, field: str | None) -> list[Provenance]:
    """Provenance of ``person_id``'s golden values, or of one field (either spelling)."""
    rows = await context.loaders.provenance.load(person_id)
    wanted = None if field is None else snake_case(field)
    return [_provenance(row) for row in rows if wanted is None or row.field == wanted]


def _provenance(row: models.Provenance) -> Provenance:
    return from_row(
        Provenance,
        row,
        field=camel_case(row.field),
        alternatives=[_alternative(a) for a in row.alternatives or []],
    )


def _alternative(item: dict[str, Any]) -> ProvenanceAlternative:
    snapshot = item.get("snapshot_date")
    value = item.get("value")
    return ProvenanceAlternative(
        value=None if value is None else str(value),
        dataset=item.get("dataset"),
        record_id=item.get("record_id"),
        snapshot_date=dt.date.fromisoformat(snapshot[:10]) if snapshot else None,
    )


async def current_record(context: Context, uid: str) -> SourceRecord | None:
    """The current version of the record ``dataset:record_id``, with its person link."""
    found = await context.loaders.current_record.load(uid)
    if found is None:
        return None
    record, link = found
    return from_row(SourceRecord, record, link=None if link is None else from_row(RecordLink, link))
